"""The SQL macros kwic, term_trend and figure_history on the dev corpus agree
with plain counts over the same texts."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest

from conftest import speech_etl
from transforms.segment import count_terms


def rows(warehouse: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        cursor = con.execute(sql)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, r)) for r in cursor.fetchall()]


@pytest.mark.parametrize("term,width", [("综合国力", 20), ("城镇化", 10)])
def test_kwic_finds_every_occurrence_with_its_context(dev_warehouse, term, width):
    texts = {r["doc_id"]: r["text"] for r in rows(dev_warehouse, "SELECT doc_id, text FROM documents")}
    expected = sum(text.count(term) for text in texts.values())
    hits = rows(dev_warehouse, f"SELECT * FROM kwic('{term}', {width})")
    assert expected > 0 and len(hits) == expected
    for hit in hits:
        text, at = texts[hit["doc_id"]], hit["char_start"]
        assert text[at:at + len(term)] == term == hit["term"]
        assert hit["left_context"] == text[max(0, at - width):at]
        assert hit["right_context"] == text[at + len(term):at + len(term) + width]
        assert hit["section_path"] is not None
    years = {r["doc_id"]: r["year"] for r in rows(dev_warehouse, "SELECT doc_id, year FROM documents")}
    assert all(hit["year"] == years[hit["doc_id"]] for hit in hits)


def test_kwic_through_the_command_line(dev_warehouse):
    result = speech_etl("sql", "select * from kwic('综合国力', 10) limit 5", "--warehouse", str(dev_warehouse),
                        "--format", "csv")
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("doc_id,title,issuer,year,section_path") and len(lines) == 1 + 5
    assert all("综合国力" in line for line in lines[1:])


def test_term_trend_agrees_with_the_projects_segmenter(dev_warehouse):
    words = ("拆墙透绿", "改革")
    docs = {r["doc_id"]: (r["issuer"], r["year"]) for r in rows(dev_warehouse, "SELECT doc_id, issuer, year FROM documents")}
    leaves = rows(dev_warehouse, """
        SELECT s.doc_id, s.text FROM sections s
        WHERE NOT EXISTS (SELECT 1 FROM sections c WHERE c.doc_id = s.doc_id AND c.parent_id = s.section_id)""")
    counts: dict[tuple, Counter] = defaultdict(Counter)
    tokens: Counter = Counter()
    for leaf in leaves:
        key = docs[leaf["doc_id"]]
        found = count_terms(leaf["text"] or "")
        tokens[key] += sum(found.values())
        for word in words:
            counts[key][word] += found[word]
    for word in words:
        trend = rows(dev_warehouse, f"SELECT * FROM term_trend('{word}')")
        assert {(r["issuer"], r["year"]) for r in trend} == set(docs.values())
        for r in trend:
            key = (r["issuer"], r["year"])
            assert r["count"] == counts[key][word], (word, key)
            assert r["tokens"] == tokens[key], key
            assert r["per_10k"] == pytest.approx(round(10000 * counts[key][word] / tokens[key], 3))
    speech = [r for r in rows(dev_warehouse, "SELECT * FROM term_trend('拆墙透绿')") if r["count"]]
    assert speech and speech[0]["year"] == 2020  # the sample speech's word


def test_figure_history_puts_targets_beside_actuals(dev_warehouse):
    # two arguments: whole years only (span := 'year'), so no five-year or part-year figure
    history = rows(dev_warehouse, "SELECT * FROM figure_history('gdp', 'growth')")
    series = rows(dev_warehouse, """SELECT * FROM metric_series
                                    WHERE indicator_key = 'gdp' AND measure = 'growth' AND span = 'year'""")
    periods = {(r["issuer_key"], r["period_start"], r["period_end"]) for r in series}
    assert len(history) == len(periods)
    assert {h["span"] for h in history} == {"year"}
    by_kind = {(r["issuer_key"], r["period_start"], r["period_end"], r["kind"]): r for r in series}
    texts = {r["doc_id"]: r["text"] for r in rows(dev_warehouse, "SELECT doc_id, text FROM documents")}
    both = 0
    for h in history:
        key = (h["issuer_key"], h["period_start"], h["period_end"])
        actual, target = by_kind.get((*key, "actual")), by_kind.get((*key, "target"))
        assert h["actual_value"] == (actual["value"] if actual else None)
        assert h["target_value"] == (target["value"] if target else None)
        if actual:  # the figure is in its document's text as written
            assert actual["mention"] in texts[h["actual_doc_id"]]
        if actual and target:
            both += 1
            assert h["gap"] is not None
    assert both >= 10  # the work reports set a growth target most years and report the outcome next year
