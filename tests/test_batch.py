"""Batch runs at corpus scale: workers, order, failure isolation, compressed I/O, WARC, resume."""
import gzip
import io
import json
import os
import time

import pytest
import zstandard
from click.testing import CliRunner

from cleaner import batch
from cleaner.batch import run
from cleaner.cli import main
from cleaner.model import Config

from conftest import SEEDS

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]


def corpus(n: int, bad_every: int = 0) -> list[bytes]:
    """n JSONL lines cycling over the seeds; with bad_every, a broken line every so often."""
    lines = []
    for i in range(n):
        if bad_every and i % bad_every == 3:
            lines.append(b'{"id": "broken-%d", "text": ' % i)      # malformed JSON
        elif bad_every and i % bad_every == 5:
            lines.append(json.dumps({"id": f"empty-{i}", "text": " "}).encode())
        else:
            lines.append(json.dumps({"id": f"doc-{i}", "text": SEED_TEXTS[i % len(SEED_TEXTS)],
                                     "n": i}).encode())
    return lines


def write(path, lines: list[bytes]):
    data = b"\n".join(lines) + b"\n"
    if str(path).endswith(".gz"):
        data = gzip.compress(data)
    elif str(path).endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def read(path) -> list[dict]:
    data = path.read_bytes()
    if str(path).endswith(".gz"):
        data = gzip.decompress(data)
    elif str(path).endswith(".zst"):
        data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data),
                                                          read_across_frames=True).read()
    return [json.loads(line) for line in data.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """150 records (three batches), a bad one now and then; cleaned once with 1 worker."""
    tmp = tmp_path_factory.mktemp("mixed")
    src = write(tmp / "in.jsonl", corpus(150, bad_every=40))
    out = tmp / "one.jsonl"
    summary = run([str(src)], Config(), output=str(out), workers=1)
    return src, out, summary


def test_two_workers_give_the_same_records_in_the_same_order(mixed, tmp_path):
    src, one, _ = mixed
    two = tmp_path / "two.jsonl"
    run([str(src)], Config(), output=str(two), workers=2)
    assert two.read_bytes() == one.read_bytes()


def test_records_in_equal_records_out_with_bad_records_mixed_in(mixed):
    _, out, summary = mixed
    recs = read(out)
    assert len(recs) == 150 == summary.documents
    errors = [r for r in recs if "error" in r]
    assert summary.errors == len(errors) == 8
    assert {r["id"].rsplit(":", 1)[-1] for r in errors if "malformed" in r["error"]} == {"4", "44", "84", "124"}
    good = [r for r in recs if "error" not in r]
    assert all(r["body"] and r["n"] == int(r["id"].split("-")[1]) for r in good)


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_compressed_input_and_output(mixed, tmp_path, suffix):
    _, one, _ = mixed
    src = write(tmp_path / f"in.jsonl{suffix}", corpus(150, bad_every=40))
    out = tmp_path / f"out.jsonl{suffix}"
    run([str(src)], Config(), output=str(out), workers=1)
    head = out.read_bytes()[:4]
    assert head.startswith(b"\x1f\x8b") if suffix == ".gz" else head == b"\x28\xb5\x2f\xfd"
    got = read(out)
    want = read(one)
    for r in got + want:   # the fallback id of a malformed line names its file
        r["id"] = r["id"].rsplit(":", 1)[-1] if "malformed" in r.get("error", "") else r["id"]
    assert got == want


def test_stdin_jsonl_is_streamed(tmp_path):
    data = b"\n".join(corpus(3)) + b"\n"
    result = CliRunner().invoke(main, ["clean", "--workers", "1", "-"], input=data)
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == ["doc-0", "doc-1", "doc-2"]


def test_resume_skips_done_ids_and_appends(tmp_path):
    lines = corpus(10)
    src = write(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    run([str(write(tmp_path / "first.jsonl", lines[:4]))], Config(), output=str(out), workers=1)
    with open(out, "ab") as fh:            # an interrupted run left half a record behind
        fh.write(b'{"id": "doc-4", "body": "cut o')
    summary = run([str(src)], Config(), output=str(out), workers=1, resume=True)
    assert summary.documents == 6
    assert [r["id"] for r in read(out)] == [f"doc-{i}" for i in range(10)]


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_resume_appends_to_compressed_output(tmp_path, suffix):
    lines = corpus(6)
    out = tmp_path / f"out.jsonl{suffix}"
    run([str(write(tmp_path / "first.jsonl", lines[:2]))], Config(), output=str(out), workers=1)
    summary = run([str(write(tmp_path / "in.jsonl", lines))], Config(), output=str(out),
                  workers=1, resume=True)      # a second gzip member / zstd frame
    assert summary.documents == 4
    assert [r["id"] for r in read(out)] == [f"doc-{i}" for i in range(6)]
    from cleaner.batch import done_ids
    assert done_ids(str(out)) == {f"doc-{i}" for i in range(6)}


def test_stats_file_and_summary_on_stderr(tmp_path):
    src = write(tmp_path / "in.jsonl", corpus(12, bad_every=10))
    stats = tmp_path / "stats.json"
    result = CliRunner().invoke(main, ["clean", str(src), "-o", str(tmp_path / "o.jsonl"),
                                       "--workers", "1", "--stats", str(stats)])
    assert result.exit_code == 0
    summary = json.loads(stats.read_text())
    assert summary["documents"] == 12 and summary["errors"] == 2
    assert summary["removed_per_category"]["promo"] >= 1
    assert summary["hits_per_rule"]
    assert "12 documents, 2 errors" in result.stderr
    assert "\r" not in result.stderr         # no progress bar when stderr is not a terminal


def slow_document() -> str:
    """Thousands of short fragment lines: the pull-quote detector compares every pair."""
    return "\n".join(f"Fragment number {i} here" for i in range(6000))


@pytest.mark.parametrize("workers", [1, 2])
def test_time_limit_gives_an_error_record_and_the_batch_goes_on(tmp_path, workers):
    lines = corpus(2) + [json.dumps({"id": "slow", "text": slow_document()}).encode()] + corpus(2)
    src = write(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    run([str(src)], Config(timeout=0.3), output=str(out), workers=workers)
    recs = read(out)
    assert [r["id"] for r in recs] == ["doc-0", "doc-1", "slow", "doc-0", "doc-1"]
    assert "longer than 0.3 s" in recs[2].get("error", ""), str({k: v for k, v in recs[2].items() if k not in ("body", "removed")})
    assert all("error" not in r for r in recs[:2] + recs[3:]), [(r["id"], r.get("error")) for r in recs]


class _Finalizer:
    def __del__(self):
        time.sleep(0.4)     # the alarm goes off in here, and Python ignores what it raises


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_alarm_that_goes_off_inside_a_finalizer_still_ends_the_document(tmp_path, monkeypatch):
    """The garbage collector runs finalizers at any moment, and an exception raised in one is
    ignored: the document is an error all the same, and the next ones are not touched."""
    real = batch.clean_document

    def collected(doc, config, rules):
        if doc.id == "doc-1":
            _Finalizer()        # dropped at once: its __del__ runs here
        return real(doc, config, rules)

    monkeypatch.setattr(batch, "clean_document", collected)
    src = write(tmp_path / "in.jsonl", corpus(4))
    out = tmp_path / "out.jsonl"
    run([str(src)], Config(timeout=0.2), output=str(out), workers=1)
    recs = read(out)
    assert [r.get("error") for r in recs] == [
        None, "cleaning took longer than 0.2 s (per-document time limit)", None, None]


def test_a_worker_that_dies_costs_only_its_record(tmp_path, monkeypatch):
    real = batch.clean_document

    def crashing(doc, config, rules):
        if doc.id == "doc-7":
            os._exit(3)
        return real(doc, config, rules)

    monkeypatch.setattr(batch, "clean_document", crashing)   # workers are forked: they see it
    src = write(tmp_path / "in.jsonl", corpus(70))
    out = tmp_path / "out.jsonl"
    summary = run([str(src)], Config(), output=str(out), workers=2)
    recs = read(out)
    assert [r["id"] for r in recs] == [f"doc-{i}" for i in range(70)]
    assert "worker process died" in recs[7]["error"] and recs[7]["n"] == 7
    assert summary.errors == 1


def test_warc_html_responses(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = ("<html><head><title>Council approves budget</title></head><body><article>"
            "<h1>Council approves budget</h1>"
            + "".join(f"<p>The council met on Monday and voted, in its {i}th session, to approve "
                      f"the budget for next year after a long debate.</p>" for i in range(6))
            + "<p>Sign up for our daily newsletter</p></article></body></html>").encode()
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)

        def response(url, status, ctype, body):
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            return writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                             http_headers=http)

        writer.write_record(writer.create_warc_record(
            "https://example.com/a", "request", payload=io.BytesIO(b"GET /a HTTP/1.1\r\n\r\n")))
        ok = response("https://example.com/a", "200 OK", "text/html; charset=utf-8", page)
        writer.write_record(ok)
        writer.write_record(response("https://example.com/gone", "404 Not Found", "text/html", page))
        writer.write_record(response("https://example.com/i.png", "200 OK", "image/png", b"\x89PNG"))
        writer.write_record(response("https://example.com/empty", "200 OK", "text/html", b""))
    out = tmp_path / "out.jsonl"
    run([str(path)], Config(), output=str(out), workers=1)
    recs = read(out)
    assert len(recs) == 2
    assert recs[0]["id"] == ok.rec_headers.get_header("WARC-Record-ID")
    assert recs[0]["source_url"] == "https://example.com/a"
    assert "approve the budget" in recs[0]["body"] and "newsletter" not in recs[0]["body"]
    assert "empty" in recs[1]["error"]


def test_clean_records_for_cluster_partitions():
    from cleaner.batch import clean_records

    records = [{"id": "a", "text": SEED_TEXTS[0], "lang": "en"}, {"text": ""}, "not a dict"]
    out = list(clean_records(iter(records)))
    assert [r["id"] for r in out] == ["a", "record-1", "record-2"]
    assert out[0]["lang"] == "en" and out[0]["removed"] and "error" not in out[0]
    assert "error" in out[1] and "error" in out[2]


def test_a_document_that_ignores_the_time_limit_is_stopped_by_the_watchdog(tmp_path, monkeypatch):
    real = batch.clean_document

    def stubborn(doc, config, rules):
        if doc.id == "doc-2":            # like C code that the alarm cannot interrupt
            while True:
                try:
                    time.sleep(10)
                except BaseException:
                    pass
        return real(doc, config, rules)

    monkeypatch.setattr(batch, "clean_document", stubborn)
    src = write(tmp_path / "in.jsonl", corpus(5))
    out = tmp_path / "out.jsonl"
    start = time.monotonic()
    run([str(src)], Config(timeout=0.2), output=str(out), workers=2)
    recs = read(out)
    assert [r["id"] for r in recs] == [f"doc-{i}" for i in range(5)]
    assert "worker process died" in recs[2]["error"]
    assert all("error" not in r for r in recs[:2] + recs[3:])
    assert time.monotonic() - start < 20
