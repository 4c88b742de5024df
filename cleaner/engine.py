"""Apply rules to a segmented document: outlet rules and generic rules, then detectors.

Pattern rules run phase by phase (chrome, legal, donation, promo, related, caption, metadata),
the outlet's rules before the generic ones in each phase; a removed line is not looked at again.
Then the detectors run over what is left. Finally the over-stripping guard checks the share of
words removed and, past the limit, keeps the text and says so in a warning.
"""
from __future__ import annotations

import time
from collections import Counter

from .detectors import DETECTORS
from .metadata import agencies_in
from .model import Config, Document, Hit, Line
from .prefilter import for_document
from .rules import PHASES, Rule, RuleSet
from .segment import words


class DocumentTimeout(Exception):
    """Pattern matching on one document went past the configured time limit."""


class _View:
    """The state detectors read (see detectors.View)."""

    def __init__(self, doc: Document, head_lines: int):
        self.doc = doc
        self.lines: list[Line] = doc.lines
        self.removed: dict[int, Rule] = {}
        self.head_lines = head_lines

    def rule_of(self, index: int) -> Rule | None:
        return self.removed.get(index)


def rules_for(doc: Document, rules: RuleSet, config: Config) -> list[Rule]:
    """The pattern rules that apply to this document, in the order they run."""
    chosen = list(rules.generic)
    if doc.outlet is not None and config.outlet_rules:
        chosen.extend(doc.outlet.rules)
    chosen = [r for r in chosen if r.pattern is not None and rules.enabled(r, config.disable)]
    chosen.sort(key=lambda r: (PHASES[r.category], r.outlet is None))
    return chosen


def detectors_for(rules: RuleSet, config: Config) -> list[Rule]:
    order = list(DETECTORS)
    found = [r for r in rules.generic if r.detector and rules.enabled(r, config.disable)]
    return sorted(found, key=lambda r: order.index(r.detector))


def apply_rules(doc: Document, rules: RuleSet, config: Config,
                only: list[Rule] | None = None) -> Document:
    """Fill `doc.hits`. `only` restricts the run to the given rules (used by rule tests)."""
    view = _View(doc, config.head_lines)
    lines = doc.lines
    n = len(lines)
    deadline = time.monotonic() + config.timeout
    spans: dict[int, list[tuple[int, int]]] = {}
    pattern_rules = [r for r in only if r.pattern is not None] if only is not None \
        else rules_for(doc, rules, config)
    # which lines hold one of each rule's required literals (rules absent: all lines)
    maybe = for_document(rules, doc.outlet).candidates(doc.text, lines)
    for rule in pattern_rules:
        candidates = maybe.get(rule.id)
        if candidates is not None and not candidates:
            continue                # no line holds one of the rule's required literals
        for line in _scope(rule, lines, config):
            if line.index in view.removed:
                continue
            if candidates is not None and line.index not in candidates:
                continue        # holds none of the rule's required literals
            if rule.max_words and words(line.text) > rule.max_words:
                continue
            for m in _matches(rule, line, deadline):
                groups = {k: v for k, v in m.groupdict().items() if v}
                if not _context_ok(rule, lines, line.index, deadline) or not _required(rule, groups, rules):
                    continue
                if rule.unit == "line":
                    _remove_line(view, spans, rule, line, groups)
                    if rule.extend == "to_end":
                        for later in lines[line.index + 1:]:
                            if later.index not in view.removed:
                                _remove_line(view, spans, rule, later, {})
                    break
                start, end = line.start + m.start(), line.start + m.end()
                if start == end or any(s < end and start < e for s, e in spans.get(line.index, ())):
                    continue
                spans.setdefault(line.index, []).append((start, end))
                doc.hits.append(Hit(rule, line.index, start, end, groups))
                if _covered(line, spans[line.index], doc.text):
                    view.removed[line.index] = rule
    detector_rules = [r for r in only if r.detector] if only is not None \
        else detectors_for(rules, config)
    for rule in detector_rules:
        for index in DETECTORS[rule.detector](view):
            if index not in view.removed:
                _remove_line(view, spans, rule, lines[index], {})
    if n and only is None:
        _guard(doc, config)
    doc.hits.sort(key=lambda h: h.start)
    return doc


def _scope(rule: Rule, lines: list[Line], config: Config) -> list[Line]:
    if rule.where == "head":
        return lines[:config.head_lines]
    if rule.where == "tail":
        return lines[max(0, len(lines) - config.tail_lines):]
    return lines


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise DocumentTimeout()
    return left


def _matches(rule: Rule, line: Line, deadline: float):
    try:
        if rule.unit == "line":
            m = rule.pattern.search(line.text, timeout=_remaining(deadline))
            return [m] if m else []
        return list(rule.pattern.finditer(line.text, timeout=_remaining(deadline)))
    except TimeoutError:
        raise DocumentTimeout() from None


def _context_ok(rule: Rule, lines: list[Line], i: int, deadline: float) -> bool:
    try:
        if rule.next is not None and (i + 1 >= len(lines) or not rule.next.search(
                lines[i + 1].text, timeout=_remaining(deadline))):
            return False
        if rule.prev is not None and (i == 0 or not rule.prev.search(
                lines[i - 1].text, timeout=_remaining(deadline))):
            return False
    except TimeoutError:
        raise DocumentTimeout() from None
    return True


def _required(rule: Rule, groups: dict[str, str], rules: RuleSet) -> bool:
    for name in rule.require:
        value = groups.get(name)
        if not value or (name == "agencies" and not agencies_in(value, rules)):
            return False
    return True


def _remove_line(view: _View, spans: dict, rule: Rule, line: Line, groups: dict) -> None:
    """Remove what is left of a line (all of it, or the gaps between earlier spans)."""
    view.removed[line.index] = rule
    taken = sorted(spans.get(line.index, ()))
    cursor = line.start
    pieces = []
    for s, e in taken + [(line.end, line.end)]:
        if s > cursor:
            pieces.append((cursor, s))
        cursor = max(cursor, e)
    for s, e in pieces:
        text = view.doc.text[s:e]
        lead = len(text) - len(text.lstrip())
        trail = len(text) - len(text.rstrip())
        if e - trail > s + lead:
            view.doc.hits.append(Hit(rule, line.index, s + lead, e - trail, groups))
    spans[line.index] = [(line.start, line.end)]


def _covered(line: Line, taken: list[tuple[int, int]], text: str) -> bool:
    left = list(text[line.start:line.end])
    for s, e in taken:
        for k in range(s - line.start, e - line.start):
            left[k] = " "
    return not "".join(left).strip()


def _guard(doc: Document, config: Config) -> None:
    """Over-stripping guard: past the share limit, keep the text and warn (never silently)."""
    total = words(doc.text)
    if not total:
        return
    content = [h for h in doc.hits if h.rule.category != "metadata"]
    gone = sum(words(doc.text[h.start:h.end]) for h in content)
    if gone / total <= config.max_removed_share:
        return
    counts = Counter(h.rule.id for h in content)
    named = ", ".join(f"{rid} x{c}" if c > 1 else rid for rid, c in counts.most_common())
    doc.warnings.append(
        f"over-stripping guard: rules would remove {gone / total:.0%} of the words "
        f"(limit {config.max_removed_share:.0%}); kept that text. Rules involved: {named}")
    doc.hits = [h for h in doc.hits if h.rule.category == "metadata"]
