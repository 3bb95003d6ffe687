"""This checkout's speed beside an older commit's, as a user meets it.

    git worktree add /tmp/before <commit>
    .venv/bin/python bench/compare_speed.py --before /tmp/before [--pairs 3] [--corpus ../shared/corpus]

Alternates the two checkouts, pair by pair (the machine's speed drifts; a
ratio within a pair holds better than two separate runs):

- the whole command: `speech-etl ingest CORPUS --warehouse <fresh folder>`,
  wall seconds, run with the checkout's code on PYTHONPATH (the same virtual
  environment, so only the project's code differs);
- the pipeline's single-process speed: `bench/pipeline_speed.py` (best of 5
  passes over the corpus) with SPEECH_ETL_ROOT at the checkout.

Prints each pair and the median of the ratios (this checkout / before: above 1
is slower).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIPELINE = re.compile(r"best of \d+: ([\d.]+) CPU-s")


def whole_command(code: Path, corpus: Path) -> float:
    warehouse = Path(tempfile.mkdtemp(prefix="speech-etl-compare-"))
    env = {**os.environ, "PYTHONPATH": str(code)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "speech_etl", "ingest", str(corpus), "--warehouse", str(warehouse)],
                   env=env, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    shutil.rmtree(warehouse, ignore_errors=True)
    return seconds


def pipeline_seconds(code: Path, corpus: Path) -> float:
    env = {**os.environ, "SPEECH_ETL_ROOT": str(code)}
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "pipeline_speed.py"), "--corpus", str(corpus)],
                         env=env, check=True, capture_output=True, text=True).stdout
    return float(PIPELINE.search(out).group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the older commit")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    ratios: dict[str, list[float]] = {"whole command (wall s)": [], "pipeline, one process (CPU s)": []}
    for pair in range(1, args.pairs + 1):
        for name, measure in (("whole command (wall s)", whole_command),
                              ("pipeline, one process (CPU s)", pipeline_seconds)):
            before = measure(args.before.resolve(), corpus)
            after = measure(ROOT, corpus)
            ratios[name].append(after / before)
            print(f"pair {pair}: {name}: before {before:.2f}, this checkout {after:.2f}, ratio {after / before:.3f}",
                  flush=True)
    for name, values in ratios.items():
        print(f"median ratio, {name}: {statistics.median(values):.3f} (range {min(values):.3f}-{max(values):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
