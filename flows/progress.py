"""How far an ingest run is, told to whoever shows it.

The flow says when it knows its work (files to read, in how many batches),
when each batch is committed and when the database build starts. The
command line listens with a progress bar (speech_etl/progress.py); a flow
run nobody listens to (under `serve`, from Prefect, in a test) tells no one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class RunProgress(Protocol):
    def reading(self, files: int, batches: int) -> None:
        """The run will read `files` files in `batches` batches."""

    def batch_done(self, files: int) -> None:
        """One batch of `files` files is committed."""

    def loading(self) -> None:
        """Every batch is in; the warehouse file is being built."""


class _NoOne:
    def reading(self, files: int, batches: int) -> None:
        pass

    def batch_done(self, files: int) -> None:
        pass

    def loading(self) -> None:
        pass


_listener: RunProgress = _NoOne()


def progress() -> RunProgress:
    """Whoever listens to this process's run (no one by default)."""
    return _listener


@contextmanager
def told_to(listener: RunProgress) -> Iterator[RunProgress]:
    """Runs in the enclosed block tell `listener` how far they are."""
    global _listener
    previous, _listener = _listener, listener
    try:
        yield listener
    finally:
        _listener = previous
