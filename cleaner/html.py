"""HTML -> text lines + metadata hints, with trafilatura; the rule engine then runs as for text.

The page is parsed once. Before trafilatura flattens it, `structure()` reads what only the markup
says about the short blocks of the page: which texts are picture captions (a `<figcaption>`, an
element whose class or id names a caption or credit, the text beside a picture in its wrapper),
which are links to other stories of the same site (the whole block is one link), and which are
the page's `<h1>` headlines. Those texts go into `doc.hints`; the detectors named there
(cleaner/detectors.py) remove an extracted line only when its whole text is one of them. A text
that the page also prints as ordinary prose (a paragraph that is not a link, a caption or a
picture's label) is never put in the hints.
"""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import regex

from .detectors import LINK_WORDS, block_key, slug_words
from .model import Document
from .segment import lines_of

MEDIA = frozenset({"img", "picture", "video", "svg", "iframe"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Blocks whose text is the article's own when it is not a link: a picture beside it does not
# make such a text a caption (an emoji or icon inline in a paragraph).
PROSE = frozenset({"p", "blockquote", "li", "td", "th", "dd", "dt"}) | HEADINGS
_CAPTION = regex.compile(r"(?i)caption|credit")
_STANDFIRST = regex.compile(r"(?i)\bdek\b|standfirst|strapline|sub-?(?:title|head)|summary|excerpt")
MAX_CHARS = 600         # longer texts are not captions or links; their elements are not read
ANCESTORS = 3           # how far above a block its caption container may be


def from_html(doc: Document, fallback: bool = True) -> Document:
    """Fill doc.text (one paragraph per line) and doc.hints from doc.html. `fallback`: let
    trafilatura try its fallback extractors when its own result looks poor."""
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(doc.html)
    if tree is None:
        doc.error = "no article text found in the HTML"
        return doc
    # trafilatura works on its own copy of the tree, which stays whole for structure()
    extracted = trafilatura.bare_extraction(
        tree, url=doc.url, with_metadata=True, include_comments=False, include_tables=True,
        include_images=False, favor_precision=False, deduplicate=False, fast=not fallback)
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
    # only the texts of extracted lines can matter
    keys = {block_key(line.text) for line in lines_of(doc.text)}
    for name, texts in structure(tree, doc.url or _canonical(tree), keys).items():
        if texts:
            doc.hints[name] = frozenset(texts)
    return doc


def structure(tree, page_url: str | None, keys: set[str] | None = None) -> dict[str, set[str]]:
    """What the markup says about the page's short blocks, as sets of texts folded with
    `block_key` (only those in `keys`, when given: the extracted lines):

    - `captions`: texts of figcaptions, of elements whose class/id names a caption or credit
      (or that sit in one), and of picture wrappers whose only text is this one;
    - `story_links`: blocks whose whole text is one link to another page of the same site whose
      path carries a headline slug (a related-story link), unless the link sits inside a heading;
    - `other_story_links`: the same, to a page of another site (a sister site's stories);
    - `headings`: the texts of the page's `<h1>` elements;
    - `paragraphs`: texts printed as ordinary prose: not a heading, link, caption, or a block
      whose class names a standfirst (dek, summary, subtitle...).

    A text that also appears as plain prose anywhere on the page is in none of the first two.
    """
    from lxml import etree

    elements = list(tree.iter(etree.Element))       # elements only: no comments
    size, raw = _texts(elements)
    hidden = {d for h in tree.iter("script", "style", "noscript", "template") for d in h.iter()}
    texts: dict = {}
    for el in elements:
        if el in hidden:
            continue
        if 0 < size[el] <= MAX_CHARS:
            t = block_key(raw[el])
            if t:
                texts[el] = t
    captions, links, elsewhere, prose, paragraphs = set(), set(), set(), set(), set()
    page = _site_of(page_url)
    for el, t in texts.items():
        parent = el.getparent()
        if parent is not None and texts.get(parent) == t:
            continue                        # not the outermost element holding this text
        if keys is not None and t not in keys:
            continue
        chain = _chain(el, t, texts)
        tags = [c.tag for c in chain]
        link = _link_of(el, chain, t, texts)
        if _is_caption(el, chain, tags, link, texts):
            captions.add(t)
        elif link is not None:
            lo, hi = LINK_WORDS
            kind = _story_kind(link, page_url, page) if lo <= len(t.split()) <= hi else None
            if kind == "same":
                links.add(t)
            elif kind == "other":
                elsewhere.add(t)
        else:
            prose.add(t)
            if not HEADINGS.intersection(tags) and not any(
                    _STANDFIRST.search(_attrs(e)) for e in (*chain, *_up(el, 2))):
                paragraphs.add(t)
    headings = {block_key(h.text_content()) for h in tree.iter("h1")}
    return {"captions": captions - prose, "story_links": links - prose - captions,
            "other_story_links": elsewhere - prose - captions - links,
            "headings": {h for h in headings if h}, "paragraphs": paragraphs}


def _canonical(tree) -> str | None:
    for xpath in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        found = tree.xpath(xpath)
        if found and str(found[0]).startswith(("http://", "https://")):
            return str(found[0])
    return None


def _texts(elements) -> tuple[dict, dict]:
    """Characters of text under each element, and the text itself (its text_content()) where
    that is at most MAX_CHARS long, put together bottom-up: no text_content() per element,
    each of which would walk the element's whole subtree again."""
    size: dict = {}
    raw: dict = {}
    for el in reversed(elements):       # children come before their parents
        text = el.text or ""
        n = len(text)
        parts = [text]
        for child in el:                # a comment adds its tail, not its own text
            tail = child.tail or ""
            n += size.get(child, 0) + len(tail)
            parts.append(raw.get(child, ""))
            parts.append(tail)
        size[el] = n
        if n <= MAX_CHARS:
            raw[el] = "".join(parts)
    return size, raw


def _chain(top, t: str, texts: dict) -> list:
    """The element and the nested elements below it that hold the same whole text
    (p > strong > a)."""
    chain, el = [top], top
    while True:
        same = [c for c in el if isinstance(c.tag, str) and texts.get(c) == t]
        if len(same) != 1:
            return chain
        el = same[0]
        chain.append(el)


def _link_of(top, chain: list, t: str, texts: dict):
    """The <a href> that makes this block a link (the block's whole text is the link's), or None."""
    for el in chain:
        if el.tag == "a" and el.get("href"):
            return el
    for anc in top.iterancestors():
        if anc.tag == "a" and anc.get("href"):
            return anc
        if anc not in texts:            # past the short blocks: not a card around this text
            break
    anchors = [a for a in top.iter("a") if a.get("href") and a in texts]
    linked = sum(len(texts[a]) for a in anchors)
    if anchors and linked >= 0.9 * len(t):
        return max(anchors, key=lambda a: len(texts[a]))
    return None


def _is_caption(top, chain: list, tags: list, link, texts: dict) -> bool:
    if any(tag in ("figcaption", "figure") or _CAPTION.search(_attrs(el))
           for tag, el in zip(tags, chain)):
        return True
    for k, anc in enumerate(top.iterancestors()):
        if k >= ANCESTORS or anc not in texts:
            break
        if anc.tag in ("figcaption", "figure") or _CAPTION.search(_attrs(anc)):
            return True
    # the text beside a picture in its wrapper, when the wrapper holds nothing else
    return (link is None and not PROSE.intersection(tags)
            and any(isinstance(m.tag, str) and m.tag in MEDIA for m in top.iter()))


def _up(el, n: int) -> list:
    out = []
    for anc in el.iterancestors():
        if len(out) == n:
            break
        out.append(anc)
    return out


def _attrs(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _story_kind(link, page_url: str | None, page: str | None) -> str | None:
    """'same' for a link to another story of the same site (another path, a headline slug in
    it), 'other' for a story on another site, None otherwise. A link inside a heading is the
    heading of a list entry or of the article itself: not one."""
    if any(a.tag in HEADINGS for a in link.iterancestors()):
        return None
    href = (link.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    target = urljoin(page_url or "", href)
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if page_url and parts.path.rstrip("/") == urlsplit(page_url).path.rstrip("/"):
        return None                     # the page itself
    if not slug_words(target):
        return None
    return "same" if page is not None and _site_of(target) == page else "other"


def _site_of(url: str | None) -> str | None:
    """The registrable part of a URL's host ('www.bbc.co.uk' -> 'bbc.co.uk'), by the Public
    Suffix List (tldextract's bundled copy: no network, no cache on disk); the host itself when
    it has no public suffix ('localhost')."""
    global _EXTRACT
    if not url:
        return None
    if _EXTRACT is None:
        import tldextract

        _EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    return _EXTRACT(host).top_domain_under_public_suffix or host or None


_EXTRACT = None
