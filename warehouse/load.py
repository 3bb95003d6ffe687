"""Build `DIR/warehouse.duckdb` from the committed lake and publish it atomically.

The new database is built beside the old one and renamed over it, so a reader
with the old file open keeps a consistent view until it reconnects, and a
build that fails half-way leaves the previous warehouse untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from importlib import resources
from collections.abc import Callable
from pathlib import Path

import duckdb

from warehouse import schema
from warehouse.lake import Commit, DamagedLakeError, Lake, open_lake, unreadable_message

DATABASE = "warehouse.duckdb"
# Views and macros, in dependency order; each is warehouse/sql/<name>.sql.
# The build's memory: DuckDB spills to a temporary folder beside the new file
# beyond this, so the run's peak memory does not grow with the lake.
BUILD_MEMORY_LIMIT = os.environ.get("SPEECH_ETL_DUCKDB_MEMORY", "500MB")
BUILD_THREADS = int(os.environ.get("SPEECH_ETL_DUCKDB_THREADS", "2"))
VIEWS = ("metric_series", "target_vs_actual", "period_compare", "kwic", "term_trend", "figure_history")


def database_path(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / DATABASE


def _sql(name: str) -> str:
    return (resources.files("warehouse") / "sql" / f"{name}.sql").read_text(encoding="utf-8")


def _fingerprint(commits: list[Commit], catalog: list[dict] | str) -> str:
    # the tables' columns too: a warehouse built before a column was added is
    # rebuilt by the next run (the lake's older files give NULL in it)
    tables = {name: [f.name for f in s] for name, s in schema.LAKE_TABLES.items()}
    return json.dumps({"commits": [c.name for c in commits], "catalog": catalog, "views": [_sql(v) for v in VIEWS],
                       "tables": tables}, ensure_ascii=False, sort_keys=True, default=str)


def built_from(db_path: Path) -> str | None:
    """The fingerprint a warehouse file was built from, or None."""
    if not db_path.exists():
        return None
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            return con.execute("SELECT fingerprint FROM _build").fetchone()[0]
    except duckdb.Error:
        return None


def is_current(warehouse_dir: Path, catalog_key: str, lake: Lake | None = None) -> bool:
    """Whether the warehouse file was built from the lake (default: the
    warehouse's own) as it is now and the catalog whose key is `catalog_key`
    (the test `build` makes)."""
    commits = (lake or open_lake(Path(warehouse_dir))).commits()
    return built_from(database_path(Path(warehouse_dir))) == _fingerprint(commits, catalog_key)


def _load_table(con: duckdb.DuckDBPyConnection, lake: Lake, commits: list[Commit], name: str,
                filter_retired: bool) -> None:
    table_schema = schema.LAKE_TABLES[name]
    con.execute(schema.create_table_sql(name, table_schema))
    files = lake.files(name, commits)
    if not files:
        return
    paths = [path for path, _ in files]
    # columns added after the lake's files were written are NULL for their rows
    present = {row[0] for row in con.execute(
        "DESCRIBE SELECT * FROM read_parquet(?, union_by_name = true)", [paths]).fetchall()}
    if name in schema.DOCUMENT_TABLES and filter_retired:
        # rows of a document count until a later commit retires it
        query = f"""
            INSERT INTO "{name}"
            SELECT {schema.select_list(table_schema, present)}
            FROM read_parquet(?, filename = true, union_by_name = true) AS d
            JOIN _lake_files f ON f.file = d.filename
            WHERE NOT EXISTS (SELECT 1 FROM _retired r WHERE r.doc_id = d.doc_id AND r.seq > f.seq)
        """
    else:  # nothing retired: every committed row counts (no per-row file-name join)
        query = f"""INSERT INTO "{name}" SELECT {schema.select_list(table_schema, present)}
                    FROM read_parquet(?, union_by_name = true)"""
    con.execute(query, [paths])


def remove_leftovers(warehouse_dir: Path) -> list[Path]:
    """Delete half-built databases a killed run left beside the warehouse file.
    Call only while holding the warehouse lock."""
    removed = []
    for path in Path(warehouse_dir).glob(f".{DATABASE}.*.tmp*"):
        if path.is_dir():  # the build's spill folder
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def build(warehouse_dir: Path, catalog: list[dict] | Callable[[], list[dict]], force: bool = False,
          catalog_key: str | None = None) -> bool:
    """Rebuild the DuckDB file when the lake or the catalog changed; True if rebuilt.

    `catalog` is the indicator catalog's rows, or a function returning them,
    called only when a rebuild is needed; `catalog_key` (e.g. a hash of the
    catalog file) then stands for it in the fingerprint, so a run with nothing
    new decides without loading it."""
    warehouse_dir = Path(warehouse_dir)
    lake = open_lake(warehouse_dir)
    commits = lake.commits()
    target = database_path(warehouse_dir)
    if catalog_key is None and callable(catalog):
        catalog = catalog()
    fingerprint = _fingerprint(commits, catalog_key if catalog_key is not None else catalog)
    if not force and built_from(target) == fingerprint:  # the test is_current makes
        return False
    if callable(catalog):
        catalog = catalog()
    tmp = warehouse_dir / f".{DATABASE}.{uuid.uuid4().hex}.tmp"
    try:
        con = duckdb.connect(str(tmp), config={"memory_limit": BUILD_MEMORY_LIMIT, "threads": BUILD_THREADS,
                                                "temp_directory": f"{tmp}.spill"})
        lake.store.register(con)  # a lake at an fsspec URL is read through fsspec
        retired = [(doc_id, c.seq) for c in commits for doc_id in c.retired]
        if retired:  # which file each row came from matters only when a later commit retires its document
            con.execute("CREATE TEMP TABLE _lake_files (file VARCHAR, seq INTEGER)")
            con.execute("CREATE TEMP TABLE _retired (doc_id VARCHAR, seq INTEGER)")
            for name in schema.DOCUMENT_TABLES:
                files = lake.files(name, commits)
                if files:
                    con.executemany("INSERT INTO _lake_files VALUES (?, ?)", files)
            con.executemany("INSERT INTO _retired VALUES (?, ?)", retired)
        for name in schema.LAKE_TABLES:
            try:
                _load_table(con, lake, commits, name, filter_retired=bool(retired))
            except duckdb.InvalidInputException as exc:  # a damaged file (not our SQL, nor a full disk)
                raise DamagedLakeError(unreadable_message(lake.url, exc)) from None
        con.execute(schema.create_table_sql("indicator_catalog", schema.INDICATOR_CATALOG))
        if catalog:
            con.executemany(
                "INSERT INTO indicator_catalog VALUES (?, ?, ?, ?)",
                [(c["indicator_key"], c["name_zh"], list(c.get("aliases") or []), c.get("preferred_unit"))
                 for c in catalog],
            )
        for view in VIEWS:
            con.execute(_sql(view))
        con.execute("CREATE TABLE _build (fingerprint VARCHAR, built_at TIMESTAMP DEFAULT current_timestamp)")
        con.execute("INSERT INTO _build (fingerprint) VALUES (?)", [fingerprint])
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, target)  # the publish: readers see the old file or the new one
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(f"{tmp}.spill", ignore_errors=True)
    return True
