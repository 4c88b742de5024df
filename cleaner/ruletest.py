"""Check a rule against its own pass/fail examples (used by the test suite and `cleaner rules test`)."""
from __future__ import annotations

from .engine import apply_rules
from .html import from_html
from .ingest import looks_like_html
from .model import Config, Document
from .pipeline import body_of
from .rules import Rule, RuleSet
from .segment import segment

# Detectors that read what an earlier detector decided run together with it.
PREREQUISITES = {"subtitle": ("title",)}
EXAMPLES = Config(max_removed_share=1.0)


def hits_of(rule: Rule, rules: RuleSet, text: str) -> tuple[list, str]:
    """Run one rule (plus its prerequisites) on an example; return its hits and the kept text.

    An example that is an HTML page is extracted first, as HTML input is (text and hints)."""
    needed = [r for r in rules.generic if r.detector in PREREQUISITES.get(rule.detector, ())]
    if looks_like_html(text):
        doc = from_html(Document(id=rule.id, text="", html=text))
        if doc.error:
            raise ValueError(f"{rule.id}: HTML example gives no text ({doc.error}): {text[:80]!r}")
    else:
        doc = Document(id=rule.id, text=text)
    doc = segment(doc)
    apply_rules(doc, rules, EXAMPLES, only=needed + [rule])
    return [h for h in doc.hits if h.rule is rule], body_of(doc)


def check_rule(rule: Rule, rules: RuleSet) -> list[str]:
    problems = []
    for example in rule.fails:
        hits, kept = hits_of(rule, rules, example)
        if not hits:
            problems.append(f"fail example not removed: {example[:80]!r}")
        elif rule.detector is None and kept.strip() and hits_of(rule, rules, kept)[0]:
            problems.append(f"fires again on what it left of: {example[:80]!r}")
    for example in rule.passes:
        hits, _ = hits_of(rule, rules, example)
        if hits:
            problems.append(f"pass example removed ({hits[0].rule.id}): {example[:80]!r}")
    return problems
