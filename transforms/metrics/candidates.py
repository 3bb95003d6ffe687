"""Find: the spans that may be figures (a number or placeholder, an optional
range end, the unit), with the cheap filters that drop most of them (no unit,
part of a code or name, an ordinal, inside a not-figure span).

Recognizers-Text's extractor half: it only finds spans; `values.py` reads
them. Patterns: units.yaml, figure_cues.yaml (`range_separators`,
`not_figures`), headings.yaml (role cues).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from transforms.knowledge import load_yaml
from transforms.metrics import numbers
from transforms.metrics.cues import alternation, cues, fast
from transforms.metrics.units import split_unit, unit_table


@dataclass(frozen=True)
class Patterns:
    figure: re.Pattern
    not_figure: re.Pattern
    role_cues: tuple[tuple[str, re.Pattern], ...]
    review_line: re.Pattern


@cache
def patterns() -> Patterns:
    c = cues()
    unit = unit_table().regex
    scale = alternation(unit_table().scales)
    num = numbers.NUMBER
    more = "多|余"
    figure = (
        # a line break between a number and its unit (PDF text: 800\n余人次) stays in the mention
        f"(?P<n1>{num})(?:\n(?=(?:{more})?(?:{unit})))?"
        f"(?:(?P<b1>{more})?(?P<u1>{unit})?(?P<sep>{c.range_separators})(?P<n2>{num}))?"
        f"(?P<between>{more})?(?P<unit>{unit}|{scale})?"
    )
    not_figure = "|".join(f"(?:{p})" for p in (c.not_figure_spans.pattern, c.set_phrases.pattern))
    roles = []
    for r in load_yaml("headings.yaml").get("roles", []):
        roles.append((r["role"], re.compile(alternation(r["cues"]))))
    return Patterns(fast(figure), fast(not_figure), tuple(roles),
                    re.compile(c.spec["period"]["review_lines"]))


def blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span replaced by NULs (same length, so offsets hold)."""
    if not spans:
        return text
    parts, last = [], 0
    for a, b in spans:
        parts.append(text[last:a])
        parts.append("\x00" * (b - a))
        last = b
    parts.append(text[last:])
    return "".join(parts)


@dataclass(slots=True)
class Candidate:
    """A number (or placeholder) with its unit, as found in the text."""

    match: re.Match
    start: int
    unit_end: int
    number: str  # the first number as written (n1)
    range_end: str | None  # the range's second number (n2)
    unit: str | None
    scale_in_unit: str  # 万 of 万人
    bare_unit: str | None  # 人 of 万人; "" for a bare scale word
    prefix: str  # up to 8 characters before the number
    masked: bool
    fraction: bool
    negative: bool = False  # written with a minus sign (增长-15.3%)
    between: str | None = None  # 多/余 between the number and its unit

    @property
    def is_chinese(self) -> bool:
        return not self.masked and not self.fraction and not self.number[0].isdigit()


def find_candidates(work: str, excluded) -> Iterator[Candidate]:
    """Every span of `work` (the text with placeholders blanked) that may be a
    figure. `excluded(pos)` says whether a not-figure span covers `pos`; it is
    asked in increasing order."""
    c = cues()
    scales = unit_table().scales
    for m in patterns().figure.finditer(work):
        # most candidates are a bare number (no range, no unit): skip them first,
        # cheapest tests first; of those only a fraction (三分之一) is a figure
        shared = None
        if m.lastgroup == "n1" and "分之" not in m.group("n1"):
            if work[m.end():m.end() + 1] not in _LIST_JOINERS:
                continue  # no list after it to share a unit with
            shared = _unit_shared_by_list(work, m)
            if shared is None:
                continue
        unit, n1 = shared or m.group("unit"), m.group("n1")
        if unit is None:
            unit = m.group("u1")
            if unit is None and (numbers.is_masked(n1) or "分之" not in n1):
                continue  # neither a unit nor a fraction
        start = m.start()
        before_char = work[start - 1] if start else ""
        negative = before_char == "-" and _minus_sign(work, start - 1)
        if not negative and before_char.isascii() and (before_char.isalnum() or before_char in "._-/") \
                and before_char != "":
            continue  # part of a code, a name or a longer number
        prefix = work[max(0, start - 8):start]
        if prefix.endswith(c.not_before):
            continue  # an ordinal (第, 前), a model or document number
        if excluded(start):
            continue
        unit_end, between = m.end(), m.group("between") or m.group("b1")
        if unit and unit in scales and m.group("unit") == unit:
            after = _unit_after_more().match(work, unit_end)
            if after:  # 195.6万余株: the bound word between the scale and the unit
                between, unit, unit_end = after.group(1), unit + after.group(2), after.end()
        if shared:  # 提高0.1和1.2个百分点: the mention is the bare value
            unit_end, between = m.end(), None
        scale_in_unit, bare = split_unit(unit) if unit else ("", None)
        if unit and unit in scales:  # a bare scale word: 3200万(孩子)
            scale_in_unit, bare = unit, ""
        masked = numbers.is_masked(n1)
        fraction = not masked and "分之" in n1
        # the fields in order: a class called with keywords builds a dict each time (3x slower)
        yield Candidate(m, start - 1 if negative else start, unit_end, n1, m.group("n2"), unit, scale_in_unit,
                        bare, prefix, masked, fraction, negative, between)


def _unit_shared_by_list(work: str, m: re.Match) -> str | None:
    """The unit written once after the last value of a list that a bare value opens
    (0.1 of 提高0.1和1.2个百分点), when units.yaml says a list shares it; None else.
    A value opening its line (1、2万人: a list marker) opens no such list."""
    at, start = m.end(), m.start()
    if at >= len(work) or work[at] not in _LIST_JOINERS or start == 0 or work[start - 1] == "\n":
        return None
    figure, table = patterns().figure, unit_table()
    while at < len(work) and work[at] in _LIST_JOINERS:
        found = figure.match(work, at + 1)
        if found is None or found.end() == at + 1 or found.group("n2") or numbers.is_masked(found.group("n1")):
            return None
        unit = found.group("unit")
        if unit is not None:
            scale, bare = split_unit(unit)
            return unit if unit in table.shared_by_a_list or (scale and bare in table.units) else None
        if found.lastgroup != "n1":
            return None
        at = found.end()
    return None


def _minus_sign(work: str, at: int) -> bool:
    """A `-` at `at` is a minus sign, not a range or date dash, after a word or
    a separator (增长-15.3%, | -21 |), never after a digit or letter."""
    before = work[at - 1] if at else ""
    return not (before.isascii() and before.isalnum()) and before not in ".-~至到"


@cache
def _unit_after_more() -> re.Pattern:
    """多/余 then a unit right after a scale word (万余株, 万多人)."""
    return re.compile(f"(多|余)({unit_table().regex})")


_LIST_JOINERS = "、和及与"


def list_end(work: str, at: int) -> int:
    """The end of the list of figures that goes on after `at` (…10.6%、11%和13%左右:
    the end of 13%), for a bound word written once after the last value."""
    return _list_after(work, at)[0]


def list_length(work: str, at: int) -> int:
    """How many values a list has whose first value ends at `at` (1 for none after it)."""
    return _list_after(work, at)[1] + 1


def _list_after(work: str, at: int) -> tuple[int, int]:
    """(end, number of values) of the list of figures going on after `at`."""
    figure, count = patterns().figure, 0
    while at < len(work) and work[at] in _LIST_JOINERS:
        found = figure.match(work, at + 1)
        if found is None or found.end() == at + 1:
            break
        at, count = found.end(), count + 1
    return at, count

