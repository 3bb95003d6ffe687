"""Measure and sign: level, growth, change, pp_change, share, avg_growth.

Decided by the cue words between the indicator and the number (nearest first,
as stripped by `indicator.split_indicator`), the unit and the indicator.
"""

from __future__ import annotations

from functools import lru_cache

from transforms.metrics.cues import cues

PERCENT_UNITS = frozenset({"%", "成"})
POINT_UNITS = frozenset({"个百分点", "百分点"})
RATIO_UNITS = frozenset({"倍", "番"})


@lru_cache(maxsize=4096)
def classify(word: str) -> str | None:
    c = cues()
    if word in c.avg_growth:
        return "avg"
    if word in c.to_level:
        return "to"
    if word in c.down or word in c.lead_down:
        return "down"
    if word in c.up:
        return "up"
    return None


def measure_of(cue_words: list[str], bare_unit: str | None, indicator: str | None) -> tuple[str, int]:
    """(measure, sign) for a figure; sign is -1 for a decline."""
    # only a percentage's measure depends on its indicator (增长率, 比重): the
    # others are cached on the cue words and unit alone
    return _measure_of(tuple(cue_words), bare_unit, indicator if bare_unit in PERCENT_UNITS else None)


@lru_cache(maxsize=8192)  # the same cue words, unit and indicator recur across figures
def _measure_of(cue_words: tuple[str, ...], bare_unit: str | None, indicator: str | None) -> tuple[str, int]:
    c = cues()
    kinds = [k for k in (classify(w) for w in cue_words) if k]
    down = any(k == "down" for k in kinds) or any(
        w.startswith(("年均下降", "年均减少", "年均降低")) for w in cue_words)
    nearest = kinds[0] if kinds else None
    ind = indicator or ""
    if nearest in ("to",) and any(w.endswith(("到", "至")) for w in cue_words[:1]):
        down = False  # 降到/降至 X is a level, not a decline
    if bare_unit in POINT_UNITS:
        return "pp_change", -1 if down else 1
    percent = bare_unit in PERCENT_UNITS
    per_year = "avg" in kinds or any(w in c.per_year for w in cue_words)
    if per_year:
        # 平均每年实际增长8.6%, 每年要增长百分之四到五: avg_growth; 平均每年增加三十多亿元: change
        if percent or bare_unit in RATIO_UNITS:
            return "avg_growth", -1 if down else 1
        if "avg" in kinds or "up" in kinds or "down" in kinds:
            return "change", -1 if down else 1
    if percent and c.avg_growth_words.search(ind) and c.growth_words.search(ind):
        return "avg_growth", -1 if down else 1
    if percent and c.share_words.search(ind):
        return "share", 1
    verb = "up" in kinds or "down" in kinds
    rate = ind.endswith(c.rate_words)
    if nearest == "to" and not (percent and verb):
        if percent and c.growth_words.search(ind) and not rate:
            return "growth", 1
        return "level", 1
    if verb:
        if percent or bare_unit in RATIO_UNITS:
            return "growth", -1 if down else 1
        return "change", -1 if down else 1
    if percent and c.growth_words.search(ind) and not rate:
        return "growth", 1
    return "level", 1
