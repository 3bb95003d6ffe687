"""One writer per warehouse: a run holds `DIR/.ingest.lock` while it writes.

A second run on the same warehouse waits for the first (saying so) instead of
writing beside it. The lock is an OS file lock, so a killed run releases it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = ".ingest.lock"


@contextmanager
def warehouse_lock(warehouse_dir: Path, say: Callable[[str], object], timeout: float = -1) -> Iterator[None]:
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(warehouse_dir / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(f"another ingest run is writing to {warehouse_dir}; waiting for it to finish")
        lock.acquire(timeout=timeout)
    try:
        yield
    finally:
        lock.release()
