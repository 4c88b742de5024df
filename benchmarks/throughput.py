"""Throughput benchmark (not a test): one run, figures as ratios measured in that run.

    python benchmarks/throughput.py ../shared/bench            # ~100 MB corpus, a few minutes
    python benchmarks/throughput.py ../shared/bench --rss-gb 1 # plus peak memory over 1 GB

The corpus: the benchmark's gold article bodies with noise lines injected (the `fail` examples
of the generic rules, at the head, the tail or in between as each rule's scope says), repeated
with fresh noise until the JSONL file reaches --mb megabytes, in a temporary folder.

Printed: text mode docs/s and MB/s at 1 worker; a plain JSONL read-decode-encode-write loop
over the same file (the I/O floor) and the ratio; time with every rule pack doubled over time
with them once; HTML mode over bare trafilatura.extract(output_format="json",
with_metadata=True) on the benchmark pages (and with --no-html-fallback); the 2-worker
speed-up; with --rss-gb, the peak memory of `cleaner clean` (all its processes) streaming
that much JSONL.

On a shared machine one timing can be slowed by a neighbour: every comparison runs its sides
interleaved, more than once, and keeps the best of each (--passes for the text mode and the
floor, 2 for the worker speed-up, --doubling-repeats for the doubled rules, 5 for HTML); the
doubled rules and HTML also print the median and range of each round's own ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaner.batch import prepared, run  # noqa: E402
from cleaner.model import Config, Document  # noqa: E402
from cleaner.rules import default_rules_dir, load_rules  # noqa: E402

TARGETS = {"floor": 0.05, "doubling": 1.25, "html": 1.10, "speedup": 1.7, "rss": 300}


def aeb_dir(bench: Path) -> Path:
    for candidate in (bench / "aeb", bench):
        if (candidate / "ground-truth.json").is_file():
            return candidate
    sys.exit(f"{bench}: no ground-truth.json (give the bench folder or its aeb/ folder)")


def make_corpus(aeb: Path, path: Path, megabytes: float) -> tuple[int, int]:
    """Write the noisy corpus; return (documents, bytes)."""
    gold = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
    noise = {"head": [], "tail": [], "anywhere": []}
    for rule in load_rules().generic:
        if rule.pattern is not None:
            noise[rule.where].extend(rule.fails)
    rng = random.Random(4)
    docs = size = 0
    limit = megabytes * 1e6
    with open(path, "wb") as fh:
        rnd = 0
        while size < limit:
            for key, item in gold.items():
                paragraphs = [p for p in item["articleBody"].split("\n") if p.strip()]
                for _ in range(rng.randint(1, 3)):
                    paragraphs.insert(rng.randint(1, max(1, len(paragraphs) - 1)),
                                      rng.choice(noise["anywhere"]))
                paragraphs.insert(0, rng.choice(noise["head"]))
                paragraphs.append(rng.choice(noise["tail"]))
                line = orjson.dumps({"id": f"{key[:16]}-{rnd}", "text": "\n\n".join(paragraphs),
                                     "url": item.get("url")}) + b"\n"
                fh.write(line)
                docs += 1
                size += len(line)
            rnd += 1
    return docs, size


def io_floor(src: Path, dst: Path) -> float:
    """Seconds for a plain JSONL loop: read, decode, encode, write."""
    start = time.perf_counter()
    with open(src, "rb", buffering=1 << 20) as fin, open(dst, "wb", buffering=1 << 20) as fout:
        for line in fin:
            fout.write(orjson.dumps(orjson.loads(line)) + b"\n")
    return time.perf_counter() - start


def timed_run(src: Path, dst: Path, config: Config, workers: int) -> float:
    start = time.perf_counter()
    run([str(src)], config, output=str(dst), workers=workers, progress=False)
    return time.perf_counter() - start


def doubled_rules(tmp: Path, detectors: bool = True) -> Path:
    """A copy of the rule tree where every rule appears twice (the copy's id suffixed -x2).

    detectors=False copies only the pattern rules: a detector (title, pull-quote, ...) is a
    whole-article pass in code, and a second copy of one runs that pass a second time.
    """
    dst = tmp / ("rules-x2" if detectors else "rules-x2-patterns")
    shutil.copytree(default_rules_dir(), dst)
    for path in list((dst / "generic").glob("*.toml")) + list((dst / "outlets").glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        first = text.find("[[rule]]")
        if first < 0:
            continue
        blocks = ["[[rule]]" + b for b in text[first:].split("[[rule]]")[1:]]
        if not detectors:
            blocks = [b for b in blocks if not re.search(r"(?m)^detector\s*=", b)]
        copy = re.sub(r'(?m)^id\s*=\s*"([^"]+)"', r'id = "\1-x2"', "".join(blocks))
        path.write_text(text + "\n" + copy, encoding="utf-8")
    load_rules(dst)        # refuses a broken tree
    return dst


def ratios(base: list[float], other: list[float]) -> tuple[float, float, float, float]:
    """`other` over `base`, timed in interleaved rounds: (best of each over best of each;
    median, lowest and highest of the ratios within a round). The two sides of one round ran
    seconds apart, so a round's ratio shares its slowdowns; the spread of the rounds shows
    how far one figure can be trusted."""
    rounds = sorted(o / b for b, o in zip(base, other))
    return min(other) / min(base), statistics.median(rounds), rounds[0], rounds[-1]


def subset(src: Path, dst: Path, docs: int) -> Path:
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        for n, line in enumerate(fin):
            if n >= docs:
                break
            fout.write(line)
    return dst


def html_ratio(aeb: Path, passes: int = 5) -> tuple[dict[str, list[float]], int]:
    """Seconds per pass, the sides interleaved: bare trafilatura ("bare"), cleaner ("ours") and
    cleaner with --no-html-fallback ("fast"); and the number of pages.

    Each page is cleaned as `cleaner clean` cleans it (clean_guarded: the per-document time
    limit armed as an alarm), without the file reading and writing."""
    import signal

    import trafilatura

    from cleaner.batch import alarm_usable, clean_guarded, on_alarm, prepared

    gold = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [(key, (aeb / "html" / f"{key}.html").read_bytes().decode("utf-8", "replace"),
              item.get("url")) for key, item in gold.items() if (aeb / "html" / f"{key}.html").exists()]
    configs = {"ours": Config(), "fast": Config(html_fallback=False)}
    rules = prepared(configs["ours"])
    alarm = alarm_usable()
    previous = signal.signal(signal.SIGALRM, on_alarm) if alarm else None
    times: dict[str, list[float]] = {"bare": [], "ours": [], "fast": []}
    try:
        for _ in range(passes):
            start = time.perf_counter()
            for key, html, url in pages:
                trafilatura.extract(html, url=url, output_format="json", with_metadata=True)
            times["bare"].append(time.perf_counter() - start)
            for side, config in configs.items():
                start = time.perf_counter()
                for key, html, url in pages:
                    clean_guarded(Document(id=key, text="", html=html, url=url), config, rules,
                                  alarm)
                times[side].append(time.perf_counter() - start)
    finally:
        if alarm:
            signal.signal(signal.SIGALRM, previous)
    return times, len(pages)


def tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes summed over a process and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, ()))
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            pass
    return rss, pss


def peak_memory(src: Path, gigabytes: float, tmp: Path, workers: int) -> dict:
    """Stream `gigabytes` of JSONL through `cleaner clean` in a child; sample its memory."""
    big = tmp / "big.jsonl"
    one = src.stat().st_size
    with open(big, "wb") as fout:
        written = 0
        while written < gigabytes * 1e9:
            with open(src, "rb") as fin:
                shutil.copyfileobj(fin, fout, 1 << 24)
            written += one
    cmd = [sys.executable, "-m", "cleaner.cli", "clean", str(big), "-o", os.devnull,
           "--workers", str(workers), "--no-progress"]
    start = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.DEVNULL)
    peak = {"rss": 0, "pss": 0}

    def sample():
        while child.poll() is None:
            rss, pss = tree_memory(child.pid)
            peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    child.wait()
    sampler.join()
    seconds = time.perf_counter() - start
    size = big.stat().st_size
    big.unlink()
    return {"bytes": size, "seconds": seconds, **peak}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("bench", type=Path, help="the bench data folder (holding aeb/)")
    ap.add_argument("--mb", type=float, default=100, help="corpus size in MB (default 100)")
    ap.add_argument("--passes", type=int, default=2,
                    help="runs of the text-mode and I/O-floor measures (the best of each)")
    ap.add_argument("--subset-mb", type=float, default=20,
                    help="part of the corpus used for the 2-worker comparison")
    ap.add_argument("--doubling-mb", type=float, default=10,
                    help="part of the corpus used for the rule-doubling comparison")
    ap.add_argument("--doubling-repeats", type=int, default=9,
                    help="interleaved rounds of the rule-doubling comparison")
    ap.add_argument("--rss-gb", type=float, default=0, help="also stream this many GB (0: skip)")
    args = ap.parse_args()
    aeb = aeb_dir(args.bench)
    rows: list[tuple[str, str, str]] = []

    def row(name: str, value: str, target: str = "") -> None:
        rows.append((name, value, target))
        print(f"  {name:44} {value:>22}  {target}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="cleaner-bench-") as tmpname:
        tmp = Path(tmpname)
        corpus = tmp / "corpus.jsonl"
        docs, size = make_corpus(aeb, corpus, args.mb)
        mb = size / 1e6
        row("corpus", f"{docs:,} docs, {mb:,.0f} MB", f"{size / docs / 1000:.1f} KB/doc")
        config = Config()
        start = time.perf_counter()
        prepared(config)        # what every run does first: load, compile, build the screens
        row("start-up (rules loaded and compiled, once per run)",
            f"{time.perf_counter() - start:.2f} s", "not in the timings below")

        floors, ones = [], []
        for _ in range(args.passes):        # interleaved, best of each (a shared machine)
            floors.append(io_floor(corpus, tmp / "floor.jsonl"))
            ones.append(timed_run(corpus, tmp / "out1.jsonl", config, 1))
        floor, one = min(floors), min(ones)
        row("text mode, 1 worker", f"{docs / one:,.0f} docs/s, {mb / one:.1f} MB/s",
            f"best of {args.passes}: " + ", ".join(f"{docs / t:,.0f}" for t in ones))
        row("I/O floor (JSONL read-decode-encode-write)", f"{docs / floor:,.0f} docs/s, {mb / floor:.1f} MB/s")
        row("text mode / I/O floor (speed)", f"{floor / one:.2%}", f"target >= {TARGETS['floor']:.0%}")

        (tmp / "floor.jsonl").unlink()

        part_docs = max(1, int(docs * min(1.0, args.subset_mb / mb)))
        part = subset(corpus, tmp / "part.jsonl", part_docs)
        # on a shared machine: interleaved runs on the subset, the best of each
        times = {1: [], 2: []}
        for _ in range(2):
            for workers in (1, 2):
                times[workers].append(timed_run(part, tmp / f"w{workers}.jsonl", config, workers))
        same = (tmp / "w1.jsonl").read_bytes() == (tmp / "w2.jsonl").read_bytes()
        row(f"text mode, 2 workers ({part_docs:,} docs)", f"{part_docs / min(times[2]):,.0f} docs/s",
            "output identical to 1 worker" if same else "OUTPUT DIFFERS")
        row("2-worker speed-up", f"{min(times[1]) / min(times[2]):.2f}x", f"target >= {TARGETS['speedup']}x")
        x2 = Config(rules_dir=doubled_rules(tmp))
        x2p = Config(rules_dir=doubled_rules(tmp, detectors=False))
        small_docs = max(1, int(docs * min(1.0, args.doubling_mb / mb)))
        small = subset(corpus, tmp / "small.jsonl", small_docs)
        for cfg in (x2, x2p):
            prepared(cfg)                   # rules compiled before the clock, as for `config`
        times = {"once": [], "x2": [], "x2p": []}
        for _ in range(args.doubling_repeats):   # interleaved rounds (a shared machine)
            for key, cfg in (("once", config), ("x2", x2), ("x2p", x2p)):
                times[key].append(timed_run(small, tmp / "o.jsonl", cfg, 1))
        for key, name in (("x2", f"every rule doubled / once ({small_docs:,} docs)"),
                          ("x2p", "pattern rules doubled (detectors once) / once")):
            best, median, low, high = ratios(times["once"], times[key])
            row(name, f"{best:.2f}x (median {median:.2f}x, {low:.2f}-{high:.2f}x)",
                f"target <= {TARGETS['doubling']}x; best of {args.doubling_repeats}, "
                f"and the rounds' own ratios")

        html, pages = html_ratio(aeb)
        row(f"HTML mode, {pages} pages", f"{pages / min(html['ours']):.1f} pages/s")
        row("bare trafilatura.extract(json, metadata)", f"{pages / min(html['bare']):.1f} pages/s")
        for side, name, note in (
                ("ours", "HTML mode / bare trafilatura (time)", f"target <= {TARGETS['html']}x; "),
                ("fast", "HTML mode --no-html-fallback / bare trafilatura", "")):
            best, median, low, high = ratios(html["bare"], html[side])
            row(name, f"{best:.2f}x (median {median:.2f}x, {low:.2f}-{high:.2f}x)",
                note + f"best of {len(html[side])}, and the passes' own ratios")

        if args.rss_gb:
            mem = peak_memory(corpus, args.rss_gb, tmp, workers=2)
            row(f"streaming {mem['bytes'] / 1e9:.2f} GB, 2 workers",
                f"{mem['bytes'] / 1e6 / mem['seconds']:.1f} MB/s")
            row("peak RSS, all processes (sum)", f"{mem['rss'] / 2**20:,.0f} MB",
                f"target <= {TARGETS['rss']} MB")
            row("peak PSS, all processes (shared pages split)", f"{mem['pss'] / 2**20:,.0f} MB")

    print("| measure | value | note |")
    print("|---|---:|---|")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")


if __name__ == "__main__":
    main()
