"""Build `DIR/warehouse.duckdb` from the committed lake and publish it atomically.

The new database is made beside the old one and renamed over it, so a reader
with the old file open keeps a consistent view until it reconnects, and a
build that fails half-way leaves the previous warehouse untouched. It is made
in proportion to the change: a copy of the published file with the lake's
newer commits added, when the published file was built from the lake's
earlier commits with the same catalog, views and tables; else (and on
request) whole from the lake. Both give the same tables.
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
VIEWS = ("issuer_key", "span_of", "is_quantity", "change_between", "change_pct", "metric_statements", "metric_series",
         "target_vs_actual", "period_compare", "stated_shares", "progress_to_target", "year_over_year", "revisions",
         "kwic", "term_trend", "term_shift", "figure_history")


def database_path(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / DATABASE


def _sql(name: str) -> str:
    return (resources.files("warehouse") / "sql" / f"{name}.sql").read_text(encoding="utf-8")


def _fingerprint(commits: list[Commit], catalog: list[dict] | str) -> str:
    """What a warehouse file is built from: the lake's commits and the inputs
    that shape every table (_build_inputs)."""
    return json.dumps({"commits": [c.name for c in commits], **_build_inputs(catalog)},
                      ensure_ascii=False, sort_keys=True, default=str)


def _build_inputs(catalog: list[dict] | str) -> dict:
    # the tables' columns and types too: a warehouse built before a column was
    # added is rebuilt by the next run (the lake's older files give NULL in it);
    # and DuckDB's version, so a new DuckDB writes its own file format
    tables = {name: [f"{f.name} {schema.duckdb_type(f.type)}" for f in s] for name, s in schema.LAKE_TABLES.items()}
    return {"catalog": catalog, "views": [_sql(v) for v in VIEWS], "tables": tables, "duckdb": duckdb.__version__}


def _published_commits(published: str | None, fingerprint: str) -> int | None:
    """How many of the lake's first commits the published file holds, when it
    was built from those and the same catalog, views and tables (so adding
    the later commits makes it what a build from `fingerprint` makes); else None."""
    try:
        old, new = json.loads(published or ""), json.loads(fingerprint)
    except ValueError:  # no published file, or one from before the fingerprint was JSON
        return None
    old_commits, new_commits = old.pop("commits", None), new.pop("commits")
    if old != new or not isinstance(old_commits, list) or new_commits[:len(old_commits)] != old_commits:
        return None
    return len(old_commits)


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


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The warehouse's tables, empty, and its build record."""
    for name, table_schema in schema.LAKE_TABLES.items():
        con.execute(schema.create_table_sql(name, table_schema))
    con.execute(schema.create_table_sql("indicator_catalog", schema.INDICATOR_CATALOG))
    # commits_added: NULL when the file was built whole from the lake, else how
    # many commits the last publish added to the file published before it
    con.execute("CREATE TABLE _build (fingerprint VARCHAR, built_at TIMESTAMP, commits_added INTEGER)")


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Every table's columns and types: what a published file must have to be
    extended (its views are those of its fingerprint)."""
    return con.execute("""SELECT table_name, column_name, data_type FROM information_schema.columns
                          JOIN information_schema.tables USING (table_catalog, table_schema, table_name)
                          WHERE table_catalog = current_database() AND table_type = 'BASE TABLE'
                          ORDER BY ALL""").fetchall()


def _expected_tables() -> list[tuple]:
    with duckdb.connect() as con:
        _create_tables(con)
        return _tables(con)


def _insert_commits(con: duckdb.DuckDBPyConnection, lake: Lake, commits: list[Commit]) -> None:
    """Insert the rows of `commits` (the lake's commits from some point on, in
    order) into the tables: a document's rows count until a later commit retires it."""
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


def _load_table(con: duckdb.DuckDBPyConnection, lake: Lake, commits: list[Commit], name: str,
                filter_retired: bool) -> None:
    table_schema = schema.LAKE_TABLES[name]
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


def _remove_retired(con: duckdb.DuckDBPyConnection, commits: list[Commit]) -> None:
    """Delete the rows of the documents `commits` retire: every row already in
    the file comes from an earlier commit, so none of them counts any more."""
    doc_ids = sorted({doc_id for c in commits for doc_id in c.retired})
    if doc_ids:
        for name in schema.DOCUMENT_TABLES:
            con.execute(f'DELETE FROM "{name}" WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))', [doc_ids])


def _full_build(con: duckdb.DuckDBPyConnection, lake: Lake, commits: list[Commit], catalog: list[dict]) -> None:
    _create_tables(con)
    _insert_commits(con, lake, commits)
    if catalog:
        con.executemany(
            "INSERT INTO indicator_catalog VALUES (?, ?, ?, ?)",
            [(c["indicator_key"], c["name_zh"], list(c.get("aliases") or []), c.get("preferred_unit"))
             for c in catalog],
        )
    for view in VIEWS:
        con.execute(_sql(view))
    con.execute("INSERT INTO _build VALUES (NULL, current_timestamp, NULL)")


def _extended(published: Path, tmp: Path, lake: Lake, new_commits: list[Commit]) -> duckdb.DuckDBPyConnection | None:
    """A connection to `tmp`, a copy of the published file with `new_commits`
    added; None (the copy closed) when the copy's tables are not the warehouse's."""
    if Path(f"{published}.wal").exists():  # changes written to it directly: the file alone is not the warehouse
        return None
    shutil.copyfile(published, tmp)  # readers of the published file are not disturbed: it is only read
    con = _connect(tmp, lake)
    try:
        if _tables(con) != _expected_tables():
            con.close()
            return None
        _remove_retired(con, new_commits)  # before the insert: a commit may retire a document and add it back
        _insert_commits(con, lake, new_commits)
        con.execute("UPDATE _build SET built_at = current_timestamp, commits_added = ?", [len(new_commits)])
    except duckdb.Error:  # a damaged file: rebuilt whole
        con.close()
        return None
    except BaseException:
        con.close()
        raise
    return con


def _connect(path: Path, lake: Lake) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), config={"memory_limit": BUILD_MEMORY_LIMIT, "threads": BUILD_THREADS,
                                            "temp_directory": f"{path}.spill"})
    lake.store.register(con)  # a lake at an fsspec URL is read through fsspec
    return con


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
    """Publish a new DuckDB file when the lake or the catalog changed; True if published.

    When the published file was built from the lake's first commits and the
    same catalog, views and tables, the new file is a copy of it with the
    later commits added (a run costs what it changed, not what the warehouse
    holds); otherwise, or with `force`, it is built whole from the lake.
    Either way it equals a build from scratch of the same lake.

    `catalog` is the indicator catalog's rows, or a function returning them,
    called only for a build from scratch; `catalog_key` (e.g. a hash of the
    catalog file) then stands for it in the fingerprint, so a run with nothing
    new decides without loading it."""
    warehouse_dir = Path(warehouse_dir)
    lake = open_lake(warehouse_dir)
    commits = lake.commits()
    target = database_path(warehouse_dir)
    if catalog_key is None and callable(catalog):
        catalog = catalog()
    fingerprint = _fingerprint(commits, catalog_key if catalog_key is not None else catalog)
    published = None if force else built_from(target)
    if published == fingerprint:  # the test is_current makes
        return False
    done = _published_commits(published, fingerprint)
    tmp = warehouse_dir / f".{DATABASE}.{uuid.uuid4().hex}.tmp"
    try:
        con = _extended(target, tmp, lake, commits[done:]) if done is not None else None
        if con is None:
            _discard(tmp)
            con = _connect(tmp, lake)
            _full_build(con, lake, commits, catalog() if callable(catalog) else catalog)
        con.execute("UPDATE _build SET fingerprint = ?", [fingerprint])
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, target)  # the publish: readers see the old file or the new one
    finally:
        _discard(tmp)
    return True


def _discard(tmp: Path) -> None:
    for leftover in (tmp, Path(f"{tmp}.wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(f"{tmp}.spill", ignore_errors=True)
