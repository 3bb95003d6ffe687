"""The regions page's chart: one indicator across the regions of one level
(the cities, the counties, ...), one measure and one span, as one chart.
Pure functions, metric_series rows in, a Vega-Lite spec out.

Only actuals are charted, and only figures of one measure, one span and one
unit: a half-year level beside a year's would mislead. Unless chosen, the
series most regions state is charted (a whole year when as many regions
state one); the others are left to the table. With figures for several periods the chart is a time
axis, one colour and line per region, the line broken wherever a region
states nothing for a period (report/lines.py); with one period only, bars by
region.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from report.charts import MEASURE_NAMES, MEASURE_ORDER, SCHEMA, _unit_groups, _x_format, chart_config, panel_points

SPAN_NAMES = {"year": "whole years", "half": "half-years", "quarter": "quarters", "months": "months since January (1-N月)",
              "month": "single months", "multi_year": "spans of several years", "other": "other periods"}
TOOLTIP = [{"field": "group", "title": "region"}, {"field": "period", "title": "period"},
           {"field": "figure", "title": "figure"}, {"field": "document", "title": "document"},
           {"field": "sentence", "title": "sentence"}]


@dataclass
class Series:
    measure: str
    span: str
    unit: str
    points: list[dict]
    regions: int


def _regions(frame: pd.DataFrame) -> int:
    return frame["issuer"].nunique()


def _candidates(actual: pd.DataFrame):
    """(measure, span, unit group) of the actuals, each with its rows, unit and factor."""
    for (measure, span), rows in actual.groupby(["measure", "span"], sort=False):
        for _, group, unit, factor in _unit_groups(rows):
            yield measure, span, group, unit, factor


def _preference(candidate) -> tuple:
    """Most regions first; then a whole year, most figures, the usual measures, a stated unit."""
    measure, span, rows, unit, _ = candidate
    return (-_regions(rows), span != "year", -len(rows), MEASURE_ORDER.index(measure) if measure in MEASURE_ORDER
            else 99, unit == "", measure, span, unit)


def choose_series(fig: pd.DataFrame, measure: str | None = None, span: str | None = None) -> Series | None:
    """The actuals to chart: of one measure, one span and one unit (or units
    of one base), those most regions state, unless measure or span is
    chosen; one figure per region and period (the latest document's where
    two issuers of a region state it). None when there is no such actual."""
    actual = fig[(fig["kind"] == "actual") & fig["span"].notna()]
    actual = actual[(actual["measure"] == measure) if measure else actual["measure"].notna()]
    actual = actual[(actual["span"] == span) if span else actual["span"].notna()]
    actual = actual.sort_values("doc_year", ascending=False, na_position="last")
    actual = actual.drop_duplicates(["issuer", "measure", "period_start", "period_end", "unit"])
    candidates = sorted(_candidates(actual), key=_preference)
    if not candidates:
        return None
    measure, span, rows, unit, factor = candidates[0]
    return Series(measure, span, unit, panel_points(rows, unit, factor), _regions(rows))


def regions_spec(series: Series, title: str) -> dict:
    """One chart: a time axis with a line per region, or bars by region when all is one period."""
    points = [p for p in series.points if p["y"] is not None]
    periods = {(p["x0"], p["x1"]) for p in points}
    color = {"field": "group", "type": "nominal", "title": "region", "legend": {"orient": "right"}}
    y_title = f"{MEASURE_NAMES.get(series.measure, series.measure)}{' — ' + series.unit if series.unit else ''}"
    if len(periods) >= 2:
        domain = [min(p["x0"] for p in points), max(p["x1"] for p in points)]
        x = {"field": "x", "type": "temporal", "title": "period", "scale": {"domain": domain},
             "axis": {"format": _x_format(domain), "labelAngle": 0}}
        y = {"field": "y", "type": "quantitative", "title": y_title, "scale": {"zero": False}}
        layers = [
            {"transform": [{"filter": "datum.segment !== null"}], "mark": {"type": "line", "strokeWidth": 2},
             "encoding": {"x": x, "y": y, "color": color, "detail": {"field": "segment", "type": "nominal"},
                          "order": {"field": "x", "type": "temporal"}}},
            {"mark": {"type": "point", "filled": True, "size": 70},
             "encoding": {"x": x, "y": y, "color": color, "tooltip": TOOLTIP}},
        ]
        shape = {"width": 760, "height": 300, "usermeta": {"axis": "time"}}
    else:
        y = {"field": "group", "type": "nominal", "title": None, "sort": "-x", "axis": {"labelLimit": 240}}
        x = {"field": "y", "type": "quantitative", "title": y_title}
        layers = [
            {"mark": {"type": "bar", "size": 14}, "encoding": {"x": x, "y": y, "color": color, "tooltip": TOOLTIP}},
            {"mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11},
             "encoding": {"x": x, "y": y, "text": {"field": "figure"}}},
        ]
        shape = {"width": 640, "height": {"step": 30}, "usermeta": {"axis": "regions"}}
    return {"$schema": SCHEMA, "title": {"text": title, "anchor": "start", "fontSize": 15},
            "data": {"values": points}, "layer": layers, **shape, "config": chart_config()}
