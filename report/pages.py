"""The models of the progress page and the regions page (the overview's is
in build.py): warehouse questions (queries.py) in, plain data for the
templates out, with a plain "no data" message wherever a choice finds nothing."""

from __future__ import annotations

import duckdb
import pandas as pd

from report import progress, queries, regions
from report.build import _figure_rows, _in_years
from report.html import script_json
from report.options import ReportOptions


def _chart(chart_id: str, title: str, spec: dict, note: str = "") -> dict:
    return {"id": chart_id, "title": title, "spec": script_json(spec), "note": note}


def _progress_no_data(con: duckdb.DuckDBPyConnection, who: str, key: str | None, year: int | None,
                      years: list[int]) -> str:
    if key is None:
        known = "" if who in queries.issuers(con) else f"the warehouse has no documents from issuer {who}; "
        return (f"No data: {known}no part-year figure of {who} stands beside a target for its whole year "
                f"(issuers with such figures: {', '.join(queries.progress_issuers(con)) or 'none'}).")
    return (f"No data: {who} states no part-year figure beside a target for {year} "
            f"(years it does: {', '.join(map(str, years))}).")


def progress_model(con: duckdb.DuckDBPyConnection, opts: ReportOptions) -> dict:
    """Each indicator's part-year figures against its target for the year (progress_to_target)."""
    names = queries.indicator_names(con)
    key = queries.progress_key(con, opts.issuer)
    years = queries.progress_years(con, key) if key else []
    year = opts.year or (years[0] if years else None)
    rows = queries.progress_rows(con, key, year) if year in years else pd.DataFrame()
    if opts.indicators and len(rows):
        rows = rows[rows["indicator_key"].isin(opts.indicators)]
    message = None if len(rows) else _progress_no_data(con, opts.issuer, key, year, years)
    charts = []
    shares = progress.share_points(rows, names) if len(rows) else []
    if shares:
        charts.append(_chart("share", "Share of the year's target reached", progress.share_spec(shares)))
    rates = progress.rate_points(rows, names) if len(rows) else []
    for unit in sorted({p["unit"] for p in rates}):
        charts.append(_chart(f"rates-{len(charts)}", f"Rates against the year's target ({unit})",
                             progress.rate_spec([p for p in rates if p["unit"] == unit])))
    who = key[:21] if key and key.startswith("document ") else (key or opts.issuer)
    return {
        "page": "progress", "title": opts.title,
        "scope": f"{who}, {year if year is not None else 'no year'}",
        "issuer": who, "year": year, "years": years,
        "charts": charts, "has_charts": bool(charts),
        "rows": progress.table_rows(rows, names) if len(rows) else [],
        "cited": len(set(rows["actual_doc_id"]) | set(rows["target_doc_id"])) if len(rows) else 0,
        "message": message, "messages": [message] if message else [],
    }


DEFAULT_CANDIDATES = 8  # indicators tried for the default: those most regions of the level state


def _regions_choice(con: duckdb.DuckDBPyConnection, opts: ReportOptions) -> tuple[str | None, str | None, str | None]:
    """(level, indicator key, message): the chosen ones, or by default the
    level most regions have figures for, and of its indicators the one whose
    chartable series (one measure, span and unit) most regions state."""
    key = opts.indicators[0] if opts.indicators else None
    levels = dict(queries.region_levels(con, key))
    level = opts.level or next(iter(levels), None)
    if level is None or level not in levels:
        known = ", ".join(f"{name} ({n})" for name, n in levels.items()) or "none"
        what = f"figures of {key}" if key else "figures"
        return level, key, f"No data: no region of level {level} has {what} (levels that do, with regions: {known})."
    if key is None:
        def regions_charted(candidate: str) -> int:
            fig = _in_years(queries.region_figures(con, level, candidate), opts)
            series = regions.choose_series(fig, opts.measure, opts.span) if len(fig) else None
            return series.regions if series and len(series.points) >= 2 else 0
        tried = [k for k, _ in queries.region_indicators(con, level)[:DEFAULT_CANDIDATES]]
        key = max(tried, key=lambda k: (regions_charted(k), -tried.index(k)))
    return level, key, None


def regions_model(con: duckdb.DuckDBPyConnection, opts: ReportOptions) -> dict:
    """One indicator across the regions of one level: one chart (metric_series' region columns)."""
    names = queries.indicator_names(con)
    level, key, message = _regions_choice(con, opts)
    fig = queries.region_figures(con, level, key) if message is None else pd.DataFrame()
    fig = _in_years(fig, opts) if len(fig) else fig
    name = names.get(key, key) if key else ""
    series = regions.choose_series(fig, opts.measure, opts.span) if len(fig) else None
    if series is not None and len(series.points) < 2:
        message = (f"No chart: no measure and span of {name} ({key}) has two actuals for the regions of "
                   f"level {level} (the table lists every figure).")
        series = None
    if message is None and series is None:
        chosen = " ".join(f"--{k} {v}" for k, v in (("measure", opts.measure), ("span", opts.span)) if v)
        message = f"No data: no region of level {level} states an actual of {name} ({key}){' for ' + chosen if chosen else ''}."
    charts = []
    if series is not None:
        title = (f"{name} ({key}): {regions.MEASURE_NAMES.get(series.measure, series.measure)}, "
                 f"{regions.SPAN_NAMES.get(series.span, series.span)}, "
                 f"{series.regions} region{'s' if series.regions != 1 else ''} of level {level}")
        charts.append(_chart("regions", title, regions.regions_spec(series, title)))
    actual = fig[fig["kind"] == "actual"] if len(fig) else fig
    spans = sorted(actual["span"].dropna().unique()) if len(fig) else []
    measures = sorted(actual["measure"].dropna().unique()) if len(fig) else []
    return {
        "page": "regions", "title": opts.title,
        "scope": f"{name or 'no indicator'} ({key}), level {level}" if key else f"level {level}",
        "level": level, "key": key, "name": name, "series": series,
        "other_spans": [f"{regions.SPAN_NAMES.get(v, v)} ({v})" for v in spans if series and v != series.span],
        "other_measures": [v for v in measures if series and v != series.measure],
        "regions": sorted(fig["region"].dropna().unique()) if len(fig) else [],
        "charts": charts, "has_charts": bool(charts),
        "rows": _figure_rows(fig, first=("region",)) if len(fig) else [],
        "cited": fig["doc_id"].nunique() if len(fig) else 0,
        "message": message, "messages": [message] if message else [],
    }
