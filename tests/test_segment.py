"""Segmentation: the fast engine (rjieba) gives jieba's tokens, with the domain
dictionary applied to both; terms leave out stopwords, punctuation and numbers."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import yaml

from conftest import DEV_REPORTS, ROOT, SAMPLE_REPORTS, SAMPLE_SPEECH
from transforms import segment
from transforms.clean import clean
from transforms.document import Document, SourceText, Term
from transforms.metadata import metadata
from transforms.structure import structure

ENGINES = segment.ENGINES


def _cleaned(text: str, fmt: str = "txt") -> str:
    return clean(Document(source=SourceText(text, fmt))).text


@pytest.fixture(scope="module")
def speech() -> str:
    return _cleaned(SAMPLE_SPEECH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report_paragraphs() -> list[str]:
    """A few paragraphs of each sample report, cleaned."""
    out = []
    for line in SAMPLE_REPORTS.read_text(encoding="utf-8").splitlines():
        paragraphs = _cleaned(json.loads(line)["content"], "jsonl").split("\n")
        long = [p for p in paragraphs if len(p) > 80]
        out += long[:: max(1, len(long) // 6)][:6]
    assert len(out) >= 6
    return out


@pytest.fixture(scope="module")
def labelled_sentences() -> list[str]:
    labels = yaml.safe_load((ROOT / "tests" / "labels" / "figures.yaml").read_text(encoding="utf-8"))
    return sorted({f["sentence"] for f in labels["figures"]})


def test_engines_equal_on_the_sample_speech(speech):
    jieba_tokens = segment.tokens(speech, "jieba")
    assert segment.tokens(speech, "rjieba") == jieba_tokens
    assert "".join(jieba_tokens) == speech
    assert segment.count_terms(speech, "rjieba") == segment.count_terms(speech, "jieba")


def test_engines_equal_on_report_paragraphs(report_paragraphs):
    for paragraph in report_paragraphs:
        assert segment.tokens(paragraph, "rjieba") == segment.tokens(paragraph, "jieba"), paragraph
        assert segment.count_terms(paragraph, "rjieba") == segment.count_terms(paragraph, "jieba")


def test_engines_equal_on_the_labelled_sentences(labelled_sentences):
    assert len(labelled_sentences) > 100
    for sentence in labelled_sentences:
        assert segment.tokens(sentence, "rjieba") == segment.tokens(sentence, "jieba"), sentence


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("word", ["拆墙透绿", "供给侧结构性改革", "垃圾分类", "精准扶贫"])
def test_user_dictionary_words_stay_whole(engine, word):
    text = f"今年我们推进{word},取得明显成效。"
    assert word in segment.tokens(text, engine)
    assert segment.count_terms(text, engine)[word] == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_terms_leave_out_stopwords_punctuation_and_numbers(engine):
    text = "我们的工作:2013年国内生产总值增长7.7%,达到56.9万亿元;2011-2020年规划。“拆墙透绿”和城市双修!"
    terms = segment.count_terms(text, engine)
    for dropped in ("的", "我们", "和", "工作", ":", ",", "。", "“", "!", "2013", "7.7", "%", "56.9", "2011-2020", "-"):
        assert dropped not in terms
    assert terms["拆墙透绿"] == 1 and terms["城市双修"] == 1
    assert terms["国内生产总值"] == 1
    assert all(any(ch.isalpha() for ch in t) for t in terms)


def test_segment_counts_per_leaf_section(monkeypatch, speech):
    """The pipeline's segment component: per leaf, term counts equal the
    engine's counts, the same for both engines; TermList reads as Terms."""
    docs = {}
    for engine in ENGINES:
        monkeypatch.setenv(segment.ENGINE_VARIABLE, engine)
        doc = structure(metadata(clean(Document(source=SourceText(SAMPLE_SPEECH.read_text(encoding="utf-8"), "txt")))))
        docs[engine] = segment.segment(doc)
    rj, jb = docs["rjieba"], docs["jieba"]
    assert list(rj.terms) == list(jb.terms)
    assert rj.terms == jb.terms and rj.terms == list(jb.terms)
    assert len(rj.terms) > 100
    assert all(isinstance(t, Term) and t.doc_id == rj.doc_id for t in rj.terms)
    assert rj.terms[0] == list(rj.terms)[0] and rj.terms[-2:] == list(rj.terms)[-2:]
    for leaf in rj.leaf_sections():
        expected = segment.count_terms(leaf.text, "jieba")
        got = {t.term: t.count for t in rj.terms if t.section_id == leaf.section_id}
        assert got == dict(expected)
        assert [t.term for t in rj.terms if t.section_id == leaf.section_id] == sorted(expected)


def test_engine_setting(monkeypatch):
    monkeypatch.delenv(segment.ENGINE_VARIABLE, raising=False)
    assert segment.engine_name() == "rjieba"
    monkeypatch.setenv(segment.ENGINE_VARIABLE, "JIEBA")
    assert segment.engine_name() == "jieba"
    monkeypatch.setenv(segment.ENGINE_VARIABLE, "thulac")
    with pytest.raises(ValueError, match="SPEECH_ETL_SEGMENTER"):
        segment.engine_name()


def test_agreement_on_the_dev_corpus():
    """≥ 99.9% of jieba's tokens (as text spans) are rjieba's too, and the
    terms counted from them are identical (docs/performance.md)."""
    if not DEV_REPORTS.exists():
        pytest.skip(f"the shared dev corpus is not at {DEV_REPORTS}")
    records = [json.loads(line) for line in DEV_REPORTS.read_text(encoding="utf-8").splitlines()]
    paragraphs = [p for r in records for p in _cleaned(r["content"], "jsonl").split("\n")]
    spans, terms = {}, {}
    for engine in ENGINES:
        offsets, at, counts = set(), 0, Counter()
        for paragraph in paragraphs:
            tokens = segment.tokens(paragraph, engine)
            counts.update(tokens)
            for token in tokens:
                offsets.add((at, at + len(token)))
                at += len(token)
            at += 1
        spans[engine] = offsets
        terms[engine] = Counter({t: counts[t] for t in segment._terms_of(counts)})
    common = len(spans["jieba"] & spans["rjieba"])
    assert common / len(spans["jieba"]) >= 0.999
    assert common / len(spans["rjieba"]) >= 0.999
    assert terms["rjieba"] == terms["jieba"]


def test_terms_are_the_same_when_the_verdicts_are_dropped_midway(speech, monkeypatch):
    """The per-process verdict cache is bounded; dropping it changes no term."""
    doc = structure(metadata(clean(Document(source=SourceText(speech, "txt")))))
    expected = segment.segment(doc).terms
    expected = segment.TermList(expected.doc_id, list(expected.section_ids), list(expected.terms),
                                list(expected.counts))
    monkeypatch.setattr(segment, "_VERDICT_LIMIT", 50)
    segment._verdicts.clear()
    assert segment.segment(doc).terms == expected
    assert len(segment._verdicts) < 50 + max(len(set(segment.tokens(leaf.text))) for leaf in doc.leaf_sections())


def test_term_list_keeps_sections_as_runs():
    built = segment.TermList("d")
    built.add_section("s1", ["改革", "发展"], [2, 1])
    built.add_section("s2", [], [])
    built.add_section("s3", ["创新"], [4])
    given = segment.TermList("d", ["s1", "s1", "s3"], ["改革", "发展", "创新"], [2, 1, 4])
    assert built.section_runs == given.section_runs == [("s1", 2), ("s3", 1)]
    assert built.section_ids == ["s1", "s1", "s3"]
    assert built == given == [Term("d", "s1", "改革", 2), Term("d", "s1", "发展", 1), Term("d", "s3", "创新", 4)]
    assert built[2] == Term("d", "s3", "创新", 4)
