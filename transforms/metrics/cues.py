"""The cue words of figure_cues.yaml, compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from transforms.knowledge import load_yaml


def alternation(words, followed_by: dict[str, str] | None = None) -> str:
    """Regex source for any of `words`, the longest where several fit (as
    `w1|w2|…` longest first), written as a trie (`国(?:内生产总值|民收入)`):
    re follows one branch per character instead of trying every word in turn.
    A word in `followed_by` matches only before that pattern."""
    trie: dict = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = (followed_by or {}).get(word, "")
    return _trie_source(trie)


_END = ""  # a trie node's end-of-word mark; its value: the word's `followed_by` pattern or ""


def _trie_source(node: dict) -> str:
    # the longer words first, then the word ending here: the same order of tries as longest first
    branches = [re.escape(char) + _trie_source(node[char]) for char in sorted(node) if char != _END]
    if _END in node:
        branches.append(f"(?={node[_END]})" if node[_END] else "")
    if len(branches) <= 1:
        return branches[0] if branches else ""
    return "(?:" + "|".join(branches) + ")"


class Suffixes:
    """Words a string may end with, found longest first by a dict lookup per
    word length: the same word as a search for `(?:alternation(words))$` finds
    in a string without a final newline, without trying every position."""

    def __init__(self, words):
        self.words: dict[str, object] = {}
        for w in words:  # (word, value) pairs or plain words; the first value of a word wins
            word, value = w if isinstance(w, tuple) else (w, w)
            self.words.setdefault(word, value)
        self.lengths = tuple(sorted({len(w) for w in self.words}, reverse=True))
        self.last_chars = frozenset(w[-1] for w in self.words if w)
        # only the lengths of the words ending in a string's last character can fit it
        lengths_by_last: dict[str, set[int]] = {}
        for w in self.words:
            if w:
                lengths_by_last.setdefault(w[-1], set()).add(len(w))
        self.lengths_by_last = {ch: tuple(sorted(ks, reverse=True)) for ch, ks in lengths_by_last.items()}
        self.has_empty = "" in self.words

    def longest(self, s: str) -> str | None:
        """The longest of the words `s` ends with, or None."""
        n = len(s)
        if n:
            words = self.words
            for k in self.lengths_by_last.get(s[-1], ()):  # most strings end in no word's last character
                if k <= n and s[n - k:] in words:
                    return s[n - k:]
        return "" if self.has_empty else None


@dataclass(frozen=True)
class Cues:
    spec: dict
    range_separators: str  # regex source
    bound_before: tuple[tuple[str, str], ...]  # (word, bound), longest first
    bound_before_words: Suffixes  # the same, word -> bound
    bound_between: dict[str, str]
    bound_after: re.Pattern  # matched right after the mention; group name = bound
    capped: tuple[str, ...]
    avg_growth: tuple[str, ...]
    yearly_words: frozenset[str]  # per_year and avg_growth: a figure that is per year of a span
    to_level: tuple[str, ...]
    reached: frozenset[str]
    up: tuple[str, ...]
    down: tuple[str, ...]
    lead_down: tuple[str, ...]
    per_year: frozenset[str]
    leading_approx: frozenset[str]
    share_of_whole: re.Pattern
    comparison_aside: re.Pattern
    not_indicator: re.Pattern
    # trailing cue words stripped off an indicator phrase, longest first
    trailing: re.Pattern
    trailing_words: Suffixes  # the same words, for a string without a final newline
    leading_verb: re.Pattern
    sentence_target: re.Pattern
    past_target: re.Pattern
    actual_words: re.Pattern
    progress_share: re.Pattern
    annual_target_aside: re.Pattern
    portfolio_names: tuple[str, ...]
    annual_plan_names: tuple[str, ...]
    portfolio_done: re.Pattern
    growth_words: re.Pattern
    share_words: re.Pattern
    avg_growth_words: re.Pattern
    rate_words: tuple[str, ...]
    verb_nouns: tuple[str, ...]
    partial_names: frozenset[str]
    decline_rates: tuple[str, ...]
    estimate: re.Pattern
    actual_done: re.Pattern
    plan_target: re.Pattern
    plan_first: re.Pattern
    target: re.Pattern
    strong_target: re.Pattern
    plan_verbs: re.Pattern
    not_figure_spans: re.Pattern
    not_before: tuple[str, ...]
    set_phrases: re.Pattern
    count_cues: tuple[str, ...]


@cache
def cues() -> Cues:
    spec = load_yaml("figure_cues.yaml")
    b = spec["bounds"]
    before = sorted(((w, k) for k, ws in b["before"].items() for w in ws), key=lambda x: -len(x[0]))
    between = {w: k for k, ws in b["between"].items() for w in ws}
    after = "|".join(f"(?P<{k}>{alternation(ws)})" for k, ws in b["after"].items())
    m = spec["measure"]
    verbs = m["avg_growth"] + m["per_year"] + m["to_level"] + m["up"] + m["down"] + m["fillers"]
    k = spec["kind"]
    nf = spec["not_figures"]
    return Cues(
        spec=spec,
        range_separators=alternation(spec["range_separators"]),
        bound_before=tuple(before),
        bound_before_words=Suffixes(before),
        bound_between=between,
        bound_after=re.compile(after),
        capped=tuple(b["capped"]),
        avg_growth=tuple(sorted(m["avg_growth"], key=len, reverse=True)),
        yearly_words=frozenset(m["avg_growth"] + m["per_year"]),
        to_level=tuple(sorted(m["to_level"], key=len, reverse=True)),
        reached=frozenset(m["reached"]),
        up=tuple(sorted(m["up"], key=len, reverse=True)),
        down=tuple(sorted(m["down"], key=len, reverse=True)),
        lead_down=tuple(m["lead_down"]),
        per_year=frozenset(m["per_year"]),
        leading_approx=frozenset(m["leading_approx"]),
        share_of_whole=re.compile(m["share_of_whole"]),
        comparison_aside=re.compile(m["comparison_aside"]),
        not_indicator=re.compile(f"(?:{alternation(m['not_indicator'])}|[、,，和及与\\s])+"),
        trailing=re.compile(f"(?:{alternation(verbs + [w for ws in b['before'].values() for w in ws])})$"),
        trailing_words=Suffixes(verbs + [w for ws in b['before'].values() for w in ws]),
        leading_verb=re.compile(f"(?P<approx>{alternation(m['leading_approx'])})?(?:再|又)?"
                                f"(?P<verb>{alternation(m['leading_verbs'])})了?"),
        sentence_target=re.compile(alternation(k["sentence_target"])),
        past_target=re.compile(alternation(k["past_target"])),
        actual_words=re.compile(alternation(k["actual_words"])),
        progress_share=re.compile(k["progress_share"]),
        annual_target_aside=re.compile(k["annual_target_aside"]),
        portfolio_names=tuple(k["portfolio_names"]),
        annual_plan_names=tuple(k["annual_plan_names"]),
        portfolio_done=re.compile(alternation(k["portfolio_done"])),
        growth_words=re.compile(alternation(m["growth_words"])),
        share_words=re.compile(alternation(m["share_words"])),
        avg_growth_words=re.compile(alternation(m["avg_growth_words"])),
        rate_words=tuple(m["rate_words"]),
        verb_nouns=tuple(m["verb_nouns"]),
        partial_names=frozenset(m["partial_names"]),
        decline_rates=tuple(m["decline_rates"]),
        estimate=re.compile(alternation(k["estimate"])),
        actual_done=re.compile(k["actual_done"]),
        plan_target=re.compile(k["plan_target"]),
        plan_first=re.compile(k["plan_first"]),
        target=re.compile(alternation(k["target"])),
        strong_target=re.compile(alternation(k["strong_target"])),
        plan_verbs=re.compile(alternation(k["plan_verbs"])),
        not_figure_spans=re.compile("|".join(f"(?:{p})" for p in nf["spans"])),
        not_before=tuple(sorted(nf["before"], key=len, reverse=True)),
        set_phrases=re.compile(alternation(nf["chinese_set_phrases"])),
        count_cues=tuple(nf["chinese_count_cues"]),
    )


_DIGIT = "\\d"  # stands for the class \d in a first-character set


_ANY = object()  # any character (or none) in a start of `_starts`
_MAX_CLASS = 64  # a larger character class counts as any character


def _starts(items, k: int) -> set[tuple]:
    """What a match of the parsed sequence `items` can start with: tuples of up
    to `k` characters (`_DIGIT` for the class \\d, `_ANY` for anything); a
    tuple shorter than `k` is a whole match. A superset: unknown parts are `_ANY`."""
    from re import _constants as C  # stdlib internals, read-only use

    anything = (_ANY,) * k
    growing: set[tuple] = {()}
    done: set[tuple] = set()
    for op, av in items:
        if op in (C.ASSERT, C.ASSERT_NOT, C.AT):
            continue  # zero-width: it only rules out starts
        if op is C.LITERAL:
            options = {(chr(av),)}
        elif op is C.IN:
            chars: set = set()
            for iop, iav in av:
                if iop is C.LITERAL:
                    chars.add(chr(iav))
                elif iop is C.CATEGORY and iav is C.CATEGORY_DIGIT:
                    chars.add(_DIGIT)
                elif iop is C.RANGE and iav[1] - iav[0] < _MAX_CLASS:
                    chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
                else:
                    chars = {_ANY}
                    break
            options = {(ch,) for ch in chars}
        elif op is C.BRANCH:
            options = set().union(*(_starts(list(b), k) for b in av[1]))
        elif op is C.SUBPATTERN:
            options = _starts(list(av[3]), k) if not av[1] else {anything}
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, sub = av
            # at most k copies reach the k-th character
            options = set().union(*(_starts(list(sub) * n, k) for n in range(min(lo, k), min(hi, k) + 1)))
        else:
            options = {anything}
        grown: set[tuple] = set()
        for g in growing:
            for o in options:
                t = (g + o)[:k]
                (done if len(t) == k or _ANY in t else grown).add(t)
        growing = grown
        if not growing:
            break
    return done | growing


def _start_filter(source: str) -> str | None:
    """A lookahead on the first two characters a match of `source` can start
    with (`(?=[F])(?=a[xy]|b|...)`), or None if unknown at the first."""
    from re import _parser as P

    try:
        parsed = P.parse(source)
        if parsed.state.flags & re.IGNORECASE:
            return None  # the starts are the characters as written
        starts = _starts(list(parsed), 2)
    except Exception:  # pragma: no cover - fall back to no filter
        return None
    seconds: dict = {}
    for t in starts:
        if not t or t[0] is _ANY:
            return None  # a match can start anywhere (or be empty)
        seconds.setdefault(t[0], set()).add(t[1] if len(t) > 1 else _ANY)

    def cls(chars) -> str:
        return "".join(_DIGIT if c == _DIGIT else re.escape(c) for c in sorted(chars, key=str))

    alts = []
    for first in sorted(seconds, key=str):
        head = _DIGIT if first == _DIGIT else re.escape(first)
        second = seconds[first]
        alts.append(head if _ANY in second else f"{head}[{cls(second)}]")
    return f"(?=[{cls(seconds)}])(?={'|'.join(alts)})"


def fast(source: str) -> re.Pattern:
    """Compile `source` with a leading lookahead on the characters a match can
    start with: re tries every branch of a big alternation at every position
    otherwise (12x slower on the period pattern). The lookahead checks the
    first two characters (a year digit is common, `19`/`20` rarer)."""
    start = _start_filter(source)
    if start is None:
        return re.compile(source)
    return re.compile(f"{start}(?:{source})")
