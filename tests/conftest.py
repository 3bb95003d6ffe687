"""Shared fixtures: paths to the shipped samples and the shared dev corpus."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from prefect_server import PrefectServer, base_env, kill_marked

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


class _SessionServer:
    """One real Prefect server (`prefect server start`, own PREFECT_HOME) for
    the whole session, stopped at the session's end.

    Without PREFECT_API_URL every `speech-etl ingest` starts a temporary
    server of its own (flows/prefect_api.py): several seconds of CPU a run.
    Tests whose subject is not that server send their runs here instead, as a
    user with a running server does; each run is its own flow run, so runs do
    not see each other. Launched when the session starts if a collected test
    may use it (so it starts while the first tests run), else on first use."""

    def __init__(self) -> None:
        self.server: PrefectServer | None = None
        self.ready = False
        self.tmp_path_factory: pytest.TempPathFactory | None = None

    def launch(self) -> PrefectServer:
        if self.server is None:
            if self.tmp_path_factory is not None:
                home = self.tmp_path_factory.mktemp("session-prefect")
            else:  # pragma: no cover - outside a pytest session
                home = Path(tempfile.mkdtemp(prefix="speech-etl-session-prefect-"))
            self.server = PrefectServer(home / "home", f"session-prefect-{uuid.uuid4().hex}")
            self.server.launch()
        return self.server

    def api_url(self) -> str:
        server = self.launch()
        if not self.ready:
            server.wait_ready()
            self._keep_new_database(server)
            self.ready = True
        return server.api_url

    def _keep_new_database(self, server: PrefectServer) -> None:
        """A copy of the server's database as it is when it first answers: migrated, before any run."""
        with closing(sqlite3.connect(server.home / "prefect.db")) as source, \
                closing(sqlite3.connect(server.home.parent / NEW_DATABASE)) as copy:
            source.backup(copy)

    def prefect_home(self, home: Path) -> Path:
        """`home` made a PREFECT_HOME whose Prefect database is migrated already
        (a copy of this server's when it was new), for a test's own server or a
        run's temporary one: a new database costs ~10 s of migrations (alembic's,
        on SQLite) before the server answers."""
        self.api_url()
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.server.home.parent / NEW_DATABASE, home / "prefect.db")
        return home

    def temporary_server_home(self) -> Path:
        """The PREFECT_HOME of the runs that start a temporary server of their
        own: one for the session, as a user's ~/.prefect is, migrated already
        (on a new machine, as in CI, the first would spend ~10 s migrating)."""
        home = self.tmp_path_factory.getbasetemp() / "temporary-servers"
        return home if home.exists() else self.prefect_home(home)

    def client(self, home: Path, marker: str) -> "SessionServerClient":
        """This server as a test module sees it: its client processes carry
        `marker` (so the module can find and end them) and PREFECT_HOME `home`."""
        self.api_url()
        return SessionServerClient(self.server.api_url, home, marker)

    def stop(self) -> None:
        server, self.server, self.ready = self.server, None, False
        if server is not None:
            server.__exit__(None, None, None)
            kill_marked(server.marker)


class SessionServerClient:
    """`PrefectServer`'s client side (`env`, `get`, `post`) for the session's server."""

    def __init__(self, api_url: str, home: Path, marker: str) -> None:
        self.api_url, self.home, self.marker = api_url, home, marker

    def env(self, **extra: str) -> dict[str, str]:
        return base_env(self.home, self.marker, self.api_url, **extra)

    get = PrefectServer.get
    post = PrefectServer.post


NEW_DATABASE = "new-prefect.db"
SESSION_SERVER = _SessionServer()
SERVER_USERS = ("speech_etl", "cli_env", "SESSION_SERVER")  # names a test module imports to run ingests
SERVER_FIXTURES = {"dev_ingest", "dev_warehouse", "samples_in_batches"}


@pytest.fixture(scope="session", autouse=True)
def _session_prefect_server(request, tmp_path_factory):
    """Launches the session's Prefect server now if a collected test may use it
    (it starts while the tests before that one run); stops it at the end."""
    SESSION_SERVER.tmp_path_factory = tmp_path_factory
    for item in request.session.items:
        module = getattr(item, "module", None)
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())) or \
                (module is not None and any(name in vars(module) for name in SERVER_USERS)):
            SESSION_SERVER.launch()
            break
    yield
    SESSION_SERVER.stop()


def cli_env(*, temporary_server: bool = False, **extra: str) -> dict[str, str]:
    """The environment for a `speech-etl ingest` process: this one's, with
    PREFECT_API_URL naming the session's Prefect server, or, with
    `temporary_server=True`, without PREFECT_API_URL, so the run starts (and
    stops) a temporary server of its own as it does by default (its
    PREFECT_HOME the session's `temporary_server_home`)."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    if temporary_server:
        env["PREFECT_HOME"] = str(SESSION_SERVER.temporary_server_home())
    else:
        env["PREFECT_API_URL"] = SESSION_SERVER.api_url()
    env.update(extra)
    return env


def speech_etl(*args: str, check: bool = True, temporary_server: bool = False) -> subprocess.CompletedProcess:
    """Run the `speech-etl` command line as a user would (a fresh process).

    An `ingest` reports to the session's Prefect server (`cli_env`), unless
    `temporary_server=True`: then it starts its own, as it does by default, for
    the tests that check what that server does or prints."""
    env = cli_env(temporary_server=temporary_server) if args[:1] == ("ingest",) else None
    result = subprocess.run([sys.executable, "-m", "speech_etl", *args], capture_output=True, text=True,
                            timeout=600, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def query(warehouse: Path, sql: str) -> list[tuple]:
    """Rows of one read-only query on a warehouse."""
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="session")
def dev_ingest(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """`speech-etl ingest ../shared/corpus` into a new warehouse, once: the
    warehouse and what the run printed."""
    if not DEV_REPORTS.exists():
        pytest.skip(f"the shared dev corpus is not at {DEV_REPORTS}")
    warehouse = tmp_path_factory.mktemp("dev") / "w"
    result = speech_etl("ingest", str(SHARED_CORPUS), "--warehouse", str(warehouse))
    return warehouse, result


@pytest.fixture(scope="session")
def dev_warehouse(dev_ingest) -> Path:
    """The dev corpus ingested once, shared by the tests that only read it."""
    return dev_ingest[0]


SAMPLES_BATCH_BYTES = "20000"  # several batches from the small samples


@pytest.fixture(scope="session")
def samples_in_batches(tmp_path_factory) -> Path:
    """The samples ingested on this machine (worker processes, the lake beside the
    database) in several batches: the local run the Dask and S3 runs must equal
    (tests/test_dask.py, tests/test_lake_remote.py)."""
    warehouse = tmp_path_factory.mktemp("samples-local") / "w"
    result = subprocess.run([sys.executable, "-m", "speech_etl", "ingest", str(SAMPLES), "--warehouse", str(warehouse)],
                            capture_output=True, text=True, cwd=ROOT, timeout=600,
                            env=cli_env(SPEECH_ETL_BATCH_BYTES=SAMPLES_BATCH_BYTES))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "batch 2/" in result.stdout + result.stderr
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
