"""HTML -> text lines + metadata hints, with trafilatura; the rule engine then runs as for text."""
from __future__ import annotations

from .model import Document


def from_html(doc: Document) -> Document:
    """Fill doc.text (one paragraph per line) and doc.hints from doc.html."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        doc.html, url=doc.url, with_metadata=True, include_comments=False,
        include_tables=True, include_images=False, favor_precision=False, deduplicate=False)
    if extracted is None:
        doc.error = "no article text found in the HTML"
        return doc
    data = extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)
    doc.text = data.get("text") or ""
    if not doc.text.strip():
        doc.error = "no article text found in the HTML"
        return doc
    doc.hints = {k: data.get(k) for k in ("title", "author", "date", "sitename", "description")
                 if data.get(k)}
    url = data.get("url") or doc.url
    if url:
        doc.hints["url"] = url
    return doc
