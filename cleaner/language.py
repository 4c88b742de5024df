"""Which language packs apply to an article: those of the languages it may be in.

The generic packs in rules/generic/lang_*.toml are each written for one language (`[pack]
language`). Searching a German article for Italian picture credits costs time and can only
find false matches, so an article that is clearly in one language is not read with the packs
of languages it shows no sign of. The evidence is the share of common short words of each
language (rules/vocab/languages.toml) among the words of the article's longer lines. An
article is judged only when it has enough such words and one language's share is clearly
high; otherwise (a table, a short note, a language without a list) every pack applies, as it
does with `Config(languages={"all"})`.
"""
from __future__ import annotations

from collections import Counter
from typing import Callable

from .model import Config, Document, Line
from .rules import RuleError, RuleSet
from .segment import sizes

PROSE_WORDS = 8      # lines with fewer words (headings, captions, chrome) are not read
SAMPLE_WORDS = 150   # words read (whole lines, from the top): enough to judge, and cheap
MIN_WORDS = 50       # fewer words read: the language is not judged
CLEAR = 0.12         # the leading language's share must reach this (English prose: ~0.25)
PRESENT = 0.03       # a language with this share or more keeps its pack (an English article:
#                      below 0.01 for every other list, at most 0.02 in the benchmark's bodies)
ALL = "all"
SAMPLE = "_language_sample"     # doc.fields: what the judgement read (see _judged)


def judge(doc: Document, rules: RuleSet, config: Config) -> Document:
    """Set `doc.languages`: the language packs that apply (None: every pack)."""
    if config.languages is not None:
        doc.languages = None if ALL in config.languages else config.languages
    else:
        doc.languages, doc.fields[SAMPLE] = _judged(doc.lines, rules)
    return doc


def settle(doc: Document, rules: RuleSet, config: Config, kept: Callable[[], list[str]]) -> bool:
    """After the rules ran: whether the body (`kept()`, its paragraphs) reads as a language
    whose pack was left out, or no longer clearly as any. Then `doc.languages` widens and the
    caller cleans again: cleaning the body again must not bring in a pack this run left out
    (a German promo line among too few words to judge: the second run would read the body
    with every pack). Only a change to the lines the judgement read can change it."""
    if config.languages is not None or doc.languages is None or not _touched(doc):
        return False
    again, _ = _judged([Line(k, 0, 0, text) for k, text in enumerate(kept())], rules)
    if again is not None and again <= doc.languages:
        return False
    doc.languages = None if again is None else doc.languages | again
    return True


def likely(doc: Document, rules: RuleSet) -> frozenset[str] | None:
    """The pack languages the article may be in, or None when its language is not clear."""
    return _judged(doc.lines, rules)[0]


def _judged(lines: list[Line], rules: RuleSet):
    """(likely languages, the lines read: their indexes, the last one, whether the sample
    is full)."""
    owners = rules.once("language.words", lambda: _as_printed(rules.words))
    texts, read, seen = [], [], 0
    for line in lines:
        n = sizes(line)[0]
        if n >= PROSE_WORDS:
            texts.append(line.text)
            read.append(line.index)
            seen += n
            if seen >= SAMPLE_WORDS:
                break
    sample = (frozenset(read), read[-1] if read else -1, seen >= SAMPLE_WORDS)
    if seen < MIN_WORDS or not owners or not rules.languages:
        return None, sample
    counts: dict[str, int] = {}
    for word, n in Counter([w for w in " ".join(texts).split() if w in owners]).items():
        for lang in owners[word]:
            counts[lang] = counts.get(lang, 0) + n
    if max(counts.values(), default=0) < CLEAR * seen:
        return None, sample
    return frozenset(lang for lang in rules.languages
                     if counts.get(lang, 0) >= PRESENT * seen), sample


def _touched(doc: Document) -> bool:
    """Whether the hits change what the judgement read: a line it read was removed or cut,
    or a cut (which may split a word in two) left a line that it might read now."""
    read, last, full = doc.fields[SAMPLE]
    for hit in doc.hits:
        if hit.line in read or (hit.rule.unit == "span" and not hit.rule.detector
                                and (hit.line < last or not full)):
            return True
    return False


def _as_printed(words: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The word lists as text prints them: lower-case, capitalised (at the start of a
    sentence) and in capitals (a heading); cheaper than lower-casing the text."""
    out: dict[str, tuple[str, ...]] = {}
    for word, langs in words.items():
        for form in (word, word.capitalize(), word.upper()):
            out[form] = langs
    return out


def check(config: Config, rules: RuleSet) -> None:
    """Refuse a language selection naming a language no pack is written for."""
    if config.languages is None:
        return
    unknown = sorted(set(config.languages) - set(rules.languages) - {ALL})
    if unknown:
        raise RuleError(f"no language pack for {', '.join(unknown)} (packs: "
                        f"{', '.join(rules.languages) or 'none'}, or {ALL})")
