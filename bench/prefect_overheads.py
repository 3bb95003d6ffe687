"""Prefect's fixed costs that the ingest works around, measured.

    .venv/bin/python bench/prefect_overheads.py          # about 1 minute

Against the Prefect API at PREFECT_API_URL, or a temporary server started
first (as `speech-etl ingest` does), it times, each as the median of a few runs:

- a trivial flow run with Prefect's default heartbeat (every 180 s) and with
  the heartbeat off (what `speech-etl ingest` runs with: flows/prefect_api.py);
- the exit of a worker process that has imported Prefect and the pipeline,
  with and without `gc.freeze()` at exit (flows/runners.py `warm_worker`);
- one `process-batch` task run with no files on `ProcessPoolTaskRunner`
  (2 workers): Prefect's own cost per batch, in wall time per worker;
- the temporary server's start (flows/prefect_api.py, launch to the first
  answer of /health), with Prefect's block registration and without it (what
  `speech-etl ingest` runs with), alternating;
- loading Prefect's collections (prefect-dask) in a process that has imported
  the flow: what each worker did in its first task run before the forkserver
  loaded them (flows/forkserver_preload.py), in CPU seconds.

It prints a table and writes bench/results/prefect_overheads.json.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flows.prefect_env  # noqa: E402,F401  (quiet Prefect defaults, before prefect is imported)


def _noop(x: int) -> int:
    return x


def _import_pipeline() -> None:
    import flows.ingest  # noqa: F401  (Prefect, the flow's tasks)
    from flows.runners import warm_worker

    warm_worker()


def _import_pipeline_without_freeze() -> None:
    import atexit
    import gc

    _import_pipeline()
    atexit.unregister(gc.freeze)  # the exit as it was before warm_worker froze the heap


def worker_exit_seconds(initializer, runs: int) -> float:
    """Median time to shut down 2 idle spawned workers set up by `initializer`."""
    times = []
    for _ in range(runs):
        pool = cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"), initializer=initializer)
        list(pool.map(_noop, range(4)))
        time.sleep(0.3)
        started = time.perf_counter()
        pool.shutdown(wait=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def flow_seconds(heartbeat: bool, runs: int) -> float:
    """Median wall time of a flow run that does nothing."""
    from prefect import flow
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    @flow(name="bench-trivial")
    def trivial() -> int:
        return 1

    trivial()  # the process's first flow run sets up clients; not counted
    times = []
    for _ in range(runs):
        # 180 s is Prefect's default; prefect_api() has turned it off around this call
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 180 if heartbeat else None}):
            started = time.perf_counter()
            trivial()
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def task_run_seconds(n: int) -> float:
    """Wall time per worker of one empty process-batch task run (2 workers, warm)."""
    from prefect import flow

    from flows.ingest import process_batch
    from flows.runners import make_task_runner

    def parameters(i: int) -> dict:
        return {"files": [], "known": {}, "run_id": "bench", "lake_url": "/tmp/speech-etl-bench-empty-lake",
                "name": f"bench-{i:05d}"}

    @flow(name="bench-task-runs")
    def task_runs() -> float:
        with make_task_runner("processes", 2) as runner:
            [f.result() for f in [runner.submit(process_batch, parameters=parameters(i)) for i in range(4)]]
            started = time.perf_counter()
            [f.result() for f in [runner.submit(process_batch, parameters=parameters(i)) for i in range(n)]]
            return (time.perf_counter() - started) * 2 / n

    return task_runs()


def server_start_seconds(runs: int) -> tuple[float, float]:
    """Median seconds from launching the temporary server to its answer, with
    Prefect's block registration and without it, alternating."""
    import os

    from flows.prefect_api import _NO_BLOCK_REGISTRATION, TemporaryServer

    def start(register: bool) -> float:
        saved = {name: os.environ.pop(name, None) for name in _NO_BLOCK_REGISTRATION}
        if register:  # an environment setting wins over the launcher's default
            os.environ.update({name: "true" for name in _NO_BLOCK_REGISTRATION})
        try:
            started = time.perf_counter()
            server = TemporaryServer()
            server.wait_ready()
            took = time.perf_counter() - started
            server.stop()
            return took
        finally:
            for name, value in saved.items():
                os.environ.pop(name, None)
                if value is not None:
                    os.environ[name] = value

    with_registration, without = [], []
    for _ in range(runs):
        with_registration.append(start(True))
        without.append(start(False))
    return statistics.median(with_registration), statistics.median(without)


_COLLECTIONS_CHILD = """
import time
import flows.ingest
from prefect.plugins import load_prefect_collections
started = time.process_time()
load_prefect_collections()
print(time.process_time() - started)
"""


def collections_cpu_seconds(runs: int) -> float:
    """Median CPU seconds of loading Prefect's collections in a fresh process that imported the flow."""
    import subprocess

    times = [float(subprocess.run([sys.executable, "-c", _COLLECTIONS_CHILD], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout.split()[-1]) for _ in range(runs)]
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs per timing (median)")
    ap.add_argument("--tasks", type=int, default=40, help="empty task runs to time")
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "prefect_overheads.json"))
    args = ap.parse_args()

    from flows.prefect_api import prefect_api

    result: dict = {"command": " ".join(["prefect_overheads.py", *sys.argv[1:]]),
                    "when": time.strftime("%Y-%m-%dT%H:%M:%S")}
    print("worker exits ...", flush=True)
    result["worker_exit_s"] = worker_exit_seconds(_import_pipeline_without_freeze, args.runs)
    result["worker_exit_frozen_s"] = worker_exit_seconds(_import_pipeline, args.runs)
    print("server starts ...", flush=True)
    result["server_start_registering_s"], result["server_start_s"] = server_start_seconds(args.runs)
    print("collections ...", flush=True)
    result["collections_load_cpu_s"] = collections_cpu_seconds(args.runs)
    with prefect_api(say=print):
        print("flow runs ...", flush=True)
        result["flow_with_heartbeat_s"] = flow_seconds(True, args.runs)
        result["flow_without_heartbeat_s"] = flow_seconds(False, args.runs)
        print("task runs ...", flush=True)
        result["task_run_per_worker_s"] = task_run_seconds(args.tasks)

    rows = [
        ("trivial flow run, Prefect's heartbeat", f"{result['flow_with_heartbeat_s']:.2f} s"),
        ("trivial flow run, heartbeat off (ingest)", f"{result['flow_without_heartbeat_s']:.2f} s"),
        ("worker exit (2 workers), plain", f"{result['worker_exit_s']:.2f} s"),
        ("worker exit (2 workers), gc.freeze (ingest)", f"{result['worker_exit_frozen_s']:.2f} s"),
        ("one empty process-batch task run", f"{1000 * result['task_run_per_worker_s']:.0f} ms of a worker"),
        ("temporary server start, registering block types", f"{result['server_start_registering_s']:.2f} s"),
        ("temporary server start, no registration (ingest)", f"{result['server_start_s']:.2f} s"),
        ("Prefect's collections loaded (once per worker before)", f"{result['collections_load_cpu_s']:.2f} CPU-s"),
    ]
    print()
    width = max(len(r[0]) for r in rows) + 2
    for label, value in rows:
        print(f"{label:<{width}}{value}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
