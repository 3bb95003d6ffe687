"""The report's questions to the warehouse. Each function takes an open
(read-only) DuckDB connection and returns plain data: pandas frames, lists,
dicts. Nothing here renders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from report.options import ReportOptions, parse_period


class ReportError(Exception):
    """A problem the user can fix (unknown document in --compare, ...); one line."""


def built_at(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    try:
        row = con.execute("SELECT max(built_at) FROM _build").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def issuers(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT issuer FROM documents WHERE issuer IS NOT NULL GROUP BY issuer ORDER BY count(*) DESC, issuer"
    ).fetchall()]


def indicator_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT indicator_key, name_zh FROM indicator_catalog ORDER BY indicator_key").fetchall())


def _year_filter(opts: ReportOptions, column: str = "d.year") -> tuple[str, list]:
    clauses, params = [], []
    if opts.year_from is not None:
        clauses.append(f"{column} >= ?")
        params.append(opts.year_from)
    if opts.year_to is not None:
        clauses.append(f"{column} <= ?")
        params.append(opts.year_to)
    return " AND ".join(clauses) or "TRUE", params


def covered_documents(con: duckdb.DuckDBPyConnection, opts: ReportOptions) -> pd.DataFrame:
    """The documents the report covers: the issuer's (or all) documents whose
    year lies in the range. Without a year range, documents without a year count."""
    where, params = _year_filter(opts)
    if opts.issuer:
        where += " AND d.issuer = ?"
        params.append(opts.issuer)
    return con.execute(f"""
        SELECT d.doc_id, d.year, d.title, d.issuer, d.doc_type, d.delivered_on, d.char_count, d.masked_count,
               coalesce(d.delivered_on, CAST(d.published_at AS DATE), make_date(d.year, 3, 5)) AS doc_date
        FROM documents d
        WHERE {where}
        ORDER BY doc_date NULLS LAST, d.year NULLS LAST, d.title
    """, params).df()


def default_indicators(con: duckdb.DuckDBPyConnection, doc_ids: list[str], limit: int) -> list[str]:
    """The catalog indicators with the most figures in these documents."""
    rows = con.execute("""
        SELECT indicator_key FROM metrics
        WHERE indicator_key IS NOT NULL AND list_contains(?, doc_id)
        GROUP BY indicator_key ORDER BY count(*) DESC, indicator_key LIMIT ?
    """, [doc_ids, limit]).fetchall()
    return [r[0] for r in rows]


FIGURE_COLUMNS = ["indicator_key", "measure", "kind", "period_label", "period_start", "period_end",
                  "value", "value_low", "value_high", "bound", "unit", "value_base", "base_unit",
                  "indicator", "mention", "sentence", "doc_id", "doc_title", "doc_year", "masked"]


def figures(con: duckdb.DuckDBPyConnection, doc_ids: list[str], indicators: list[str]) -> pd.DataFrame:
    """The series points of `indicators` stated in `doc_ids`: metric_series
    (one figure per issuer, indicator, measure, kind and period, the latest
    document winning) plus every masked figure, which metric_series leaves out
    and the report must show as masked, never as a number."""
    return con.execute("""
        SELECT s.indicator_key, s.measure, s.kind, s.period_label, s.period_start, s.period_end,
               s.value, s.value_low, s.value_high, s.bound, s.unit, s.value_base, s.base_unit,
               s.indicator, s.mention, s.sentence, s.doc_id, s.doc_title, d.year AS doc_year, FALSE AS masked
        FROM metric_series s JOIN documents d USING (doc_id)
        WHERE list_contains(?, s.doc_id) AND list_contains(?, s.indicator_key)
        UNION ALL
        SELECT m.indicator_key, m.measure, m.kind, m.period_label, m.period_start, m.period_end,
               NULL, NULL, NULL, m.bound, m.unit, NULL, m.base_unit,
               m.indicator, m.mention, m.sentence, m.doc_id, d.title, d.year, TRUE
        FROM metrics m JOIN documents d USING (doc_id)
        WHERE m.masked AND list_contains(?, m.doc_id) AND list_contains(?, m.indicator_key)
        ORDER BY 1, 2, 5 NULLS LAST, 6 NULLS LAST, 3
    """, [doc_ids, indicators, doc_ids, indicators]).df()


def target_vs_actual(con: duckdb.DuckDBPyConnection, doc_ids: list[str], indicators: list[str]) -> pd.DataFrame:
    """Targets set in the covered documents beside their outcomes, misses
    first (largest gap first), then undecided, then met."""
    return con.execute("""
        SELECT t.*, dt.year AS target_doc_year, dt.title AS target_doc_title,
               da.year AS actual_doc_year, da.title AS actual_doc_title
        FROM target_vs_actual t
        JOIN documents dt ON dt.doc_id = t.target_doc_id
        LEFT JOIN documents da ON da.doc_id = t.actual_doc_id
        WHERE list_contains(?, t.target_doc_id) AND list_contains(?, t.indicator_key)
        ORDER BY CASE WHEN t.met = FALSE THEN 0 WHEN t.met IS NULL THEN 1 ELSE 2 END,
                 abs(t.gap) DESC NULLS LAST, t.indicator_key, t.measure, t.period_start
    """, [doc_ids, indicators]).df()


@dataclass
class Side:
    """One side of a term comparison: a document or a period's documents."""
    label: str
    doc_ids: list[str]


def resolve_side(con: duckdb.DuckDBPyConnection, spec: str, issuer: str | None) -> Side:
    """A doc_id (or a unique prefix of at least 6 characters) or a period
    ('2010', '2006-2010': that issuer's documents of those years)."""
    period = parse_period(spec)
    if period is not None:
        where = "year BETWEEN ? AND ?"
        params: list = [period[0], period[1]]
        if issuer:
            where += " AND issuer = ?"
            params.append(issuer)
        ids = [r[0] for r in con.execute(f"SELECT doc_id FROM documents WHERE {where} ORDER BY year", params).fetchall()]
        if not ids:
            raise ReportError(f"--compare {spec}: no documents{' of ' + issuer if issuer else ''} in {spec}")
        label = str(period[0]) if period[0] == period[1] else f"{period[0]}–{period[1]}"
        return Side(f"{label} ({len(ids)} document{'s' if len(ids) != 1 else ''})", ids)
    if len(spec) < 6:
        raise ReportError(f"--compare {spec}: give a doc_id (at least 6 characters) or a year / YEAR-YEAR")
    rows = con.execute("SELECT doc_id, year, title FROM documents WHERE starts_with(doc_id, ?)", [spec]).fetchall()
    if not rows:
        raise ReportError(f"--compare {spec}: no document has that doc_id")
    if len(rows) > 1:
        raise ReportError(f"--compare {spec}: {len(rows)} documents start with that doc_id; give more characters")
    doc_id, year, title = rows[0]
    return Side(f"{title or doc_id[:12]}{f' ({year})' if year else ''}", [doc_id])


def default_sides(docs: pd.DataFrame) -> tuple[Side, Side] | None:
    """The two latest covered documents of one type: "this time" against "last time"."""
    if len(docs) < 2:
        return None
    latest = docs.iloc[-1]
    same = docs[docs["doc_type"] == latest["doc_type"]]
    if len(same) < 2:
        return None
    a, b = same.iloc[-2], same.iloc[-1]
    label = lambda r: f"{r['title'] or r['doc_id'][:12]}{f' ({int(r.year)})' if pd.notna(r['year']) else ''}"
    return Side(label(a), [a["doc_id"]]), Side(label(b), [b["doc_id"]])


def term_counts(con: duckdb.DuckDBPyConnection, doc_ids: list[str]) -> pd.DataFrame:
    return con.execute("""
        SELECT term, CAST(sum(count) AS BIGINT) AS count FROM terms
        WHERE list_contains(?, doc_id) GROUP BY term
    """, [doc_ids]).df()


def headings(con: duckdb.DuckDBPyConnection, doc_ids: list[str], max_level: int = 2) -> pd.DataFrame:
    return con.execute("""
        SELECT s.doc_id, d.year, s.level, s.marker, s.heading, s.path, s.role, s.char_start
        FROM sections s JOIN documents d USING (doc_id)
        WHERE list_contains(?, s.doc_id) AND s.heading IS NOT NULL AND s.heading <> '' AND s.level <= ?
        ORDER BY d.year, s.doc_id, s.char_start
    """, [doc_ids, max_level]).df()


def figures_added(con: duckdb.DuckDBPyConnection, run_id: str, limit: int | None = None) -> list[dict]:
    """The figures the ingest run `run_id` added (its new documents' metrics),
    in reading order, for the flow's table artifact; the first `limit` only
    (a large run adds hundreds of thousands: not held in memory)."""
    cursor = con.execute("""
        SELECT d.year, d.title, m.indicator, m.indicator_key, m.measure, m.kind, m.mention,
               m.value, m.unit, m.bound, m.period_label, m.masked
        FROM metrics m JOIN documents d USING (doc_id)
        WHERE d.run_id = ?
        ORDER BY d.year NULLS LAST, d.title, m.char_start
    """ + (f" LIMIT {int(limit)}" if limit is not None else ""), [run_id])
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]
