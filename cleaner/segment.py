"""Cut a text into non-blank lines with offsets (any newline style: \\n, \\r\\n, \\r)."""
from __future__ import annotations

import regex

from .model import Document, Line

_TERMINAL = regex.compile(r"[.!?…:;]['\"’”)\]]*$")


def segment(doc: Document) -> Document:
    doc.lines = lines_of(doc.text)
    return doc


def lines_of(text: str) -> list[Line]:
    """The non-blank lines, stripped. str.splitlines() breaks at exactly the line boundaries
    this tool counts: \n, \r, \r\n, \v, \f, \x1c-\x1e, \x85, \u2028 and \u2029."""
    out: list[Line] = []
    pos = 0
    # the only white space inside a line is ' ' (one test per character: quicker than a class)
    plain = not any(c in text for c in _INNER_SPACES)
    for raw in text.splitlines(True):
        stripped = raw.strip()
        if stripped:
            start = pos + len(raw) - len(raw.lstrip())
            if plain and "  " not in stripped:  # words apart by one space: count the spaces
                gaps = stripped.count(" ")
                counted = (gaps + 1, len(stripped) - gaps)
            else:
                counted = _sizes(stripped)
            out.append(Line(len(out), start, start + len(stripped), stripped, *counted))
        pos += len(raw)
    return out


# White space other than ' ' that can stand inside a line (str.split() splits at it, and
# str.splitlines() does not break there): \t, \x1f, NBSP, the Unicode spaces...
_INNER_SPACES = tuple(c for c in map(chr, range(0x3001)) if c.isspace() and c != " "
                      and len(f"a{c}a".splitlines()) == 1)


def sizes(line: Line) -> tuple[int, int]:
    """(words, non-space characters) of a line: as counted when the text was cut into lines,
    or counted now for a line made elsewhere."""
    return (line.words, line.solid) if line.words >= 0 else _sizes(line.text)


def _sizes(text: str) -> tuple[int, int]:
    parts = text.split()            # Python's white space includes all of the regex's \s
    return len(parts), sum(map(len, parts))


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
