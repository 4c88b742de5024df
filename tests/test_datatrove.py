"""The datatrove step, run as datatrove runs it: LocalPipelineExecutor, two worker processes."""
import json

import pytest

pytest.importorskip("datatrove")

from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from cleaner import clean  # noqa: E402
from cleaner.integrations.datatrove import CleanerStep  # noqa: E402

from conftest import SEEDS  # noqa: E402


def test_pipeline_cleans_text_in_place_and_counts_removals(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for part in range(2):                       # one input file per task
        with open(src / f"part{part}.jsonl", "w", encoding="utf-8") as fh:
            for path in SEEDS[part::2]:
                fh.write(json.dumps({"id": path.name, "text": path.read_text(encoding="utf-8")}) + "\n")
            if part == 1:
                fh.write(json.dumps({"id": "blank", "text": "   "}) + "\n")
    LocalPipelineExecutor(
        pipeline=[JsonlReader(str(src)), CleanerStep(),
                  JsonlWriter(str(tmp_path / "out"), compression=None)],
        tasks=2, workers=2, logging_dir=str(tmp_path / "logs")).run()

    docs = {}
    for path in sorted((tmp_path / "out").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            docs[doc["id"]] = doc
    assert set(docs) == {p.name for p in SEEDS} | {"blank"}
    assert docs["blank"]["metadata"]["cleaner"]["error"]
    removed = {}
    for path in SEEDS:
        want = clean(path.read_text(encoding="utf-8"), id=path.name)
        got = docs[path.name]
        assert got["text"] == want.body
        meta = got["metadata"]["cleaner"]
        assert meta["title"] == want.title and meta["byline"] == list(want.byline)
        assert meta["removed"] == [r.to_dict() for r in want.removed]
        for r in want.removed:
            removed[r.category] = removed.get(r.category, 0) + 1

    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    step = next(s for s in stats if "cleaner" in s["name"])
    totals = {k: v if isinstance(v, int) else v["total"] for k, v in step["stats"].items()}
    counts = {k.removeprefix("removed_"): v for k, v in totals.items() if k.startswith("removed_")}
    assert counts == removed
    assert totals["documents"] == 6 and totals["errors"] == 1
