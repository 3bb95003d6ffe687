"""Indicator: the phrase naming what a figure measures, and its catalog key
(data: indicators.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from transforms.knowledge import load_yaml
from transforms.metrics.cues import Suffixes, alternation, cues
from transforms.metrics.period import period_regex


@dataclass(frozen=True)
class _Catalog:
    entries: tuple[dict, ...]
    alias_key: dict[str, str]
    not_if: dict[str, tuple[str, ...]]
    alias_re: re.Pattern
    alias_ends: Suffixes  # the aliases, found at the end of a phrase
    alias_first: frozenset[str] | None  # the first characters of the aliases (None: an empty alias)
    lead_re: re.Pattern


def load_indicator_catalog() -> list[dict]:
    """Rows of the `indicator_catalog` table: indicator_key, name_zh, aliases, preferred_unit."""
    return [
        {"indicator_key": e["indicator_key"], "name_zh": e["name_zh"],
         "aliases": list(e.get("aliases", [])), "preferred_unit": e.get("preferred_unit")}
        for e in load_yaml("indicators.yaml")["indicators"]
    ]


@cache
def _catalog() -> _Catalog:
    entries = tuple(load_yaml("indicators.yaml")["indicators"])
    alias_key: dict[str, str] = {}
    for e in entries:
        for a in e.get("aliases", []):
            alias_key.setdefault(str(a), e["indicator_key"])
    not_if = {e["indicator_key"]: tuple(e.get("not_if", [])) for e in entries}
    alt = alternation(alias_key)
    spec = cues().spec
    lead_words = spec.get("indicator_lead_words", [])
    lead = f"(?:{alternation(lead_words)})" if lead_words else "(?!)"
    first = None if "" in alias_key else frozenset(a[0] for a in alias_key)
    return _Catalog(entries, alias_key, not_if, re.compile(alt), Suffixes(alias_key), first,
                    re.compile(f"^(?:{lead}|[、,，和及与]+)+"))


_NOISE = re.compile(r"\([^)]*\)|的")


@lru_cache(maxsize=8192)
def indicator_key(indicator: str | None) -> str | None:
    """The catalog key of an indicator as written: the entry with the longest
    alias found in it, unless one of the entry's `not_if` words is there too."""
    if not indicator:
        return None
    cat = _catalog()
    indicator = _NOISE.sub("", indicator)  # 粮食(不包括大豆)的产量 -> 粮食产量
    best: tuple[int, str] | None = None
    first = cat.alias_first
    for i in range(len(indicator)):
        if first is not None and indicator[i] not in first:
            continue  # no alias starts here (cheaper than trying the alternation)
        m = cat.alias_re.match(indicator, i)
        if not m:
            continue
        key = cat.alias_key[m.group()]
        if any(w in indicator for w in cat.not_if.get(key, ())):
            # a shorter alias at this position may still fit another entry
            continue
        if best is None or len(m.group()) > best[0]:
            best = (len(m.group()), key)
    return best[1] if best else None


def head_for(partial: str, before: str) -> str | None:
    """The head a catalog name puts before `partial` when the text before names
    that head (粮食总产量: 粮食连续五年增产,总产量…): the head nearest the end, or None."""
    best: tuple[int, str] | None = None
    for alias in _aliases_ending_with(partial):
        head = alias[:-len(partial)]
        at = before.rfind(head)
        if at >= 0 and (best is None or at > best[0]):
            best = (at, head)
    return best[1] if best else None


@lru_cache(maxsize=64)
def _aliases_ending_with(partial: str) -> tuple[str, ...]:
    return tuple(a for a in _catalog().alias_key if a.endswith(partial) and len(a) >= len(partial) + 2)


def strip_aliases(text: str) -> str:
    """`text` without the catalog names in it (城镇新增就业's 新增 is no verb)."""
    return _catalog().alias_re.sub("", text)


_PER_HEAD = ("每人", "人均", "每户", "每亩", "户均")


def split_indicator(context: str, period_re: re.Pattern, period_ends: dict[int, int] | None = None,
                    offset: int = 0) -> tuple[str, list[str]]:
    """Split the text before a number into (indicator, cue words nearest first):
    '国内生产总值比上年增长' -> ('国内生产总值', ['增长', '比上年']).

    `period_ends` maps the end of each period or comparison phrase of the
    document to its start and `offset` is the context's place in the document:
    a period phrase between the indicator and its verb (国内生产总值由1997年的,
    增加到2002年的, 分别比1995年增长) is stripped too, so it is neither the
    indicator nor hides it. `context` is part of one line (no newline)."""
    c = cues()
    cat = _catalog()
    s = context.rstrip()
    words: list[str] = []
    while s:
        if period_ends:
            a = period_ends.get(offset + len(s))
            if a is not None and offset <= a < offset + len(s):
                s = s[: a - offset].rstrip()
                continue
        word = c.trailing_words.longest(s)
        if not word:
            break
        alias = cat.alias_ends.longest(s)
        if alias is not None and len(alias) > len(word):
            break  # the cue word ends an indicator name (经济增长)
        rest = s[: len(s) - len(word)]
        if word in c.per_year and rest.endswith(_PER_HEAD):
            break  # 每人每年320元: a rate per head, not a yearly average
        words.append(word)
        s = rest
    s = s.strip()
    # leading time phrases and connectives are not part of the indicator
    while s:
        m = period_re.match(s) or cat.lead_re.match(s)
        if (not m or not m.group()) and s[0] in "到至在于截由从" and len(s) > 1:
            m = period_re.match(s, 1)  # 到2002年, 在一九八三年
        if not m or not m.group():
            break
        s = s[m.end():]
    # a verb before the indicator (再减少农村贫困人口1000万人, 大约损失工业总产值…) is a cue word too
    if s and not cat.alias_re.match(s) and not s.startswith(c.verb_nouns):
        m = c.leading_verb.match(s)
        if m is None:
            m = c.leading_verb.search(s, 0, 8)
            if m is not None and not m.group("approx"):
                m = None  # a subject before the verb only with 大约 (全国大约损失)
        if m and m.end() < len(s):
            words.append(m.group("verb"))
            if m.group("approx"):
                words.append(m.group("approx"))
            s = s[m.end():]
    return s.strip(), words


@lru_cache(maxsize=8192)  # 比上年增长, 增加到, 达到: the same context recurs across figures
def split_plain_context(context: str) -> tuple[str, tuple[str, ...]]:
    """`split_indicator(context, period_regex())` of a context holding no period
    phrase (the caller checks), with the cue words as a tuple: it is shared."""
    indicator, words = split_indicator(context, period_regex())
    return indicator, tuple(words)


def names_nothing(indicator: str, period_re: re.Pattern) -> bool:
    """True if `indicator` is only period, comparison and filler words
    (到2002年, 分别比1995年, 考虑价格下降因素, 争取今年再有): it names no quantity."""
    if period_re is period_regex():
        return _names_nothing_memo(indicator)
    return _names_nothing(indicator, period_re)


# keyed on the text alone: hashing a compiled pattern hashes all its code (9 us for the period pattern)
@lru_cache(maxsize=8192)
def _names_nothing_memo(indicator: str) -> bool:
    return _names_nothing(indicator, period_regex())


def _names_nothing(indicator: str, period_re: re.Pattern) -> bool:
    rest = period_re.sub("", indicator)
    return not rest or cues().not_indicator.fullmatch(rest) is not None


def last_alias(text: str) -> str | None:
    """The last catalog name in `text` (国内生产总值 in 国内生产总值持续增长,到2002年达到)."""
    found = None
    for m in _catalog().alias_re.finditer(text):
        found = m.group()
    return found
