"""Vega-Lite specs for the indicator charts: pure functions, figures in,
JSON-able dicts out.

One chart per indicator, one panel per measure (growth, level, ...) on a
shared time axis, each panel a layer of:
- actuals: a dot per figure, joined by a line only from one period to the
  one right after it (report/lines.py): a year without a figure, or with a
  masked one, is a gap, never a slope or a zero;
- targets: a marker shaped by the bound (▲ at least, ▼ at most, ◆ about or
  exact), a range as a shaded band from its low to its high end;
- estimates (预计): hollow circles, apart from actuals;
- plans: squares;
- masked figures: a dashed vertical rule at their period labelled "masked".
Figures about spans of several years (年均增长 over 十一五, 五年累计) get
panels of their own, one row per span. A panel with a single figure (or a
single period) is not drawn: its figures are listed under the chart.
Every mark carries the document, period, mention and sentence in its tooltip.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from report.fonts import FONT
from report.lines import assign_segments

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

SERIES = ["actual", "estimate", "target", "plan", "masked"]
SERIES_COLORS = ["#1f5fa8", "#8e44ad", "#e67e22", "#2e8b57", "#7f7f7f"]
MARKERS = ["=", "≈", "≥", ">", "≤", "<", "range"]
MARKER_SHAPES = ["circle", "diamond", "triangle-up", "triangle-up", "triangle-down", "triangle-down", "square"]
BOUND_MARKER = {"eq": "=", "approx": "≈", "ge": "≥", "gt": ">", "le": "≤", "lt": "<", "range": "range"}

MEASURE_NAMES = {
    "growth": "growth (增长, %)",
    "level": "level (总量/水平)",
    "avg_growth": "average annual growth (年均增长, %)",
    "change": "absolute change (增减)",
    "pp_change": "change in percentage points (个百分点)",
    "share": "share (比重, %)",
}
MEASURE_ORDER = ["growth", "level", "avg_growth", "share", "change", "pp_change"]


def _num(v) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _date(v) -> dt.date | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    return v


def fmt_number(v: float | None) -> str:
    v = _num(v)
    if v is None:
        return ""
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}"
    return f"{v:,.4g}" if abs(v) >= 1 else f"{v:.4g}"


def figure_text(row: dict) -> str:
    """The value as a reader should see it: '≥ 1,000 万人', '6–6.5 %', 'masked (城管万件)'."""
    if row.get("masked"):
        return f"masked ({row.get('mention') or '?'})"
    unit = row.get("unit") or ""
    low, high, value = _num(row.get("value_low")), _num(row.get("value_high")), _num(row.get("value"))
    if row.get("bound") == "range" or (value is None and low is not None and high is not None and low != high):
        return f"{fmt_number(low)}–{fmt_number(high)} {unit}".strip()
    marker = BOUND_MARKER.get(row.get("bound") or "eq", "")
    prefix = "" if marker in ("=", "") else marker + " "
    return f"{prefix}{fmt_number(value)} {unit}".strip()


def period_text(row: dict) -> str:
    start, end = _date(row.get("period_start")), _date(row.get("period_end"))
    label = row.get("period_label") or ""
    if start is None or end is None:
        return label or "period unknown"
    if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31:
        span = str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    else:
        span = f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"
    return span if label in ("", span) else f"{span} ({label})"


def _span_months(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _unit_groups(fig: pd.DataFrame) -> list[tuple[str, pd.DataFrame, str, float | None]]:
    """Split one indicator's figures into panels: by measure, then by base unit
    (so 万人 and 人 share a panel, 万人 and % do not). Returns (measure, rows,
    display unit, factor from the base unit to the display unit)."""
    out = []
    fig = fig.assign(_base=fig["base_unit"].fillna(fig["unit"]).fillna(""))
    measures = sorted(fig["measure"].fillna("other").unique(), key=lambda m: (MEASURE_ORDER.index(m)
                                                                              if m in MEASURE_ORDER else 99, m))
    for measure in measures:
        rows = fig[fig["measure"].fillna("other") == measure]
        for base, group in rows.groupby("_base", sort=False):
            valued = group[~group["masked"]]
            unit_counts = (valued if len(valued) else group)["unit"].fillna("").value_counts()
            unit = unit_counts.index[0] if len(unit_counts) else ""
            factor = None
            same = valued[(valued["unit"].fillna("") == unit) & valued["value_base"].notna()
                          & valued["value"].notna() & (valued["value"] != 0)]
            if len(same):
                factor = float(same["value_base"].iloc[0]) / float(same["value"].iloc[0])
            out.append((measure, group, unit, factor))
    return out


def _to_display(row: dict, field: str, unit: str, factor: float | None) -> float | None:
    """`field` of the row in the panel's unit: as written when the row uses
    that unit, else through the base unit (value_base / value gives the row's
    own scale, `factor` the panel's)."""
    v = _num(row.get(field))
    if v is None or (row.get("unit") or "") == unit or not factor:
        return v
    base = _num(row.get("value_base"))
    ref = _num(row.get("value"))
    if ref is None:
        ref = _num(row.get("value_low"))
    if base is None or not ref:
        return v
    return v * (base / ref) / factor


def _short(text: str | None, n: int = 120) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "…"


def _span_of(row: dict, start: dt.date, end: dt.date) -> str:
    """metric_series' span; a masked figure (not in metric_series) is only
    told apart as a figure about several years or not, which is all its
    placement needs."""
    span = row.get("span")
    if isinstance(span, str) and span:
        return span
    return "multi_year" if _span_months(start, end) > 12 else "other"


def panel_points(group: pd.DataFrame, unit: str, factor: float | None) -> list[dict]:
    """One JSON-able record per figure of a panel, each actual of a series
    given its line `segment` (report/lines.py)."""
    points = []
    for row in group.to_dict("records"):
        row = {k: (None if not isinstance(v, (list, tuple)) and pd.isna(v) else v) for k, v in row.items()}
        start, end = _date(row.get("period_start")), _date(row.get("period_end"))
        if start is None or end is None:
            continue  # no period to place it at: the table lists it
        masked = bool(row.get("masked"))
        kind = row.get("kind") or "actual"
        y = None if masked else _to_display(row, "value", unit, factor)
        lo = None if masked else _to_display(row, "value_low", unit, factor)
        hi = None if masked else _to_display(row, "value_high", unit, factor)
        if y is None and lo is not None and hi is not None:
            y = (lo + hi) / 2
        span = _span_of(row, start, end)
        points.append({
            "x": (start + (end - start) / 2).isoformat(),
            "x0": start.isoformat(),
            "x1": (end + dt.timedelta(days=1)).isoformat(),
            "y": y, "lo": lo, "hi": hi,
            "series": "masked" if masked else kind,
            "kind": kind,
            "marker": "range" if row.get("bound") == "range" else BOUND_MARKER.get(row.get("bound") or "eq", "="),
            "span": span,
            "group": row.get("issuer") or "",  # one line per issuer
            "line": kind == "actual" and span != "multi_year",  # masked actuals too: they break it
            "document": f"{row.get('doc_title') or row.get('doc_id', '')[:12]}"
                        + (f" ({int(row['doc_year'])})" if _num(row.get("doc_year")) is not None else ""),
            "period": period_text(row),
            "figure": figure_text(row),
            "mention": row.get("mention") or "",
            "sentence": _short(row.get("sentence")),
        })
    assign_segments(points)
    points.sort(key=lambda p: (p["x"], p["series"]))
    return points


TOOLTIP = [
    {"field": "series", "title": "kind"},
    {"field": "period", "title": "period"},
    {"field": "figure", "title": "figure"},
    {"field": "document", "title": "document"},
    {"field": "sentence", "title": "sentence"},
]


def _x(field: str = "x", title: str | None = "period") -> dict:
    return {"field": field, "type": "temporal", "title": title, "axis": {"format": "%Y", "labelAngle": 0, "tickCount": 12}}


def _color(legend: bool) -> dict:
    return {"field": "series", "type": "nominal", "title": "figure",
            "scale": {"domain": SERIES, "range": SERIES_COLORS},
            "legend": {"orient": "top"}}


def _shape() -> dict:
    return {"field": "marker", "type": "nominal", "title": "bound",
            "scale": {"domain": MARKERS, "range": MARKER_SHAPES}, "legend": {"orient": "top"}}


def _y(unit: str) -> dict:
    return {"field": "y", "type": "quantitative", "title": unit or None, "scale": {"zero": False}}


def _value_layers(unit: str, x: dict) -> list[dict]:
    """Target bands, markers by bound and hollow estimates, on the x given."""
    return [
        {   # target ranges: a band from low to high over the period
            "transform": [{"filter": "datum.series === 'target' && datum.marker === 'range'"}],
            "mark": {"type": "rect", "opacity": 0.25, "color": SERIES_COLORS[2]},
            "encoding": {"x": _x("x0"), "x2": {"field": "x1"},
                         "y": {**_y(unit), "field": "lo"}, "y2": {"field": "hi"}, "tooltip": TOOLTIP},
        },
        {   # filled markers: actuals, targets, plans (shape = bound)
            "transform": [{"filter": "datum.y !== null && datum.series !== 'estimate'"}],
            "mark": {"type": "point", "filled": True, "size": 70, "opacity": 0.9},
            "encoding": {"x": x, "y": _y(unit), "color": _color(True), "shape": _shape(), "tooltip": TOOLTIP},
        },
        {   # estimates: hollow, apart from actuals
            "transform": [{"filter": "datum.y !== null && datum.series === 'estimate'"}],
            "mark": {"type": "point", "filled": False, "size": 110, "strokeWidth": 2},
            "encoding": {"x": x, "y": _y(unit), "color": _color(False), "tooltip": TOOLTIP},
        },
    ]


def _masked_layers(has_values: bool) -> list[dict]:
    return [
        {   # masked figures: a dashed rule at their period, never a value
            "transform": [{"filter": "datum.series === 'masked'"}],
            "mark": {"type": "rule", "strokeDash": [4, 3], "strokeWidth": 2},
            "encoding": {"x": _x(), "color": _color(not has_values), "tooltip": TOOLTIP},
        },
        {
            "transform": [{"filter": "datum.series === 'masked'"}],
            "mark": {"type": "text", "text": "masked", "angle": 0, "dy": -4, "align": "center",
                     "color": SERIES_COLORS[4], "fontSize": 11},
            "encoding": {"x": _x(), "y": {"value": 10}, "tooltip": TOOLTIP},
        },
    ]


def panel_spec(title: str, points: list[dict], unit: str, x_domain: list[str]) -> dict:
    """A panel on the time axis: figures of a year or less, actuals joined
    by a line only within a segment (one period right after the other)."""
    has_values = any(p["y"] is not None for p in points)
    layers: list[dict] = []
    if has_values:
        line = {   # one path per segment: a period the sources never state is a gap
            "transform": [{"filter": "datum.segment !== null"}],
            "mark": {"type": "line", "strokeWidth": 2, "color": SERIES_COLORS[0]},
            "encoding": {"x": _x(), "y": _y(unit), "detail": {"field": "segment", "type": "nominal"},
                         "order": {"field": "x", "type": "temporal"}},
        }
        band, *markers = _value_layers(unit, _x())
        layers += [band, line, *markers]
    if any(p["series"] == "masked" for p in points):
        layers += _masked_layers(has_values)
    return {
        "title": {"text": title, "anchor": "start", "fontSize": 13},
        "usermeta": {"axis": "time"},
        "width": 760,
        "height": 220 if has_values else 90,
        "data": {"values": points},
        "layer": [_with_x_domain(layer, x_domain) for layer in layers],
    }


def spans_panel_spec(title: str, points: list[dict], unit: str) -> dict:
    """Figures about spans of several years (十一五, 2011-2015), one row per
    span: never on the time axis of yearly figures, whose scale they would
    crush (5-year totals are five times a year's)."""
    rows = sorted({(p["x0"], p["period"]) for p in points})
    y = {"field": "period", "type": "nominal", "title": None, "sort": [r[1] for r in rows],
         "axis": {"labelLimit": 260}}
    x = {"field": "y", "type": "quantitative", "title": unit or None, "scale": {"zero": False}}
    layers = [
        {   # a range target: a bar from its low to its high end
            "transform": [{"filter": "datum.series === 'target' && datum.marker === 'range'"}],
            "mark": {"type": "rule", "strokeWidth": 8, "opacity": 0.35, "color": SERIES_COLORS[2]},
            "encoding": {"y": y, "x": {**x, "field": "lo"}, "x2": {"field": "hi"}, "tooltip": TOOLTIP},
        },
        {
            "transform": [{"filter": "datum.y !== null && datum.series !== 'estimate'"}],
            "mark": {"type": "point", "filled": True, "size": 90, "opacity": 0.9},
            "encoding": {"y": y, "x": x, "color": _color(True), "shape": _shape(), "tooltip": TOOLTIP},
        },
        {
            "transform": [{"filter": "datum.y !== null && datum.series === 'estimate'"}],
            "mark": {"type": "point", "filled": False, "size": 120, "strokeWidth": 2},
            "encoding": {"y": y, "x": x, "color": _color(False), "tooltip": TOOLTIP},
        },
    ]
    return {
        "title": {"text": title, "anchor": "start", "fontSize": 13},
        "usermeta": {"axis": "spans"},
        "width": 760,
        "height": max(60, 26 * len(rows)),
        "data": {"values": [p for p in points if p["y"] is not None or p["lo"] is not None]},
        "layer": layers,
    }


def _x_format(x_domain: list[str]) -> str:
    """Years on a long axis, months on one shorter than three years."""
    return "%Y" if int(x_domain[1][:4]) - int(x_domain[0][:4]) >= 3 else "%Y-%m"


def _with_x_domain(layer: dict, x_domain: list[str]) -> dict:
    enc = layer["encoding"]
    enc["x"] = {**enc["x"], "scale": {"domain": x_domain},
                "axis": {**enc["x"].get("axis", {}), "format": _x_format(x_domain), "tickCount": 12}}
    return layer


def _panel_title(measure: str, unit: str, spans: bool) -> str:
    name = MEASURE_NAMES.get(measure, measure)
    title = f"{name}{' — ' + unit if unit and unit not in name else ''}"
    return f"{title}, over spans of several years" if spans else title


def _drawable(points: list[dict], spans: bool) -> bool:
    """No single-point panels: a time panel needs two periods, a spans panel two figures."""
    if spans:
        return sum(1 for p in points if p["y"] is not None or p["lo"] is not None) >= 2
    return len({(p["x0"], p["x1"]) for p in points}) >= 2


def indicator_panels(fig: pd.DataFrame) -> tuple[list[tuple[str, str, bool, list[dict]]], list[dict]]:
    """(measure, unit, spans?, points) per panel, and the points of the panels
    left out because they would show a single figure."""
    panels, single = [], []
    for measure, group, unit, factor in _unit_groups(fig):
        points = panel_points(group, unit, factor)
        for spans in (False, True):
            part = [p for p in points if (p["span"] == "multi_year") == spans]
            if not part:
                continue
            if _drawable(part, spans):
                panels.append((measure, unit, spans, part))
            else:
                single += [{**p, "panel": _panel_title(measure, unit, spans)} for p in part]
    return panels, single


def indicator_spec(key: str, name: str, fig: pd.DataFrame,
                   years: tuple[int | None, int | None] = (None, None)) -> dict | None:
    """The chart of one indicator (None when no panel has two figures to show)."""
    return chart_spec(key, name, indicator_panels(fig)[0], years)


def chart_spec(key: str, name: str, panels: list[tuple[str, str, bool, list[dict]]],
               years: tuple[int | None, int | None] = (None, None)) -> dict | None:
    """Yearly and shorter figures on a shared time axis, one panel per measure
    and unit; figures about several years on panels of their own."""
    if not panels:
        return None
    timed = [p for _, _, spans, pts in panels if not spans for p in pts]
    x_domain = None
    if timed:
        lo, hi = min(p["x0"] for p in timed), max(p["x1"] for p in timed)
        if years[0] is not None:
            lo = min(lo, f"{years[0]:04d}-01-01")
        if years[1] is not None:
            hi = max(hi, f"{years[1] + 1:04d}-01-01")
        x_domain = [lo, hi]
    specs = [spans_panel_spec(_panel_title(m, u, True), pts, u) if spans
             else panel_spec(_panel_title(m, u, False), pts, u, x_domain)
             for m, u, spans, pts in panels]
    for spec, (measure, _, _, _) in zip(specs, panels):
        spec["usermeta"]["measure"] = measure
    return {
        "$schema": SCHEMA,
        "title": {"text": f"{name} ({key})", "anchor": "start", "fontSize": 16},
        "vconcat": specs,
        "resolve": {"scale": {"x": "independent", "y": "independent", "color": "shared", "shape": "shared"}},
        "config": chart_config(),
    }


def chart_config() -> dict:
    return {"font": FONT, "view": {"stroke": "#ddd"}, "axis": {"labelFont": FONT, "titleFont": FONT},
            "legend": {"labelFont": FONT, "titleFont": FONT}, "title": {"font": FONT}}
