"""Incremental benchmark: a first full run over 10 000 small speech files, then a
second run over the unchanged folder; prints both times and their ratio
(issue 4: the second run may cost at most 5% of the first).

    .venv/bin/python bench/incremental.py [--files 10000] [--dir /tmp/speech-etl-bench]
    .venv/bin/python bench/incremental.py --add-one [--copies 60] [--pairs 3]

With `--add-one` it measures instead what adding one small .txt costs (issue
14: at most 1.5x the same file into an empty warehouse): a warehouse is built
from `--copies` distinct copies of the dev work reports (as bench/throughput.py
makes them), then, in alternating pairs, one new small .txt is added to that
folder and ingested into the big warehouse, and the same file alone into an
empty warehouse. It prints every time, the medians and their ratio.

Both runs are the real command (`speech-etl ingest`, a new process each). It
measures two set-ups and prints a ratio for each:

- "temporary server": no PREFECT_API_URL, so each run starts its temporary
  Prefect server (flows/prefect_api.py), as a plain `speech-etl ingest` does;
- "running server": both runs talk to one `prefect server start` this script
  starts first, as runs under `speech-etl serve` do (server start-up is in neither).

The files are made from the sample speech and the work reports (samples/ and,
when present, ../shared/corpus): each a title naming its number and a window
of paragraphs, so every file is a distinct document.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SPEECH = ROOT / "samples" / "speeches" / "chengguan_progress_meeting_2020-08-15.txt"
REPORTS = [ROOT.parent / "shared" / "corpus" / "work_reports" / "government_work_reports_1954_2015.jsonl",
           ROOT / "samples" / "work_reports" / "reports_sample.jsonl"]
BIN = Path(sys.executable).parent


def paragraphs() -> list[list[str]]:
    """Paragraph lists to cut files from: the speech (past its site chrome) and each report."""
    speech = [line for line in SPEECH.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [speech[len(speech) // 4:]]
    source = next((p for p in REPORTS if p.exists()), None)
    if source:
        for line in source.read_text(encoding="utf-8").splitlines():
            content = json.loads(line).get("content") or ""
            paras = [p.strip() for p in content.splitlines() if len(p.strip()) > 20]
            if len(paras) > 10:
                texts.append(paras)
    return texts


def generate(folder: Path, count: int) -> int:
    """Write `count` files of 2-15 KB (7 KB on average; the sample speech is
    11 KB): a title and a window of up to 12 paragraphs. Returns the total bytes."""
    texts = paragraphs()
    total = 0
    for i in range(count):
        text = small_speech(i, texts)
        path = folder / f"{i // 1000:02d}" / f"speech_{i:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return total


def small_speech(number: int, texts: list[list[str]]) -> str:
    """A distinct small speech: a title naming `number` and a window of up to
    12 paragraphs (2-15 KB)."""
    paras = texts[number % len(texts)]
    start = (number // len(texts) * 3) % max(1, len(paras) - 12)
    body = [p[:600] for p in paras[start:start + 12]]
    return "\n".join([f"在全市城市管理工作第{number + 1}次推进会上的讲话", *body, f"(第{number + 1}号)"])


def ingest(inbox: Path, warehouse: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run([str(BIN / "speech-etl"), "ingest", str(inbox), "--warehouse", str(warehouse)],
                            env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"ingest failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-3000:]}")
    return elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def last_flow_run(api: str) -> tuple[str, float]:
    """The latest flow run's id and its own run time as the Prefect API recorded it."""
    runs = httpx.post(f"{api}/flow_runs/filter", json={"sort": "START_TIME_DESC", "limit": 1}, timeout=10).json()
    return runs[0]["id"], runs[0]["total_run_time"]


def measure(label: str, inbox: Path, warehouse: Path, env: dict[str, str]) -> tuple[float, float]:
    shutil.rmtree(warehouse, ignore_errors=True)
    api = env.get("PREFECT_API_URL")
    first = ingest(inbox, warehouse, env)
    first_flow = last_flow_run(api) if api else None
    second = ingest(inbox, warehouse, env)
    second_flow = last_flow_run(api) if api else None
    print(f"{label:18s} first run {first:7.1f} s   second run (unchanged) {second:6.1f} s   "
          f"ratio {second / first:.3f}", flush=True)
    if api and second_flow[0] == first_flow[0]:
        print(f"{'  flow runs only':18s} first run {first_flow[1]:7.1f} s   the second run made no flow run "
              "(nothing to do: flows/up_to_date.py)", flush=True)
    elif api:
        print(f"{'  flow runs only':18s} first run {first_flow[1]:7.1f} s   second run (unchanged) {second_flow[1]:6.1f} s   "
              f"ratio {second_flow[1] / first_flow[1]:.3f}   (Prefect's recorded run times: no process start-up)",
              flush=True)
    return first, second


def report_copies(folder: Path, copies: int) -> int:
    """`copies` distinct copies of the dev work reports, one .jsonl file each (each
    record opens with a line naming its copy, as bench/throughput.py makes them);
    returns the characters written."""
    records = [json.loads(line) for line in REPORTS[0].read_text(encoding="utf-8").splitlines() if line.strip()]
    folder.mkdir(parents=True, exist_ok=True)
    chars = 0
    for n in range(copies):
        copy = [dict(r, content=f"本文是基准测试的第{n + 1}份副本。\n{r['content']}") for r in records]
        chars += sum(len(r["content"]) for r in copy)
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in copy)
        (folder / f"reports_copy{n + 1:05d}.jsonl").write_text(lines, encoding="utf-8")
    return chars


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def add_one(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Adding one small .txt to a big warehouse against adding it to an empty one."""
    inbox, big = args.dir / "inbox", args.dir / "warehouse-big"
    chars = report_copies(inbox, args.copies)
    first = ingest(inbox, big, env)
    print(f"{args.copies} copies of the work reports ({chars / 1e6:.1f} M characters): first run {first:.1f} s, "
          f"lake {folder_mb(big / 'lake'):.0f} MB, warehouse.duckdb {(big / 'warehouse.duckdb').stat().st_size / 1e6:.0f} MB",
          flush=True)
    texts = paragraphs()
    into_big, into_empty = [], []
    for pair in range(args.pairs):
        text = small_speech(20_000 + pair, texts)  # numbers no other run of this script writes
        (inbox / f"new_{pair}.txt").write_text(text, encoding="utf-8")
        into_big.append(ingest(inbox, big, env))
        alone, empty = args.dir / f"alone-{pair}", args.dir / f"warehouse-empty-{pair}"
        alone.mkdir()
        (alone / f"new_{pair}.txt").write_text(text, encoding="utf-8")
        into_empty.append(ingest(alone, empty, env))
        shutil.rmtree(empty)
        print(f"pair {pair + 1}: one .txt ({len(text)} characters) into the big warehouse {into_big[-1]:5.1f} s, "
              f"into an empty one {into_empty[-1]:5.1f} s", flush=True)
    ratio = statistics.median(into_big) / statistics.median(into_empty)
    print(f"median: big {statistics.median(into_big):.1f} s, empty {statistics.median(into_empty):.1f} s, "
          f"ratio {ratio:.2f} -> {'OK' if ratio <= 1.5 else 'OVER'} (limit 1.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/speech-etl-bench"))
    parser.add_argument("--add-one", action="store_true", help="time adding one small .txt (issue 14) instead")
    parser.add_argument("--copies", type=int, default=60, help="with --add-one: copies of the reports (default 60)")
    parser.add_argument("--pairs", type=int, default=3, help="with --add-one: alternating pairs timed (default 3)")
    args = parser.parse_args()
    if args.add_one:
        shutil.rmtree(args.dir, ignore_errors=True)
        args.dir.mkdir(parents=True)
        try:
            add_one(args, {**{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")},
                           "PREFECT_HOME": str(args.dir / "prefect-home")})
        finally:
            shutil.rmtree(args.dir, ignore_errors=True)  # a GB of copies, lake and warehouse
        return

    inbox = args.dir / "inbox"
    shutil.rmtree(args.dir, ignore_errors=True)
    inbox.mkdir(parents=True)
    total = generate(inbox, args.files)
    print(f"{args.files} files, {total / 1e6:.1f} MB under {inbox}", flush=True)

    base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    base["PREFECT_HOME"] = str(args.dir / "prefect-home")
    ratios = {}
    first, second = measure("temporary server", inbox, args.dir / "warehouse-temporary", base)
    ratios["temporary server"] = second / first

    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env={**base, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("prefect server did not start")
            time.sleep(0.5)
        first, second = measure("running server", inbox, args.dir / "warehouse-server", {**base, "PREFECT_API_URL": api})
        ratios["running server"] = second / first
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    for label, ratio in ratios.items():
        print(f"ratio, {label}: {ratio:.3f} -> {'OK' if ratio <= 0.05 else 'OVER'} (limit 0.05)")


if __name__ == "__main__":
    main()
