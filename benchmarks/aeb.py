"""Article-extraction benchmark: cleaner vs bare trafilatura on HTML, and every extractor's
output before/after cleaner's text mode, scored with the benchmark's own metric, in ONE run.

    python benchmarks/aeb.py ../shared/bench            # the folder holding aeb/ and score_aeb.py
    python benchmarks/aeb.py ../shared/bench --only-text --tools trafilatura readability
    python benchmarks/aeb.py ../shared/bench --only-html --dump /tmp/html.json

Prints F1 / precision / recall per system. Not a test: it needs the benchmark data.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from cleaner import Config, clean
from cleaner.model import Document
from cleaner.pipeline import clean_document

CONFIG = Config()


def _scorer(bench: Path):
    spec = importlib.util.spec_from_file_location("score_aeb", bench / "score_aeb.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score


def _html_pair(args):
    import trafilatura

    pid, html, url = args
    bare = trafilatura.extract(html, url=url) or ""
    result = clean_document(Document(id=pid, text="", html=html, url=url), CONFIG)
    return pid, bare, result.body if not result.error else ""


def _text_one(args):
    pid, text, url = args
    if not text or not text.strip():
        return pid, text or ""
    result = clean(text, url=url, config=CONFIG, id=pid)
    return pid, result.body if not result.error else text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bench", type=Path, help="folder with aeb/ and score_aeb.py")
    ap.add_argument("--tools", nargs="*", help="only these extractor outputs")
    only = ap.add_mutually_exclusive_group()
    only.add_argument("--only-text", action="store_true", help="skip the HTML comparison")
    only.add_argument("--only-html", action="store_true", help="skip the text-mode rows")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--dump", type=Path, help="write cleaner's outputs here as {system: {id: text}}")
    args = ap.parse_args()
    score = _scorer(args.bench)
    data = args.bench / "aeb"
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    gold = {k: v["articleBody"] for k, v in truth.items()}
    urls = {k: v.get("url") for k, v in truth.items()}
    rows, dump = [], {}

    def row(name, pred):
        s = score(gold, {k: pred.get(k, "") for k in gold}, n_bootstrap=0)
        rows.append((name, s["f1"], s["precision"], s["recall"]))
        return s

    with ProcessPoolExecutor(args.workers) as pool:
        if not args.only_text:
            started = time.perf_counter()
            jobs = [(k, (data / "html" / f"{k}.html").read_text(encoding="utf-8"), urls[k]) for k in gold]
            bare, ours = {}, {}
            for pid, b, c in pool.map(_html_pair, jobs, chunksize=4):
                bare[pid], ours[pid] = b, c
            base = row("html: trafilatura.extract (bare)", bare)
            mine = row("html: cleaner", ours)
            dump["html"] = ours
            print(f"# HTML: {len(jobs)} pages in {time.perf_counter() - started:.0f} s; "
                  f"cleaner - bare F1 = {mine['f1'] - base['f1']:+.3f}", file=sys.stderr)
        tools = [] if args.only_html else sorted(p.stem for p in (data / "outputs").glob("*.json"))
        for tool in tools:
            if args.tools and tool not in args.tools:
                continue
            raw = json.loads((data / "outputs" / f"{tool}.json").read_text(encoding="utf-8"))
            raw = raw.get("output", raw) if isinstance(raw.get("output"), dict) else raw
            before = {k: (raw.get(k) or {}).get("articleBody") or "" for k in gold}
            after = dict(pool.map(_text_one, [(k, before[k], urls[k]) for k in gold], chunksize=8))
            b = row(f"text: {tool}", before)
            a = row(f"text: {tool} + cleaner", after)
            rows[-1] = rows[-1] + (a["f1"] - b["f1"], a["recall"] - b["recall"])
            dump[tool] = after

    print(f"{'system':44} {'F1':>6} {'P':>6} {'R':>6} {'dF1':>7} {'dR':>7}")
    for r in rows:
        extra = f" {r[4]:+7.3f} {r[5]:+7.3f}" if len(r) > 4 else ""
        print(f"{r[0]:44} {r[1]:6.3f} {r[2]:6.3f} {r[3]:6.3f}{extra}")
    if args.dump:
        args.dump.write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
