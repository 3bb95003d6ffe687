"""Vega-Lite specs for the indicator charts: pure functions, figures in,
JSON-able dicts out.

One chart per indicator, one panel per measure (growth, level, ...), each
panel a layer of:
- actuals: a line through the yearly (or shorter) periods, a dot per figure;
  a masked actual breaks the line (a gap, never a zero);
- figures about a span of years (年均增长 over 十一五): a bar across the span;
- targets: a marker shaped by the bound (▲ at least, ▼ at most, ◆ about or
  exact), a range as a shaded band from its low to its high end;
- estimates (预计): hollow circles, apart from actuals;
- plans: squares;
- masked figures: a dashed vertical rule at their period labelled "masked".
Every mark carries the document, period, mention and sentence in its tooltip.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif"

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


def panel_points(group: pd.DataFrame, unit: str, factor: float | None) -> list[dict]:
    """One JSON-able record per figure of a panel."""
    points = []
    for row in group.to_dict("records"):
        start, end = _date(row.get("period_start")), _date(row.get("period_end"))
        masked = bool(row.get("masked"))
        kind = row.get("kind") or "actual"
        y = None if masked else _to_display(row, "value", unit, factor)
        lo = None if masked else _to_display(row, "value_low", unit, factor)
        hi = None if masked else _to_display(row, "value_high", unit, factor)
        if y is None and lo is not None and hi is not None:
            y = (lo + hi) / 2
        if start is None or end is None:
            continue  # no period to place it at: the table lists it
        months = _span_months(start, end)
        mid = start + (end - start) / 2
        points.append({
            "x": mid.isoformat(),
            "x0": start.isoformat(),
            "x1": (end + dt.timedelta(days=1)).isoformat(),
            "y": y, "lo": lo, "hi": hi,
            "series": "masked" if masked else kind,
            "kind": kind,
            "marker": "range" if row.get("bound") == "range" else BOUND_MARKER.get(row.get("bound") or "eq", "="),
            "span": "span" if months > 12 else "point",
            # the actuals line: yearly (or shorter) actuals, masked ones as gaps
            "line": kind == "actual" and months <= 12,
            "document": f"{row.get('doc_title') or row.get('doc_id', '')[:12]}"
                        + (f" ({int(row['doc_year'])})" if _num(row.get("doc_year")) is not None else ""),
            "period": period_text(row),
            "figure": figure_text(row),
            "mention": row.get("mention") or "",
            "sentence": _short(row.get("sentence")),
        })
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


def _y(unit: str) -> dict:
    return {"field": "y", "type": "quantitative", "title": unit or None, "scale": {"zero": False}}


def panel_spec(title: str, points: list[dict], unit: str, x_domain: list[str], legend: bool) -> dict:
    has_values = any(p["y"] is not None for p in points)
    layers: list[dict] = []
    if has_values:
        layers += [
            {   # target ranges: a band from low to high over the period
                "transform": [{"filter": "datum.series === 'target' && datum.marker === 'range'"}],
                "mark": {"type": "rect", "opacity": 0.25, "color": SERIES_COLORS[2]},
                "encoding": {"x": _x("x0"), "x2": {"field": "x1"},
                             "y": {**_y(unit), "field": "lo"}, "y2": {"field": "hi"}, "tooltip": TOOLTIP},
            },
            {   # figures about a span of years: a bar across the span
                "transform": [{"filter": "datum.span === 'span' && datum.y !== null && datum.marker !== 'range'"}],
                "mark": {"type": "rule", "strokeWidth": 3, "opacity": 0.8},
                "encoding": {"x": _x("x0"), "x2": {"field": "x1"}, "y": _y(unit),
                             "color": _color(False), "tooltip": TOOLTIP},
            },
            {   # the actuals line; null values (masked actuals) break it
                "transform": [{"filter": "datum.line"}],
                "mark": {"type": "line", "invalid": "break-paths-show-path-domains", "strokeWidth": 2,
                         "color": SERIES_COLORS[0]},
                "encoding": {"x": _x(), "y": _y(unit), "order": {"field": "x", "type": "temporal"}},
            },
            {   # filled markers: actuals, targets, plans (shape = bound)
                "transform": [{"filter": "datum.y !== null && datum.series !== 'estimate'"}],
                "mark": {"type": "point", "filled": True, "size": 70, "opacity": 0.9},
                "encoding": {"x": _x(), "y": _y(unit), "color": _color(legend),
                             "shape": {"field": "marker", "type": "nominal", "title": "bound",
                                       "scale": {"domain": MARKERS, "range": MARKER_SHAPES},
                                       "legend": {"orient": "top"}},
                             "tooltip": TOOLTIP},
            },
            {   # estimates: hollow, apart from actuals
                "transform": [{"filter": "datum.y !== null && datum.series === 'estimate'"}],
                "mark": {"type": "point", "filled": False, "size": 110, "strokeWidth": 2},
                "encoding": {"x": _x(), "y": _y(unit), "color": _color(False), "tooltip": TOOLTIP},
            },
        ]
    if any(p["series"] == "masked" for p in points):
        layers += [
            {   # masked figures: a dashed rule at their period, never a value
                "transform": [{"filter": "datum.series === 'masked'"}],
                "mark": {"type": "rule", "strokeDash": [4, 3], "strokeWidth": 2},
                "encoding": {"x": _x(), "color": _color(legend and not has_values), "tooltip": TOOLTIP},
            },
            {
                "transform": [{"filter": "datum.series === 'masked'"}],
                "mark": {"type": "text", "text": "masked", "angle": 0, "dy": -4, "align": "center",
                         "color": SERIES_COLORS[4], "fontSize": 11},
                "encoding": {"x": _x(), "y": {"value": 10}, "tooltip": TOOLTIP},
            },
        ]
    return {
        "title": {"text": title, "anchor": "start", "fontSize": 13},
        "width": 760,
        "height": 220 if has_values else 90,
        "data": {"values": points},
        "encoding": {"x": {**_x(), "scale": {"domain": x_domain},
                           "axis": {"format": _x_format(x_domain), "labelAngle": 0}}},
        "layer": [_with_x_domain(layer, x_domain) for layer in layers],
    }


def _x_format(x_domain: list[str]) -> str:
    """Years on a long axis, months on one shorter than three years."""
    return "%Y" if int(x_domain[1][:4]) - int(x_domain[0][:4]) >= 3 else "%Y-%m"


def _with_x_domain(layer: dict, x_domain: list[str]) -> dict:
    enc = layer["encoding"]
    enc["x"] = {**enc["x"], "scale": {"domain": x_domain},
                "axis": {**enc["x"].get("axis", {}), "format": _x_format(x_domain), "tickCount": 12}}
    return layer


def indicator_spec(key: str, name: str, fig: pd.DataFrame,
                   years: tuple[int | None, int | None] = (None, None)) -> dict | None:
    """The chart of one indicator (None when it has no figure with a period)."""
    panels = []
    groups = _unit_groups(fig)
    all_points = []
    for measure, group, unit, factor in groups:
        points = panel_points(group, unit, factor)
        if points:
            panels.append((measure, unit, points))
            all_points += points
    if not panels:
        return None
    lo = min(p["x0"] for p in all_points)
    hi = max(p["x1"] for p in all_points)
    if years[0] is not None:
        lo = min(lo, f"{years[0]:04d}-01-01")
    if years[1] is not None:
        hi = max(hi, f"{years[1] + 1:04d}-01-01")
    x_domain = [lo, hi]
    specs = [panel_spec(f"{MEASURE_NAMES.get(m, m)}{' — ' + u if u and u not in MEASURE_NAMES.get(m, '') else ''}",
                        pts, u, x_domain, legend=(i == 0))
             for i, (m, u, pts) in enumerate(panels)]
    return {
        "$schema": SCHEMA,
        "title": {"text": f"{name} ({key})", "anchor": "start", "fontSize": 16},
        "vconcat": specs,
        "resolve": {"scale": {"y": "independent", "color": "shared", "shape": "shared"}},
        "config": {"font": FONT, "view": {"stroke": "#ddd"}, "axis": {"labelFont": FONT, "titleFont": FONT},
                   "legend": {"labelFont": FONT, "titleFont": FONT}, "title": {"font": FONT}},
    }
