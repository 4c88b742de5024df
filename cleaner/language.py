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

from .model import Config, Document
from .rules import RuleError, RuleSet
from .segment import sizes

PROSE_WORDS = 8      # lines with fewer words (headings, captions, chrome) are not read
SAMPLE_WORDS = 150   # words read (whole lines, from the top): enough to judge, and cheap
MIN_WORDS = 50       # fewer words read: the language is not judged
CLEAR = 0.12         # the leading language's share must reach this (English prose: ~0.25)
PRESENT = 0.03       # a language with this share or more keeps its pack (an English article:
#                      below 0.01 for every other list, at most 0.02 in the benchmark's bodies)
ALL = "all"


def judge(doc: Document, rules: RuleSet, config: Config) -> Document:
    """Set `doc.languages`: the language packs that apply (None: every pack)."""
    if config.languages is not None:
        doc.languages = None if ALL in config.languages else config.languages
    else:
        doc.languages = likely(doc, rules)
    return doc


def likely(doc: Document, rules: RuleSet) -> frozenset[str] | None:
    """The pack languages the article may be in, or None when its language is not clear."""
    owners = rules.once("language.words", lambda: _as_printed(rules.words))
    if not owners or not rules.languages:
        return None
    texts, seen = [], 0
    for line in doc.lines:
        n = sizes(line)[0]
        if n >= PROSE_WORDS:
            texts.append(line.text)
            seen += n
            if seen >= SAMPLE_WORDS:
                break
    if seen < MIN_WORDS:
        return None
    counts: dict[str, int] = {}
    for word, n in Counter([w for w in " ".join(texts).split() if w in owners]).items():
        for lang in owners[word]:
            counts[lang] = counts.get(lang, 0) + n
    if max(counts.values(), default=0) < CLEAR * seen:
        return None
    return frozenset(lang for lang in rules.languages if counts.get(lang, 0) >= PRESENT * seen)


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
