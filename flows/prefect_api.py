"""The Prefect API a run reports to: the server at `PREFECT_API_URL`, or a
temporary local one that speech-etl starts itself, as early as it can.

Why not let Prefect start its own temporary server: Prefect starts it on the
first API call, after the flow's process has imported Prefect, and imports
the whole server package into the flow's process to do so (about 3 s of CPU
and 100 MB there, for nothing the flow uses). `ingest` instead launches the
server as its first step, before it imports Prefect, so the server's start-up
(importing the server, checking the database's migrations, about 4 s) runs
while the flow's process imports Prefect and lists the input files.

It is the program Prefect runs for its own temporary server (uvicorn serving
`prefect.server.api.server:create_app`, flagged ephemeral, without the UI),
on a free loopback port, with Prefect's database under PREFECT_HOME, and it
is stopped when the run ends (or dies with the process that started it).
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import flows.prefect_env  # noqa: F401  (the server inherits the quiet defaults)

# How long the server may take to answer /health (Prefect's own default is 20 s;
# a busy 2-core machine needs more at times). PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS wins.
_STARTUP_TIMEOUT_S = 60.0


def die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the server gets SIGTERM when the thread that started it ends
    (the main thread: when the process has exited, or was killed), so no
    server is left behind."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_taken(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


_NO_BLOCK_REGISTRATION = {"PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
                          "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false"}


class ServerError(RuntimeError):
    """The temporary server did not start."""


class TemporaryServer:
    """A Prefect API server in a child process, for one run."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self._launch()
        if not sys.platform.startswith("linux"):
            # Linux stops it when this process has exited (die_with_parent), after
            # Prefect's exit hooks and logging's have sent their last records to it;
            # an atexit hook would run before logging's and cut those off.
            atexit.register(self.stop)  # pragma: no cover

    def _launch(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        env = {**os.environ, "PREFECT_UI_ENABLED": "0",
               # the flags Prefect's own temporary server sets: ephemeral-mode services only
               "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1",
               # no block types to register for a run that stores no blocks: checking the
               # registry loaded Prefect's collections (dask) first, 0.3-0.5 s of a 4.6 s start
               # (a server the user starts registers them as usual)
               **{name: value for name, value in _NO_BLOCK_REGISTRATION.items() if name not in os.environ}}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
            env=env, stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent if sys.platform.startswith("linux") else None,
        )

    @classmethod
    def unless_configured(cls) -> TemporaryServer | None:
        """Launch one now, unless PREFECT_API_URL is in the environment. (A
        Prefect profile may name a server too; `prefect_api` finds that out
        once Prefect is imported and stops this one.)"""
        return None if os.environ.get("PREFECT_API_URL") else cls()

    def wait_ready(self) -> None:
        timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS") or _STARTUP_TIMEOUT_S)
        deadline = time.monotonic() + timeout
        relaunches = 2  # the free port may be taken between our check and the server's bind
        while True:
            # ... and only then is another try any use (a server that failed for another reason,
            # a database it cannot open, say, would fail again, after seconds of imports)
            if self.process is not None and self.process.poll() is not None and relaunches \
                    and _port_taken(self.port):
                relaunches -= 1
                self._launch()
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise ServerError(f"the temporary Prefect server stopped before it was ready (exit status {code}); "
                                   "start one with `prefect server start` and set PREFECT_API_URL")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise ServerError(f"the temporary Prefect server did not answer within {timeout:.0f} s; "
                                   "start one with `prefect server start` and set PREFECT_API_URL")
            time.sleep(0.05)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def prefect_api(server: TemporaryServer | None = None,
                say: Callable[[str], None] | None = None) -> Iterator[str]:
    """Run the enclosed block against the configured Prefect API, or against
    `server` (launched here if not given) when none is configured; yields the
    API URL. The URL is also handed to worker processes (they must not each
    start a server of their own). The server stops when this process exits,
    and later runs in this process use it."""
    from prefect.context import refresh_global_settings_context
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = PREFECT_API_URL.value()
    if configured:
        if server is not None:
            server.stop()  # a profile names a server: the early one is not needed
        with without_heartbeats():
            yield configured
        return
    from flows.console import hide_links_to

    server = server or TemporaryServer()
    server.wait_ready()
    # its address is dead once the command exits: not said, and Prefect's "View at" links to it are left off
    hide_links_to(server.url.removesuffix("/api"))
    if say:
        say("Prefect: a temporary server for this run, stopped at its end "
            "(set PREFECT_API_URL to keep runs on a running server and see them in its UI)")
    # Set for the rest of this process (the server lives as long): in the
    # environment, for the processes the run starts, and re-read into Prefect's
    # global settings (Prefect's hook for plugins that set variables) for its
    # background threads, so none of them starts a server of its own.
    os.environ["PREFECT_API_URL"] = server.url
    refresh_global_settings_context()
    with temporary_settings(updates={PREFECT_API_URL: server.url}), without_heartbeats():
        yield server.url


HEARTBEAT_VARIABLES = ("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY")


@contextmanager
def without_heartbeats() -> Iterator[None]:
    """Flow runs in the enclosed block send no heartbeats, unless the user set
    a heartbeat frequency in the environment.

    A flow run's heartbeat thread sleeps in one-second steps, and the run
    waits for it at its end: with Prefect's default (every 180 s) each run of
    `speech-etl ingest` took 1-2 s longer, for heartbeats that only matter to
    an automation watching for crashed runs (our own `runs` table records a
    killed run; docs/performance.md). An environment variable cannot say
    "none", so the setting is changed here, for this process's runs only."""
    if any(os.environ.get(name) for name in HEARTBEAT_VARIABLES):
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
