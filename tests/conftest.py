import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
GOLD = {p.name.replace(".json", ".txt"): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "fixtures" / "seeds").glob("*.json"))}


@pytest.fixture(scope="session")
def rules():
    from cleaner import load_rules

    return load_rules()


def rule_tree(root: Path, generic: dict[str, str] | None = None) -> Path:
    """A rule tree at `root`: the bundled vocabularies, and the given generic rule files."""
    shutil.copytree(ROOT / "rules" / "vocab", root / "vocab")
    (root / "generic").mkdir()
    (root / "outlets").mkdir()
    for name, text in (generic or {}).items():
        (root / "generic" / name).write_text(text, encoding="utf-8")
    return root
