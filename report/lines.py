"""Which figures a chart may join with a line: pure functions over chart points.

A line joins two figures only when the second is the period right after the
first in one series: the next day (2019 then 2020; June then July; Q1 then
Q2) or the same part of the next year (H1 2019 then H1 2020; 1-8月 then
1-8月). A year, month or quarter the sources never state breaks the line, so
a reader sees the gap instead of a slope drawn through it (CPI 2007 to 2010).
Figures about several years (十一五) and odd spans (a week) are never joined.
"""

from __future__ import annotations

import calendar
import datetime as dt

# spans whose figures chain by the next period right after (Q1, Q2, ...);
# the others chain only with the same part of the next year
ADJACENT_SPANS = {"month", "quarter"}
YEARLY_SPANS = {"year", "half", "months"}


def line_key(point: dict) -> tuple | None:
    """The series a point may be joined within, or None (never joined)."""
    span = point.get("span")
    start, end = _period(point)
    if span in ADJACENT_SPANS:
        return point.get("group"), span
    if span in YEARLY_SPANS:
        return point.get("group"), span, (start.month, start.day), end.month
    return None


def _period(point: dict) -> tuple[dt.date, dt.date]:
    """First and last day (a point's x1 is the day after its period)."""
    return dt.date.fromisoformat(point["x0"]), dt.date.fromisoformat(point["x1"]) - dt.timedelta(days=1)


def _month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def follows(prev: dict, nxt: dict) -> bool:
    """`nxt` is the period right after `prev`: it starts the day after `prev`
    ends, or it is the same part of the next year (1-2月 ends on the 29th or
    the 28th)."""
    (p0, p1), (n0, n1) = _period(prev), _period(nxt)
    if n0 == p1 + dt.timedelta(days=1):
        return True
    same_end = n1.month == p1.month and (n1.day == p1.day or (_month_end(n1) and _month_end(p1)))
    return (n0.year, n1.year) == (p0.year + 1, p1.year + 1) and (n0.month, n0.day) == (p0.month, p0.day) and same_end


def assign_segments(points: list[dict]) -> None:
    """Sets each joinable point's `segment`: points of one segment form one
    unbroken line; a point with no neighbour is a segment of its own (a dot).
    Points that are not joined (no `line`, no value: a masked figure) get None."""
    last: dict[tuple, dict] = {}
    count: dict[tuple, int] = {}
    for point in sorted(points, key=lambda p: (p["x0"], p["x1"])):
        key = line_key(point) if point.get("line") and point.get("y") is not None else None
        point["segment"] = None
        if key is None:  # a masked figure breaks its series too: the next one does not follow the last
            continue
        prev = last.get(key)
        if prev is None or not follows(prev, point):
            count[key] = count.get(key, 0) + 1
        point["segment"] = f"{'/'.join(str(k) for k in key)}#{count[key]}"
        last[key] = point
