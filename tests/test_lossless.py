"""Nothing is lost: body + removed spans give back every non-space character of the input."""
import json
import re
from pathlib import Path

import pytest

from cleaner import clean

from conftest import ROOT


def fixture_texts():
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        yield path.name, path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "fixtures").rglob("*.txt")):
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "fixtures").rglob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            record = json.loads(line)
            if isinstance(record.get("text"), str):
                yield f"{path.name}:{n}", record["text"]


def rebuild(text: str, result) -> str:
    """Cut every removed span out of the input; what is left must be the body."""
    spans = sorted((r.start, r.end) for r in result.removed)
    kept, cursor = [], 0
    for start, end in spans:
        assert start >= cursor, f"overlapping removals at {start}"
        kept.append(text[cursor:start])
        cursor = end
    kept.append(text[cursor:])
    return "".join(kept)


CASES = list(fixture_texts())


def assert_lossless(text: str, result) -> None:
    """Every removal quotes the input at its offsets, and body + removals give back the input
    (every non-space character, in order). Also used by the property tests (test_properties)."""
    for r in result.removed:
        assert text[r.start:r.end] == r.text
    squash = lambda s: re.sub(r"\s+", "", s)
    assert squash(rebuild(text, result)) == squash(result.body)
    removed_chars = sum(len(squash(r.text)) for r in result.removed)
    assert len(squash(text)) == len(squash(result.body)) + removed_chars


@pytest.mark.parametrize("name,text", CASES, ids=[c[0] for c in CASES])
def test_body_plus_removed_rebuilds_the_input(name, text):
    assert_lossless(text, clean(text))
