"""Rules that need the whole article, not one line: named here, declared in rules/ as data.

A detector rule in a TOML file says `detector = "<name>"` instead of `pattern`; it carries an
id, a category and pass/fail examples like any other rule. Each detector looks at the lines the
pattern rules left and returns the indexes of the lines it removes. They run in the order below.
"""
from __future__ import annotations

from typing import Callable, Protocol

from .model import Document, Line
from .segment import ends_sentence, normalise, words


class View(Protocol):
    """What a detector may read: the document, its lines, and which ones are already removed."""

    doc: Document
    lines: list[Line]
    removed: dict  # line index -> Rule that removed it
    head_lines: int

    def rule_of(self, index: int): ...


def _title_like(text: str) -> bool:
    n = words(text)
    return (2 <= n <= 30 and len(text) <= 250 and not ends_sentence(text)
            and not text[0].islower() and any(c.isalpha() for c in text))


def title(view: View) -> list[int]:
    """The headline: the first line left in the head, when it reads like one.

    When the title is already known (HTML metadata, an input field) only a line equal to it
    goes; otherwise the line must be short, must not end like a sentence, and text must follow.
    """
    kept = [ln for ln in view.lines[:view.head_lines] if ln.index not in view.removed]
    if len(kept) < 1:
        return []
    first = kept[0]
    known = view.doc.hints.get("title")
    if known:
        return [first.index] if normalise(first.text) == normalise(known) else []
    rest = [ln for ln in view.lines[first.index + 1:] if ln.index not in view.removed]
    if _title_like(first.text) and rest and words(" ".join(ln.text for ln in rest)) >= 2 * words(first.text):
        return [first.index]
    return []


def subtitle(view: View) -> list[int]:
    """The standfirst: the line right after the title, when it reads like one.

    Either it does not end like a sentence, or it sits between the title and a byline/date line.
    """
    titles = [i for i, r in view.removed.items() if r.detector == "title"]
    if not titles:
        return []
    t = titles[0]
    if t + 1 >= len(view.lines) or (t + 1) in view.removed:
        return []
    line = view.lines[t + 1]
    if not 3 <= words(line.text) <= 60 or line.text[0].islower():
        return []
    known = view.doc.hints.get("description")
    if known and normalise(known) == normalise(line.text):
        return [line.index]
    after = view.rule_of(t + 2)
    if after is not None and after.category == "metadata" and after.detector is None:
        return [line.index]
    body_follows = any(i not in view.removed for i in range(t + 2, len(view.lines)))
    if not ends_sentence(line.text) and body_follows:
        return [line.index]
    return []


def adjacent_duplicate(view: View) -> list[int]:
    """A line printed twice in a row (image alt text and caption): both copies go."""
    out: list[int] = []
    for prev, line in zip(view.lines, view.lines[1:]):
        if words(line.text) >= 3 and normalise(prev.text) == normalise(line.text):
            out.extend(i for i in (prev.index, line.index) if i not in view.removed and i not in out)
    return out


def pullquote(view: View) -> list[int]:
    """A short fragment without a full stop that the article repeats inside a longer paragraph:
    a pull-quote or highlighted phrase that the extractor kept as a line of its own."""
    kept = [ln for ln in view.lines if ln.index not in view.removed]
    folded = {ln.index: normalise(ln.text) for ln in kept}
    out = []
    for ln in kept:
        n = words(ln.text)
        if not 2 <= n <= 8 or ends_sentence(ln.text):
            continue
        frag = folded[ln.index]
        if any(o.index != ln.index and words(o.text) >= 2 * n and frag in folded[o.index]
               for o in kept):
            out.append(ln.index)
    return out


DETECTORS: dict[str, Callable[[View], list[int]]] = {
    "adjacent_duplicate": adjacent_duplicate,
    "title": title,
    "subtitle": subtitle,
    "pullquote": pullquote,
}
