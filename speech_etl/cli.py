"""The `speech-etl` command line (README.md; its outside is fixed by ../shared/CONTRACT.md).

Exit status: 0 when the run completed (also with rejected files), 2 for a
usage error, 1 for a fatal error. Errors a user can cause are one line.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import sys
from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

try:  # typer >= 0.20 ships its own copy of click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as click_errors
try:  # ... whose Abort lives in typer.exceptions
    from typer.exceptions import Abort
except ImportError:  # pragma: no cover
    from click.exceptions import Abort

from flows.names import printable
from speech_etl.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Chinese government speeches and work reports into queryable tables.")
err = Console(stderr=True)
# Piped output is not cut to 80 columns: a wide table beats ellipses.
out = Console(width=None if sys.stdout.isatty() else 240)

WarehouseOption = Annotated[
    Path | None, typer.Option("--warehouse", "-w", help="Warehouse folder (default ./data, or SPEECH_ETL_WAREHOUSE).")
]


class TaskRunnerKind(str, Enum):
    processes = "processes"
    threads = "threads"
    dask = "dask"


# statements whose result `sql` prints when it is given several (SELECT also
# covers WITH, FROM, VALUES, DESCRIBE, SHOW and SUMMARIZE); SET, CREATE TEMP
# and the like run without output
QUERY_STATEMENTS = {"SELECT", "EXPLAIN", "PRAGMA", "CALL", "EXECUTE"}


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _version() -> str:
    try:
        from speech_etl import __version__
    except ImportError:  # the package's own record, when speech_etl does not say
        from importlib.metadata import version

        return version("speech-etl")
    return __version__


def _print_version(asked: bool) -> None:
    if asked:
        out.print(f"speech-etl {_version()}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_print_version, help="Print the version and exit.")] = False) -> None:
    """Chinese government speeches and work reports into queryable tables."""


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _writable(folder: Path) -> str | None:
    """Why `folder` cannot hold a warehouse, or None."""
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is not a folder"
    probe = existing / ".speech-etl-probe"
    try:
        probe.touch()
        probe.unlink()
    except OSError as exc:
        return f"{existing} is not writable ({exc.strerror})"
    return None


def _checked_inputs(paths: list[Path], folder: Path) -> Path:
    """The warehouse folder, once every input exists and the folder is writable."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise fail(f"no such file or folder: {', '.join(missing)}", 2)
    problem = _writable(folder)
    if problem:
        raise fail(f"cannot write the warehouse: {problem}")
    return folder


LakeOption = Annotated[str | None, typer.Option(
    "--lake", envvar="SPEECH_ETL_LAKE", metavar="URL",
    help="Where the Parquet lake lives: a folder or any fsspec URL (s3://bucket/lake, ...) that every worker "
         "reaches. Default DIR/lake; recorded in the warehouse on first use (docs/performance.md).")]


def _checked_lake(folder: Path, location: str | None) -> str | None:
    """The lake URL to pass on (None: the warehouse's own), once it agrees
    with the warehouse and can be written; recorded in the warehouse."""
    if location is None:
        return None
    from warehouse.lake import LakeLocationError, open_lake, record_lake

    try:
        lake = open_lake(folder, location)
    except LakeLocationError as exc:
        raise fail(str(exc), 2) from None
    try:
        lake.store.check_writable()
    except Exception as exc:  # noqa: BLE001 - any backend's error (credentials, bucket, network) is one line
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise fail(f"cannot write the lake at {lake.url}: {type(exc).__name__}"
                   f"{': ' + reason if reason else ''}") from None
    record_lake(folder, lake)
    return lake.url


ReportOption = Annotated[Path | None, typer.Option(
    "--report", help="After each load, write the default HTML report here (see `speech-etl report`).")]
VerboseOption = Annotated[bool, typer.Option(
    "--verbose", envvar="SPEECH_ETL_VERBOSE",
    help="Show Prefect's log line for every task run and, on a fatal error, its report and traceback "
         "(default: the run's own lines, a progress bar on a long ingest, an error in one line).")]
FollowSymlinksOption = Annotated[bool, typer.Option(
    "--follow-symlinks", help="Follow symbolic links to files anywhere (default: only links whose target lies "
                              "inside the given paths; others are rejected as outside_input).")]


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Speech files or folders (searched recursively).")],
    warehouse: WarehouseOption = None,
    report_path: ReportOption = None,
    task_runner: Annotated[TaskRunnerKind | None, typer.Option(
        "--task-runner", envvar="SPEECH_ETL_TASK_RUNNER",
        help="Where batches run: worker processes, threads, or a Dask cluster.")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, envvar="SPEECH_ETL_WORKERS", help="Worker processes (default: one per core).")] = None,
    dask_address: Annotated[str | None, typer.Option(
        "--dask-address", envvar="SPEECH_ETL_DASK_ADDRESS",
        help="Dask scheduler, e.g. tcp://HOST:8786 (with --task-runner dask; see docs/performance.md).")] = None,
    lake: LakeOption = None,
    follow_symlinks: FollowSymlinksOption = False,
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="Build warehouse.duckdb whole from the lake (default: the published file "
                          "with this run's changes added).")] = False,
    verbose: VerboseOption = False,
) -> None:
    """Read new or changed speech files into the warehouse (Parquet lake + DuckDB)."""
    if verbose:
        os.environ["SPEECH_ETL_VERBOSE"] = "1"  # for the workers too (flows/console.py)
    if task_runner is None:
        task_runner = TaskRunnerKind.dask if dask_address else TaskRunnerKind.processes
    if dask_address and task_runner is not TaskRunnerKind.dask:
        raise fail("--dask-address needs --task-runner dask", 2)
    settings = Settings()
    folder = _checked_inputs(paths, warehouse or settings.warehouse)
    lake = _checked_lake(folder, lake)
    if report_path is None and not rebuild:
        from flows.up_to_date import nothing_to_do
        from warehouse.lake import DamagedLakeError

        try:
            idle = nothing_to_do(paths, folder, lake, follow_symlinks)  # no Prefect, no server, no flow run (flows/up_to_date.py)
        except DamagedLakeError as exc:
            raise fail(str(exc)) from None
        if idle is not None:
            _print_summary(idle, folder)
            err.print("Every file is as the last run recorded it and the warehouse is current: no flow run needed.",
                      highlight=False, soft_wrap=True)
            return
    from flows.prefect_api import TemporaryServer

    # first, so the server starts while this process imports Prefect (flows/prefect_api.py)
    server = TemporaryServer.unless_configured()
    from flows.runners import batches_ahead, workers_started_early

    # ... and, beside it, what the batch stage's workers will be forked from (flows/runners.py)
    early = task_runner is TaskRunnerKind.processes and batches_ahead(
        paths, folder, lake, follow_symlinks, workers, settings.batch_bytes, settings.batch_files) > 1
    with workers_started_early(early):
        summary = _run_ingest_flow(verbose, [str(p) for p in paths], str(folder), settings.batch_bytes,
                                   settings.batch_files, report=str(report_path.resolve()) if report_path else None,
                                   task_runner=task_runner.value, workers=workers, dask_address=dask_address,
                                   lake_url=lake, follow_symlinks=follow_symlinks, rebuild=rebuild, server=server,
                                   say=lambda line: err.print(line, highlight=False, soft_wrap=True))
    _print_summary(summary, folder)


def _run_ingest_flow(verbose: bool, *args, **kwargs):
    """One run of the ingest flow (flows/runners.py run_flow) with a progress
    bar, or with Prefect's line for each task run instead (--verbose); a
    fatal error is one line."""
    from flows.progress import told_to
    from speech_etl.progress import ProgressBar

    bar = ProgressBar()
    try:
        from flows.ingest import ingest as ingest_flow
        from flows.runners import run_flow

        with nullcontext() if verbose else told_to(bar):
            summary = run_flow(ingest_flow, *args, **kwargs)
        bar.close(finished=True)
        return summary
    except Exception as exc:  # noqa: BLE001 - storage and server errors, one line each
        bar.close()
        message = _fatal_message(exc)
        if message is None:
            raise
        raise fail(message) from None
    finally:
        bar.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _fatal_message(exc: Exception) -> str | None:
    """The one line for a fatal error of a run: storage (the lake, DuckDB, a
    full disk, a read-only folder) or the Prefect server; None for a bug."""
    import duckdb
    import httpx

    from flows.prefect_api import ServerError
    from warehouse.lake import DamagedLakeError, LakeLocationError

    if isinstance(exc, (DamagedLakeError, LakeLocationError, ServerError)):
        return str(exc)
    if isinstance(exc, OSError):
        return f"ingest failed: {exc}"
    if isinstance(exc, duckdb.Error):
        return f"ingest failed: DuckDB: {_first_line(exc)}"
    cause = exc
    while cause is not None:  # Prefect wraps the client's error: "Failed to reach API at ..."
        if isinstance(cause, httpx.HTTPError):
            return f"ingest failed: the Prefect server stopped answering ({_first_line(exc)}: {_first_line(cause)})"
        cause = cause.__cause__ or cause.__context__
    return None


@app.command()
def serve(
    paths: Annotated[list[Path], typer.Argument(help="Speech files or folders to ingest on each run.")],
    cron: Annotated[str | None, typer.Option("--cron", help="Cron schedule, e.g. '0 2 * * *' (02:00 daily).")] = None,
    interval: Annotated[float | None, typer.Option("--interval", help="Run every SECONDS seconds.")] = None,
    warehouse: WarehouseOption = None,
    name: Annotated[str, typer.Option("--name", help="Deployment name.")] = "scheduled-ingest",
    report_path: ReportOption = None,
    lake: LakeOption = None,
    follow_symlinks: FollowSymlinksOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Serve the ingest flow on the Prefect server at PREFECT_API_URL with a schedule (Ctrl-C stops)."""
    if verbose:
        os.environ["SPEECH_ETL_VERBOSE"] = "1"  # Prefect's tracebacks on the console (flows/console.py)
    settings = Settings()
    folder = _checked_inputs(paths, warehouse or settings.warehouse)
    lake = _checked_lake(folder, lake)
    from flows import serve as serving  # imports Prefect: keep `--help` fast

    try:
        serving.check_schedule(cron, interval)
    except ValueError as exc:
        raise fail(f"{exc} (see `speech-etl serve --help`)", 2) from None
    plan = serving.make_plan(paths, folder, name, cron, interval, settings.batch_bytes, settings.batch_files,
                             report_path, lake, follow_symlinks)
    try:
        serving.serve(plan, say=lambda line: err.print(line, highlight=False, soft_wrap=True))
    except serving.ServeError as exc:
        raise fail(str(exc)) from None


def _print_summary(summary, folder: Path) -> None:
    table = Table(title=f"speech-etl ingest -> {folder}", show_header=True)
    for column in ("files seen", "new/changed", "unchanged", "rejected", "deleted"):
        table.add_column(column, justify="right")
    table.add_row(str(summary.files_seen), str(summary.files_new), str(summary.files_unchanged),
                  str(summary.files_rejected), str(len(summary.files_deleted)))
    out.print(table)
    if summary.files_ignored:
        from transforms.readers import SUPPORTED_SUFFIXES

        out.print(f"{summary.files_ignored} files of other types ignored "
                  f"(inputs are {' '.join(sorted(SUPPORTED_SUFFIXES))})")
    if summary.added_nothing:
        out.print(summary.nothing_new_line(), highlight=False)
    else:
        out.print("Rows added: " + ", ".join(f"{t} {n}" for t, n in summary.rows.items()))
        if summary.date_sources:
            out.print(summary.date_source_line(), highlight=False, soft_wrap=True)
    for reject in summary.rejects:
        record = f" line {reject['source_record']}" if reject["source_record"] else ""
        out.print(f"rejected {printable(reject['source_path'])}{record}: {reject['reason']} "
                  f"({printable(reject['detail'])})", highlight=False, soft_wrap=True, markup=False)


def _database(warehouse: Path | None) -> Path:
    """The warehouse's DuckDB file, which must exist."""
    from warehouse.load import database_path

    db = database_path(warehouse or Settings().warehouse)
    if not db.exists():
        raise fail(f"no warehouse at {db}; run `speech-etl ingest PATH --warehouse {db.parent}` first")
    return db


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL: one query, or several separated by ';' (read-only).")],
    warehouse: WarehouseOption = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
) -> None:
    """Run read-only SQL on the warehouse and print the result of each query in it."""
    import duckdb

    db = _database(warehouse)
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise fail(f"query failed: {_first_line(exc)}") from None
    if not statements:
        raise fail("no SQL statement given", 2)
    with duckdb.connect(str(db), read_only=True) as con:
        printed = 0
        for number, statement in enumerate(statements, start=1):
            try:
                cursor = con.execute(statement)
                columns = [d[0] for d in cursor.description or []]
                rows = cursor.fetchall()
            except duckdb.Error as exc:
                which = f" (statement {number} of {len(statements)})" if len(statements) > 1 else ""
                raise fail(f"query failed{which}: {_first_line(exc)}") from None
            if len(statements) == 1 or statement.type.name in QUERY_STATEMENTS:
                if printed and output is not OutputFormat.json:
                    out.line()  # a blank line between results (JSON: one array a line)
                _print_rows(columns, rows, output)
                printed += 1


@app.command()
def export(
    name: Annotated[str, typer.Argument(help="A table or view of the warehouse (documents, metric_series, ...).")],
    to: Annotated[Path, typer.Option("--to", help="The file to write: .csv, .parquet or .xlsx, by its suffix.")],
    warehouse: WarehouseOption = None,
) -> None:
    """Write one table or view of the warehouse to a .csv, .parquet or .xlsx file."""
    import duckdb

    from speech_etl.export import ExportError, UnknownFormat, UnknownName, export_format
    from speech_etl.export import export as export_table

    try:
        export_format(to)
    except UnknownFormat as exc:
        raise fail(str(exc), 2) from None
    db = _database(warehouse)
    if to.is_dir():
        raise fail(f"cannot write {to}: it is a folder")
    if not to.parent.is_dir():
        raise fail(f"cannot write {to}: there is no folder {to.parent}")
    try:
        result = export_table(db, name, to)
    except UnknownName as exc:
        raise fail(str(exc), 2) from None
    except ExportError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write {to}: {exc.strerror or exc}") from None
    except duckdb.Error as exc:  # DuckDB's own writing: a full disk, a folder that is not there
        raise fail(f"cannot write {to}: {_first_line(exc)}") from None
    if result.cut_cells:
        err.print(f"note: {result.cut_cells} cells longer than 32,767 characters (Excel's limit) were cut; "
                  ".csv and .parquet keep them whole", highlight=False, soft_wrap=True)
    out.print(f"wrote {result.path}: {result.name}, {result.rows} rows, {result.columns} columns",
              highlight=False, soft_wrap=True, markup=False)


@app.command()
def report(
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")],
    warehouse: WarehouseOption = None,
    issuer: Annotated[str | None, typer.Option("--issuer", help="Only this issuer's documents (e.g. 国务院).")] = None,
    indicator: Annotated[list[str] | None, typer.Option(
        "--indicator", help="Indicator keys to chart: --indicator gdp cpi (default: those with most figures).")] = None,
    year_from: Annotated[int | None, typer.Option("--from", help="First document year.")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="Last document year.")] = None,
    compare: Annotated[tuple[str, str] | None, typer.Option(
        "--compare", help="Two doc_ids (or years / YEAR-YEAR) whose terms to compare (default: the first and last "
                          "year of --from/--to, else the latest two).")] = None,
    page: Annotated[str, typer.Option(
        "--page", help="overview (default); progress: an issuer's part-year figures against the year's targets "
                       "(--issuer, --year); regions: one indicator across the regions of a level (--level, "
                       "--indicator, --measure, --span).")] = "overview",
    year: Annotated[int | None, typer.Option(
        "--year", help="--page progress: the year (default the latest with part-year figures).")] = None,
    level: Annotated[str | None, typer.Option(
        "--level", help="--page regions: region level (city, county, district, ...).")] = None,
    measure: Annotated[str | None, typer.Option("--measure", help="--page regions: growth, level, ...")] = None,
    span: Annotated[str | None, typer.Option(
        "--span", help="--page regions: year, half, quarter, months, month, other.")] = None,
) -> None:
    """Write a self-contained HTML progress report (charts, targets, term shifts); see docs/report.md."""
    from report import ReportError, ReportOptions, build_report

    try:
        opts = ReportOptions(issuer=issuer, indicators=tuple(k for v in indicator or [] for k in v.split(",") if k),
                             year_from=year_from, year_to=year_to, compare=tuple(compare) if compare else None,
                             page=page, year=year, level=level, measure=measure, span=span)
    except ValueError as exc:
        raise fail(str(exc), 2) from None
    try:
        result = build_report(warehouse or Settings().warehouse, out_path, opts)
    except FileNotFoundError as exc:
        raise fail(f"{exc}; run `speech-etl ingest PATH --warehouse DIR` first") from None
    except ReportError as exc:
        raise fail(str(exc), 2) from None
    except OSError as exc:
        raise fail(f"cannot write {out_path}: {exc.strerror or exc}") from None
    for message in result.messages:
        err.print(f"note: {message}", highlight=False, soft_wrap=True)
    out.print(f"wrote {result.path}: {result.documents} documents, {result.charts} charts",
              highlight=False, soft_wrap=True)


def _expand_multi_options(argv: list[str], options: tuple[str, ...] = ("--indicator",)) -> list[str]:
    """`--indicator gdp cpi` -> `--indicator gdp --indicator cpi` (click options take one value)."""
    expanded, current = [], None
    for arg in argv:
        if arg.startswith("-"):
            current = arg if arg in options else None
            expanded.append(arg)
        elif current and expanded[-1] != current:
            expanded += [current, arg]
        else:
            expanded.append(arg)
    return expanded


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _print_rows(columns: list[str], rows: list[tuple], output: OutputFormat) -> None:
    if output is OutputFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_text(v) for v in row] for row in rows])
    elif output is OutputFormat.json:
        records = [dict(zip(columns, row)) for row in rows]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, default=str) + "\n")
    else:
        table = Table(show_header=True, header_style="bold")
        for column in columns:
            table.add_column(Text(column))
        for row in rows:  # as Text: a value is never read as rich markup or an emoji code (root:x:0)
            table.add_row(*[Text(_text(v)) for v in row])
        out.print(table)
        out.print(f"({len(rows)} rows)")


def run(argv: list[str]) -> int:
    """The command line on `argv` (without the program's name); its exit status.
    Usage errors become one line and exit status 2."""
    try:
        code = app(args=_expand_multi_options(argv), standalone_mode=False, prog_name="speech-etl")
    except click_errors.NoArgsIsHelpError as exc:
        out.print(exc.ctx.get_help())
        return 2
    except click_errors.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "speech-etl"
        err.print(f"[bold red]error:[/] {exc.format_message()} (see `{command} --help`)", highlight=False,
                  soft_wrap=True)
        return 2
    except Abort:
        err.print("aborted")
        return 130
    return code if isinstance(code, int) else 0


def main() -> None:
    """Console entry point."""
    code = run(sys.argv[1:])
    # the interpreter's final garbage-collector passes over the whole heap
    # (Prefect, DuckDB, pandas) took a noticeable part of a second; exit hooks still run
    gc.freeze()
    sys.exit(code)
