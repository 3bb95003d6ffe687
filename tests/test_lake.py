"""Batches written by the batch task, committed by the flow: a document read in
two batches (the same text under two paths) is written once; uncommitted
files are orphans."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from conftest import SAMPLE_SPEECH
from flows.files import InputFile
from flows.ingest import process_batch, write_batch
from warehouse.lake import Lake


def _input(path: Path) -> InputFile:
    stat = path.stat()
    return InputFile(str(path), stat.st_size, stat.st_mtime_ns)


def test_a_document_in_two_batches_is_committed_once(tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    shutil.copy(SAMPLE_SPEECH, first)
    shutil.copy(SAMPLE_SPEECH, second)
    lake = Lake(tmp_path / "lake")
    state = lake.state()
    results = [process_batch.fn([_input(p)], {}, "r", str(lake.root), f"r-{n:05d}")
               for n, p in enumerate((first, second), start=1)]
    # each batch task wrote its own document's rows (not committed yet)
    assert all(set(r.files) >= {"documents", "sections", "terms", "sources"} for r in results)
    assert lake.commits() == []
    counts = [write_batch.fn(lake, r, state) for r in results]
    assert counts[0]["documents"] == 1 and counts[0]["terms"] > 0
    # the second batch's copy is dropped at commit: only its source record stays
    assert counts[1]["documents"] == counts[1]["sections"] == counts[1]["terms"] == 0
    assert counts[1]["sources"] == 1
    commits = lake.commits()
    assert set(commits[1].files) == {"sources"}
    assert not (lake.root / "documents" / "r-00002.parquet").exists()
    rows = duckdb.sql(f"SELECT source_path FROM read_parquet('{lake.root}/documents/*.parquet')").fetchall()
    assert rows == [(str(first),)]
    assert pq.read_table(lake.root / commits[1].files["sources"]).column("doc_ids").to_pylist() == \
        pq.read_table(lake.root / commits[0].files["sources"]).column("doc_ids").to_pylist()
    assert lake.remove_orphans() == []


def test_files_no_commit_names_are_orphans(tmp_path):
    path = tmp_path / "a.txt"
    shutil.copy(SAMPLE_SPEECH, path)
    lake = Lake(tmp_path / "lake")
    result = process_batch.fn([_input(path)], {}, "r", str(lake.root), "r-00001")
    written = {lake.root / f for f in result.files.values()}
    assert all(p.exists() for p in written)
    assert lake.state().live_doc_ids == set()  # not committed: readers do not see it
    assert set(lake.remove_orphans()) == {str(p) for p in written}
