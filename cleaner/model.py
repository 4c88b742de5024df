"""The types that flow through the pipeline.

`Document` is the one carrier: ingest creates it, segment fills `lines`, the rule engine fills
`hits`, metadata fills `fields`, and `Result.from_document` freezes it for the caller.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CATEGORIES = ("caption", "promo", "donation", "legal", "chrome", "related", "metadata")

# Result fields, in output order (the JSON record and the library object share these names).
METADATA_FIELDS = ("title", "subtitle", "byline", "dateline", "published", "agencies",
                   "photo_credits", "outlet", "source_url")


@dataclass(frozen=True, slots=True)
class Config:
    """Every option of a cleaning run, in one frozen object."""

    outlet_rules: bool = True          # apply the chosen outlet's own pack
    outlet: str | None = None          # force an outlet (slug, name or domain); skips detection
    disable: frozenset[str] = frozenset()   # rule ids or categories that must not run
    max_removed_share: float = 0.6     # over-stripping guard: share of words rules may remove
    max_chars: int = 10_000_000        # larger documents give an error record
    rules_dir: Path | None = None      # another rule tree instead of the bundled one
    head_lines: int = 10               # "head" scope: first N non-blank lines
    tail_lines: int = 15               # "tail" scope: last N non-blank lines
    timeout: float = 5.0               # seconds of pattern matching per document
    # HTML: trafilatura may try its fallback extractors (readability, jusText) when its own
    # result looks poor; False skips them (trafilatura's fast mode): ~20% less time per page
    html_fallback: bool = True
    # The language packs (rules/generic/lang_*.toml) to apply: None judges each article's
    # language and leaves out the packs of languages it is clearly not in; a set names them
    # ({"it", "fr"}: those packs only, on every article; {"all"}: every pack, on every article)
    languages: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Removal:
    """One removed span: `text == input[start:end]`, removed by `rule`."""

    rule: str
    category: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "category": self.category, "text": self.text,
                "start": self.start, "end": self.end}


@dataclass(slots=True)
class Line:
    """A non-blank line of the input; `start`/`end` bound its stripped text."""

    index: int          # position among non-blank lines
    start: int
    end: int
    text: str
    words: int = -1     # words in text (segment.words), counted when the line is cut; -1: not
    solid: int = -1     # non-space characters in text (segment.sizes); -1: not counted


@dataclass(slots=True)
class Hit:
    """A rule firing on a line: the removed span plus the named groups it captured."""

    rule: Any           # cleaner.rules.Rule
    line: int           # Line.index
    start: int          # offsets into Document.text
    end: int
    groups: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Document:
    """The carrier type: one article on its way through the pipeline."""

    id: str
    text: str
    url: str | None = None
    html: str | None = None        # raw HTML, when the input was a page (text is filled from it)
    outlet_hint: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)    # input fields passed through
    hints: dict[str, Any] = field(default_factory=dict)    # metadata known before cleaning (HTML)
    lines: list[Line] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    outlet: Any = None                                     # cleaner.rules.OutletPack or None
    languages: frozenset[str] | None = None    # the language packs that apply (None: all)
    fields: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """What cleaning one article gives back. `to_dict()` is the JSON record."""

    id: str
    body: str
    title: str | None = None
    subtitle: str | None = None
    byline: tuple[str, ...] = ()
    dateline: str | None = None
    published: str | None = None
    agencies: tuple[str, ...] = ()
    photo_credits: tuple[str, ...] = ()
    outlet: str | None = None
    source_url: str | None = None
    removed: tuple[Removal, ...] = ()
    warnings: tuple[str, ...] = ()
    provenance: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = dict(self.extra)
        record.update({
            "id": self.id,
            "title": self.title,
            "subtitle": self.subtitle,
            "byline": list(self.byline),
            "dateline": self.dateline,
            "published": self.published,
            "agencies": list(self.agencies),
            "photo_credits": list(self.photo_credits),
            "outlet": self.outlet,
            "source_url": self.source_url,
            "body": self.body,
            "removed": [r.to_dict() for r in self.removed],
            "warnings": list(self.warnings),
            "provenance": dict(self.provenance),
        })
        if self.error is not None:
            record["error"] = self.error
        return record

    @classmethod
    def failed(cls, id: str, error: str, extra: dict[str, Any] | None = None) -> "Result":
        return cls(id=id, body="", error=error, extra=dict(extra or {}))
