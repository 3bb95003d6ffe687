"""Task runners for the ingest flow, and a bounded window of batches in flight.

- `processes` (default): Prefect's `ProcessPoolTaskRunner`, one worker process
  per core (`--workers N`); each worker loads the dictionaries once, at start.
- `threads`: Prefect's `ThreadPoolTaskRunner` (the pipeline is pure Python, so
  threads do not run it in parallel; for debugging and small inputs).
- `dask`: `prefect_dask.DaskTaskRunner`, on an existing cluster
  (`--dask-address tcp://HOST:PORT`) or, without an address, on a temporary
  local cluster of `--workers` processes. See docs/performance.md.

Only `process-batch` runs on the runner's workers: it reads the input files
and writes its batch's Parquet files into the lake, so every worker must
reach both under the same absolute paths. The commit manifests and the DuckDB
file are written by the flow's own process. The runner is the flow's
parameter (`task_runner`, `workers`, `dask_address`), created for the batch
stage only and shut down before the database build (`stream_batches`).

`bounded_results` keeps at most a few batches submitted at a time (twice the
workers), so memory stays flat whatever the number of batches. The workers
die with the flow's process, however it dies (flows/reaper.py).
"""

from __future__ import annotations

import atexit
import gc
import importlib
import multiprocessing
import os
import types
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from flows.reaper import reaped_workers

RUNNERS = ("processes", "threads", "dask")
DEFAULT_RUNNER = "processes"


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover (not Linux)
        return os.cpu_count() or 1


def warm_pipeline() -> None:
    """Load what the pipeline loads lazily (dictionaries, YAML knowledge,
    pyarrow's lazy imports), so a worker's first batch runs at steady speed."""
    import datetime as dt

    from transforms import segment
    from transforms.document import SourceText
    from transforms.pipeline import process
    from warehouse import records

    segment.tokenizer()("预热")
    doc = process(SourceText("一、总体情况\n今年国内生产总值增长5%,城镇新增就业1100万人以上。", "txt"))
    records.document_tables([(doc, "warm")], "warm", dt.datetime.now())


def warm_worker() -> None:
    """Set up a worker process: Prefect's console, and the pipeline warm
    (already, when the worker was forked from the warm forkserver). Runs once
    per worker process."""
    from prefect.logging.configuration import ensure_logging_setup

    from flows.console import quiet_prefect_failures, quiet_prefect_routine

    ensure_logging_setup()  # a new worker sets up Prefect's console handlers only at its first task: now
    quiet_prefect_failures()  # a failed batch is reported once, by the command (flows/console.py)
    quiet_prefect_routine()  # ... and a task run's end not at all (unless --verbose)
    warm_pipeline()
    # At exit, spare the interpreter's final garbage-collector passes over the
    # whole heap (Prefect's modules, the caches): two workers took 1.4 s to
    # exit, 0.1 s with this (bench/prefect_overheads.py), and the flow waits for
    # its workers before the DuckDB build. Prefect's and multiprocessing's exit
    # hooks still run. (A worker forked from the forkserver exits at once.)
    atexit.register(gc.freeze)
    # Python's garbage collector keeps its default thresholds: collecting every
    # 100 000 allocations instead of 700 was about 10% faster, but workers grew
    # from 0.4 to 0.7 GB on 500 MB of text (docs/performance.md).


def make_task_runner(kind: str = DEFAULT_RUNNER, workers: int | None = None, dask_address: str | None = None):
    """The Prefect task runner for `kind` (processes, threads or dask)."""
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if dask_address and kind != "dask":
        raise ValueError("a Dask address needs the dask task runner (--task-runner dask)")
    if kind == "processes":
        from prefect.task_runners import ProcessPoolTaskRunner

        runner = _forked_process_pool() if _forkserver_started else ProcessPoolTaskRunner
        return runner(max_workers=workers or default_workers(), initializer=warm_worker)
    if kind == "threads":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=workers or default_workers())
    if kind == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers or default_workers(),
                                              "threads_per_worker": 1, "processes": True,
                                              "dashboard_address": None})
    raise ValueError(f"unknown task runner {kind!r}: expected one of {', '.join(RUNNERS)}")


def run_flow(flow: Any, *args: Any, server: Any = None, say: Callable[[str], None] | None = None,
             **kwargs: Any) -> Any:
    """Run `flow(*args, **kwargs)` against the configured Prefect API or a
    temporary server (`server`, launched early by the caller, or one started
    here): flows/prefect_api.py."""
    from flows.console import quiet_prefect_failures, quiet_prefect_routine
    from flows.prefect_api import prefect_api

    quiet_prefect_failures()  # a fatal error is the command's one line (flows/console.py)
    quiet_prefect_routine()  # no line per task run (unless --verbose)
    with prefect_api(server, say):
        return flow(*args, **kwargs)


def runner_workers(runner: Any) -> int:
    """How many tasks `runner` runs at once (best effort)."""
    client = getattr(runner, "_client", None)
    if client is not None:  # a connected Dask client
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # noqa: BLE001 - a cluster that does not answer: fall back
            pass
    workers = getattr(runner, "_max_workers", None) or getattr(runner, "max_workers", None)
    return int(workers) if workers else default_workers()


def in_flight_limit(runner: Any, per_worker: int = 2) -> int:
    """Batches to keep submitted: `per_worker` per worker of `runner` (one
    running, one queued so no worker waits for the flow)."""
    return max(2, per_worker * runner_workers(runner))


def bounded_results(submit: Callable[[Any], Any], items: Iterable[Any], limit: int) -> Iterator[Any]:
    """Results of `submit(item).result()` for each item, in order, with at most
    `limit` submitted and not yet consumed: a streaming map over a task runner."""
    pending: deque = deque()
    source = iter(items)
    for item in source:
        pending.append(submit(item))
        if len(pending) >= limit:
            break
    while pending:
        future = pending.popleft()
        result = future.result()
        del future  # the future holds the result; let it go with the caller's copy
        nxt = next(source, _DONE)
        if nxt is not _DONE:
            pending.append(submit(nxt))
        yield result
        del result


_DONE = object()


class _Done:
    """A finished future (for a batch run in the flow's own process)."""

    def __init__(self, value: Any):
        self.value = value

    def result(self) -> Any:
        return self.value


def stream_batches(task: Any, calls: list[dict], kind: str = DEFAULT_RUNNER, workers: int | None = None,
                   dask_address: str | None = None, limit: int | None = None) -> Iterator[Any]:
    """Run `task(**parameters)` for each parameters dict of `calls` on a task
    runner of `kind`, yielding results in order with at most `limit` (default
    `in_flight_limit`) batches in flight.

    The runner (its worker processes, or its local Dask cluster) lives only
    while batches run: it is shut down once the last result is taken, so the
    workers' memory is given back before the flow builds the database. A run
    of one batch runs it in the flow's own process: no worker is started for a
    small incremental run."""
    if len(calls) <= 1:
        yield from bounded_results(lambda parameters: _Done(task(**parameters)), calls, 1)
        return
    with reaped_workers(), make_task_runner(kind, workers, dask_address) as runner:  # they die with this process
        yield from bounded_results(lambda parameters: runner.submit(task, parameters=parameters), calls,
                                   limit or in_flight_limit(runner))
    if _forkserver_started:
        stop_forkserver()  # the workers have stopped: its memory too, before the database build


# -- workers started early ------------------------------------------------
# A worker process that starts from nothing spends about 3 CPU-seconds
# importing Prefect and the pipeline and loading its dictionaries before its
# first batch, and two of them did so after the flow run had begun, itself
# after the temporary Prefect server's start (about 5 CPU-seconds). Instead,
# while `speech-etl ingest` waits for that server, multiprocessing's
# forkserver is started with the pipeline loaded and warmed once
# (flows/forkserver_preload.py); the batch stage's workers are then forked
# from it, warm, in milliseconds. Prefect's ProcessPoolTaskRunner, which runs
# every batch as a task run, is kept; only the start method of its pool changes.
_forkserver_started = False
_FORKSERVER = types.SimpleNamespace(get_context=lambda method: multiprocessing.get_context("forkserver"))


@contextmanager
def workers_started_early(wanted: bool = True) -> Iterator[None]:
    """Start the warm forkserver the enclosed flow run's workers will be forked
    from (`wanted`: the run will have worker processes); it, and the workers,
    die with this process (flows/reaper.py)."""
    global _forkserver_started
    if not wanted or "forkserver" not in multiprocessing.get_all_start_methods():
        yield
        return
    from multiprocessing import forkserver

    # This process imports the flow (Prefect) first, as it would next anyway, and
    # the forkserver starts after: the two do not both take CPU from the Prefect
    # server's start (flows/prefect_api.py), which the flow run waits for.
    importlib.import_module("flows.ingest")

    with reaped_workers():  # before the start: the forkserver and its workers carry the reaper's mark
        forkserver.set_forkserver_preload(["flows.forkserver_preload"])
        forkserver.ensure_running()
        _forkserver_started = True
        try:
            yield
        finally:
            # stopped by the batch stage once its workers are gone (stream_batches); a run
            # that failed before leaves it to exit with this process (it would wait for them)
            _forkserver_started = False


def stop_forkserver() -> None:
    """Stop the forkserver, and free its memory, once its workers have stopped
    (it reports their exits to the pool, and waits for them to exit). A later
    pool starts it again. (Python's own, for its tests: `_stop`.)"""
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()


@cache
def _forked_process_pool() -> type:
    """Prefect's ProcessPoolTaskRunner with its pool's workers forked from the forkserver."""
    import prefect.task_runners as prefect_runners

    class ForkedProcessPoolTaskRunner(prefect_runners.ProcessPoolTaskRunner):
        def __enter__(self):
            # Prefect asks multiprocessing for the "spawn" context here, and only here
            spawn, prefect_runners.multiprocessing = prefect_runners.multiprocessing, _FORKSERVER
            try:
                return super().__enter__()
            finally:
                prefect_runners.multiprocessing = spawn

    return ForkedProcessPoolTaskRunner


def batches_ahead(paths: list, warehouse_dir, lake_url: str | None, follow_symlinks: bool, workers: int | None,
                  batch_bytes: int | None, batch_files: int) -> int:
    """How many batches a run over `paths` will have, about (a large .jsonl
    file counts as several), judged before Prefect is imported from the files
    and what the lake recorded of them; 0 when that cannot be told."""
    from pathlib import Path

    from flows.files import MIN_BATCH_BYTES, batches, discover, plan
    from warehouse.lake import open_lake

    try:
        lake = open_lake(Path(warehouse_dir), lake_url)
        found = discover(list(paths), exclude=[Path(warehouse_dir), *lake.folders()], follow_symlinks=follow_symlinks)
        to_read = plan(found, list(paths), lake.state()).to_read
    except Exception:  # noqa: BLE001 - the flow itself says what is wrong
        return 0
    size = batch_bytes or MIN_BATCH_BYTES
    large = sum(f.size // size for f in to_read if f.path.lower().endswith(".jsonl") and f.size > size)
    return len(batches(to_read, size, batch_files, None if batch_bytes else workers or default_workers())) + large
