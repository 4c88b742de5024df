"""Batch runs: stream documents in, clean them (in worker processes), stream records out.

Memory stays flat whatever the input size: inputs are read lazily, documents go to the workers
in batches of `BATCH` with only a few batches in flight, and records are written (in input
order) as soon as their batch is back. Workers parse JSONL lines, clean, and encode the output
record themselves, so the main process only moves bytes.

Failure isolation: a record that cannot be read, raises, or goes past the per-document time
limit gets an output record with `error`; a worker process that dies (a crash, or a document
stuck in C code past the hard limit) costs only the record it was working on. Records in =
records out.
"""
from __future__ import annotations

import gc
import gzip
import io
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

import click

from . import prefilter
from .ingest import document_from_line, documents, loads, open_binary
from .limits import ALARMED
from .model import Config, Document, Result
from .pipeline import clean_document, ruleset

try:
    import orjson

    def dumps(record: dict) -> bytes:
        return orjson.dumps(record)
except ImportError:  # pragma: no cover
    def dumps(record: dict) -> bytes:
        return json.dumps(record, ensure_ascii=False).encode("utf-8")

BATCH = 64                  # documents per batch shipped to a worker
WRITE_BUFFER = 1 << 20      # bytes
KILL_GRACE = 2.0            # a worker stuck this many times the time limit is stopped


@dataclass
class Summary:
    documents: int = 0
    errors: int = 0
    categories: Counter = field(default_factory=Counter)
    rules: Counter = field(default_factory=Counter)
    warnings: int = 0

    def add(self, result: Result) -> None:
        self.documents += 1
        if result.error:
            self.errors += 1
        self.warnings += bool(result.warnings)
        for r in result.removed:
            self.categories[r.category] += 1
            self.rules[r.rule] += 1

    def merge(self, other: "Summary") -> None:
        self.documents += other.documents
        self.errors += other.errors
        self.warnings += other.warnings
        self.categories.update(other.categories)
        self.rules.update(other.rules)

    def to_dict(self) -> dict:
        return {"documents": self.documents, "errors": self.errors,
                "documents_with_warnings": self.warnings,
                "removed_per_category": dict(self.categories.most_common()),
                "hits_per_rule": dict(self.rules.most_common())}

    def report(self, top: int = 10) -> str:
        lines = [f"cleaner: {self.documents:,} documents, {self.errors:,} errors, "
                 f"{self.warnings:,} with warnings"]
        if self.categories:
            lines.append("removed: " + ", ".join(f"{c} {n:,}" for c, n in self.categories.most_common()))
        for rule, n in self.rules.most_common(top):
            lines.append(f"  {n:>9,}  {rule}")
        return "\n".join(lines)


@dataclass
class Done:
    """One cleaned record, ready to write: the encoded payload plus what the summary needs."""

    id: str
    payload: bytes
    error: str | None = None


# --- cleaning one document (the same code in the main process and in workers) --------------

class HardTimeout(BaseException):
    """The whole-document time limit went by (raised by SIGALRM; BaseException so library
    code that catches Exception cannot swallow it)."""


# Python ignores an exception raised inside a finalizer (a `__del__` the garbage collector runs
# at any moment: the regex module's parser has some), so an alarm can go unheard. Until the
# document ends, the alarm is therefore armed again every ALARM_REPEAT seconds, and a document
# during which it went off is an error even if it then finished.
ALARM_REPEAT = 0.05
_alarm = {"armed": False, "went_off": False}


def on_alarm(signum, frame):
    if not _alarm["armed"]:
        return                  # late: the document has ended
    _alarm["went_off"] = True
    signal.setitimer(signal.ITIMER_REAL, ALARM_REPEAT)
    raise HardTimeout()


def _arm(seconds: float) -> None:
    _alarm.update(armed=True, went_off=False)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _disarm() -> bool:
    """Stop the alarm; True when it went off. Safe to call when it is not armed."""
    while True:
        try:
            _alarm["armed"] = False     # from here on the handler does nothing
            signal.setitimer(signal.ITIMER_REAL, 0)
            return _alarm["went_off"]
        except HardTimeout:             # it went off just before "armed" was cleared
            continue


def alarm_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def encode(result: Result, fmt: str) -> bytes:
    if fmt == "text":
        head = f"=== {result.id}" + (f"  [error: {result.error}]" if result.error else "")
        return (head + "\n" + result.body + "\n\n").encode("utf-8")
    return dumps(result.to_dict())


def prepared(config: Config):
    """The rule set with every prefilter built: all compiled before the first document, so
    that no document's time limit pays for it (forked workers inherit it)."""
    rules = ruleset(config)
    prefilter.warm(rules)
    gc.collect()        # compiling left garbage with finalizers: not during a document (_alarm)
    return rules


def clean_guarded(doc: Document, config: Config, rules, alarm: bool) -> Result:
    """Clean one document; never raises for the document's sake.

    An exception or the time limit gives an error Result. With `alarm` (SIGALRM armed with
    `on_alarm`), `config.timeout` holds for the whole document (HTML extraction, rules,
    detectors, metadata), and pattern calls run without limits of their own (see limits.py).
    """
    guarded = ALARMED.set(True) if alarm else None  # patterns need no time limit of their own
    went_off = False
    try:
        try:
            if alarm:
                _arm(config.timeout)
            result = clean_document(doc, config, rules)
        finally:
            if alarm:
                went_off = _disarm()
        if not went_off:
            return result
    except HardTimeout:
        _disarm()                       # in case the alarm cut the `finally` short
    except Exception as exc:  # a bug or a library failure on this document: isolate it
        return Result.failed(doc.id, f"internal error: {type(exc).__name__}: {exc}", doc.extra)
    finally:
        if guarded is not None:         # the alarm is disarmed by now
            ALARMED.reset(guarded)
    return Result.failed(doc.id, f"cleaning took longer than {config.timeout:g} s "
                                 f"(per-document time limit)", doc.extra)


def clean_item(item: Document | tuple[str, bytes], config: Config, rules, fmt: str,
               summary: Summary, alarm: bool) -> Done:
    """Clean one input item (a Document, or a raw JSONL line) and encode its record."""
    doc = _document(item)
    result = clean_guarded(doc, config, rules, alarm)
    try:
        payload = encode(result, fmt)
    except Exception as exc:  # e.g. a passed-through field that cannot be encoded
        result = Result.failed(doc.id, f"cannot encode the output record: {exc}")
        payload = encode(result, fmt)
    summary.add(result)
    return Done(result.id, payload, result.error)


def clean_records(records: Iterable[dict], config: Config | None = None) -> Iterator[dict]:
    """Clean JSONL-style records (dicts: `text` or `html`, `id`, `url`, `outlet`, any other
    fields), lazily, one output record per input record, in order; for Dask or Spark
    partitions (see README, "Scale"). Rules are loaded once per process.

    A record that cannot be cleaned gives a record with `error`. The per-document time limit
    covers the whole document when this runs on a process's main thread and no one else
    handles SIGALRM; elsewhere the rule engine's own limit on pattern matching applies.
    """
    from .ingest import document_from_record

    config = config or Config()
    rules = prepared(config)
    alarm = alarm_usable() and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
    if alarm:
        signal.signal(signal.SIGALRM, on_alarm)
    try:
        for n, record in enumerate(records):
            rid = record.get("id") if isinstance(record, dict) else None
            doc = document_from_record(str(rid) if rid is not None else f"record-{n}", record)
            yield clean_guarded(doc, config, rules, alarm).to_dict()
    finally:
        if alarm:
            signal.signal(signal.SIGALRM, signal.SIG_DFL)


# --- worker processes ------------------------------------------------------------------------

_worker: dict = {}


def _init_worker(config: Config, fmt: str) -> None:
    """Once per worker process: load the rules, arm the per-document limits."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)       # the main process handles Ctrl-C
    alarm = alarm_usable()                             # not on Windows: the watchdog only
    if alarm:
        signal.signal(signal.SIGALRM, on_alarm)
    _worker.update(config=config, fmt=fmt, rules=prepared(config), started=None, alarm=alarm)
    # SIGALRM cannot interrupt a long call into C code; past KILL_GRACE x the limit this thread
    # ends the process, and the main process reports the record it was working on.
    limit = config.timeout * KILL_GRACE + 1.0
    threading.Thread(target=_watchdog, args=(limit,), daemon=True).start()


def _watchdog(limit: float) -> None:
    while True:
        time.sleep(min(0.5, limit / 4))
        started = _worker.get("started")
        if started is not None and time.monotonic() - started > limit:
            os._exit(70)


def _work(items: list) -> tuple[list[Done], Summary]:
    summary = Summary()
    out = []
    for item in items:
        _worker["started"] = time.monotonic()
        out.append(clean_item(item, _worker["config"], _worker["rules"], _worker["fmt"],
                              summary, alarm=_worker["alarm"]))
        _worker["started"] = None
    return out, summary


def _document(item: Document | tuple[str, bytes]) -> Document:
    return document_from_line(*item) if isinstance(item, tuple) else item


class _Pool:
    """Batches through a process pool, results in input order, a bounded number in flight."""

    def __init__(self, workers: int, config: Config, fmt: str):
        self.workers, self.config, self.fmt = workers, config, fmt
        self.generation = 0
        self.pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        return ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(self.config, self.fmt))

    def _replace(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self._new()
        self.generation += 1

    def _submit(self, batch: list):
        try:
            return self.pool.submit(_work, batch), self.generation
        except BrokenProcessPool:
            self._replace()
            return self.pool.submit(_work, batch), self.generation

    def run(self, batches: Iterable[list]) -> Iterator[tuple[list[Done], Summary]]:
        window: deque = deque()
        limit = 2 * self.workers + 2
        try:
            for batch in batches:
                window.append((batch, *self._submit(batch)))
                while len(window) >= limit:
                    yield self._result(*window.popleft())
            while window:
                yield self._result(*window.popleft())
        finally:
            for _, fut, _ in window:
                fut.cancel()
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _result(self, batch: list, fut, generation: int) -> tuple[list[Done], Summary]:
        try:
            return fut.result()
        except BrokenProcessPool:
            pass
        # A worker died, and every unfinished batch of that pool failed with it. Run this
        # batch's records one at a time in a fresh pool: only the record that kills a worker
        # is lost (it gets an error record).
        if generation == self.generation:
            self._replace()
        summary, out = Summary(), []
        for item in batch:
            fut, _ = self._submit([item])
            try:
                done, part = fut.result()
                out.extend(done)
                summary.merge(part)
            except BrokenProcessPool:
                self._replace()
                doc = _document(item)
                result = Result.failed(doc.id, "the worker process died on this record "
                                       f"(a crash, or stuck past {self.config.timeout:g} s)", doc.extra)
                summary.add(result)
                out.append(Done(result.id, encode(result, self.fmt), result.error))
        return out, summary


# --- output ----------------------------------------------------------------------------------

def open_output(output: str, append: bool = False) -> IO[bytes]:
    """A binary stream for `-o`: stdout, a plain file, or .gz / .zst (compressed on the fly)."""
    if output == "-":
        return sys.stdout.buffer
    mode = "ab" if append else "wb"
    name = output.lower()
    if name.endswith(".gz"):
        return gzip.GzipFile(filename=output, mode=mode, compresslevel=6)
    if name.endswith(".zst"):
        import zstandard

        return zstandard.ZstdCompressor(level=3).stream_writer(open(output, mode), closefd=True)
    return open(output, mode, buffering=WRITE_BUFFER)


class Writer:
    """Writes encoded records; buffers them and hands the stream large writes."""

    def __init__(self, stream: IO[bytes], fmt: str):
        self.stream, self.fmt, self.count = stream, fmt, 0
        self.buffer: list[bytes] = []
        self.size = 0

    def write(self, payload: bytes) -> None:
        if self.fmt == "jsonl":
            payload += b"\n"
        elif self.fmt == "json":
            payload = (b"[\n" if not self.count else b",\n") + payload
        self.buffer.append(payload)
        self.size += len(payload)
        self.count += 1
        if self.size >= WRITE_BUFFER:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.stream.write(b"".join(self.buffer))
            self.buffer.clear()
            self.size = 0

    def close(self) -> None:
        if self.fmt == "json":
            self.buffer.append(b"\n]\n" if self.count else b"[]\n")
        self.flush()
        self.stream.flush()


# --- progress --------------------------------------------------------------------------------

class Progress:
    """One line on stderr, redrawn at most five times a second: documents, docs/s, errors."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.start = self.last = time.monotonic()

    def update(self, summary: Summary, final: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not final and now - self.last < 0.2:
            return
        self.last = now
        rate = summary.documents / max(now - self.start, 1e-9)
        sys.stderr.write(f"\r\x1b[Kcleaner: {summary.documents:,} documents  "
                         f"{rate:,.0f} docs/s  {summary.errors:,} errors")
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()


# --- the run ---------------------------------------------------------------------------------

def done_ids(output: str) -> set[str]:
    """Ids of the records already in an output file (for --resume).

    A plain file whose last line was cut off by an interrupted run is truncated back to its
    last complete record, so what is appended stays valid JSONL.
    """
    path = Path(output)
    if output == "-" or not path.exists():
        return set()
    plain = not output.lower().endswith((".gz", ".zst"))
    if plain:
        with open(path, "rb+") as fh:
            size = fh.seek(0, io.SEEK_END)
            if size:
                fh.seek(max(0, size - (1 << 20)))
                tail = fh.read()
                if not tail.endswith(b"\n"):
                    cut = tail.rfind(b"\n")
                    fh.truncate(size - len(tail) + cut + 1 if cut >= 0 else 0)
    ids = set()
    try:
        with open_binary(path) as fh:
            for raw in io.BufferedReader(fh, buffer_size=1 << 20) if not plain else fh:
                try:
                    rid = loads(raw).get("id")
                except (ValueError, AttributeError):
                    continue        # a cut-off last line of a compressed file: redo that record
                if rid is not None:
                    ids.add(str(rid))
    except (EOFError, OSError):
        pass                        # a compressed file cut off mid-stream: keep what was read
    return ids


def _skip_done(items: Iterator, done: set[str]) -> Iterator:
    for item in items:
        if _document(item).id not in done:
            yield item


def _batched(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run(inputs: Iterable[str], config: Config, *, output: str = "-", fmt: str = "jsonl",
        workers: int = 1, resume: bool = False, progress: bool | None = None,
        stats_file: str | None = None) -> Summary:
    """Clean every input into `output`. `workers`: processes (0: one per core; 1: in this one).

    `progress` None means: a progress line when stderr is a terminal. The end-of-run summary
    goes to stderr when stderr is a terminal or `stats_file` is given (which gets it as JSON).
    """
    rules = prepared(config)
    workers = workers or os.cpu_count() or 1
    if resume and (output == "-" or fmt != "jsonl"):
        raise click.UsageError("--resume needs --output FILE and --format jsonl")
    done = done_ids(output) if resume else set()
    tty = sys.stderr.isatty()
    bar = Progress(tty if progress is None else progress)
    summary = Summary()
    items: Iterator = documents(inputs, sys.stdin.buffer, raw=True, max_chars=config.max_chars)
    if done:
        items = _skip_done(items, done)
    out = open_output(output, append=resume)
    writer = Writer(out, fmt)
    alarm = alarm_usable()
    previous = signal.signal(signal.SIGALRM, on_alarm) if alarm else None
    try:
        if workers == 1:
            for batch in _batched(items, BATCH):
                part = Summary()
                _emit([clean_item(item, config, rules, fmt, part, alarm) for item in batch],
                      part, writer, summary, bar)
        else:
            for results, part in _Pool(workers, config, fmt).run(_batched(items, BATCH)):
                _emit(results, part, writer, summary, bar)
    finally:
        if alarm:
            _disarm()
            signal.signal(signal.SIGALRM, previous)
        writer.close()
        if out is not sys.stdout.buffer:
            out.close()
        bar.update(summary, final=True)
    if stats_file:
        with open(stats_file, "w", encoding="utf-8") as fh:
            json.dump(summary.to_dict(), fh, indent=2)
    if tty or stats_file:
        click.echo(summary.report(), err=True)
    return summary


def _emit(results: list[Done], part: Summary, writer: Writer, summary: Summary,
          bar: Progress) -> None:
    for done in results:
        if done.error:
            if bar.enabled:
                sys.stderr.write("\r\x1b[K")
            click.echo(f"cleaner: {done.id}: {done.error}", err=True)
        writer.write(done.payload)
    summary.merge(part)
    bar.update(summary)
