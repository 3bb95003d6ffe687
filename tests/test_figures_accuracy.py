"""The accuracy benchmark's loader and matcher (fake Metric lists), and the
labelled set itself (every sentence and mention is where the labels say)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from transforms.clean import clean
from transforms.document import Document, Metric

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def _load_bench():
    spec = importlib.util.spec_from_file_location("figures_accuracy", ROOT / "bench" / "figures_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


fa = _load_bench()

TEXT = "过去一年。\n国内生产总值达到18.23万亿元,比上年增长9.9%;财政收入突破3万亿元。\n今年要再取消200项。"


def label(mention, sentence, **kw):
    base = dict(doc="2006", sentence=sentence, mention=mention, indicator=None, indicator_key=None,
                measure="level", value=None, value_low=None, value_high=None, bound="eq", unit=None,
                kind="actual", period_label="2005", period_start=dt.date(2005, 1, 1),
                period_end=dt.date(2005, 12, 31), masked=False)
    base.update(kw)
    if base["value"] is not None and base["bound"] != "range":
        base["value_low"] = base["value_high"] = base["value"]
    return fa.Label(**base)


def metric(start, end, **kw):
    base = dict(metric_id="m", doc_id="d", section_id=None, char_start=start, char_end=end, sentence="",
                mention=TEXT[start:end], indicator=None, indicator_key=None, measure="level", value=None,
                value_low=None, value_high=None, bound="eq", unit=None, value_base=None, base_unit=None,
                kind="actual", period_label=None, period_start=dt.date(2005, 1, 1),
                period_end=dt.date(2005, 12, 31), masked=False)
    base.update(kw)
    if base["value"] is not None and base["bound"] != "range" and "value_low" not in kw:
        base["value_low"] = base["value_high"] = base["value"]
    return Metric(**base)


SENTENCE = "国内生产总值达到18.23万亿元,比上年增长9.9%;财政收入突破3万亿元。"


def labels():
    return [
        label("18.23万亿元", SENTENCE, indicator_key="gdp", value=18.23, unit="万亿元"),
        label("9.9%", SENTENCE, indicator_key="gdp", measure="growth", value=9.9, unit="%"),
        label("3万亿元", SENTENCE, value=3, unit="万亿元", bound="gt"),
    ]


def span(text):
    start = fa.mention_occurrences(TEXT, text)[0]
    return start, start + len(text)


def test_mention_occurrences_skip_hits_inside_longer_numbers():
    assert fa.mention_occurrences(SENTENCE, "3万亿元") == [SENTENCE.index("突破") + 2]
    assert fa.mention_occurrences("增长8%,其中增长8%", "8%") == [2, 9]
    assert fa.mention_occurrences("增长18%", "8%") == []


def test_locate_sets_spans_in_the_text():
    ls = labels()
    assert fa.locate(ls, TEXT) == []
    for l in ls:
        assert TEXT[l.char_start:l.char_end] == l.mention
        assert TEXT[l.sentence_start:l.sentence_end] == SENTENCE


def test_locate_reports_a_sentence_that_is_not_in_the_text():
    ls = [label("5%", "不在这里增长5%。", value=5, unit="%")]
    problems = fa.locate(ls, TEXT)
    assert len(problems) == 1 and "sentence not in" in problems[0]


def test_perfect_extraction_scores_one():
    ls = labels()
    fa.locate(ls, TEXT)
    ms = [
        metric(*span("18.23万亿元"), indicator_key="gdp", value=18.23, unit="万亿元"),
        metric(*span("9.9%"), indicator_key="gdp", measure="growth", value=9.9 + 1e-12, unit="%"),
        metric(*span("3万亿元"), value=3, unit="万亿元", bound="gt"),
        metric(*span("200项"), value=200, unit="项", kind="plan"),  # outside labelled sentences
    ]
    score = fa.score_document(ls, ms)
    assert score.labels == 3 and score.extracted == 3
    for name in fa.FIELDS:
        assert score.precision(name) == 1.0 and score.recall(name) == 1.0, name
    assert score.errors == []


def test_wrong_fields_missed_and_spurious_figures():
    ls = labels()
    fa.locate(ls, TEXT)
    a, b = span("18.23万亿元")
    ms = [
        # overlapping but shorter span, wrong unit and period
        metric(a, b - 2, indicator_key="gdp", value=18.23, unit="万亿", period_end=dt.date(2005, 6, 30)),
        # a spurious figure in the labelled sentence: "上年"
        metric(*span("上年"), value=1, unit="年"),
        # 9.9% missed; 3万亿元 with bound eq instead of gt
        metric(*span("3万亿元"), value=3, unit="万亿元", bound="eq"),
    ]
    score = fa.score_document(ls, ms)
    assert (score.labels, score.extracted) == (3, 3)
    assert score.correct["found"] == 2
    assert score.correct["value"] == 2
    assert score.correct["unit"] == 1
    assert score.correct["bound"] == 1
    assert score.correct["value+unit+bound"] == 0
    assert score.correct["period"] == 1
    assert score.correct["overall"] == 0
    assert score.recall("found") == pytest.approx(2 / 3)
    assert score.precision("found") == pytest.approx(2 / 3)
    kinds = Counter(e["type"] for e in score.errors)
    assert kinds == {"wrong": 2, "missed": 1, "spurious": 1}


def test_one_metric_matches_at_most_one_label():
    ls = labels()
    fa.locate(ls, TEXT)
    a, _ = span("18.23万亿元")
    _, b = span("9.9%")
    score = fa.score_document(ls, [metric(a, b, value=18.23, unit="万亿元", indicator_key="gdp")])
    assert score.correct["found"] == 1 and score.extracted == 1


def test_masked_and_range_values():
    text = "结案率城管%;目标6%-6.5%。"
    ls = [
        label("城管%", text, masked=True, unit="%", kind="actual"),
        label("6%-6.5%", text, value_low=6.0, value_high=6.5, bound="range", unit="%", measure="growth"),
    ]
    assert fa.locate(ls, text) == []
    s0 = text.index("城管%")
    s1 = text.index("6%-6.5%")
    good = [
        metric(s0, s0 + 3, masked=True, unit="%"),
        metric(s1, s1 + 7, value=None, value_low=6.0, value_high=6.5, bound="range", unit="%", measure="growth"),
    ]
    assert fa.score_document(ls, good).correct["overall"] == 2
    bad = [
        metric(s0, s0 + 3, masked=False, value=0.0, unit="%"),  # a number read from the placeholder
        metric(s1, s1 + 2, value=6.0, unit="%", measure="growth"),  # only the first end
    ]
    score = fa.score_document(ls, bad)
    assert score.correct["found"] == 2
    assert score.correct["value"] == 0 and score.correct["masked"] == 1


def test_main_writes_json(tmp_path, monkeypatch):
    import transforms.pipeline as pipeline

    labels_file = tmp_path / "labels.yaml"
    labels_file.write_text(
        "figures:\n"
        "- {doc: 'speech: s', sentence: '增长9.9%。', mention: '9.9%', indicator: 经济, indicator_key: gdp,\n"
        "   measure: growth, value: 9.9, value_low: 9.9, value_high: 9.9, bound: eq, unit: '%', kind: actual,\n"
        "   period_label: '2005', period_start: '2005-01-01', period_end: '2005-12-31', masked: false}\n",
        encoding="utf-8",
    )
    corpus = tmp_path / "corpus"
    (corpus / "speeches").mkdir(parents=True)
    (corpus / "speeches" / "s.txt").write_text("增长9.9%。", encoding="utf-8")

    def fake_process(source):
        doc = clean(Document(source=source))
        doc.metrics = [Metric(
            metric_id="m", doc_id=doc.doc_id, section_id=None, char_start=2, char_end=6, sentence=doc.text,
            mention="9.9%", indicator="经济", indicator_key="gdp", measure="growth", value=9.9, value_low=9.9,
            value_high=9.9, bound="eq", unit="%", value_base=9.9, base_unit="%", kind="actual",
            period_label="2005", period_start=dt.date(2005, 1, 1), period_end=dt.date(2005, 12, 31), masked=False)]
        return doc

    monkeypatch.setattr(pipeline, "process", fake_process)
    out = tmp_path / "scores.json"
    assert fa.main(["--labels", str(labels_file), "--corpus", str(corpus), "--json", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["fields"]["overall"] == {"correct": 1, "precision": 1.0, "recall": 1.0}


# ---------------------------------------------------------------- the labelled set

CATALOG_KEYS = {
    "gdp", "gdp_per_capita", "general_budget_revenue", "cpi", "urban_new_jobs", "surveyed_unemployment_rate",
    "registered_unemployment_rate", "disposable_income", "fixed_asset_investment", "retail_sales", "trade_total",
    "fdi", "industrial_value_added", "grain_output", "energy_intensity", "pm25", "good_air_days", "rd_intensity",
    "urbanization_rate", "rural_poverty_reduction", "shantytown_renovation", "cases_filed", "cases_closed",
    "case_closure_rate", "new_green_area", "pocket_parks", "walls_removed", "illegal_structures_removed",
    "urban_disposable_income", "rural_disposable_income", "fiscal_total_revenue", "cases_received",
    "on_time_closure_rate", "pm10", "o3", "air_quality_index", "rural_net_income",
}


def assert_follow_the_conventions(labels) -> None:
    """Every label's fields are values docs/figures.md allows, and consistent."""
    for l in labels:
        where = f"{l.doc}: {l.mention}"
        assert l.mention in l.sentence, where
        assert l.indicator_key is None or l.indicator_key in CATALOG_KEYS, where
        assert l.measure in {"level", "growth", "change", "pp_change", "share", "avg_growth"}, where
        assert l.bound in {"eq", "approx", "ge", "gt", "le", "lt", "range"}, where
        assert l.kind in {"actual", "estimate", "target", "plan"}, where
        assert l.period_start and l.period_end and l.period_start <= l.period_end, where
        if l.masked:
            assert l.value is None and l.value_low is None and l.value_high is None, where
        elif l.bound == "range":
            assert l.value is None and l.value_low < l.value_high, where
        else:
            assert l.value is not None and l.value == l.value_low == l.value_high, where


def assert_found_in_the_cleaned_corpus(labels) -> None:
    """Each label's sentence and mention stand in its report's cleaned text."""
    sources = fa.load_sources({l.doc for l in labels}, CORPUS)
    by_doc = {}
    for l in labels:
        by_doc.setdefault(l.doc, []).append(l)
    for doc, doc_labels in by_doc.items():
        text = clean(Document(source=sources[doc])).text
        assert fa.locate(doc_labels, text) == [], doc
        for l in doc_labels:
            assert text[l.char_start:l.char_end] == l.mention, f"{doc}: {l.mention}"


def test_labelled_set_fields_follow_the_conventions():
    ls = fa.load_labels()
    assert len(ls) >= 220
    reports = {l.doc for l in ls if not l.doc.startswith(fa.SPEECH_PREFIX)}
    assert len(reports) >= 16
    assert {int(y) // 10 for y in reports} >= {195, 198, 199, 200, 201}
    assert sum(l.masked for l in ls if l.doc.startswith(fa.SPEECH_PREFIX)) >= 12
    assert_follow_the_conventions(ls)


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not here")
def test_labelled_sentences_are_in_the_cleaned_corpus_text():
    assert_found_in_the_cleaned_corpus(fa.load_labels())


def _load_compare():
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("compare_recognizers", ROOT / "bench" / "compare_recognizers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_compare_scales_units_and_resolves_recognizer_overlaps():
    cr = _load_compare()
    assert cr.split_unit("万亿元") == (1e12, "元")
    assert cr.split_unit("万千瓦") == (1e4, "千瓦")
    assert cr.split_unit("%") == (1.0, "%")
    assert cr.split_unit("万") == (1e4, None)
    results = [  # Recognizers' answer for "增长56.9万亿元,目标6%-6.5%" (end exclusive)
        {"text": "56.9万亿", "start": 2, "end": 8, "type": "number", "value": "56900000000000", "unit": None},
        {"text": "56.9万亿元", "start": 2, "end": 9, "type": "currency", "value": "56900000000000",
         "unit": "Chinese yuan"},
        {"text": "6%", "start": 12, "end": 14, "type": "percentage", "value": "6%", "unit": None},
        {"text": "-6.5", "start": 14, "end": 18, "type": "number", "value": "-6.5", "unit": None},
        {"text": "6.5%", "start": 15, "end": 19, "type": "percentage", "value": "6.5%", "unit": None},
    ]
    found = cr.theirs(results, offset=100)
    assert [(f.char_start, f.value, f.unit) for f in found] == [
        (102, 56900000000000.0, "元"), (112, 6.0, "%"), (115, 6.5, "%")]


# ---------------------------------------------------------------- the held-out set

HELDOUT = ROOT / "tests" / "labels" / "figures_heldout.yaml"


def test_heldout_set_is_disjoint_from_the_tuned_set_and_follows_the_conventions():
    held = fa.load_labels(HELDOUT)
    tuned_docs = {l.doc for l in fa.load_labels()}
    docs = {l.doc for l in held}
    assert len(held) >= 150 and len(docs) >= 10
    assert not docs & tuned_docs, "a held-out report is also in figures.yaml"
    assert_follow_the_conventions(held)


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not here: the held-out "
                    "labels cannot be checked against the cleaned report texts")
def test_heldout_sentences_and_mentions_are_in_the_cleaned_corpus_text():
    assert_found_in_the_cleaned_corpus(fa.load_labels(HELDOUT))
