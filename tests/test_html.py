"""HTML input: trafilatura extracts, the same rules and metadata run, the same record comes out.

Pages and gold: fixtures/aeb/ (a sample of the article-extraction benchmark, MIT licence)."""
import json
import re
from collections import Counter

import pytest
from click.testing import CliRunner

from cleaner.cli import main
from cleaner.ingest import document_from_record
from cleaner.pipeline import clean_document

from conftest import ROOT

AEB = ROOT / "fixtures" / "aeb"
GOLD = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))


def shingles(text):
    tokens = re.findall(r"\w+", text or "")
    return Counter(tuple(tokens[i:i + 4]) for i in range(max(1, len(tokens) - 3)))


def precision_recall(gold, pred):
    g, p = shingles(gold), shingles(pred)
    tp = sum((g & p).values())
    return tp / max(1, sum(p.values())), tp / max(1, sum(g.values()))


@pytest.fixture(scope="module")
def results():
    out = {}
    for pid, item in GOLD.items():
        html = (AEB / f"{pid}.html").read_text(encoding="utf-8")
        doc = document_from_record(pid, {"id": pid, "html": html, "url": item["url"]})
        out[pid] = clean_document(doc)
    return out


@pytest.mark.parametrize("pid", sorted(GOLD))
def test_html_body_is_at_least_as_clean_as_bare_trafilatura(pid, results):
    import trafilatura

    html = (AEB / f"{pid}.html").read_text(encoding="utf-8")
    bare = trafilatura.extract(html, url=GOLD[pid]["url"]) or ""
    ours = results[pid]
    assert ours.error is None
    p_ours, r_ours = precision_recall(GOLD[pid]["articleBody"], ours.body)
    p_bare, _ = precision_recall(GOLD[pid]["articleBody"], bare)
    assert p_ours >= p_bare
    assert r_ours >= 0.9


def test_html_metadata_and_outlet_from_the_url(results):
    ap = results["e7994d5500875202d93e736e8f0c8a0436107d10add94ce3789001b8c5c32358"]
    assert ap.outlet == "AP" and ap.agencies == ("AP",) and ap.dateline == "LONDON"
    assert ap.title.startswith("UK Tories under fire")
    assert ap.published.startswith("2019-11-")
    aj = results["7916ecca969ffdd8f6fc32d171fbe0dd63db40fe4c1d2ade02b1dec5929a162f"]
    assert aj.outlet == "Al Jazeera"
    dn = results["7de5241947a5f7147fe9787c6f6fa16685bfe66e6c35510a68780f27690dc4f0"]
    assert dn.byline == ("Tom Davies",)
    for result in results.values():
        assert result.provenance["title"] in ("input", "generic.metadata.title")


def test_html_files_and_jsonl_html_records_through_the_cli(tmp_path):
    pid = "e7994d5500875202d93e736e8f0c8a0436107d10add94ce3789001b8c5c32358"
    html = (AEB / f"{pid}.html").read_text(encoding="utf-8")
    src = tmp_path / "pages.jsonl"
    src.write_text(json.dumps({"id": "p1", "html": html, "url": GOLD[pid]["url"], "crawl": 7}) + "\n",
                   encoding="utf-8")
    runner = CliRunner()
    from_jsonl = json.loads(runner.invoke(main, ["clean", str(src)]).stdout)
    from_file = json.loads(runner.invoke(main, ["clean", str(AEB / f"{pid}.html")]).stdout)
    assert from_jsonl["crawl"] == 7 and from_jsonl["outlet"] == "AP"
    assert from_file["body"] == from_jsonl["body"]      # the canonical link gives the same outlet
    for removal in from_file["removed"]:
        assert removal["text"] and removal["start"] < removal["end"]


@pytest.fixture
def fast_modes(monkeypatch):
    """The `fast` argument of every trafilatura.bare_extraction call, in order."""
    import trafilatura

    seen = []
    real = trafilatura.bare_extraction

    def spy(*args, **kwargs):
        seen.append(kwargs.get("fast"))
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    return seen


@pytest.mark.parametrize("fallback", [True, False])
def test_html_fallback_option_reaches_trafilatura(fallback, fast_modes):
    """--no-html-fallback (Config.html_fallback=False) runs trafilatura in its fast mode,
    without the fallback extractors; by default trafilatura may use them."""
    from cleaner.model import Config

    pid, item = next(iter(GOLD.items()))
    html = (AEB / f"{pid}.html").read_text(encoding="utf-8")
    doc = document_from_record(pid, {"id": pid, "html": html, "url": item["url"]})
    result = clean_document(doc, Config(html_fallback=fallback))
    assert fast_modes == [not fallback]
    assert not result.error and len(result.body.split()) > 100


def test_no_html_fallback_on_the_command_line(tmp_path, fast_modes):
    pid, item = next(iter(GOLD.items()))
    page = tmp_path / "page.html"
    page.write_text((AEB / f"{pid}.html").read_text(encoding="utf-8"), encoding="utf-8")
    out = CliRunner().invoke(main, ["clean", "--workers", "1", "--no-html-fallback", str(page)],
                             catch_exceptions=False)
    assert out.exit_code == 0 and fast_modes == [True]
    record = json.loads(out.output)
    assert not record.get("error") and len(record["body"].split()) > 100
