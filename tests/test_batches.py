"""Batch sizes (flows/files.py): a run is cut into enough batches to keep every
worker busy to the end, and a large run into fewer, larger ones (each batch
costs a worker a fixed share of a second in Prefect's task engine)."""

from __future__ import annotations

from flows.files import MAX_BATCH_BYTES, MIN_BATCH_BYTES, InputFile, batch_bytes_for, batches


def _files(n: int, size: int) -> list[InputFile]:
    return [InputFile(f"/in/{i}.txt", size, 0) for i in range(n)]


def test_small_runs_keep_small_batches_and_large_runs_get_larger_ones():
    assert batch_bytes_for(_files(10, 100_000), 2) == MIN_BATCH_BYTES
    assert batch_bytes_for(_files(100, 1_000_000), 2) == 100_000_000 // 16  # 8 batches a worker
    assert batch_bytes_for(_files(500, 1_000_000), 2) == MAX_BATCH_BYTES
    assert batch_bytes_for(_files(500, 1_000_000), 2, requested=20_000) == 20_000  # the user's size wins
    assert batch_bytes_for(_files(500, 1_000_000), None) == MIN_BATCH_BYTES  # workers unknown (a Dask cluster)


def test_every_worker_gets_at_least_eight_batches_when_the_run_allows():
    files = _files(200, 500_000)  # 100 MB
    for workers, at_least in ((1, 8), (2, 16), (4, 25), (8, 25)):  # 4 and 8 workers: 4 MB batches, no smaller
        groups = batches(files, batch_bytes_for(files, workers), 600)
        assert at_least <= len(groups) <= at_least + 1, workers
        assert sorted(f.path for g in groups for f in g) == sorted(f.path for f in files)
