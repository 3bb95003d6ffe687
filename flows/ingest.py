"""The ingest flow: discover -> plan -> process in batches -> write -> load.

Tasks are plain functions with clear inputs and outputs; the language work
lives in `transforms`, the tables in `warehouse`.
"""

from __future__ import annotations

import flows.prefect_env  # noqa: F401  (quiet Prefect defaults, before prefect is imported)

import datetime as dt
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from flows.files import (MIN_BATCH_BYTES, OUTSIDE_INPUT, InputFile, MetadataCsvs, Plan, batches, discover, plan,
                         sha256_bytes)
from flows.console import prefect_tracebacks_off, quiet_prefect_routine
from flows.lock import warehouse_lock
from flows.names import gb18030_reading, printable, stored_path
from flows.parts import FilePart, SplitFiles, read_part, split_large
from flows.progress import progress
from flows.summary import RunSummary
from flows.up_to_date import catalog_key
from flows.runners import DEFAULT_RUNNER, default_workers, stream_batches
from warehouse import load, records, schema
from speech_etl.settings import Settings
from transforms.limits import ReadLimits
from warehouse.lake import Lake, LakeState, SourceState, open_lake

if TYPE_CHECKING:
    from transforms.document import Rejection


@dataclass
class BatchResult:
    """What a batch task hands back to the flow: no table data, only the names
    of the Parquet files it wrote into the lake (not committed yet) and what
    the flow needs to commit them."""

    name: str  # <run_id>-<batch>: the files' and the commit's name
    files: dict[str, str] = field(default_factory=dict)  # table -> path relative to the lake root
    # (doc_id, sections, metrics, terms rows, date_source) of each document written, in order
    docs: list[tuple[str, int, int, int, str | None]] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    unchanged: int = 0  # content identical to what the lake has (only the mtime moved)
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)  # one console line each (documents loaded with a doubt)
    # (stored path, part index, doc_ids in order) of each part of a file read (flows/parts.py)
    parts: list[tuple[str, int, list[str]]] = field(default_factory=list)


def new_run_id() -> str:
    # sorts in time order, which is the lake's commit order
    return f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:6]}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _source_row(f: InputFile, sha: str | None, status: str, doc_ids: list[str], run_id: str) -> dict:
    return {"source_path": f.stored, "size": f.size, "mtime_ns": f.mtime_ns, "content_sha256": sha,
            "status": status, "doc_ids": doc_ids, "run_id": run_id, "seen_at": _now()}


def _reject_row(path: str, rejection: Rejection, run_id: str) -> dict:
    return {"source_path": path, "source_record": rejection.source_record, "reason": rejection.reason,
            "detail": rejection.detail, "run_id": run_id, "seen_at": _now()}


def _kept_after_footer(path: str, record: int | None, chars: int) -> str:
    return (f"{path}{f' line {record}' if record else ''}: kept {chars:,} characters after a site footer "
            "(cutting there would drop much of the text; the file may hold several documents: "
            "documents.chrome_kept_chars)")


def _refusal(f: InputFile) -> Rejection:
    """Why a file found but refused unread (flows/files.py) is rejected."""
    from transforms.document import Rejection

    if f.refused == OUTSIDE_INPUT:
        target = stored_path(os.path.realpath(f.path))
        return Rejection(OUTSIDE_INPUT, f"a symbolic link to {target}, outside the input paths "
                                        "(--follow-symlinks follows it)")
    reading = gb18030_reading(f.path)
    return Rejection(f.refused, "the file name is not UTF-8" + (f" (as GB18030: {reading})" if reading else "")
                     + "; rename it, e.g. with `convmv -f gbk -t utf-8`")


def _read_bytes(f: InputFile, limits: ReadLimits) -> bytes | Rejection:
    """The file's bytes, or why it cannot be read (never more than the limit)."""
    from transforms.document import Rejection

    too_large = Rejection("too_large", f"larger than {limits.max_file_bytes:,} bytes, the most one file may be "
                                       "(SPEECH_ETL_MAX_FILE_BYTES)")
    if f.size > limits.max_file_bytes:
        return too_large
    try:
        with open(f.path, "rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)
    except OSError as exc:
        return Rejection("unreadable", f"{type(exc).__name__}: {exc.strerror or exc}")
    return too_large if len(data) > limits.max_file_bytes else data


def _transient_io_error(task, task_run, state) -> bool:
    """Retry on I/O errors (disk full, a network share that hiccuped), never on bad input."""
    return isinstance(state.result(raise_on_failure=False), (OSError, duckdb.IOException))


# Small parameters and results, nothing cached or persisted: Prefect serializes
# nothing big per task run (docs/performance.md).
_TASK_OPTIONS = dict(cache_policy=NO_CACHE, persist_result=False)
# Documents are turned into Arrow rows and written every this many characters,
# so a worker holds at most about this much processed text whatever the batch
# size. Half a million since the workers are forked from a forkserver that
# stays resident beside them (flows/runners.py): bench/hostile_memory.py's
# peak, RSS summed over the run's processes, was 1.54 GB with a million, 1.44 GB
# with this (goal <= 1.5 GB).
CHUNK_CHARS = 500_000


class _DocumentWriter:
    """A batch's documents, turned into Arrow rows and written every
    CHUNK_CHARS characters; a text read twice in the batch is written once."""

    def __init__(self, writer, result: BatchResult, run_id: str):
        self.writer, self.result, self.run_id = writer, result, run_id
        self.ingested_at = _now()
        self.pending: list[tuple] = []  # (document, source path) not yet written
        self.pending_chars = 0
        self.seen: set[str] = set()

    def add(self, doc, path: str) -> None:
        if doc.doc_id in self.seen:
            return
        self.seen.add(doc.doc_id)
        self.pending.append((doc, path))
        self.pending_chars += len(doc.text)
        if self.pending_chars >= CHUNK_CHARS:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        for table, data in records.document_tables(self.pending, self.run_id, self.ingested_at).items():
            self.writer.write(table, data)
        self.result.docs.extend((d.doc_id, len(d.sections), len(d.metrics), len(d.terms), d.date_source)
                                for d, _ in self.pending)
        self.pending, self.pending_chars = [], 0


@task(name="process-batch", **_TASK_OPTIONS)
def process_batch(files: list[InputFile | FilePart], known: dict[str, tuple[str | None, list[str]]], run_id: str,
                  lake_url: str, name: str, limits: ReadLimits = ReadLimits()) -> BatchResult:
    """Read, decode and run the pipeline over one batch of files and parts of
    files (flows/parts.py), and write the batch's Parquet files into the lake
    at `lake_url` (a folder or fsspec URL; uncommitted: the flow commits them).
    `known`: the content hash and documents the lake holds for each file (a
    hash of None: a rejected file's last good version). A file rejected whole
    keeps that version. A part's file gets its `sources` row from the flow."""
    result = BatchResult(name=name)
    writer = Lake(lake_url).batch_writer(name)
    documents = _DocumentWriter(writer, result, run_id)
    user_meta = MetadataCsvs()  # metadata.csv rows beside the files
    try:
        for item in files:
            if isinstance(item, FilePart):
                doc_ids, _ = _add_records(read_part(item, limits), item.file, documents, user_meta)
                result.parts.append((item.stored, item.index, doc_ids))
            else:
                _add_file(item, known.get(item.stored, (None, [])), limits, documents, user_meta)
        documents.flush()
        writer.write("rejects", records.table(result.rejects, schema.REJECTS))
        writer.write("sources", records.table(result.sources, schema.SOURCES))
        result.files = writer.close()
    except BaseException:
        writer.abort()
        raise
    return result


def _add_file(f: InputFile, known: tuple[str | None, list[str]], limits: ReadLimits,
              documents: _DocumentWriter, user_meta: MetadataCsvs) -> None:
    """Read one whole file into the batch, with its `sources` row."""
    # the language work is imported here, not at the top: a run with nothing to read never needs it
    from transforms.document import Rejection
    from transforms.readers import read_source

    result, run_id = documents.result, documents.run_id
    known_sha, last_good = known  # a file rejected whole keeps its last good documents
    data = _refusal(f) if f.refused else _read_bytes(f, limits)
    if isinstance(data, Rejection):
        result.rejects.append(_reject_row(f.stored, data, run_id))
        result.sources.append(_source_row(f, None, "rejected", last_good, run_id))
        result.rejected += 1
        return
    sha = sha256_bytes(data)
    if known_sha == sha:  # only the mtime moved
        result.unchanged += 1
        result.sources.append(_source_row(f, sha, "loaded", last_good, run_id))
        return
    if not f.supported:
        outputs = [Rejection("unsupported_format", f"{Path(f.path).suffix or 'no extension'} is not a speech file type")]
    else:
        outputs = read_source(data, Path(f.path).name, limits)
    del data
    doc_ids, file_rejected = _add_records(outputs, f, documents, user_meta)
    if file_rejected or not doc_ids:
        result.rejected += 1
    result.sources.append(_source_row(f, sha, "loaded" if doc_ids else "rejected", doc_ids or last_good, run_id))


def _add_records(outputs: list, f: InputFile, documents: _DocumentWriter,
                 user_meta: MetadataCsvs) -> tuple[list[str], bool]:
    """Run the pipeline over a file's records (texts and rejections, in order;
    `outputs` is emptied as it goes); the doc_ids of its documents, in order,
    and whether the file itself was rejected."""
    from transforms.document import Rejection
    from transforms.pipeline import process

    result, run_id = documents.result, documents.run_id
    doc_ids: list[str] = []
    file_rejected = False
    outputs.reverse()
    while outputs:
        item = outputs.pop()  # each text is let go once processed
        if isinstance(item, Rejection):
            result.rejects.append(_reject_row(f.stored, item, run_id))
            file_rejected = file_rejected or item.source_record is None
            continue
        item.path = f.stored
        stated = user_meta.meta_for(f.path) if item.source_format != "jsonl" else {}
        if stated:  # the user's metadata.csv beats what the file's own markup says
            item.meta = {**item.meta, **stated}
        try:
            doc = process(item)
        except Exception as exc:  # noqa: BLE001 - a pipeline bug on one text must not stop the run
            result.rejects.append(_reject_row(f.stored, Rejection(
                "unprocessable", f"{type(exc).__name__}: {exc}"[:200], item.source_record), run_id))
            continue
        if doc.chrome_kept_chars:
            result.warnings.append(_kept_after_footer(f.stored, item.source_record, doc.chrome_kept_chars))
        if not doc.text:
            result.rejects.append(_reject_row(f.stored, Rejection(
                "empty", "no text left after removing site chrome", item.source_record), run_id))
            continue
        doc_ids.append(doc.doc_id)
        documents.add(doc, f.stored)
    return doc_ids, file_rejected


def _new_documents(docs: list[tuple], live: set[str]) -> tuple[list[tuple], set[str]]:
    """The batch's documents the warehouse does not hold yet (same text seen
    before, under any path, in an earlier commit or batch), and the doc_ids
    of the others, whose rows the commit drops."""
    keep = [d for d in docs if d[0] not in live]
    return keep, {d[0] for d in docs} - {d[0] for d in keep}


def _retired(result: BatchResult, state: LakeState) -> list[str]:
    """doc_ids of changed files' old versions that no current file still has,
    once the batch's source records replace the files' earlier ones."""
    sources = dict(state.sources)
    old_ids: set[str] = set()
    for row in result.sources:
        known = sources.get(row["source_path"])
        if known and known.status in ("loaded", "rejected"):  # a rejected file may hold its last good version
            old_ids.update(set(known.doc_ids) - set(row["doc_ids"]))
        sources[row["source_path"]] = SourceState(
            row["size"], row["mtime_ns"], row["content_sha256"], row["status"], row["doc_ids"])
    # a deleted file's rows stay, and a rejected one's last good version, so their documents are still held too
    still_held = {d for s in sources.values() for d in s.doc_ids}
    return sorted(old_ids - still_held)


@task(name="write-batch", retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=_transient_io_error,
      **_TASK_OPTIONS)
def write_batch(lake: Lake, result: BatchResult, state: LakeState) -> dict[str, int]:
    """Commit one batch the batch task wrote: drop documents already held,
    retire changed files' old documents, write the manifest; rows per table.
    `state` is updated only once the commit is written (a retry starts afresh)."""
    keep, drop = _new_documents(result.docs, state.live_doc_ids)
    retired = _retired(result, state)
    lake.commit(result.name, result.files, retired, drop)
    for row in result.sources:
        state.sources[row["source_path"]] = SourceState(
            row["size"], row["mtime_ns"], row["content_sha256"], row["status"], row["doc_ids"])
    state.live_doc_ids.difference_update(retired)
    state.live_doc_ids.update(d[0] for d in keep)
    return {"documents": len(keep), "sections": sum(d[1] for d in keep), "metrics": sum(d[2] for d in keep),
            "terms": sum(d[3] for d in keep), "rejects": len(result.rejects), "sources": len(result.sources),
            "date_sources": _date_source_counts(keep)}


def _date_source_counts(docs: list[tuple]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for d in docs:
        key = (d[4] if len(d) > 4 else None) or "none"
        counts[key] = counts.get(key, 0) + 1
    return counts


@task(name="load-warehouse", retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=_transient_io_error)
def load_warehouse(warehouse_dir: Path, rebuild: bool = False) -> bool:
    # the catalog file's hash decides whether the database is current; the
    # catalog itself (and the figure extractor it lives in) loads only for a rebuild
    return load.build(warehouse_dir, _indicator_catalog, force=rebuild, catalog_key=catalog_key())


def _indicator_catalog() -> list[dict]:
    from transforms.metrics import load_indicator_catalog

    return load_indicator_catalog()


def _record_interrupted_runs(lake: Lake) -> list[str]:
    """Give each run that committed batches but was killed before its own run
    record a `runs` row (finished_at NULL, rows counted from its files), so the
    runs table accounts for every row in the lake. Returns those run ids."""
    commits = lake.commits()
    recorded = {c.name.removesuffix("-run") for c in commits if c.name.endswith("-run")}
    pending: dict[str, list] = {}
    for c in commits:
        run_id = c.name.rsplit("-", 1)[0]
        if run_id not in recorded:
            pending.setdefault(run_id, []).append(c)
    for run_id, run_commits in pending.items():
        rows = {t: 0 for t in ("documents", "sections", "metrics", "terms", "rejects")}
        for c in run_commits:
            for table, path in c.files.items():
                if table in rows:
                    rows[table] += lake.num_rows(path)
        try:
            started = dt.datetime.strptime(run_id.split("-")[0], "%Y%m%dT%H%M%S%f")
        except ValueError:
            started = None
        lake.write_batch(f"{run_id}-run", {"runs": records.table([{
            "run_id": run_id, "flow_run_id": None, "started_at": started, "finished_at": None,
            "files_seen": None, "files_new": None, "files_unchanged": None, "files_rejected": None,
            "files_deleted": None, **{f"{t}_written": n for t, n in rows.items()},
        }], schema.RUNS)})
    return list(pending)


def _cell(text: str) -> str:
    """A markdown table cell: one line, no column break."""
    return printable(text).replace("|", "\\|")


def _summary_markdown(summary: RunSummary) -> str:
    lines = [
        f"# speech-etl ingest `{summary.run_id}`",
        "",
        "| files seen | new or changed | unchanged | rejected | deleted |",
        "|---:|---:|---:|---:|---:|",
        f"| {summary.files_seen} | {summary.files_new} | {summary.files_unchanged} | "
        f"{summary.files_rejected} | {len(summary.files_deleted)} |",
        "",
        "| table | rows added |",
        "|---|---:|",
        *[f"| {t} | {n} |" for t, n in summary.rows.items()],
    ]
    if summary.date_sources:
        lines += ["", summary.date_source_line()]
    if summary.rejects:
        lines += ["", "## Rejected", "", "| file | record | reason | detail |", "|---|---:|---|---|"]
        lines += [f"| {_cell(r['source_path'])} | {r['source_record'] or ''} | {r['reason']} | {_cell(r['detail'])} |"
                  for r in summary.rejects]
    if summary.files_deleted:
        lines += ["", "## Deleted since the last run (their rows stay)", ""]
        lines += [f"- {printable(p)}" for p in summary.files_deleted]
    return "\n".join(lines)


def known_files(state: LakeState) -> dict[str, tuple[str | None, list[str]]]:
    """What the lake holds per file: a loaded one's content hash and documents,
    a rejected one's last good version (and no hash)."""
    return {p: (s.content_sha256 if s.status == "loaded" else None, s.doc_ids)
            for p, s in state.sources.items() if s.doc_ids and s.status in ("loaded", "rejected")}


def batch_calls(to_read: list[InputFile], known: dict[str, tuple[str | None, list[str]]], run_id: str,
                lake_url: str, size: int, batch_files: int, limits: ReadLimits,
                workers: int | None = None) -> tuple[list[dict], SplitFiles]:
    """The process-batch calls that read `to_read` in batches of `size` bytes,
    or with `workers`, from larger ones down to that size (flows/files.py
    batches), large .jsonl files in parts of `size` (flows/parts.py); and the
    parts to wait for."""
    items = split_large(to_read, size, limits, {path: sha for path, (sha, _) in known.items()})
    calls = [{"files": group, "run_id": run_id, "lake_url": lake_url, "name": f"{run_id}-{number:05d}",
              "known": {f.stored: known[f.stored] for f in group if isinstance(f, InputFile) and f.stored in known},
              "limits": limits}
             for number, group in enumerate(batches(items, size, batch_files, workers), start=1)]
    return calls, SplitFiles(items)


def commit_batch(lake: Lake, result: BatchResult, state: LakeState, split: SplitFiles,
                 known: dict[str, tuple[str | None, list[str]]], run_id: str,
                 commit: Callable[[Lake, BatchResult, LakeState], dict]) -> list[tuple[BatchResult, dict]]:
    """Commit one batch with `commit` (write_batch), then, in a commit of their
    own, the `sources` rows of the files whose last part it read: a run stopped
    before that reads such a file again. (result, rows per table) of each commit."""
    committed = [(result, commit(lake, result, state))]
    rows = [_source_row(part.file, part.sha, "loaded" if doc_ids else "rejected",
                        doc_ids or known.get(part.stored, (None, []))[1], run_id)  # rejected: the last good version stays
            for part, doc_ids in split.finished(result.parts)]
    if rows:
        sources = BatchResult(name=f"{result.name}s", sources=rows,  # sorts after its batch, before the next one
                              rejected=sum(row["status"] == "rejected" for row in rows))
        writer = lake.batch_writer(sources.name)
        try:
            writer.write("sources", records.table(rows, schema.SOURCES))
            sources.files = writer.close()
        except BaseException:
            writer.abort()
            raise
        committed.append((sources, commit(lake, sources, state)))
    return committed


def _write_batch_run(lake: Lake, result: BatchResult, state: LakeState) -> dict:
    # quote(): Prefect would otherwise walk the lake state, which grows with every batch
    return write_batch(lake, quote(result), quote(state))


def _add_to_summary(summary: RunSummary, totals: dict[str, int], result: BatchResult, counts: dict, logger) -> None:
    """Count a committed batch in the run's summary and say what it rejected."""
    for source, n in counts.pop("date_sources", {}).items():
        summary.date_sources[source] = summary.date_sources.get(source, 0) + n
    for name, n in counts.items():
        totals[name] += n
    summary.files_unchanged += result.unchanged
    summary.files_rejected += result.rejected
    summary.rejects += result.rejects
    for warning in result.warnings:
        logger.warning("%s", printable(warning))
    for reject in result.rejects:
        logger.warning("rejected %s%s: %s (%s)", printable(reject["source_path"]),
                       f" line {reject['source_record']}" if reject["source_record"] else "",
                       reject["reason"], printable(reject["detail"]))


def _batch_label(group: list[InputFile | FilePart]) -> str:
    """What a batch read: "3 files", "parts 2-3 of 11 of reports.jsonl", or both."""
    parts: dict[str, list[FilePart]] = {}
    for item in group:
        if isinstance(item, FilePart):
            parts.setdefault(item.stored, []).append(item)
    whole = len(group) - sum(map(len, parts.values()))
    said = [f"{whole} files"] if whole or not parts else []
    for path, of_file in parts.items():
        first, last = of_file[0].index + 1, of_file[-1].index + 1
        numbers = f"part {first}" if first == last else f"parts {first}-{last}"
        said.append(f"{numbers} of {of_file[0].count} of {printable(os.path.basename(path))}")
    return ", ".join(said)


def _record_deleted(lake: Lake, deleted: list[str], state: LakeState, run_id: str, logger) -> None:
    """A `sources` row for each file deleted since the last run (its rows stay)."""
    if not deleted:
        return
    lake.write_batch(f"{run_id}-deleted", {"sources": records.table(
        [_source_row(InputFile(p, -1, -1), None, "deleted", state.sources[p].doc_ids, run_id) for p in deleted],
        schema.SOURCES)})
    for path in deleted:
        logger.warning("deleted since the last run: %s (its rows stay in the warehouse)", printable(path))


def _record_run(lake: Lake, summary: RunSummary, started: dt.datetime) -> None:
    """The run's own `runs` row, its last commit."""
    lake.write_batch(f"{summary.run_id}-run", {"runs": records.table([{
        "run_id": summary.run_id, "flow_run_id": str(flow_run.id) if flow_run.id else None,
        "started_at": started, "finished_at": _now(),
        "files_seen": summary.files_seen, "files_new": summary.files_new,
        "files_unchanged": summary.files_unchanged, "files_rejected": summary.files_rejected,
        "files_deleted": len(summary.files_deleted),
        **{f"{t}_written": summary.rows[t] for t in ("documents", "sections", "metrics", "terms", "rejects")},
    }], schema.RUNS)})


@flow(name="speech-etl-ingest", log_prints=False)
def ingest(paths: list[str], warehouse: str = "data", batch_bytes: int | None = None,
           batch_files: int = 600, report: str | None = None, task_runner: str = DEFAULT_RUNNER,
           workers: int | None = None, dask_address: str | None = None, lake_url: str | None = None,
           follow_symlinks: bool = False, rebuild: bool = False) -> RunSummary:
    """Ingest speech files under `paths` into the warehouse at `warehouse`.

    Batches run on `task_runner` (processes, threads or dask; flows/runners.py)
    with `workers` workers, or on the Dask cluster at `dask_address`. The
    Parquet lake is `warehouse`/lake, or the folder or fsspec URL `lake_url`
    (recorded in the warehouse on first use; warehouse/lake.py). Links to
    files outside `paths` are rejected unless `follow_symlinks`; how much of
    one input is read comes from the settings (SPEECH_ETL_MAX_*). The new
    warehouse file is the published one with the run's commits added, or with
    `rebuild` (and when that cannot be) built whole from the lake."""
    prefect_tracebacks_off()  # under serve, too, a failure is a line, not a traceback (flows/console.py)
    quiet_prefect_routine()  # ... and no line per task run (unless --verbose)
    logger = get_run_logger()
    warehouse_dir = Path(warehouse).resolve()
    roots = [Path(p) for p in paths]
    run_id = new_run_id()
    summary = RunSummary(run_id=run_id)
    started = _now()
    with warehouse_lock(warehouse_dir, logger.info):
        lake = open_lake(warehouse_dir, lake_url, record=True)
        lake.remove_orphans()
        load.remove_leftovers(warehouse_dir)
        for killed in _record_interrupted_runs(lake):
            logger.warning("run %s was stopped before it finished; what it committed stays and is recorded "
                           "in the runs table (finished_at empty)", killed)
        state = lake.state()
        found = discover(roots, exclude=[warehouse_dir, *lake.folders()], follow_symlinks=follow_symlinks)
        work: Plan = plan(found, roots, state)
        summary.files_seen, summary.files_ignored = work.seen, len(work.ignored)
        summary.files_unchanged, summary.files_deleted = len(work.unchanged), work.deleted
        logger.info("%d files: %d to read, %d unchanged, %d deleted, %d of other types ignored",
                    work.seen, len(work.to_read), len(work.unchanged), len(work.deleted), len(work.ignored))
        known = known_files(state)
        # without a size, batches shrink from large ones to MIN_BATCH_BYTES as the run goes (flows/files.py)
        guided = None if batch_bytes else workers or (None if dask_address else default_workers())
        totals = {name: 0 for name in schema.LAKE_TABLES if name != "runs"}
        calls, split = batch_calls(work.to_read, known, run_id, lake.url, batch_bytes or MIN_BATCH_BYTES, batch_files,
                                   Settings().read_limits, guided)
        progress().reading(len(work.to_read), len(calls))
        # at most a few batches in flight, and the workers stop before the load (flows/runners.py)
        results = stream_batches(process_batch, calls, task_runner, workers, dask_address)
        for number, result in enumerate(results, start=1):
            committed = commit_batch(lake, result, state, split, known, run_id, _write_batch_run)
            for done, counts in committed:
                _add_to_summary(summary, totals, done, counts, logger)
            logger.info("batch %d/%d: %s, %d documents new, %d rejected", number, len(calls),
                        _batch_label(calls[number - 1]["files"]), sum(c.get("documents", 0) for _, c in committed),
                        sum(done.rejected for done, _ in committed))
            progress().batch_done(sum(len(done.sources) for done, _ in committed))
        summary.files_new = len(work.to_read) - summary.files_rejected - (summary.files_unchanged - len(work.unchanged))
        summary.rows = {name: totals[name] for name in ("documents", "sections", "metrics", "terms", "rejects")}
        summary.sources_recorded = totals["sources"]
        _record_deleted(lake, work.deleted, state, run_id, logger)
        if calls or work.deleted:  # the run committed to the lake (if only sources rows): it is recorded too
            _record_run(lake, summary, started)
        progress().loading()
        summary.warehouse_rebuilt = load_warehouse(warehouse_dir, rebuild)
    create_markdown_artifact(markdown=_summary_markdown(summary), key="speech-etl-ingest-summary",
                             description="What this ingest run read, wrote and rejected")
    if summary.rows.get("metrics"):
        from flows.report import publish_figures  # pandas: only when there are figures to show

        publish_figures(warehouse_dir, run_id)  # table artifact of the figures added
    if report:
        from flows.report import write_report

        write_report(warehouse_dir, report)  # the HTML report, after the load
    return summary
