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
_UTF8_MULTIBYTE = regex.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_ASCII_SPACE = regex.compile(rb"[ \t\r\n]")
_CONTROL_BYTES = regex.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL = regex.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_HTML_SNIFF = regex.compile(r"(?i)^\s*(?:<!doctype html|<html\b|<head\b|<body\b|<\?xml[^>]*>\s*<html)")


class InputError(ValueError):
    """A record that cannot be read; the message names the cause for a person."""


def decode(data: bytes, *, html: bool = False) -> tuple[str, str | None]:
    """Decode bytes to text. Returns (text, note); the note says how, when it was not plain UTF-8.

    In order: a byte-order mark (UTF-8/16/32); UTF-16 without one (every other byte NUL); UTF-8;
    an HTML page's meta charset; UTF-8 with a few damaged bytes (replaced by U+FFFD); else the
    encoding charset-normalizer finds (cp1252 on a tie, the web's default for Latin text). Text
    that is mostly control characters or NULs is binary data, an InputError.
    """
    if not data.strip():
        raise InputError("empty input")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(codec)), None
            except UnicodeDecodeError as exc:
                raise InputError(f"invalid {codec} after a byte-order mark ({exc.reason})") from None
    sample = data[:65536]
    if b"\x00" in sample:
        wide = _utf16_without_bom(sample)
        if wide:
            try:
                return _checked(data.decode(wide)), f"decoded as {wide} (no byte-order mark)"
            except UnicodeDecodeError:
                pass
    if len(_CONTROL_BYTES.findall(sample)) > max(8, len(sample) // 100):
        what = "NUL bytes" if b"\x00" in sample else "control characters"
        raise InputError(f"binary data ({what}), not text")
    try:
        return _checked(data.decode("utf-8")), None
    except UnicodeDecodeError:
        pass
    if html or looks_like_html(sample[:2048].decode("ascii", "ignore")):
        m = _META_CHARSET.search(data[:4096])
        if m:
            name = m.group(1).decode("ascii")
            try:
                return _checked(data.decode(name)), f"decoded as {name} (HTML meta charset)"
            except (LookupError, UnicodeDecodeError):
                pass
    good = len(_UTF8_MULTIBYTE.findall(data))
    if good:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
        if bad < good:
            return _checked(text), (f"{bad} invalid UTF-8 byte sequence{'s' if bad > 1 else ''} "
                                    f"replaced with U+FFFD")
    from charset_normalizer import from_bytes

    # Every legacy encoding worth trying spells spaces and newlines in ASCII; bytes with none
    # of them decode "fine" as cp949 or EBCDIC, but they are not text.
    found = from_bytes(data) if len(data) < 64 or _ASCII_SPACE.search(sample) else None
    best = found.best() if found else None
    if best is None or best.chaos > 0.3 or (best.coherence == 0 and best.chaos > 0.1):
        raise InputError("invalid UTF-8, and no other text encoding fits")
    tied = [m for m in found if m.chaos <= best.chaos and m.coherence >= best.coherence]
    best = next((m for m in tied if m.encoding == "cp1252"), best)
    if best.encoding != "cp1252" and all(a.startswith(("Basic Latin", "Latin", "General Punct",
                                                         "Currency", "Control"))
                                         for a in best.alphabets):
        # Latin-script text: charset-normalizer often names cp1250/cp775 for short cp1252 or
        # latin-1 text ('naïve' -> 'naďve'); cp1252 is the web's default, so it wins when it
        # reads cleanly (Polish does not: 'Za¿ó³æ'; Lithuanian cp1257 can: a known trade-off).
        from charset_normalizer.md import mess_ratio

        try:
            western = data.decode("cp1252")
        except UnicodeDecodeError:
            western = None
        if western is not None and mess_ratio(western, 1.0) <= 0.1:
            return _checked(western), "decoded as cp1252 (not valid UTF-8)"
    return _checked(str(best)), f"decoded as {best.encoding} (not valid UTF-8)"


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NULs sit on one side of the byte pairs (mostly-ASCII text)."""
    even, odd = sample[0::2], sample[1::2]
    if not odd:
        return None
    share_even, share_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if share_odd > 0.4 and share_even < 0.05:
        return "utf-16-le"
    if share_even > 0.4 and share_odd < 0.05:
        return "utf-16-be"
    return None


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
        if lineno == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)     # a BOM is not part of the first record
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
            if stream.peek(4096).removeprefix(codecs.BOM_UTF8).lstrip()[:1] == b"{":
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
