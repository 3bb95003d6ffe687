"""Our figure extraction beside Microsoft Recognizers-Text (Chinese) on the labelled set.

    .venv/bin/python bench/compare_recognizers.py [--repeat 5] [--json PATH]

Recognizers-Text (PyPI `recognizers-text-suite`, with `emoji<1.0` so it imports)
lives in its own virtual environment, `bench/.venv-recognizers`, which this
script creates with `python3 -m venv` + pip on its first run, so the project's
environment stays clean. It runs there through `bench/recognizers_helper.py`
(JSON in on stdin, JSON out on stdout): the number, percentage, dimension and
currency models, Culture.Chinese; where their results overlap, the longest
span is kept.

Only the fields Recognizers-Text covers are compared: the value and the unit.
Both systems are scored the same way, on scaled values: a label `56.9万亿元` is
5.69e13 `元`, and so must be the figure found (Recognizers' `Chinese yuan` is
`元`, `Percentage` is `%`, `Kilometer` is `公里` ...). Matching, recall (per
label) and precision (per figure found inside a labelled sentence) are those of
bench/figures_accuracy.py. A range label needs both ends; a masked label needs
no number. Throughput: characters per second on the cleaned text of the 2014
work report, repeated `--repeat` times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import figures_accuracy as fa  # noqa: E402

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".venv-recognizers"
HELPER = BENCH / "recognizers_helper.py"
PACKAGES = ["recognizers-text-suite", "emoji<1.0"]
TIMING_DOC = "2014"

# Scale words a unit may start with; what is left is the base unit (万千瓦 -> 千瓦).
SCALES = (("万亿", 1e12), ("亿", 1e8), ("万", 1e4))
# Recognizers-Text's unit names (English) in our notation.
RECOGNIZER_UNITS = {
    "Percentage": "%", "Chinese yuan": "元", "United States dollar": "美元", "Jin": "斤", "Kilogram": "公斤",
    "Ton": "吨", "Kilometer": "公里", "Meter": "米", "Square kilometer": "平方公里", "Square meter": "平方米",
    "Hectare": "公顷", "Mu": "亩", "Kilowatt": "千瓦", "Cubic meter": "立方米", "Liter": "升",
}
TYPE_PRIORITY = {"currency": 0, "dimension": 1, "percentage": 2, "number": 3}
FIELDS = ("found", "value", "unit", "value+unit")


def split_unit(unit: str | None) -> tuple[float, str | None]:
    if not unit:
        return 1.0, unit
    for word, scale in SCALES:
        if unit.startswith(word) and len(unit) > len(word):
            return scale, unit[len(word):]
    if unit in {w for w, _ in SCALES}:  # a bare 万 ("700万")
        return dict(SCALES)[unit], None
    return 1.0, unit


@dataclass
class Found:
    char_start: int
    char_end: int
    value: float | None
    low: float | None
    high: float | None
    unit: str | None
    text: str = ""


def _scaled(x: float | None, scale: float) -> float | None:
    return None if x is None else x * scale


def label_base(label: fa.Label) -> Found:
    scale, unit = split_unit(label.unit)
    return Found(label.char_start, label.char_end, _scaled(label.value, scale),
                 _scaled(label.value_low, scale), _scaled(label.value_high, scale), unit, label.mention)


def ours(metric: Any) -> Found:
    scale, unit = split_unit(metric.unit)
    return Found(metric.char_start, metric.char_end, _scaled(metric.value, scale),
                 _scaled(metric.value_low, scale), _scaled(metric.value_high, scale), unit, metric.mention)


def _float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(str(value).rstrip("%").replace(",", ""))
    except ValueError:
        return None


def theirs(results: list[dict[str, Any]], offset: int) -> list[Found]:
    """Recognizers' results for one sentence, overlaps resolved (longest span,
    then currency > dimension > percentage > number), as absolute spans."""
    ordered = sorted(results, key=lambda r: (-(r["end"] - r["start"]), TYPE_PRIORITY.get(r["type"], 9), r["start"]))
    kept: list[dict[str, Any]] = []
    for r in ordered:
        if all(r["end"] <= k["start"] or r["start"] >= k["end"] for k in kept):
            kept.append(r)
    out = []
    for r in sorted(kept, key=lambda r: r["start"]):
        value = _float(r["value"])
        unit = "%" if r["type"] == "percentage" else RECOGNIZER_UNITS.get(r["unit"], r["unit"])
        out.append(Found(offset + r["start"], offset + r["end"], value, value, value, unit, r["text"]))
    return out


def value_ok(label: Found, found: Found, masked: bool, is_range: bool) -> bool:
    if masked:
        return found.value is None and found.low is None and found.high is None
    if is_range:
        return fa._close(label.low, found.low) and fa._close(label.high, found.high)
    return label.value is not None and fa._close(label.value, found.value)


@dataclass
class Tally:
    labels: int = 0
    extracted: int = 0
    correct: dict[str, int] | None = None

    def __post_init__(self):
        self.correct = dict.fromkeys(FIELDS, 0)

    def p(self, name):
        return self.correct[name] / self.extracted if self.extracted else None

    def r(self, name):
        return self.correct[name] / self.labels if self.labels else None

    def as_dict(self):
        return {"labels": self.labels, "extracted_in_labelled_sentences": self.extracted,
                "fields": {n: {"correct": self.correct[n], "precision": self.p(n), "recall": self.r(n)}
                           for n in FIELDS}}


def tally(tally_: Tally, labels: list[fa.Label], found: list[Found]) -> None:
    scope = fa.in_labelled_sentences(labels, found)
    tally_.labels += len(labels)
    tally_.extracted += len(scope)
    for label, f in fa.match(labels, scope):
        base = label_base(label)
        v = value_ok(base, f, label.masked, label.bound == "range")
        u = base.unit == f.unit
        tally_.correct["found"] += 1
        tally_.correct["value"] += v
        tally_.correct["unit"] += u
        tally_.correct["value+unit"] += v and u


# ---------------------------------------------------------------- Recognizers-Text environment


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> Path:
    python = venv_python()
    probe = [str(python), "-c", "import recognizers_suite"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"creating {VENV.relative_to(BENCH.parent)} with {' '.join(PACKAGES)} (first run) ...", file=sys.stderr)
    subprocess.run(["python3", "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    subprocess.run(probe, check=True)
    return python


def run_recognizers(texts: list[str], timing_text: str, repeat: int) -> dict[str, Any]:
    python = ensure_venv()
    request = json.dumps({"texts": texts, "timing_text": timing_text, "repeat": repeat}, ensure_ascii=False)
    done = subprocess.run([str(python), str(HELPER)], input=request.encode("utf-8"),
                          capture_output=True, check=False)
    if done.returncode:
        raise SystemExit(f"recognizers helper failed:\n{done.stderr.decode('utf-8', 'replace')}")
    return json.loads(done.stdout.decode("utf-8"))


# ---------------------------------------------------------------- main


def _fmt(x):
    return "-" if x is None else f"{x:.3f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=fa.DEFAULT_LABELS)
    parser.add_argument("--corpus", type=Path, default=fa.DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5, help="timing repetitions of the 2014 report")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    from transforms.pipeline import COMPONENTS, process
    from transforms.document import Document

    labels = fa.load_labels(args.labels)
    docs = {l.doc for l in labels} | {TIMING_DOC}
    sources = fa.load_sources(docs, args.corpus)
    by_doc: dict[str, list[fa.Label]] = {}
    for label in labels:
        by_doc.setdefault(label.doc, []).append(label)

    # ours
    our_tally, processed = Tally(), {}
    for doc, doc_labels in by_doc.items():
        document = process(sources[doc])
        processed[doc] = document
        problems = fa.locate(doc_labels, document.text)
        if problems:
            raise SystemExit("labels do not fit the cleaned text:\n  " + "\n  ".join(problems))
        tally(our_tally, doc_labels, [ours(m) for m in document.metrics])

    # the timing text: the cleaned 2014 report
    timing_doc = processed.get(TIMING_DOC) or process(sources[TIMING_DOC])
    timing_text = timing_doc.text
    started = time.perf_counter()
    for _ in range(args.repeat):
        process(sources[TIMING_DOC])
    ours_pipeline = time.perf_counter() - started
    metrics_step = dict(COMPONENTS).get("metrics")
    ours_metrics = None
    if metrics_step:
        prepared = Document(source=sources[TIMING_DOC])
        for name, component in COMPONENTS:
            if name != "metrics":
                prepared = component(prepared)
        started = time.perf_counter()
        for _ in range(args.repeat):
            metrics_step(prepared)
        ours_metrics = time.perf_counter() - started

    # theirs: every labelled sentence once
    sentences = sorted({(l.doc, l.sentence) for l in labels})
    answer = run_recognizers([s for _, s in sentences], timing_text, args.repeat)
    results = dict(zip(sentences, answer["results"]))
    their_tally = Tally()
    for doc, doc_labels in by_doc.items():
        found: list[Found] = []
        for sentence in sorted({l.sentence for l in doc_labels}):
            offset = processed[doc].text.find(sentence)
            found.extend(theirs(results[(doc, sentence)], offset))
        tally(their_tally, doc_labels, found)

    chars = len(timing_text) * args.repeat
    speeds = {
        "ours_pipeline": chars / ours_pipeline,
        "ours_metrics_component": chars / ours_metrics if ours_metrics else None,
        "recognizers": answer["timing"]["chars"] / answer["timing"]["seconds"],
    }
    print_table(our_tally, their_tally, speeds, len(timing_text), args.repeat)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"ours": our_tally.as_dict(), "recognizers": their_tally.as_dict(),
                                         "chars_per_second": speeds, "timing_text_chars": len(timing_text),
                                         "repeat": args.repeat}, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def print_table(our: Tally, their: Tally, speeds: dict[str, float | None], chars: int, repeat: int) -> None:
    rows = [(n, _fmt(our.p(n)), _fmt(our.r(n)), _fmt(their.p(n)), _fmt(their.r(n))) for n in FIELDS]
    head = ("field", "ours P", "ours R", "Recognizers P", "Recognizers R")
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        print("  ".join(head))
        for row in rows:
            print("  ".join(row))
    else:
        table = Table(title=f"Value and unit on {our.labels} labelled figures "
                            f"(ours: {our.extracted} found in labelled sentences, "
                            f"Recognizers-Text: {their.extracted})")
        for h in head:
            table.add_column(h, justify="left" if h == "field" else "right")
        for row in rows:
            table.add_row(*row)
        Console().print(table)
    print(f"throughput on the {TIMING_DOC} report ({chars} characters x {repeat}):")
    print(f"  ours, whole pipeline:      {speeds['ours_pipeline']:>12,.0f} characters/s")
    if speeds["ours_metrics_component"]:
        print(f"  ours, metrics component:   {speeds['ours_metrics_component']:>12,.0f} characters/s")
    print(f"  Recognizers-Text (4 models): {speeds['recognizers']:>10,.0f} characters/s")


if __name__ == "__main__":
    sys.exit(main())
