"""The progress bar of `speech-etl ingest` (rich), for runs over more than a few files.

It listens to the flow (flows/progress.py): files read so far, batches
committed, then the warehouse build. While it is shown, Prefect's console
lines (the flow's plan, each batch, warnings) print through the bar's
console, above the bar, so neither cuts through the other. On a terminal it
redraws in place; into a file or pipe it is written once, when the run ends.
Not shown with `--verbose`: the worker processes' lines for each task run
then reach the terminal directly and would cut through it.
"""

from __future__ import annotations

import logging

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn,
                           TimeElapsedColumn)

from flows.console import prefect_console_handlers

MIN_FILES = 20  # a run over fewer files is done before a bar could tell anything


class ProgressBar:
    """A `flows.progress.RunProgress` that draws a bar on standard error."""

    def __init__(self, min_files: int = MIN_FILES) -> None:
        self.min_files = min_files
        # plain text: a file name or log line is never read as rich markup
        self.console = Console(stderr=True, markup=False, highlight=False, emoji=False)
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.batches_done = 0
        self._prefect_consoles: list[tuple[logging.Handler, Console]] = []

    def reading(self, files: int, batches: int) -> None:
        if files <= self.min_files or self.bar is not None:
            return
        self.bar = Progress(
            SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
            TextColumn("files, batch {task.fields[done]}/{task.fields[batches]}", markup=False),
            TimeElapsedColumn(), console=self.console)
        self.task = self.bar.add_task("reading", total=files, done=0, batches=batches)
        self._print_prefect_lines_here()
        self.bar.start()

    def batch_done(self, files: int) -> None:
        if self.bar is not None:
            self.batches_done += 1
            self.bar.update(self.task, advance=files, done=self.batches_done)

    def loading(self) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description="building the warehouse")

    def close(self, finished: bool = False) -> None:
        """Stop drawing (the bar's last state stays on screen); Prefect prints as before."""
        if self.bar is not None:
            if finished:
                self.bar.update(self.task, description="done")
            self.bar.stop()
            self.bar = None
        for handler, console in self._prefect_consoles:
            handler.console = console
        self._prefect_consoles = []

    def _print_prefect_lines_here(self) -> None:
        for handler in prefect_console_handlers():
            if hasattr(handler, "console"):
                self._prefect_consoles.append((handler, handler.console))
                handler.console = self.console
