"""Rules that need the whole article, not one line: named here, declared in rules/ as data.

A detector rule in a TOML file says `detector = "<name>"` instead of `pattern`; it carries an
id, a category and pass/fail examples like any other rule. Each detector looks at the lines the
pattern rules left and returns the indexes of the lines it removes. They run in the order below.
"""
from __future__ import annotations

from typing import Callable, Protocol

import regex

from .model import Document, Line
from .segment import ends_sentence, normalise, words


class View(Protocol):
    """What a detector may read: the document, its lines, and which ones are already removed."""

    doc: Document
    lines: list[Line]
    removed: dict  # line index -> Rule that removed it
    head_lines: int
    tail_lines: int
    sizes: dict[str, int]       # line text -> words(), filled as asked (see words_of)
    norms: dict[str, str]       # line text -> normalise(), filled as asked (see norm_of)

    def rule_of(self, index: int): ...

    def kept(self) -> list[Line]:
        """The lines not removed, with the text the body shows for them, in order."""
        ...


def words_of(view: View, text: str) -> int:
    """words(text), counted once per document: detectors look at the same lines each round."""
    n = view.sizes.get(text)
    if n is None:
        n = view.sizes[text] = words(text)
    return n


def norm_of(view: View, text: str) -> str:
    """normalise(text), once per document."""
    folded = view.norms.get(text)
    if folded is None:
        folded = view.norms[text] = normalise(text)
    return folded


# emoji and other symbols a line may close with after its punctuation ('... on KLOOK! 🙂')
_TRAILING_SYMBOLS = regex.compile(r"[\s\p{So}\p{Sk}\p{Cf}\p{Mn}]+$")


def _title_like(text: str) -> bool:
    n = words(text)
    text = _TRAILING_SYMBOLS.sub("", text) or text
    # headlines may ask or exclaim ('Is Football Violence a Crime?'), but do not end in a full stop
    asks = text.rstrip("'\"’”").endswith(("?", "!")) and n <= 20
    return (2 <= n <= 30 and len(text) <= 250 and (asks or not ends_sentence(text))
            and not text[0].islower() and any(c.isalpha() for c in text))


def title(view: View) -> list[int]:
    """The headline: the first line left, when it reads like one.

    When the title is already known (HTML metadata, an input field) only a line equal to it
    or to one of the page's `<h1>` headlines goes; otherwise the line must be short, must not end like a sentence, and text must follow.
    """
    kept = view.kept()
    if not kept:
        return []
    first = kept[0]
    hints = view.doc.hints
    headings = hints.get("headings", ())
    for line in kept[:3] if headings else ():
        # the page's <h1>, which may differ from its <title>; above it at most a short label
        # (a kicker or section name: 'Review', 'immunology'), which stays
        if words(line.text) >= 2 and block_key(line.text) in headings:
            return [line.index]
        if words(line.text) > 3 or ends_sentence(line.text):
            break
    known = hints.get("title")
    if known:
        return [first.index] if _same_title(first.text, known) else []
    url = url_of(view.doc)
    return [first.index] if would_be_title(kept, url) or _header_only(view, kept, url) else []


def _header_only(view: View, kept: list[Line], url: str | None) -> bool:
    """Whether the lines left are only the header of a page whose story the extractor lost: a
    headline, at most one standfirst, and under them byline or date lines that the metadata
    rules took. Then no text follows the headline, but it is one all the same."""
    if not 1 <= len(kept) <= 2 or not _title_like(kept[0].text):
        return False
    slug = slug_words(url)
    if slug and not _matches_slug(kept[0].text, slug):
        return False
    if len(kept) == 2:
        text = kept[1].text
        if not 3 <= words(text) <= 60 or text[0].islower() or ends_sentence(text):
            return False
    return any(i > kept[0].index and rule.category == "metadata" and rule.detector is None
               for i, rule in view.removed.items())


def url_of(doc: Document) -> str | None:
    return doc.url or doc.hints.get("url")


def _same_title(line: str, known: str) -> bool:
    a, b = normalise(line), normalise(known)
    return a == b or (len(a) > 20 and (b.startswith(a) or a.startswith(b)))


_HOST = regex.compile(r"^[a-z]+://[^/]+")
_EXTENSION = regex.compile(r"\.[a-z0-9]{2,5}$")
_SLUG_SEP = regex.compile(r"[-_+]")
_SLUG_WORD = regex.compile(r"\p{L}[\p{L}\p{N}']*")


def slug_words(url: str | None) -> set[str]:
    """The words of a headline slug in a URL path ('/us-strikes-iraq-syria-612478' -> us,
    strikes, iraq, syria); empty when the path has no slug of at least three words."""
    if not url:
        return set()
    path = _HOST.sub("", url.lower()).split("?")[0].split("#")[0]
    best: list[str] = []
    for part in path.split("/"):
        part = _EXTENSION.sub("", part)
        tokens = [t for t in _SLUG_SEP.split(part) if _SLUG_WORD.fullmatch(t)]
        if len(tokens) > len(best):
            best = tokens
    return set(best) if len(best) >= 3 else set()


_WORD = regex.compile(r"\p{L}[\p{L}\p{N}']*")
_LETTERS = regex.compile(r"\p{L}[\p{L}'’]*")


def _matches_slug(text: str, slug: set[str]) -> bool:
    """Whether a line shares at least half of the URL slug's words (a headline and its slug)."""
    found = set(_WORD.findall(normalise(text)))
    return len(slug & found) >= max(2, len(slug) // 2)


def would_be_title(kept: list[Line], url: str | None = None) -> bool:
    """Whether the first of these lines reads like a headline over the text that follows
    (and, when the article's URL has a headline slug, shares its words)."""
    if not kept or not _title_like(kept[0].text):
        return False
    slug = slug_words(url)
    if slug and not _matches_slug(kept[0].text, slug):
        return False
    rest = words(" ".join(ln.text for ln in kept[1:]))
    return rest >= 2 * words(kept[0].text)


_BARE_URL = regex.compile(r"^(?:https?://|www\.)\S+$", regex.IGNORECASE)
OWN_URL_NEIGHBOUR_WORDS = 30


_SCHEME_WWW = regex.compile(r"^(?:[a-z]+://)?(?:www\.)?")


def _url_key(url: str) -> str:
    """A URL folded for comparing: no scheme, 'www.', query, fragment or closing slash."""
    url = _SCHEME_WWW.sub("", url.strip().lower(), count=1)
    return url.split("#")[0].split("?")[0].rstrip("/")


def own_url(view: View) -> list[int]:
    """A line that is nothing but the article's own address, as share and print widgets leave
    it: the document's URL, or a URL of the same site (any site when the document's URL is not
    known) whose headline slug is the headline printed right above or below it. A URL the
    story cites (another site, or its slug not the neighbouring line's words) stays."""
    kept = view.kept()
    bare = [k for k, line in enumerate(kept) if _BARE_URL.match(line.text)]
    if not bare:
        return []
    own = url_of(view.doc)
    own = _url_key(own) if own else None
    out = []
    for k in bare:
        line = kept[k]
        key = _url_key(line.text)
        if own and key == own:
            out.append(line.index)
            continue
        if own and key.split("/")[0] != own.split("/")[0]:
            continue
        slug = slug_words(line.text if "://" in line.text else "http://" + line.text)
        near = kept[max(0, k - 1):k] + kept[k + 1:k + 2]
        if slug and any(not _BARE_URL.match(n.text) and words(n.text) <= OWN_URL_NEIGHBOUR_WORDS
                        and _matches_slug(n.text, slug) for n in near):
            out.append(line.index)
    return out


def subtitle(view: View) -> list[int]:
    """The standfirst: the line left right after the title, when it reads like one.

    Either it does not end like a sentence, or it sits between the title and a byline/date line.
    """
    titles = [i for i, r in view.removed.items() if r.detector == "title"]
    if not titles:
        return []
    t = titles[0]
    following = [ln for ln in view.kept() if ln.index > t]
    if not following:
        return []
    line = following[0]
    if not 3 <= words(line.text) <= 60 or line.text[0].islower():
        return []
    hints = view.doc.hints
    known = hints.get("description")
    # CMSs copy the first paragraph into the description: printed as prose, it is the lede
    if known and normalise(known) == normalise(line.text) \
            and block_key(line.text) not in hints.get("paragraphs", ()):
        return [line.index]
    after = view.rule_of(line.index + 1)
    if after is not None and after.category == "metadata" and after.detector is None:
        return [line.index]
    return [line.index] if would_be_subtitle(following) else []


def would_be_subtitle(following: list[Line]) -> bool:
    """Whether the first of these lines (those after a headline) reads like a standfirst on
    its own: short, not ending like a sentence, with text after it."""
    if len(following) < 2:
        return False
    text = following[0].text
    return 8 <= words(text) <= 60 and not text[0].islower() and not ends_sentence(text)


def adjacent_duplicate(view: View) -> list[int]:
    """A line printed twice in a row (image alt text and caption): both copies go.

    "In a row" in the input, or among the lines left once the others are removed."""
    out: list[int] = []
    kept = view.kept()
    for pairs in (zip(view.lines, view.lines[1:]), zip(kept, kept[1:])):
        for prev, line in pairs:
            # equal after normalise() means an equal number of words
            n = words_of(view, line.text)
            if (n >= 5 and words_of(view, prev.text) == n
                    and norm_of(view, prev.text) == norm_of(view, line.text)
                    and any(c.islower() for c in line.text)):
                out.extend(i for i in (prev.index, line.index)
                           if i not in view.removed and i not in out)
    return out


def pullquote(view: View) -> list[int]:
    """A short fragment without a full stop that the article quotes inside a longer paragraph:
    a pull-quote or highlighted phrase that the extractor kept as a line of its own. The
    repeat must stand in quotation marks: an unquoted repeat is usually a name or a subhead."""
    kept = view.kept()
    sizes = [words_of(view, ln.text) for ln in kept]
    short = [k for k, ln in enumerate(kept) if 2 <= sizes[k] <= 8 and not ends_sentence(ln.text)]
    if not short:
        return []
    # every text a fragment could stand in (4 words or more), folded, in one string: most
    # fragments are not there at all, and the others are found where they are
    longs = [k for k in range(len(kept)) if sizes[k] >= 4]
    longer = "\n".join([norm_of(view, kept[k].text) for k in longs])
    out = []
    for k in short:
        n, frag = sizes[k], norm_of(view, kept[k].text)
        if longer.count(frag) < 1 + (n >= 4):     # (its own line is in `longer` from 4 words)
            continue
        p = longer.find(frag)
        while p >= 0:           # each place it stands, in a line twice as long, not its own
            host = longs[longer.count("\n", 0, p)]
            if host != k and sizes[host] >= 2 * n and _quoted(longer, p, len(frag)):
                out.append(kept[k].index)
                break
            p = longer.find(frag, p + 1)
    return out


def _quoted(text: str, p: int, size: int) -> bool:
    """Whether the fragment at text[p:p + size] stands in quotation marks on its line (folded
    text: one space between words): a quote before it ('"fragment', '" fragment') or after it
    ('fragment"', 'fragment, "'...)."""
    before = p - 1 if p > 0 and text[p - 1] == " " else p
    if before > 0 and text[before - 1] in _QUOTE_MARKS:
        return True
    q = p + size
    if q < len(text) and text[q] in ".,!?":
        q += 1
    if q < len(text) and text[q] == " ":
        q += 1
    return q < len(text) and text[q] in _QUOTE_MARKS


_QUOTE_MARKS = "\"'"


_BULLET = regex.compile(r"^[-–•*·▪►]\s+\S")


def link_list(view: View) -> list[int]:
    """A bulleted list of headlines closing the article ('- Moon Rush: Private Lunar Lander
    Plans'): three or more bulleted lines in a row in the tail, each of 4 to 30 words,
    capitalised, none ending in a full stop, and either all in Title Case or closing the
    article; the whole list within the tail. Bullet points of the story end in full stops, or
    are followed by more story, or run longer than a list of links."""
    kept = view.kept()
    tail = kept[max(0, len(kept) - view.tail_lines):]
    run: list[Line] = []
    for line in tail:
        item = line.text[1:].strip()
        if _BULLET.match(line.text) and 4 <= words(item) <= 30 and (item[0].isupper() or item[0].isdigit()) \
                and not item.rstrip("'\"’”)").endswith("."):
            run.append(line)
        elif len(run) >= 3 and all(_headline_case(ln.text) for ln in run):
            break                       # a list of Title Case headlines, wherever in the tail
        else:
            run = []
    # otherwise the list must close the article: a list followed by text is part of the story.
    # Either way the whole list must be in sight: one that starts above the tail is longer than
    # a list of links runs (a table of results, teams, steps), and part of the story.
    if run and run[0] is tail[0] and len(kept) > len(tail):
        return []
    return [ln.index for ln in run] if len(run) >= 3 else []


def _headline_case(text: str) -> bool:
    """Title Case, as headlines are written: most words of four letters or more capitalised."""
    long = [w for w in _LETTERS.findall(text) if len(w) >= 4]
    return len(long) >= 2 and sum(w[0].isupper() for w in long) >= 0.75 * len(long)


_DECOR = regex.compile(r"^(?:[-–•*·▪►|]\s*)+|(?:\s*\|)+$")
_DECOR_CHARS = frozenset("-–•*·▪►|")


def block_key(text: str) -> str:
    """A line or an HTML block's text, folded for comparing the two: the list bullet or table
    bars an extractor adds are dropped, then case, quotes and spacing are ignored."""
    text = text.strip()
    if text[:1] in _DECOR_CHARS or text.endswith("|"):
        text = _DECOR.sub("", text)
    return normalise(text)


# Detectors that read the page's structure. They find texts in `doc.hints`, which only the
# HTML path fills (cleaner/html.py): for text input they remove nothing. A line goes only when
# its whole text is one of those texts; html.py leaves out any text the page also prints as
# plain prose.
CAPTION_MAX_WORDS = 40
LINK_WORDS = (4, 30)
LINK_RUN = 3                # links to stories on another site go only this many in a row


def html_caption(view: View) -> list[int]:
    """A line whose whole text is, on the page, a picture caption or credit: a `<figcaption>`,
    an element whose class or id names a caption or credit, or the only text in a picture's
    wrapper."""
    captions = view.doc.hints.get("captions")
    if not captions:
        return []
    return [ln.index for ln in view.kept()
            if words(ln.text) <= CAPTION_MAX_WORDS and block_key(ln.text) in captions]


def html_story_link(view: View) -> list[int]:
    """A line whose whole text is, on the page, one link to another story (a headline slug in
    its path): of the same site, a related-story link between or after the paragraphs; of any
    site, three or more such lines in a row (a list of links). Only headline-sized lines (4 to
    30 words) that do not end in a full stop."""
    hints = view.doc.hints
    same = hints.get("story_links", frozenset())
    other = hints.get("other_story_links", frozenset())
    if not same and not other:
        return []
    lo, hi = LINK_WORDS
    out: list[int] = []
    run: list[int] = []
    for ln in [*view.kept(), None]:
        key = None
        if ln is not None and lo <= words(ln.text) <= hi \
                and not ln.text.rstrip("'\"’”)").endswith("."):
            key = block_key(ln.text)
        if key is not None and key in same:
            out.append(ln.index)
        if key is not None and (key in same or key in other):
            run.append(ln.index)
            continue
        if len(run) >= LINK_RUN:
            out.extend(i for i in run if i not in out)
        run = []
    return out


DETECTORS: dict[str, Callable[[View], list[int]]] = {
    "html_caption": html_caption,
    "html_story_link": html_story_link,
    "link_list": link_list,
    "adjacent_duplicate": adjacent_duplicate,
    "own_url": own_url,
    "title": title,
    "subtitle": subtitle,
    "pullquote": pullquote,
}
