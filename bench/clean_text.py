"""Print a labelled document's cleaned text: what label sentences are copied from.

    .venv/bin/python bench/clean_text.py 'local: 13' ['2014' 'speech: <stem>' ...]
    .venv/bin/python bench/clean_text.py --check tests/labels/local/figures.yaml

Runs only the clean component (never the extractor), so labels can be written
from the text the offsets refer to without seeing what the extractor finds.
`--check` says whether every label of a file fits the cleaned text (its
sentence is in the text, its mention in the sentence) and counts them.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.figures_accuracy import DEFAULT_CORPUS, doc_key, load_labels, load_sources, locate  # noqa: E402
from transforms.clean import clean  # noqa: E402
from transforms.document import Document  # noqa: E402


def cleaned_text(source) -> str:
    return clean(Document(source=source)).text


def check(path: str) -> int:
    labels = load_labels(path)
    by_doc: dict[str, list] = {}
    for label in labels:
        by_doc.setdefault(label.doc, []).append(label)
    sources = load_sources(by_doc, DEFAULT_CORPUS)
    problems = []
    for doc, doc_labels in by_doc.items():
        problems += locate(doc_labels, cleaned_text(sources[doc]))
    for problem in problems:
        print(problem)
    sentences = {(l.doc, l.sentence) for l in labels}
    print(f"{len(labels)} figures, {len(sentences)} sentences, {len(by_doc)} documents; "
          f"{len(problems)} problems")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if argv[0] == "--check":
        return max((check(path) for path in argv[1:]), default=2)
    docs = [doc_key(a) for a in argv]
    sources = load_sources(docs, DEFAULT_CORPUS)
    for doc in docs:
        print(f"===== {doc}  meta={sources[doc].meta}")
        print(cleaned_text(sources[doc]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
