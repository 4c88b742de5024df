"""Hostile input through the real command line: the run exits cleanly, good records are
cleaned, each bad one yields an error record (and one line on stderr), records in = records out.
And a broken rule tree stops the run before any record, with one message naming file and rule.
"""
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEEDS, rule_tree

CLEANER = [sys.executable, "-c", "from cleaner.cli import main; main()"]
GOOD = "Council approves budget\n\nThe council met on Monday and voted to approve the budget."


def cleaner(*args, stdin: bytes | None = None, timeout: float = 120):
    return subprocess.run([*CLEANER, *args], input=stdin, capture_output=True, timeout=timeout)


def records(stdout: bytes) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A folder of bad inputs between good ones; returns (folder, expected {id: error or None})."""
    d = tmp_path_factory.mktemp("hostile")
    expect: dict[str, str | None] = {}

    def put(name: str, data: bytes, error: str | None):
        (d / name).write_bytes(data)
        expect[str(d / name)] = error

    put("a_empty.txt", b"", "empty input")
    put("b_binary.txt", bytes(range(256)) * 64, "binary data")
    put("c_invalid_utf8.txt", bytes(random.Random(1).randrange(128, 256) for _ in range(4000)),
        "invalid UTF-8")
    put("d_seed.txt", SEEDS[0].read_bytes(), None)
    put("e_cp1252.txt", "Caf\u00e9 owners fear plan\n\nCaf\u00e9 owners in Z\u00fcrich said on "
        "Monday the plan would cost them dearly.".encode("cp1252"), None)
    with open(d / "f_50mb_single_line.txt", "wb") as fh:   # a 50 MB line, no newline at all
        fh.write(b"word " * 10_000_000)
    expect[str(d / "f_50mb_single_line.txt")] = "over the limit"
    lines = [
        json.dumps({"id": "j-good-1", "text": GOOD, "lang": "en"}),
        '{"id": "j-broken", "text": "unterminated',
        "",
        json.dumps({"id": "j-no-text", "body": "a record without text"}),
        "[1, 2, 3]",
        json.dumps({"id": "j-bad-url", "text": GOOD, "url": "[", "outlet": "no-such-outlet"}),
        "\x00\x01\x02 not json",
        json.dumps({"id": "j-empty", "text": "   "}),
        json.dumps({"id": "j-html-nothing", "html": "<html><body></body></html>"}),
        json.dumps({"id": "j-huge", "text": "word " * 2_100_000}),
        json.dumps({"id": "j-good-2", "text": GOOD.replace("budget", "plan")}),
    ]
    (d / "g_records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    name = str(d / "g_records.jsonl")
    expect.update({"j-good-1": None, f"{name}:2": "malformed JSON", "j-no-text": "no 'text'",
                   f"{name}:5": "not an object", "j-bad-url": None, f"{name}:7": "malformed JSON",
                   "j-empty": "empty 'text'", "j-html-nothing": "no article text",
                   "j-huge": "over the limit", "j-good-2": None})
    return d, expect


@pytest.mark.parametrize("workers", ["1", "2"])
def test_hostile_inputs_give_one_record_each_and_the_run_goes_on(hostile, workers):
    folder, expect = hostile
    done = cleaner("clean", "--workers", workers, str(folder))
    assert done.returncode == 0, done.stderr.decode()
    recs = records(done.stdout)
    assert [r["id"] for r in recs] == list(expect)            # records in = records out, in order
    for rec in recs:
        want = expect[rec["id"]]
        if want is None:
            assert "error" not in rec and rec["body"], rec["id"]
        else:
            assert want in rec["error"], (rec["id"], rec.get("error"))
            assert rec["body"] == "" and rec["removed"] == []
    by_id = {r["id"]: r for r in recs}
    assert by_id["j-good-1"]["lang"] == "en" and by_id["j-good-1"]["title"] == "Council approves budget"
    assert any("cp1252" in w for w in by_id[str(folder / "e_cp1252.txt")]["warnings"])
    assert any("unknown outlet 'no-such-outlet'" in w for w in by_id["j-bad-url"]["warnings"])
    stderr = done.stderr.decode().splitlines()
    bad = [i for i, e in expect.items() if e]
    for rid in bad:
        assert sum(line.startswith(f"cleaner: {rid}: ") for line in stderr) == 1, rid


def test_a_50mb_line_on_stdin_exits_cleanly_with_an_error_record():
    done = cleaner("clean", "-", stdin=b"word " * 10_000_000)
    assert done.returncode == 1                      # every record failed: non-zero, but clean
    (rec,) = records(done.stdout)
    assert rec["id"] == "-" and "over the limit" in rec["error"]
    assert b"Traceback" not in done.stderr


# ---------------------------------------------------------------------------- bad rule trees

RULE = '''
[[rule]]
id = "generic.test.{n}"
category = "promo"
description = "test rule"
pattern = '^Buy now$'
pass = ["We buy now and pay later, she said."]
fail = ["Buy now"]
'''


@pytest.fixture
def tree(tmp_path):
    rule_tree(tmp_path / "rules", {"a.toml": RULE.format(n=1)})
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "x", "text": GOOD}) + "\n")
    return tmp_path


@pytest.mark.parametrize("file,text,message", [
    ("b.toml", "[[rule]\nid = ", "not valid TOML"),
    ("b.toml", RULE.format(n=2).replace("'^Buy now$'", "'^Buy (now$'"), "does not compile"),
    ("b.toml", RULE.format(n=1), "duplicate rule id 'generic.test.1'"),
    ("b.toml", RULE.format(n=2).replace('"promo"', '"spam"'), "unknown category 'spam'"),
])
def test_a_broken_rule_tree_stops_the_run_before_any_record(tree, file, text, message):
    bad = tree / "rules" / "generic" / file
    bad.write_text(text, encoding="utf-8")
    done = cleaner("clean", "--rules-dir", str(tree / "rules"), str(tree / "in.jsonl"))
    assert done.returncode != 0
    assert done.stdout == b""                                   # no record written
    err = done.stderr.decode()
    assert message in err and str(bad) in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1                   # one clear message


@pytest.mark.parametrize("selection", ["generic.test.nope", "spam", "generic.promo.telegramm"])
def test_an_unknown_disable_stops_the_run_before_any_record(tree, selection):
    done = cleaner("clean", "--disable", selection, str(tree / "in.jsonl"))
    assert done.returncode != 0 and done.stdout == b""
    err = done.stderr.decode()
    assert selection in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_the_tree_itself_is_fine(tree):
    done = cleaner("clean", "--rules-dir", str(tree / "rules"), str(tree / "in.jsonl"))
    assert done.returncode == 0 and records(done.stdout)[0]["id"] == "x"
