"""ingest -> segment -> language -> outlet -> rules -> metadata -> result, for one document."""
from __future__ import annotations

from .html import from_html
from .engine import DocumentTimeout, apply_rules
from .language import check as check_languages, judge, settle
from .metadata import extract
from .model import Config, Document, Removal, Result
from .outlets import choose
from .rules import RuleError, RuleSet, load_rules
from .segment import segment

DEFAULT = Config()


def ruleset(config: Config) -> RuleSet:
    rules = load_rules(config.rules_dir)
    rules.check_selection(config.disable)
    check_languages(config, rules)
    return rules


def clean_document(doc: Document, config: Config = DEFAULT, rules: RuleSet | None = None) -> Result:
    """Clean one document. Problems with the document give a Result with `error`, never raise."""
    rules = rules or ruleset(config)
    if doc.error:
        return Result.failed(doc.id, doc.error, doc.extra)
    size = len(doc.html) if doc.html is not None else len(doc.text)
    if size > config.max_chars:
        return Result.failed(doc.id, f"document has {size:,} characters, over the "
                                     f"limit of {config.max_chars:,}", doc.extra)
    if doc.html is not None:
        from_html(doc, fallback=config.html_fallback)
        if doc.error:
            return Result.failed(doc.id, doc.error, doc.extra)
    segment(doc)
    judge(doc, rules, config)
    try:
        pack, via = choose(doc, rules, config)
        doc.outlet = pack
        doc.fields["_outlet_via"] = f"outlet:{via}" if via else "outlet"
        warned = len(doc.warnings)
        apply_rules(doc, rules, config)
        while settle(doc, rules, config, lambda: kept_paragraphs(doc)):
            doc.hits, doc.warnings[warned:] = [], []    # again, with the packs it now needs
            apply_rules(doc, rules, config)
    except DocumentTimeout:
        return Result.failed(doc.id, f"rule matching took longer than {config.timeout:g} s",
                             doc.extra)
    extract(doc, rules)
    return to_result(doc)


def body_of(doc: Document) -> str:
    """The kept text: each line minus its removed spans, blank-line separated."""
    return "\n\n".join(kept_paragraphs(doc))


def kept_paragraphs(doc: Document) -> list[str]:
    """The body's paragraphs: each kept line minus its removed spans (the pieces left of a
    line joined by a space)."""
    cuts: dict[int, list[tuple[int, int]]] = {}
    for hit in doc.hits:
        cuts.setdefault(hit.line, []).append((hit.start, hit.end))
    paragraphs = []
    for line in doc.lines:
        if line.index not in cuts:
            paragraphs.append(line.text)        # stripped, never empty
            continue
        pieces, cursor = [], line.start
        for s, e in sorted(cuts[line.index]):
            pieces.append(doc.text[cursor:s])
            cursor = max(cursor, e)
        pieces.append(doc.text[cursor:line.end])
        kept = [p.strip() for p in pieces if p.strip()]
        if kept:
            paragraphs.append(" ".join(kept))
    return paragraphs


def to_result(doc: Document) -> Result:
    f = doc.fields
    return Result(
        id=doc.id, body=body_of(doc), title=f["title"], subtitle=f["subtitle"],
        byline=tuple(f["byline"]), dateline=f["dateline"], published=f["published"],
        agencies=tuple(f["agencies"]), photo_credits=tuple(f["photo_credits"]),
        outlet=f["outlet"], source_url=f["source_url"],
        removed=tuple(Removal(h.rule.id, h.rule.category, doc.text[h.start:h.end], h.start, h.end)
                      for h in doc.hits),
        warnings=tuple(doc.warnings), provenance=dict(doc.provenance), extra=dict(doc.extra))


def clean(text: str, *, url: str | None = None, outlet: str | None = None,
          config: Config = DEFAULT, id: str = "") -> Result:
    """Clean one article given as text. Options beyond url/outlet live in `config`.

    Never raises for the text; an unknown `outlet` (an argument, not data) is a RuleError."""
    rules = ruleset(config)
    if outlet is not None and rules.outlet(outlet) is None:
        raise RuleError(f"unknown outlet {outlet!r} (see 'cleaner rules list --outlets')")
    doc = Document(id=id, text=text, url=url, outlet_hint=outlet)
    return clean_document(doc, config, rules)
