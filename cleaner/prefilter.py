r"""Required-literal prefilter: which lines a pattern rule could possibly match.

For each pattern rule we derive from its regex up to three sets of literal "needles" such that
any match (and any text a lookahead must see) contains one needle of every set:
`(?i)^join ST'?s (?:telegram|whatsapp) channel` needs one of "join st's telegram channel", ...;
`^(?:download|get)\s+(?:the|our)\s+.{0,30}app\b` needs "app" and one of "download", "get".
One Aho-Corasick automaton over the needles of the whole rule set (`Scanner`) runs once over
the case-folded document, and a rule (generic, or of the document's outlet pack) is then tried
only on the lines that hold a needle of each of its sets (and, for a case-sensitive rule, its
capitalised literals as written: `exact_needles`). A rule whose pattern gives nothing
selective (or uses syntax this module does not know) is tried on every line, as before.
Outlet fingerprints are screened the same way (`could_match`).

For a rule anchored at the start (`^...`), the same analysis gives the characters a match can
begin with (`first_chars`): the rule is tried only on candidate lines that begin with one; and
the first two (`first_heads`): an alternation screen tries a line only against the branches
that can begin with its first two characters.

The test is a relaxation, never a change of behaviour: needles are compared case-insensitively
even for case-sensitive rules, and only characters whose case folding cannot surprise us (ASCII,
and caseless symbols) go into needles. The cost of matching a document then grows with the
number of lines that hold a rule's needles, not with the number of rules.
"""
from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from .limits import ALARMED
from .segment import sizes

MIN_NEEDLE = 2          # shorter needles select too little to pay for themselves
MAX_SET = 64            # most strings in a derived set (literal alternations expand to sets)
# Characters that case-insensitive matching treats as a needle letter (ASCII or SAFE_LETTERS)
# although str.lower() does not map them to it (checked over all of Unicode by
# tests/test_prefilter.py): dotted capital I, long s, old Cyrillic letter forms.
FOLD_FIXUPS = (("\u0130", "i"), ("\u017f", "s"), ("\u1c80", "в"), ("\u1c81", "д"),
               ("\u1c82", "о"), ("\u1c83", "с"), ("\u1c84", "т"), ("\u1c85", "т"),
               ("\u1c86", "ъ"))


class Unsupported(Exception):
    """Regex syntax the needle analysis does not handle: the rule is tried on every line."""


@dataclass(frozen=True)
class Info:
    exact: frozenset[str] | None    # every string the node can match, when a small finite set
    need: tuple[frozenset[str], ...] = ()   # sets of non-empty strings: any match contains
    #                                         one string of each set
    width: int | None = None        # most non-space characters in a match (None: no bound)
    first: frozenset[str] | None = None     # the first character of a match, lower-cased
    #                                         (None: it may be any character)
    nullable: bool = True           # whether it can match the empty string
    heads: frozenset[tuple[str, ...]] | None = None   # the first two characters of a match,
    #   as keys: () for an empty match, (a,) for one of one character, (a, b) for a longer one;
    #   WILD for any character (None: anything)


# First characters are compared by key (`first_key`): lower-cased as needles are, except that
# every digit beyond ASCII, and every character this Python's Unicode database does not know
# (the regex module's may be newer), is OTHER.
OTHER = "\0"
# The characters \s can match: Unicode's white space, all below U+3001 (str.isspace() counts a
# few more, a relaxation; tests/test_prefilter.py checks the regex module's \s against it).
WHITESPACE = frozenset(c for c in map(chr, range(0x3001)) if c.isspace()) | {OTHER}
WILD = "any"        # in heads: any character (keys are single characters)
HEADS_MAX = 512     # most heads kept for one node (past it, second characters become WILD)
ANY = Info(None)                    # anything, of any length
ONE = Info(None, (), 1, None, False, frozenset({(WILD,)}))    # any one character
SPACE = Info(None, (), 0, WHITESPACE, False,
             frozenset({(" ",), (OTHER,)}))     # one white-space character (see head_key)
EMPTY = Info(frozenset({""}), (), 0, frozenset(), True, frozenset({()}))
DIGIT = Info(None, (), 1, frozenset("0123456789" + OTHER), False,
             frozenset({("0",), (OTHER,)}))     # \d
MAX_AND = 3             # most needle sets kept for one node


# Letters beyond ASCII whose case-insensitive matches all lower-case to the same letter (Latin-1,
# Latin Extended-A, Cyrillic; checked over all of Unicode by tests/test_prefilter.py), so the
# needles of the language packs can use them. Greek is left out (σ, ς and Σ).
SAFE_LETTERS = frozenset(
    c for c in map(chr, [*range(0xC0, 0x100), *range(0x100, 0x180), *range(0x400, 0x460)])
    if c.isalpha() and c not in "\u0130\u0131\u0149\u017f\u00df"
    and len(c.lower()) == len(c.upper()) == 1)


def _safe(c: str) -> bool:
    """A character we may put in a needle (compared after str.lower())."""
    if c.isascii():
        return c == " " or (c.isprintable() and not c.isspace())
    return c in SAFE_LETTERS or (c.isprintable() and not c.isspace()
                                 and c.lower() == c == c.upper() and c.casefold() == c)


# Punctuation that news prose seldom uses: one of these selects as well as a short word.
RARE = frozenset("/|\\©_@#[]{}<>()•·»«~^*+=")


# Characters in nearly every sentence: a needle set holding one selects nothing.
COMMON = frozenset(".,;:!?'\"’‘“”")


# Words in nearly every article: as needles they select little and cost many automaton hits.
STOPWORDS = frozenset("""a an and are as at be by for from has he in is it its of on or our
said she that the their they this to us was we were will with you your now today all not
""".split())


def quality(needle: str) -> int:
    """How selective a needle is likely to be: its length, rare punctuation counting triple,
    a very common word counting one."""
    if needle.strip() in STOPWORDS:
        return 1
    return sum(3 if c in RARE else 1 for c in needle)


def _score(s: frozenset[str] | None) -> tuple:
    if not s or "" in s:
        return (-1,)
    return (min(quality(x) for x in s), -len(s))


def _top(sets) -> tuple[frozenset[str], ...]:
    """The best few valid needle sets, best first."""
    valid = {x for x in sets if _score(x) >= (1,)}
    return tuple(sorted(valid, key=lambda x: (_score(x), sorted(x)), reverse=True)[:MAX_AND])


def _conj(info: Info) -> tuple[frozenset[str], ...]:
    return _top((*info.need, info.exact))


def _usable(info: Info) -> frozenset[str] | None:
    """The best single needle set of a node."""
    found = _conj(info)
    return found[0] if found else None


def _cross(a: frozenset[str], b: frozenset[str]) -> frozenset[str] | None:
    if len(a) * len(b) > MAX_SET:
        return None
    return frozenset(x + y for x in a for y in b)


def _capped(heads: set[tuple[str, ...]]) -> frozenset[tuple[str, ...]] | None:
    """At most HEADS_MAX heads: past it, the first characters followed by the most second
    ones are followed by any (WILD), until the set is small enough."""
    if len(heads) > HEADS_MAX:
        seconds: dict[str, set] = {}
        for h in heads:
            if len(h) == 2:
                seconds.setdefault(h[0], set()).add(h)
        heads = set(heads)
        for first in sorted(seconds, key=lambda f: -len(seconds[f])):
            if len(heads) <= HEADS_MAX:
                break
            heads -= seconds[first]
            heads.add((first, WILD))
    return frozenset(heads) if len(heads) <= HEADS_MAX else None


def _then(a: frozenset | None, b: frozenset | None) -> frozenset | None:
    """The heads of a match of `a` followed by one of `b`."""
    if a is None or b is None:
        return None
    return _capped({h if len(h) >= 2 else (h + t)[:2] for h in a
                    for t in (b if len(h) < 2 else ((),))})


def _repeated(heads: frozenset | None, lo: int, hi: int | None) -> frozenset | None:
    """The heads of `lo` to `hi` (None: any number of) matches in a row. The heads of k in a
    row depend on those of k - 1 alone, and stop changing after a few: each has two
    characters at most."""
    if heads is None:
        return None
    out: set = {()} if lo == 0 else set()
    power, k = frozenset({()}), 0
    while hi is None or k < hi:
        k += 1
        step = _then(power, heads)
        if step is None:
            return None
        if k >= lo:
            out |= step
            if step == power:
                break               # the same for every count after this one
        elif step == power:
            out |= step             # reached before lo: what lo in a row gives too
            break
        power = step
        if k > lo + 4:
            return None             # not settled (it always is by then)
    return _capped(out)


def _concat(parts: list[Info], with_heads: bool = False) -> Info:
    candidates = []
    run = frozenset({""})       # the exact strings of the literal run so far
    whole = True
    for part in parts:
        if part.exact is not None:
            joined = _cross(run, part.exact)
            if joined is None:
                candidates.append(run)
                whole = False
                joined = part.exact
            run = joined
        else:
            candidates.append(run)
            whole = False
            run = frozenset({""})
        candidates.extend(part.need)
    candidates.append(run)
    widths = [part.width for part in parts]
    width = None if None in widths else sum(widths)
    first: frozenset[str] | None = frozenset()
    for part in parts:              # the parts a match can start in: up to a non-empty one
        first = None if first is None or part.first is None else first | part.first
        if not part.nullable:
            break
    heads: frozenset | None = frozenset({()}) if with_heads else None
    for part in parts if with_heads else ():
        heads = _then(heads, part.heads)
        if heads is None or all(len(h) == 2 for h in heads):
            break                   # the later parts cannot change the first two characters
    return Info(run if whole else None, _top(candidates), width, first,
                all(part.nullable for part in parts), heads)


def _alternate(branches: list[Info], with_heads: bool = False) -> Info:
    exact: frozenset[str] | None = frozenset()
    for b in branches:
        exact = exact | b.exact if exact is not None and b.exact is not None else None
    if exact is not None and len(exact) > MAX_SET:
        exact = None
    need: frozenset[str] | None = frozenset()
    for b in branches:
        u = _usable(b)
        need = need | u if need is not None and u is not None else None
    widths = [b.width for b in branches]
    first: frozenset[str] | None = frozenset()
    for b in branches:
        first = None if first is None or b.first is None else first | b.first
    heads: set | None = set() if with_heads else None
    for b in branches if with_heads else ():
        heads = None if heads is None or b.heads is None else heads | b.heads
    return Info(exact, (need,) if need else (), None if None in widths else max(widths),
                first, any(b.nullable for b in branches),
                _capped(heads) if heads is not None else None)


_CLASS_ESCAPES = set("dDwWsSpPhHX")
_FLAGS_ONLY = re.compile(r"\(\?[a-zA-Z0-9-]*\)")
_ZERO_WIDTH = set("bBAZzGmM")
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "e": "\x1b"}


class _Parser:
    def __init__(self, pattern: str, keep_case: bool = False, with_heads: bool = False):
        self.p, self.i = pattern, 0
        self.keep_case = keep_case      # literals as written (a case-sensitive pattern)
        self.with_heads = with_heads    # work out Info.heads (only anchored screens need them)
        self.depth = 0
        self.anchored: list[bool] = []     # per top-level branch: from ^ to $
        self.starts: list[bool] = []       # per top-level branch: from ^

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.p[j] if j < len(self.p) else ""

    def take(self, s: str) -> bool:
        if self.p.startswith(s, self.i):
            self.i += len(s)
            return True
        return False

    def parse(self) -> Info:
        info = self.alternation()
        if self.i != len(self.p):
            raise Unsupported(f"unexpected {self.peek()!r} at {self.i}")
        return info

    def alternation(self) -> Info:
        branches = [self.sequence()]
        while self.take("|"):
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else _alternate(branches, self.with_heads)

    def sequence(self) -> Info:
        parts, sources = [], []
        while self.peek() and self.peek() not in "|)":
            start = self.i
            parts.append(self.quantified(self.atom()))
            sources.append(self.p[start:self.i])
        if self.depth == 0:
            core = [src for src in sources if not _FLAGS_ONLY.fullmatch(src)]
            self.starts.append(bool(core) and core[0] in ("^", "\\A"))
            self.anchored.append(self.starts[-1] and core[-1] in ("$", "\\Z", "\\z"))
        return _concat(parts, self.with_heads) if parts else EMPTY

    def quantified(self, info: Info) -> Info:
        c = self.peek()
        if c == "*":
            self.i += 1
            lo, hi = 0, None
        elif c == "+":
            self.i += 1
            lo, hi = 1, None
        elif c == "?":
            self.i += 1
            lo, hi = 0, 1
        elif c == "{":
            end = self.p.find("}", self.i)
            body = self.p[self.i + 1:end] if end > 0 else ""
            lo_s, comma, hi_s = body.partition(",")
            if not (lo_s.isdigit() or (comma and not lo_s)) or (hi_s and not hi_s.isdigit()):
                raise Unsupported("'{' that is not a plain quantifier")
            self.i = end + 1
            lo = int(lo_s) if lo_s else 0
            hi = (int(hi_s) if hi_s else None) if comma else lo
        else:
            return info
        if self.peek() in ("?", "+"):
            self.i += 1          # lazy or possessive: the same strings
        if self.peek() in ("*", "+", "?", "{"):
            raise Unsupported("stacked quantifiers")
        width = 0 if info.width == 0 else \
            None if hi is None or info.width is None else info.width * hi
        if lo == 0:
            if hi == 0:
                return EMPTY
            heads = _repeated(info.heads, lo, hi) if self.with_heads else None
            if hi == 1 and info.exact is not None:
                return Info(info.exact | {""}, (), width, info.first, True, heads)
            return Info(None, (), width, info.first, True, heads)
        if lo == hi == 1:
            return info
        return Info(None, _conj(info), width, info.first, info.nullable,
                    _repeated(info.heads, lo, hi) if self.with_heads else None)

    def atom(self) -> Info:
        c = self.peek()
        if c == "(":
            return self.group()
        if c == "[":
            return self.char_class()
        if c == "\\":
            return self.escape()
        if c in "^$":
            self.i += 1
            return EMPTY
        if c == ".":
            self.i += 1
            return ONE
        if c in "*+?{":
            raise Unsupported(f"nothing to repeat at {self.i}")
        self.i += 1
        return self.literal(c)

    def literal(self, c: str) -> Info:
        solid = 0 if c.isspace() else 1
        if not _safe(c):
            return Info(None, (), solid, None, False, ONE.heads)
        return Info(frozenset({c if self.keep_case else c.lower()}), (), solid,
                    frozenset({first_key(c)}), False,
                    frozenset({(head_key(c),)}) if self.with_heads else None)

    def group(self) -> Info:
        self.i += 1
        lookaround = None
        if self.take("?"):
            if self.take(":") or self.take(">"):
                pass
            elif self.take("P<") or (self.peek() == "<" and self.peek(1) not in "=!"
                                     and self.take("<")):
                end = self.p.find(">", self.i)
                if end < 0:
                    raise Unsupported("unterminated group name")
                self.i = end + 1
            elif self.take("="):
                lookaround = "positive"
            elif self.take("!") or self.take("<!"):
                lookaround = "negative"
            elif self.take("<="):
                lookaround = "positive"
            elif self.take("#"):
                end = self.p.find(")", self.i)
                if end < 0:
                    raise Unsupported("unterminated comment")
                self.i = end + 1
                return EMPTY
            else:
                return self.flags()
        self.depth += 1
        inner = self.alternation()
        self.depth -= 1
        if not self.take(")"):
            raise Unsupported("unbalanced parenthesis")
        if lookaround == "positive":
            return Info(frozenset({""}), _conj(inner), 0, frozenset(), True,
                        EMPTY.heads)   # zero-width
        if lookaround == "negative":
            return EMPTY
        return inner

    def flags(self) -> Info:
        """(?flags) or (?flags:...). Case flags do not matter (needles are compared folded);
        verbose, full-case folding and version 1 change what literals mean: not handled."""
        j = self.i
        while j < len(self.p) and (self.p[j].isalnum() or self.p[j] == "-"):
            j += 1
        flags = self.p[self.i:j]
        if not flags or any(f not in "imsuaL-" for f in flags.replace("V0", "")):
            raise Unsupported(f"flags {flags!r}")
        self.i = j
        if self.take(")"):
            return EMPTY
        if not self.take(":"):
            raise Unsupported("malformed flag group")
        self.depth += 1
        inner = self.alternation()
        self.depth -= 1
        if not self.take(")"):
            raise Unsupported("unbalanced parenthesis")
        return inner

    def escape(self) -> Info:
        self.i += 1
        c = self.peek()
        self.i += 1
        if not c:
            raise Unsupported("trailing backslash")
        if c in _CLASS_ESCAPES:
            if c in "pP":
                if self.take("{"):
                    end = self.p.find("}", self.i)
                    if end < 0:
                        raise Unsupported("unterminated \\p{")
                    self.i = end + 1
                else:
                    self.i += 1
            if c == "d":
                return DIGIT
            return ANY if c == "X" else SPACE if c == "s" else ONE   # \X: a grapheme
        if c in _ZERO_WIDTH:
            return EMPTY
        if c in "123456789":        # a backreference: whatever its group took, of any length
            while self.peek().isdigit():
                self.i += 1
            return ANY
        return self.literal(self.escaped_char(c))

    def escaped_char(self, c: str) -> str:
        if c in _SIMPLE:
            return _SIMPLE[c]
        if c in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[c]
            if c == "x" and self.peek() == "{":
                raise Unsupported("\\x{...}")
            digits = self.p[self.i:self.i + width]
            if len(digits) != width or any(d not in "0123456789abcdefABCDEF" for d in digits):
                raise Unsupported("malformed hex escape")
            self.i += width
            return chr(int(digits, 16))
        if c.isalnum():
            raise Unsupported(f"escape \\{c}")   # backreferences, \N{...}, \L<...>, \g<...>
        return c

    def char_class(self) -> Info:
        """A class of a few plain characters is a small set; anything else matches ANY."""
        self.i += 1
        negated = self.take("^")
        chars: set[str] = set()
        plain = not negated
        spaces = not negated            # only white space (\s, or literal spaces)
        mixed = not negated             # plain characters and \s, no other escape or range
        first = True
        while True:
            c = self.peek()
            if not c:
                raise Unsupported("unterminated character class")
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            if c == "[":
                raise Unsupported("nested set")
            self.i += 1
            if c == "\\":
                e = self.peek()
                self.i += 1
                if e in _CLASS_ESCAPES:
                    plain = False
                    spaces = spaces and e == "s"
                    mixed = mixed and e == "s"
                    if e in "pP":
                        if self.take("{"):
                            self.i = self.p.index("}", self.i) + 1
                        else:
                            self.i += 1
                    continue
                c = self.escaped_char(e)
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                plain = spaces = mixed = False  # a range
                self.i += 1
                if self.peek() == "\\":
                    self.i += 2
                else:
                    self.i += 1
                continue
            chars.add(c)
            spaces = spaces and c.isspace()
        if spaces:
            return SPACE
        if plain and chars and len(chars) <= 8 and all(_safe(c) for c in chars):
            return Info(frozenset(c if self.keep_case else c.lower() for c in chars), (), 1,
                        frozenset(first_key(c) for c in chars), False,
                        frozenset((head_key(c),) for c in chars))
        if mixed and chars and len(chars) <= 8 and all(
                _safe(c) or c.lower() == c == c.upper() == c.casefold() for c in chars):
            # white space or one of a few characters ([\u200b\s]): no other line opens a match
            return Info(None, (), 1, SPACE.first | {first_key(c) for c in chars}, False,
                        SPACE.heads | {(head_key(c),) for c in chars})
        return ONE


@functools.lru_cache(maxsize=4096)
def _parsed(pattern: str, keep_case: bool = False,
            with_heads: bool = False) -> tuple[Info, bool, bool] | None:
    """The analysis of a pattern, whether it is anchored at both ends and whether at the
    start; once per process. `keep_case`: literals as written, not lower-cased; `with_heads`:
    with the first two characters of a match (Info.heads; None without)."""
    parser = _Parser(pattern, keep_case, with_heads)
    try:
        info = parser.parse()
    except (Unsupported, ValueError, IndexError):
        return None
    return (info, bool(parser.anchored) and all(parser.anchored),
            bool(parser.starts) and all(parser.starts))


_FIRST_FOLD = dict(FOLD_FIXUPS)


def first_key(c: str) -> str:
    """One character as first_chars() compares it: lower-cased as fold() does, or OTHER."""
    if c.isascii():
        return c.lower()
    folded = _FIRST_FOLD.get(c)
    if folded is not None:
        return folded
    if c.isdecimal() or unicodedata.category(c) == "Cn":
        return OTHER
    return c.lower()


def head_key(c: str) -> str:
    """A character as `heads` compare it: first_key(), except that all white space is one key
    (' ') and so are the ASCII digits ('0'); what a pattern allows there is seldom narrower, and
    the sets of two characters stay small."""
    if c.isspace():
        return " "
    if "0" <= c <= "9":
        return "0"
    return first_key(c)


def first_chars(pattern: str) -> frozenset[str] | None:
    """When `pattern` is anchored at the start (every top-level branch begins with ^): the
    keys (`first_key`) of the characters a line it matches can begin with (compare
    `fold_first(line)`). None when that is not known or may be any character."""
    parsed = _parsed(pattern)
    if parsed is None or not parsed[2] or parsed[0].nullable:
        return None
    return parsed[0].first


@functools.lru_cache(maxsize=4096)
def first_heads(pattern: str) -> frozenset[tuple[str, ...]] | None:
    """When `pattern` is anchored at the start: the first two characters a match can begin
    with (`Info.heads`); None when not known."""
    parsed = _parsed(pattern, with_heads=True)
    return parsed[0].heads if parsed is not None and parsed[2] else None


@functools.lru_cache(maxsize=4096)
def needles(pattern: str, keep_case: bool = False) -> tuple[frozenset[str], ...] | None:
    """Sets of literal needles (lower-cased; with `keep_case`, as written) such that any
    match of `pattern` contains one needle of every set; None when nothing selective enough
    is certain."""
    parsed = _parsed(pattern, keep_case)
    if parsed is None:
        return None
    info = parsed[0]

    def strength(x: frozenset[str]) -> int:
        return min(quality(n) for n in x)

    # a second or third set must select something by itself ('.' or ',' would not)
    sets = [x for k, x in enumerate(_conj(info))
            if k == 0 or not (x & COMMON or any(n.strip() in STOPWORDS or
                                                (len(n) == 1 and n.isalnum()) for n in x))]
    # drop a set implied by a better one (every needle of that one contains one of it)
    kept: list[frozenset[str]] = []
    for b in sets:
        if not any(all(any(m in n for m in b) for n in a) for a in kept):
            kept.append(b)
    sets = kept
    if not sets or (strength(sets[0]) < MIN_NEEDLE
                    and (len(sets) < 2 or sum(strength(x) for x in sets[:2]) < MIN_NEEDLE)):
        return None
    # a needle that contains another one of its set adds nothing: the shorter one is found
    return tuple(frozenset(n for n in x if not any(m != n and m in n for m in x)) for x in sets)


# an inline flag group that may turn on case-insensitive matching: (?i), (?mi), (?i:...)
_ANY_CASE = re.compile(r"\(\?[a-zA-Z-]*i")


def exact_needles(pattern: str) -> tuple[frozenset[str], ...] | None:
    """For a case-sensitive pattern: the needle sets as written ('AP', not 'ap') that hold a
    capital letter, which the line itself (not its fold) must hold; None when the
    pattern may ignore case somewhere or has none. The folded needles find a rule's candidate
    lines; these narrow them ('ap' is in 'happen', 'AP' is not)."""
    if _ANY_CASE.search(pattern) or not any(c.isupper() for c in pattern):
        return None                 # (no capital anywhere: no set of capitals either)
    found = needles(pattern, keep_case=True)
    # only a set with capitals selects lines the folded needles do not already: a lower-case
    # or caseless literal is mostly found as written wherever its fold is
    found = tuple(group for group in found or ()
                  if any(c.isupper() for n in group for c in n))
    return found or None


def max_solid(pattern: str) -> int | None:
    """When `pattern` is anchored at both ends (^...$, every top-level branch): the most
    non-space characters a line it matches can hold (None: no bound). A line with more
    (`segment.sizes`) cannot match."""
    parsed = _parsed(pattern)
    return parsed[0].width if parsed is not None and parsed[1] else None


def fold(text: str) -> str:
    """The text as needles are compared with it: lower-cased, one character for one. The
    last text folded is remembered (outlet choice and the prefilter fold the same document)."""
    last = _LAST_FOLD
    if last[0] is text:
        return last[1]
    folded = text
    for special, plain in FOLD_FIXUPS:
        if special in folded:
            folded = folded.replace(special, plain)
    folded = folded.lower()
    _remember(text, folded)
    return folded


_LAST_FOLD: tuple = (None, "")


def _remember(text: str, folded: str) -> None:
    global _LAST_FOLD
    _LAST_FOLD = (text, folded)     # one binding: safe across threads


NONE: frozenset[int] = frozenset()     # no line: shared, never changed


class Scanner:
    """One Aho-Corasick automaton (ahocorasick_rs) over the needles of a whole rule set: the
    generic rules, every outlet pack's rules and fingerprints. A document is scanned once,
    whatever outlet it turns out to be; each needle table reads the hits of its own needles.
    The last text scanned is remembered (outlet choice and the prefilter scan the same
    document)."""

    def __init__(self, needles: Iterable[str]):
        import ahocorasick_rs

        self.key_of: dict[str, int] = {n: k for k, n in enumerate(sorted(set(needles)))}
        # the contiguous NFA: a fraction of the DFA's memory (every worker holds one)
        self.automaton = ahocorasick_rs.AhoCorasick(
            list(self.key_of), matchkind=ahocorasick_rs.MATCHKIND_STANDARD,
            implementation=ahocorasick_rs.Implementation.ContiguousNFA) if self.key_of else None
        self._last: tuple = (None, [])

    def hits(self, folded: str) -> list[tuple[int, int, int]]:
        """(needle key, start, end) of every needle in `folded`, overlaps included."""
        last = self._last
        if last[0] is folded:
            return last[1]
        found = self.automaton.find_matches_as_indexes(folded, overlapping=True) \
            if self.automaton is not None else []
        self._last = (folded, found)      # one binding: safe across threads
        return found


class _Needles:
    """Needle sets numbered as slots: `add` a pattern's sets and keep the slots it returns,
    then `build` over a scanner that knows every needle (or one of the table's own). A scan's
    hits give the needles found, and `slots_of` the slots of the sets that hold each one."""

    def __init__(self):
        self.owners: dict[str, list[int]] = {}
        self.count = 0
        self.scanner: Scanner | None = None
        self.slots_of: dict[int, tuple[int, ...]] = {}     # scanner key -> its slots here

    def hits(self, folded: str) -> list[tuple[int, int, int]]:
        return self.scanner.hits(folded) if self.scanner is not None else []

    def lines_per_slot(self, folded: str, starts: list[int]) -> dict[int, set[int]]:
        """For each slot with a needle in the text, the positions of the lines (given by
        their start offsets in the text) that hold one of its needles; slots absent hold none.
        The hits are gathered per needle first, so the cost grows with the needles found,
        not with the slots they fill."""
        per_slot: dict[int, set[int]] = {}
        present: dict[int, set[int]] = {}
        find = bisect.bisect_right
        mine = self.slots_of
        for key, _, end in self.hits(folded):
            if key not in mine:     # another outlet's needle
                continue
            k = find(starts, end) - 1
            if k >= 0:
                at = present.get(key)
                if at is None:
                    present[key] = {k}
                else:
                    at.add(k)
        for key, at in present.items():
            for s in mine[key]:
                have = per_slot.get(s)
                per_slot[s] = at if have is None else have | at    # never changed in place
        return per_slot

    def add(self, sets: tuple[frozenset[str], ...]) -> tuple[int, ...]:
        slots = tuple(range(self.count, self.count + len(sets)))
        for slot, needle_set in zip(slots, sets):
            for n in needle_set:
                self.owners.setdefault(n, []).append(slot)
        self.count += len(sets)
        return slots

    def build(self, scanner: Scanner | None = None) -> None:
        if not self.owners:
            return
        if scanner is None or any(n not in scanner.key_of for n in self.owners):
            scanner = Scanner(self.owners)
        self.scanner = scanner
        self.slots_of = {scanner.key_of[n]: tuple(slots) for n, slots in self.owners.items()}


def _holding_all(per_slot: dict[int, set[int]], slots: tuple[int, ...]) -> set[int]:
    """The lines that hold a needle of every one of these slots' sets."""
    found = per_slot.get(slots[0], NONE)
    for s in slots[1:]:
        found = found & per_slot.get(s, NONE)
    return found


class Prefilter:
    """The needles of a set of rules, as slots read off a scanner's hits; and for rules anchored
    at both ends, the most non-space characters a line they match can hold."""

    def __init__(self, rules: Iterable, scanner: Scanner | None = None):
        self.slots: dict[str, tuple[int, ...]] = {}   # rule id -> one slot per needle set
        self.bounds: dict[str, int] = {}              # rule id -> max_solid()
        self.word_bounds: dict[str, int] = {}         # rule id -> the rule's max_words
        self.firsts: dict[str, frozenset[str]] = {}   # rule id -> first_chars(), when known
        self.exact: dict[str, tuple] = {}     # rule id -> exact_needles(), one search per set
        self.context: dict[str, list] = {}   # rule id -> [(slots, bound)] of next/prev patterns
        self.needles = table = _Needles()
        unscreened: list = []
        for rule in rules:
            if rule.pattern is None or rule.id in self.slots or rule.id in self.bounds:
                continue
            bound = max_solid(rule.pattern.pattern)
            if bound is not None:
                self.bounds[rule.id] = bound
            if rule.max_words:          # the engine never tries longer lines either
                self.word_bounds[rule.id] = rule.max_words
            # a neighbour the rule needs ('next'/'prev'): its needles must be in the document
            # (the slots of its needle sets, the most non-space characters it can hold)
            for near in (rule.next, rule.prev):
                sets = needles(near.pattern) if near is not None else None
                if sets:
                    self.context.setdefault(rule.id, []).append(
                        (table.add(sets), max_solid(near.pattern)))
            found = needles(rule.pattern.pattern)
            if found is None:
                unscreened.append(rule)
            else:
                self.slots[rule.id] = table.add(found)
                exact = exact_needles(rule.pattern.pattern)
                if exact is not None:   # one search of the line per set (re: literals only)
                    self.exact[rule.id] = tuple(re.compile("|".join(
                        re.escape(n) for n in sorted(group, key=len, reverse=True)))
                        for group in exact)
                first = first_chars(rule.pattern.pattern)
                if first is not None:
                    self.firsts[rule.id] = first
        table.build(scanner)
        self._owner = {s: rid for rid, slots in self.slots.items() for s in slots}
        self._none = {rid: NONE for rid in self.slots}
        self.screens = _screens(unscreened)
        screened = {rid for _, _, ids in self.screens for rid in ids}
        # rules with a bound but neither needles nor a screen: tried on every short line
        self._open = [rid for rid in {**self.bounds, **self.word_bounds}
                      if rid not in self.slots and rid not in screened]
        self._last: tuple = (None, None, None)

    def candidates(self, text: str, lines) -> dict[str, set[int]]:
        """For each rule with needles or a bound: the indexes of the lines that could match
        (they hold a needle of each of its sets, and are short enough).

        Rules absent from the result must be tried on every line.
        """
        last = self._last       # the engine asks again for each round over the same document
        if last[0] is text and last[1] is lines:
            return last[2]
        scanned = self.needles.scanner is not None
        result: dict[str, set[int]] = dict(self._none)     # rules whose needles are absent
        live = list(self._open)     # the rules that may have a line: only they need bounds
        if scanned:
            per_slot = self.needles.lines_per_slot(fold(text), [ln.start for ln in lines])
            owner = self._owner
            firsts = self.firsts
            exacts = self.exact
            heads: dict[int, str] = {}      # line position -> fold_first() of its text
            for rid in {owner[s] for s in per_slot if s in owner}:
                found = _holding_all(per_slot, self.slots[rid])
                first = firsts.get(rid)
                if first is not None and found:     # a line must also begin as the rule can
                    kept = set()
                    for i in found:
                        head = heads.get(i)
                        if head is None:
                            head = heads[i] = fold_first(lines[i].text)
                        if head in first:
                            kept.add(i)
                    found = kept
                exact = exacts.get(rid)
                if exact is not None and found:     # and hold its literals as written
                    found = {i for i in found
                             if all(group.search(lines[i].text) for group in exact)}
                result[rid] = found
                if found:
                    live.append(rid)
        gated = set()
        if scanned:
            for rid, around in self.context.items():
                for slots, bound in around:
                    found = _holding_all(per_slot, slots)
                    if bound is not None:
                        found = {i for i in found if sizes(lines[i])[1] <= bound}
                    if not found:
                        gated.add(rid)      # no line could be the neighbour it needs
        texts = [ln.text for ln in lines]
        timed = not ALARMED.get()
        for screen, anchored, ids in self.screens:
            if all(rid in gated for rid in ids):
                passed = set()
            else:                   # tried on a line when the engine asks about it
                passed = Screened(screen, anchored, texts, timed=timed)
            for rid in ids:
                result[rid] = passed
            if passed:
                live.extend(ids)
        for rid in gated:
            result[rid] = set()
        if self.bounds or self.word_bounds:
            # (words, non-space characters, line index)
            measured = [(*sizes(ln), ln.index) for ln in lines]
            for bounds, k in ((self.bounds, 1), (self.word_bounds, 0)):
                if not bounds:
                    continue
                order = sorted(measured, key=lambda m: m[k])
                ranked = [m[k] for m in order]
                prefix: dict[int, set[int]] = {}    # shared: the engine does not change them
                for rid in live:
                    bound = bounds.get(rid)
                    if bound is None:
                        continue
                    have = result.get(rid)
                    if have is not None and not have:
                        continue
                    cut = bisect.bisect_right(ranked, bound)
                    short = prefix.get(cut)
                    if short is None:
                        short = prefix[cut] = {m[2] for m in order[:cut]}
                    result[rid] = have & short if have is not None else short
        self._last = (text, lines, result)
        return result


# A screen is a relaxation too: past this many seconds on one line (adversarial text) it gives
# up, and the engine's own per-document deadline governs the rules themselves.
SCREEN_TIMEOUT = 1.0
_FLAGS = re.compile(r"^\(\?([imsx]+)\)")
_REFERS = re.compile(r"\\[1-9]|\(\?P=|\\g<")
_INLINE = re.compile(r"\(\?[a-zA-Z]+\)")


def _passes(screen, anchored: bool, text: str, timed: bool = True) -> bool:
    if not timed:           # an alarm guards the whole document
        return (screen.match if anchored else screen.search)(text) is not None
    try:
        return (screen.match if anchored else screen.search)(text, timeout=SCREEN_TIMEOUT) \
            is not None
    except TimeoutError:
        return True


class Screened:
    """The lines a screen passes, tested only when the engine asks about lines (`among`): the
    lines in a rule's scope, not the whole document. The rules of one screen share its
    answers (`memo`); `& set` narrows a rule's share to lines short enough for it
    (`within`), which the engine applies to what `among` gives."""

    __slots__ = ("screen", "anchored", "texts", "memo", "within", "timed")

    def __init__(self, screen, anchored: bool, texts: list[str], memo: dict | None = None,
                 within: set[int] | None = None, timed: bool = True):
        self.screen, self.anchored, self.texts = screen, anchored, texts
        self.memo = {} if memo is None else memo       # line index -> passed
        self.within = within
        self.timed = timed      # False: an alarm guards the document, no limit per line

    def __bool__(self) -> bool:     # not known without testing: assume some line passes
        return True

    def among(self, lines: list) -> list:
        """The lines of `lines` (in order) that the screen passes, not narrowed by `&`. The
        rules of one screen share its answers, so each line is tested once per document."""
        memo, screen, anchored, texts = self.memo, self.screen, self.anchored, self.texts
        out = []
        if anchored and not self.timed and isinstance(screen, _FirstChars):
            # the common case, written out: the alternation for the line's opening, matched
            for ln in lines:
                i = ln.index
                hit = memo.get(i)
                if hit is None:
                    picked = screen.picked(texts[i])
                    hit = memo[i] = picked is not None and picked.match(texts[i]) is not None
                if hit:
                    out.append(ln)
            return out
        for ln in lines:
            hit = memo.get(ln.index)
            if hit is None:
                hit = memo[ln.index] = _passes(screen, anchored, texts[ln.index], self.timed)
            if hit:
                out.append(ln)
        return out

    def __and__(self, other: set[int]) -> "Screened":
        within = other if self.within is None else self.within & other
        return Screened(self.screen, self.anchored, self.texts, self.memo, within, self.timed)


def _screens(rules: list) -> list[tuple[object, bool, tuple[str, ...]]]:
    """One alternation over the patterns of the rules without needles, so that a line is tried
    against each such rule only when one of them matches it: (regex, anchored, rule ids).
    Rules scoped to the head, the tail or anywhere get screens of their own, so that a head
    rule's branches do not slow the screening of every line.

    The test is exact as a screen: an alternation matches a line when, and only when, one of
    its branches does. Patterns anchored at the start (`^...`) go in a screen tried with
    `match` (position 0 only), the others in one tried with `search`. A pattern that refers to
    its own groups by number or name, or sets flags inside, is left out (the rule is then
    tried on every line)."""
    import regex

    groups: dict[tuple, list] = {}
    for rule in rules:
        source = rule.pattern.pattern
        flags = _FLAGS.match(source)
        body = source[flags.end():] if flags else source
        if _REFERS.search(body) or _INLINE.search(body):
            continue        # a global flag inside would reach the other branches
        branch = f"(?{flags.group(1)}:{body})" if flags else f"(?:{body})"
        # a rule that leans on its neighbours may match nearly any line on its own: it gets
        # a screen of its own, so it does not open the others' screen to every line
        alone = rule.id if rule.next is not None or rule.prev is not None else ""
        parsed = _parsed(source)
        anchored = parsed is not None and parsed[2]     # every top-level branch from ^
        groups.setdefault((anchored, alone, rule.where), []).append(
            (branch, rule.id, first_heads(source) if anchored else None))
    out = []
    for (anchored, *_), members in groups.items():
        try:
            screen = _first_chars_screen(tuple(members)) if anchored else _compiled(
                "|".join(b for b, _, _ in members))
        except regex.error:
            continue
        out.append((screen, anchored, tuple(rid for _, rid, _ in members)))
    return out


@functools.lru_cache(maxsize=256)
def _first_chars_screen(members: tuple) -> "_FirstChars":
    """One anchored screen per set of branches: each outlet's prefilter holds the generic
    rules' screens too, and they learn line openings once."""
    return _FirstChars(list(members))


@functools.lru_cache(maxsize=1024)
def _compiled(source: str):
    """A screen's alternation, compiled once per process (each outlet's prefilter has the
    generic rules' screens too)."""
    import regex

    return regex.compile(source, regex.V0)


def fold_first(text: str) -> str:
    """The key of a text's first character, as first_chars() gives them."""
    return first_key(text[:1]) if text else ""


class _Opening:
    """The first two characters a match of a branch can begin with (its `heads`), as sets
    for a quick test of a line's opening."""

    __slots__ = ("empty", "ones", "pairs")

    def __init__(self, heads: frozenset[tuple[str, ...]]):
        self.empty = () in heads                            # an empty match: any line
        self.ones = {h[0] for h in heads if len(h) == 1}    # a match of one character
        self.pairs = {h for h in heads if len(h) == 2}

    def admits(self, k1: str | None, k2: str | None) -> bool:
        """Whether a line whose first two characters have these keys (None: the line ends
        before) could begin with a match."""
        if self.empty:
            return True
        if k1 is None:
            return False
        if k1 in self.ones or WILD in self.ones:
            return True
        if k2 is None:
            return False
        pairs = self.pairs
        return (k1, k2) in pairs or (k1, WILD) in pairs or (WILD, k2) in pairs \
            or (WILD, WILD) in pairs


_UNSEEN = object()


class _FirstChars:
    """An anchored screen that tries on a line only the branches that can begin with its first
    two characters (`heads`, keyed as needles fold them): one alternation per set of such
    branches, picked by the line's first two characters and remembered for them (up to
    OPENINGS per screen). A branch whose heads are not known is in every alternation, so the
    screen still matches a line exactly when one of its branches does."""

    OPENINGS = 8192

    def __init__(self, members: list[tuple[str, str, frozenset | None]]):
        self.branches = [b for b, _, _ in members]
        self.openings = [_Opening(heads) if heads is not None else None
                         for _, _, heads in members]
        self.table: dict[str, object] = {}          # a line's first two characters -> screen
        self._by_branches: dict[tuple[bool, ...], object] = {}

    def pick(self, opening: str):
        """The alternation of the branches a line that begins with `opening` could match
        (None: no branch)."""
        k1 = head_key(opening[0]) if opening else None
        k2 = head_key(opening[1]) if len(opening) > 1 else None
        keep = tuple(o is None or o.admits(k1, k2) for o in self.openings)
        screen = self._by_branches.get(keep, _UNSEEN)
        if screen is _UNSEEN:
            chosen = [b for b, k in zip(self.branches, keep) if k]
            screen = self._by_branches[keep] = _compiled("|".join(chosen)) if chosen else None
        return screen

    def picked(self, text: str):
        """pick() for the line's first two characters, remembered for them (up to OPENINGS
        openings)."""
        opening = text[:2]
        screen = self.table.get(opening, _UNSEEN)
        if screen is _UNSEEN:
            screen = self.pick(opening)
            if len(self.table) < self.OPENINGS:
                self.table[opening] = screen
        return screen

    def match(self, text: str, timeout: float | None = None):
        screen = self.picked(text)
        if screen is None:
            return None
        return screen.match(text) if timeout is None else screen.match(text, timeout=timeout)


def could_match(pattern, folded: str) -> bool:
    """False only when `pattern` (compiled, or its source) cannot match anywhere in a text whose
    fold() is `folded`: no needle of one of its sets is there. The analysis is cached."""
    return holds(needles(getattr(pattern, "pattern", pattern)), folded)


def holds(sets: tuple[frozenset[str], ...] | None, folded: str) -> bool:
    """Whether a folded text holds a needle of every set (`needles()`; None: nothing is
    known, so it may match)."""
    return sets is None or all(any(n in folded for n in group) for group in sets)


class Fingerprints:
    """The outlet packs' fingerprints screened at once: one scan for all their needles finds
    which fingerprints could match a document (the others cannot: `could_match`)."""

    def __init__(self, patterns: list, scanner: Scanner | None = None):
        self.table = _Needles()
        self.sets = [(f, self.table.add(needles(f.pattern) or ())) for f in patterns]
        self.table.build(scanner)
        self.always = {f for f, slots in self.sets if not slots}     # nothing selective
        self.of_slot: dict[int, list] = {}      # slot -> the fingerprints that need it
        for f, slots in self.sets:
            for s in slots:
                self.of_slot.setdefault(s, []).append((f, slots))

    def possible(self, folded: str) -> set:
        """The fingerprints that could match a text whose fold() is `folded`."""
        out = set(self.always)
        if self.table.scanner is not None:
            seen: set[int] = set()
            slots_of = self.table.slots_of
            for key in {key for key, _, _ in self.table.hits(folded)}:
                seen.update(slots_of.get(key, ()))
            for s in seen:
                for f, slots in self.of_slot.get(s, ()):
                    if f not in out and all(t in seen for t in slots):
                        out.add(f)
        return out


def scanner_of(rules) -> Scanner:
    """The one scanner of a rule set, over the needles of all its patterns (rules, their
    neighbours, fingerprints), built once per rule set."""
    def make() -> Scanner:
        patterns = [f.pattern for pack in rules.outlets for f in pack.fingerprints]
        for rule in rules.by_id.values():
            patterns += [p.pattern for p in (rule.pattern, rule.next, rule.prev) if p is not None]
        return Scanner(n for p in patterns for group in needles(p) or () for n in group)

    return rules.once("scanner", make)


def fingerprints_of(rules) -> Fingerprints:
    """The fingerprint screen of a rule set, built once per rule set."""
    return rules.once("fingerprints", lambda: Fingerprints(
        [f for pack in rules.outlets for f in pack.fingerprints], scanner_of(rules)))


def for_document(rules, pack, languages: frozenset[str] | None = None) -> Prefilter:
    """The prefilter for the generic rules (of the language packs, those of `languages`;
    None: all) plus one outlet pack (or none), built once per rule set, pack and languages."""
    return rules.once(("prefilter", pack.slug if pack is not None else None, languages),
                      lambda: Prefilter([r for r in rules.generic if r.reads(languages)]
                                        + list(pack.rules if pack is not None else ()),
                                        scanner_of(rules)))


def warm(rules) -> None:
    """Build the prefilters of every outlet pack now (before worker processes are forked):
    with every language pack, and with none (an article clearly in a language no pack is
    written for, English above all)."""
    fingerprints_of(rules)
    for pack in (None, *rules.outlets):
        for languages in (None, frozenset()):
            for_document(rules, pack, languages)
