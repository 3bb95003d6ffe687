"""Figure extraction accuracy on the hand-checked labelled set.

    .venv/bin/python bench/figures_accuracy.py [--labels tests/labels/figures.yaml]
        [--corpus ../shared/corpus] [--json PATH] [--errors N]

Runs every labelled document through `transforms.pipeline.process` and compares
the `metrics` it yields with `tests/labels/figures.yaml`, then prints precision
and recall per field and overall.

Matching. A label's sentence is located in the document's cleaned text, its
mention inside the sentence (the n-th label with the same mention in a sentence
is its n-th occurrence, not counting occurrences inside a longer number). An
extracted figure matches a label when it is from the same document and its
span overlaps the label's mention; each label and each extracted figure is used
at most once (largest overlap first).

Scores. Recall counts labels; precision counts extracted figures whose span
lies in a labelled sentence (every figure of those sentences is labelled, so an
extracted figure there that matches no label is a false positive). For a field,
a matched pair counts only when the field is right too:

- `found`: matched at all (detection);
- `value+unit+bound`: value, value_low and value_high equal within 1e-9
  relative (all NULL for a masked label), unit equal, bound equal;
- `indicator_key`, `measure`, `value`, `unit`, `bound`, `kind`, `masked`;
- `period`: period_start and period_end both equal;
- `overall`: every field above right.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_LABELS = ROOT / "tests" / "labels" / "figures.yaml"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
REPORTS_FILE = Path("work_reports") / "government_work_reports_1954_2015.jsonl"
LOCAL_FILE = Path("local") / "pages.jsonl"
SPEECH_PREFIX = "speech:"
LOCAL_PREFIX = "local:"

FIELDS = ("found", "value+unit+bound", "indicator_key", "measure", "value", "unit", "bound",
          "kind", "period", "masked", "overall")
REL_TOL = 1e-9


# ---------------------------------------------------------------- labels


@dataclass
class Label:
    doc: str  # "2014" or "speech: <stem>"
    sentence: str
    mention: str
    indicator: str | None
    indicator_key: str | None
    measure: str
    value: float | None
    value_low: float | None
    value_high: float | None
    bound: str
    unit: str | None
    kind: str
    period_label: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    masked: bool
    # filled by locate(): the mention's span in the document's cleaned text
    char_start: int | None = None
    char_end: int | None = None
    sentence_start: int | None = None
    sentence_end: int | None = None


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def doc_key(doc: Any) -> str:
    """The labels' `doc` as a string: a report's year, `speech: <stem>`, or
    `local: <line>` (a line of ../shared/corpus/local/pages.jsonl, 1-based)."""
    text = str(doc).strip()
    for prefix in (SPEECH_PREFIX, LOCAL_PREFIX):
        if text.startswith(prefix):
            return f"{prefix} {text[len(prefix):].strip()}"
    return text


def load_labels(path: Path | str = DEFAULT_LABELS) -> list[Label]:
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    rows = data["figures"] if isinstance(data, dict) else data
    return [
        Label(
            doc=doc_key(r["doc"]), sentence=r["sentence"], mention=r["mention"],
            indicator=r.get("indicator"), indicator_key=r.get("indicator_key"),
            measure=r["measure"], value=_num(r.get("value")), value_low=_num(r.get("value_low")),
            value_high=_num(r.get("value_high")), bound=r["bound"], unit=r.get("unit"),
            kind=r["kind"], period_label=r.get("period_label"),
            period_start=_date(r.get("period_start")), period_end=_date(r.get("period_end")),
            masked=bool(r.get("masked", False)),
        )
        for r in rows
    ]


def mention_occurrences(sentence: str, mention: str) -> list[int]:
    """Offsets of `mention` in `sentence`, skipping hits inside a longer number
    (`3万亿元` inside `18.23万亿元`)."""
    out = []
    for m in re.finditer(re.escape(mention), sentence):
        a, b = m.span()
        if mention[0].isdigit() and a > 0 and (sentence[a - 1].isdigit() or _inside_number(sentence, a)):
            continue
        if mention[-1].isdigit() and b < len(sentence) and sentence[b].isdigit():
            continue
        out.append(a)
    return out


def _inside_number(sentence: str, at: int) -> bool:
    """A `.` or a grouping `,` between digits before `at` (18.23, 966,485): the
    mention would start inside a longer number. NFKC makes every Chinese comma
    ASCII, so a `,` after a character is a clause break."""
    return sentence[at - 1] in ".," and at > 1 and sentence[at - 2].isdigit()


def locate(labels: Sequence[Label], text: str) -> list[str]:
    """Set each label's spans in `text` (one document's cleaned text); return problems."""
    problems: list[str] = []
    used: dict[tuple[str, str], int] = {}
    for label in labels:
        at = text.find(label.sentence)
        if at < 0:
            problems.append(f"{label.doc}: sentence not in the cleaned text: {label.sentence[:40]}…")
            continue
        label.sentence_start, label.sentence_end = at, at + len(label.sentence)
        nth = used.get((label.sentence, label.mention), 0)
        used[(label.sentence, label.mention)] = nth + 1
        hits = mention_occurrences(label.sentence, label.mention)
        if nth >= len(hits):
            problems.append(f"{label.doc}: mention {label.mention!r} (#{nth + 1}) not in its sentence")
            continue
        label.char_start = at + hits[nth]
        label.char_end = label.char_start + len(label.mention)
    return problems


# ---------------------------------------------------------------- matching and scoring


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def match(labels: Sequence[Label], metrics: Sequence[Any]) -> list[tuple[Label, Any]]:
    """One-to-one pairs (label, metric) of one document whose spans overlap,
    largest overlap first."""
    candidates = []
    for i, label in enumerate(labels):
        if label.char_start is None:
            continue
        for j, metric in enumerate(metrics):
            ov = _overlap(label.char_start, label.char_end, metric.char_start, metric.char_end)
            if ov:
                candidates.append((-ov, i, j))
    candidates.sort()
    used_l, used_m, pairs = set(), set(), []
    for _, i, j in candidates:
        if i in used_l or j in used_m:
            continue
        used_l.add(i)
        used_m.add(j)
        pairs.append((labels[i], metrics[j]))
    return pairs


def in_labelled_sentences(labels: Sequence[Label], metrics: Iterable[Any]) -> list[Any]:
    """The extracted figures whose span overlaps a labelled sentence."""
    spans = {(l.sentence_start, l.sentence_end) for l in labels if l.sentence_start is not None}
    return [m for m in metrics if any(_overlap(a, b, m.char_start, m.char_end) for a, b in spans)]


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return False
    return a == b or abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def field_checks(label: Label, metric: Any) -> dict[str, bool]:
    value_ok = (_close(label.value, metric.value) and _close(label.value_low, metric.value_low)
                and _close(label.value_high, metric.value_high))
    checks = {
        "found": True,
        "indicator_key": label.indicator_key == metric.indicator_key,
        "measure": label.measure == metric.measure,
        "value": value_ok,
        "unit": label.unit == metric.unit,
        "bound": label.bound == metric.bound,
        "kind": label.kind == metric.kind,
        "period": label.period_start == _date(metric.period_start) and label.period_end == _date(metric.period_end),
        "masked": label.masked == bool(metric.masked),
    }
    checks["value+unit+bound"] = checks["value"] and checks["unit"] and checks["bound"]
    checks["overall"] = all(checks[f] for f in FIELDS if f not in ("overall",))
    return checks


@dataclass
class Score:
    labels: int = 0
    extracted: int = 0  # extracted figures inside labelled sentences
    correct: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    errors: list[dict[str, Any]] = field(default_factory=list)

    def precision(self, name: str) -> float | None:
        return self.correct[name] / self.extracted if self.extracted else None

    def recall(self, name: str) -> float | None:
        return self.correct[name] / self.labels if self.labels else None

    def add(self, other: Score) -> None:
        self.labels += other.labels
        self.extracted += other.extracted
        for name in FIELDS:
            self.correct[name] += other.correct[name]
        self.errors.extend(other.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "extracted_in_labelled_sentences": self.extracted,
            "fields": {
                name: {"correct": self.correct[name], "precision": self.precision(name),
                       "recall": self.recall(name)}
                for name in FIELDS
            },
        }


def _metric_view(metric: Any) -> dict[str, Any]:
    keys = ("mention", "indicator", "indicator_key", "measure", "value", "value_low", "value_high",
            "bound", "unit", "kind", "period_label", "period_start", "period_end", "masked")
    return {k: (str(getattr(metric, k)) if isinstance(getattr(metric, k, None), dt.date)
                else getattr(metric, k, None)) for k in keys}


def _label_view(label: Label) -> dict[str, Any]:
    view = _metric_view(label)
    view["doc"] = label.doc
    return view


def score_document(labels: Sequence[Label], metrics: Sequence[Any]) -> Score:
    """Score one document's labels (already located) against its extracted metrics."""
    score = Score(labels=len(labels))
    scope = in_labelled_sentences(labels, metrics)
    score.extracted = len(scope)
    pairs = match(labels, scope)
    matched_labels = {id(l) for l, _ in pairs}
    matched_metrics = {id(m) for _, m in pairs}
    for label, metric in pairs:
        checks = field_checks(label, metric)
        for name, ok in checks.items():
            score.correct[name] += ok
        wrong = [f for f in FIELDS if f not in ("overall", "value+unit+bound") and not checks[f]]
        if wrong:
            score.errors.append({"type": "wrong", "fields": wrong, "label": _label_view(label),
                                 "extracted": _metric_view(metric)})
    for label in labels:
        if id(label) not in matched_labels:
            score.errors.append({"type": "missed", "label": _label_view(label), "sentence": label.sentence})
    for metric in scope:
        if id(metric) not in matched_metrics:
            score.errors.append({"type": "spurious", "doc": labels[0].doc if labels else None,
                                 "extracted": _metric_view(metric), "sentence": getattr(metric, "sentence", None)})
    return score


# ---------------------------------------------------------------- documents


def load_sources(docs: Iterable[str], corpus: Path = DEFAULT_CORPUS, bare: bool = False) -> dict[str, Any]:
    """SourceText for each labelled document: a report from the jsonl by year,
    a speech from corpus/speeches/<stem>.txt, a local page by its line in
    corpus/local/pages.jsonl (with the page's url, date or year and title as
    the jsonl reader passes them)."""
    from transforms.document import SourceText

    wanted = set(docs)
    out: dict[str, Any] = {}
    local = {d for d in wanted if d.startswith(LOCAL_PREFIX)}
    if local:
        out.update(load_local_pages(local, corpus, bare))
    years = {d for d in wanted if not d.startswith((SPEECH_PREFIX, LOCAL_PREFIX))}
    if years:
        with (corpus / REPORTS_FILE).open(encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                record = json.loads(line)
                year = record.get("year")
                if year is None or str(year) not in years or str(year) in out:
                    continue
                meta = {k: record[k] for k in ("title", "url", "year") if record.get(k) is not None}
                out[str(year)] = SourceText(text=record["content"], source_format="jsonl",
                                            encoding="utf-8", source_record=line_no, meta=meta)
    for doc in wanted - years - local:
        stem = doc[len(SPEECH_PREFIX):].strip()
        path = corpus / "speeches" / f"{stem}.txt"
        out[doc] = SourceText(text=path.read_text(encoding="utf-8"), source_format="txt", encoding="utf-8")
    missing = wanted - set(out)
    if missing:
        raise SystemExit(f"labelled documents not found in {corpus}: {sorted(missing)}")
    return out


def load_local_pages(docs: Iterable[str], corpus: Path = DEFAULT_CORPUS, bare: bool = False) -> dict[str, Any]:
    """`local: N` -> the SourceText of line N of corpus/local/pages.jsonl; with
    `bare`, the text alone, as a .txt file without metadata would give it."""
    from transforms.document import SourceText

    lines = {int(d[len(LOCAL_PREFIX):].strip()): d for d in docs}
    out: dict[str, Any] = {}
    with (corpus / LOCAL_FILE).open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if line_no in lines:
                record = json.loads(line)
                meta = {k: record[k] for k in ("title", "url", "year", "date") if record.get(k) is not None}
                if bare:
                    out[lines[line_no]] = SourceText(text=record["text"], source_format="txt", encoding="utf-8")
                else:
                    out[lines[line_no]] = SourceText(text=record["text"], source_format="jsonl",
                                                     encoding="utf-8", source_record=line_no, meta=meta)
    return out


def evaluate(labels: Sequence[Label], sources: dict[str, Any],
             process: Callable[[Any], Any]) -> tuple[Score, dict[str, Score], float, int]:
    """Run `process` on each document, score it; return the total, per-document
    scores, the seconds spent in `process` and the characters processed."""
    total, per_doc = Score(), {}
    seconds, chars = 0.0, 0
    by_doc: dict[str, list[Label]] = {}
    for label in labels:
        by_doc.setdefault(label.doc, []).append(label)
    for doc, doc_labels in by_doc.items():
        started = time.perf_counter()
        document = process(sources[doc])
        seconds += time.perf_counter() - started
        chars += len(document.text)
        problems = locate(doc_labels, document.text)
        if problems:
            raise SystemExit("labels do not fit the cleaned text:\n  " + "\n  ".join(problems))
        score = score_document(doc_labels, document.metrics)
        per_doc[doc] = score
        total.add(score)
    return total, per_doc, seconds, chars


# ---------------------------------------------------------------- output


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def print_table(total: Score, per_doc: dict[str, Score], seconds: float, chars: int) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain fallback
        print(f"{'field':<18}{'precision':>10}{'recall':>10}{'correct':>9}")
        for name in FIELDS:
            print(f"{name:<18}{_fmt(total.precision(name)):>10}{_fmt(total.recall(name)):>10}{total.correct[name]:>9}")
    else:
        table = Table(title=f"Figure accuracy: {total.labels} labelled figures, {len(per_doc)} documents, "
                            f"{total.extracted} extracted in labelled sentences")
        table.add_column("field")
        table.add_column("precision", justify="right")
        table.add_column("recall", justify="right")
        table.add_column("correct", justify="right")
        for name in FIELDS:
            table.add_row(name, _fmt(total.precision(name)), _fmt(total.recall(name)), str(total.correct[name]))
        Console().print(table)
    if seconds:
        print(f"pipeline: {chars} characters in {seconds:.2f} s ({chars / seconds:,.0f} characters/s, all components)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", type=Path, help="write the scores (and the errors) as JSON here")
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="print the first N errors")
    parser.add_argument("--bare", action="store_true",
                        help="local pages as bare text: no url, date, year or title (as a .txt file gives them)")
    args = parser.parse_args(argv)

    labels = load_labels(args.labels)
    try:
        from transforms.pipeline import process
    except ImportError as exc:
        print(f"cannot import the pipeline (transforms.pipeline.process): {exc}", file=sys.stderr)
        return 1
    sources = load_sources({l.doc for l in labels}, args.corpus, bare=args.bare)
    total, per_doc, seconds, chars = evaluate(labels, sources, process)
    print_table(total, per_doc, seconds, chars)
    for error in total.errors[: args.errors]:
        print(json.dumps(error, ensure_ascii=False, default=str))
    if args.json:
        result = total.as_dict()
        result["documents"] = {doc: s.as_dict() for doc, s in per_doc.items()}
        result["pipeline_seconds"] = seconds
        result["characters"] = chars
        result["errors"] = total.errors
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
