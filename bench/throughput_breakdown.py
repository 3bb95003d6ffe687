"""Where the ingest's time goes, stage by stage, and Prefect's share (issue 5).

    .venv/bin/python bench/throughput_breakdown.py                  # 50 MB of text, ~2-4 min
    .venv/bin/python bench/throughput_breakdown.py --whole-command  # + `speech-etl ingest` on 15 copies

The whole command as a user runs it, on every input shape, against bare
`jieba.lcut`: bench/throughput.py. This one looks inside.

Generates distinct copies of the dev reports
(../shared/corpus/work_reports/government_work_reports_1954_2015.jsonl; each
record of copy i starts with a marker line, so every copy's documents have their
own doc_ids) in a temporary folder, then, in this one process, measures:

- bare `jieba.lcut` (default dictionary, one process) on the same text;
- the sketch ceiling: rjieba + a Counter of tokens + one regex pass, in a
  pool of `--workers` processes (no cleaning, no tables);
- the stage-by-stage breakdown, one process, warm: decode, each pipeline
  component (transforms/pipeline.py COMPONENTS), Arrow tables, Parquet, and
  the DuckDB build (timed on the flow's warehouse);
- the full ingest flow (Prefect, ProcessPoolTaskRunner, `--workers`):
  decode -> clean -> structure -> segment -> metrics -> Parquet -> DuckDB;
  wall time, start-up (until the first batch is committed, less one batch),
  steady-state throughput (between the first and the last batch commit,
  from the commit manifests' times), peak RSS. The temporary Prefect server
  is started, and its start-up timed, before the run, which is timed as
  under a running server;
- the same work without Prefect (a plain ProcessPoolExecutor over the same
  task functions, same batches, same window): Prefect's share of wall time is
  1 - plain / flow, with a running server and counting the server's start-up;
- `--whole-command`: `speech-etl ingest` as a separate command on 15 copies
  (14 M chars), start-up included, as a user runs it;
- `--command`: the same command on the whole generated corpus (the memory
  goal: its process tree's peak RSS);
- for the commands: peak RSS and CPU seconds of the process tree by role
  (the command's own process, the Prefect server, the workers), sampled
  from /proc every 0.1 s; resource.getrusage too.

Prints a table and writes it as JSON (`--json`, default
bench/results/throughput_breakdown.json). Only public tools: time.perf_counter,
resource, /proc.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import io
import json
import logging
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from process_tree import ProcessTree, role_by_rules  # noqa: E402  (bench/)

DEV_REPORTS = ROOT.parent / "shared" / "corpus" / "work_reports" / "government_work_reports_1954_2015.jsonl"
MB = 1_000_000
_USER_API_URL = os.environ.get("PREFECT_API_URL")


# -- corpus ------------------------------------------------------------------
def make_corpus(folder: Path, target_bytes: int | None, copies: int | None) -> dict:
    """Distinct copies of the dev reports, one .jsonl file per copy."""
    records = [json.loads(line) for line in DEV_REPORTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    folder.mkdir(parents=True, exist_ok=True)
    total_bytes = total_chars = n = 0
    while (copies is not None and n < copies) or (copies is None and total_bytes < target_bytes):
        lines = []
        for r in records:
            copy = dict(r, content=f"本文是基准测试的第{n + 1}份副本。\n{r['content']}")
            total_chars += len(copy["content"])
            lines.append(json.dumps(copy, ensure_ascii=False))
        data = ("\n".join(lines) + "\n").encode("utf-8")
        (folder / f"reports_copy{n + 1:05d}.jsonl").write_bytes(data)
        total_bytes += len(data)
        n += 1
    return {"copies": n, "bytes": total_bytes, "chars": total_chars, "records_per_copy": len(records)}


def corpus_text(folder: Path, max_chars: int) -> str:
    """The first `max_chars` characters of the generated records' text."""
    parts, size = [], 0
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts.append(json.loads(line)["content"])
            size += len(parts[-1])
            if size >= max_chars:
                return "\n".join(parts)[:max_chars]
    return "\n".join(parts)


# -- memory ------------------------------------------------------------------
# workers: spawned, Dask's, and the forkserver with the workers forked from it
# (flows/runners.py), as bench/throughput.py counts them
ROLE = role_by_rules([(b"prefect.server", "prefect server"), (b"multiprocessing.spawn", "workers"),
                      (b"forkserver", "workers"), (b"distributed", "workers"), (b"resource_tracker", "other")],
                     otherwise="flow", gone="gone")
MIB = 2**20


def tree_summary(tree: ProcessTree) -> dict:
    """Peak RSS of the tree (in all, the Prefect server's, the rest's) and by process; CPU seconds by role."""
    server = [s.rss_by_role.get("prefect server", 0) for s in tree.samples]
    return {"peak_tree_mb": tree.peak("rss") / MIB,
            "peak_pipeline_mb": max((s.rss - rss for s, rss in zip(tree.samples, server)), default=0) / MIB,
            "peak_prefect_server_mb": max(server, default=0) / MIB,
            "peak_per_process_mb": sorted((rss / MIB for rss in tree.peak_rss.values()), reverse=True)[:8],
            "peak_by_role_mb": tree.by_role({p: rss / MIB for p, rss in tree.peak_rss.items()}, max),
            "cpu_by_role_s": tree.by_role(tree.cpu, sum)}


def getrusage_mb() -> dict:
    return {"self_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


# -- measurements ------------------------------------------------------------
def bare_jieba(text: str) -> dict:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    jieba.lcut("预热一下")
    t = time.perf_counter()
    tokens = jieba.lcut(text)
    seconds = time.perf_counter() - t
    return {"chars": len(text), "seconds": seconds, "chars_per_s": len(text) / seconds, "tokens": len(tokens)}


_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


def _sketch_file(path: str) -> tuple[int, int]:
    import rjieba

    global _SKETCH_TOK
    try:
        tok = _SKETCH_TOK
    except NameError:
        tok = _SKETCH_TOK = rjieba.Jieba()
    chars = terms = 0
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["content"]
        counts = Counter(tok.cut(text))
        figures = sum(1 for _ in _NUMBER.finditer(text))
        chars += len(text)
        terms += len(counts) + figures
    return chars, terms


def _sketch_warm() -> None:
    _sketch_file(str(DEV_REPORTS))


def sketch_ceiling(folder: Path, workers: int) -> dict:
    files = [str(p) for p in sorted(folder.glob("*.jsonl"))]
    ctx = __import__("multiprocessing").get_context("spawn")
    with cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=_sketch_warm) as pool:
        list(pool.map(_sketch_warm_noop, range(workers)))  # workers up and warm
        t = time.perf_counter()
        chars = sum(c for c, _ in pool.map(_sketch_file, files))
        seconds = time.perf_counter() - t
    return {"chars": chars, "seconds": seconds, "chars_per_s": chars / seconds, "workers": workers}


def _sketch_warm_noop(_: int) -> None:
    return None


def stage_breakdown(folder: Path, max_files: int) -> dict:
    import pyarrow.parquet as pq

    from flows.runners import warm_worker
    from transforms.document import Document, SourceText
    from transforms.pipeline import COMPONENTS
    from transforms.readers import read_source
    from warehouse import records, schema

    warm_worker()
    seconds: dict[str, float] = {"decode": 0.0, **{name: 0.0 for name, _ in COMPONENTS}, "arrow": 0.0, "parquet": 0.0}
    chars = 0
    for path in sorted(folder.glob("*.jsonl"))[:max_files]:
        data = path.read_bytes()
        t = time.perf_counter()
        sources = [s for s in read_source(data, path.name) if isinstance(s, SourceText)]
        seconds["decode"] += time.perf_counter() - t
        docs = [Document(source=s) for s in sources]
        for name, component in COMPONENTS:
            t = time.perf_counter()
            docs = [component(d) for d in docs]
            seconds[name] += time.perf_counter() - t
        chars += sum(len(d.text) for d in docs)
        t = time.perf_counter()
        tables = records.document_tables([(d, str(path)) for d in docs], "bench", dt.datetime.now())
        seconds["arrow"] += time.perf_counter() - t
        t = time.perf_counter()
        for name, table in tables.items():
            pq.write_table(table.cast(schema.LAKE_TABLES[name]), io.BytesIO(), compression="zstd")
        seconds["parquet"] += time.perf_counter() - t
    return {"chars": chars, "files": min(max_files, len(list(folder.glob("*.jsonl")))), "seconds": seconds}


def _commit_times(warehouse: Path) -> list[tuple[float, int]]:
    """(commit time, chars of its documents) of each batch commit, in order."""
    import duckdb

    from warehouse.lake import Lake

    lake = Lake(warehouse / "lake")
    out = []
    con = duckdb.connect()
    for commit in lake.commits():
        if "documents" not in commit.files:
            continue
        path = lake.root / commit.files["documents"]
        chars = con.execute("SELECT coalesce(sum(char_count), 0) FROM read_parquet(?)", [str(path)]).fetchone()[0]
        manifest = lake.root / "_commits" / f"{commit.name}.json"
        out.append((manifest.stat().st_mtime, int(chars)))
    con.close()
    return out


def flow_ingest(folder: Path, warehouse: Path, workers: int) -> dict:
    """The ingest flow with the process pool, in this process. Without
    PREFECT_API_URL, the temporary Prefect server is started (and its start-up
    timed) first, so the run itself is timed as under a running server."""
    from flows.ingest import ingest
    from flows.prefect_api import TemporaryServer
    from flows.runners import run_flow
    from speech_etl.settings import Settings

    settings = Settings()
    server_start = None
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        t = time.perf_counter()
        server = TemporaryServer()
        server.wait_ready()
        server_start = time.perf_counter() - t
    started_wall = time.time()
    t = time.perf_counter()
    with ProcessTree(os.getpid(), ROLE, root_role="flow") as tree:
        summary = run_flow(ingest, [str(folder)], str(warehouse), settings.batch_bytes, settings.batch_files,
                           task_runner="processes", workers=workers, server=server)
    wall = time.perf_counter() - t
    commits = _commit_times(warehouse)
    chars = sum(c for _, c in commits)
    out = {"wall_s": wall, "chars": chars, "batches": len(commits), "rows": summary.rows,
           "server_start_s": server_start, **tree_summary(tree)}
    if len(commits) >= 3:
        first, last = commits[0][0], commits[-1][0]
        steady_chars = sum(c for _, c in commits[1:])
        per_batch = (last - first) / (len(commits) - 1)
        out["steady_chars_per_s"] = steady_chars / (last - first)
        out["startup_s"] = max(0.0, (first - started_wall) - per_batch)
        out["after_last_commit_s"] = started_wall + wall - last  # DuckDB build, summary, server stop
    out["chars_per_s"] = chars / wall
    return out


def _plain_process(files, lake_root, name):
    from flows.ingest import process_batch

    return process_batch.fn(files, {}, "plain", lake_root, name)


def plain_ingest(folder: Path, warehouse: Path, workers: int) -> dict:
    """The same work without Prefect: same batches, same window, same functions."""
    from flows.files import batch_bytes_for, batches, discover, plan
    from flows.ingest import _indicator_catalog, write_batch
    from flows.runners import warm_worker
    from speech_etl.settings import Settings
    from warehouse import load
    from warehouse.lake import Lake

    settings = Settings()
    ctx = __import__("multiprocessing").get_context("spawn")
    t = time.perf_counter()
    lake = Lake(warehouse / "lake")
    state = lake.state()
    work = plan(discover([folder], exclude=[warehouse]), [folder], state)
    groups = batches(work.to_read, batch_bytes_for(work.to_read, workers, settings.batch_bytes), settings.batch_files)
    limit = 2 * workers
    with cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=warm_worker) as pool:
        calls = [(group, str(lake.root), f"plain-{n:05d}") for n, group in enumerate(groups, start=1)]
        pending, it = [], iter(calls)
        for call in it:
            pending.append(pool.submit(_plain_process, *call))
            if len(pending) >= limit:
                break
        while pending:
            result = pending.pop(0).result()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(_plain_process, *nxt))
            write_batch.fn(lake, result, state)
    t_load = time.perf_counter()
    # the catalog (and the figure extractor it lives in) is imported here, as
    # the flow's load task does, so both runs pay for that import
    load.build(warehouse, _indicator_catalog)
    end = time.perf_counter()
    return {"wall_s": end - t, "duckdb_build_s": end - t_load}


def whole_command(folder: Path, warehouse: Path, workers: int) -> dict:
    """`speech-etl ingest FOLDER -w WAREHOUSE` as a separate command, start-up
    included; its process tree's peak RSS and CPU seconds per role (the flow's
    process, the Prefect server, the workers)."""
    exe = Path(sys.executable).with_name("speech-etl")
    cmd = [str(exe), "ingest", str(folder), "--warehouse", str(warehouse), "--workers", str(workers)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    # the command's own process tree only (not this process, nor the temporary
    # Prefect server the in-process flow run left running until this one exits)
    # ... and as a user runs it: with the PREFECT_API_URL the benchmark was given,
    # not the temporary server of the in-process flow run
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    if _USER_API_URL:
        env["PREFECT_API_URL"] = _USER_API_URL
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    with ProcessTree(proc.pid, ROLE, root_role="flow") as tree:
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t
    proc = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"command": " ".join(cmd), "wall_s": wall,
            "cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), **tree_summary(tree)}


# -- report ------------------------------------------------------------------
def machine() -> dict:
    import duckdb
    import prefect
    import pyarrow

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cores": len(os.sched_getaffinity(0)), "cpu": cpu, "memory_gib": round(mem, 1),
            "python": platform.python_version(), "prefect": prefect.__version__,
            "pyarrow": pyarrow.__version__, "duckdb": duckdb.__version__, "load_1min": os.getloadavg()[0]}


def print_table(result: dict) -> None:
    rows: list[tuple[str, str]] = []
    c = result["corpus"]
    j = result["jieba_lcut"]
    rows.append(("corpus", f"{c['copies']} copies, {c['chars'] / 1e6:.1f} M chars, {c['bytes'] / MB:.0f} MB"))
    rows.append(("bare jieba.lcut (1 process)", f"{j['chars_per_s'] / 1e6:.2f} M chars/s (on {j['chars'] / 1e6:.1f} M chars)"))
    if "sketch" in result:
        s = result["sketch"]
        rows.append((f"sketch ceiling ({s['workers']} processes)",
                     f"{s['chars_per_s'] / 1e6:.2f} M chars/s = {s['chars_per_s'] / j['chars_per_s']:.1f}x jieba.lcut"))
    if "stages" in result:
        st = result["stages"]
        total = sum(st["seconds"].values())
        rows.append(("stages (1 process, warm)", f"{st['chars'] / total / 1e6:.2f} M chars/s over {st['files']} copies"))
        for name, sec in st["seconds"].items():
            rows.append((f"  {name}", f"{sec:6.2f} s  {100 * sec / total:5.1f}%  {st['chars'] / sec / 1e6:7.2f} M chars/s"))
    f = result.get("flow")
    if f:
        if "duckdb_build_s" in f:
            rows.append(("  duckdb build (flow's warehouse)", f"{f['duckdb_build_s']:6.2f} s  "
                         f"{f['chars'] / f['duckdb_build_s'] / 1e6:7.2f} M chars/s"))
        rows.append((f"ingest flow ({result['workers']} processes)", f"{f['wall_s']:.1f} s wall, {f['batches']} batches, "
                     f"{f['chars_per_s'] / 1e6:.2f} M chars/s = {f['chars_per_s'] / j['chars_per_s']:.1f}x jieba.lcut"))
        if "steady_chars_per_s" in f:
            rows.append(("  steady state", f"{f['steady_chars_per_s'] / 1e6:.2f} M chars/s = "
                         f"{f['steady_chars_per_s'] / j['chars_per_s']:.1f}x jieba.lcut (goal >= 10x)"))
            if "sketch" in result:
                rows.append(("  of the sketch ceiling", f"{100 * f['steady_chars_per_s'] / result['sketch']['chars_per_s']:.0f}%"))
            rows.append(("  start-up (once)", f"{f['startup_s']:.1f} s; after the last batch {f['after_last_commit_s']:.1f} s"))
        rows.append(("  peak RSS", f"{f['peak_tree_mb']:.0f} MB process tree (pipeline {f['peak_pipeline_mb']:.0f} MB, "
                     f"Prefect server {f['peak_prefect_server_mb']:.0f} MB) (goal <= 1500 MB)"))
    if "plain" in result and f:
        p = result["plain"]
        rows.append(("same work without Prefect", f"{p['wall_s']:.1f} s wall"))
        rows.append(("  Prefect's share of wall time", f"{100 * result['prefect_share']:.1f}% with a running server (goal <= 10%)"))
        if "prefect_share_with_server_start" in result:
            rows.append(("", f"{100 * result['prefect_share_with_server_start']:.1f}% counting the temporary server's "
                         f"start-up ({f['server_start_s']:.1f} s)"))
    w = result.get("whole_command")
    if w:
        rows.append(("whole command", f"{w['wall_s']:.1f} s for {w['chars'] / 1e6:.1f} M chars = {w['chars_per_s'] / 1e6:.2f} "
                     f"M chars/s = {w['ratio_to_jieba']:.1f}x jieba.lcut (goal >= 5x); peak RSS {w['peak_tree_mb']:.0f} MB"))
        rows += _command_detail(w)
    cmd = result.get("command_run")
    if cmd:
        rows.append(("speech-etl ingest on the corpus", f"{cmd['wall_s']:.1f} s for {cmd['chars'] / 1e6:.1f} M chars = "
                     f"{cmd['chars_per_s'] / 1e6:.2f} M chars/s; peak RSS {cmd['peak_tree_mb']:.0f} MB process tree "
                     "(goal <= 1500 MB)"))
        rows += _command_detail(cmd)
    ru = result["getrusage"]
    rows.append(("getrusage maxrss", f"self {ru['self_maxrss_mb']:.0f} MB, largest child {ru['children_maxrss_mb']:.0f} MB"))
    m = result["machine"]
    rows.append(("machine", f"{m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB, Python {m['python']}, "
                 f"Prefect {m['prefect']}, load {m['load_1min']:.1f} at start"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


def _command_detail(w: dict) -> list[tuple[str, str]]:
    roles = ("flow", "prefect server", "workers")
    cpu, peak = w.get("cpu_by_role_s", {}), w.get("peak_by_role_mb", {})
    return [("  CPU seconds by process", ", ".join(f"{r} {cpu.get(r, 0):.1f}" for r in roles)
             + f" (of {sum(cpu.values()):.1f})"),
            ("  peak RSS by process", ", ".join(f"{r} {peak.get(r, 0):.0f} MB" for r in roles)
             + " (workers: the largest one)")]


def main(argv: list[str] | None = None) -> dict:
    from flows.runners import default_workers

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=50, help="MB of text to generate (default 50)")
    ap.add_argument("--copies", type=int, help="number of copies instead of --mb")
    ap.add_argument("--workers", type=int, default=default_workers(), help="worker processes (default: cores)")
    ap.add_argument("--jieba-chars", type=float, default=2.0,
                    help="M chars of the corpus to time bare jieba.lcut on (0 = all of it)")
    ap.add_argument("--no-stages", action="store_true", help="skip the one-process stage breakdown")
    ap.add_argument("--stage-copies", type=int, default=2, help="copies the stage breakdown runs on (default 2)")
    ap.add_argument("--no-plain", action="store_true", help="skip the run without Prefect (no Prefect share)")
    ap.add_argument("--no-flow", action="store_true", help="skip the in-process flow run")
    ap.add_argument("--whole-command", action="store_true",
                    help="also time `speech-etl ingest` on 15 copies (14 M chars), start-up included")
    ap.add_argument("--command", action="store_true",
                    help="also time `speech-etl ingest` as a command on the generated corpus (its peak RSS: the memory goal)")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "throughput_breakdown.json")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)
    if not DEV_REPORTS.exists():
        sys.exit(f"the dev corpus is not at {DEV_REPORTS}")

    tmp = Path(tempfile.mkdtemp(prefix="speech-etl-bench-"))
    result: dict = {"command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
                    "when": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(),
                    "workers": args.workers}
    try:
        corpus = tmp / "corpus"
        print(f"generating the corpus in {corpus} ...", flush=True)
        result["corpus"] = make_corpus(corpus, int(args.mb * MB), args.copies)
        text = corpus_text(corpus, int(args.jieba_chars * 1e6) if args.jieba_chars else result["corpus"]["chars"])
        print(f"bare jieba.lcut on {len(text) / 1e6:.1f} M chars ...", flush=True)
        result["jieba_lcut"] = bare_jieba(text)
        del text
        print("sketch ceiling ...", flush=True)
        result["sketch"] = sketch_ceiling(corpus, args.workers)
        if not args.no_stages:
            print("stage breakdown ...", flush=True)
            result["stages"] = stage_breakdown(corpus, args.stage_copies)
        if not args.no_flow:
            print("ingest flow ...", flush=True)
            result["flow"] = flow_ingest(corpus, tmp / "warehouse_flow", args.workers)
            from transforms.metrics import load_indicator_catalog
            from warehouse import load

            t = time.perf_counter()
            load.build(tmp / "warehouse_flow", load_indicator_catalog(), force=True)
            result["flow"]["duckdb_build_s"] = time.perf_counter() - t
            shutil.rmtree(tmp / "warehouse_flow", ignore_errors=True)
        if not args.no_plain:
            print("same work without Prefect ...", flush=True)
            result["plain"] = plain_ingest(corpus, tmp / "warehouse_plain", args.workers)
            shutil.rmtree(tmp / "warehouse_plain", ignore_errors=True)
            if "flow" in result:
                flow_wall, plain_wall = result["flow"]["wall_s"], result["plain"]["wall_s"]
                result["prefect_share"] = 1 - plain_wall / flow_wall
                if result["flow"]["server_start_s"] is not None:
                    result["prefect_share_with_server_start"] = 1 - plain_wall / (
                        flow_wall + result["flow"]["server_start_s"])
        if args.whole_command:
            print("whole command on 15 copies ...", flush=True)
            whole = tmp / "corpus15"
            info = make_corpus(whole, None, 15)
            w = whole_command(whole, tmp / "warehouse_cmd", args.workers)
            w.update(chars=info["chars"], chars_per_s=info["chars"] / w["wall_s"])
            w["ratio_to_jieba"] = w["chars_per_s"] / result["jieba_lcut"]["chars_per_s"]
            result["whole_command"] = w
        if args.command:
            print("speech-etl ingest on the corpus ...", flush=True)
            run = whole_command(corpus, tmp / "warehouse_command", args.workers)
            run.update(chars=result["corpus"]["chars"], chars_per_s=result["corpus"]["chars"] / run["wall_s"])
            result["command_run"] = run
        result["getrusage"] = getrusage_mb()
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print()
    print_table(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.json}")
    return result


if __name__ == "__main__":
    main()
