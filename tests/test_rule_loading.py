"""A broken rule tree is refused as a whole, with a message naming the file and the rule."""
from pathlib import Path

import pytest

from cleaner import Config, RuleError, clean
from cleaner.rules import load_rules

from conftest import rule_tree

GOOD = '''
[[rule]]
id = "generic.test.{n}"
category = "promo"
description = "test rule"
unit = "line"
pattern = '^Buy now$'
pass = ["We buy now and pay later, she said."]
fail = ["Buy now"]
'''


@pytest.fixture
def tree(tmp_path):
    return rule_tree(tmp_path)


def write(tree: Path, name: str, text: str) -> Path:
    path = tree / "generic" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_tree_loads(tree):
    write(tree, "a.toml", GOOD.format(n=1))
    assert "generic.test.1" in load_rules(tree).by_id


def test_duplicate_id_names_both_files(tree):
    write(tree, "a.toml", GOOD.format(n=1))
    write(tree, "b.toml", GOOD.format(n=1))
    with pytest.raises(RuleError, match=r"duplicate rule id 'generic.test.1'.*a\.toml.*b\.toml"):
        load_rules(tree)


@pytest.mark.parametrize("change,message", [
    (("pattern = '^Buy now$'", "pattern = '^Buy (now$'"), "does not compile"),
    (('category = "promo"', 'category = "spam"'), "unknown category 'spam'"),
    (('pass = ["We buy now and pay later, she said."]', ""), "needs at least one 'pass'"),
    (('unit = "line"', 'unit = "word"'), "unit must be one of"),
    (("pattern = '^Buy now$'", "pattern = '^(?P<nonsense>Buy) now$'"), "unknown named group"),
    (('unit = "line"', 'unit = "span"\nwhere = "tail"\nextend = "to_end"'), "to_end"),
    (("pattern = '^Buy now$'", "pattern = '^Buy now$'\nunless = '(said'"), "unless does not compile"),
    (("pattern = '^Buy now$'", "detector = 'title'\nunless = 'said'"), "'unless' needs a 'pattern'"),
])
def test_bad_rule_is_refused_with_file_and_rule(tree, change, message):
    old, new = change
    path = write(tree, "a.toml", GOOD.format(n=1).replace(old, new, 1))
    with pytest.raises(RuleError) as err:
        load_rules(tree)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_malformed_toml_names_the_file(tree):
    path = write(tree, "a.toml", "[[rule]\nid = ")
    with pytest.raises(RuleError, match="not valid TOML") as err:
        load_rules(tree)
    assert str(path) in str(err.value)


def test_unknown_disable_is_an_error_not_a_noop():
    with pytest.raises(RuleError, match="generic.promo.telegramm"):
        clean("Some text.", config=Config(disable=frozenset({"generic.promo.telegramm"})))


def test_disable_by_category_keeps_those_lines():
    text = "Storm hits coast\n\nThe storm hit the coast on Monday, officials said.\n\nFollow us on Twitter for the latest news."
    assert "Follow us on Twitter" not in clean(text).body
    assert "Follow us on Twitter" in clean(text, config=Config(disable=frozenset({"promo"}))).body


def test_unless_keeps_a_line_that_holds_it(tree):
    """`unless`: a line the pattern matches stays when the unless pattern is found anywhere in
    it (reported speech about the noise, say); its pass example is checked like any other."""
    write(tree, "a.toml", GOOD.format(n=1).replace(
        "pattern = '^Buy now$'", "pattern = '(?i)^buy now\\b.*'\nunless = '(?i)\\bsaid\\b'").replace(
        'pass = ["We buy now and pay later, she said."]', 'pass = ["Buy now or regret it, he said."]'))
    config = Config(rules_dir=tree)
    assert clean("Storm hits coast\n\nBuy now and save.", config=config).removed
    assert not clean("Storm hits coast\n\nBuy now or never, she said.", config=config).removed
    rule = load_rules(tree).by_id["generic.test.1"]
    assert rule.unless.pattern == "(?i)\\bsaid\\b"


@pytest.mark.parametrize("text,message", [
    ('[fr]\nmonths = [["janvier"]]', "months must list 12 months"),
    ('[fr]\nmois = []', "unknown key(s) in [fr]: mois"),
    ('[fr]\nmonths = [' + ', '.join('["m%s"]' % c for c in "abcdefghijk") + ', ["dec"]]\n'
     '[xx]\nmonths = [["dec"]' + ', ["x%s"]' * 11 % tuple("abcdefghijk") + ']',
     "'dec' is month 1 here and month 12 earlier in the file"),
    ('[fr]\nmonths = [["1er"]' + ', ["x"]' * 11 + ']', "letters only"),
])
def test_a_bad_month_vocabulary_is_refused_with_its_file(tree, text, message):
    path = tree / "vocab" / "months.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_rules(tree)
    assert message in str(err.value) and str(path) in str(err.value)


def test_without_a_month_vocabulary_english_dates_are_still_read(tree):
    (tree / "vocab" / "months.toml").unlink()
    write(tree, "a.toml", GOOD.format(n=1))
    assert load_rules(tree).months == {}
    from cleaner.metadata import iso_date
    assert iso_date("30 December 2019", load_rules(tree)) == "2019-12-30"
