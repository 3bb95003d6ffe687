"""The warehouse tables, declared once.

Each table is a pyarrow schema: Parquet files are written with it and the
DuckDB DDL is derived from it, so the lake and the database cannot drift apart.
docs/schema.md documents every column for users.
"""

from __future__ import annotations

import pyarrow as pa

TIMESTAMP = pa.timestamp("us")

DOCUMENTS = pa.schema([
    ("doc_id", pa.string()),
    ("source_path", pa.string()),
    ("source_format", pa.string()),
    ("source_record", pa.int32()),
    ("encoding", pa.string()),
    ("title", pa.string()),
    ("issuer", pa.string()),
    ("region", pa.string()),
    ("doc_type", pa.string()),
    ("delivered_on", pa.date32()),
    ("published_at", TIMESTAMP),
    ("year", pa.int32()),
    ("char_count", pa.int32()),
    ("declared_char_count", pa.int32()),
    ("is_truncated", pa.bool_()),
    ("omitted_chars", pa.int32()),
    ("masked_count", pa.int32()),
    ("run_id", pa.string()),
    ("ingested_at", TIMESTAMP),
    # added to the contract: the cleaned text every offset refers to
    ("text", pa.string()),
    # added for local reports (issue 11): where the date came from, the
    # region's division code and level, the period the document reports on
    ("date_source", pa.string()),
    ("region_code", pa.string()),
    ("region_level", pa.string()),
    ("report_period_start", pa.date32()),
    ("report_period_end", pa.date32()),
    # added for PDF input (issue 15): a PDF's page count, NULL for other formats
    ("pages", pa.int32()),
    # added for hostile inputs (issue 13): characters removed as site chrome, and
    # characters after a footer kept because cutting them would drop much of the text
    ("chrome_removed_chars", pa.int32()),
    ("chrome_kept_chars", pa.int32()),
])

SECTIONS = pa.schema([
    ("doc_id", pa.string()),
    ("section_id", pa.string()),
    ("parent_id", pa.string()),
    ("level", pa.int32()),
    ("ordinal", pa.int32()),
    ("marker", pa.string()),
    ("heading", pa.string()),
    ("path", pa.string()),
    ("role", pa.string()),
    ("char_start", pa.int32()),
    ("char_end", pa.int32()),
    ("text", pa.string()),
])

METRICS = pa.schema([
    ("metric_id", pa.string()),
    ("doc_id", pa.string()),
    ("section_id", pa.string()),
    ("char_start", pa.int32()),
    ("char_end", pa.int32()),
    ("sentence", pa.string()),
    ("mention", pa.string()),
    ("indicator", pa.string()),
    ("indicator_key", pa.string()),
    ("measure", pa.string()),
    ("value", pa.float64()),
    ("value_low", pa.float64()),
    ("value_high", pa.float64()),
    ("bound", pa.string()),
    ("unit", pa.string()),
    ("value_base", pa.float64()),
    ("base_unit", pa.string()),
    ("kind", pa.string()),
    ("period_label", pa.string()),
    ("period_start", pa.date32()),
    ("period_end", pa.date32()),
    ("masked", pa.bool_()),
    ("period_source", pa.string()),
])

TERMS = pa.schema([
    ("doc_id", pa.string()),
    ("section_id", pa.string()),
    ("term", pa.string()),
    ("count", pa.int32()),
])

REJECTS = pa.schema([
    ("source_path", pa.string()),
    ("source_record", pa.int32()),
    ("reason", pa.string()),
    ("detail", pa.string()),
    ("run_id", pa.string()),
    ("seen_at", TIMESTAMP),
])

# Added to the contract: what each run saw of each input file, so the next run
# can skip what has not changed and report what was deleted.
SOURCES = pa.schema([
    ("source_path", pa.string()),
    ("size", pa.int64()),
    ("mtime_ns", pa.int64()),
    ("content_sha256", pa.string()),
    ("status", pa.string()),  # loaded, rejected, deleted
    ("doc_ids", pa.list_(pa.string())),
    ("run_id", pa.string()),
    ("seen_at", TIMESTAMP),
])

RUNS = pa.schema([
    ("run_id", pa.string()),
    ("flow_run_id", pa.string()),
    ("started_at", TIMESTAMP),
    ("finished_at", TIMESTAMP),
    ("files_seen", pa.int32()),
    ("files_new", pa.int32()),
    ("files_unchanged", pa.int32()),
    ("files_rejected", pa.int32()),
    ("files_deleted", pa.int32()),
    ("documents_written", pa.int32()),
    ("sections_written", pa.int32()),
    ("metrics_written", pa.int32()),
    ("terms_written", pa.int32()),
    ("rejects_written", pa.int32()),
])

INDICATOR_CATALOG = pa.schema([
    ("indicator_key", pa.string()),
    ("name_zh", pa.string()),
    ("aliases", pa.list_(pa.string())),
    ("preferred_unit", pa.string()),
])

# Tables whose rows belong to one document (retired together when its source changes).
DOCUMENT_TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "sections": SECTIONS,
    "metrics": METRICS,
    "terms": TERMS,
}
# Tables the lake holds (the record).
LAKE_TABLES: dict[str, pa.Schema] = {
    **DOCUMENT_TABLES,
    "rejects": REJECTS,
    "sources": SOURCES,
    "runs": RUNS,
}

_DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.date32(): "DATE",
    TIMESTAMP: "TIMESTAMP",
    pa.list_(pa.string()): "VARCHAR[]",
}


def duckdb_type(arrow_type: pa.DataType) -> str:
    return _DUCKDB_TYPES[arrow_type]


def create_table_sql(name: str, schema: pa.Schema) -> str:
    columns = ",\n  ".join(f'"{f.name}" {duckdb_type(f.type)}' for f in schema)
    return f'CREATE TABLE "{name}" (\n  {columns}\n)'


def select_list(schema: pa.Schema, present: set[str] | None = None) -> str:
    """Columns cast to the declared types (Parquet files of older runs may lack
    a column added later: union_by_name fills it with NULL when some file has
    it; a column no file has is NULL when `present`, the files' columns, is given)."""
    def source(name: str) -> str:
        return f'"{name}"' if present is None or name in present else "NULL"

    return ", ".join(f'CAST({source(f.name)} AS {duckdb_type(f.type)}) AS "{f.name}"' for f in schema)
