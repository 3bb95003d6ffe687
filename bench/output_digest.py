"""Digest of everything the pipeline writes for a corpus, to check that a
speed-up changes no output.

    .venv/bin/python bench/output_digest.py --save /tmp/before.json     # before the change
    .venv/bin/python bench/output_digest.py --check /tmp/before.json    # after it: exit 1 on any difference

Runs read -> pipeline -> Arrow tables (warehouse/records.py) in one process over
the dev corpus (../shared/corpus) and the shipped samples, and hashes each
table's rows (run-specific columns ingested_at and run_id left out). With
--check it names the tables and the first documents that differ.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transforms.document import Rejection  # noqa: E402
from transforms.pipeline import process  # noqa: E402
from transforms.readers import read_source  # noqa: E402
from warehouse import records  # noqa: E402

CORPORA = [ROOT.parent / "shared" / "corpus", ROOT / "samples"]
RUN_SPECIFIC = {"ingested_at", "run_id"}


def digests() -> tuple[dict[str, dict[str, str]], float, int]:
    """table -> doc_id -> hash of that document's rows in the table."""
    out: dict[str, dict[str, str]] = {}
    seconds = 0.0
    chars = 0
    for corpus in CORPORA:
        for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
            if path.suffix.lower() not in {".txt", ".html", ".htm", ".docx", ".jsonl", ".md"}:
                continue
            started = time.perf_counter()
            docs = [process(s) for s in read_source(path.read_bytes(), path.name) if not isinstance(s, Rejection)]
            tables = records.document_tables([(d, str(path.relative_to(corpus))) for d in docs if d.text],
                                             "digest", dt.datetime(2000, 1, 1))
            seconds += time.perf_counter() - started
            chars += sum(len(d.text) for d in docs)
            for name, table in tables.items():
                rows = table.drop_columns([c for c in table.column_names if c in RUN_SPECIFIC]).to_pylist()
                per_doc: dict[str, list] = {}
                for row in rows:
                    per_doc.setdefault(row["doc_id"], []).append(row)
                for doc_id, doc_rows in per_doc.items():
                    blob = json.dumps(doc_rows, ensure_ascii=False, default=str, sort_keys=True)
                    out.setdefault(name, {})[doc_id] = hashlib.sha256(blob.encode()).hexdigest()
    return out, seconds, chars


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the digest to this JSON file")
    group.add_argument("--check", type=Path, help="compare with a saved digest; exit 1 on any difference")
    args = parser.parse_args()
    found, seconds, chars = digests()
    print(f"{len(found.get('documents', {}))} documents, "
          f"{chars / 1e6:.2f} M chars, pipeline + Arrow {seconds:.2f} s ({chars / seconds / 1e6:.2f} M chars/s)")
    if args.save:
        args.save.write_text(json.dumps(found, indent=0, sort_keys=True))
        print(f"saved {args.save}")
        return 0
    saved = json.loads(args.check.read_text())
    differ = 0
    for name in sorted(set(saved) | set(found)):
        a, b = saved.get(name, {}), found.get(name, {})
        bad = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        if bad:
            differ += 1
            print(f"{name}: {len(bad)} documents differ, e.g. {', '.join(bad[:5])}")
        else:
            print(f"{name}: identical ({len(a)} documents)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
