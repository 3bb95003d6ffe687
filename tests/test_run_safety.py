"""Crash safety and one writer at a time (issue 4, acceptance 3 and 4).

Runs go to one real Prefect server started for this module (so each run is
quick), with batches of one file so a run commits many times.
"""

from __future__ import annotations

import os
import re
import signal
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

from conftest import SAMPLE_REPORTS, SAMPLE_SPEECH
from flows.lock import LOCK_NAME
from prefect_server import (PrefectServer, kill_marked, processes_with_marker, speech_etl_command, start, stop,
                            write_speech_variants)
from warehouse.lake import COMMITS, Lake

pytestmark = pytest.mark.slow

# columns that name the run or the moment, not the data
VOLATILE = {"run_id", "ingested_at", "seen_at"}
DATA_TABLES = ("documents", "sections", "metrics", "terms", "rejects")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    marker = f"safety-{uuid.uuid4().hex}"
    try:
        with PrefectServer(tmp_path_factory.mktemp("prefect-home"), marker) as srv:
            yield srv
    finally:
        kill_marked(marker)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    write_speech_variants(folder / "speeches", 14, SAMPLE_SPEECH)
    shutil.copy(SAMPLE_REPORTS, folder)
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)  # a reject
    return folder


def ingest_args(inbox: Path, warehouse: Path) -> list[str]:
    return speech_etl_command("ingest", str(inbox), "--warehouse", str(warehouse))


def run_ingest(server: PrefectServer, inbox: Path, warehouse: Path, log: Path) -> str:
    proc = start(ingest_args(inbox, warehouse), server.env(SPEECH_ETL_BATCH_FILES="1"), log)
    try:
        assert proc.wait(300) == 0, log.read_text(errors="replace")[-4000:]
    finally:
        stop(proc)
    return log.read_text(errors="replace")


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Each data table as a sorted list of rows without run-specific columns; the
    latest record of each source file; the rows the runs say they wrote."""
    out = {}
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        for table in DATA_TABLES:
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table]).fetchall() if c not in VOLATILE]
            rows = con.execute(f'SELECT {", ".join(columns)} FROM "{table}"').fetchall()
            out[table] = sorted(rows, key=repr)
        out["sources"] = sorted(con.execute("""
            SELECT source_path, size, mtime_ns, content_sha256, status, doc_ids FROM sources
            QUALIFY row_number() OVER (PARTITION BY source_path ORDER BY seen_at DESC, run_id DESC) = 1
        """).fetchall(), key=repr)
        out["runs_written"] = con.execute("""
            SELECT sum(documents_written), sum(sections_written), sum(metrics_written), sum(terms_written),
                   sum(rejects_written) FROM runs""").fetchall()
    return out


def assert_no_orphans(warehouse: Path) -> None:
    lake = Lake(warehouse / "lake")
    named = {str(lake.root / f) for c in lake.commits() for f in c.files.values()}
    on_disk = {str(p) for p in lake.root.rglob("*") if p.is_file() and p.parent.name != COMMITS}
    assert on_disk == named, f"files no commit names: {sorted(on_disk - named)}"
    assert not [p for p in lake.root.rglob(".tmp-*")]
    assert not list(warehouse.glob(".warehouse.duckdb.*"))


@pytest.fixture(scope="module")
def clean(server, inbox, tmp_path_factory) -> dict[str, list[tuple]]:
    warehouse = tmp_path_factory.mktemp("clean") / "warehouse"
    run_ingest(server, inbox, warehouse, warehouse.parent / "clean.log")
    result = snapshot(warehouse)
    assert len(result["documents"]) == 14 + 7
    assert [r[2] for r in result["rejects"]] == ["binary"]
    return result


def plan_line(output: str) -> tuple[int, int, int]:
    """(files seen, to read, unchanged) from the run's log."""
    seen, to_read, unchanged = re.search(r"(\d+) files: (\d+) to read, (\d+) unchanged", output).groups()
    return int(seen), int(to_read), int(unchanged)


def _first_batch_committed(warehouse: Path) -> bool:
    folder = warehouse / "lake" / COMMITS
    return folder.is_dir() and any(e.name.endswith(".json") and not e.name.startswith(".")
                                   for e in os.scandir(folder))


def _database_being_built(warehouse: Path) -> bool:
    return warehouse.is_dir() and any(e.name.startswith(".warehouse.duckdb.") for e in os.scandir(warehouse))


KILL_POINTS = {
    "after the first batch commit": _first_batch_committed,
    "while the database is being built": _database_being_built,
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_then_rerun_equals_a_clean_run(server, inbox, clean, tmp_path, point):
    warehouse = tmp_path / "warehouse"
    log = tmp_path / "killed.log"
    proc = start(ingest_args(inbox, warehouse), server.env(SPEECH_ETL_BATCH_FILES="1"), log)
    hit = False
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if KILL_POINTS[point](warehouse):
                os.killpg(proc.pid, signal.SIGKILL)
                hit = True
                break
            time.sleep(0.002)
        proc.wait(60)
    finally:
        stop(proc)
    assert hit, f"the run ended before reaching the kill point:\n{log.read_text(errors='replace')[-3000:]}"
    assert proc.returncode == -signal.SIGKILL

    # what the killed run published is still there: its committed batches
    committed_before = {c.name for c in Lake(warehouse / "lake").commits()}
    assert committed_before

    out = run_ingest(server, inbox, warehouse, tmp_path / "rerun.log")
    assert committed_before <= {c.name for c in Lake(warehouse / "lake").commits()}
    assert snapshot(warehouse) == clean
    assert_no_orphans(warehouse)
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        unfinished = con.execute("SELECT count(*) FROM runs WHERE finished_at IS NULL").fetchone()[0]
    # the killed run is in the runs table once it had committed anything
    assert unfinished == (1 if point == "after the first batch commit" else 0)
    seen, to_read, unchanged = plan_line(out)
    if point == "after the first batch commit":
        # the rerun skipped what the killed run had committed and read the rest
        assert unchanged >= 1 and to_read == seen - unchanged and to_read >= 1
    else:
        # every batch was committed before the kill: nothing left to read, only the build
        assert (to_read, unchanged) == (0, seen)


def test_two_runs_at_once_write_one_at_a_time(server, inbox, clean, tmp_path):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    # hold the lock while both start, so both really run into each other
    holder = FileLock(str(warehouse / LOCK_NAME))
    holder.acquire()
    procs = []
    try:
        procs = [start(ingest_args(inbox, warehouse), server.env(SPEECH_ETL_BATCH_FILES="1"), log) for log in logs]
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if all("waiting for it to finish" in log.read_text(errors="replace") for log in logs):
                break
            assert all(p.poll() is None for p in procs), [log.read_text(errors="replace")[-3000:] for log in logs]
            time.sleep(0.5)
        else:
            raise AssertionError("the runs did not wait for the lock")
        assert not (warehouse / "lake").exists()  # nobody wrote while the lock was held
        holder.release()
        for proc, log in zip(procs, logs):
            assert proc.wait(300) == 0, log.read_text(errors="replace")[-4000:]
    finally:
        if holder.is_locked:
            holder.release()
        for proc in procs:
            stop(proc)
    outputs = [log.read_text(errors="replace") for log in logs]
    # exactly one run wrote; the other, once it had the lock, found everything unchanged
    plans = sorted(plan_line(o) for o in outputs)
    seen = plans[0][0]
    assert plans == [(seen, 0, seen), (seen, seen, 0)], outputs
    run_ids = {c.name.rsplit("-", 1)[0] for c in Lake(warehouse / "lake").commits()}
    assert len(run_ids) == 1
    assert snapshot(warehouse) == clean
    assert_no_orphans(warehouse)
