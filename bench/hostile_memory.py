"""Peak memory of one `speech-etl ingest` over the hostile corpus, big cases included (issue 13).

    .venv/bin/python bench/hostile_memory.py [--dir /tmp/speech-etl-hostile] [--keep]

Builds tests/hostile_corpus.py's corpus with its big cases (a zip-bomb .docx
holding 4 GB of zeros, a .docx of 100 MB of XML, a 200 MB .txt, 100 000
unclosed nested HTML tags, and inputs just inside the default limits: a 60 MB
.txt, a .docx of 30 MB of XML, an HTML page nested 15 000 deep, a text of 0.95 M
characters, a 40 MB .jsonl), runs the real command on it with the default
settings, and samples every 0.1 s the resident memory (RSS) of each process of
the run: the command's own, its temporary Prefect server, its workers, the
resource tracker, the reaper. The peak is of their sum (shared pages counted
in each process: an upper bound). Prints a summary and writes it to
bench/results/hostile_memory.json. The goal: peak <= 1.5 GB, exit 0, no
traceback, every bad input one rejects row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile_corpus import build  # noqa: E402
from process_tree import ProcessTree, role_by_rules  # noqa: E402  (bench/)

GOAL_BYTES = 1.5e9


# a worker forked from the forkserver (flows/runners.py) has its command line: both are "worker";
# a process first seen as "command" is asked again (forked, not yet exec'd)
ROLE = role_by_rules([(b"spawn_main", "worker"), (b"forkserver", "worker"), (b"resource_tracker", "resource tracker"),
                      (b"uvicorn", "Prefect server"), (b"SPEECH_ETL_WORKER_OF", "reaper"), (b"speech_etl", "command")],
                     otherwise="other", gone="gone")


def run(corpus: Path, warehouse: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "SPEECH_ETL_"))}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "speech_etl", "ingest", str(corpus), "--warehouse", str(warehouse)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with ProcessTree(proc.pid, ROLE, recheck={"command"}) as tree:
        stdout, stderr = proc.communicate()
        seconds = time.monotonic() - started
    named = {pid: f"{tree.roles.get(pid, '?')} {pid}" for pid in tree.peak_rss}
    return {"exit": proc.returncode, "seconds": round(seconds, 1), "peak_rss_bytes": tree.peak("rss"),
            "at_peak_mb": {named[pid]: round(rss / 1e6) for pid, rss in tree.at_peak.items()},
            "each_process_peak_mb": {named[pid]: round(rss / 1e6)
                                     for pid, rss in sorted(tree.peak_rss.items(), key=lambda i: -i[1])},
            "traceback": "Traceback" in stdout.decode(errors="replace") + stderr.decode(errors="replace"),
            "stderr_tail": stderr.decode(errors="replace")[-1500:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/speech-etl-hostile"))
    parser.add_argument("--keep", action="store_true", help="keep the corpus and warehouse afterwards")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "hostile_memory.json")
    args = parser.parse_args()
    shutil.rmtree(args.dir, ignore_errors=True)
    corpus, warehouse = args.dir / "in", args.dir / "w"
    cases = build(corpus, big=True)
    corpus_bytes = sum(e.stat(follow_symlinks=False).st_size for e in os.scandir(corpus))
    result = run(corpus, warehouse)
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        rejects = {(os.path.basename(path), line, reason) for path, line, reason in
                   con.execute("SELECT source_path, source_record, reason FROM rejects").fetchall()}
        documents = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        kept = con.execute("SELECT count(*) FROM documents WHERE chrome_kept_chars > 0").fetchone()[0]
    expected = {(c.name.decode("utf-8", "backslashreplace"), c.line, c.reason) for c in cases if c.reason}
    summary = {
        "command": "bench/hostile_memory.py",
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "corpus": {"files": len(list(corpus.iterdir())), "bytes_on_disk": corpus_bytes,
                   "bad_inputs": sum(1 for c in cases if c.reason)},
        **result,
        "rejects": len(rejects), "rejects_not_expected": sorted(map(str, rejects - expected)),
        "rejects_missing": sorted(map(str, expected - rejects)),
        "documents": documents, "documents_kept_whole_after_a_footer": kept,
        "peak_rss_gb": round(result["peak_rss_bytes"] / 1e9, 3),
        "holds": result["exit"] == 0 and not result["traceback"] and result["peak_rss_bytes"] <= GOAL_BYTES
        and rejects == expected,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in summary.items() if k != "stderr_tail"}, ensure_ascii=False, indent=2))
    if not args.keep:
        shutil.rmtree(args.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
