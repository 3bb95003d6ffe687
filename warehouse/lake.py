"""The Parquet lake: the warehouse's record.

Layout under `DIR/lake/`:

    <table>/<run_id>-<batch>.parquet   rows a batch added (zstd)
    _commits/<run_id>-<batch>.json      the batch's manifest, written last

A batch counts only once its manifest exists. Files and manifests are written
under a temporary name and renamed into place, so a run killed at any point
leaves either a whole batch or nothing that counts; files no manifest names
are orphans, ignored by readers and removed by the next run.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from warehouse import schema

COMMITS = "_commits"


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


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class BatchWriter:
    """One batch's Parquet files, written table by table in chunks (one row
    group per `write`), each under a temporary name (`.tmp-*`) until `close`
    renames it to `<table>/<batch>.parquet`. Until a manifest names them they
    are orphans: ignored by readers, removed by the next run."""

    def __init__(self, root: Path, name: str):
        self.root = Path(root)
        self.name = name
        self.counts: dict[str, int] = {}
        self._open: dict[str, tuple[pq.ParquetWriter, Path]] = {}

    def write(self, table: str, data: pa.Table) -> None:
        self.counts[table] = self.counts.get(table, 0) + data.num_rows
        if data.num_rows == 0:
            return
        target_schema = schema.LAKE_TABLES[table]
        if table not in self._open:
            folder = self.root / table
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".tmp-{uuid.uuid4().hex}-{self.name}.parquet"
            self._open[table] = (pq.ParquetWriter(tmp, target_schema, compression="zstd"), tmp)
        self._open[table][0].write_table(data.cast(target_schema))

    def close(self) -> dict[str, str]:
        """Finish the files and rename them into place; table -> path relative to the lake root."""
        files = {}
        for table, (writer, tmp) in self._open.items():
            writer.close()
            os.replace(tmp, tmp.with_name(f"{self.name}.parquet"))
            files[table] = f"{table}/{self.name}.parquet"
        self._open.clear()
        return files

    def abort(self) -> None:
        for writer, tmp in self._open.values():
            try:
                writer.close()
            finally:
                tmp.unlink(missing_ok=True)
        self._open.clear()


class Lake:
    def __init__(self, root: Path):
        self.root = Path(root)

    # -- writing ---------------------------------------------------------
    def batch_writer(self, name: str) -> "BatchWriter":
        """Write one batch's Parquet files (possibly in a worker process); they
        count only once `commit` names them in a manifest."""
        return BatchWriter(self.root, name)

    def write_batch(self, name: str, tables: dict[str, pa.Table], retired: list[str] | None = None) -> dict[str, int]:
        """Write one batch's tables and commit them; returns rows per table."""
        writer = self.batch_writer(name)
        for table, data in tables.items():
            writer.write(table, data)
        files = writer.close()
        self.commit(name, files, retired)
        return {table: writer.counts.get(table, 0) for table in tables}

    def commit(self, name: str, files: dict[str, str], retired: list[str] | None = None,
               drop_doc_ids: set[str] | None = None) -> dict[str, str]:
        """Commit a batch: its files (table -> path relative to the lake root,
        written by a `BatchWriter`) count from now on; earlier rows of the
        `retired` doc_ids stop counting. Rows of `drop_doc_ids` (documents an
        earlier batch or commit already holds) are first removed from the
        batch's files (rewritten under a temporary name and renamed; a file
        left empty is deleted), so each document is written once. Returns
        the files committed."""
        files = dict(files)
        if drop_doc_ids:
            drop = pa.array(sorted(drop_doc_ids), pa.string())
            for table in schema.DOCUMENT_TABLES:
                if table not in files:
                    continue
                path = self.root / files[table]
                data = pq.read_table(path)
                kept = data.filter(pc.invert(pc.is_in(data.column("doc_id"), value_set=drop)))
                if kept.num_rows == data.num_rows:
                    continue
                if kept.num_rows == 0:
                    path.unlink(missing_ok=True)
                    del files[table]
                    continue
                tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
                pq.write_table(kept.cast(schema.LAKE_TABLES[table]), tmp, compression="zstd")
                os.replace(tmp, path)
        if not files and not retired:
            return files
        commits = self.root / COMMITS
        commits.mkdir(parents=True, exist_ok=True)
        manifest = {"name": name, "files": files, "retired": sorted(set(retired or []))}
        _atomic_write_bytes(commits / f"{name}.json", json.dumps(manifest, ensure_ascii=False).encode())
        return files

    # -- reading ---------------------------------------------------------
    def commits(self) -> list[Commit]:
        folder = self.root / COMMITS
        if not folder.is_dir():
            return []
        names = sorted(p.name for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith("."))
        result = []
        for seq, file_name in enumerate(names):
            manifest = json.loads((folder / file_name).read_text(encoding="utf-8"))
            result.append(Commit(manifest["name"], seq, manifest["files"], tuple(manifest.get("retired", ()))))
        return result

    def files(self, table: str, commits: list[Commit] | None = None) -> list[tuple[str, int]]:
        """(absolute path, commit seq) of a table's committed files."""
        return [
            (str(self.root / c.files[table]), c.seq)
            for c in (commits if commits is not None else self.commits())
            if table in c.files
        ]

    def state(self) -> LakeState:
        commits = self.commits()
        state = LakeState()
        source_files = self.files("sources", commits)
        if source_files:
            con = duckdb.connect()
            rows = con.execute(
                """
                SELECT source_path, size, mtime_ns, content_sha256, status, doc_ids
                FROM read_parquet(?)
                QUALIFY row_number() OVER (PARTITION BY source_path ORDER BY seen_at DESC, run_id DESC) = 1
                """,
                [[path for path, _ in source_files]],
            ).fetchall()
            con.close()
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
        con = duckdb.connect()
        rows = con.execute(
            "SELECT doc_id, filename FROM read_parquet(?, filename = true)", [[p for p, _ in files]]
        ).fetchall()
        con.close()
        seq_of = dict(files)
        return {doc_id for doc_id, fname in rows if retired_at.get(doc_id, -1) < seq_of[fname]}

    # -- housekeeping ----------------------------------------------------
    def remove_orphans(self) -> list[Path]:
        """Delete Parquet files and temporaries no commit names (a killed run's
        leftovers). Call only while holding the warehouse lock."""
        if not self.root.is_dir():
            return []
        named = {str(self.root / f) for c in self.commits() for f in c.files.values()}
        removed = []
        for table_dir in [self.root / t for t in schema.LAKE_TABLES] + [self.root / COMMITS]:
            if not table_dir.is_dir():
                continue
            for path in table_dir.iterdir():
                orphan = path.name.startswith(".tmp-") or (path.suffix == ".parquet" and str(path) not in named)
                if orphan:
                    path.unlink(missing_ok=True)
                    removed.append(path)
        return removed
