"""Scale-out: the ingest on a real Dask cluster (a scheduler and two workers,
separate processes on loopback) writes the same tables as a local run, with
the lake in the warehouse folder and with the lake on S3 (a real
S3-compatible server on loopback, which the workers write to)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES, SAMPLES_BATCH_BYTES, cli_env, warehouse_tables as _tables

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_workers(address: str, n: int, timeout: float = 90) -> None:
    from distributed import Client

    with Client(address, timeout=timeout) as client:
        client.wait_for_workers(n, timeout=timeout)


def _ingest(warehouse: Path, *options: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = cli_env(**(extra_env or {}), SPEECH_ETL_BATCH_BYTES=SAMPLES_BATCH_BYTES)  # several batches from the samples
    result = subprocess.run([sys.executable, "-m", "speech_etl", "ingest", str(SAMPLES), "--warehouse", str(warehouse),
                             *options], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def test_dask_cluster_run_equals_local_run(tmp_path, samples_in_batches):
    if not (BIN / "dask").exists():
        pytest.skip("the dask command is not installed (pip install distributed)")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path / "logs"
    logs.mkdir()
    procs: list[subprocess.Popen] = []
    pytest.importorskip("s3fs")
    pytest.importorskip("moto")
    from s3_server import S3Server

    s3 = S3Server(logs / "s3.log")
    s3.make_bucket("cluster-lake")
    env = dict(os.environ, **s3.env)  # how the workers (and the flow) reach the S3 lake
    try:
        procs.append(subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=open(logs / "scheduler.log", "w"), stderr=subprocess.STDOUT, cwd=ROOT))
        for i in range(2):
            procs.append(subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                 "--host", "127.0.0.1", "--local-directory", str(tmp_path / f"worker{i}")],
                stdout=open(logs / f"worker{i}.log", "w"), stderr=subprocess.STDOUT, cwd=ROOT, env=env))
        _wait_for_workers(address, 2)

        on_dask = _ingest(tmp_path / "dask", "--task-runner", "dask", "--dask-address", address)
        on_dask_s3 = _ingest(tmp_path / "dask-s3", "--task-runner", "dask", "--dask-address", address,
                             "--lake", "s3://cluster-lake/lake", extra_env=s3.env)
        assert "batch 2/" in on_dask.stdout + on_dask.stderr
        assert "batch 2/" in on_dask_s3.stdout + on_dask_s3.stderr
        assert not (tmp_path / "dask-s3" / "lake").exists()  # the workers wrote to the bucket

        # the batches really ran on the cluster's workers
        from distributed import Client

        with Client(address, timeout=30) as client:
            ran = client.run(lambda dask_worker: len(dask_worker.data) + dask_worker.state.executed_count)
        assert sum(ran.values()) > 0 and len(ran) == 2

        local_tables = _tables(samples_in_batches)  # the same ingest without Dask (conftest)
        assert {"documents", "sections", "metrics", "terms"} <= set(local_tables)
        assert len(local_tables["documents"]) > 0 and len(local_tables["terms"]) > 0
        for run in ("dask", "dask-s3"):
            dask_tables = _tables(tmp_path / run)
            assert set(dask_tables) == set(local_tables), run
            for name in local_tables:
                assert dask_tables[name] == local_tables[name], (run, name)
    finally:
        s3.stop()
        for proc in reversed(procs):
            proc.terminate()
        deadline = time.monotonic() + 20
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
