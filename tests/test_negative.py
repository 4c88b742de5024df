"""Negative corpus (ftfy's habit): news stories about the very things the rules strip.

fixtures/negative/*.txt are whole articles (title, byline and date lines first, then the story)
about a militia's Telegram channel, a charity's donation drive, RFE/RL declared undesirable, a
photographer's exhibition, the newsletter business, a court case over copyright notices, a
police social-media appeal, a strike at a news agency, and a town's flood appeal and reprinted
memoir (prose that says 'please donate', 'first ran in The New Yorker', 'updates on WhatsApp'). Cleaning one may take its three
header lines as metadata, and nothing else: every paragraph of the story stays, word for word,
with the generic packs and with every outlet pack forced onto it.
"""
from pathlib import Path

import pytest

from cleaner import clean, load_rules

from conftest import ROOT

ARTICLES = sorted((ROOT / "fixtures" / "negative").glob("*.txt"))
HEADER_LINES = 3        # title, byline, date
PACKS = [None] + [pack.slug for pack in load_rules().outlets]


def split(text: str) -> tuple[list[str], list[str]]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[:HEADER_LINES], lines[HEADER_LINES:]


def test_the_corpus_is_there():
    assert len(ARTICLES) >= 6
    for path in ARTICLES:
        assert 300 <= len(path.read_text(encoding="utf-8").split()) <= 700, path.name


@pytest.mark.parametrize("outlet", PACKS, ids=[p or "generic" for p in PACKS])
@pytest.mark.parametrize("path", ARTICLES, ids=[p.stem for p in ARTICLES])
def test_a_story_about_noise_loses_nothing(path: Path, outlet):
    text = path.read_text(encoding="utf-8")
    header, story = split(text)
    result = clean(text, outlet=outlet)
    header_end = text.index(header[-1]) + len(header[-1])
    wrong = [(r.rule, r.text[:80]) for r in result.removed
             if r.category != "metadata" or r.start >= header_end]
    assert not wrong, f"removed from the story: {wrong}"
    assert result.body.split("\n\n")[-len(story):] == story
    assert not result.warnings


@pytest.mark.parametrize("path", ARTICLES, ids=[p.stem for p in ARTICLES])
def test_its_header_becomes_metadata(path: Path):
    header, _ = split(path.read_text(encoding="utf-8"))
    result = clean(path.read_text(encoding="utf-8"))
    assert result.title == header[0]
    assert result.byline == (header[1].removeprefix("By "),)
    assert result.published and result.agencies == () and result.photo_credits == ()
