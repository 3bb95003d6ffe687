"""Single-process speed of the pipeline (transforms.pipeline.process, every
component) on the dev corpus: the State Council reports, the local pages and
the sample speech, as the readers hand them over.

    .venv/bin/python bench/pipeline_speed.py [--repeat 5] [--corpus ../shared/corpus] [--components]
    .venv/bin/python bench/pipeline_speed.py --small-txt 5000 --repeat 1 --jieba   # bench/throughput.py's small files

Prints characters per CPU-second, best of --repeat passes over the whole
corpus (with --components, also each component's CPU seconds, best of the passes) (the best pass is the one least disturbed by other work on a shared
machine). To compare two versions of the code, run it alternately with
SPEECH_ETL_ROOT pointing at each checkout (a `git worktree` of the older
commit): the pipeline is imported from there.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("SPEECH_ETL_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

from transforms.document import Document, SourceText  # noqa: E402
from transforms.pipeline import COMPONENTS, process  # noqa: E402


def corpus_sources(corpus: Path) -> list[SourceText]:
    sources = []
    for name in ("work_reports/government_work_reports_1954_2015.jsonl", "local/pages.jsonl"):
        with (corpus / name).open(encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                record = json.loads(line)
                text = record.get("content") or record.get("text") or ""
                meta = {k: record[k] for k in ("title", "url", "year", "date") if record.get(k) is not None}
                sources.append(SourceText(text, "jsonl", "utf-8", line_no, meta))
    for path in sorted((corpus / "speeches").glob("*.txt")):
        sources.append(SourceText(path.read_text(encoding="utf-8"), "txt", "utf-8"))
    return sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--components", action="store_true", help="also each component's CPU seconds")
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "corpus")
    parser.add_argument("--small-txt", type=int, metavar="COUNT",
                        help="instead of the corpus: bench/throughput.py's small-txt files (COUNT of them)")
    parser.add_argument("--jieba", action="store_true", help="also bare jieba.lcut over the same texts, one pass")
    args = parser.parse_args(argv)
    sources = small_txt_sources(args.small_txt) if args.small_txt else corpus_sources(args.corpus)
    chars = sum(len(s.text) for s in sources)
    process(sources[0])  # warm: catalogs, patterns, the segmenter's dictionary
    best = float("inf")
    for _ in range(args.repeat):
        started = time.process_time()
        for source in sources:
            process(source)
        best = min(best, time.process_time() - started)
    print(f"pipeline, one process: {len(sources)} documents, {chars} characters, best of {args.repeat}: "
          f"{best:.2f} CPU-s = {chars / best / 1e6:.2f} M chars/s (code: {ROOT})")
    if args.jieba:
        print(f"bare jieba.lcut, one process, one pass: {jieba_seconds(sources):.2f} CPU-s")
    if args.components:
        per = component_seconds(sources, args.repeat)
        print("components, CPU-s (best of the passes): " + ", ".join(f"{k} {v:.3f}" for k, v in per.items()))
    return 0


def small_txt_sources(count: int) -> list[SourceText]:
    """The texts of bench/throughput.py's small-txt shape (local pages, 1 000-3 000 characters each)."""
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import throughput

    with tempfile.TemporaryDirectory() as folder:
        throughput.make_small_txt(Path(folder), count)
        return [SourceText(text, "txt", "utf-8") for text in throughput.texts_of(Path(folder))]


def jieba_seconds(sources: list[SourceText]) -> float:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # the dictionary loaded before the clock starts, as bench/throughput.py does
    started = time.process_time()
    for source in sources:
        jieba.lcut(source.text)
    return time.process_time() - started


def component_seconds(sources: list[SourceText], repeat: int) -> dict[str, float]:
    best: dict[str, float] = {}
    for _ in range(repeat):
        spent: dict[str, float] = {}
        for source in sources:
            doc = Document(source=source)
            for name, component in COMPONENTS:
                started = time.process_time()
                doc = component(doc)
                spent[name] = spent.get(name, 0.0) + time.process_time() - started
        for name, seconds in spent.items():
            best[name] = min(best.get(name, seconds), seconds)
    return best


if __name__ == "__main__":
    sys.exit(main())
