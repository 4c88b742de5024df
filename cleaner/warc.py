"""WARC files (.warc, .warc.gz) -> Documents: the HTML pages a crawl fetched, one by one.

Each `response` record with HTTP status 200 and an HTML content type becomes a Document: id
is the WARC-Record-ID (else the target URI), url the WARC-Target-URI, html the decoded payload.
Other records (requests, metadata, redirects, images, ...) are not articles and are skipped.
A record that cannot be read becomes a Document with `error`; a file that cannot be parsed
from some point on gives one error Document for the rest of it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from .ingest import document_from_bytes
from .model import Document

HTML_TYPES = ("text/html", "application/xhtml+xml")


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip(" \"'"):
            return value.strip(" \"'")
    return None


def _document(record) -> Document | None:
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    rid = headers.get_header("WARC-Record-ID") or url or "warc-record"
    http = record.http_headers
    if http is None or http.get_statuscode() != "200":
        return None
    content_type = (http.get_header("Content-Type") or "").lower()
    if not content_type.startswith(HTML_TYPES):
        return None
    try:
        data = record.content_stream().read()    # undoes chunked and gzip/deflate encoding
    except Exception as exc:  # warcio raises several kinds on a damaged payload
        return Document(id=rid, text="", url=url, error=f"cannot read the WARC record: {exc}")
    charset = _charset(content_type)
    doc = None
    if charset and charset.replace("-", "").replace("_", "") not in ("utf8", "usascii"):
        try:
            text = data.decode(charset)
            if text.strip():
                doc = Document(id=rid, text="", html=text)
        except (LookupError, UnicodeDecodeError):
            pass
    if doc is None:
        doc = document_from_bytes(rid, data, html=True)
    doc.url = url
    return doc


def warc_documents(path: Path | str) -> Iterator[Document]:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as fh:
        records = ArchiveIterator(fh)
        while True:
            try:
                record = next(records)
            except StopIteration:
                return
            except Exception as exc:  # ArchiveLoadFailed, zlib.error, EOFError, ...: damaged file
                yield Document(id=f"{path}@{fh.tell()}", text="",
                               error=f"cannot parse the WARC file from here on: {exc}")
                return
            doc = _document(record)
            if doc is not None:
                yield doc
