"""Inputs -> Documents: files, directories, JSONL (plain, .gz, .zst), stdin; bytes -> text.

Nothing here raises for a bad record: a record that cannot be read becomes a Document with
`error` set (the CLI reports it in one line and writes an error record), and the batch goes on.
"""
from __future__ import annotations

import codecs
import gzip
import io
import json
from pathlib import Path
from typing import IO, Iterable, Iterator

import regex

from .model import Document

try:  # orjson is several times faster; the standard library is the fallback
    import orjson

    def loads(data: bytes | str):
        return orjson.loads(data)
except ImportError:  # pragma: no cover
    def loads(data: bytes | str):
        return json.loads(data)

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".jsonl.zst", ".ndjson.gz", ".ndjson.zst")
RESERVED = ("id", "text", "html", "url", "outlet")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = regex.compile(rb"""(?i)<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]{2,40})""")
_CONTROL = regex.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_HTML_SNIFF = regex.compile(r"(?i)^\s*(?:<!doctype html|<html\b|<head\b|<body\b|<\?xml[^>]*>\s*<html)")


class InputError(ValueError):
    """A record that cannot be read; the message names the cause for a person."""


def decode(data: bytes, *, html: bool = False) -> tuple[str, str | None]:
    """Decode bytes to text. Returns (text, note) where note names a non-UTF-8 encoding used."""
    if not data.strip():
        raise InputError("empty input")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(codec)), None
            except UnicodeDecodeError as exc:
                raise InputError(f"invalid {codec} after a byte-order mark ({exc.reason})") from None
    if b"\x00" in data[:65536]:
        raise InputError("binary data (NUL bytes), not text")
    try:
        return _checked(data.decode("utf-8")), None
    except UnicodeDecodeError:
        pass
    if html:
        m = _META_CHARSET.search(data[:4096])
        if m:
            try:
                return _checked(data.decode(m.group(1).decode("ascii"))), f"decoded as {m.group(1).decode('ascii')} (HTML meta charset)"
            except (LookupError, UnicodeDecodeError):
                pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.3:
        raise InputError("invalid UTF-8, and no other text encoding fits")
    return _checked(str(best)), f"decoded as {best.encoding} (not valid UTF-8)"


def _checked(text: str) -> str:
    if not text.strip():
        raise InputError("empty input")
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise InputError("binary data (control characters), not text")
    return text


def looks_like_html(text: str) -> bool:
    return bool(_HTML_SNIFF.match(text[:2048]))


def document_from_bytes(id: str, data: bytes, *, html: bool | None = None) -> Document:
    try:
        text, note = decode(data, html=bool(html))
    except InputError as exc:
        return Document(id=id, text="", error=str(exc))
    is_html = looks_like_html(text) if html is None else html
    doc = Document(id=id, text="" if is_html else text, html=text if is_html else None)
    if note:
        doc.warnings.append(note)
    return doc


def document_from_record(id: str, record) -> Document:
    """A JSONL record: `text` or `html`, optional `id`, `url`, `outlet`; the rest passes through."""
    if not isinstance(record, dict):
        return Document(id=id, text="", error=f"record is a JSON {type(record).__name__}, not an object")
    rid = record.get("id")
    rid = str(rid) if rid is not None else id
    extra = {k: v for k, v in record.items() if k not in RESERVED}
    text, html = record.get("text"), record.get("html")
    url = record.get("url") if isinstance(record.get("url"), str) else None
    outlet = record.get("outlet") if isinstance(record.get("outlet"), str) else None
    if isinstance(html, str) and html.strip():
        return Document(id=rid, text="", html=html, url=url, outlet_hint=outlet, extra=extra)
    if not isinstance(text, str):
        return Document(id=rid, text="", extra=extra,
                        error="record has no 'text' (or 'html') string field")
    if not text.strip():
        return Document(id=rid, text="", extra=extra, error="record has an empty 'text' field")
    if looks_like_html(text):
        return Document(id=rid, text="", html=text, url=url, outlet_hint=outlet, extra=extra)
    return Document(id=rid, text=text, url=url, outlet_hint=outlet, extra=extra)


def open_binary(path: Path) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    if name.endswith(".zst"):
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True,
                                                          read_across_frames=True)
    return open(path, "rb")


# JSON may spell one character in up to 12 bytes ('\\ud83d\\ude00'), UTF-8/16/32 in up to 4:
# past these many bytes per allowed character, an input is refused without being read whole.
JSON_BYTES_PER_CHAR = 12
TEXT_BYTES_PER_CHAR = 4


def too_big(id: str, size: int, max_chars: int) -> Document:
    return Document(id=id, text="", error=f"input of {size:,} bytes is certain to be over the "
                                          f"limit of {max_chars:,} characters; not read")


def jsonl_lines(stream: IO[bytes], name: str,
                max_chars: int | None = None) -> Iterator[tuple[str, bytes] | Document]:
    """(fallback id, raw line) for every non-blank line of a JSONL byte stream, lazily.

    With `max_chars`, a line too long to hold a record within it is skipped in chunks (memory
    stays flat) and comes as an error Document instead.
    """
    reader = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream, buffer_size=1 << 20)
    limit = JSON_BYTES_PER_CHAR * max_chars + 64 if max_chars else -1
    lineno = 0
    while raw := reader.readline(limit):
        lineno += 1
        if limit > 0 and len(raw) >= limit and not raw.endswith(b"\n"):
            size = len(raw)
            while raw and not raw.endswith(b"\n"):
                raw = reader.readline(1 << 20)
                size += len(raw)
            yield too_big(f"{name}:{lineno}", size, max_chars)
        elif raw.strip():
            yield f"{name}:{lineno}", raw


def document_from_line(rid: str, raw: bytes) -> Document:
    """One JSONL line; a malformed line becomes an error Document."""
    try:
        record = loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return Document(id=rid, text="", error=f"malformed JSON line ({str(exc).splitlines()[0][:80]})")
    return document_from_record(rid, record)


def jsonl_documents(stream: IO[bytes], name: str, max_chars: int | None = None) -> Iterator[Document]:
    """Stream records from a JSONL byte stream; a malformed line becomes an error Document."""
    for item in jsonl_lines(stream, name, max_chars):
        yield item if isinstance(item, Document) else document_from_line(*item)


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(HTML_SUFFIXES):
        return "html"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    if name.endswith((".warc", ".warc.gz", ".arc.gz")):
        return "warc"
    return None


def expand(inputs: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(name, kind) for every input: directories are walked for known file types."""
    for item in inputs:
        if item == "-":
            yield item, "stdin"
            continue
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                kind = _kind(child)
                if kind:
                    yield str(child), kind
        else:
            yield item, _kind(path) or "text"


def documents(inputs: Iterable[str], stdin: IO[bytes] | None = None, *,
              raw: bool = False, max_chars: int | None = None) -> Iterator[Document | tuple[str, bytes]]:
    """Every article of every input, in order, as a lazy stream.

    With `raw=True`, JSONL lines come as (fallback id, bytes) pairs instead of Documents, to be
    turned into Documents later by `document_from_line` (batch workers parse them in parallel).
    With `max_chars`, an input certain to be longer is an error Document, without being read.
    """
    lines = jsonl_lines if raw else jsonl_documents
    cap = TEXT_BYTES_PER_CHAR * max_chars if max_chars else None
    for name, kind in expand(inputs):
        if kind == "stdin":
            stream = _peekable(stdin if stdin is not None else io.BytesIO())
            if stream.peek(4096).lstrip()[:1] == b"{":
                yield from lines(stream, "-", max_chars)   # streamed: memory stays flat
            else:
                data = stream.read(cap + 1) if cap else stream.read()
                yield too_big("-", len(data), max_chars) if cap and len(data) > cap \
                    else document_from_bytes("-", data)
            continue
        path = Path(name)
        if not path.exists():
            yield Document(id=name, text="", error="no such file or directory")
            continue
        try:
            if kind == "jsonl":
                with open_binary(path) as fh:
                    yield from lines(fh, name, max_chars)
            elif kind == "warc":
                from .warc import warc_documents

                yield from warc_documents(path)
            elif cap and path.stat().st_size > cap:
                yield too_big(name, path.stat().st_size, max_chars)
            else:
                yield document_from_bytes(name, path.read_bytes(), html=True if kind == "html" else None)
        except OSError as exc:
            yield Document(id=name, text="", error=f"cannot read: {exc.strerror or exc}")


def _peekable(stream: IO[bytes]) -> io.BufferedReader:
    if isinstance(stream, io.BufferedReader):
        return stream
    return io.BufferedReader(stream, buffer_size=1 << 20)  # type: ignore[arg-type]
