"""Read value: the number(s) of a candidate as written (value, range ends),
in the unit as written; Chinese numerals and fractions included.

Recognizers-Text's parser half (`candidates.py` is the extractor). Returns
None when the candidate turns out not to be a figure (一个, 一项: an article).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.metrics import numbers
from transforms.metrics.candidates import Candidate
from transforms.metrics.cues import cues
from transforms.metrics.units import unit_table

# What may follow 成 (三成以上, 七成左右) for a single Chinese digit to be a figure.
_TENTHS_FOLLOWERS = re.compile(r"(?:以上|左右|以下|多|[,，。、;；的])")


@dataclass(slots=True)
class Values:
    value: float | None  # None for a range or a masked figure
    low: float | None
    high: float | None
    unit: str | None  # the unit, with a Chinese numeral's own scale moved into it
    bare_unit: str | None
    scale_in_unit: str


def read_values(cand: Candidate, work: str) -> Values | None:
    unit, bare, scale_in_unit = cand.unit, cand.bare_unit, cand.scale_in_unit
    value = None
    if cand.masked:
        pass
    elif cand.fraction:
        parsed = numbers.parse_fraction(cand.number)
        if parsed is None:
            return None
        value, is_percent = parsed
        if is_percent and unit is None:
            unit, bare = "%", "%"
    elif cand.is_chinese:
        if not _counts(cand, work):
            return None
        value = chinese_value(cand.number, unit, scale_in_unit)
        if value is None:
            return None
        if not scale_in_unit:
            _head, scale = numbers.split_scale(cand.number, numbers.CN_SCALES)
            if scale and bare is not None:
                unit = scale + unit
                scale_in_unit = scale
    else:
        value = numbers.parse_arabic(cand.number)
    if cand.negative and value is not None:
        value = -value
    if cand.range_end is None:
        return Values(value, value, value, unit, bare, scale_in_unit)
    second = cand.range_end
    if second[0].isdigit():
        high = numbers.parse_arabic(second)
    elif numbers.is_masked(second):
        high = None
    else:
        high = chinese_value(second, unit, scale_in_unit)
    return Values(None, value, high, unit, bare, scale_in_unit)


def _counts(cand: Candidate, work: str) -> bool:
    """Whether a single spelled-out digit before a weak unit is a figure
    (新建三个, 增长一倍, 三成以上) rather than an article (一个, 一项)."""
    n1, bare = cand.number, cand.bare_unit
    if len(n1) != 1 or cand.scale_in_unit:
        return True
    if bare not in unit_table().weak_after_chinese_digit and bare != "成":
        return True
    if n1 == "一" and bare not in ("倍", "番"):
        return False
    if cand.prefix.endswith(cues().count_cues):
        return True
    return bare == "成" and bool(_TENTHS_FOLLOWERS.match(work[cand.unit_end:cand.unit_end + 2]))


def chinese_value(token: str, unit: str | None, scale_in_unit: str) -> float | None:
    table = unit_table()
    if scale_in_unit:
        return numbers.chinese_in_scale(token, scale_in_unit, table.scales[scale_in_unit])
    head, scale = numbers.split_scale(token, numbers.CN_SCALES)
    if scale:
        return numbers.chinese_in_scale(head, scale, table.scales[scale])
    return numbers.parse_chinese(token)
