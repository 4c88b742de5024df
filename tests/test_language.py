"""Language packs read the articles that may be in their language: an article clearly in
another language is not searched with them, an unclear one gets every pack, and a user can
name the packs instead."""
import json

import pytest
from click.testing import CliRunner

from cleaner import Config, RuleError, clean
from cleaner.cli import main
from cleaner.language import likely
from cleaner.model import Document
from cleaner.rules import load_rules
from cleaner.segment import segment

from conftest import ROOT, SEEDS, rule_tree

ARTICLES = ROOT / "fixtures" / "languages"
# Each article holds one read-more line in its own language, and nothing else to remove but
# its headline.
OWN = {"it_article.txt": ("it", "generic.it.read-more"),
       "de_article.txt": ("de", "generic.de.read-more"),
       "ru_article.txt": ("ru", "generic.ru.read-more")}
ENGLISH_WITH_ITALIAN = (ARTICLES / "en_article_italian_line.txt").read_text(encoding="utf-8")
ITALIAN_LINE = "Leggi anche: Bilancio, la giunta presenta la manovra per il prossimo anno"


def judged(text: str):
    return likely(segment(Document(id="t", text=text)), load_rules())


def rules_removed(text: str, **config) -> list[str]:
    return [r.rule for r in clean(text, config=Config(**config)).removed]


@pytest.mark.parametrize("name", sorted(OWN))
def test_an_article_is_read_with_the_pack_of_its_language(name):
    text = (ARTICLES / name).read_text(encoding="utf-8")
    language, rule = OWN[name]
    assert language in judged(text)
    assert rule in rules_removed(text)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_english_articles_are_read_with_no_language_pack(path):
    assert judged(path.read_text(encoding="utf-8")) == frozenset()


def test_a_line_of_another_language_in_an_english_article_is_left_to_the_user():
    assert ITALIAN_LINE in ENGLISH_WITH_ITALIAN
    assert judged(ENGLISH_WITH_ITALIAN) == frozenset()
    assert ITALIAN_LINE in clean(ENGLISH_WITH_ITALIAN).body
    for languages in ({"all"}, {"it"}):
        result = clean(ENGLISH_WITH_ITALIAN, config=Config(languages=frozenset(languages)))
        assert ITALIAN_LINE not in result.body
        assert "generic.it.read-more" in [r.rule for r in result.removed]


def test_naming_languages_leaves_out_the_other_packs():
    text = (ARTICLES / "it_article.txt").read_text(encoding="utf-8")
    assert "generic.it.read-more" not in rules_removed(text, languages=frozenset({"de"}))


@pytest.mark.parametrize("text", [
    "Leggi anche: Bilancio, la giunta presenta la manovra",      # too few words to judge
    "Foto: ANSA\n\nRoma, 20 novembre 2019",
    # a language without a word list: no list is clearly ahead
    "Mudah-mudahan kita bisa memahami dan mengamalkan ajaran ini dengan baik. " * 12,
])
def test_an_unclear_language_gets_every_pack(text):
    assert judged(text) is None


def test_a_short_article_in_a_pack_language_is_still_cleaned_by_it():
    assert rules_removed("Tempo di lettura: 3 minuti\n\nIl sindaco ha firmato l'ordinanza.") \
        == ["generic.it.reading-time"]


def test_an_unknown_language_is_refused_before_any_record():
    with pytest.raises(RuleError, match="no language pack for xx"):
        clean("text", config=Config(languages=frozenset({"xx"})))
    result = CliRunner().invoke(main, ["clean", "--language", "it,xx", str(SEEDS[0])])
    assert result.exit_code != 0 and "no language pack for xx" in result.output


def test_the_cli_language_option():
    path = str(ARTICLES / "en_article_italian_line.txt")
    for args, removed in (((), False), (("--language", "all"), True),
                          (("--language", "de", "--language", "it"), True)):
        result = CliRunner().invoke(main, ["clean", *args, path], catch_exceptions=False)
        rules = [r["rule"] for r in json.loads(result.stdout)["removed"]]
        assert ("generic.it.read-more" in rules) is removed, args


PACK = '''
[pack]
language = "{lang}"

[[rule]]
id = "generic.test.buy"
category = "promo"
description = "test rule"
pattern = '^Compra ora$'
pass = ["Compra ora e paga dopo, ha detto."]
fail = ["Compra ora"]
'''


def test_a_pack_language_needs_a_word_list(tmp_path):
    tree = rule_tree(tmp_path, {"a.toml": PACK.format(lang="nl")})
    with pytest.raises(RuleError, match=r"a\.toml: \[pack\] language 'nl' has no word list"):
        load_rules(tree)
    tree2 = rule_tree(tmp_path / "ok", {"a.toml": PACK.format(lang="it")})
    rules = load_rules(tree2)
    assert rules.by_id["generic.test.buy"].language == "it" and rules.languages == ("it",)


@pytest.mark.parametrize("table, message", [
    ('[it]\nwords = ["Il"]', "lower-case words"),
    ('[it]\nwords = ["il", "il"]', "'il' is listed twice"),
    ('[it]\nparole = ["il"]', "unknown key"),
])
def test_a_malformed_word_list_is_refused(tmp_path, table, message):
    tree = rule_tree(tmp_path)
    (tree / "vocab" / "languages.toml").write_text(table, encoding="utf-8")
    with pytest.raises(RuleError, match=message):
        load_rules(tree)


# Judged English on its 55 words of prose; the newsletter line goes, and what is left is too
# little prose to judge: a second run would read it with every pack.
SHRINKS = """A powerful storm hit the Gulf Coast on Wednesday, cutting power to thousands of homes along the shore.

Roads were closed across three counties.

Schools will stay shut until Friday.

Crews worked through the night there.

Shelters opened in two nearby towns.

CONTINUA DEPOIS DA PUBLICIDADE

Sign up for our free morning newsletter to get the latest news, analysis and opinion from our reporters delivered straight to your inbox every weekday before breakfast, and never miss a story."""


def test_cleaning_the_body_again_brings_in_no_pack_the_first_run_left_out():
    assert judged(SHRINKS) == frozenset()
    result = clean(SHRINKS)
    assert judged(result.body) is None
    assert "generic.pt.advertisement" in [r.rule for r in result.removed]
    assert clean(result.body).removed == ()
