"""Warehouse -> page model -> HTML file."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from report import charts, compare, queries
from report.html import highlight, render, script_json
from report.options import ReportOptions
from report.queries import ReportError


@dataclass
class ReportResult:
    path: Path
    documents: int
    charts: int
    messages: list[str] = field(default_factory=list)  # the plain "no data" notes shown on the page


def _records(df: pd.DataFrame) -> list[dict]:
    return [{k: (None if (not isinstance(v, (list, tuple)) and pd.isna(v)) else v) for k, v in r.items()}
            for r in df.to_dict("records")]


def _doc_label(title, year) -> str:
    if title is None and year is None:
        return ""
    return f"{title or ''}{f' ({int(year)})' if year is not None and not pd.isna(year) else ''}"


def _figure_rows(fig: pd.DataFrame, first: tuple[str, ...] = ()) -> list[dict]:
    """Table rows, by period (by the `first` columns before that)."""
    rows = []
    ordered = fig.sort_values([*first, "period_start", "period_end", "measure", "kind"], na_position="last")
    for r in _records(ordered):
        rows.append({
            "region": r.get("region"),
            "period": charts.period_text(r),
            "measure": r["measure"],
            "kind": r["kind"],
            "figure": charts.figure_text(r),
            "masked": bool(r["masked"]),
            "document": _doc_label(r["doc_title"], r["doc_year"]),
            "sentence": highlight(r["sentence"], r["mention"]),
        })
    return rows


def _tva_rows(tva: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    rows = []
    for r in _records(tva):
        target = charts.figure_text({"value": r["target_value"], "value_low": r["target_low"],
                                     "value_high": r["target_high"], "bound": r["target_bound"],
                                     "unit": r["target_unit"]})
        actual = charts.figure_text({"value": r["actual_value"], "unit": r["actual_unit"], "bound": "eq"})
        if r["actual_kind"] == "estimate":
            actual += " (estimate)"
        met = r["met"]
        status = "open" if met is None else ("met" if met else "miss")
        gap = r["gap"]
        rows.append({
            "indicator": f"{names.get(r['indicator_key'], r['indicator_key'])}",
            "measure": r["measure"],
            "period": charts.period_text(r),
            "target": target, "actual": actual,
            "gap": "" if gap is None else f"{gap:+.4g}",
            "met": {"met": "met", "miss": "missed", "open": "not decided"}[status],
            "status": status,
            "target_doc": _doc_label(r["target_doc_title"], r["target_doc_year"]),
            "actual_doc": _doc_label(r["actual_doc_title"], r["actual_doc_year"]),
        })
    return rows


def _in_years(fig: pd.DataFrame, opts: ReportOptions) -> pd.DataFrame:
    """Figures whose period overlaps the year range (those without a period stay, for the tables)."""
    if not len(fig):
        return fig
    keep = pd.Series(True, index=fig.index)
    if opts.year_from is not None:
        keep &= fig["period_end"].isna() | (pd.to_datetime(fig["period_end"]).dt.year >= opts.year_from)
    if opts.year_to is not None:
        keep &= fig["period_start"].isna() | (pd.to_datetime(fig["period_start"]).dt.year <= opts.year_to)
    return fig[keep]


def _fmt(v: float) -> str:
    return f"{v:.2f}"


def _compare_model(con, opts: ReportOptions, docs: pd.DataFrame) -> dict:
    if opts.compare:
        a = queries.resolve_side(con, opts.compare[0], opts.issuer)
        b = queries.resolve_side(con, opts.compare[1], opts.issuer)
    else:
        ranged = opts.year_from is not None or opts.year_to is not None
        sides = (ranged and queries.range_sides(con, docs, opts.issuer)) or queries.default_sides(docs)
        if sides is None:
            return {"message": f"Fewer than two documents of one type for {opts.scope_text}: "
                               "no term comparison (choose two with --compare DOC_ID DOC_ID or YEAR YEAR)."}
        a, b = sides
    shift = compare.term_shift(queries.term_counts(con, a.doc_ids), queries.term_counts(con, b.doc_ids),
                               top=opts.top_terms)
    if not shift.tokens_a or not shift.tokens_b:
        empty = a if not shift.tokens_a else b
        return {"message": f"{empty.label} has no terms: nothing to compare."}

    def rows(df: pd.DataFrame) -> list[dict]:
        return [{"term": r["term"], "a": _fmt(r["per10k_a"]), "b": _fmt(r["per10k_b"]),
                 "change": f"{r['change']:+.2f}", "counts": f"{r['count_a']} → {r['count_b']}"}
                for r in df.to_dict("records")]

    fresh = compare.new_sections(queries.headings(con, a.doc_ids), queries.headings(con, b.doc_ids))
    return {
        "message": None, "a": a.label, "b": b.label,
        "tokens_a": f"{shift.tokens_a:,}", "tokens_b": f"{shift.tokens_b:,}",
        "rises": rows(shift.rises), "falls": rows(shift.falls),
        "new_sections": _records(fresh[["level", "marker", "heading", "role"]]) if len(fresh) else [],
    }


def report_model(con: duckdb.DuckDBPyConnection, opts: ReportOptions, warehouse: str = "") -> dict:
    """Everything the page shows, as plain data."""
    names = queries.indicator_names(con)
    docs = queries.covered_documents(con, opts)
    doc_ids = docs["doc_id"].tolist()
    messages: list[str] = []
    no_documents = None
    if not doc_ids:
        known = queries.issuers(con)
        if opts.issuer and opts.issuer not in known:
            no_documents = (f"No data: the warehouse has no documents from issuer {opts.issuer} "
                            f"(issuers it has: {', '.join(known) or 'none'}).")
        else:
            no_documents = f"No data: the warehouse has no documents for {opts.scope_text}."
        messages.append(no_documents)

    keys = list(opts.indicators) or queries.default_indicators(con, doc_ids, opts.max_default_indicators)
    fig_all = queries.figures(con, doc_ids, keys) if keys and doc_ids else pd.DataFrame(columns=queries.FIGURE_COLUMNS)
    fig_all = _in_years(fig_all, opts)
    indicators = []
    for key in keys:
        name = names.get(key, key)
        item = {"key": key, "name": name, "spec": None, "message": None, "rows": [], "open_table": False,
                "single": []}
        if key not in names:
            item["message"] = (f"No data: {key} is not an indicator of the catalog "
                               f"(indicator_catalog has {', '.join(sorted(names))}).")
        else:
            fig = fig_all[fig_all["indicator_key"] == key]
            if not len(fig):
                item["message"] = f"No data: no figures of {name} ({key}) for {opts.scope_text}."
            else:
                panels, single = charts.indicator_panels(fig)
                spec = charts.chart_spec(key, name, panels, (opts.year_from, opts.year_to))
                item["single"] = [f"{p['panel']}: {p['figure']}, {p['period']}" for p in single]
                item["rows"] = _figure_rows(fig)
                item["open_table"] = bool(fig["masked"].any()) or len(fig) <= 12
                if fig["masked"].all():
                    item["message"] = (f"All {len(fig)} figure{'s' if len(fig) > 1 else ''} of {name} ({key}) "
                                       "are masked in the source (the numbers were replaced): shown as masked, "
                                       "not as values.")
                if spec is not None:
                    item["spec"] = script_json(spec)
                elif not fig["masked"].all():  # (all masked: the message above says so)
                    item["message"] = (f"No chart: no measure of {name} ({key}) has figures for two periods "
                                       "(the table lists them)." if single else
                                       f"No chart: none of the {len(fig)} figures of {name} ({key}) has a period.")
        if item["message"]:
            messages.append(item["message"])
        indicators.append(item)
    if not keys and doc_ids:
        messages.append(f"No data: no catalog indicator has figures for {opts.scope_text}.")
        indicators.append({"key": "none", "name": "No indicators", "spec": None, "rows": [], "open_table": False,
                           "single": [], "message": messages[-1]})

    tva = queries.target_vs_actual(con, doc_ids, keys) if doc_ids and keys else pd.DataFrame()
    tva_message = None
    if not len(tva):
        tva_message = (f"No data: no target in the documents covered has a reported outcome "
                       f"({opts.scope_text}{'; indicators ' + ', '.join(keys) if keys else ''}).")
        messages.append(tva_message)
    cmp = _compare_model(con, opts, docs) if doc_ids else {"message": "No documents: nothing to compare."}
    if cmp.get("message"):
        messages.append(cmp["message"])
    built = queries.built_at(con)
    return {
        "page": "overview",
        "title": opts.title,
        "scope": opts.scope_text,
        "warehouse": warehouse,
        "built_at": f"{built:%Y-%m-%d %H:%M:%S} UTC" if built else None,
        "generated_at": f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M:%S} UTC",
        "documents": [{**r, "year": r["year"] if r["year"] is not None else "", "doc_id": r["doc_id"][:12]}
                      for r in _records(docs)],
        "no_documents": no_documents,
        "indicators": indicators,
        "has_charts": any(i["spec"] for i in indicators),
        "tva": _tva_rows(tva, names) if len(tva) else [],
        "tva_message": tva_message,
        "compare": cmp,
        "messages": messages,
    }


def build_report(warehouse_dir: Path, out: Path, opts: ReportOptions) -> ReportResult:
    """Write the report for `opts` on the warehouse at `warehouse_dir` to `out`
    (atomically: a reader never sees half a page). Raises FileNotFoundError when
    there is no warehouse, ReportError for a choice the warehouse cannot meet."""
    from warehouse.load import database_path

    db = database_path(Path(warehouse_dir))
    if not db.exists():
        raise FileNotFoundError(f"no warehouse at {db}")
    with duckdb.connect(str(db), read_only=True) as con:
        model = page_model(con, opts, str(warehouse_dir))
    page, font = render(model)
    if font.note:
        model["messages"].append(font.note)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    overview = opts.page == "overview"
    charts = model["indicators"] if overview else model["charts"]
    return ReportResult(out, len(model["documents"]) if overview else model["cited"],
                        sum(1 for c in charts if c["spec"]), model["messages"])


def page_model(con: duckdb.DuckDBPyConnection, opts: ReportOptions, warehouse: str = "") -> dict:
    """The model of the page `opts.page` asks for, with the header's facts."""
    from report.pages import progress_model, regions_model

    if opts.page == "overview":
        return report_model(con, opts, warehouse)
    model = progress_model(con, opts) if opts.page == "progress" else regions_model(con, opts)
    built = queries.built_at(con)
    return {**model, "warehouse": warehouse,
            "built_at": f"{built:%Y-%m-%d %H:%M:%S} UTC" if built else None,
            "generated_at": f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M:%S} UTC"}


__all__ = ["ReportError", "ReportOptions", "ReportResult", "build_report", "report_model"]
