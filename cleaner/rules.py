"""Load, validate and compile the rule tree (rules/**/*.toml).

Any problem refuses the whole set with a `RuleError` whose message names the file and the rule:
a rule set that half-loads would clean silently worse.
"""
from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from .detectors import DETECTORS
from .model import CATEGORIES

UNITS = ("line", "span")
WHERE = ("head", "tail", "anywhere")
EXTEND = ("none", "to_end", "run")
GROUPS = ("credit", "agencies", "place", "author", "date", "url")
RULE_KEYS = {"id", "category", "description", "unit", "where", "pattern", "detector", "extend",
             "next", "prev", "unless", "agencies", "require", "source", "pass", "fail", "max_words"}
OUTLET_KEYS = {"name", "slug", "domains", "fingerprints", "wire", "source"}
# Pattern rules run category by category in this order, outlet rules before generic ones;
# a line already removed is not looked at again.
PHASES = {"chrome": 0, "legal": 1, "donation": 2, "promo": 3, "related": 4, "caption": 5,
          "metadata": 6}


class RuleError(ValueError):
    """A rule file or a rule selection that cannot be used."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: str
    description: str
    file: str
    unit: str = "line"
    where: str = "anywhere"
    pattern: Any = None             # compiled regex, or None for a detector rule
    detector: str | None = None
    extend: str = "none"
    next: Any = None                # compiled regex the next non-blank line must match
    prev: Any = None                # ... and the previous one
    unless: Any = None              # compiled regex: a line where it is found anywhere is kept
    agencies: tuple[str, ...] = ()  # agencies credited whenever the rule fires
    require: tuple[str, ...] = ()   # metadata that must be found for a match to count
    max_words: int | None = None    # lines longer than this are never matched
    source: str = ""
    passes: tuple[str, ...] = ()
    fails: tuple[str, ...] = ()
    outlet: str | None = None       # slug of the outlet pack, None for generic rules
    language: str | None = None     # the language its file is written for ([pack] language)

    @property
    def groups(self) -> tuple[str, ...]:
        return ("generic",) if self.outlet is None else ("outlet", self.outlet)

    def reads(self, languages: frozenset[str] | None) -> bool:
        """Whether the rule applies to an article that may be in `languages` (None: any)."""
        return languages is None or self.language is None or self.language in languages


@dataclass(frozen=True, slots=True)
class OutletPack:
    name: str
    slug: str
    file: str
    domains: tuple[str, ...] = ()
    fingerprints: tuple[Any, ...] = ()
    wire: bool = False
    source: str = ""
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    generic: tuple[Rule, ...]
    outlets: tuple[OutletPack, ...]
    agencies: dict[str, str] = field(default_factory=dict)   # folded alias -> canonical name
    photo: dict[str, str] = field(default_factory=dict)      # photo-only agencies, same shape
    months: dict[str, int] = field(default_factory=dict)     # folded month name -> 1..12
    # lower-cased common word -> the languages it is common in (vocab/languages.toml)
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @functools.cached_property
    def languages(self) -> tuple[str, ...]:
        """The languages of the generic packs that declare one, sorted."""
        return tuple(sorted({r.language for r in self.generic if r.language is not None}))

    @functools.cached_property
    def by_id(self) -> dict[str, Rule]:
        rules = list(self.generic)
        for pack in self.outlets:
            rules.extend(pack.rules)
        return {r.id: r for r in rules}

    @functools.cached_property
    def by_domain(self) -> dict[str, tuple[int, ...]]:
        """Domain -> the positions (in `outlets`) of the packs that list it, in order."""
        out: dict[str, list[int]] = {}
        for k, pack in enumerate(self.outlets):
            for d in pack.domains:
                if k not in out.setdefault(d, []):
                    out[d].append(k)
        return {d: tuple(ks) for d, ks in out.items()}

    @functools.cached_property
    def derived(self) -> dict:
        """What the pipeline works out once from this rule set (the rules' order, the
        prefilters, the scanner...), under keys of its own: it lives and goes with the set."""
        return {}

    def once(self, key, make):
        """make(), worked out once for this rule set and `key` (kept in `derived`)."""
        store = self.derived
        value = store.get(key, _MISSING)
        if value is _MISSING:
            value = store[key] = make()
        return value

    def packs_of_host(self, host: str) -> set[int]:
        """The positions of the packs with a domain that is the host or a parent of it
        ('news.bbc.co.uk' is bbc.co.uk's)."""
        index = self.by_domain
        found: set[int] = set()
        part = host
        while True:
            found.update(index.get(part, ()))
            dot = part.find(".")
            if dot < 0:
                return found
            part = part[dot + 1:]

    def outlet(self, key: str) -> OutletPack | None:
        """Find a pack by slug, display name or domain (case-insensitive)."""
        k = key.strip().lower()
        for pack in self.outlets:
            if k in (pack.slug, pack.name.lower()) or k in pack.domains:
                return pack
        return None

    def check_selection(self, names: frozenset[str]) -> None:
        """Refuse rule ids, categories or groups that do not exist (a typo is not a no-op)."""
        known = set(self.by_id) | set(CATEGORIES) | {"generic"} | {p.slug for p in self.outlets}
        unknown = sorted(n for n in names if n not in known)
        if unknown:
            raise RuleError(f"unknown rule id, category or pack: {', '.join(unknown)} "
                            f"(see 'cleaner rules list')")

    @staticmethod
    def enabled(rule: Rule, disable: frozenset[str]) -> bool:
        return not disable or not ({rule.id, rule.category, *rule.groups} & disable)


def default_rules_dir() -> Path:
    """The bundled rules: inside the installed package, or beside it in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "generic").is_dir():
            return candidate
    raise RuleError(f"no rule tree found (looked in {here / 'rules'} and {here.parent / 'rules'})")


@functools.lru_cache(maxsize=8)
def load_rules(rules_dir: Path | None = None) -> RuleSet:
    root = Path(rules_dir) if rules_dir else default_rules_dir()
    if not (root / "generic").is_dir():
        raise RuleError(f"{root}: not a rule tree (no generic/ folder)")
    seen: dict[str, str] = {}
    generic: list[Rule] = []
    words = _languages(root / "vocab" / "languages.toml")
    listed = {lang for langs in words.values() for lang in langs}
    for path in sorted((root / "generic").glob("*.toml")):
        data = _read(path)
        _no_unknown(path, data, {"rule", "pack"}, "top-level table")
        generic.extend(_rules(path, data, None, seen, _pack_language(path, data, listed)))
    outlets = []
    slugs: dict[str, str] = {}
    for path in sorted((root / "outlets").glob("*.toml")) if (root / "outlets").is_dir() else ():
        data = _read(path)
        _no_unknown(path, data, {"rule", "outlet"}, "top-level table")
        pack = _outlet(path, data, seen)
        if pack.slug in slugs:
            raise RuleError(f"{path}: outlet slug {pack.slug!r} already used in {slugs[pack.slug]}")
        slugs[pack.slug] = str(path)
        outlets.append(pack)
    agencies, photo = _vocab(root / "vocab" / "agencies.toml")
    months = _months(root / "vocab" / "months.toml")
    generic.sort(key=lambda r: (r.detector is not None, PHASES[r.category]))
    return RuleSet(tuple(generic), tuple(outlets), agencies, photo, months, words)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: not valid TOML: {exc}") from None


def _no_unknown(path: Path, table: dict, allowed: set[str], what: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise RuleError(f"{path}: unknown key(s) in {what}: {', '.join(extra)}")


def _compile(path: Path, rid: str, key: str, source: Any):
    if not isinstance(source, str) or not source:
        raise RuleError(f"{path}: rule {rid}: {key} must be a non-empty string")
    try:
        return regex.compile(source, regex.V0)
    except regex.error as exc:
        raise RuleError(f"{path}: rule {rid}: {key} does not compile: {exc}") from None


def _strings(path: Path, rid: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{path}: rule {rid}: {key} must be a list of strings")
    return tuple(value)


def _pack_language(path: Path, data: dict, listed: set[str]) -> str | None:
    """A generic file's `[pack] language = "xx"`: its rules are for articles in that language
    (one with a word list in vocab/languages.toml, so that cleaner/language.py can judge it)."""
    pack = data.get("pack", {})
    if not isinstance(pack, dict):
        raise RuleError(f"{path}: 'pack' must be a table ([pack])")
    _no_unknown(path, pack, {"language"}, "[pack]")
    language = pack.get("language")
    if language is not None and language not in listed:
        raise RuleError(f"{path}: [pack] language {language!r} has no word list in "
                        f"vocab/languages.toml (listed: {', '.join(sorted(listed)) or 'none'})")
    return language


def _rules(path: Path, data: dict, outlet: str | None, seen: dict[str, str],
           language: str | None = None) -> list[Rule]:
    raw = data.get("rule", [])
    if not isinstance(raw, list):
        raise RuleError(f"{path}: 'rule' must be an array of tables ([[rule]])")
    out = []
    for n, r in enumerate(raw, 1):
        rid = r.get("id")
        if not isinstance(rid, str) or not regex.fullmatch(r"[a-z0-9][a-z0-9_.-]*", rid):
            raise RuleError(f"{path}: rule #{n} has a missing or malformed id {rid!r} "
                            f"(lower-case letters, digits, '.', '-', '_')")
        _no_unknown(path, r, RULE_KEYS, f"rule {rid}")
        if rid in seen:
            raise RuleError(f"duplicate rule id {rid!r}: in {seen[rid]} and in {path}")
        seen[rid] = str(path)
        if outlet is not None and not rid.startswith(outlet + "."):
            raise RuleError(f"{path}: rule {rid}: ids in this pack must start with '{outlet}.'")
        category = r.get("category")
        if category not in CATEGORIES:
            raise RuleError(f"{path}: rule {rid}: unknown category {category!r} "
                            f"(one of {', '.join(CATEGORIES)})")
        for key, allowed, default in (("unit", UNITS, "line"), ("where", WHERE, "anywhere"),
                                      ("extend", EXTEND, "none")):
            if r.get(key, default) not in allowed:
                raise RuleError(f"{path}: rule {rid}: {key} must be one of {', '.join(allowed)}")
        if ("pattern" in r) == ("detector" in r):
            raise RuleError(f"{path}: rule {rid}: give exactly one of 'pattern' or 'detector'")
        if "detector" in r and r["detector"] not in DETECTORS:
            raise RuleError(f"{path}: rule {rid}: unknown detector {r['detector']!r} "
                            f"(one of {', '.join(DETECTORS)})")
        pattern = _compile(path, rid, "pattern", r["pattern"]) if "pattern" in r else None
        if pattern is not None:
            bad = sorted(set(pattern.groupindex) - set(GROUPS))
            if bad:
                raise RuleError(f"{path}: rule {rid}: unknown named group(s) {', '.join(bad)} "
                                f"(one of {', '.join(GROUPS)})")
        if "unless" in r and pattern is None:
            raise RuleError(f"{path}: rule {rid}: 'unless' needs a 'pattern'")
        if r.get("extend", "none") == "to_end" and (r.get("unit", "line") != "line"
                                                    or r.get("where") != "tail"):
            raise RuleError(f"{path}: rule {rid}: extend = 'to_end' needs unit = 'line' "
                            f"and where = 'tail'")
        passes = _strings(path, rid, "pass", r.get("pass", []))
        fails = _strings(path, rid, "fail", r.get("fail", []))
        if not passes or not fails:
            raise RuleError(f"{path}: rule {rid}: needs at least one 'pass' and one 'fail' example")
        if not isinstance(r.get("description"), str) or not r["description"].strip():
            raise RuleError(f"{path}: rule {rid}: needs a description")
        require = _strings(path, rid, "require", r.get("require", []))
        if any(g not in GROUPS for g in require):
            raise RuleError(f"{path}: rule {rid}: require names unknown group(s) {require}")
        out.append(Rule(
            id=rid, category=category, description=r["description"].strip(), file=str(path),
            unit=r.get("unit", "line"), where=r.get("where", "anywhere"), pattern=pattern,
            detector=r.get("detector"), extend=r.get("extend", "none"),
            next=_compile(path, rid, "next", r["next"]) if "next" in r else None,
            prev=_compile(path, rid, "prev", r["prev"]) if "prev" in r else None,
            unless=_compile(path, rid, "unless", r["unless"]) if "unless" in r else None,
            agencies=_strings(path, rid, "agencies", r.get("agencies", [])),
            require=require, max_words=r.get("max_words"), source=r.get("source", ""),
            passes=passes, fails=fails, outlet=outlet, language=language))
    return out


def _outlet(path: Path, data: dict, seen: dict[str, str]) -> OutletPack:
    info = data.get("outlet")
    if not isinstance(info, dict):
        raise RuleError(f"{path}: an outlet pack needs an [outlet] table")
    _no_unknown(path, info, OUTLET_KEYS, "[outlet]")
    name, slug = info.get("name"), info.get("slug")
    if not isinstance(name, str) or not isinstance(slug, str) or not regex.fullmatch(r"[a-z0-9_-]+", slug):
        raise RuleError(f"{path}: [outlet] needs a name and a lower-case slug")
    fingerprints = tuple(_compile(path, f"[outlet] {slug}", "fingerprint", f)
                         for f in info.get("fingerprints", []))
    domains = tuple(d.lower().removeprefix("www.") for d in info.get("domains", []))
    return OutletPack(name=name, slug=slug, file=str(path), domains=domains,
                      fingerprints=fingerprints, wire=bool(info.get("wire", False)),
                      source=info.get("source", ""), rules=tuple(_rules(path, data, slug, seen)))


_MISSING = object()
_SPACING = regex.compile(r"[\s\-]+")


def fold(name: str) -> str:
    """The key under which names are compared: case, dots and spacing ignored."""
    return _SPACING.sub(" ", name.replace(".", "")).strip().casefold()


def _vocab(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    if not path.is_file():
        raise RuleError(f"{path}: missing agency vocabulary")
    data = _read(path)
    _no_unknown(path, data, {"agency", "photo"}, "top-level table")
    tables = []
    for kind in ("agency", "photo"):
        table: dict[str, str] = {}
        for entry in data.get(kind, []):
            name = entry.get("name")
            if not isinstance(name, str):
                raise RuleError(f"{path}: every [[{kind}]] needs a name")
            for alias in [name, *entry.get("aliases", [])]:
                table[fold(alias)] = name
        tables.append(table)
    return tables[0], tables[1]


def _languages(path: Path) -> dict[str, tuple[str, ...]]:
    """Common words by language (optional: without them every pack reads every article)."""
    if not path.is_file():
        return {}
    data = _read(path)
    owners: dict[str, list[str]] = {}
    for language, entry in data.items():
        where = f"{path}: [{language}]"
        if not isinstance(entry, dict):
            raise RuleError(f"{where} must be a table holding words = [...]")
        _no_unknown(path, entry, {"words"}, f"[{language}]")
        words = entry.get("words")
        if not isinstance(words, list) or not words or not all(
                isinstance(w, str) and w and w == w.lower() and not any(c.isspace() for c in w)
                for w in words):
            raise RuleError(f"{where}: words must list lower-case words without spaces")
        for word in words:
            if language in owners.setdefault(word, []):
                raise RuleError(f"{where}: {word!r} is listed twice")
            owners[word].append(language)
    return {w: tuple(langs) for w, langs in owners.items()}


def _months(path: Path) -> dict[str, int]:
    """Month names by language (optional: without them only English dates are read)."""
    if not path.is_file():
        return {}
    data = _read(path)
    table: dict[str, int] = {}
    for language, entry in data.items():
        where = f"{path}: [{language}]"
        if not isinstance(entry, dict):
            raise RuleError(f"{where} must be a table holding months = [...]")
        _no_unknown(path, entry, {"months"}, f"[{language}]")
        months = entry.get("months")
        if not isinstance(months, list) or len(months) != 12 or not all(
                isinstance(m, list) and m and all(isinstance(n, str) and n.isalpha() for n in m)
                for m in months):
            raise RuleError(f"{where}: months must list 12 months, each a list of names "
                            f"(letters only)")
        for number, names in enumerate(months, 1):
            for name in names:
                key = name.casefold()
                if table.setdefault(key, number) != number:
                    raise RuleError(f"{where}: {name!r} is month {number} here and month "
                                    f"{table[key]} earlier in the file")
    return table
