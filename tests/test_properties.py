"""Properties that hold for every article, checked on generated ones (hypothesis) and fixtures.

- lossless: body + removed spans give back the input (test_lossless.assert_lossless);
- idempotent: cleaning the body again, for the same outlet, removes nothing (unless the
  over-stripping guard kept the text, which the result says in `warnings`);
- every removed span names a rule that exists, under that rule's category;
- the record is valid JSON: `to_dict()` round-trips through json (and through the CLI's writer);
- no exception escapes `clean()` for any str; the JSONL reader turns any bytes into records.

Generated articles are paragraphs of sentences over a vocabulary full of the words the rules
look for, with noise lines taken from the rules' own `fail` examples (and, as body text that
must survive, their `pass` examples) dropped in anywhere.
"""
import io
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cleaner import Config, clean, load_rules
from cleaner.batch import dumps
from cleaner.ingest import jsonl_documents
from cleaner.pipeline import clean_document

from test_lossless import CASES, assert_lossless

RULES = load_rules()
NOISE = sorted({ex for rule in RULES.by_id.values() for ex in rule.fails})
NEWS = sorted({ex for rule in RULES.by_id.values() for ex in rule.passes})

# Fixed examples in CI (a red build must be reproducible), fresh ones on a developer's machine.
PROFILE = dict(deadline=None, derandomize=bool(os.environ.get("CI")), database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.filter_too_much])

WORDS = ("the minister said on Monday that talks would resume in Geneva after weeks of fighting "
         "near border officials told reporters a new deal was signed by both sides and police "
         "arrested two men Telegram channel WhatsApp group donation donate charity photo "
         "photograph credit copyright notice newsletter subscribers Reuters AFP AP join follow "
         "support journalism read more related undesirable organization RFE/RL exhibition "
         "court ruled by Sunday evening 2019 December 29 (AFP) - — : 'quoted' \"words\"").split()

word = st.sampled_from(WORDS)


@st.composite
def sentence(draw):
    ws = draw(st.lists(word, min_size=3, max_size=25))
    end = draw(st.sampled_from([".", ".", ".", "?", "!", ".\u201d", ""]))
    return ws[0][:1].upper() + ws[0][1:] + " " + " ".join(ws[1:]) + end


paragraph = st.lists(sentence(), min_size=1, max_size=4).map(" ".join)
short_line = st.lists(word, min_size=1, max_size=9).map(lambda ws: " ".join(ws).capitalize())


@st.composite
def articles(draw):
    """A title (maybe), then unique paragraphs with noise lines and short lines anywhere."""
    paras = draw(st.lists(paragraph, min_size=1, max_size=14, unique=True))
    for _ in range(draw(st.integers(0, 6))):
        extra = draw(st.one_of(st.sampled_from(NOISE), st.sampled_from(NEWS), short_line))
        paras.insert(draw(st.integers(0, len(paras))), extra)
    if draw(st.booleans()):
        paras.insert(0, draw(short_line))
    sep = draw(st.sampled_from(["\n\n", "\n", "\r\n", "\r\n\r\n", "\r", "\n \n"]))
    return sep.join(paras)


def assert_sound_record(result) -> None:
    """Rule ids exist with their category; the record survives json and the CLI's writer."""
    for r in result.removed:
        assert r.rule in RULES.by_id, f"unknown rule id {r.rule!r}"
        assert r.category == RULES.by_id[r.rule].category
    record = result.to_dict()
    assert json.loads(json.dumps(record, ensure_ascii=False)) == record
    assert json.loads(dumps(record)) == record


def assert_idempotent(result) -> None:
    if any("over-stripping guard" in w for w in result.warnings):
        return      # the text was kept on purpose, and a second run may decide otherwise
    again = clean(result.body, outlet=result.outlet)
    assert not again.removed, (f"second run removed "
                               f"{[(r.rule, r.text) for r in again.removed]} from {result.body!r}")


@settings(max_examples=150, **PROFILE)
@given(articles())
def test_generated_articles_are_lossless_and_sound(text):
    result = clean(text)
    assert result.error is None
    assert_lossless(text, result)
    assert_sound_record(result)


@settings(max_examples=120, **PROFILE)
@given(articles())
def test_generated_articles_clean_idempotently(text):
    assert_idempotent(clean(text))


@pytest.mark.parametrize("name,text", CASES, ids=[c[0] for c in CASES])
def test_fixture_articles_are_sound_and_clean_idempotently(name, text):
    result = clean(text)
    assert_sound_record(result)
    assert_idempotent(result)
    assert_lossless(text, clean(text, config=Config(outlet_rules=False)))


def test_a_headline_is_kept_when_a_second_run_would_take_another():
    # Taking headline and standfirst would leave a body whose first line reads like a headline
    # too, which a second run would take: so all three stay.
    text = ("Storm hits the coast\n\nThousands without power tonight\n\n"
            "Pictures from the flooded town\n\n"
            "The storm made landfall at dawn on Monday, forecasters said, and thousands of homes "
            "lost power across the region as rivers burst their banks.")
    result = clean(text)
    assert result.body.startswith("Storm hits the coast")
    assert_idempotent(result)


def test_lines_that_enter_the_head_once_others_go_are_cleaned_in_the_same_run():
    # Twelve caption lines above the byline push it out of the first 10 lines of the input.
    captions = "\n\n".join(["Photo: Reuters", "Advertisement"] * 6)
    story = "\n\n".join(f"The storm made landfall at dawn on Monday near town {n}, forecasters "
                          f"said, and thousands of homes lost power." for n in range(4))
    text = f"{captions}\n\nBy Jane Doe\n\n{story}"
    result = clean(text)
    assert result.byline == ("Jane Doe",)
    assert_idempotent(result)


# ----------------------------------------------------------------------------------- fuzzing
# Bounded runs (a few seconds): whatever the input, clean() returns a Result and never raises.

@settings(max_examples=600, **PROFILE)
@given(st.text(max_size=600))
def test_fuzz_clean_never_raises_on_any_text(text):
    result = clean(text)
    assert_sound_record(result)
    if result.error is None:
        assert_lossless(text, result)


noisy_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200) \
    | st.text(alphabet="\r\n\t \x00\x0b\x0c\x1c\x85\u2028\u00a0\ufeff<>&#;", max_size=50)


@settings(max_examples=150, **PROFILE)
@given(st.lists(st.one_of(
    st.fixed_dictionaries({"text": noisy_text}, optional={
        "id": st.one_of(st.text(max_size=5), st.integers(), st.none()),
        "url": st.one_of(st.text(max_size=30), st.integers()),
        "outlet": st.one_of(st.sampled_from(["reuters", "bbc", "nosuch", ""]), st.integers()),
        "html": st.one_of(st.none(), st.just("<html><body><p>Hi there.</p></body></html>")),
        "lang": st.text(max_size=3)}).map(lambda r: json.dumps(r).encode()),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.text(max_size=5), inner, max_size=3)
                 ).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=80),
), max_size=12))
def test_fuzz_jsonl_reader_gives_one_result_per_line(lines):
    data = b"\n".join(line.replace(b"\n", b" ") for line in lines) + b"\n"
    docs = list(jsonl_documents(io.BytesIO(data), "fuzz"))
    assert len(docs) == sum(1 for line in data.split(b"\n") if line.strip())
    rules = RULES
    for doc in docs:
        result = clean_document(doc, rules=rules)
        json.loads(dumps(result.to_dict()))


# Every white space character Python knows, line breaks included.
SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


@settings(max_examples=600, **PROFILE)
@given(st.text(alphabet=st.sampled_from(list(SPACES) + list("ab’é,")), max_size=60))
def test_lines_hold_the_words_and_characters_str_split_counts(text):
    """Line sizes read the max_words/solid bounds and word shares: counted by spaces when the
    text holds no other white space inside lines, they must still be what str.split() says."""
    assert_sizes_as_split(text)


@pytest.mark.parametrize("space", list(SPACES))
def test_each_white_space_character_separates_words_as_str_split_says(space):
    assert_sizes_as_split(f"one{space}two three")


def assert_sizes_as_split(text):
    from cleaner.segment import lines_of
    for line in lines_of(text):
        parts = line.text.split()
        assert (line.words, line.solid) == (len(parts), sum(map(len, parts))), line.text
