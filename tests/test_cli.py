"""The CLI as a user runs it: batch cleaning, JSONL in/out, bad input, explain, rules."""
import json
import subprocess
import sys
import zipfile

import pytest
from click.testing import CliRunner

from cleaner.cli import main

from conftest import ROOT, SEEDS


@pytest.fixture
def run():
    def invoke(*args, input=None):
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return invoke


def records(output: str):
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_clean_a_directory_gives_one_record_per_seed_in_order(run):
    result = run("clean", str(ROOT / "seeds"))
    assert result.exit_code == 0
    recs = records(result.stdout)
    assert [r["id"] for r in recs] == [str(p) for p in SEEDS]
    assert all(r["body"] and "error" not in r for r in recs)
    assert recs[0]["outlet"] == "The Straits Times"


def test_jsonl_in_jsonl_out_passes_other_fields_through(run, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "text": SEEDS[0].read_text(encoding="utf-8"), "lang": "en", "meta": {"k": 1}},
        {"id": "b", "text": "Short headline here\n\nThe council met on Monday and voted to approve the budget for next year.",
         "url": "https://www.reuters.com/article/x?utm_source=tw"},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run("clean", str(src), "-o", str(out)).exit_code == 0
    a, b = records(out.read_text(encoding="utf-8"))
    assert (a["id"], a["lang"], a["meta"]) == ("a", "en", {"k": 1})
    assert b["outlet"] == "Reuters" and b["source_url"] == "https://www.reuters.com/article/x"


def test_stdin_text_and_formats(run):
    text = SEEDS[0].read_text(encoding="utf-8")
    as_json = run("clean", "--format", "json", "-", input=text)
    assert json.loads(as_json.stdout)[0]["title"].startswith("US military carries out")
    as_text = run("clean", "--format", "text", "-", input=text)
    assert "Join ST's Telegram" not in as_text.stdout and "Kataib Hezbollah" in as_text.stdout


def test_bad_inputs_give_error_records_and_the_batch_goes_on(run, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "good.txt").write_text(SEEDS[3].read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "lines.jsonl").write_text(
        '{"id": "ok", "text": "Title of it\\n\\nThe minister resigned on Monday after weeks of pressure from her party."}\n'
        '{"id": "broken", "text": \n'
        '{"id": "notext", "body": "x"}\n'
        '[1, 2]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(tmp_path)])
    assert result.exit_code == 0
    recs = records(result.stdout)
    assert len(recs) == 7
    errors = {r["id"]: r["error"] for r in recs if "error" in r}
    assert set(errors) == {str(tmp_path / "empty.txt"), str(tmp_path / "binary.txt"),
                           f"{tmp_path / 'lines.jsonl'}:2", "notext", f"{tmp_path / 'lines.jsonl'}:4"}
    assert "empty" in errors[str(tmp_path / "empty.txt")]
    assert "binary" in errors[str(tmp_path / "binary.txt")]
    assert "malformed JSON" in errors[f"{tmp_path / 'lines.jsonl'}:2"]
    stderr_lines = result.stderr.strip().splitlines()
    assert len(stderr_lines) == 5 and all(line.startswith("cleaner: ") for line in stderr_lines)


def test_no_outlet_rules_and_forced_outlet(run):
    seed = str(SEEDS[4])
    generic = records(run("clean", "--no-outlet-rules", seed).stdout)[0]
    assert not any(r["rule"].startswith("rferl.") for r in generic["removed"])
    forced = records(run("clean", "--outlet", "jpost", seed).stdout)[0]
    assert forced["outlet"] == "The Jerusalem Post"
    assert run("clean", "--outlet", "nosuchoutlet", seed).exit_code != 0


def test_unknown_disable_stops_before_any_record(run):
    result = CliRunner().invoke(main, ["clean", "--disable", "generic.nope", str(SEEDS[0])])
    assert result.exit_code != 0 and "generic.nope" in result.output and '"id"' not in result.output


def test_explain_marks_spans_with_rule_ids(run):
    result = run("explain", str(SEEDS[0]))
    assert "{generic.promo.messaging-channel promo}" in result.stdout or "{straitstimes.promo.channels promo}" in result.stdout
    assert "\x1b[" not in result.stdout  # plain when piped


def test_rules_list_show_and_test(run):
    assert "generic.promo.messaging-channel" in run("rules", "list").stdout
    assert "straitstimes" in run("rules", "list", "--outlets").stdout
    shown = run("rules", "show", "generic.caption.parenthesised-credit").stdout
    assert "pattern:" in shown and "fail:" in shown
    tested = CliRunner().invoke(main, ["rules", "test"])
    assert tested.exit_code == 0 and " 0 failed" in tested.stdout


def test_wheel_carries_the_rules(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True)
    wheel = next(tmp_path.glob("cleaner-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "cleaner/rules/generic/promo.toml" in names
    assert "cleaner/rules/vocab/agencies.toml" in names
    assert any(n.startswith("cleaner/rules/outlets/") for n in names)
