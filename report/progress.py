"""The progress page's charts: an issuer's part-year figures against the
year's targets, as bullet charts. Pure functions, rows of
`progress_to_target` in, Vega-Lite specs and table rows out.

- Share of the year's target reached (levels: 1-6月 investment against the
  year's plan): a bar to the share reached, on a grey bar standing for the
  whole target, a black tick at the share of the year gone by (a steady pace
  reaches 50% at the end of June), a hollow diamond at the share the text
  itself states (占年度计划的54.5%), a grey dot at the share reached by the
  same point of the year before.
- Rates against the year's target (growth: 1-9月 +6.3% against ≈6%): a bar
  to the part-year rate and a marker at the target, shaped by its bound; the
  share of the year does not apply to a rate.
Rows that fit neither (units that differ) are in the table only.
"""

from __future__ import annotations

import calendar

import pandas as pd

from report.charts import (BOUND_MARKER, MARKER_SHAPES, MARKERS, MEASURE_NAMES, SCHEMA, SERIES_COLORS, _date,
                           _num, chart_config, figure_text, fmt_number)

AHEAD, BEHIND = "#2e8b57", "#e67e22"


def short_period(start, end) -> str:
    """1–9月, 4–6月, 7月, else the days (1月1日–10月19日)."""
    start, end = _date(start), _date(end)
    if start is None or end is None:
        return "?"
    whole_months = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if whole_months and start.month == end.month:
        return f"{end.month}月"
    if whole_months:
        return f"{start.month}–{end.month}月"
    return f"{start.month}月{start.day}日–{end.month}月{end.day}日"


def _pct(v) -> str:
    v = _num(v)
    return "" if v is None else f"{v:.0%}" if abs(v) >= 0.1 else f"{v:.1%}"


def _label(row: dict, names: dict[str, str]) -> str:
    """'社会消费品零售总额 · level · 1–9月'; the text's own words where the figure has no catalog indicator."""
    key = row.get("indicator_key")
    name = names.get(key, key) if key else (row.get("indicator") or "?")
    estimate = " (预计)" if row.get("actual_kind") == "estimate" else ""
    measure = "" if row["measure"] == "level" else f" · {row['measure']}"
    return f"{name}{measure} · {short_period(row['period_start'], row['period_end'])}{estimate}"


def _unique_labels(points: list[dict]) -> list[dict]:
    """Rows of one label (four 完成投资 1–6月 of four kinds of project) told apart by their targets."""
    seen: dict[str, int] = {}
    for p in points:
        seen[p["label"]] = seen.get(p["label"], 0) + 1
    for p in points:
        if seen[p["label"]] > 1:
            p["label"] = f"{p['label']} · of {p['target']}"
    return points


def _texts(row: dict) -> dict:
    target = figure_text({"value": row.get("target_value"), "value_low": row.get("target_low"),
                          "value_high": row.get("target_high"), "bound": row.get("target_bound"),
                          "unit": row.get("target_unit")})
    actual = figure_text({"value": row.get("actual_value"), "unit": row.get("unit"), "bound": "eq"})
    if row.get("target_kind") == "plan":
        target += " (plan)"
    return {"actual": actual, "target": target, "period": row.get("period_label") or "",
            "actual_doc": row.get("actual_doc_title") or (row.get("actual_doc_id") or "")[:12],
            "target_doc": row.get("target_doc_title") or (row.get("target_doc_id") or "")[:12]}


def _records(rows: pd.DataFrame) -> list[dict]:
    return [{k: (None if not isinstance(v, (list, tuple)) and pd.isna(v) else v) for k, v in r.items()}
            for r in rows.to_dict("records")]


def share_points(rows: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    """The rows with a share of the target, computed or stated."""
    points = []
    for row in _records(rows):
        share, stated = _num(row.get("share_of_target")), _num(row.get("stated_share"))
        if share is None and stated is None:
            continue
        elapsed = _num(row.get("share_of_year"))
        reached = share if share is not None else stated
        points.append({
            "label": _label(row, names), "whole": 1.0, "share": share, "stated": stated, "elapsed": elapsed,
            "earlier": _num(row.get("share_a_year_earlier")),
            "pace": "ahead of the year" if elapsed is None or reached >= elapsed else "behind the year",
            "share_text": _pct(reached), "elapsed_text": _pct(elapsed), "stated_text": _pct(stated),
            "earlier_text": _pct(row.get("share_a_year_earlier")), **_texts(row),
        })
    return _unique_labels(points)


def rate_points(rows: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    """The rows without a share whose actual and target are in one unit (growth rates)."""
    points = []
    for row in _records(rows):
        if _num(row.get("share_of_target")) is not None or _num(row.get("stated_share")) is not None:
            continue
        actual, unit = _num(row.get("actual_value")), row.get("unit") or ""
        low, high, value = _num(row.get("target_low")), _num(row.get("target_high")), _num(row.get("target_value"))
        target = value if value is not None else (low + high) / 2 if low is not None and high is not None else None
        if actual is None or target is None or unit != (row.get("target_unit") or ""):
            continue
        points.append({
            "label": _label(row, names), "unit": unit, "value": actual, "target_at": target,
            "lo": low if row.get("target_bound") == "range" else None,
            "hi": high if row.get("target_bound") == "range" else None,
            "marker": BOUND_MARKER.get(row.get("target_bound") or "eq", "="),
            "value_text": f"{fmt_number(actual)} {unit}".strip(), **_texts(row),
        })
    return _unique_labels(points)


SHARE_TOOLTIP = [{"field": "label", "title": "figure"}, {"field": "actual", "title": "actual"},
                 {"field": "target", "title": "year's target"}, {"field": "share_text", "title": "share reached"},
                 {"field": "elapsed_text", "title": "share of the year gone"},
                 {"field": "stated_text", "title": "share the text states"},
                 {"field": "earlier_text", "title": "share a year earlier"},
                 {"field": "actual_doc", "title": "actual in"}, {"field": "target_doc", "title": "target in"}]
RATE_TOOLTIP = [{"field": "label", "title": "figure"}, {"field": "actual", "title": "actual"},
                {"field": "target", "title": "year's target"},
                {"field": "actual_doc", "title": "actual in"}, {"field": "target_doc", "title": "target in"}]


def _rows_axis(points: list[dict]) -> dict:
    return {"field": "label", "type": "nominal", "title": None, "sort": [p["label"] for p in points],
            "axis": {"labelLimit": 320}}


SHARE_AXIS_CAP = 2.0  # a share past 200% runs off the axis (its label still says it): the others stay legible


def share_spec(points: list[dict]) -> dict:
    """Bullet chart: share of the year's target reached, against the share of the year gone."""
    top = max([1.0] + [v for p in points for v in (p["share"], p["stated"], p["elapsed"], p["earlier"])
                       if v is not None])
    top = min(top, SHARE_AXIS_CAP) * 1.12
    x = {"type": "quantitative", "title": "share of the year's target",
         "scale": {"domain": [0, round(top, 2)]}, "axis": {"format": ".0%"}}
    y = _rows_axis(points)
    layers = [
        {"mark": {"type": "bar", "color": "#e8e8e8", "size": 22}, "encoding": {"x": {**x, "field": "whole"}, "y": y}},
        {"transform": [{"filter": "datum.share !== null"}],
         "mark": {"type": "bar", "size": 10},
         "encoding": {"x": {**x, "field": "share"}, "y": y, "tooltip": SHARE_TOOLTIP,
                      "color": {"field": "pace", "type": "nominal", "title": "pace",
                                "scale": {"domain": ["ahead of the year", "behind the year"],
                                          "range": [AHEAD, BEHIND]}, "legend": {"orient": "top"}}}},
        {"transform": [{"filter": "datum.elapsed !== null"}],
         "mark": {"type": "tick", "thickness": 3, "size": 26, "color": "#222"},
         "encoding": {"x": {**x, "field": "elapsed"}, "y": y, "tooltip": SHARE_TOOLTIP}},
        {"transform": [{"filter": "datum.stated !== null"}],
         "mark": {"type": "point", "shape": "diamond", "filled": False, "size": 120, "strokeWidth": 2,
                  "color": SERIES_COLORS[1]},
         "encoding": {"x": {**x, "field": "stated"}, "y": y, "tooltip": SHARE_TOOLTIP}},
        {"transform": [{"filter": "datum.earlier !== null"}],
         "mark": {"type": "point", "filled": True, "size": 50, "color": "#9a9a9a"},
         "encoding": {"x": {**x, "field": "earlier"}, "y": y, "tooltip": SHARE_TOOLTIP}},
        {"mark": {"type": "text", "align": "left", "dx": 6, "fontSize": 11},
         "encoding": {"x": {**x, "field": "label_at"}, "y": y, "text": {"field": "share_text"}}},
    ]
    for layer in layers:
        layer["mark"]["clip"] = True
    for p in points:  # the label right of the bar and of the whole target, inside the axis
        p["label_at"] = min(max(v for v in (p["share"], p["stated"], 1.0) if v is not None), SHARE_AXIS_CAP)
    return {"$schema": SCHEMA, "width": 640, "height": {"step": 34}, "data": {"values": points},
            "layer": layers, "config": chart_config()}


def rate_spec(points: list[dict]) -> dict:
    """Bullet chart of rates in one unit: the part-year rate as a bar, the
    year's target as a marker (a band for a range)."""
    unit = points[0]["unit"]
    x = {"type": "quantitative", "title": unit or None}
    y = _rows_axis(points)
    layers = [
        {"transform": [{"filter": "datum.lo !== null"}],
         "mark": {"type": "bar", "size": 22, "opacity": 0.3, "color": SERIES_COLORS[2]},
         "encoding": {"x": {**x, "field": "lo"}, "x2": {"field": "hi"}, "y": y, "tooltip": RATE_TOOLTIP}},
        {"mark": {"type": "bar", "size": 10, "color": SERIES_COLORS[0]},
         "encoding": {"x": {**x, "field": "value"}, "y": y, "tooltip": RATE_TOOLTIP}},
        {"mark": {"type": "point", "filled": True, "size": 110, "color": SERIES_COLORS[2]},
         "encoding": {"x": {**x, "field": "target_at"}, "y": y, "tooltip": RATE_TOOLTIP,
                      "shape": {"field": "marker", "type": "nominal", "title": "target",
                                "scale": {"domain": MARKERS, "range": MARKER_SHAPES}, "legend": {"orient": "top"}}}},
        {"mark": {"type": "text", "align": "left", "dx": 8, "fontSize": 11},
         "encoding": {"x": {**x, "field": "value"}, "y": y, "text": {"field": "value_text"}}},
    ]
    return {"$schema": SCHEMA, "width": 640, "height": {"step": 34}, "data": {"values": points},
            "layer": layers, "config": chart_config()}


def table_rows(rows: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    """Every row of the page, charted or not."""
    out = []
    for row in _records(rows):
        stated_minus = _num(row.get("stated_minus_computed"))
        out.append({
            "label": _label(row, names), **_texts(row),
            "share": _pct(row.get("share_of_target")), "elapsed": _pct(row.get("share_of_year")),
            "stated": _pct(row.get("stated_share")),
            "stated_minus": "" if stated_minus is None else f"{stated_minus * 100:+.1f} pp",
            "earlier": _pct(row.get("share_a_year_earlier")),
        })
    return out

