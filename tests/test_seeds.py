"""Acceptance: the five bundled seeds come out exactly as fixtures/seeds/*.json says."""
import re

import pytest

from cleaner import Config, clean

from conftest import GOLD, SEEDS


def norm(text):
    return re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip()


def paragraphs(body):
    return [norm(p) for p in re.split(r"\n+", body) if norm(p)]


@pytest.fixture(scope="module", params=SEEDS, ids=[p.name for p in SEEDS])
def seed(request):
    path = request.param
    return GOLD[path.name], clean(path.read_text(encoding="utf-8"), id=str(path))


def test_body_is_exactly_the_article(seed):
    gold, result = seed
    either = {norm(e["text"]) for e in gold["either"]}
    assert [p for p in paragraphs(result.body) if p not in either] == [norm(p) for p in gold["body"]]


def test_every_noise_span_is_recorded_under_its_category(seed):
    gold, result = seed
    for item in gold["removed"]:
        want = norm(item["text"])
        hits = [r for r in result.removed if want in norm(r.text) or norm(r.text) in want]
        assert hits, f"no removal recorded for {want[:60]!r}"
        if item["category"] != "metadata":
            assert item["category"] in {r.category for r in hits}, want[:60]


@pytest.mark.parametrize("field", ["title", "subtitle", "dateline", "source_url"])
def test_text_fields(seed, field):
    gold, result = seed
    assert norm(getattr(result, field)) == norm(gold[field])


def test_people_and_agencies(seed):
    gold, result = seed
    assert [n.lower() for n in result.byline] == [n.lower() for n in gold["byline"]]
    assert sorted(a.lower() for a in result.agencies) == sorted(a.lower() for a in gold["agencies"])
    assert sorted(c.lower() for c in result.photo_credits) == sorted(c.lower() for c in gold["photo_credits"])
    assert (result.outlet or "").lower() == gold["outlet"].lower()
    if gold["published"]:
        assert result.published.startswith(gold["published"])
    else:
        assert result.published is None


GENERIC = Config(outlet_rules=False)


def test_generic_packs_alone_remove_appeal_captions_and_promo():
    texts = {p.name: clean(p.read_text(encoding="utf-8"), config=GENERIC) for p in SEEDS}
    st = texts["000_27ace26758d9f550.txt"]
    assert "Telegram" not in st.body and "PHOTO: REUTERS" not in st.body
    lh = texts["001_ebd9469e33fd7976.txt"]
    for gone in ("Support Independent Journalism Today", "Click Below to Donate",
                 "(AFP/File photo)", "Paul Knaggs"):
        assert gone not in lh.body
    assert "(photo credit: REUTERS)" not in texts["002_e1434c254b5792b8.txt"].body


def test_byline_never_comes_from_an_appeal():
    lh = clean(SEEDS[1].read_text(encoding="utf-8"))
    assert "Paul Knaggs" not in " ".join(lh.byline)


def test_agencies_never_come_from_story_mentions_or_photo_credits():
    text = ("Storm hits coast\n\nThe storm hit the coast, officials told Reuters on Monday.\n\n"
            "A flooded street in Miami. PHOTO: AFP\n\nMore rain is expected, according to AP.")
    result = clean(text)
    assert result.agencies == ()
    assert result.photo_credits == ("AFP",)
