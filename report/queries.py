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
                  "indicator", "mention", "sentence", "doc_id", "doc_title", "doc_year", "masked",
                  "issuer", "span", "year"]


def figures(con: duckdb.DuckDBPyConnection, doc_ids: list[str], indicators: list[str]) -> pd.DataFrame:
    """The series points of `indicators` stated in `doc_ids`: metric_series
    (one figure per issuer, indicator, measure, kind and period, the latest
    document winning) plus every masked figure, which metric_series leaves out
    and the report must show as masked, never as a number (its span is
    left NULL: metric_series is where spans are told). `issuer` is the
    series' issuer_key, so that a line never joins two issuers' figures."""
    return con.execute("""
        SELECT s.indicator_key, s.measure, s.kind, s.period_label, s.period_start, s.period_end,
               s.value, s.value_low, s.value_high, s.bound, s.unit, s.value_base, s.base_unit,
               s.indicator, s.mention, s.sentence, s.doc_id, s.doc_title, d.year AS doc_year, FALSE AS masked,
               s.issuer_key AS issuer, s.span, s.year
        FROM metric_series s JOIN documents d USING (doc_id)
        WHERE list_contains(?, s.doc_id) AND list_contains(?, s.indicator_key)
        UNION ALL
        SELECT m.indicator_key, m.measure, m.kind, m.period_label, m.period_start, m.period_end,
               NULL, NULL, NULL, m.bound, m.unit, NULL, m.base_unit,
               m.indicator, m.mention, m.sentence, m.doc_id, d.title, d.year, TRUE,
               issuer_key(d.issuer, d.region, d.doc_id), NULL, year(m.period_end)
        FROM metrics m JOIN documents d USING (doc_id)
        WHERE m.masked AND list_contains(?, m.doc_id) AND list_contains(?, m.indicator_key)
        ORDER BY 1, 2, 5 NULLS LAST, 6 NULLS LAST, 3
    """, [doc_ids, indicators, doc_ids, indicators]).df()


def target_vs_actual(con: duckdb.DuckDBPyConnection, doc_ids: list[str], indicators: list[str]) -> pd.DataFrame:
    """Targets set in the covered documents beside their outcomes, misses
    first, then undecided, then met; within each, by unit, then largest gap
    first (gaps in different units are not compared)."""
    return con.execute("""
        SELECT t.*, dt.year AS target_doc_year, dt.title AS target_doc_title,
               da.year AS actual_doc_year, da.title AS actual_doc_title
        FROM target_vs_actual t
        JOIN documents dt ON dt.doc_id = t.target_doc_id
        LEFT JOIN documents da ON da.doc_id = t.actual_doc_id
        WHERE list_contains(?, t.target_doc_id) AND list_contains(?, t.indicator_key)
        ORDER BY CASE WHEN t.met = FALSE THEN 0 WHEN t.met IS NULL THEN 1 ELSE 2 END,
                 t.target_unit NULLS LAST, abs(t.gap) DESC NULLS LAST, t.indicator_key, t.measure, t.period_start
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


def range_sides(con: duckdb.DuckDBPyConnection, docs: pd.DataFrame, issuer: str | None) -> tuple[Side, Side] | None:
    """With a year range chosen: the first covered year's documents against the
    last's (--from 1995 --to 2015: 1995 against 2015), not the latest two."""
    years = docs["year"].dropna()
    if years.empty or years.min() == years.max():
        return None
    return resolve_side(con, str(int(years.min())), issuer), resolve_side(con, str(int(years.max())), issuer)


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


# --- the progress page: an issuer's part-year figures beside the year's targets ---------------

def progress_key(con: duckdb.DuckDBPyConnection, who: str) -> str | None:
    """The issuer_key of progress_to_target that `who` names: an issuer, a
    region (for documents without an issuer), or a doc_id prefix of 6+
    characters (for a document with neither); None when none has rows."""
    row = con.execute("""
        SELECT issuer_key FROM progress_to_target
        WHERE issuer_key = $who OR issuer = $who
           OR (length($who) >= 6 AND starts_with(issuer_key, 'document ' || $who))
        GROUP BY issuer_key ORDER BY issuer_key <> $who, count(*) DESC LIMIT 1
    """, {"who": who}).fetchall()
    return row[0][0] if row else None


def progress_rows(con: duckdb.DuckDBPyConnection, key: str, year: int) -> pd.DataFrame:
    """progress_to_target for one issuer_key and year, with the documents'
    titles and the share reached by the same point of the year before."""
    return con.execute("""
        SELECT p.*, da.title AS actual_doc_title, da.year AS actual_doc_year,
               dt.title AS target_doc_title, dt.year AS target_doc_year,
               prev.share_of_target AS share_a_year_earlier, prev.actual_value AS actual_a_year_earlier
        FROM progress_to_target p
        LEFT JOIN documents da ON da.doc_id = p.actual_doc_id
        LEFT JOIN documents dt ON dt.doc_id = p.target_doc_id
        LEFT JOIN progress_to_target prev
          ON prev.issuer_key = p.issuer_key AND prev.indicator_key = p.indicator_key AND prev.measure = p.measure
         AND prev.actual_kind = p.actual_kind
         AND prev.period_start = p.period_start - INTERVAL 1 YEAR AND prev.period_end = p.period_end - INTERVAL 1 YEAR
        WHERE p.issuer_key = ? AND p.year = ?
        ORDER BY p.indicator_key NULLS LAST, p.indicator, p.measure, p.period_end, p.actual_kind, p.actual_value
    """, [key, year]).df()


def progress_years(con: duckdb.DuckDBPyConnection, key: str) -> list[int]:
    """The years with part-year figures beside the year's targets for an issuer_key, latest first."""
    return [r[0] for r in con.execute(
        "SELECT DISTINCT year FROM progress_to_target WHERE issuer_key = ? ORDER BY year DESC", [key]).fetchall()]


def progress_issuers(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The issuers (or regions) with any part-year figure beside a target,
    most rows first; documents without either as `document <doc_id prefix>`."""
    return [r[0] for r in con.execute("""
        SELECT CASE WHEN starts_with(issuer_key, 'document ') THEN issuer_key[:21] ELSE issuer_key END
        FROM progress_to_target GROUP BY issuer_key ORDER BY count(*) DESC, issuer_key
    """).fetchall()]


# --- the regions page: one indicator across the regions of a level ----------------------------

REGION_FIGURE_COLUMNS = ["region", "region_code", *FIGURE_COLUMNS]


def region_figures(con: duckdb.DuckDBPyConnection, level: str, key: str) -> pd.DataFrame:
    """Every series figure of indicator `key` stated for a region of `level`;
    `issuer` is the region's name (the issuer's where the region has none),
    so that the charts draw one series per region."""
    return con.execute("""
        SELECT coalesce(s.region, s.issuer, '(region not named)') AS region, s.region_code,
               s.indicator_key, s.measure, s.kind, s.period_label, s.period_start, s.period_end,
               s.value, s.value_low, s.value_high, s.bound, s.unit, s.value_base, s.base_unit,
               s.indicator, s.mention, s.sentence, s.doc_id, s.doc_title, d.year AS doc_year, FALSE AS masked,
               coalesce(s.region, s.issuer, '(region not named)') AS issuer, s.span, s.year
        FROM metric_series s JOIN documents d USING (doc_id)
        WHERE s.region_level = ? AND s.indicator_key = ?
        ORDER BY s.region_code NULLS LAST, 1, s.measure, s.period_start, s.period_end, s.kind
    """, [level, key]).df()


def region_levels(con: duckdb.DuckDBPyConnection, key: str | None) -> list[tuple[str, int]]:
    """(region_level, regions with figures [of `key`]), most regions first."""
    return con.execute("""
        SELECT region_level, count(DISTINCT coalesce(region_code, region, issuer)) AS regions
        FROM metric_series
        WHERE region_level IS NOT NULL AND (? IS NULL OR indicator_key = ?)
        GROUP BY region_level ORDER BY regions DESC, count(*) DESC, region_level
    """, [key, key]).fetchall()


def region_indicators(con: duckdb.DuckDBPyConnection, level: str) -> list[tuple[str, int]]:
    """(indicator_key, regions stating it) for a level, most regions first."""
    return con.execute("""
        SELECT indicator_key, count(DISTINCT coalesce(region_code, region, issuer)) AS regions
        FROM metric_series WHERE region_level = ?
        GROUP BY indicator_key ORDER BY regions DESC, count(*) DESC, indicator_key
    """, [level]).fetchall()
