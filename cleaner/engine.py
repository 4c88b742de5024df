"""Apply rules to a segmented document: outlet rules and generic rules, then detectors.

The outlet's rules run first (they know the page best), then the generic ones; each set runs
phase by phase (chrome, legal, donation, promo, related, caption, metadata). A removed line is
not looked at again.
Then the detectors run over what is left. Finally the over-stripping guard checks the share of
words removed and, past the limit, keeps the text and says so in a warning.
"""
from __future__ import annotations

from collections import Counter

from .detectors import DETECTORS, words_of
from .limits import DocumentTimeout, deadline as deadline_in, remaining
from .metadata import agencies_in
from .model import Config, Document, Hit, Line
from .prefilter import Screened, for_document
from .rules import PHASES, Rule, RuleSet
from .segment import ends_sentence, sizes, words


class _View:
    """The state detectors read (see detectors.View)."""

    def __init__(self, doc: Document, head_lines: int, tail_lines: int = 15):
        self.doc = doc
        self.lines: list[Line] = doc.lines
        self.removed: dict[int, Rule] = {}
        self.head_lines = head_lines
        self.tail_lines = tail_lines
        self.found: dict = {}       # (rule id, line text) -> matches: rounds see lines again
        # line text -> words (the input lines' counted when the text was cut into lines)
        self.sizes: dict[str, int] = {ln.text: ln.words for ln in doc.lines if ln.words >= 0}
        self.norms: dict[str, str] = {}     # line text -> normalise()
        self.plan = None            # the rules some input line could match (see _active)
        self.last = None            # what the pattern rules saw last (see _changes)
        self._pieces: dict[int, list[tuple[int, int]]] = {}   # as of the last kept() call
        self._kept: tuple = (None,)  # (hits list, its length, removed lines, back, kept, pieces)

    def rule_of(self, index: int) -> Rule | None:
        return self.removed.get(index)

    def kept(self, back: set[int] = frozenset()) -> list[Line]:
        """The lines not removed, each with the text the body shows for it (removed spans cut
        out, the pieces joined by a space), in order. Offsets are those of the input line.
        Lines in `back` count as kept, as if the detectors that took them had not.

        Hits are only added between calls, except where `doc.hits` is replaced by a new list,
        so the same list, of the same length, with as many removed lines, gives the same lines
        (detectors ask again and again in a round): the last answer is kept."""
        memo = self._kept
        if memo[0] is self.doc.hits and memo[1] == len(self.doc.hits) \
                and memo[2] == len(self.removed) and memo[3] == back:
            self._pieces = memo[5]
            return memo[4]
        cuts: dict[int, list[tuple[int, int]]] = {}
        for hit in self.doc.hits:
            if not (hit.line in back and hit.rule.detector):
                cuts.setdefault(hit.line, []).append((hit.start, hit.end))
        out = []
        self._pieces = {}
        for line in self.lines:
            if line.index in self.removed and line.index not in back:
                continue
            if line.index not in cuts:
                out.append(line)
                continue
            pieces = _pieces(self.doc.text, line, cuts[line.index])
            self._pieces[line.index] = pieces
            if pieces:
                out.append(Line(line.index, line.start, line.end,
                                " ".join(self.doc.text[s:e] for s, e in pieces)))
        self._kept = (self.doc.hits, len(self.doc.hits), len(self.removed), back, out,
                      self._pieces)
        return out

    def to_input(self, line: Line, start: int, end: int) -> list[tuple[int, int]]:
        """Input offsets of [start, end) of a kept line's text: one range per piece it covers."""
        if line.index not in self._pieces:
            return [(line.start + start, line.start + end)]
        out, cursor = [], 0
        for s, e in self._pieces[line.index]:
            lo, hi = max(start, cursor), min(end, cursor + e - s)
            if lo < hi:
                out.append((s + lo - cursor, s + hi - cursor))
            cursor += e - s + 1
        return out


def rules_for(doc: Document, rules: RuleSet, config: Config) -> list[Rule]:
    """The pattern rules that apply to this document, in the order they run."""
    pack = doc.outlet if config.outlet_rules else None
    return _ordered(rules, pack.slug if pack is not None else None, config.disable,
                    languages=doc.languages)


def detectors_for(rules: RuleSet, config: Config) -> list[Rule]:
    return _ordered(rules, None, config.disable, detectors=True)


def _ordered(rules: RuleSet, slug: str | None, disable: frozenset[str],
             detectors: bool = False, languages: frozenset[str] | None = None) -> list[Rule]:
    """The enabled pattern rules (generic plus one outlet pack; of the language packs, those
    of `languages`, None: all) in the order they run, or the enabled detectors in theirs;
    worked out once per rule set and selection."""
    def make() -> list[Rule]:
        if detectors:
            order = list(DETECTORS)
            return sorted((r for r in rules.generic if r.detector and rules.enabled(r, disable)),
                          key=lambda r: order.index(r.detector))
        pack = rules.outlet(slug) if slug is not None else None
        chosen = [r for r in (*rules.generic, *(pack.rules if pack is not None else ()))
                  if r.pattern is not None and rules.enabled(r, disable)
                  and r.reads(languages)]
        chosen.sort(key=lambda r: (r.outlet is None, PHASES[r.category]))
        return chosen

    return rules.once(("order", slug, disable, detectors, languages), make)


def apply_rules(doc: Document, rules: RuleSet, config: Config,
                only: list[Rule] | None = None) -> Document:
    """Fill `doc.hits`. `only` restricts the run to the given rules (used by rule tests).

    Cleaning is idempotent by design (what ftfy does: fix until nothing changes). Rules and
    detectors run again over what is left, the lines as the body will show them, with head/tail
    scopes and next/prev neighbours counted among the kept lines, until a round removes nothing;
    cleaning the body again then finds nothing to remove. The headline is decided once, and
    only kept out of the body when a second run would not take yet another line for a headline
    (see `_settle_title`).
    """
    n = len(doc.lines)
    deadline = deadline_in(config.timeout)     # None: an alarm guards the document
    pattern_rules = [r for r in only if r.pattern is not None] if only is not None \
        else rules_for(doc, rules, config)
    detector_rules = [r for r in only if r.detector] if only is not None \
        else detectors_for(rules, config)
    _until_settled(doc, pattern_rules, detector_rules, rules, config, deadline)
    if n and only is None and _guard(doc, config):
        # Keep the text: run again with the metadata rules alone, so that every decision (the
        # headline above all) is made on the lines the body will really hold.
        doc.hits = []
        _until_settled(doc, [r for r in pattern_rules if r.category == "metadata"],
                       [r for r in detector_rules if r.category == "metadata"],
                       rules, config, deadline)
    doc.hits.sort(key=lambda h: h.start)
    return doc


def _until_settled(doc: Document, pattern_rules: list[Rule], detector_rules: list[Rule],
                   rules: RuleSet, config: Config, deadline: float | None) -> None:
    view = _View(doc, config.head_lines, config.tail_lines)
    lines = doc.lines
    spans: dict[int, list[tuple[int, int]]] = {}
    once = {r.detector: r for r in detector_rules if r.detector in ONCE}
    decided = False
    quiet = None        # the kept lines the detectors last saw and then removed nothing from
    # Each round removes something or changes the headline decision; the bound is a backstop.
    for _ in range(4 * len(lines) + 8):
        before = len(doc.hits)
        _pattern_round(view, spans, pattern_rules, rules, config, deadline)
        seen = view.last[:2]        # (order, texts) of the kept lines, as the patterns left them
        if decided and seen == quiet:
            pass                    # the same lines again: the detectors would find nothing
        else:
            found = len(doc.hits)
            for rule in detector_rules:
                if rule.detector in ONCE and decided:
                    continue
                remaining(deadline)
                for index in DETECTORS[rule.detector](view):
                    if index not in view.removed:
                        _remove_line(view, spans, rule, lines[index], {})
            quiet = seen if len(doc.hits) == found else None
        decided = True
        if len(doc.hits) == before and _settle_title(view, spans, once):
            break


# Detectors that decide once per document (the headline and its standfirst).
ONCE = ("title", "subtitle")


def _pattern_round(view: _View, spans: dict, pattern_rules: list[Rule], rules: RuleSet,
                   config: Config, deadline: float | None) -> None:
    """Run the pattern rules until they remove nothing more.

    Each pass looks at the lines kept so far, as the body will show them (removed spans cut
    out); head/tail scopes and next/prev neighbours are counted among those lines. The first
    pass therefore sees the input as it is. A later pass (and a later round, after the
    detectors) looks again only where something changed since the last look: a line whose
    text changed or that came back, a line whose neighbour changed (for rules that read their
    neighbours), a line that entered the head or tail (for rules scoped there). Elsewhere the
    rules would find what they found before, so the cost of a document stays that of one pass.
    """
    doc = view.doc
    # which input lines hold one of each rule's required literals (rules absent: all lines)
    maybe = for_document(rules, doc.outlet, doc.languages).candidates(doc.text, doc.lines)
    if view.plan is None:       # a view serves one list of rules (see _until_settled)
        view.plan = _active(pattern_rules, maybe)
    active = view.plan
    while True:
        before = len(doc.hits)
        kept = view.kept()
        look = _changes(view, kept, config)
        if look is not None and not any(look):
            return
        by_index = {ln.index: ln for ln in kept}
        position = {ln.index: k for k, ln in enumerate(kept)}
        changed = {ln.index for ln in kept if ln is not doc.lines[ln.index]}  # cut by spans
        chosen = pattern_rules if changed else active
        if look is not None:        # only the rules that could see something new
            fresh, near, head, tail = look
            if not changed & fresh:     # a line cut since the input: any rule may match it
                touched = fresh | near | head | tail
                chosen = [r for r in active if _could_see(maybe.get(r.id), touched)]
        passing: dict[int, list[Line]] = {}   # a screen's passing lines in this pass, by screen
        for rule in chosen:
            candidates = maybe.get(rule.id)
            if candidates is not None and not candidates and not changed:
                continue                # no line holds one of the rule's required literals
            context = rule.next is not None or rule.prev is not None
            if look is not None:
                dirty = fresh | near if context else fresh
                if rule.where == "head":
                    dirty = dirty | head
                elif rule.where == "tail":
                    dirty = dirty | tail
                if not dirty:
                    continue
            if isinstance(candidates, Screened):
                # the rules of one screen share a scope: its lines are screened once per pass
                got = passing.get(id(candidates.memo))
                if got is None:
                    got = passing[id(candidates.memo)] = candidates.among(
                        _scope(rule, kept, config))
                within = candidates.within
                if changed:             # a line cut since the input: any rule may match it
                    ok = {ln.index for ln in got}
                    scope = [ln for ln in _scope(rule, kept, config) if ln.index in changed or (
                        ln.index in ok and (within is None or ln.index in within))]
                else:
                    scope = got if within is None else [ln for ln in got if ln.index in within]
            elif candidates is None:
                scope = _scope(rule, kept, config)
            elif rule.where == "anywhere":  # only lines holding a required literal, or cut since
                scope = [by_index[i] for i in sorted(candidates | changed if changed
                                                     else candidates) if i in by_index]
            else:                       # the same, in the head or the tail (kept lines)
                window = view.last[2] if rule.where == "head" else view.last[3]
                scope = [by_index[i] for i in sorted((candidates | changed if changed
                                                      else candidates) & window)]
            if look is not None:
                scope = [ln for ln in scope if ln.index in dirty]
            for line in scope:
                if line.index in view.removed:
                    continue
                # the neighbours first: cheaper than the pattern, and the same for every match
                if context and not _context_ok(rule, kept, position[line.index], deadline):
                    continue
                key = (rule.id, line.text)
                found = view.found.get(key)
                if found is None:   # lines longer than max_words are never matched
                    found = view.found[key] = [] if rule.max_words and _too_long(
                        rule, line.text, view) else _matches(rule, line, deadline)
                for m in found:
                    groups = {k: v for k, v in m.groupdict().items() if v}
                    if not _required(rule, groups, rules):
                        continue
                    original = doc.lines[line.index]
                    if rule.unit == "line":
                        _remove_line(view, spans, rule, original, groups)
                        if rule.extend == "to_end":
                            for later in doc.lines[line.index + 1:]:
                                if later.index not in view.removed:
                                    _remove_line(view, spans, rule, later, {})
                        elif rule.extend == "run":
                            for later in _headline_run(doc.lines, line.index, view.removed):
                                _remove_line(view, spans, rule, later, {})
                        break
                    pieces = [p for p in view.to_input(by_index[line.index], m.start(), m.end())
                              if p[0] < p[1]]
                    taken = spans.get(line.index, ())
                    if not pieces or any(s < e2 and s2 < e for s, e in pieces for s2, e2 in taken):
                        continue
                    for s, e in pieces:
                        spans.setdefault(line.index, []).append((s, e))
                        doc.hits.append(Hit(rule, line.index, s, e, groups))
                    if _covered(original, spans[line.index], doc.text):
                        view.removed[line.index] = rule
        if len(doc.hits) == before:
            return


def _active(pattern_rules: list[Rule], maybe: dict[str, set[int]]) -> list[Rule]:
    """In order, the rules that could match some input line: those the first pass tries."""
    get = maybe.get
    return [r for r in pattern_rules if (c := get(r.id)) is None or c]   # (a screen is true)


def _could_see(candidates, lines: set[int]) -> bool:
    """Whether a rule with these candidate lines (None: every line; a screen: any line it is
    asked about) could match one of `lines`."""
    return candidates is None or isinstance(candidates, Screened) \
        or not candidates.isdisjoint(lines)


def _changes(view: _View, kept: list[Line], config: Config):
    """What changed since the pattern rules last looked: (lines whose text is new or that came
    back, lines whose neighbour changed, lines new in the head, lines new in the tail); None
    at the first look."""
    order = [ln.index for ln in kept]
    texts = {ln.index: ln.text for ln in kept}
    head = set(order[:config.head_lines])
    tail = set(order[max(0, len(order) - config.tail_lines):])
    last, view.last = view.last, (order, texts, head, tail)
    if last is None:
        return None
    last_order, last_texts, last_head, last_tail = last
    if order == last_order and texts == last_texts:
        return (set(), set(), set(), set())
    fresh = {i for i, t in texts.items() if last_texts.get(i) != t}
    before = {i: (last_order[k - 1] if k else None,
                  last_order[k + 1] if k + 1 < len(last_order) else None)
              for k, i in enumerate(last_order)}
    near = set()
    for k, i in enumerate(order):
        prev = order[k - 1] if k else None
        nxt = order[k + 1] if k + 1 < len(order) else None
        if before.get(i) != (prev, nxt) or prev in fresh or nxt in fresh:
            near.add(i)
    return fresh, near, head - last_head, tail - last_tail


def _settle_title(view: _View, spans: dict, once: dict[str, Rule]) -> bool:
    """Make the headline decision one that a second run agrees with; True when it already is.

    A second run sees the body: no input metadata, no removed byline after the standfirst. It
    takes the first line as headline (and the next as standfirst) when they read like ones and
    another run would not take more, so that is what the lines taken here must satisfy. When
    they do not, they go back into the body, and the lines a second run would take, if that is
    stable, are taken instead. A headline known from the input is trusted as it is.
    """
    from .detectors import url_of, would_be_subtitle, would_be_title

    if "title" not in once or view.doc.hints.get("title"):
        return True
    taken = {i for i, r in view.removed.items() if r.detector in ONCE}
    full = view.kept(back=taken)

    def second_run(kept: list[Line]) -> set[int]:
        if not would_be_title(kept, url_of(view.doc)):
            return set()
        if "subtitle" in once and would_be_subtitle(kept[1:]):
            return {kept[0].index, kept[1].index}
        return {kept[0].index}

    def after(gone: set[int]) -> list[Line]:
        return [ln for ln in full if ln.index not in gone]

    if taken and not second_run(after(taken)):
        return True
    instead = second_run(full)
    if instead and second_run(after(instead)):
        instead = set()
    if not taken and not instead:
        return True
    doc = view.doc
    doc.hits = [h for h in doc.hits if not (h.line in taken and h.rule.detector in ONCE)]
    for i in taken:
        del view.removed[i]
        spans.pop(i, None)
        for h in doc.hits:
            if h.line == i:
                spans.setdefault(i, []).append((h.start, h.end))
    for k, i in enumerate(sorted(instead)):
        _remove_line(view, spans, once["title" if k == 0 else "subtitle"], view.lines[i], {})
    return False


# A word is rarely longer than this: a line of more characters than max_words times this holds
# fewer words than it seems (one 1 MB "word" of adversarial text) and is not looked at either.
CHARS_PER_WORD = 25


def _too_long(rule: Rule, text: str, view: _View | None = None) -> bool:
    """Whether a line holds more words than the rule's max_words (counted once per document
    through `view`, when given)."""
    if not rule.max_words:
        return False
    if len(text) > rule.max_words * CHARS_PER_WORD:
        return True
    return (words_of(view, text) if view is not None else words(text)) > rule.max_words


RUN_MAX_LINES = 12
RUN_MAX_WORDS = 20


def _headline_run(lines: list[Line], index: int, removed: dict) -> list[Line]:
    """The list under a header such as 'Related articles': the lines that follow it while
    they read like headlines (short, not ending like a sentence), at most RUN_MAX_LINES.
    A headline may ask ('Who will make the Rock Hall in 2020?'): a question is taken when
    another headline follows it in the list; a question alone under the header may be the
    story's own."""
    run: list[Line] = []
    asked: list[Line] = []          # questions waiting for a headline after them
    for later in lines[index + 1:index + 1 + RUN_MAX_LINES]:
        if later.index in removed:
            continue
        if words(later.text) > RUN_MAX_WORDS:
            break
        if not ends_sentence(later.text):
            run.extend(asked)
            asked = []
            run.append(later)
        elif later.text.rstrip("'\"’”").endswith("?"):
            asked.append(later)
        else:
            break
    return run


def _scope(rule: Rule, lines: list[Line], config: Config) -> list[Line]:
    if rule.where == "head":
        return lines[:config.head_lines]
    if rule.where == "tail":
        return lines[max(0, len(lines) - config.tail_lines):]
    return lines


def _search(pattern, text: str, deadline: float | None):
    """`pattern.search(text)` within the time left (under an alarm: no limit of its own)."""
    if deadline is None:
        return pattern.search(text)
    try:
        return pattern.search(text, timeout=remaining(deadline))
    except TimeoutError:
        raise DocumentTimeout() from None


def _matches(rule: Rule, line: Line, deadline: float | None):
    """The rule's matches in the line: none where its `unless` pattern is found in the line
    (tried only after a match, when it is the cheaper test by far)."""
    if rule.unit == "line":     # under an alarm (deadline None) no limit per call: limits.py
        m = rule.pattern.search(line.text) if deadline is None \
            else _search(rule.pattern, line.text, deadline)
        found = [m] if m else []
    elif deadline is None:
        found = list(rule.pattern.finditer(line.text))
    else:
        try:
            found = list(rule.pattern.finditer(line.text, timeout=remaining(deadline)))
        except TimeoutError:
            raise DocumentTimeout() from None
    if found and rule.unless is not None and _search(rule.unless, line.text, deadline):
        return []
    return found


def _context_ok(rule: Rule, lines: list[Line], i: int, deadline: float | None) -> bool:
    """`next`/`prev` must match the neighbouring line (`i` is a position in `lines`)."""
    if rule.next is not None and (i + 1 >= len(lines)
                                  or not _search(rule.next, lines[i + 1].text, deadline)):
        return False
    if rule.prev is not None and (i == 0 or not _search(rule.prev, lines[i - 1].text, deadline)):
        return False
    return True


def _required(rule: Rule, groups: dict[str, str], rules: RuleSet) -> bool:
    for name in rule.require:
        value = groups.get(name)
        if not value or (name == "agencies" and not agencies_in(value, rules)):
            return False
    return True


def _remove_line(view: _View, spans: dict, rule: Rule, line: Line, groups: dict) -> None:
    """Remove what is left of a line (all of it, or the gaps between earlier spans)."""
    view.removed[line.index] = rule
    taken = sorted(spans.get(line.index, ()))
    cursor = line.start
    pieces = []
    for s, e in taken + [(line.end, line.end)]:
        if s > cursor:
            pieces.append((cursor, s))
        cursor = max(cursor, e)
    for s, e in pieces:
        text = view.doc.text[s:e]
        lead = len(text) - len(text.lstrip())
        trail = len(text) - len(text.rstrip())
        if e - trail > s + lead:
            view.doc.hits.append(Hit(rule, line.index, s + lead, e - trail, groups))
    spans[line.index] = [(line.start, line.end)]


def _covered(line: Line, taken: list[tuple[int, int]], text: str) -> bool:
    left = list(text[line.start:line.end])
    for s, e in taken:
        for k in range(s - line.start, e - line.start):
            left[k] = " "
    return not "".join(left).strip()


def _pieces(text: str, line: Line, cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The kept pieces of a line between removed spans, each stripped of spaces (as the body
    shows them)."""
    out, cursor = [], line.start
    for s, e in sorted(cuts) + [(line.end, line.end)]:
        if s > cursor:
            piece = text[cursor:s]
            lead, trail = len(piece) - len(piece.lstrip()), len(piece) - len(piece.rstrip())
            if s - trail > cursor + lead:
                out.append((cursor + lead, s - trail))
        cursor = max(cursor, e)
    return out


# Words the body must keep of its own for a closing block to count apart from the guard share.
BLOCK_KEEPS_WORDS = 50


def _guard(doc: Document, config: Config) -> bool:
    """Over-stripping guard: past the share limit, warn (never silently) and return True; the
    caller then keeps the text (only metadata lines leave the body).

    A closing block that a rule with extend = "to_end" vouches for (its header in the tail
    matched, and every line after it is the block: a comment section, a related-posts box)
    counts apart: when the other rules stay within the limit on the words outside the block,
    and the body keeps at least 50 words of its own, the block goes all the
    same, with a warning giving the share. A page that is mostly its comment section loses
    the comments, not its story."""
    total = sum(sizes(ln)[0] for ln in doc.lines)
    if not total:                   # (no word spans a line break: those are white space)
        return False
    content = [h for h in doc.hits if h.rule.category != "metadata"]
    gone = sum(words(doc.text[h.start:h.end]) for h in content)
    if gone / total <= config.max_removed_share:
        return False
    counts = Counter(h.rule.id for h in content)
    named = ", ".join(f"{rid} x{c}" if c > 1 else rid for rid, c in counts.most_common())
    block = sum(words(doc.text[h.start:h.end]) for h in content if h.rule.extend == "to_end")
    kept = total - gone - sum(words(doc.text[h.start:h.end])
                              for h in doc.hits if h.rule.category == "metadata")
    if block and kept >= BLOCK_KEEPS_WORDS \
            and (gone - block) / (total - block) <= config.max_removed_share:
        vouching = sorted({h.rule.id for h in content if h.rule.extend == "to_end"})
        doc.warnings.append(
            f"over-stripping guard: rules remove {gone / total:.0%} of the words "
            f"(limit {config.max_removed_share:.0%}), {block / total:.0%} in a closing block "
            f"({', '.join(vouching)}); the rest is within the limit, so the block goes. "
            f"Rules involved: {named}")
        return False
    doc.warnings.append(
        f"over-stripping guard: rules would remove {gone / total:.0%} of the words "
        f"(limit {config.max_removed_share:.0%}); kept that text. Rules involved: {named}")
    return True
