"""The temporary Prefect server `ingest` starts for itself (flows/prefect_api.py):
one per run, used by the flow and its workers, gone when the run ends or is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import SAMPLE_SPEECH, SESSION_SERVER
from flows.prefect_api import TemporaryServer, prefect_api
from prefect_server import processes_with_marker

# said once the server answers; its address is not (it is dead once the command exits)
SERVER_LINE = "Prefect: a temporary server for this run"


def _server_processes(marker: str) -> list[int]:
    """Processes serving Prefect's API that a run marked with `marker` started."""
    found = []
    for pid in processes_with_marker(marker):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"prefect.server.api.server:create_app" in cmdline:
            found.append(pid)
    return found


def _gone(marker: str, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while _server_processes(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _env(marker: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["SPEECH_ETL_TEST_MARKER"] = marker
    env["PREFECT_HOME"] = str(SESSION_SERVER.temporary_server_home())  # migrated already
    return env


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ingest_uses_one_temporary_server_and_stops_it(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "speech.txt").write_bytes(SAMPLE_SPEECH.read_bytes())
    marker = uuid.uuid4().hex
    result = subprocess.run([sys.executable, "-m", "speech_etl", "ingest", str(inbox), "-w", str(tmp_path / "w")],
                            capture_output=True, text=True, timeout=300, env=_env(marker))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert SERVER_LINE in output
    # no second server (Prefect's own starts with this line), and every log reached the server
    assert "Starting temporary server" not in output
    assert "Error logging to API" not in output
    # no link to the server, which is gone now (Prefect's "View at http://127.0.0.1:PORT/runs/...")
    assert "127.0.0.1" not in output and "http" not in output
    assert _gone(marker)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; the server dies with its parent on Linux")
def test_a_killed_run_leaves_no_server(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "speech.txt").write_bytes(SAMPLE_SPEECH.read_bytes())
    log = tmp_path / "run.log"
    marker = uuid.uuid4().hex
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "speech_etl", "ingest", str(inbox), "-w", str(tmp_path / "w")],
                                stdout=out, stderr=subprocess.STDOUT, env=_env(marker))
    try:
        deadline = time.monotonic() + 120
        while SERVER_LINE not in log.read_text() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert SERVER_LINE in log.read_text(), log.read_text()
        assert _server_processes(marker)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _gone(marker)


def test_a_configured_api_url_wins_and_the_early_server_stops(monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    assert TemporaryServer.unless_configured() is None
    monkeypatch.delenv("PREFECT_API_URL")
    early = TemporaryServer.unless_configured()
    assert early is not None and early.process is not None
    process = early.process
    # as when a Prefect profile names a server: found only once Prefect is imported
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        with prefect_api(early) as url:
            assert url == "http://127.0.0.1:9/api"
    assert early.process is None
    assert process.wait(10) is not None


def test_a_server_that_cannot_start_is_one_clear_error(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "speech.txt").write_bytes(SAMPLE_SPEECH.read_bytes())
    env = _env()
    env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{tmp_path}/missing/dir/prefect.db"
    result = subprocess.run([sys.executable, "-m", "speech_etl", "ingest", str(inbox), "-w", str(tmp_path / "w")],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the temporary Prefect server stopped before it was ready"), last
    assert "PREFECT_API_URL" in last
    assert not (tmp_path / "w" / "warehouse.duckdb").exists()


def test_flow_runs_send_no_heartbeats_unless_the_user_asks(monkeypatch):
    from prefect.settings import get_current_settings

    from flows.prefect_api import HEARTBEAT_VARIABLES, without_heartbeats

    for name in HEARTBEAT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with without_heartbeats():
        assert get_current_settings().flows.heartbeat_frequency is None  # the run's end waits for no thread
    assert get_current_settings().flows.heartbeat_frequency == 180  # Prefect's own default, outside

    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "60")
    with without_heartbeats():
        assert get_current_settings().flows.heartbeat_frequency is not None  # the user asked for heartbeats
