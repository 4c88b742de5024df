"""Limits: the over-stripping guard, the per-document time limit and the size limit."""
import json
import re
import time

import pytest
from click.testing import CliRunner

from cleaner import Config, clean
from cleaner.batch import run
from cleaner.cli import main

from conftest import rule_tree
from test_lossless import assert_lossless

STORY = "The council met on Monday and voted to approve the budget for next year."
NOISE = ["Follow us on Twitter for the latest news.", "Sign up for our daily newsletter.",
         "Read more: Council approves budget", "Like us on Facebook"]


def noisy(n_noise: int) -> str:
    return "\n\n".join(["Council approves budget", "By Jane Doe", STORY] + NOISE[:n_noise])


# ----------------------------------------------------------------------- over-stripping guard

def test_under_the_limit_the_noise_goes():
    result = clean(noisy(2))
    assert result.warnings == () and "Follow us" not in result.body


def test_past_the_limit_the_body_is_kept_whole_and_a_warning_names_the_rules():
    text = noisy(4)
    result = clean(text, config=Config(max_removed_share=0.3))
    assert {r.category for r in result.removed} == {"metadata"}     # nothing but metadata goes
    assert result.title == "Council approves budget" and result.byline == ("Jane Doe",)
    for line in [STORY] + NOISE:
        assert line in result.body
    (warning,) = result.warnings
    assert "over-stripping guard" in warning and "limit 30%" in warning
    assert re.search(r"rules would remove \d+% of the words", warning)
    for rule in ("generic.promo.social-follow", "generic.promo.newsletter", "generic.related.read-more"):
        assert rule in warning
    assert_lossless(text, result)


def test_the_limit_is_a_share_of_words():
    text = noisy(4)
    removed = lambda share: [r.rule for r in clean(text, config=Config(max_removed_share=share)).removed]
    assert len(removed(1.0)) > len(removed(0.0)) == 2     # 0.0: only title and byline may go


# A closing block that a to_end rule vouches for (here a donation appeal box) counts apart.
LONG_STORY = "\n\n".join([
    "The council met on Monday and voted to approve the budget for next year, after a debate "
    "that ran for more than four hours and drew a crowd of residents to the town hall.",
    "The budget raises spending on roads and schools by four percent and keeps the property "
    "tax rate where it was last year, the finance director told the meeting.",
])
APPEAL = "\n\n".join(["Support Independent Journalism Today"] + [
    f"Every contribution, no matter how small, helps us keep reporting on the council, "
    f"the schools and the courts of this town, week after week ({k})." for k in range(8)])


def test_a_closing_block_a_to_end_rule_vouches_for_goes_past_the_limit_with_a_warning():
    text = f"Council approves budget\n\n{LONG_STORY}\n\n{APPEAL}"
    result = clean(text)
    assert result.body == LONG_STORY            # the appeal (over 60% of the words) goes
    (warning,) = result.warnings
    assert "over-stripping guard" in warning and "closing block" in warning
    assert "generic.donation.appeal-heading" in warning
    assert re.search(r"rules remove \d+% of the words", warning)
    assert_lossless(text, result)


def test_a_closing_block_does_not_count_apart_when_little_of_the_body_is_left():
    text = f"Council approves budget\n\n{STORY}\n\n{APPEAL}"     # under 50 words of story
    result = clean(text)
    assert "Every contribution" in result.body and STORY in result.body
    (warning,) = result.warnings
    assert "kept that text" in warning


def test_a_closing_block_does_not_excuse_the_other_rules():
    text = f"Council approves budget\n\n{LONG_STORY}\n\n" + "\n\n".join(NOISE * 6) + f"\n\n{APPEAL}"
    result = clean(text)
    assert "Every contribution" in result.body and "Follow us on Twitter" in result.body
    assert "kept that text" in result.warnings[0]


def test_cli_max_share_is_the_guard():
    runner = CliRunner()
    out = runner.invoke(main, ["clean", "--max-share", "0.3", "-"], input=noisy(4))
    assert out.exit_code == 0 and "over-stripping guard" in out.stdout
    assert "Follow us on Twitter" in out.stdout.split('"body":')[1]


# ------------------------------------------------------------------------------ bounded work

ADVERSARIAL = {
    "parentheses": "(" * 1_000_000,
    "photo credits": "(photo: " * 125_000,
    "url labels": "https://" + "a." * 500_000,
    "capitals": "REUTERS/" * 125_000,
    "dashes": "- " * 500_000,
    "by-line": "By " + "Ab " * 333_000,
    "donation words": "donate our we " * 71_000,
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_a_1mb_line_of_adversarial_text_finishes_quickly(name):
    text = ADVERSARIAL[name]
    started = time.monotonic()
    result = clean(text)
    elapsed = time.monotonic() - started
    assert result.error is None or "longer than" in result.error
    assert elapsed < 4.0, f"{name}: {elapsed:.1f} s"      # about 0.3 s here; loose for CI


def test_matching_is_cut_off_at_the_time_limit_with_an_error_record():
    started = time.monotonic()
    result = clean("(" * 1_000_000, config=Config(timeout=0.01))
    assert time.monotonic() - started < 3.0
    assert result.error == "rule matching took longer than 0.01 s" and result.body == ""
    assert result.to_dict()["error"] == result.error


def test_a_document_over_max_chars_is_an_error_record_not_a_crash():
    result = clean("word " * 2_100_000)        # 10.5 M characters, default limit 10 M
    assert result.error == "document has 10,500,000 characters, over the limit of 10,000,000"
    assert clean("word " * 300, config=Config(max_chars=1000)).error.startswith("document has 1,500")


SLOW_RULE = '''
[[rule]]
id = "generic.test.slow"
category = "promo"
description = "a pattern that backtracks for minutes on a line of a's"
unit = "line"
pattern = '^(?:a|aa)+$'
pass = ["a line of words"]
fail = ["aaaa"]
'''


@pytest.fixture
def slow_tree(tmp_path):
    return rule_tree(tmp_path / "rules", {"slow.toml": SLOW_RULE})


def test_a_runaway_pattern_is_cut_off_in_batch_and_library_runs(slow_tree, tmp_path):
    """Batch runs arm an alarm per document and call patterns without limits of their own
    (cleaner/limits.py); the library call gives each pattern call the time left. Either way a
    pattern that would backtrack for minutes ends at the limit with an error record."""
    config = Config(rules_dir=slow_tree, timeout=0.3)
    bad = "a" * 60 + "b"
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n"
                           for i, t in (("ok", "aaaa\n\nA line of words."), ("bad", bad))))
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    run([str(src)], config, output=str(out), workers=1, progress=False)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert time.monotonic() - started < 5.0
    assert records[0]["body"] == "A line of words." and "error" not in records[0]
    assert records[1]["id"] == "bad" and "longer than 0.3 s" in records[1]["error"]
    started = time.monotonic()
    assert clean(bad, config=config).error == "rule matching took longer than 0.3 s"
    assert time.monotonic() - started < 5.0
