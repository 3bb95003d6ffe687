"""Crash safety and one writer at a time (issue 4, acceptance 3 and 4).

Runs go to one real Prefect server, the session's (conftest.SESSION_SERVER),
so each run is quick, with batches of one file so a run commits many times.
"""

from __future__ import annotations

import os
import re
import signal
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

from conftest import SAMPLE_REPORTS, SAMPLE_SPEECH, SESSION_SERVER, SessionServerClient
from flows.lock import LOCK_NAME
from prefect_server import kill_marked, speech_etl_command, start, stop, write_speech_variants
from warehouse.lake import COMMITS, Lake

pytestmark = pytest.mark.slow

# columns that name the run or the moment, not the data
VOLATILE = {"run_id", "ingested_at", "seen_at"}
DATA_TABLES = ("documents", "sections", "metrics", "terms", "rejects")
SPEECHES = 4  # small files, a batch each: with the reports and a reject, six commits a run


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The session's Prefect server; this module's runs carry their own marker."""
    marker = f"safety-{uuid.uuid4().hex}"
    try:
        yield SESSION_SERVER.client(tmp_path_factory.mktemp("prefect-home"), marker)
    finally:
        kill_marked(marker)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    write_speech_variants(folder / "speeches", SPEECHES, SAMPLE_SPEECH)
    shutil.copy(SAMPLE_REPORTS, folder)
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)  # a reject
    return folder


def ingest_args(inbox: Path, warehouse: Path) -> list[str]:
    return speech_etl_command("ingest", str(inbox), "--warehouse", str(warehouse))


def run_ingest(server: SessionServerClient, inbox: Path, warehouse: Path, log: Path) -> str:
    proc = start(ingest_args(inbox, warehouse), server.env(SPEECH_ETL_BATCH_FILES="1"), log)
    try:
        assert proc.wait(300) == 0, log.read_text(errors="replace")[-4000:]
    finally:
        stop(proc)
    return log.read_text(errors="replace")


def assert_same_tables(actual: dict[str, list[tuple]], expected: dict[str, list[tuple]]) -> None:
    """Equal snapshots, or a short account of what differs: pytest's own diff of two
    large lists of rows runs difflib over them and can take many minutes."""
    problems = []
    for table in sorted(actual.keys() | expected.keys()):
        got, want = actual.get(table, []), expected.get(table, [])
        if got != want:
            got_rows, want_rows = set(map(repr, got)), set(map(repr, want))  # rows may hold lists
            extra, missing = sorted(got_rows - want_rows), sorted(want_rows - got_rows)
            problems.append(f"{table}: {len(got)} rows, expected {len(want)}; "
                            f"{len(extra)} unexpected, e.g. {extra[:2]!s:.400}; "
                            f"{len(missing)} missing, e.g. {missing[:2]!s:.400}")
    assert not problems, "\n".join(problems)


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
    assert len(result["documents"]) == SPEECHES + 7
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
    assert_same_tables(snapshot(warehouse), clean)
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
    assert_same_tables(snapshot(warehouse), clean)
    assert_no_orphans(warehouse)


def test_incremental_runs_skip_unchanged_read_changed_and_report_deleted(server, inbox, clean, tmp_path):
    folder = tmp_path / "inbox"
    shutil.copytree(inbox, folder)
    warehouse = tmp_path / "warehouse"
    first = run_ingest(server, folder, warehouse, tmp_path / "first.log")
    seen = plan_line(first)[0]
    speeches = sorted((folder / "speeches").iterdir())
    touched, changed, deleted = speeches[0], speeches[1], speeches[2]

    def doc_ids_of(path: Path) -> set[str]:
        with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
            return {d for (d,) in con.execute("SELECT doc_id FROM documents WHERE source_path = ?",
                                               [str(path)]).fetchall()}

    old_changed, old_deleted = doc_ids_of(changed), doc_ids_of(deleted)
    os.utime(touched, ns=(time.time_ns(), time.time_ns() + 10**9))  # only the mtime moves
    changed.write_text(changed.read_text(encoding="utf-8") + "\n会议要求,各区要抓好落实。", encoding="utf-8")
    deleted.unlink()

    second = run_ingest(server, folder, warehouse, tmp_path / "second.log")
    # two files to read (touched, changed); the touched one turns out unchanged by its hash
    assert plan_line(second) == (seen - 1, 2, seen - 3)
    assert "deleted since the last run: " + str(deleted) in second
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        run = con.execute("SELECT flow_run_id, files_seen, files_new, files_unchanged, files_deleted, "
                          "documents_written FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        status = con.execute("SELECT status, doc_ids FROM sources WHERE source_path = ? "
                             "ORDER BY seen_at DESC LIMIT 1", [str(deleted)]).fetchone()
        documents = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert run[1:] == (seen - 1, 1, seen - 2, 1, 1)
    assert status == ("deleted", sorted(old_deleted))
    # the deleted file's rows stay; the changed file's old version is replaced by the new one
    assert doc_ids_of(deleted) == old_deleted
    new_changed = doc_ids_of(changed)
    assert new_changed and not new_changed & old_changed
    assert documents == len(clean["documents"])

    # the run's Prefect artifact reports the deleted file too
    artifacts = server.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run[0]]}}})
    summary = next(a["data"] for a in artifacts if a["type"] == "markdown")
    assert "Deleted since the last run" in summary and str(deleted) in summary

    # a third run on the unchanged folder adds nothing and does not rebuild the database
    inode = (warehouse / "warehouse.duckdb").stat().st_ino
    third = run_ingest(server, folder, warehouse, tmp_path / "third.log")
    # ... decided before any flow run (flows/up_to_date.py): files seen, new/changed, unchanged
    assert "no flow run needed" in third
    row = re.search(r"│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│", third).groups()
    assert tuple(map(int, row)) == (seen - 1, 0, seen - 1)
    assert "Nothing new" in third
    assert (warehouse / "warehouse.duckdb").stat().st_ino == inode


RETRY_SCRIPT = r"""
import sys
from pathlib import Path
from prefect import flow
from flows import ingest
from warehouse.lake import Lake, LakeState

ERRORS = {"io": OSError(5, "Input/output error"), "bad": ValueError("bad input")}
calls = []

class FlakyLake(Lake):
    error = None

    def commit(self, name, files, retired=None, drop_doc_ids=None):
        calls.append(name)
        if len(calls) == 1:
            raise self.error
        return super().commit(name, files, retired, drop_doc_ids)

@flow
def check(lake: str):
    result = ingest.BatchResult(name="r-00001", sources=[{
        "source_path": "/in/a.txt", "size": 1, "mtime_ns": 1, "content_sha256": "x", "status": "rejected",
        "doc_ids": [], "run_id": "r", "seen_at": None}])
    state = ingest.write_batch(FlakyLake(Path(lake)), result, LakeState(), return_state=True)
    return state.type.value  # a plain value: the flow itself completes either way

for kind in sys.argv[2:]:  # each its own flow run and lake, in one process (one start-up)
    calls.clear()
    FlakyLake.error = ERRORS[kind]
    final = check(f"{sys.argv[1]}/{kind}")
    print(kind, "calls", len(calls), "final", final)
"""


def test_transient_io_errors_are_retried_bad_input_is_not(server, tmp_path):
    result = subprocess.run([sys.executable, "-c", RETRY_SCRIPT, str(tmp_path), "io", "bad"],
                            env=server.env(), capture_output=True, text=True, timeout=180)
    assert "io calls 2 final COMPLETED" in result.stdout, result.stdout + result.stderr
    assert "bad calls 1 final FAILED" in result.stdout, result.stdout + result.stderr


def test_a_run_of_many_task_runs_logs_no_telemetry_or_recorder_errors(tmp_path):
    """A plain `speech-etl ingest` (temporary Prefect server) of 60 files in
    batches of one: 121 task runs, and a clean log."""
    inbox = tmp_path / "inbox"
    write_speech_variants(inbox, 60, SAMPLE_SPEECH)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    # --verbose: Prefect's line for each task run, which the log is checked through
    env.update(SPEECH_ETL_BATCH_FILES="1", PREFECT_HOME=str(SESSION_SERVER.prefect_home(tmp_path / "prefect-home")),
               SPEECH_ETL_VERBOSE="1")  # a new Prefect database, migrated already
    result = subprocess.run(ingest_args(inbox, tmp_path / "warehouse"), env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    log = result.stdout + result.stderr
    assert log.count("Task run 'process-batch") + log.count("Task run 'write-batch") >= 120
    assert "Failed to send telemetry" not in log
    assert "task_run_recorder" not in log.lower() and "TaskRunRecorder" not in log
    assert "Traceback" not in log
    assert "Rows added: documents 60" in result.stdout
