"""What a run prints: its own lines, not Prefect's chatter, unless the user asks for more.

Prefect logs a line for every task run ("Task run 'write-batch-8e8' -
Finished in state Completed()"), 4 for a small run and hundreds for a big
one, and opens each flow run with a line of its own. Those are left off the
console unless `--verbose`; the flow's own lines (its plan, each batch,
warnings) stay, and everything still goes to the Prefect API. A link to a
temporary server's UI ("View at http://127.0.0.1:PORT/...") is left off even
with `--verbose`: the server is gone when the command exits.

A run that stops on a fatal error (a read-only lake, a full disk, a Prefect
server gone) ends with the command's own one-line error (speech_etl/cli.py).
Prefect reports the same failure on the console as well: each failed task
and flow run with its traceback, 80-230 lines. Those records are left off the
console unless `--verbose` (SPEECH_ETL_VERBOSE=1); they still go to the
Prefect API, so the flow run's page in the UI shows the traceback. Under
`serve`, Prefect's records keep their one line and lose their traceback, and
once stopping, `serve` says the last line itself.
"""

from __future__ import annotations

import logging
import os

VERBOSE = "SPEECH_ETL_VERBOSE"
_FAILED_STATE = ("Finished in state Failed", "Finished in state Crashed")


class PrefectFailures(logging.Filter):
    """Drops Prefect's console records of a failure: errors, tracebacks, failed states."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info or record.levelno >= logging.ERROR:
            return False
        return not record.getMessage().startswith(_FAILED_STATE)


class PrefectRoutine(logging.Filter):
    """Drops Prefect's INFO records of each task run and the flow run's opening line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        if record.name.startswith("prefect.task_runs"):
            return False
        return not record.getMessage().startswith("Beginning flow run")


class LinksTo(logging.Filter):
    """Drops records that link to `base`: a server that is gone once the command exits."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def filter(self, record: logging.LogRecord) -> bool:
        return self.base not in record.getMessage()


class Nothing(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


_FILTER = PrefectFailures()
_ROUTINE = PrefectRoutine()
_SILENCE = Nothing()


def verbose() -> bool:
    return os.environ.get(VERBOSE, "").lower() in ("1", "true", "yes")


def prefect_console_handlers() -> list[logging.Handler]:
    """Prefect's console handlers in this process (the command's progress bar prints through them too)."""
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
                                       if name.startswith("prefect")]
    return [h for logger in loggers for h in getattr(logger, "handlers", ())
            if type(h).__name__ == "PrefectConsoleHandler"]


def _add_to_prefect_console(log_filter: logging.Filter) -> None:
    for handler in prefect_console_handlers():
        if log_filter not in handler.filters:
            handler.addFilter(log_filter)


class WithoutTraceback(logging.Formatter):
    """Formats a record as `inner` does, in one line: its traceback left out."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return self.inner.format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def prefect_tracebacks_off() -> None:
    """Prefect's console records in one line each, without tracebacks (not
    with --verbose): what `serve` prints while a server is unreachable."""
    if verbose():
        return
    for handler in prefect_console_handlers():
        if not isinstance(handler.formatter, WithoutTraceback):
            handler.setFormatter(WithoutTraceback(handler.formatter))


def quiet_prefect_failures() -> None:
    """Leave Prefect's failure reports off this process's console (not with --verbose).
    Call once Prefect is imported (it sets up its console handlers then)."""
    if not verbose():
        _add_to_prefect_console(_FILTER)


def quiet_prefect_routine() -> None:
    """Leave Prefect's per-task INFO lines and the flow run's opening line off
    this process's console (not with --verbose)."""
    if not verbose():
        _add_to_prefect_console(_ROUTINE)


def hide_links_to(base: str) -> None:
    """Leave Prefect's lines that link to `base` (a temporary server's address) off the console."""
    _add_to_prefect_console(LinksTo(base))


def silence_prefect_console() -> None:
    """Nothing more from Prefect on this process's console (not with --verbose):
    `serve` is stopping and says so itself, in one line."""
    if not verbose():
        _add_to_prefect_console(_SILENCE)
