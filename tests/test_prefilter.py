"""The required-literal prefilter only ever skips lines a rule cannot match."""
import time

import pytest
import regex

from cleaner import clean, engine, prefilter
from cleaner.prefilter import FOLD_FIXUPS, Prefilter, fold, needles
from cleaner.segment import lines_of

from conftest import SEEDS


@pytest.mark.parametrize("pattern, expected", [
    (r"(?i)^join ST'?s (?:telegram|whatsapp) channel\b",
     [{f"join st{q}s {app} channel" for q in ("'", "") for app in ("telegram", "whatsapp")}]),
    (r"\((?P<agencies>Reuters)\)\s*-", [{"(reuters)"}, {"-"}]),
    (r"^Photo:\s*(?P<credit>\p{Lu}.+)$", [{"photo:"}]),
    (r"(?=.*\b(?:donate|chip in)\b).*", [{"donate", "chip in"}]),
    (r"colou?r", [{"color", "colour"}]),
    (r"[.!?]\s*REUTERS\s*/", [{"reuters"}, {"/"}]),     # not [.!?]: in every sentence
    (r"^_{3,}$", [{"_"}]),
    (r"(?i)^(?:follow|join)\s+us\b.{0,40}\b(?:telegram|whatsapp)\b",
     [{"telegram", "whatsapp"}, {"follow", "join"}]),      # not "us": in every article
    (r"(?:^|\s)[-(](?P<agencies>AFP|AP)\)?\s*$", [{"-afp", "-ap", "(afp", "(ap"}]),
    (r"(?:^|\s)(?:[-–]\s*|\()(?P<agencies>AFP|AP)\)?\s*$", [{"afp", "ap"}, {"-", "–", "("}]),
])
def test_needles(pattern, expected):
    assert needles(pattern) == tuple(frozenset(x) for x in expected)


@pytest.mark.parametrize("pattern, expected", [
    (r"(?:^|\s)[-(](?P<agencies>AFP|AP)\)?\s*$", [{"-AFP", "-AP", "(AFP", "(AP"}]),
    (r"[.!?]\s*REUTERS\s*/", [{"REUTERS"}]),     # '/' has no case: its fold is enough
    (r"(?:via|by)\s+(?:AFP|dpa)", [{"AFP", "dpa"}]),   # not {'via', 'by'}: no capital
    (r"(?i)^read more$", None),                 # case-insensitive: no exact needles
    (r"^Photo: (?i:reuters)$", None),           # ignores case in part: none either
    (r"^[A-Z]{2,}$", None),                     # nothing certain
])
def test_exact_needles_of_case_sensitive_patterns(pattern, expected):
    """A case-sensitive rule's candidate lines must hold its literals as written: 'AP', not
    the 'ap' of 'happen'."""
    assert prefilter.exact_needles(pattern) == (
        None if expected is None else tuple(frozenset(x) for x in expected))


@pytest.mark.parametrize("pattern", [
    r"^\p{Lu}+$", r"(?x) j o i n", r"(a)\1", r"(?V1)(?i)strasse", r"(?f)foo", r"a|b",
    r"(?:join)?\s*$", r"(?:foo){e<=1}", r"[a-z]{3,}",
])
def test_no_needles_where_none_are_certain(pattern):
    assert needles(pattern) is None


def test_fold_fixups_cover_every_character_that_matches_an_ascii_letter():
    letter = regex.compile(r"(?i)[a-z]")
    odd = {chr(c) for c in range(0x80, 0x110000)
           if not 0xD800 <= c <= 0xDFFF and letter.fullmatch(chr(c)) and chr(c).lower() not in "abcdefghijklmnopqrstuvwxyz"}
    assert odd <= {special for special, _ in FOLD_FIXUPS}
    assert all(len(fold(ch)) == 1 and fold(ch).isascii() for ch in odd)


def test_safe_letters_fold_like_the_regex_module_matches_them():
    """Every character that matches a SAFE_LETTERS letter case-insensitively lower-cases to it."""
    letters = sorted(prefilter.SAFE_LETTERS)
    any_of = regex.compile("(?i)[" + "".join(regex.escape(c) for c in letters) + "]")
    for cp in range(0x110000):
        t = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or not any_of.fullmatch(t):
            continue
        for c in letters:
            if regex.fullmatch("(?i)" + regex.escape(c), t):
                assert fold(t) == fold(c), (hex(cp), c)


def variants(text: str):
    yield text
    yield text.upper()
    yield text.lower()
    yield text.replace("s", "\u017f").replace("i", "\u0130")
    yield text.replace(" ", "\u00a0").replace(",", "\t")


@pytest.mark.parametrize("pattern, bound", [
    (r"(?i)^(?:read more|see also)\s*$", 8),
    (r"(?i)^[•·]?\s{0,2}(?:image|photo)\s{0,3}$", 6),
    (r"^\p{Lu}{2,4}$", 4),
    (r"^[ \t]*x[\s]+y$", 2),
    (r"^_{3,}$", None),                 # no bound
    (r"^ab|cd$", None),                 # not anchored at both ends in every branch
    (r"^(?=.{0,600}$).*$", None),
    (r"(?i)^(?:a|b)\X$", None),          # a grapheme may be several characters
])
def test_max_solid(pattern, bound):
    assert prefilter.max_solid(pattern) == bound


def test_every_line_a_rule_matches_is_a_candidate(rules):
    """Over rule examples and seed lines (and case variants): a match implies a candidate."""
    pattern_rules = [r for r in rules.by_id.values() if r.pattern is not None]
    pf = Prefilter(pattern_rules)
    texts = [ex for r in pattern_rules for ex in r.fails + r.passes]
    texts += [ln.text for p in SEEDS for ln in lines_of(p.read_text(encoding="utf-8"))]
    checked = 0
    for base in texts:
        for text in variants(base):
            lines = lines_of(text)
            maybe = pf.candidates(text, lines)
            for rule in pattern_rules:
                if rule.id not in maybe:
                    continue
                for line in lines:
                    # the engine never tries a line longer than the rule's max_words
                    if rule.pattern.search(line.text) and not engine._too_long(rule, line.text) \
                            and engine._context_ok(rule, lines, line.index, time.monotonic() + 60):
                        checked += 1
                        assert takes(maybe[rule.id], line, lines), (rule.id, line.text)
    assert checked > 200


def takes(candidates, line, lines) -> bool:
    """Whether the engine would try a rule with these candidates on `line`."""
    if isinstance(candidates, prefilter.Screened):
        return line in candidates.among(lines) and (
            candidates.within is None or line.index in candidates.within)
    return line.index in candidates


def test_results_are_the_same_without_the_prefilter(monkeypatch):
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    with_filter = [clean(t).to_dict() for t in texts]
    monkeypatch.setattr(engine, "for_document", lambda rules, pack, languages=None: Prefilter(()))
    without = [clean(t).to_dict() for t in texts]
    assert with_filter == without
    assert prefilter.needles(r"(?i)^read more$") == (frozenset({"read more"}),)


def test_one_scan_serves_every_outlet_and_counts_characters(rules):
    """The rule set's one scanner (shared by every outlet's prefilter and the fingerprints)
    gives each rule the lines a prefilter with a scanner of its own gives it, with emoji,
    accents and CJK before the needles: offsets count characters, not bytes."""
    text = ("😀 Café ☕ 北京 ünïcödé\n\nRead more: the minister said so.\n\n"
            "📷 Photo: Reuters\n\nFollow us on Telegram 𝒜")
    lines = lines_of(text)
    plain = lambda found: {rid: c for rid, c in found.items()
                           if not isinstance(c, prefilter.Screened)}
    for pack in (None, *rules.outlets):
        shared = prefilter.for_document(rules, pack)
        assert shared.needles.scanner is prefilter.scanner_of(rules)
        own = Prefilter(list(rules.generic) + list(pack.rules if pack is not None else ()))
        assert own.needles.scanner is not shared.needles.scanner
        assert plain(shared.candidates(text, lines)) == plain(own.candidates(text, lines))
    scanner = prefilter.scanner_of(rules)
    needle = {k: n for n, k in scanner.key_of.items()}
    folded = fold(text)
    hits = scanner.hits(folded)
    assert {needle[k] for k, _, _ in hits} >= {"read more", "photo:", "telegram"}
    assert all(folded[s:e] == needle[k] for k, s, e in hits)
    found = plain(prefilter.for_document(rules, None).candidates(text, lines))
    assert {1, 2, 3} <= set().union(*found.values())


def test_fingerprints_are_only_skipped_where_they_cannot_match(rules):
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    texts += [ex for r in rules.by_id.values() for ex in r.fails + r.passes]
    checked = 0
    for pack in rules.outlets:
        for f in pack.fingerprints:
            for base in texts:
                for text in variants(base):
                    if f.search(text):
                        checked += 1
                        assert prefilter.could_match(f, fold(text)), (pack.slug, f.pattern)
    assert checked > 20


def test_rules_without_needles_are_screened_by_one_alternation(rules):
    """A rule with no required literal is tried only on lines its group's alternation matches;
    the alternation matches exactly when one of its branches does."""
    pattern_rules = [r for r in rules.generic if r.pattern is not None]
    pf = Prefilter(pattern_rules)
    assert {"generic.metadata.date", "generic.chrome.ui-words"} <= {
        rid for _, _, ids in pf.screens for rid in ids}
    text = "Published: 12 March 2024\n\nThe minister said: 'we go ahead'. Then she left.\n\nShow more"
    lines = lines_of(text)
    maybe = pf.candidates(text, lines)
    for screen, anchored, ids in pf.screens:
        group = [r for r in pattern_rules if r.id in ids]
        if any(r.next or r.prev for r in group):
            continue        # gated by its neighbour's needles as well
        for line in lines:
            hit = any((r.pattern.match if anchored else r.pattern.search)(line.text) for r in group)
            assert hit == takes(maybe[ids[0]], line, lines), line.text
    assert takes(maybe["generic.metadata.date"], lines[0], lines)
    assert takes(maybe["generic.chrome.ui-words"], lines[2], lines)
    assert not takes(maybe["generic.metadata.date"], lines[1], lines)


def test_a_screen_asked_about_lines_answers_as_the_screen_on_every_line():
    """`Screened` (a screen tried on lines only when the engine asks) gives the same lines as
    testing every line, whether asked about all lines or some, and whatever it was asked
    before; `&` narrows what a rule may take to the lines given."""
    from cleaner.model import Line

    screen = regex.compile(r"(?i)^(?:share|print)$|^\d+ of \d+$")
    texts = ["Share", "The minister said he would print the report.", "3 of 12", "PRINT", "x"]
    lines = [Line(i, 0, len(t), t) for i, t in enumerate(texts)]
    every = {i for i, t in enumerate(texts) if screen.match(t)}
    assert every == {0, 2, 3}
    asked = prefilter.Screened(screen, True, texts)
    assert [ln.index for ln in asked.among(lines[1:3])] == [2]
    assert [ln.index for ln in asked.among(lines)] == [0, 2, 3]
    narrowed = prefilter.Screened(screen, True, texts) & {0, 1, 2}
    assert narrowed.within == {0, 1, 2}
    assert [ln.index for ln in narrowed.among(lines) if ln.index in narrowed.within] == [0, 2]


@pytest.mark.parametrize("pattern,first", [
    (r"(?i)^(?:share|print)$", "sp"),
    (r"^(?:[-•]\s*)?Foo", "-•f"),
    (r"^(?=Yes)y", "y"),
    (r"^[AB]\w+", "ab"),
    (r"^(?i:by)\s+\p{Lu}", "b"),
])
def test_first_characters_of_anchored_patterns(pattern, first):
    assert prefilter.first_chars(pattern) == frozenset(first)


@pytest.mark.parametrize("pattern", [
    r"^a|b",            # the second branch can match anywhere
    r"^.*x",            # any first character
    r"^(?:a)?",         # the empty string
    r"^\w+",            # not a small set
    r"share$",          # not anchored
])
def test_first_characters_unknown(pattern):
    assert prefilter.first_chars(pattern) is None


@pytest.mark.parametrize("pattern, begins, never", [
    (r"(?i)^(?:share|print)$", ["share", "Print", "SH"], ["sa", "pa", "s", ""]),
    (r"^a", ["a", "ab", "a "], ["b", "ba", ""]),          # one character, then anything
    (r"^(?:ab)*c", ["c", "cx", "ab", "abab"], ["a", "ac", "b"]),
    (r"^x{3,}y", ["xxxy"], ["xy", "x"]),
    (r"^\s*Foo", ["Foo", " F", "\u3000\u3000Foo", "\tF"], ["Bar", "xF", "\t"]),
    (r"^\d+ shares$", ["12 shares", "1 ", "\u0663\u0664"], ["a1", " 1"]),
    (r"^(?=Yes)y", ["yes"], ["no"]),
    (r"^.*x", ["abc", "x"], []),
    (r"^(?:a)?b", ["b", "bc", "ab"], ["", "c", "ac", "a"]),
    (r"^(?:a)?$", ["", "a", "b"], []),        # $ is not looked at: an empty match may begin any line
    # white space or a few characters: a line of zero-width characters, not a line of text
    (r"^[\u200b\ufeff\s]+$", ["\u200b", "\ufeff\u200b", " \u200b", "\t"], ["a", "1", "Zx", "\u200cx"]),
    (r"(?i)^[x\s]y", ["xy", "Xy", " y"], ["y", "ay"]),
])
def test_a_line_is_screened_by_its_first_two_characters(pattern, begins, never):
    """`first_heads`: the first two characters (keyed as needles fold them) a line must begin
    with for an anchored pattern to match it; a line whose opening is not among them is not
    tried."""
    opening = prefilter._Opening(prefilter.first_heads(pattern))

    def admits(text):
        return opening.admits(prefilter.head_key(text[0]) if text else None,
                              prefilter.head_key(text[1]) if len(text) > 1 else None)
    assert all(admits(t) for t in begins), [t for t in begins if not admits(t)]
    assert not any(admits(t) for t in never), [t for t in never if admits(t)]


def test_every_match_of_an_anchored_rule_begins_as_its_heads_say(rules):
    """Over every anchored rule and fingerprint of the tree, on their examples, the seeds'
    lines and case and Unicode variants: a line the pattern matches opens with two
    characters its heads admit."""
    texts = [ln.text for p in SEEDS for ln in lines_of(p.read_text(encoding="utf-8"))]
    texts += [ex for r in rules.by_id.values() for ex in r.fails + r.passes]
    texts += ["\u0130nfo", "\u017fhare", "\u212aeep", "\u0663 shares", "١٢ مشاركة", "x"]
    patterns = [r.pattern for r in rules.by_id.values() if r.pattern is not None]
    patterns += [f for pack in rules.outlets for f in pack.fingerprints]
    checked = 0
    for pattern in patterns:
        heads = prefilter.first_heads(pattern.pattern)
        if heads is None:
            continue
        opening = prefilter._Opening(heads)
        for base in texts:
            for text in variants(base):
                if pattern.match(text):
                    checked += 1
                    assert opening.admits(
                        prefilter.head_key(text[0]) if text else None,
                        prefilter.head_key(text[1]) if len(text) > 1 else None), \
                        (pattern.pattern, text)
    assert checked > 300


def test_first_characters_of_a_digit_cover_every_decimal_digit():
    first = prefilter.first_chars(r"^\d+ shares$")
    assert {"0", "9", prefilter.first_key("\u0663"), prefilter.first_key("\u096b")} <= first
    assert "a" not in first and prefilter.fold_first("\u0663 shares") in first


def test_anchored_screens_pick_branches_by_first_character_and_stay_exact(rules):
    """An anchored screen tries a line only against the branches that can begin with its
    first character; it matches exactly when one of its rules' patterns does, on the rules'
    own examples, the seeds' lines and their case and Unicode variants."""
    texts = [ln.text for p in SEEDS for ln in lines_of(p.read_text(encoding="utf-8"))]
    texts += [ex for r in rules.by_id.values() for ex in r.fails + r.passes]
    texts += ["\u0130nfo", "\u017fhare", "\u212aeep", "\u0663 shares", "١٢ مشاركة"]
    pattern_rules = [r for r in rules.generic if r.pattern is not None]
    screens = [(s, ids) for s, anchored, ids in Prefilter(pattern_rules).screens if anchored]
    assert any(isinstance(s, prefilter._FirstChars) for s, _ in screens)
    checked = 0
    for screen, ids in screens:
        group = [rules.by_id[rid] for rid in ids]
        for base in texts:
            for text in variants(base):
                expected = any(r.pattern.match(text) for r in group)
                assert bool(screen.match(text)) == expected, (ids, text)
                checked += expected
    assert checked > 50


def test_screened_lines_are_the_lines_a_rule_matches_with_or_without_the_alarm(rules):
    """`Screened.among` answers the same whether a line is tested with a time limit of its own
    or, under the per-document alarm, by the written-out path: exactly the lines one of the
    screen's rules matches, asked in any order and again."""
    from cleaner.model import Line
    texts = [ln.text for p in SEEDS for ln in lines_of(p.read_text(encoding="utf-8"))]
    texts += [ex for r in rules.by_id.values() for ex in r.fails + r.passes]
    lines = [Line(k, 0, len(t), t) for k, t in enumerate(texts)]
    pattern_rules = [r for r in rules.generic if r.pattern is not None]
    checked = 0
    for screen, anchored, ids in Prefilter(pattern_rules).screens:
        group = [rules.by_id[rid] for rid in ids]
        expected = [ln.index for ln in lines if any(
            (r.pattern.match if anchored else r.pattern.search)(ln.text) for r in group)]
        for timed in (True, False):
            asked = prefilter.Screened(screen, anchored, texts, timed=timed)
            assert [ln.index for ln in asked.among(lines[::-1])] == expected[::-1], ids
            assert [ln.index for ln in asked.among(lines)] == expected, ids    # remembered
        checked += len(expected)
    assert checked > 50


def test_first_character_classes_hold_every_character_regex_matches():
    """\\s and \\d as first characters: every character the regex module's \\s or \\d matches
    has its key in the set the analysis uses (checked over all of Unicode; the regex module's
    Unicode database may be newer than Python's)."""
    space, digit = regex.compile(r"\s"), regex.compile(r"\d")
    first_space, first_digit = prefilter.first_chars(r"^\s"), prefilter.first_chars(r"^\d")
    # and as the first of two characters, keyed by head_key
    head_space = {h[0] for h in prefilter.first_heads(r"^\sx")}
    head_digit = {h[0] for h in prefilter.first_heads(r"^\dx")}
    for c in map(chr, range(0x110000)):
        if space.match(c):
            assert prefilter.first_key(c) in first_space, hex(ord(c))
            assert prefilter.head_key(c) in head_space, hex(ord(c))
        if digit.match(c):
            assert prefilter.first_key(c) in first_digit, hex(ord(c))
            assert prefilter.head_key(c) in head_digit, hex(ord(c))
