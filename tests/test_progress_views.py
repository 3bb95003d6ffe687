"""The progress views of issue 12 (progress_to_target, year_over_year,
revisions, stated_shares, spans, regions; figure_history's and term_shift's
arguments) on the dev corpus with ../shared/corpus/local, and on a few texts
written for these tests run through the whole pipeline into a DuckDB file.

Acceptance 1: one query each answers (a) H1 progress toward the annual target
for every local issuer that states both, (b) each State Council annual figure
beside the year before, (c) every figure stated twice with different values,
(d) urban new jobs 2005-2014 with no span filter by hand. The expected rows
were read off the source sentences quoted beside them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from conftest import query
from transforms.document import SourceText
from transforms.pipeline import process
from warehouse import schema
from warehouse.load import VIEWS, _sql
from warehouse.records import document_tables

D = dt.date


def records(warehouse: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        cursor = con.execute(sql)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def span_of(start: dt.date, end: dt.date) -> str:
    """docs/schema.md's spans, written again in Python to check the SQL."""
    if (end - start).days > 366:
        return "multi_year"
    following = end + dt.timedelta(days=1)
    if start.day != 1 or following.day != 1:
        return "other"
    months = (following.year - start.year) * 12 + following.month - start.month
    if months == 12 and start.month == 1:
        return "year"
    if months == 6 and start.month in (1, 7):
        return "half"
    if months == 3 and start.month in (1, 4, 7, 10):
        return "quarter"
    if months == 1:
        return "month"
    return "months" if start.month == 1 and 2 <= months <= 11 else "other"


def test_every_figure_has_the_span_and_year_of_its_period(dev_warehouse):
    rows = query(dev_warehouse, "SELECT period_start, period_end, span, year FROM metric_series")
    assert rows
    for start, end, span, year in rows:
        assert (span, year) == (span_of(start, end), end.year), (start, end)
    spans = {span for _, _, span, _ in rows}
    assert {"year", "half", "quarter", "months", "month", "multi_year"} <= spans
    # 城镇新增就业5771万人 is the 十一五 total: a multi-year span, never a year
    assert query(dev_warehouse, """SELECT span FROM metric_series
                                   WHERE indicator_key = 'urban_new_jobs' AND value = 5771""") == [("multi_year",)]


# (a) H1 progress toward the annual target, every local issuer that states both.
H1_PROGRESS = """
    SELECT issuer_key, region_level, indicator, period_label, actual_value, unit, target_value,
           share_of_target, share_of_year, stated_share, stated_minus_computed, actual_doc_id
    FROM progress_to_target
    WHERE span = 'half' AND region_level IS DISTINCT FROM 'national'
    ORDER BY issuer_key, target_value DESC"""

# (actual, target, the stated share) and the words of the source holding them
H1_EXPECTED = {
    # local #25, a county's key projects: 年度计划投资561.86亿元,1-6月累计完成投资362.32亿元,占年计划投资的64.49%
    (362.32, 561.86, 0.6449): "年度计划投资561.86亿元,1-6月累计完成投资362.32亿元,占年计划投资的64.49%",
    (235.8, 327.53, 0.72): "年度计划投资327.53亿元,1-6月累计完成投资235.8亿元,占年计划投资的72%",
    (101.97, 194.54, 0.5242): "年度计划投资194.54亿元,1-6月累计完成投资101.97亿元,占年计划投资的52.42%",
    (24.56, 39.78, 0.6173): "年度计划投资39.78亿元,1-6月累计完成投资24.56亿元,占年计划投资的61.73%",
    # local #26, 城厢区: 上半年…省市重点项目完成投资约90.5亿元,占年度计划约67.8% … 年计划投资约133亿元
    (90.5, 133.0, 0.678): "上半年,该区36个省市重点项目完成投资约90.5亿元,占年度计划约67.8%",
}


def test_a_h1_progress_toward_the_annual_target(dev_warehouse):
    rows = records(dev_warehouse, H1_PROGRESS)
    texts = dict(query(dev_warehouse, "SELECT doc_id, text FROM documents"))
    assert {(r["actual_value"], r["target_value"], r["stated_share"]) for r in rows} == set(H1_EXPECTED)
    for r in rows:
        words = H1_EXPECTED[(r["actual_value"], r["target_value"], r["stated_share"])]
        assert words in texts[r["actual_doc_id"]]
        assert r["unit"] == "亿元" and r["share_of_year"] == round(181 / 365, 4)
        assert r["share_of_target"] == round(r["actual_value"] / r["target_value"], 4)
        assert abs(r["stated_minus_computed"]) <= 0.005  # the text's own share agrees, to its rounding
    assert any(r["issuer_key"] == "城厢区发改局" and r["region_level"] == "district" for r in rows)
    assert "年计划投资约133亿元" in texts[next(r["actual_doc_id"] for r in rows if r["actual_value"] == 90.5)]


def test_a_stated_share_found_beside_a_repetition_of_the_figure(dev_warehouse):
    # 沧州: 截至目前,沧州市棚户区改造开工8363套 … 省下达沧州市今年棚户区改造开工任务8000套 …
    # 截至目前,全市开工项目30个、共8363套,占任务的104.3%
    rows = records(dev_warehouse, """SELECT * FROM progress_to_target
                                      WHERE indicator_key = 'shantytown_renovation'""")
    assert len(rows) == 1
    r = rows[0]
    assert (r["issuer"], r["region_code"], r["span"], r["period_end"]) == ("沧州市住建局", "130900", "other", D(2018, 10, 19))
    assert (r["actual_value"], r["target_value"], r["target_kind"], r["paired_by"]) == (8363.0, 8000.0, "plan", "series")
    assert (r["share_of_target"], r["stated_share"], r["stated_minus_computed"]) == (1.0454, 1.043, -0.0024)
    assert r["share_of_year"] == round(292 / 365, 4)


def test_stated_shares_belong_to_the_amount_before_them(dev_warehouse):
    rows = records(dev_warehouse, "SELECT * FROM stated_shares")
    texts = dict(query(dev_warehouse, "SELECT doc_id, text FROM documents"))
    percent = dict(query(dev_warehouse, "SELECT metric_id, value FROM metrics WHERE unit = '%'"))
    found = {(r["mention"], r["share_mention"]) for r in rows}
    assert {("454.31亿元", "75%"),      # 续建项目完成投资454.31亿元,占年度计划的75%
            ("90.5亿元", "69%"),        # 完成投资90.5亿元,比上年同期增长16%,完成年度投资计划的69%
            ("3,680亿斤", "102%"),      # 粮食总产量达到3,680亿斤,完成年度计划的102% (1956 report)
            ("7826套", "390%")} <= found  # 建成7826套,占任务的390%
    for r in rows:
        text = texts[r["doc_id"]]
        assert r["measure"] == "level" and r["share"] == pytest.approx(percent[r["share_metric_id"]] / 100)
        assert r["mention"] + r["wording"] + r["share_mention"] in text
    # a share of the whole (占全市的比重为69.3%) is no completion share
    assert not any("比重" in r["wording"] for r in rows)


# (b) Each State Council annual figure beside the year before.
STATE_COUNCIL_YOY = """
    SELECT indicator_key, measure, kind, year, value, unit, prev_value, change, change_pct,
           span, period_start, prev_period_start, doc_id, prev_doc_id
    FROM year_over_year
    WHERE issuer = '国务院' AND span = 'year'
    ORDER BY indicator_key, measure, kind, year"""


def test_b_state_council_annual_figures_beside_the_year_before(dev_warehouse):
    rows = records(dev_warehouse, STATE_COUNCIL_YOY)
    years = dict(query(dev_warehouse, "SELECT doc_id, year FROM documents"))
    texts = dict(query(dev_warehouse, "SELECT doc_id, text FROM documents"))
    by = {(r["indicator_key"], r["measure"], r["kind"], r["year"]): r for r in rows}
    pick = lambda key: tuple(by[key][c] for c in ("value", "prev_value", "change", "change_pct"))  # noqa: E731
    assert pick(("urban_new_jobs", "level", "actual", 2013)) == (1310.0, 1266.0, 44.0, 3.48)  # 城镇新增就业1310万人 (2014)
    assert pick(("gdp", "level", "actual", 2014)) == (63.6, 56.9, 6.7, 11.78)  # 国内生产总值达到63.6万亿元 (2015)
    assert pick(("gdp", "growth", "actual", 2013)) == (7.7, 7.8, -0.1, None)  # a rate: change in points only
    assert "国内生产总值达到63.6万亿元" in texts[by[("gdp", "level", "actual", 2014)]["doc_id"]]
    assert "国内生产总值达到56.9万亿元" in texts[by[("gdp", "level", "actual", 2014)]["prev_doc_id"]]
    # no five-year total (城镇新增就业5771万人, 十一五) and no span other than a year
    assert all(r["span"] == "year" for r in rows) and 5771.0 not in {r["value"] for r in rows}
    annual = query(dev_warehouse, "SELECT count(*) FROM metric_series WHERE issuer = '国务院' AND span = 'year'")[0][0]
    assert len(rows) == annual
    for r in rows:
        if r["prev_value"] is not None:
            assert r["prev_period_start"] == r["period_start"].replace(year=r["period_start"].year - 1)
            if r["kind"] == "actual" and r["measure"] == "level":  # each actual from the report after its year
                assert years[r["doc_id"]] > r["year"] and years[r["prev_doc_id"]] > r["year"] - 1


# (c) Every figure stated twice with different values.
STATED_TWICE = """
    SELECT r.issuer, r.indicator_key, r.measure, r.period_start, r.statement_no, r.stated_on,
           d.year AS report_year, r.kind, r.value, r.unit, r.prev_value, r.change_from_prev, r.mention, r.doc_id
    FROM revisions r JOIN documents d USING (doc_id)
    WHERE r.values_differ
    ORDER BY r.indicator_key, r.measure, r.period_start, r.statement_no"""


def test_c_every_figure_stated_twice_with_different_values(dev_warehouse):
    rows = records(dev_warehouse, STATED_TWICE)
    texts = dict(query(dev_warehouse, "SELECT doc_id, text FROM documents"))
    series: dict[tuple, list] = {}
    for r in rows:
        series.setdefault((r["indicator_key"], r["measure"], r["period_start"].year), []).append(r)
        assert r["mention"] in texts[r["doc_id"]]
    statements = {key: [(r["report_year"], r["value"]) for r in rs] for key, rs in series.items()}
    # revisions the reports really make (each pair read in both reports)
    assert statements[("gdp", "level", 2007)] == [(2008, 24.66), (2013, 26.6)]  # 24.66万亿元, later 从26.6万亿元增加到51.9万亿元
    assert statements[("gdp", "level", 1997)] == [(1998, 74772.0), (2003, 7.4)]  # 74772亿元, later 从1997年的7.4万亿元
    assert statements[("trade_total", "level", 1992)] == [(1993, 1656.0), (1998, 1655.0)]
    assert statements[("trade_total", "level", 1997)] == [(1998, 3251.0), (2003, 3252.0)]
    assert statements[("general_budget_revenue", "level", 2005)] == [(2006, 3.0), (2011, 3.16)]
    assert statements[("general_budget_revenue", "level", 2007)] == [(2008, 5.13), (2013, 5.1)]
    for rs in series.values():
        assert [r["statement_no"] for r in rs] == list(range(1, len(rs) + 1))
        assert [r["stated_on"] for r in rs] == sorted(r["stated_on"] for r in rs)
        assert len({r["value"] for r in rs}) > 1 or len({r["unit"] for r in rs}) > 1
    gdp_1997 = series[("gdp", "level", 1997)][1]
    assert gdp_1997["change_from_prev"] == pytest.approx(7.4 - 7.4772)  # in the later statement's unit, 万亿元
    # a figure only repeated is in revisions, but not among those that differ
    repeated = query(dev_warehouse, "SELECT count(*) FROM revisions WHERE NOT values_differ")[0][0]
    assert repeated > 0


# (d) Urban new jobs 2005-2014, annual figures only, without a span filter.
URBAN_NEW_JOBS = """
    SELECT year, period_label, actual_value, actual_unit, target_value, target_bound, met, span
    FROM figure_history('urban_new_jobs', 'level', issuer := '国务院')
    WHERE year BETWEEN 2005 AND 2014
    ORDER BY year"""


def test_d_urban_new_jobs_2005_to_2014(dev_warehouse):
    rows = records(dev_warehouse, URBAN_NEW_JOBS)
    # 城镇新增就业970万人 (2006 report) … 1322万人 (2015); 2007's only as part of 2003-2007
    assert {r["year"]: r["actual_value"] for r in rows} == {
        2005: 970.0, 2006: 1184.0, 2007: None, 2008: 1113.0, 2009: 1102.0, 2010: 1168.0,
        2011: 1221.0, 2012: 1266.0, 2013: 1310.0, 2014: 1322.0}
    assert {r["span"] for r in rows} == {"year"}
    by_year = {r["year"]: r for r in rows}
    assert (by_year[2013]["target_value"], by_year[2013]["target_bound"], by_year[2013]["met"]) == (900.0, "ge", True)
    # the two-argument call gives the same annual rows; span := NULL adds the five-year totals
    two = query(dev_warehouse, """SELECT year, actual_value FROM figure_history('urban_new_jobs', 'level')
                                  WHERE issuer = '国务院' AND year BETWEEN 2005 AND 2014 ORDER BY year""")
    assert two == [(r["year"], r["actual_value"]) for r in rows]
    every = query(dev_warehouse, """SELECT actual_value, span FROM figure_history('urban_new_jobs', 'level',
                                    issuer := '国务院', span := NULL) WHERE span = 'multi_year'""")
    assert (5771.0, "multi_year") in every


def test_figure_history_takes_a_region_and_its_parts(dev_warehouse):
    # 镇安县 (611025) is in 商洛市 (611000), in 陕西省 (610000)
    county = query(dev_warehouse, "SELECT * FROM figure_history('gdp', 'growth', region_code := '611025')")
    assert county and {r[0] for r in county} == {"镇安县人民政府"}
    for code in ("611000", "610000"):
        assert query(dev_warehouse, f"SELECT * FROM figure_history('gdp', 'growth', region_code := '{code}')") == county
    assert query(dev_warehouse, "SELECT * FROM figure_history('gdp', 'growth', region_code := '610100')") == []
    assert query(dev_warehouse, "SELECT * FROM figure_history('gdp', 'growth', issuer := '镇安县人民政府')") == county
    # 镇安县: 生产总值增长11.5% is the 2015 target (2015 news of the county's work report)
    rows = records(dev_warehouse, "SELECT * FROM figure_history('gdp', 'growth', issuer := '镇安县人民政府')")
    assert [(r["year"], r["target_value"], r["region_level"]) for r in rows] == [(2015, 11.5, "county")]


def test_every_view_carries_the_issuers_region(dev_warehouse):
    views = ("metric_statements", "metric_series", "target_vs_actual", "period_compare", "stated_shares",
             "progress_to_target", "year_over_year", "revisions")
    columns = query(dev_warehouse, f"""SELECT table_name, list(column_name) FROM information_schema.columns
                                      WHERE table_name IN {views} GROUP BY table_name""")
    assert len(columns) == len(views)
    for view, names in columns:
        assert {"issuer", "region", "region_code", "region_level"} <= set(names), view
    # and the values are the documents': 城厢区发改局 is in 莆田市城厢区, 350302
    assert query(dev_warehouse, """SELECT DISTINCT region, region_code, region_level FROM progress_to_target
                                   WHERE issuer = '城厢区发改局'""") == [("莆田市城厢区", "350302", "district")]


def test_term_shift_agrees_with_the_terms_table(dev_warehouse):
    shift = records(dev_warehouse, "SELECT * FROM term_shift(1978, 1990, 2003, 2015)")
    counts = dict(((era, term), n) for era, term, n in query(dev_warehouse, """
        SELECT CASE WHEN d.year <= 1990 THEN 'a' ELSE 'b' END, t.term, sum(t.count)
        FROM terms t JOIN documents d USING (doc_id)
        WHERE d.year BETWEEN 1978 AND 1990 OR d.year BETWEEN 2003 AND 2015 GROUP BY ALL"""))
    tokens = {era: sum(n for (e, _), n in counts.items() if e == era) for era in "ab"}
    assert len(shift) == len({term for _, term in counts})
    assert [r["change"] for r in shift] == sorted((r["change"] for r in shift), reverse=True)
    for r in shift[:20] + shift[-20:]:
        a, b = counts.get(("a", r["term"]), 0), counts.get(("b", r["term"]), 0)
        assert (r["count_a"], r["count_b"], r["tokens_a"], r["tokens_b"]) == (a, b, tokens["a"], tokens["b"])
        assert r["change"] == pytest.approx(round(10000 * b / tokens["b"] - 10000 * a / tokens["a"], 3), abs=1e-3)


# A city's own texts, written for these tests, through the whole pipeline.
CITY_TEXTS = [
    ("2023年政府工作报告", "2023-02-10",
     "2023年全市经济社会发展的主要预期目标是:地区生产总值增长6%左右,城镇新增就业12万人以上。"),
    ("2023年上半年全市经济运行情况", "2023-07-20",
     "上半年,全市地区生产总值增长5.2%。全市城镇新增就业6.5万人,完成年度任务的54.2%。"),
    ("2024年全市经济运行情况", "2024-01-25",
     "初步核算,2023年全市地区生产总值增长5.4%,城镇新增就业12.6万人。下半年,全市地区生产总值增长5.6%。"),
    ("2024年政府工作报告", "2024-02-08",
     "2023年,全市地区生产总值增长5.5%,城镇新增就业12.6万人。"
     "2024年主要预期目标:地区生产总值增长6%左右,城镇新增就业12.8万人以上。"),
    ("2024年上半年全市经济运行情况", "2024-07-18", "上半年,全市地区生产总值增长5.8%。城镇新增就业7万人,占年度计划的54.5%。"),
]


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """A warehouse file of CITY_TEXTS (咸阳市), with the warehouse's views."""
    docs = [(process(SourceText(text, "jsonl", meta={"title": title, "date": date, "issuer": "咸阳市人民政府",
                                                     "region": "咸阳市"})), f"city.jsonl:{n}")
            for n, (title, date, text) in enumerate(CITY_TEXTS, 1)]
    folder = tmp_path_factory.mktemp("city")
    with duckdb.connect(str(folder / "warehouse.duckdb")) as con:
        for name, table_schema in schema.LAKE_TABLES.items():
            con.execute(schema.create_table_sql(name, table_schema))
        con.execute(schema.create_table_sql("indicator_catalog", schema.INDICATOR_CATALOG))
        for name, table in document_tables(docs, "run", dt.datetime(2024, 8, 1)).items():
            con.register("rows", table)
            con.execute(f'INSERT INTO "{name}" SELECT * FROM rows')
            con.unregister("rows")
        for view in VIEWS:
            con.execute(_sql(view))
    return folder


def test_year_over_year_puts_h1_beside_last_years_h1(city):
    rows = records(city, """SELECT indicator_key, measure, period_start, period_end, value, prev_period_start,
                                   prev_period_end, prev_value, change, change_pct
                            FROM year_over_year WHERE span = 'half' AND year = 2024 ORDER BY indicator_key""")
    assert [tuple(r.values()) for r in rows] == [
        ("gdp", "growth", D(2024, 1, 1), D(2024, 6, 30), 5.8, D(2023, 1, 1), D(2023, 6, 30), 5.2, 0.6, None),
        ("urban_new_jobs", "level", D(2024, 1, 1), D(2024, 6, 30), 7.0, D(2023, 1, 1), D(2023, 6, 30), 6.5, 0.5, 7.69)]
    # period_compare keeps its meaning: H1 2024 beside the half before it (下半年 … 增长5.6%)
    assert query(city, """SELECT previous_period_start, previous_value FROM period_compare
                          WHERE span = 'half' AND year = 2024 AND indicator_key = 'gdp'""") == [(D(2023, 7, 1), 5.6)]


def test_progress_of_a_city_with_its_stated_shares(city):
    rows = records(city, """SELECT year, indicator_key, measure, actual_value, target_value, target_bound,
                                   share_of_target, stated_share, stated_minus_computed, gap, share_of_year
                            FROM progress_to_target ORDER BY year, indicator_key""")
    assert [tuple(r.values()) for r in rows] == [
        # 城镇新增就业6.5万人,完成年度任务的54.2% against 城镇新增就业12万人以上
        (2023, "gdp", "growth", 5.2, 6.0, "approx", None, None, None, -0.8, 0.4959),
        (2023, "urban_new_jobs", "level", 6.5, 12.0, "ge", 0.5417, 0.542, 0.0003, -5.5, 0.4959),
        # 城镇新增就业7万人,占年度计划的54.5% against 12.8万人以上
        (2024, "gdp", "growth", 5.8, 6.0, "approx", None, None, None, -0.2, 0.4973),
        (2024, "urban_new_jobs", "level", 7.0, 12.8, "ge", 0.5469, 0.545, -0.0019, -5.8, 0.4973)]


def test_revisions_of_a_city_in_date_order(city):
    rows = query(city, """SELECT indicator_key, statement_no, stated_on, value, prev_value, change_from_prev, values_differ
                          FROM revisions WHERE year = 2023 AND span = 'year' AND series_kind = 'outcome'
                          ORDER BY indicator_key, statement_no""")
    assert rows == [
        ("gdp", 1, D(2024, 1, 25), 5.4, None, None, True),  # 初步核算 … 增长5.4%
        ("gdp", 2, D(2024, 2, 8), 5.5, 5.4, 0.1, True),     # the work report: 增长5.5%
        ("urban_new_jobs", 1, D(2024, 1, 25), 12.6, None, None, False),
        ("urban_new_jobs", 2, D(2024, 2, 8), 12.6, 12.6, 0.0, False)]
    # metric_series keeps the latest statement
    assert query(city, """SELECT value FROM metric_series WHERE indicator_key = 'gdp' AND span = 'year'
                          AND year = 2023 AND kind = 'actual'""") == [(5.5,)]
