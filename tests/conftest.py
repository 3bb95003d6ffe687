"""Shared fixtures: paths to the shipped samples and the shared dev corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE_SPEECH = SAMPLES / "speeches" / "chengguan_progress_meeting_2020-08-15.txt"
SAMPLE_REPORTS = SAMPLES / "work_reports" / "reports_sample.jsonl"
DEV_REPORTS = SHARED_CORPUS / "work_reports" / "government_work_reports_1954_2015.jsonl"


def _reports(path: Path) -> dict[str, dict]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        out[record["year"] or record["title"]] = record
    return out


@pytest.fixture(scope="session")
def dev_reports() -> dict[str, dict]:
    """The 1954-2015 work reports by year (resolutions by title); skips without ../shared."""
    if not DEV_REPORTS.exists():
        pytest.skip(f"the shared dev corpus is not at {DEV_REPORTS}")
    return _reports(DEV_REPORTS)


@pytest.fixture(scope="session")
def sample_reports() -> dict[str, dict]:
    return _reports(SAMPLE_REPORTS)


@pytest.fixture(scope="session")
def speech_text() -> str:
    return SAMPLE_SPEECH.read_text(encoding="utf-8")


def speech_etl(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the `speech-etl` command line as a user would (a fresh process)."""
    result = subprocess.run([sys.executable, "-m", "speech_etl", *args], capture_output=True, text=True,
                            timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def query(warehouse: Path, sql: str) -> list[tuple]:
    """Rows of one read-only query on a warehouse."""
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="session")
def dev_warehouse(tmp_path_factory) -> Path:
    """The dev corpus ingested once, shared by the tests that only read it."""
    if not DEV_REPORTS.exists():
        pytest.skip(f"the shared dev corpus is not at {DEV_REPORTS}")
    warehouse = tmp_path_factory.mktemp("dev") / "w"
    speech_etl("ingest", str(SHARED_CORPUS), "--warehouse", str(warehouse))
    return warehouse


# Columns that differ between any two runs: run ids, times, Prefect's ids.
VOLATILE = {"run_id", "ingested_at", "seen_at", "started_at", "finished_at", "flow_run_id"}


def warehouse_tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table of a warehouse file as sorted rows, without run-specific
    columns: what two runs over the same inputs must agree on."""
    from warehouse.load import database_path

    with duckdb.connect(str(database_path(warehouse)), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
        out = {}
        for name in names:
            if name.startswith("_"):  # the build's own record (commit names, build time)
                continue
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [name]).fetchall()]
            keep = ", ".join(f'"{c}"' for c in columns if c not in VOLATILE)
            out[name] = sorted(con.execute(f'SELECT {keep} FROM "{name}"').fetchall(), key=repr)
        return out
