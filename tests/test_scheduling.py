"""Scheduled ingestion on a real Prefect server (issue 4, acceptance 1).

Starts `speech-etl serve` with a 5-second interval against a real Prefect
server (the session's, conftest.SESSION_SERVER), drops new files into the
watched folder and waits for scheduled runs to complete; then stops serve and
checks that nothing it started is still running.
"""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import time
import uuid
from pathlib import Path

import duckdb
import pytest

from conftest import SAMPLE_REPORTS, SAMPLE_SPEECH, SESSION_SERVER, SessionServerClient
from prefect_server import kill_marked, processes_with_marker, speech_etl_command, start, stop

pytestmark = pytest.mark.slow

FLOW = "speech-etl-ingest"


def documents(warehouse: Path) -> int:
    db = warehouse / "warehouse.duckdb"
    if not db.exists():
        return -1
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    except duckdb.Error:
        return -1


def completed_runs(server: SessionServerClient, deployment_id: str, after: dt.datetime) -> list[dict]:
    runs = server.post("/flow_runs/filter", {
        "deployments": {"id": {"any_": [deployment_id]}},
        "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}},
                      "start_time": {"after_": after.isoformat()}},
        "sort": "START_TIME_ASC",
    })
    return runs


def wait_for(condition, timeout: float, what: str, logs: list[Path]):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    tails = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs if log.exists())
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")


def test_serve_runs_on_schedule_and_ingests_new_files(tmp_path):
    marker = f"serve-{uuid.uuid4().hex}"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE_SPEECH, inbox / SAMPLE_SPEECH.name)
    warehouse = tmp_path / "warehouse"
    serve_log = tmp_path / "serve.log"
    server = SESSION_SERVER.client(tmp_path / "prefect-home", marker)  # its runs carry the marker
    serve = None
    try:
        logs = [serve_log, SESSION_SERVER.server.log]
        serve = start(speech_etl_command("serve", str(inbox), "--interval", "5", "--warehouse", str(warehouse),
                                         "--name", "every-5s", "--report", str(tmp_path / "report.html"),
                                         "--lake", str(tmp_path / "lake-elsewhere")),
                      server.env(PREFECT_RUNNER_POLL_FREQUENCY="1"), serve_log, cwd=tmp_path)  # not every 10 s
        deployment = wait_for(
            lambda: (d := server.get(f"/deployments/name/{FLOW}/every-5s")) and d.get("id") and d,
            120, "the deployment to be registered", logs)
        assert deployment["parameters"]["paths"] == [str(inbox.resolve())]
        assert deployment["parameters"]["warehouse"] == str(warehouse.resolve())
        assert [s["schedule"]["interval"] for s in deployment["schedules"]] == [5.0]
        assert deployment["parameters"]["report"] == str((tmp_path / "report.html").resolve())
        assert deployment["parameters"]["lake_url"] == str((tmp_path / "lake-elsewhere").resolve())

        # the first scheduled run ingests what the folder holds
        wait_for(lambda: documents(warehouse) == 1, 180, "the first scheduled run (1 document)", logs)

        # new files land in the watched folder; a later scheduled run picks them up
        dropped = dt.datetime.now(dt.timezone.utc)
        shutil.copy(SAMPLE_REPORTS, inbox / SAMPLE_REPORTS.name)
        wait_for(lambda: documents(warehouse) == 8, 180, "a scheduled run to ingest the dropped file", logs)
        runs = wait_for(lambda: completed_runs(server, deployment["id"], dropped), 60,
                        "the run to be Completed", logs)

        with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
            recorded = con.execute("SELECT flow_run_id, files_new, documents_written FROM runs "
                                   "ORDER BY started_at").fetchall()
            assert con.execute("SELECT count(*) FROM documents WHERE source_format = 'jsonl'").fetchone()[0] == 7
        # the run that ingested the reports is a scheduled run of this deployment, Completed
        loading_run = recorded[-1]
        assert loading_run[1:] == (1, 7)
        # --lake: the scheduled runs write the lake there, not in the warehouse folder
        assert list((tmp_path / "lake-elsewhere" / "documents").glob("*.parquet"))
        assert not (warehouse / "lake").exists()
        # --report: each scheduled run writes the HTML report after its load
        assert "国务院" in (tmp_path / "report.html").read_text(encoding="utf-8")
        run_ids = {r["id"] for r in runs}
        assert loading_run[0] in run_ids
        run = next(r for r in runs if r["id"] == loading_run[0])
        assert run["state"]["type"] == "COMPLETED"
        assert run["state"]["name"] in ("Completed",)
        assert run["deployment_id"] == deployment["id"]
        assert run["auto_scheduled"] is True

        # and it left its markdown summary as an artifact
        artifacts = server.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run["id"]]}}})
        markdown = [a for a in artifacts if a["type"] == "markdown"]
        assert [a["key"] for a in markdown] == ["speech-etl-ingest-summary"]
        summary = markdown[0]["data"]
        assert "| 2 | 1 | 1 | 0 | 0 |" in summary  # seen, new, unchanged, rejected, deleted
        assert "| documents | 7 |" in summary

        # Ctrl-C's sibling SIGTERM stops serve cleanly
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(60) == 0, serve_log.read_text(errors="replace")[-3000:]
        out = serve_log.read_text(errors="replace")
        assert "stopped serving" in out
        assert "Traceback" not in out
        assert "Failed to send telemetry" not in out
        # stopping paused the schedule
        paused = server.get(f"/deployments/{deployment['id']}")
        assert paused["paused"] is True
    finally:
        if serve is not None:
            stop(serve)
        gone_by = time.monotonic() + 1
        while processes_with_marker(marker) and time.monotonic() < gone_by:
            time.sleep(0.1)  # none comes back once all are gone
        leftovers = processes_with_marker(marker)
        kill_marked(marker)  # never leave anything running, even when the check below fails
    assert leftovers == [], "processes still running after the test stopped serve and the server"


def test_serve_does_not_count_the_resource_tracker_as_a_flow_run():
    """serve's stop line says a flow run was stopped only when one was: the
    resource tracker multiprocessing starts is a child but no flow run."""
    from multiprocessing import resource_tracker

    from flows.serve import _children, _flow_runs

    resource_tracker.ensure_running()
    tracker = resource_tracker._resource_tracker._pid
    assert tracker in _children()
    assert tracker not in _flow_runs(_children())
