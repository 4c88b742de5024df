"""Every inline pass/fail example of every rule is a test (ids: <rule>-pass-N / <rule>-fail-N)."""
import pytest

from cleaner import load_rules
from cleaner.ruletest import hits_of

RULES = load_rules()
CASES = [(rule.id, kind, n, text)
         for rule in RULES.by_id.values()
         for kind, examples in (("pass", rule.passes), ("fail", rule.fails))
         for n, text in enumerate(examples)]


@pytest.mark.parametrize("rule_id,kind,n,text", CASES,
                         ids=[f"{r}-{k}-{n}" for r, k, n, _ in CASES])
def test_example(rule_id, kind, n, text):
    rule = RULES.by_id[rule_id]
    hits, kept = hits_of(rule, RULES, text)
    if kind == "pass":
        assert not hits, f"{rule_id} removed {[text[h.start:h.end] for h in hits]} from a pass example"
    else:
        assert hits, f"{rule_id} removed nothing from its fail example"
        if rule.detector is None and kept.strip():
            again, _ = hits_of(rule, RULES, kept)
            assert not again, f"{rule_id} fires again on its own output {kept!r}"


def test_every_rule_has_both_kinds_of_example():
    for rule in RULES.by_id.values():
        assert rule.passes and rule.fails, rule.id
