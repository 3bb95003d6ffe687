"""Units as written and their scaling to a base unit (data: units.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from transforms.knowledge import load_yaml
from transforms.metrics.cues import alternation


@dataclass(frozen=True)
class UnitTable:
    scales: dict[str, float]
    units: dict[str, tuple[str, float]]
    count_units: frozenset[str]
    weak_after_chinese_digit: frozenset[str]
    shared_by_a_list: frozenset[str]
    scale_words: tuple[str, ...]  # longest first
    regex: str  # source of a pattern matching one unit as written (scale + unit)


@cache
def unit_table() -> UnitTable:
    spec = load_yaml("units.yaml")
    scales = {str(k): float(v) for k, v in spec["scales"].items()}
    units = {str(k): (str(v[0]), float(v[1])) for k, v in spec["units"].items()}
    followed_by = {str(k): str(v) for k, v in (spec.get("followed_by") or {}).items()}
    # the lookahead on the first characters spares re trying every unit after every number
    firsts = "".join(sorted({re.escape(w[0]) for w in [*scales, *units]}))
    regex = f"(?=[{firsts}])(?:(?:{alternation(scales)})?(?:{alternation(units, followed_by)}))"
    return UnitTable(
        scales=scales,
        units=units,
        count_units=frozenset(spec.get("count_units", [])),
        weak_after_chinese_digit=frozenset(spec.get("weak_after_chinese_digit", [])),
        shared_by_a_list=frozenset(spec.get("shared_by_a_list", [])),
        scale_words=tuple(sorted(scales, key=len, reverse=True)),
        regex=regex,
    )


@lru_cache(maxsize=1024)
def split_unit(unit: str) -> tuple[str, str]:
    """万亿元 -> (万亿, 元); % -> ('', %)."""
    table = unit_table()
    if unit in table.units:
        return "", unit
    for scale in table.scale_words:
        if unit.startswith(scale) and unit[len(scale):] in table.units:
            return scale, unit[len(scale):]
    return "", unit


def to_base(value: float | None, unit: str | None) -> tuple[float | None, str | None]:
    """1361, 万人 -> (13610000.0, 人); 134.9, 万亿元 -> (1.349e14, 元)."""
    if unit is None:
        return None, None
    base_unit, factor = _base(unit)
    if base_unit is None:
        return None, None
    if value is None:
        return None, base_unit
    if factor == 1.0:
        return value, base_unit
    # round away float noise (134.9 * 1e12) without losing real digits
    return float(f"{value * factor:.12g}"), base_unit


@lru_cache(maxsize=1024)
def _base(unit: str) -> tuple[str | None, float]:
    """A unit's base unit and factor (万人 -> 人, 1e4), (None, 0) if it has none."""
    table = unit_table()
    scale, bare = split_unit(unit)
    if bare not in table.units:
        return None, 0.0
    base_unit, factor = table.units[bare]
    return base_unit, factor * table.scales.get(scale, 1.0)
