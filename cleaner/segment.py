"""Cut a text into non-blank lines with offsets (any newline style: \\n, \\r\\n, \\r)."""
from __future__ import annotations

import regex

from .model import Document, Line

_LINE = regex.compile(r"[^\r\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85]+")
_TERMINAL = regex.compile(r"[.!?…:;]['\"’”)\]]*$")


def segment(doc: Document) -> Document:
    doc.lines = lines_of(doc.text)
    return doc


def lines_of(text: str) -> list[Line]:
    out: list[Line] = []
    for m in _LINE.finditer(text):
        raw = m.group()
        stripped = raw.strip()
        if not stripped:
            continue
        lead = len(raw) - len(raw.lstrip())
        start = m.start() + lead
        out.append(Line(index=len(out), start=start, end=start + len(stripped), text=stripped))
    return out


def words(text: str) -> int:
    return len(text.split())


def ends_sentence(text: str) -> bool:
    """True when a line ends the way a sentence does (., !, ?, …, :, ; maybe before a quote)."""
    return bool(_TERMINAL.search(text))


def normalise(text: str) -> str:
    """Fold for comparing lines: case, quote style and spacing ignored."""
    if not text.isascii():              # the characters below are not ASCII
        for curly, plain in _QUOTES:
            if curly in text:
                text = text.replace(curly, plain)
    return " ".join(text.casefold().split())


_QUOTES = (("‘", "'"), ("’", "'"), ("“", '"'), ("”", '"'), ("\u00a0", " "))
