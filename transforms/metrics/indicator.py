"""Indicator: the phrase naming what a figure measures, and its catalog key
(data: indicators.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from transforms.knowledge import load_yaml
from transforms.metrics.cues import alternation, cues


@dataclass(frozen=True)
class _Catalog:
    entries: tuple[dict, ...]
    alias_key: dict[str, str]
    not_if: dict[str, tuple[str, ...]]
    alias_re: re.Pattern
    alias_end_re: re.Pattern
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
    return _Catalog(entries, alias_key, not_if, re.compile(alt), re.compile(f"(?:{alt})$"),
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
    for i in range(len(indicator)):
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


def strip_aliases(text: str) -> str:
    """`text` without the catalog names in it (城镇新增就业's 新增 is no verb)."""
    return _catalog().alias_re.sub("", text)


def split_indicator(context: str, period_re: re.Pattern) -> tuple[str, list[str]]:
    """Split the text before a number into (indicator, cue words nearest first):
    '国内生产总值比上年增长' -> ('国内生产总值', ['增长', '比上年'])."""
    c = cues()
    cat = _catalog()
    s = context.strip()
    words: list[str] = []
    while s:
        m = c.trailing.search(s)
        if not m or m.start() == m.end():
            break
        alias = cat.alias_end_re.search(s)
        if alias and alias.start() < m.start():
            break  # the cue word ends an indicator name (经济增长)
        words.append(m.group())
        s = s[: m.start()]
    # leading time phrases and connectives are not part of the indicator
    while s:
        m = period_re.match(s) or cat.lead_re.match(s)
        if not m or not m.group():
            break
        s = s[m.end():]
    # a verb before the indicator (再减少农村贫困人口) is a cue word too
    if s and not cat.alias_re.match(s):
        m = c.leading_verb.match(s)
        if m and m.end() < len(s):
            words.append(m.group("verb"))
            s = s[m.end():]
    return s.strip(), words
