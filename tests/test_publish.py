"""Publishing safely (issue 4, acceptance 2): an analyst's read-only DuckDB
connection, held in another process across a run, neither blocks the run nor
sees a half-loaded warehouse; it keeps the old state until it reconnects.
A build that fails half-way leaves the published warehouse untouched."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import SAMPLE_REPORTS, SAMPLE_SPEECH, cli_env
from warehouse import load
from warehouse.lake import COMMITS, DamagedLakeError

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
