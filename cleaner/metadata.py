"""Turn rule hits into metadata fields; each field records the rule (or input) it came from.

Cascade per field, most reliable first: what the article's own lines say (rule hits), then what
the input carried (HTML metadata, record fields). Agencies come only from datelines and credit
lines (rules with an `agencies` group or constant), never from captions or story mentions.
"""
from __future__ import annotations

import functools
import warnings
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex
from dateutil import parser as dateparser

from . import prefilter
from .model import Document
from .rules import RuleSet, fold

_SPLIT = regex.compile(r"\s*(?:,|;|/|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*", regex.IGNORECASE)
_TRACKING = regex.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|igshid|_ga|_gl|"
    r"yclid|ocid|cmpid|ito|smid|smtyp|ref_src|ref_url|share|__twitter_impression)$",
    regex.IGNORECASE)
_TRAILING = ".,;:)]}>\"'”’"


def agencies_in(text: str, rules: RuleSet) -> list[str]:
    """Canonical wire names in a credit such as 'REUTERS, AP, AFP, BLOOMBERG'."""
    out: list[str] = []
    for part in _SPLIT.split(text):
        name = rules.agencies.get(fold(part.strip(" ()[]-–—")))
        if name and name not in out:
            out.append(name)
    return out


_CREDIT_WORDS = regex.compile(r"(?i)\b(?:file|photo|photos|pic|picture|image|handout|via)\b")
_CREDIT_PARTS = regex.compile(r"[/|,;]")


def photo_credit(text: str, rules: RuleSet) -> str | None:
    """A canonical credit from caption text: 'REUTERS' -> 'Reuters', 'Jane Doe/AFP' -> 'AFP';
    else the name as a name is written ('JANE DOE' -> 'Jane Doe', 'FACEBOOK' -> 'Facebook'),
    an acronym as it is ('NASA')."""
    text = _CREDIT_WORDS.sub(" ", text)
    parts = [p.strip(" ()[]-–—.,:") for p in _CREDIT_PARTS.split(text)]
    for part in parts:
        key = fold(part)
        for table in (rules.agencies, rules.photo):
            if key in table:
                return table[key]
    for part in parts:
        folded = prefilter.fold(part)
        for table in ("agencies", "photo"):
            hit = _first_mentioned(_aliases(rules, table), part, folded)
            if hit:
                return hit
    named = [p for p in parts if p]
    if not named:
        return None
    last = named[-1]    # an unknown name; a short word in capitals is an acronym ('NASA', 'IDF')
    return last if last.isupper() and " " not in last and len(last) <= 5 else proper_case(last)


def _first_mentioned(aliases: list[tuple], text: str, folded: str) -> str | None:
    """The name of the first alias (in the table's order) that `text` holds as a whole word,
    any case (`folded` is prefilter.fold(text)). An alias whose needles are not in the text is
    skipped without a regex; most aliases have one needle, tested with `in` alone."""
    for needle, sets, pattern, name in aliases:
        if (needle in folded if needle is not None else prefilter.holds(sets, folded)) \
                and pattern.search(text):
            return name
    return None


def _aliases(rules: RuleSet, table: str) -> list[tuple]:
    """(its one needle, or else its needle sets; whole-word pattern; name) for each alias of
    the rule set's `table` ("agencies" or "photo"), in order; worked out once per rule set."""
    def make() -> list[tuple]:
        entries = []
        for alias, name in getattr(rules, table).items():
            pattern = _word(alias)
            sets = prefilter.needles(pattern.pattern)
            one = next(iter(sets[0])) if sets and len(sets) == 1 and len(sets[0]) == 1 else None
            entries.append((one, sets, pattern, name))
        return entries

    return rules.once(("aliases", table), make)


@functools.lru_cache(maxsize=1024)
def _word(alias: str):
    """`alias` as a whole word, any case: compiled once per process."""
    return regex.compile(rf"(?i)(?<!\w){regex.escape(alias)}(?!\w)")


_WORDS = regex.compile(r"(\w)(\w*)")


def proper_case(name: str) -> str:
    """'SETH J. FRANTZMAN' -> 'Seth J. Frantzman'; mixed-case names are left as written."""
    name = " ".join(name.split())
    if name.isupper() or name.islower():
        return _WORDS.sub(lambda m: m.group(1).upper() + m.group(2).lower(), name)
    return name


# A byline part that ends in one of these is the author's job, not another author:
# 'By Greg Beacham, AP Sports Writer', 'By Jane Doe, Staff Writer'.
_JOB = regex.compile(r"(?i)\b(?:writer|correspondent|editor|reporter|contributor|columnist|"
                     r"producer|journalist)s?$")


_BY = regex.compile(r"(?i)^\s*(?:by|von|par|por|di|da|de)\s+")
_AUTHORS = regex.compile(r"\s*(?:,|\band\b|&|\bund\b|\bet\b)\s*")


def authors(text: str) -> list[str]:
    text = _BY.sub("", text)
    names = [proper_case(p.strip(" ,.")) for p in _AUTHORS.split(text)]
    return [n for n in names if n and len(n.split()) <= 5 and not _JOB.search(n)]


_DATE_WORDS = regex.compile(r"(?i)\b(?:published|updated|posted|last updated|on|at)\b:?")
# a time zone (and its offset): local time is kept. Only the zone goes: a clock may come
# first ('08:00 GMT, 20 Nov 2019').
_ZONE = regex.compile(r"(?i)\b(?:GMT|UTC|IST|ET|EST|EDT|BST|CET|CEST)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?\b")
_DAY_FIRST = regex.compile(r"\b\d{1,2}[./]\d{1,2}[./]\d{4}\b")
_CLOCK = regex.compile(r"(?<![\d.])\d{1,2}[:.]\d{2}(?![\d.])")


# A clock written with an h, as French and Portuguese dates do ('08h00', '8h20min'). Minutes
# are needed: '2h' alone is as often a duration ('updated 2h ago', '3 h read').
_H_CLOCK = regex.compile(r"(?<![\d\p{L}])(\d{1,2})h(\d{2})(?:min)?(?![\d\p{L}])", regex.IGNORECASE)
# A clock written with a dot, as British papers print it ('Wed 20 Nov 2019 08.00 GMT',
# '8.30pm'); dateutil reads '08.00' as a number. Not a part of a numeric date ('20.11.2019').
_DOT_CLOCK = regex.compile(r"(?<![\d.:])(\d{1,2})\.([0-5]\d)(?![\d.])")
_ENGLISH = ("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December")


def _month_names(rules: RuleSet):
    """A month name of the rule set's vocabulary between a day number and a year ('20
    novembre 2019', '20. November 2019', '20 de noviembre de 2019', '20.nov.2019'). Both
    numbers are needed: 'out', 'set' and 'ago' are months in Portuguese or Italian, and words
    elsewhere ('5 out of 10')."""
    def make():
        names = "|".join(regex.escape(n) for n in sorted(rules.months, key=len, reverse=True))
        return regex.compile(rf"(?i)(?<!\d)(\d{{1,2}})(?:er)?\.?\s*(?:de\s+)?({names})\.?"
                             r"(?!\p{L})\s*(?:del?\s+)?(?=\d{4}(?!\d))")

    return rules.once("month names", make)


def _english(m, table: dict[str, int]) -> str:
    """'20 novembre ' for a match of _month_names: the month named in English. A name the
    pattern matched under case folding but that folds otherwise (a dotted capital İ) is left."""
    number = table.get(m.group(2).casefold())
    return f"{m.group(1)} {_ENGLISH[number - 1]} " if number else m.group(0)


def iso_date(text: str, rules: RuleSet | None = None) -> str | None:
    """Parse a printed date ('DECEMBER 29, 2019 20:30') to ISO 8601 ('2019-12-29T20:30:00'); a
    clock may be written with an h ('08h00', not '8h') or a dot ('08.00', '8.30pm'). With
    `rules`, month names in the languages of its vocabulary are read too ('20 novembre 2019
    à 08h00' -> '2019-11-20T08:00:00')."""
    if rules is not None and rules.months:
        text = _month_names(rules).sub(lambda m: _english(m, rules.months), text)
    if "h" in text or "H" in text:
        text = _H_CLOCK.sub(r"\1:\2", text)
    if "." in text:
        text = _DOT_CLOCK.sub(r"\1:\2", text)
    cleaned = _DATE_WORDS.sub(" ", text)
    cleaned = _ZONE.sub(" ", cleaned).strip(" |,-")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown time-zone names: we keep local time
            # 05.11.2019 and 05/11/2019 are day-first outside the US; 11/20/2019 still parses
            dayfirst = bool(_DAY_FIRST.search(cleaned))
            value = dateparser.parse(cleaned, default=datetime(1900, 1, 1), fuzzy=True,
                                     dayfirst=dayfirst)
    except (ValueError, OverflowError, TypeError):
        return None
    if value.year == 1900:
        return None
    has_time = bool(_CLOCK.search(cleaned))
    return value.strftime("%Y-%m-%dT%H:%M:%S") if has_time else value.strftime("%Y-%m-%d")


def clean_url(url: str) -> str:
    """Strip trailing punctuation and tracking parameters (utm_*, fbclid, ...)."""
    url = url.strip().rstrip(_TRAILING)
    try:
        parts = urlsplit(url)
    except ValueError:          # not a URL ('[', 'http://[::1'): keep it as given
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(k)]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))


def extract(doc: Document, rules: RuleSet) -> Document:
    """Fill doc.fields and doc.provenance from hits, then from hints given with the input."""
    fields: dict = {"title": None, "subtitle": None, "byline": [], "dateline": None,
                    "published": None, "agencies": [], "photo_credits": [], "outlet": None,
                    "source_url": None}
    prov: dict[str, str] = {}

    def put(name: str, value, source: str) -> None:
        if not value:
            return
        if isinstance(fields[name], list):
            new = [v for v in (value if isinstance(value, list) else [value]) if v not in fields[name]]
            if new:
                fields[name].extend(new)
                prov.setdefault(name, source)
        elif fields[name] is None:
            fields[name] = value
            prov[name] = source

    for hit in doc.hits:
        rule, g = hit.rule, hit.groups
        text = doc.text[hit.start:hit.end]
        if rule.detector in ("title", "subtitle"):
            put(rule.detector, " ".join(text.split()), rule.id)
        if "credit" in g:
            put("photo_credits", photo_credit(g["credit"], rules), rule.id)
        if "agencies" in g:
            put("agencies", agencies_in(g["agencies"], rules), rule.id)
        if rule.agencies:
            put("agencies", list(rule.agencies), rule.id)
        if "place" in g:
            put("dateline", " ".join(g["place"].split()).strip(" ,"), rule.id)
        if "author" in g:       # 'By Jane Doe, Associated Press': an agency, not an author
            names = authors(g["author"])
            wires = {n: agencies_in(n, rules) for n in names}
            put("byline", [n for n in names if not wires[n]], rule.id)
            put("agencies", [a for n in names for a in wires[n]], rule.id)
        if "date" in g and fields["published"] is None:    # (the first date read counts)
            put("published", iso_date(g["date"], rules), rule.id)
        if "url" in g:
            put("source_url", clean_url(g["url"]), rule.id)

    hints = doc.hints
    put("title", hints.get("title"), "input")
    put("subtitle", hints.get("description") if prov.get("subtitle") else None, "input")
    if hints.get("author") and not fields["byline"]:
        put("byline", authors(hints["author"]), "input")
    if hints.get("date") and fields["published"] is None:
        put("published", iso_date(hints["date"], rules) or hints["date"], "input")
    if doc.url or hints.get("url"):
        put("source_url", clean_url(doc.url or hints["url"]), "input")
    if doc.outlet is not None:
        put("outlet", doc.outlet.name, doc.fields.get("_outlet_via", "outlet"))
    else:
        put("outlet", hints.get("sitename"), "input")
    doc.fields = fields
    doc.provenance = prov
    return doc
