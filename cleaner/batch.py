"""Batch runs: stream documents in, clean them, stream records out, count what was removed."""
from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Iterable

import click

from .ingest import documents
from .model import Config, Result
from .pipeline import clean_document, ruleset

try:
    import orjson

    def dumps(record: dict) -> bytes:
        return orjson.dumps(record)
except ImportError:  # pragma: no cover
    def dumps(record: dict) -> bytes:
        return json.dumps(record, ensure_ascii=False).encode("utf-8")


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

    def to_dict(self) -> dict:
        return {"documents": self.documents, "errors": self.errors,
                "documents_with_warnings": self.warnings,
                "removed_per_category": dict(self.categories.most_common()),
                "hits_per_rule": dict(self.rules.most_common())}


class Writer:
    def __init__(self, stream: IO[bytes], fmt: str):
        self.stream, self.fmt, self.count = stream, fmt, 0

    def write(self, result: Result) -> None:
        if self.fmt == "jsonl":
            self.stream.write(dumps(result.to_dict()) + b"\n")
        elif self.fmt == "json":
            self.stream.write((b"[\n" if not self.count else b",\n") + dumps(result.to_dict()))
        else:
            head = f"=== {result.id}" + (f"  [error: {result.error}]" if result.error else "")
            self.stream.write((head + "\n" + result.body + "\n\n").encode("utf-8"))
        self.count += 1

    def close(self) -> None:
        if self.fmt == "json":
            self.stream.write(b"\n]\n" if self.count else b"[]\n")
        self.stream.flush()


def run(inputs: Iterable[str], config: Config, *, output: str = "-", fmt: str = "jsonl",
        workers: int = 1, resume: bool = False, progress: bool | None = None,
        stats_file: str | None = None) -> Summary:
    rules = ruleset(config)
    summary = Summary()
    out = sys.stdout.buffer if output == "-" else open(output, "wb")
    writer = Writer(out, fmt)
    try:
        for doc in documents(inputs, sys.stdin.buffer):
            result = clean_document(doc, config, rules)
            if result.error:
                click.echo(f"cleaner: {result.id}: {result.error}", err=True)
            writer.write(result)
            summary.add(result)
    finally:
        writer.close()
        if out is not sys.stdout.buffer and output != "-":
            out.close()
    if stats_file:
        with open(stats_file, "w", encoding="utf-8") as fh:
            json.dump(summary.to_dict(), fh, indent=2)
    return summary
