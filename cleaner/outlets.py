"""Choose the outlet: forced, else from the URL, else from fingerprints in the text, else none."""
from __future__ import annotations

from urllib.parse import urlsplit

import regex

from .limits import DocumentTimeout, deadline as deadline_in, remaining
from .model import Config, Document
from .prefilter import fingerprints_of, fold
from .rules import OutletPack, RuleError, RuleSet

# Fingerprints are written for '\n' lines ('(?m)^Source: ...$'); every newline style counts.
_BREAKS = regex.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85]")
# Labels of bounded length: '[a-z0-9.-]+\.[a-z]{2,}' backtracked quadratically on 'https://a.a.a...'.
_URL_HOST = regex.compile(r"https?://(?:www\.)?((?:[a-z0-9-]{1,63}\.){1,10}[a-z]{2,24})",
                          regex.IGNORECASE)


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:          # not a URL ('[', 'http://[::1'): no host to go by
        return None
    return host.lower().removeprefix("www.") or None


def by_host(host: str | None, rules: RuleSet) -> OutletPack | None:
    if not host:
        return None
    found = rules.packs_of_host(host)
    return rules.outlets[min(found)] if found else None


def choose(doc: Document, rules: RuleSet, config: Config) -> tuple[OutletPack | None, str]:
    """Return the pack and how it was chosen ('forced', 'url', 'fingerprint' or '')."""
    if config.outlet:
        pack = rules.outlet(config.outlet)
        if pack is None:
            raise RuleError(f"unknown outlet {config.outlet!r} (see 'cleaner rules list --outlets')")
        return pack, "forced"
    if doc.outlet_hint:     # a record's own field: data, so a bad value is a warning, not a stop
        pack = rules.outlet(doc.outlet_hint)
        if pack is not None:
            return pack, "forced"
        doc.warnings.append(f"unknown outlet {doc.outlet_hint!r} given with the record; "
                            f"chose the outlet from the text instead")
    pack = by_host(host_of(doc.url or doc.hints.get("url")), rules)
    if pack is not None:
        return pack, "url"
    text = doc.text
    if any(c in text for c in "\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85"):   # cheaper than sub
        text = _BREAKS.sub("\n", text)
    deadline = deadline_in(config.timeout)     # fingerprints are patterns too: bounded
    try:
        hosts = {m.lower() for m in _URL_HOST.findall(text, timeout=remaining(deadline))} \
            if "://" in text else set()
        # a fingerprint whose required literals are absent is skipped
        matched = {f for f in fingerprints_of(rules).possible(fold(text))
                   if f.search(text, timeout=remaining(deadline))}
    except TimeoutError:
        raise DocumentTimeout() from None
    if not matched and not hosts:
        return None, ""
    votes_of = {pack.slug: sum(1 for f in pack.fingerprints if f in matched)
                for pack in rules.outlets}
    for h in hosts:             # a link to an outlet's own site is one vote for it
        for k in rules.packs_of_host(h):
            votes_of[rules.outlets[k].slug] += 1
    best, best_key = None, (0, 0)
    for pack in rules.outlets:
        votes = votes_of[pack.slug]
        key = (votes, 0 if pack.wire else 1)
        if votes and key > best_key:
            best, best_key = pack, key
    return best, ("fingerprint" if best else "")
