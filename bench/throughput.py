"""The ingest as a user runs it, on every input shape, against bare jieba.lcut (issue 14).

    .venv/bin/python bench/throughput.py                          # all four shapes, ~6 min on a quiet 2-core machine
    .venv/bin/python bench/throughput.py --shape reports          # one shape (reports, one-jsonl, mb, small-txt)
    .venv/bin/python bench/throughput.py --shape mb --mb 500 --no-jieba   # memory: peak RSS at 500 MB, ~3 min

Each shape's input is generated in a temporary folder:

- reports: 15 distinct copies of
  ../shared/corpus/work_reports/government_work_reports_1954_2015.jsonl, one
  .jsonl file each (14.1 M characters; every record of copy i opens with a
  line naming copy i, so each copy's documents have their own doc_ids);
- one-jsonl: the same records as ONE .jsonl file;
- mb: `--mb` MB (default 100) of such copies, one .jsonl file each;
- small-txt: 5 000 .txt files of 1 000-3 000 characters, each a numbered
  title and a window of the texts under ../shared/corpus/local/.

For each shape, in this order and each in a process of its own:

- bare `jieba.lcut` over the same texts (the `content`/`text` of each record,
  each .txt file's text), default dictionary, loaded before the clock starts:
  only the calls are timed;
- `speech-etl ingest IN --warehouse W` into a fresh warehouse, timed from
  the command's start to its exit (with PREFECT_API_URL in the environment,
  against that server; else with its temporary one), its process tree (the
  command, the temporary Prefect server, the workers and the forkserver they
  are forked from) sampled from /proc every 0.1 s: CPU seconds and peak
  memory, by process and in all; the batch commits' times from the lake's
  commit manifests, and when the server's and the flow's first lines came.

It prints, per shape, the raw times, the ratio (jieba's time over the
command's), the CPU utilisation of the process tree between the first and
the last batch commit and over the whole command (share of all cores), the
peak RSS of the process tree (summed; and its PSS, which counts a page
shared by several processes once: forked workers share their forkserver's),
and the command's timeline; then one table. Written to
bench/results/throughput.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from process_tree import ProcessTree, role_by_rules

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
REPORTS = CORPUS / "work_reports" / "government_work_reports_1954_2015.jsonl"
LOCAL = CORPUS / "local"
MB = 1_000_000
CORES = len(os.sched_getaffinity(0))
GOALS = {"reports": 3.0, "one-jsonl": 3.0, "mb": 5.0, "small-txt": 3.0}


# -- inputs ------------------------------------------------------------------
def _report_copy(records: list[dict], n: int) -> list[dict]:
    return [dict(r, content=f"本文是基准测试的第{n + 1}份副本。\n{r['content']}") for r in records]


def _report_records() -> list[dict]:
    return [json.loads(line) for line in REPORTS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write_jsonl(path: Path, records: list[dict]) -> int:
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    path.write_bytes(data)
    return len(data)


def make_copies(folder: Path, copies: int | None = None, target_bytes: int | None = None) -> str:
    """Distinct copies of the dev reports, one .jsonl file each: `copies` of
    them, or as many as reach `target_bytes`."""
    records = _report_records()
    total = n = 0
    while (copies is not None and n < copies) or (copies is None and total < target_bytes):
        total += _write_jsonl(folder / f"reports_copy{n + 1:05d}.jsonl", _report_copy(records, n))
        n += 1
    return f"{n} .jsonl files, {total / MB:.0f} MB"


def make_one_jsonl(folder: Path) -> str:
    """The 15 copies' records in one .jsonl file."""
    records = _report_records()
    size = _write_jsonl(folder / "reports_15_copies.jsonl", [r for n in range(15) for r in _report_copy(records, n)])
    return f"1 .jsonl file, {size / MB:.0f} MB"


def _local_paragraphs() -> list[str]:
    """The paragraphs of every text under ../shared/corpus/local/ (the .txt files and the pages.jsonl records)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(LOCAL.rglob("*.txt"))]
    for path in sorted(LOCAL.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                texts.append(record.get("text") or record.get("content") or "")
    return [p.strip() for text in texts for p in text.splitlines() if len(p.strip()) >= 10]


def make_small_txt(folder: Path, count: int = 5000) -> str:
    """`count` .txt files of 1 000-3 000 characters: a numbered title (so each is
    a distinct document) and paragraphs of the local texts from a moving start."""
    paragraphs = _local_paragraphs()
    total = 0
    for n in range(count):
        length = 1000 + (n * 7919) % 2001
        parts = [f"基准测试第{n + 1}篇:地方政府工作通报"]
        start = (n * 7) % len(paragraphs)
        while sum(len(p) + 1 for p in parts) < length:
            parts.append(paragraphs[start % len(paragraphs)])
            start += 1
        path = folder / f"{n // 1000:02d}" / f"page_{n + 1:05d}.txt"
        path.parent.mkdir(exist_ok=True)
        data = "\n".join(parts)[:length].encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return f"{count} .txt files, {total / MB:.0f} MB"


def texts_of(folder: Path) -> list[str]:
    """The texts the ingest reads from `folder`: each .jsonl record's text, each .txt file's."""
    out = []
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    record = json.loads(line)
                    out.append(record.get("content") or record.get("text") or "")
        elif path.suffix == ".txt":
            out.append(path.read_text(encoding="utf-8"))
    return out


# -- bare jieba, in a process of its own --------------------------------------
def jieba_child(folder: Path) -> None:
    """(Child) Print how long jieba.lcut takes over the folder's texts, as JSON."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    texts = texts_of(folder)
    jieba.initialize()
    jieba.lcut("预热一下")
    started = time.perf_counter()
    tokens = 0
    for text in texts:
        tokens += len(jieba.lcut(text))
    seconds = time.perf_counter() - started
    print(json.dumps({"texts": len(texts), "chars": sum(map(len, texts)), "tokens": tokens, "lcut_s": seconds}))


def bare_jieba(folder: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--jieba-child", str(folder)], capture_output=True,
                          text=True, check=True)
    return {**json.loads(done.stdout), "process_s": time.perf_counter() - started}


# -- the process tree, sampled (bench/process_tree.py) ------------------------
# a worker, or the forkserver workers are forked from: "workers"; the root: "command"
ROLE = role_by_rules([(b"prefect.server", "prefect server"), (b"spawn_main", "workers"), (b"forkserver", "workers")],
                     otherwise="other", gone="other")


def batch_commit_times(warehouse: Path) -> list[float]:
    """When each batch was committed (its manifest's mtime), in order."""
    commits = sorted((warehouse / "lake" / "_commits").glob("*.json"))
    return sorted(p.stat().st_mtime for p in commits if not p.stem.endswith(("-run", "-deleted")))


def run_command(folder: Path, warehouse: Path) -> dict:
    """`speech-etl ingest FOLDER --warehouse WAREHOUSE`, as a user runs it."""
    cmd = [str(Path(sys.executable).with_name("speech-etl")), "ingest", str(folder), "--warehouse", str(warehouse)]
    started = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[tuple[float, str]] = []  # (when, line): the server's and the flow's first lines say when they began
    with ProcessTree(proc.pid, ROLE, root_role="command", pss=True) as tree:
        for line in proc.stdout:
            lines.append((time.time() - started, line.rstrip()))
        proc.wait()
    ended = time.time()
    output = "\n".join(line for _, line in lines)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{output[-3000:]}")
    commits = batch_commit_times(warehouse)
    out = {"command": " ".join(cmd), "wall_s": ended - started, "batches": len(commits),
           "cpu_s": round(tree.samples[-1].cpu_s, 1), "cpu_by_role_s": tree.by_role(tree.cpu, sum),
           # PSS in units of 1000 kB, as the figures in docs/performance.md were taken
           "peak_rss_mb": tree.peak("rss") // MB, "peak_pss_mb": tree.peak("pss") // 1024 // 1000,
           "peak_rss_by_role_mb": tree.by_role({pid: rss // MB for pid, rss in tree.peak_rss.items()}, max),
           "whole_cpu_share": tree.samples[-1].cpu_s / (CORES * (ended - started)),
           "started_s": {role: round(t - started, 2) for role, t in tree.first_seen.items()},
           "output_tail": output.strip().splitlines()[-3:],
           "server_ready_s": next((t for t, line in lines if line.startswith("Prefect: a temporary server")), None),
           "flow_plan_s": next((t for t, line in lines if " to read, " in line), None)}
    if commits:
        first, last = commits[0], commits[-1]
        out.update(first_commit_s=first - started, last_commit_s=last - started, after_last_s=ended - last)
        if last - first > 0.5:
            out["batch_cpu_share"] = (tree.cpu_at(last) - tree.cpu_at(first)) / (CORES * (last - first))
    return out


# -- a shape, measured ---------------------------------------------------------
def measure(shape: str, args: argparse.Namespace, tmp: Path) -> dict:
    folder = tmp / shape
    folder.mkdir()
    makers = {"reports": lambda: make_copies(folder, copies=15), "one-jsonl": lambda: make_one_jsonl(folder),
              "mb": lambda: make_copies(folder, target_bytes=int(args.mb * MB)),
              "small-txt": lambda: make_small_txt(folder)}
    print(f"{shape}: generating the input ...", flush=True)
    result = {"shape": shape, "input": makers[shape](), "load_at_start": os.getloadavg()[0]}
    runs, jiebas = [], []
    for pair in range(args.pairs):
        if not args.no_jieba:
            print(f"{shape}: bare jieba.lcut ...", flush=True)
            jiebas.append(bare_jieba(folder))
        print(f"{shape}: speech-etl ingest ...", flush=True)
        warehouse = tmp / f"{shape}-warehouse"
        runs.append(run_command(folder, warehouse))
        shutil.rmtree(warehouse, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    result["runs"], result["jieba"] = runs, jiebas
    result["command_s"] = statistics.median(r["wall_s"] for r in runs)
    if jiebas:
        result["chars"] = jiebas[0]["chars"]
        result["jieba_s"] = statistics.median(j["lcut_s"] for j in jiebas)
        result["ratio"] = result["jieba_s"] / result["command_s"]
    result["load_at_end"] = os.getloadavg()[0]
    print_shape(result)
    return result


def print_shape(r: dict) -> None:
    print(f"\n== {r['shape']}: {r['input']} (load {r['load_at_start']:.1f} at start, {r['load_at_end']:.1f} at end)")
    for j in r["jieba"]:
        print(f"bare jieba.lcut      {j['lcut_s']:6.1f} s for {j['chars'] / 1e6:.1f} M chars in {j['texts']} texts "
              f"({j['chars'] / j['lcut_s'] / 1e6:.2f} M chars/s; its process {j['process_s']:.1f} s)")
    for c in r["runs"]:
        share = f"{100 * c['batch_cpu_share']:.0f}%" if "batch_cpu_share" in c else "-"
        print(f"speech-etl ingest    {c['wall_s']:6.1f} s, {c['batches']} batches; CPU {c['cpu_s']:.1f} s "
              f"({', '.join(f'{k} {v}' for k, v in c['cpu_by_role_s'].items())})")
        print(f"  CPU utilisation    {share} of {CORES} cores between the first and the last batch commit, "
              f"{100 * c['whole_cpu_share']:.0f}% over the whole command")
        if "first_commit_s" in c:
            server = f"temporary Prefect server ready at {c['server_ready_s']:.1f} s, " if c["server_ready_s"] else ""
            print(f"  timeline           worker processes started at {c['started_s'].get('workers', float('nan')):.1f} s, "
                  f"{server}the flow's plan at {c['flow_plan_s'] or float('nan'):.1f} s,")
            print(f"                     first batch committed at {c['first_commit_s']:.1f} s, "
                  f"last at {c['last_commit_s']:.1f} s, exit {c['after_last_s']:.1f} s later")
        print(f"  peak RSS           {c['peak_rss_mb']} MB process tree, summed (PSS, shared pages counted once: "
              f"{c['peak_pss_mb']} MB); largest of each: "
              f"{', '.join(f'{k} {v:.0f}' for k, v in c['peak_rss_by_role_mb'].items())} MB")
    if "ratio" in r:
        print(f"ratio                {r['ratio']:.2f}x bare jieba.lcut (goal >= {GOALS[r['shape']]:.0f}x)")


def print_table(results: list[dict]) -> None:
    print("\nshape      input                      M chars  command  jieba.lcut  ratio  goal  CPU (batches)  peak RSS")
    for r in results:
        run = r["runs"][len(r["runs"]) // 2]
        share = f"{100 * run['batch_cpu_share']:.0f}%" if "batch_cpu_share" in run else "-"
        chars = f"{r['chars'] / 1e6:7.1f}" if "chars" in r else "      -"
        jieba = f"{r['jieba_s']:8.1f} s" if "jieba_s" in r else "         -"
        ratio = f"{r['ratio']:5.2f}x" if "ratio" in r else "     -"
        print(f"{r['shape']:<10} {r['input']:<26} {chars}  {r['command_s']:5.1f} s  {jieba}  {ratio}  "
              f"{GOALS[r['shape']]:3.0f}x  {share:>13}  {run['peak_rss_mb']:5d} MB")


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    return {"cores": CORES, "cpu": cpu, "python": platform.python_version(), "load_1min": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", choices=[*GOALS, "all"], default="all", help="the input shape (default: all four)")
    ap.add_argument("--mb", type=float, default=100, help="MB of text for the mb shape (default 100)")
    ap.add_argument("--pairs", type=int, default=1, help="jieba/command pairs per shape (medians; default 1)")
    ap.add_argument("--no-jieba", action="store_true", help="time the command only (no ratio)")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "throughput.json")
    ap.add_argument("--jieba-child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.jieba_child:
        return jieba_child(args.jieba_child)
    if not REPORTS.exists():
        sys.exit(f"the dev corpus is not at {CORPUS}")
    shapes = list(GOALS) if args.shape == "all" else [args.shape]
    started = {"command": " ".join(["bench/throughput.py", *(argv if argv is not None else sys.argv[1:])]),
               "when": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine()}
    print(f"{started['machine']['cores']} cores, {started['machine']['cpu']}, Python {started['machine']['python']}, "
          f"load {started['machine']['load_1min']:.1f}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="speech-etl-throughput-"))
    try:
        results = [measure(shape, args, tmp) for shape in shapes]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print_table(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({**started, "shapes": results}, ensure_ascii=False, indent=1) + "\n")
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()
