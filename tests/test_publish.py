"""Publishing safely (issue 4, acceptance 2): an analyst's read-only DuckDB
connection, held in another process across a run, neither blocks the run nor
sees a half-loaded warehouse; it keeps the old state until it reconnects.
A build that fails half-way leaves the published warehouse untouched.

Publishing in proportion to the change (issue 14, acceptance 5): a run's new
warehouse file is the published one with the run's commits added, unless it
cannot be extended, and equals a clean build of the same lake either way."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import SAMPLE_REPORTS, SAMPLE_SPEECH, cli_env, query, warehouse_tables
from flows.files import InputFile
from flows.ingest import load_warehouse, process_batch, write_batch
from warehouse import load, records, schema
from warehouse.lake import COMMITS, DamagedLakeError, open_lake

pytestmark = pytest.mark.slow

READER = r"""
import sys, duckdb
db = sys.argv[1]
con = duckdb.connect(db, read_only=True)
def state(con):
    docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    # a consistent snapshot: every section and figure belongs to a document it can see
    dangling = con.execute("SELECT count(*) FROM sections s ANTI JOIN documents d USING (doc_id)").fetchone()[0]
    runs = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    return f"{docs} {dangling} {runs}"
print("before", state(con), flush=True)
for line in sys.stdin:
    if line.strip() == "again":
        print("again", state(con), flush=True)
    elif line.strip() == "reconnect":
        con.close()
        con = duckdb.connect(db, read_only=True)
        print("reconnected", state(con), flush=True)
"""


def ingest(inbox: Path, warehouse: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "speech_etl", "ingest", str(inbox), "--warehouse", str(warehouse)],
                            capture_output=True, text=True, timeout=600, env=cli_env())  # the session's Prefect server
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def ask(reader: subprocess.Popen, command: str) -> str:
    reader.stdin.write(command + "\n")
    reader.stdin.flush()
    return reader.stdout.readline().strip()


def test_reader_in_another_process_keeps_the_old_state_until_it_reconnects(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE_SPEECH, inbox)
    warehouse = tmp_path / "warehouse"
    ingest(inbox, warehouse)
    db = load.database_path(warehouse)
    old_inode = db.stat().st_ino

    reader = subprocess.Popen([sys.executable, "-c", READER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "before 1 0 1"

        # new files arrive; a run completes while the reader holds its connection
        shutil.copy(SAMPLE_REPORTS, inbox)
        result = ingest(inbox, warehouse)
        assert "waiting" not in result.stderr
        assert "Rows added: documents 7" in result.stdout
        assert db.stat().st_ino != old_inode  # a new file was swapped in

        # the held connection still sees the old warehouse, whole
        assert ask(reader, "again") == "again 1 0 1"
        # a new connection (here: the command line) sees the new one
        sql = subprocess.run([sys.executable, "-m", "speech_etl", "sql", "SELECT count(*) AS n FROM documents",
                              "--warehouse", str(warehouse), "--format", "csv"], capture_output=True, text=True)
        assert sql.stdout.splitlines() == ["n", "8"], sql.stderr
        # and so does the reader once it reconnects
        assert ask(reader, "reconnect") == "reconnected 8 0 2"

        # a build that fails half-way (a committed lake file that cannot be read)
        # leaves the published warehouse as it was, and no half-built file behind
        bad = warehouse / "lake" / "documents" / "zzzz-broken.parquet"
        bad.write_bytes(b"not parquet")
        manifest = warehouse / "lake" / COMMITS / "zzzz-broken.json"
        manifest.write_text(json.dumps({"name": "zzzz-broken", "files": {"documents": "documents/zzzz-broken.parquet"},
                                        "retired": []}))
        published = db.stat().st_ino
        with pytest.raises(DamagedLakeError, match="cannot be read"):
            load.build(warehouse, [])
        assert db.stat().st_ino == published
        assert ask(reader, "reconnect") == "reconnected 8 0 2"
        assert not list(warehouse.glob(".warehouse.duckdb.*"))
    finally:
        reader.stdin.close()
        reader.wait(30)
    assert reader.returncode == 0, reader.stderr.read()


# -- publishing in proportion to the change (issue 14) -----------------------
CATALOG = [{"indicator_key": "cases_filed", "name_zh": "立案", "aliases": ["立案数"], "preferred_unit": "件"}]
# the macros of warehouse/sql/, each with arguments its rows depend on (the views are found in the file)
MACRO_CALLS = ("kwic('城市', 5)", "term_trend('城市')", "figure_history('cases_filed', 'level')")


def _commit_run(warehouse: Path, run_id: str, paths: list[Path]) -> None:
    """One run's batch over `paths`, written and committed as the flow does it (without Prefect)."""
    lake = open_lake(warehouse)
    state = lake.state()
    known = {p: (s.content_sha256 if s.status == "loaded" else None, s.doc_ids)
             for p, s in state.sources.items() if s.doc_ids and s.status in ("loaded", "rejected")}
    files = [InputFile(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths]
    result = process_batch.fn(files, {f.stored: known[f.stored] for f in files if f.stored in known},
                              run_id, lake.url, f"{run_id}-00001")
    write_batch.fn(lake, result, state)


def _clean_build(warehouse: Path, folder: Path) -> Path:
    """A warehouse at `folder` built from scratch from `warehouse`'s lake."""
    open_lake(folder, warehouse / "lake", record=True)
    assert load.build(folder, CATALOG, force=True)
    return folder


def _new_commit(warehouse: Path, name: str) -> None:
    """A commit of one rejects row."""
    open_lake(warehouse).write_batch(name, {"rejects": records.table([{
        "source_path": f"/inbox/{name}.txt", "source_record": None, "reason": "empty", "detail": "",
        "run_id": name, "seen_at": None}], schema.REJECTS)})


def _commits_added(warehouse: Path) -> int | None:
    return query(warehouse, "SELECT commits_added FROM _build")[0][0]


def _answers(warehouse: Path) -> dict[str, list]:
    """Every view's rows and the macros' rows for sample arguments."""
    with duckdb.connect(str(load.database_path(warehouse)), read_only=True) as con:
        views = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_type = 'VIEW' ORDER BY 1").fetchall()]
        return {call: sorted(con.execute(f"SELECT * FROM {call}").fetchall(), key=repr)
                for call in [*views, *MACRO_CALLS]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, speech_text) -> tuple[Path, list[tuple], Path]:
    """A warehouse published after each of five runs; per run after the first
    (a build from scratch), what the publish added to the previous file, its
    tables and those of a clean build; the last clean build."""
    root = tmp_path_factory.mktemp("incremental")
    inbox, warehouse = root / "inbox", root / "warehouse"
    inbox.mkdir()
    speech = speech_text
    a, b, empty = inbox / "a.txt", inbox / "b.jsonl", inbox / "empty.txt"
    steps = []

    def publish(run_id: str) -> Path:
        assert load.build(warehouse, CATALOG)
        clean = _clean_build(warehouse, root / f"clean-{run_id}")
        steps.append((run_id, _commits_added(warehouse), warehouse_tables(warehouse), warehouse_tables(clean)))
        return clean

    a.write_text(speech, encoding="utf-8")
    _commit_run(warehouse, "r1", [a])
    assert load.build(warehouse, CATALOG) and _commits_added(warehouse) is None  # the first build
    report = json.loads(SAMPLE_REPORTS.read_text(encoding="utf-8").splitlines()[0])  # 2015: figures unmasked
    b.write_text(json.dumps({**report, "content": report["content"][:6000]}, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    empty.write_bytes(b"")
    _commit_run(warehouse, "r2", [a, b, empty])  # a new document and a rejected file
    publish("r2")
    a.write_text(speech + "\n会后各区要抓好落实。", encoding="utf-8")
    _commit_run(warehouse, "r3", [a])  # a replaced: its old document retired
    publish("r3")
    a.write_text(speech, encoding="utf-8")
    _commit_run(warehouse, "r4", [a])  # a back as it was: the retired document added again, r3's retired
    publish("r4")
    # one commit that retires b's document and adds its rows again (the lake allows it)
    lake = open_lake(warehouse)
    doc_id = query(warehouse, f"SELECT doc_id FROM documents WHERE source_path = '{b}'")[0][0]
    r2 = next(c for c in lake.commits() if c.name == "r2-00001")
    tables = {t: pq.read_table(lake.root / r2.files[t], filters=[("doc_id", "=", doc_id)])
              for t in schema.DOCUMENT_TABLES}
    lake.write_batch("r5-00001", tables, retired=[doc_id])
    return warehouse, steps, publish("r5")


def test_each_publish_adds_only_the_new_commits_and_equals_a_clean_build(runs):
    warehouse, steps, _ = runs
    assert [(run_id, added) for run_id, added, _, _ in steps] == [("r2", 1), ("r3", 1), ("r4", 1), ("r5", 1)]
    for run_id, _, tables, clean in steps:
        assert tables == clean, run_id
    by_run = {run_id: tables for run_id, _, tables, _ in steps}
    assert len(by_run["r2"]["documents"]) == 2 and len(by_run["r2"]["rejects"]) == 1
    assert len(by_run["r3"]["documents"]) == 2  # a's old version retired, its new one in
    assert by_run["r4"]["documents"] == by_run["r2"]["documents"]
    assert by_run["r5"] == by_run["r4"]  # b retired and added again: its rows once


def test_views_answer_after_an_incremental_publish_as_after_a_clean_build(runs):
    warehouse, _, clean = runs
    answers = _answers(warehouse)
    assert answers == _answers(clean)
    assert answers["kwic('城市', 5)"] and answers["term_trend('城市')"] and answers["metric_series"]


def test_a_publish_builds_whole_when_the_published_file_cannot_be_extended(runs, tmp_path):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(runs[0], warehouse)
    assert load.build(warehouse, CATALOG, force=True) and _commits_added(warehouse) is None
    _new_commit(warehouse, "r6-00001")
    assert load.build(warehouse, CATALOG) and _commits_added(warehouse) == 1
    # the lake lost a commit the published file holds: not an extension of it
    (warehouse / "lake" / COMMITS / "r6-00001.json").unlink()
    _new_commit(warehouse, "r7-00001")
    assert load.build(warehouse, CATALOG) and _commits_added(warehouse) is None
    # a table someone added to the published file: not the warehouse's tables
    with duckdb.connect(str(load.database_path(warehouse))) as con:
        con.execute("CREATE TABLE mine AS SELECT 1 AS one")
    _new_commit(warehouse, "r8-00001")
    assert load.build(warehouse, CATALOG) and _commits_added(warehouse) is None
    assert "mine" not in warehouse_tables(warehouse)
    # a damaged published file
    load.database_path(warehouse).write_bytes(b"not a database")
    _new_commit(warehouse, "r9-00001")
    assert load.build(warehouse, CATALOG) and _commits_added(warehouse) is None
    # another catalog (no new commit)
    assert load.build(warehouse, [*CATALOG, {**CATALOG[0], "indicator_key": "other"}])
    assert _commits_added(warehouse) is None
    # a commit whose file cannot be read: the published file stays, nothing half-built is left
    published = load.database_path(warehouse).stat().st_ino
    (warehouse / "lake" / "rejects" / "zzzz-broken.parquet").write_bytes(b"not parquet")
    (warehouse / "lake" / COMMITS / "zzzz-broken.json").write_text(json.dumps(
        {"name": "zzzz-broken", "files": {"rejects": "rejects/zzzz-broken.parquet"}, "retired": []}))
    with pytest.raises(DamagedLakeError, match="cannot be read"):
        load.build(warehouse, [*CATALOG, {**CATALOG[0], "indicator_key": "other"}])
    assert load.database_path(warehouse).stat().st_ino == published
    assert not list(warehouse.glob(".warehouse.duckdb.*"))


def test_the_ingest_flow_builds_whole_when_asked_to_rebuild(runs, tmp_path):
    warehouse = tmp_path / "warehouse"
    shutil.copytree(runs[0], warehouse)
    assert load_warehouse.fn(warehouse)  # the flow's catalog is not the file's: built whole
    _new_commit(warehouse, "r6-00001")
    assert load_warehouse.fn(warehouse) and _commits_added(warehouse) == 1
    assert load_warehouse.fn(warehouse, rebuild=True) and _commits_added(warehouse) is None
    assert not load_warehouse.fn(warehouse)  # current: nothing to publish
