import json
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
