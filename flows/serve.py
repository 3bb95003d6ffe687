"""Scheduled ingestion: serve a deployment of the ingest flow on a Prefect server.

`speech-etl serve PATH... --cron EXPR | --interval SECONDS` registers the
deployment `speech-etl-ingest/<name>` (default name `scheduled-ingest`) with
that schedule on the server at PREFECT_API_URL and runs its flow runs (each in
a subprocess, one at a time) until stopped with Ctrl-C or SIGTERM. Stopping
pauses the schedule; serving again resumes it. It stops within
`STOP_SECONDS` whatever the server's state: when the server does not answer
(gone, or hanging), the schedule stays as it was, a flow run in progress is
killed (safe: see below), and the one line that says so is the last.

A run that is stopped half-way is safe: the lake counts only committed
batches and the warehouse file is swapped in whole (docs/architecture.md).
"""

from __future__ import annotations

import flows.prefect_env  # noqa: F401  (quiet Prefect defaults, before prefect is imported)

import asyncio
import os
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

FLOW_NAME = "speech-etl-ingest"
# SIGTERM or Ctrl-C to exit, at most (issue 13: within 5 s, whatever the server's state)
STOP_SECONDS = 4.0

START_SERVER_HINT = (
    "start one with `prefect server start` (in another terminal) and "
    "`export PREFECT_API_URL=http://127.0.0.1:4200/api`"
)


class ServeError(Exception):
    """A problem the user can fix; the message is one line."""


@dataclass(frozen=True)
class ServePlan:
    paths: list[str]  # absolute
    warehouse: str  # absolute
    name: str
    cron: str | None
    interval: float | None
    batch_bytes: int | None
    batch_files: int
    report: str | None = None  # absolute path of the HTML report written after each load
    lake: str | None = None  # the lake's folder or fsspec URL, when not the warehouse's own
    follow_symlinks: bool = False  # follow links to files outside the paths (flows/files.py)

    @property
    def parameters(self) -> dict:
        parameters = {"paths": self.paths, "warehouse": self.warehouse,
                      "batch_bytes": self.batch_bytes, "batch_files": self.batch_files}
        if self.report:
            parameters["report"] = self.report
        if self.lake:
            parameters["lake_url"] = self.lake
        if self.follow_symlinks:
            parameters["follow_symlinks"] = True
        return parameters

    @property
    def schedule_text(self) -> str:
        return f"cron {self.cron!r}" if self.cron else f"every {self.interval:g} seconds"


def check_schedule(cron: str | None, interval: float | None) -> None:
    """Exactly one of cron and interval, and a valid one (raises ValueError)."""
    if (cron is None) == (interval is None):
        raise ValueError("give exactly one of --cron EXPR and --interval SECONDS")
    if interval is not None and not interval > 0:
        raise ValueError(f"--interval must be a positive number of seconds, not {interval:g}")
    if cron is not None:
        from prefect.client.schemas.schedules import CronSchedule

        try:
            CronSchedule(cron=cron)
        except ValueError:
            raise ValueError(f"--cron {cron!r} is not a valid cron expression "
                             "(five fields: minute hour day month weekday, e.g. '0 2 * * *')") from None


def api_url() -> str:
    """The Prefect API the deployment goes to; ServeError when unset or unreachable."""
    import httpx
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise ServeError(f"PREFECT_API_URL is not set, so there is no Prefect server to serve on; {START_SERVER_HINT}")
    try:
        response = httpx.get(f"{url.rstrip('/')}/health", timeout=10)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ServeError(f"no Prefect server answers at PREFECT_API_URL={url} ({reason}); {START_SERVER_HINT}") from None
    return url


PACKAGES = ("speech_etl", "flows", "transforms", "warehouse")


def _drop_shadowing_paths() -> None:
    """Flow runs start in processes that inherit sys.path. Under `python -m` the
    current folder is on it, and a folder there named like one of our packages
    (a warehouse folder called `warehouse`, say, created by the first run) would
    be imported in its place: leave the current folder out unless it is where
    our packages live."""
    import sys

    here = Path.cwd().resolve()
    homes = {Path(__import__(name).__file__).resolve().parent.parent for name in PACKAGES}
    if here not in homes:
        sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != here]


def serve(plan: ServePlan, say=print) -> None:
    """Register the deployment and serve it until Ctrl-C or SIGTERM."""
    from prefect.deployments.runner import EntrypointType

    from flows.console import prefect_tracebacks_off
    from flows.ingest import ingest

    url = api_url()
    _drop_shadowing_paths()
    prefect_tracebacks_off()  # a server that goes away is a line, not a traceback (flows/console.py)
    say(f"serving {FLOW_NAME}/{plan.name} on {url}: ingest {', '.join(plan.paths)} "
        f"into {plan.warehouse}, {plan.schedule_text}; Ctrl-C stops")
    gone = (f"stopped serving {FLOW_NAME}/{plan.name}: the Prefect server at {url} did not answer within "
            f"{STOP_SECONDS:g} s, so its schedule was not paused")
    runner = _bounded_stop_runner(gone, say)(name=plan.name, pause_on_shutdown=True,
                                              limit=1)  # one run at a time (the warehouse lock guards the rest)
    runner.add_flow(
        ingest,
        name=plan.name,
        cron=plan.cron,
        interval=plan.interval,
        parameters=plan.parameters,
        description=f"Ingest speech files under {', '.join(plan.paths)} into the warehouse at {plan.warehouse}.",
        tags=["speech-etl"],
        # the installed package, not a file path relative to where serve started
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    signal.signal(signal.SIGINT, runner.handle_sigterm)  # Ctrl-C stops the same way
    asyncio.run(runner.start())
    say(f"stopped serving {FLOW_NAME}/{plan.name} (its schedule is paused until served again)")


def _bounded_stop_runner(line_if_late: str, say):
    """Prefect's Runner, whose stop (pausing the schedule, cancelling a flow
    run: calls to the server, retried for minutes when it is gone) ends the
    process after STOP_SECONDS at most, with `line_if_late`, exit status 0."""
    from prefect.runner import Runner

    from flows.console import silence_prefect_console

    class BoundedStopRunner(Runner):
        def handle_sigterm(self, *args, **kwargs) -> None:
            if self.stopping:
                return  # a second signal: the first one's deadline stands
            silence_prefect_console()  # the stop is this command's one line
            deadline = threading.Timer(STOP_SECONDS, _exit_now, (say, line_if_late))
            deadline.daemon = True
            deadline.start()
            super().handle_sigterm(*args, **kwargs)

    return BoundedStopRunner


def _exit_now(say, line: str) -> None:
    """Say `line`, kill the flow runs this process started (their workers die
    with them: flows/reaper.py; what they committed stays), exit 0."""
    children = _children()
    say(line + ("; the flow run in progress was stopped (what it committed stays)" if _flow_runs(children) else ""))
    sys.stdout.flush()
    sys.stderr.flush()
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    os._exit(0)


def _children() -> list[int]:
    """Pids of this process's live children (Linux /proc; none elsewhere)."""
    pids = []
    try:
        for task in os.scandir("/proc/self/task"):
            with open(os.path.join(task.path, "children")) as fh:
                pids += [int(p) for p in fh.read().split()]
    except OSError:
        pass
    return [pid for pid in pids if _alive(pid)]


def _flow_runs(children: list[int]) -> list[int]:
    """The children that are flow runs: all but multiprocessing's resource tracker."""
    return [pid for pid in children if pid != _resource_tracker_pid()]


def _resource_tracker_pid() -> int | None:
    """multiprocessing's resource tracker: a child of this process that is not a flow run."""
    from multiprocessing import resource_tracker

    return getattr(resource_tracker._resource_tracker, "_pid", None)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def make_plan(paths: list[Path], warehouse: Path, name: str, cron: str | None, interval: float | None,
              batch_bytes: int | None, batch_files: int, report: Path | None = None,
              lake: str | None = None, follow_symlinks: bool = False) -> ServePlan:
    return ServePlan([str(Path(p).resolve()) for p in paths], str(Path(warehouse).resolve()), name,
                     cron, interval, batch_bytes, batch_files, str(Path(report).resolve()) if report else None, lake,
                     follow_symlinks)
