"""The Parquet lake: the warehouse's record.

Layout under the lake's root (`DIR/lake/` by default, or any fsspec URL given
with `--lake`; warehouse/storage.py):

    <table>/<run_id>-<batch>.parquet   rows a batch added (zstd)
    _commits/<run_id>-<batch>.json      the batch's manifest, written last

A batch counts only once its manifest exists. Each file appears whole or not
at all (renamed into place in a folder; a completed upload on an object
store), so a run killed at any point leaves either a whole batch or nothing
that counts; files no manifest names are orphans, ignored by readers and
removed by the next run. No file is ever changed once written: dropping rows
from a batch's file writes a new file, which the manifest names instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from warehouse import schema
from warehouse.storage import TEMPORARY_PREFIX, LakeLocationError, NewFile, open_store

COMMITS = "_commits"
LOCATION_FILE = "lake.json"  # in the warehouse folder, when the lake is not DIR/lake


@dataclass(frozen=True)
class Commit:
    name: str  # <run_id>-<batch>; sorts in commit order
    seq: int  # position in commit order
    files: dict[str, str]  # table -> path relative to the lake root
    retired: tuple[str, ...]  # doc_ids whose earlier rows no longer count


@dataclass
class SourceState:
    size: int
    mtime_ns: int
    content_sha256: str
    status: str
    doc_ids: list[str]


@dataclass
class LakeState:
    """What the committed lake knows, for planning an incremental run."""

    sources: dict[str, SourceState] = field(default_factory=dict)  # latest per path
    live_doc_ids: set[str] = field(default_factory=set)


class DamagedLakeError(Exception):
    """A committed lake file that cannot be read; the message is one line."""


def unreadable_message(url: str, exc: Exception) -> str:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (f"the lake at {url} has a committed file that cannot be read ({reason}); move that file and "
            f"the manifest in {COMMITS}/ that names it out of the lake to drop that batch, then run again")


class BatchWriter:
    """One batch's Parquet files, written table by table in chunks (one row
    group per `write`); `close` finishes them as `<table>/<batch>.parquet`.
    Until a manifest names them they are orphans: ignored by readers,
    removed by the next run."""

    def __init__(self, store, name: str):
        self.store = store
        self.name = name
        self.counts: dict[str, int] = {}
        self._open: dict[str, tuple[pq.ParquetWriter, NewFile]] = {}

    def write(self, table: str, data: pa.Table) -> None:
        self.counts[table] = self.counts.get(table, 0) + data.num_rows
        if data.num_rows == 0:
            return
        target_schema = schema.LAKE_TABLES[table]
        if table not in self._open:
            new = self.store.create(f"{table}/{self.name}.parquet")
            self._open[table] = (pq.ParquetWriter(new.file, target_schema, compression="zstd"), new)
        self._open[table][0].write_table(data.cast(target_schema))

    def close(self) -> dict[str, str]:
        """Finish the files; table -> path relative to the lake root."""
        files = {}
        for table in list(self._open):
            writer, new = self._open[table]
            writer.close()
            new.publish()  # the file appears under its name
            del self._open[table]
            files[table] = f"{table}/{self.name}.parquet"
        return files

    def abort(self) -> None:
        for writer, new in self._open.values():
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - the file is thrown away anyway
                pass
            new.discard()
        self._open.clear()


class Lake:
    """The lake at `location`: a folder (Path or str) or an fsspec URL."""

    def __init__(self, location: str | Path):
        self.store = open_store(location)
        self.url = self.store.url  # what workers are given to open the same lake
        self.root: Path | None = self.store.root  # the folder of a local lake, else None

    @property
    def is_local(self) -> bool:
        return self.store.is_local

    def folders(self) -> list[Path]:
        """The local folder the lake occupies (none for a remote lake): input
        discovery leaves it out, as it leaves out the warehouse folder."""
        return [self.root] if self.root is not None else []

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection that can read the lake's files."""
        con = duckdb.connect()
        self.store.register(con)
        return con

    def uri(self, relative: str) -> str:
        return self.store.uri(relative)

    def query(self, sql: str, files: list[str]) -> list[tuple]:
        """Rows of `sql` over the lake files `files` (its one parameter)."""
        con = self.connect()
        try:
            return con.execute(sql, [files]).fetchall()
        except duckdb.Error as exc:
            raise DamagedLakeError(unreadable_message(self.url, exc)) from None
        finally:
            con.close()

    def num_rows(self, relative: str) -> int:
        with self.store.open_input(relative) as fh:
            return pq.read_metadata(fh).num_rows

    # -- writing ---------------------------------------------------------
    def batch_writer(self, name: str) -> BatchWriter:
        """Write one batch's Parquet files (possibly in a worker process); they
        count only once `commit` names them in a manifest."""
        return BatchWriter(self.store, name)

    def write_batch(self, name: str, tables: dict[str, pa.Table], retired: list[str] | None = None) -> dict[str, int]:
        """Write one batch's tables and commit them; returns rows per table."""
        writer = self.batch_writer(name)
        try:
            for table, data in tables.items():
                writer.write(table, data)
            files = writer.close()
        except BaseException:
            writer.abort()
            raise
        self.commit(name, files, retired)
        return {table: writer.counts.get(table, 0) for table in tables}

    def commit(self, name: str, files: dict[str, str], retired: list[str] | None = None,
               drop_doc_ids: set[str] | None = None) -> dict[str, str]:
        """Commit a batch: its files (table -> path relative to the lake root,
        written by a `BatchWriter`) count from now on; earlier rows of the
        `retired` doc_ids stop counting. Rows of `drop_doc_ids` (documents an
        earlier batch or commit already holds) are first removed from the
        batch's files: the rows kept are written to a new file
        (`<batch>-kept.parquet`), which the manifest names, and the batch's
        file is deleted once the manifest is written, so each document is
        written once and a retried commit finds the batch's files as they
        were. Returns the files committed."""
        files = dict(files)
        replaced: list[str] = []
        if drop_doc_ids:
            drop = pa.array(sorted(drop_doc_ids), pa.string())
            for table in schema.DOCUMENT_TABLES:
                if table not in files:
                    continue
                with self.store.open_input(files[table]) as fh:
                    data = pq.read_table(fh)
                kept = data.filter(pc.invert(pc.is_in(data.column("doc_id"), value_set=drop)))
                if kept.num_rows == data.num_rows:
                    continue
                replaced.append(files.pop(table))
                if kept.num_rows:
                    files[table] = f"{table}/{name}-kept.parquet"
                    with self.store.output(files[table]) as fh:
                        pq.write_table(kept.cast(schema.LAKE_TABLES[table]), fh, compression="zstd")
        if files or retired:
            manifest = {"name": name, "files": files, "retired": sorted(set(retired or []))}
            with self.store.output(f"{COMMITS}/{name}.json") as fh:
                fh.write(json.dumps(manifest, ensure_ascii=False).encode())
        for path in replaced:  # no manifest names them; one left behind is an orphan, removed by the next run
            try:
                self.store.delete(path)
            except OSError:
                pass
        return files

    # -- reading ---------------------------------------------------------
    def commits(self) -> list[Commit]:
        names = sorted(n for n in self.store.names(COMMITS) if n.endswith(".json") and not n.startswith("."))
        result = []
        for seq, file_name in enumerate(names):
            try:
                manifest = json.loads(self.store.read_bytes(f"{COMMITS}/{file_name}").decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
                raise DamagedLakeError(f"the lake's commit manifest {self.uri(f'{COMMITS}/{file_name}')} "
                                       f"is not valid JSON ({exc}); move it out of {COMMITS}/ to drop that "
                                       "batch, then run again") from None
            result.append(Commit(manifest["name"], seq, manifest["files"], tuple(manifest.get("retired", ()))))
        return result

    def files(self, table: str, commits: list[Commit] | None = None) -> list[tuple[str, int]]:
        """(URI DuckDB reads, commit seq) of a table's committed files; a
        local lake's URIs are absolute paths."""
        return [
            (self.uri(c.files[table]), c.seq)
            for c in (commits if commits is not None else self.commits())
            if table in c.files
        ]

    def state(self) -> LakeState:
        commits = self.commits()
        state = LakeState()
        source_files = self.files("sources", commits)
        if source_files:
            rows = self.query(
                """
                SELECT source_path, size, mtime_ns, content_sha256, status, doc_ids
                FROM read_parquet(?)
                QUALIFY row_number() OVER (PARTITION BY source_path ORDER BY seen_at DESC, run_id DESC) = 1
                """,
                [path for path, _ in source_files],
            )
            for path, size, mtime_ns, sha, status, doc_ids in rows:
                state.sources[path] = SourceState(size, mtime_ns, sha, status, list(doc_ids or []))
        state.live_doc_ids = self.live_doc_ids(commits)
        return state

    def live_doc_ids(self, commits: list[Commit]) -> set[str]:
        """doc_ids with committed rows not retired by a later commit."""
        files = self.files("documents", commits)
        if not files:
            return set()
        retired_at: dict[str, int] = {}
        for commit in commits:
            for doc_id in commit.retired:
                retired_at[doc_id] = commit.seq
        rows = self.query("SELECT doc_id, filename FROM read_parquet(?, filename = true)", [p for p, _ in files])
        seq_of = dict(files)
        return {doc_id for doc_id, fname in rows if retired_at.get(doc_id, -1) < seq_of[fname]}

    # -- housekeeping ----------------------------------------------------
    def remove_orphans(self) -> list[str]:
        """Delete Parquet files and temporaries no commit names (a killed run's
        leftovers); returns their URIs. Call only while holding the warehouse lock."""
        if not self.store.exists():
            return []
        named = {f for c in self.commits() for f in c.files.values()}
        removed = []
        for folder in [*schema.LAKE_TABLES, COMMITS]:
            for file_name in self.store.names(folder):
                relative = f"{folder}/{file_name}"
                orphan = file_name.startswith(TEMPORARY_PREFIX) or (
                    file_name.endswith(".parquet") and relative not in named)
                if orphan:
                    self.store.delete(relative)
                    removed.append(self.uri(relative))
        return removed


# -- where a warehouse's lake lives ----------------------------------------
def default_lake(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / "lake"


def recorded_lake(warehouse_dir: Path) -> str | None:
    """The lake URL recorded in `DIR/lake.json`, or None (the lake is DIR/lake)."""
    path = Path(warehouse_dir) / LOCATION_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))["url"]


def _normalized(location: str | Path) -> str:
    text = str(location)
    if text.startswith("file://"):
        text = text.removeprefix("file://")
    if "://" in text:
        return text.rstrip("/")
    return str(Path(text).expanduser().resolve())


def open_lake(warehouse_dir: Path, location: str | Path | None = None, record: bool = False) -> Lake:
    """The lake of the warehouse at `warehouse_dir`.

    Without `location`, the one the warehouse recorded, else `DIR/lake`. A
    `location` must agree with what the warehouse already uses: a warehouse
    built from one lake is never silently rebuilt from another (that would
    empty its tables). With `record`, a new location is written to
    `DIR/lake.json` (call while holding the warehouse lock), so later runs,
    `serve` and the no-op check find it without the option."""
    warehouse_dir = Path(warehouse_dir)
    recorded = recorded_lake(warehouse_dir)
    current = recorded if recorded is not None else str(default_lake(warehouse_dir).resolve())
    if location is None or _normalized(location) == _normalized(current):
        return Lake(current)
    wanted = _normalized(location)
    if recorded is not None:
        raise LakeLocationError(f"the warehouse {warehouse_dir} already uses the lake at {recorded}, not {wanted} "
                                f"(one warehouse, one lake: use another --warehouse folder)")
    if Lake(default_lake(warehouse_dir)).commits():
        raise LakeLocationError(f"the warehouse {warehouse_dir} already has its lake in {default_lake(warehouse_dir)}; "
                                f"use another --warehouse folder for the lake at {wanted}")
    lake = Lake(wanted)
    if record:
        record_lake(warehouse_dir, lake)
    return lake


def record_lake(warehouse_dir: Path, lake: Lake) -> None:
    """Write `lake`'s URL to `DIR/lake.json` (atomically), unless it is the
    default `DIR/lake` or already recorded."""
    warehouse_dir = Path(warehouse_dir)
    if lake.url in (recorded_lake(warehouse_dir), str(default_lake(warehouse_dir).resolve())):
        return
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    tmp = warehouse_dir / f".{LOCATION_FILE}.tmp"
    tmp.write_text(json.dumps({"url": lake.url}) + "\n", encoding="utf-8")
    tmp.replace(warehouse_dir / LOCATION_FILE)
