"""Figure extraction (transforms/metrics/) on real sentences of the dev corpus."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from hypothesis import given, settings, strategies as st

from transforms.clean import clean, placeholder_spans
from transforms.document import Document, SourceText
from transforms.metrics import extract_metrics, indicator_key, load_indicator_catalog
from transforms.metrics import numbers, period, units
from transforms.metrics.bounds import bound_after, bound_before
from transforms.metrics.measure import measure_of
from transforms.structure import structure

from conftest import SHARED_CORPUS

SPEECH = SHARED_CORPUS / "speeches" / "chengguan_progress_meeting_2020-08-15.txt"


def doc_of(text: str, year: int | None = 2014, delivered: dt.date | None = None, sections: bool = True) -> Document:
    doc = clean(Document(SourceText(text, "txt")))
    doc.year = year
    doc.delivered_on = delivered
    if sections:
        structure(doc)
    return doc


def figures(text: str, **kw):
    return extract_metrics(doc_of(text, **kw))


def one(text: str, mention: str, **kw):
    found = [m for m in figures(text, **kw) if m.mention == mention]
    assert found, f"{mention!r} not extracted from {text!r}"
    return found[0]


REVIEW_2014 = "一、2013年工作回顾\n"
TASKS_2014 = "一、2013年工作回顾\n过去一年成绩显著。\n二、2014年工作总体部署\n"


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize("token, value", [
    ("一千二百", 1200), ("两万", 20000), ("十三亿", 1.3e9), ("四亿零七百万", 407000000),
    ("一百二十万", 1200000), ("二十三", 23), ("一点五", 1.5),
])
def test_chinese_numerals_via_cn2an(token, value):
    assert numbers.parse_chinese(token) == value


def test_cn2an_gaps_are_handled_here():
    # cn2an raises on 多 inside, fractions, 成 and 倍; the extractor handles them itself
    assert numbers.parse_chinese("四亿零七百多万") is None
    assert numbers.parse_fraction("三分之一")[0] == pytest.approx(1 / 3)
    assert numbers.parse_fraction("百分之五") == (5.0, True)
    assert numbers.split_scale("十三亿", numbers.CN_SCALES) == ("十三", "亿")
    assert numbers.split_scale("二十七亿四千万", numbers.CN_SCALES) == ("二十七亿四千", "万")


def test_arabic_numbers():
    assert numbers.parse_arabic("1,234.5") == 1234.5
    assert numbers.parse_arabic("56.9") == 56.9


@pytest.mark.parametrize("text, mention, value, unit", [
    ("全年新建四亿零七百多万吨。", "四亿零七百多万吨", 40700, "万吨"),
    ("全国人口达到十三亿人。", "十三亿人", 13, "亿人"),
    ("比1955年增加了二十七亿四千万元。", "二十七亿四千万元", 274000, "万元"),
    ("受灾人口約七千万人。", "七千万人", 7000, "万人"),
    ("产值增长百分之五。", "百分之五", 5, "%"),
    ("覆盖八成以上村庄。", "八成", 8, "成"),
    ("城镇新增就业一千二百万人。", "一千二百万人", 1200, "万人"),
])
def test_chinese_figures(text, mention, value, unit):
    m = one(text, mention)
    assert (m.value, m.unit) == (value, unit)


def test_doubling_and_fraction():
    ms = {m.mention: m for m in figures("工业产值增长一倍,农业产值翻一番,三分之一的县完成。")}
    assert ms["一倍"].value == 1 and ms["一倍"].unit == "倍" and ms["一倍"].measure == "growth"
    assert ms["一番"].unit == "番"
    assert ms["三分之一"].value == pytest.approx(1 / 3)


# -------------------------------------------------------------------- units


def test_units_scale_to_base():
    assert units.to_base(1361, "万人") == (13610000, "人")
    assert units.to_base(134.9, "万亿元") == (1.349e14, "元")
    assert units.to_base(7.7, "%") == (7.7, "%")
    assert units.to_base(8, "成") == (80, "%")
    assert units.split_unit("平方公里") == ("", "平方公里")


# ------------------------------------------------------------------- bounds


def test_bound_words():
    assert bound_before("粮食产量超过") == "gt"
    assert bound_before("全年约") == "approx"
    assert bound_before("不低于") == "ge"
    assert bound_after("7%左右,", 2) == "approx"
    assert bound_after("1000万人以上。", 6) == "ge"


def test_range_and_bounds_in_text():
    m = one(TASKS_2014 + "国内生产总值增长6%-6.5%。", "6%-6.5%")
    assert (m.bound, m.value, m.value_low, m.value_high, m.unit) == ("range", None, 6, 6.5, "%")
    m = one(TASKS_2014 + "增长6-6.5%。", "6-6.5%")
    assert (m.value_low, m.value_high) == (6, 6.5)
    m = one(TASKS_2014 + "增长6%到6.5%。", "6%到6.5%")
    assert m.bound == "range"
    m = one(TASKS_2014 + "城镇新增就业1000万人以上。", "1000万人")
    assert m.bound == "ge"
    m = one(REVIEW_2014 + "减轻企业负担1500多亿元。", "1500多亿元")
    assert (m.bound, m.value, m.value_base) == ("ge", 1500, 1.5e11)


def test_capped_is_le_for_target_eq_for_actual():
    assert one(TASKS_2014 + "城镇登记失业率控制在4.6%。", "4.6%").bound == "le"
    assert one(REVIEW_2014 + "居民消费价格涨幅控制在2.6%。", "2.6%").bound == "eq"


# ------------------------------------------------------------------ measure


def test_measure_of_cue_words():
    assert measure_of(["达到"], "万亿元", "国内生产总值") == ("level", 1)
    assert measure_of(["增长", "比上年"], "%", "国内生产总值") == ("growth", 1)
    assert measure_of(["下降"], "%", "细颗粒物") == ("growth", -1)
    assert measure_of(["增加"], "天", "优良天数") == ("change", 1)
    assert measure_of(["回落"], "个百分点", "居民消费价格涨幅") == ("pp_change", -1)
    assert measure_of(["年均增长"], "%", "国内生产总值") == ("avg_growth", 1)
    assert measure_of(["达到"], "%", "服务业增加值比重") == ("share", 1)
    assert measure_of(["降到"], "%", "城镇登记失业率") == ("level", 1)


def test_level_and_growth_in_one_clause():
    ms = figures(REVIEW_2014 + "国内生产总值达到134.9万亿元、增长5%。")
    assert [(m.mention, m.measure, m.value, m.indicator_key) for m in ms] == [
        ("134.9万亿元", "level", 134.9, "gdp"), ("5%", "growth", 5, "gdp")]
    assert ms[0].value_base == 1.349e14 and ms[0].base_unit == "元"


def test_pm25_level_and_decline():
    ms = figures(REVIEW_2014 + "细颗粒物年均浓度30.5微克/立方米、下降6.2%。")
    assert [(m.mention, m.measure, m.value, m.unit, m.indicator_key) for m in ms] == [
        ("30.5微克/立方米", "level", 30.5, "微克/立方米", "pm25"), ("6.2%", "growth", -6.2, "%", "pm25")]


def test_good_days_level_and_change():
    ms = figures(REVIEW_2014 + "优良天数达到290天、增加19天。")
    assert [(m.measure, m.value, m.unit, m.indicator_key) for m in ms] == [
        ("level", 290, "天", "good_air_days"), ("change", 19, "天", "good_air_days")]


def test_decline_of_a_count_is_a_negative_change():
    m = one(REVIEW_2014 + "农村贫困人口减少1650万人,城乡居民收入差距继续缩小。", "1650万人")
    assert (m.measure, m.value, m.indicator_key) == ("change", -1650, "rural_poverty_reduction")


def test_respective_figures_get_their_own_indicator():
    ms = figures(REVIEW_2014 + "城镇居民人均可支配收入和农村居民人均纯收入分别实际增长9.6%和6.2%。")
    assert [m.indicator for m in ms] == ["城镇居民人均可支配收入", "农村居民人均纯收入"]
    assert [m.indicator_key for m in ms] == ["urban_disposable_income", "rural_net_income"]


# ---------------------------------------------------------------- indicator


@pytest.mark.parametrize("indicator, key", [
    ("国内生产总值", "gdp"), ("全省生产总值", "gdp"), ("经济增长", "gdp"),
    ("单位国内生产总值能耗", "energy_intensity"), ("人均地区生产总值", "gdp_per_capita"),
    ("海洋生产总值", None), ("中西部地区生产总值比重", None), ("结案率", "case_closure_rate"),
    ("结案", "cases_closed"), ("立案", "cases_filed"), ("城镇新增就业", "urban_new_jobs"),
    ("粮食(不包括大豆)的产量", "grain_output"), ("居民消费价格涨幅", "cpi"),
])
def test_indicator_keys(indicator, key):
    assert indicator_key(indicator) == key


def test_catalog_covers_the_contract_keys():
    keys = {row["indicator_key"] for row in load_indicator_catalog()}
    contract = {"gdp", "gdp_per_capita", "general_budget_revenue", "cpi", "urban_new_jobs",
                "surveyed_unemployment_rate", "registered_unemployment_rate", "disposable_income",
                "fixed_asset_investment", "retail_sales", "trade_total", "fdi", "industrial_value_added",
                "grain_output", "energy_intensity", "pm25", "good_air_days", "rd_intensity",
                "urbanization_rate", "rural_poverty_reduction", "shantytown_renovation", "cases_filed",
                "cases_closed", "case_closure_rate", "new_green_area", "pocket_parks", "walls_removed",
                "illegal_structures_removed",
                # added for local reports
                "urban_disposable_income", "rural_disposable_income", "fiscal_total_revenue",
                "cases_received", "on_time_closure_rate", "pm10", "o3", "air_quality_index"}
    assert contract <= keys
    for row in load_indicator_catalog():
        assert set(row) == {"indicator_key", "name_zh", "aliases", "preferred_unit"}
        assert isinstance(row["aliases"], list) and row["aliases"]


# --------------------------------------------------------------------- kind


def test_old_phrasing_growth_target():
    m = one("经济增长预期目标为7%左右,这是必要的。", "7%", year=2003, sections=False)
    assert (m.indicator_key, m.measure, m.kind, m.bound, m.value) == ("gdp", "growth", "target", "approx", 7)
    assert (m.period_start, m.period_end) == (dt.date(2003, 1, 1), dt.date(2003, 12, 31))


def test_targets_and_plans_in_the_tasks_part():
    ms = {m.mention: m for m in figures(
        TASKS_2014 + "今年经济社会发展的主要预期目标是:国内生产总值增长7.5%左右,城镇新增就业1000万人以上。\n"
        "今年新开工保障性安居工程700万套以上。")}
    assert ms["7.5%"].kind == "target" and ms["1000万人"].kind == "target"
    assert ms["700万套"].kind == "plan"


def test_estimate():
    m = one(TASKS_2014 + "预计全年财政收入增长8%。", "8%")
    assert m.kind == "estimate"


# ------------------------------------------------------------------- period


def test_review_figures_are_the_previous_year():
    m = one(REVIEW_2014 + "国内生产总值达到56.9万亿元,比上年增长7.7%。", "7.7%")
    assert (m.kind, m.period_start, m.period_end) == ("actual", dt.date(2013, 1, 1), dt.date(2013, 12, 31))


def test_half_year_is_a_period_not_a_number():
    ms = figures("上半年,全市数字化城管系统立案城管万件,结案城管万件。", year=2020,
                 delivered=dt.date(2020, 8, 15))
    assert all(m.value != 0.5 for m in ms)
    assert all((m.period_start, m.period_end) == (dt.date(2020, 1, 1), dt.date(2020, 6, 30)) for m in ms)


@pytest.mark.parametrize("phrase, start, end", [
    ("去年", (2013, 1, 1), (2013, 12, 31)), ("上年", (2013, 1, 1), (2013, 12, 31)),
    ("过去一年", (2013, 1, 1), (2013, 12, 31)), ("今年", (2014, 1, 1), (2014, 12, 31)),
    ("1-6月", (2014, 1, 1), (2014, 6, 30)), ("前三季度", (2014, 1, 1), (2014, 9, 30)),
    ("过去五年", (2009, 1, 1), (2013, 12, 31)), ("2024年", (2024, 1, 1), (2024, 12, 31)),
    ("截至目前", (2014, 1, 1), (2014, 3, 5)), ("至目前", (2014, 1, 1), (2014, 3, 5)),
    ("十五期间", (2001, 1, 1), (2005, 12, 31)), ("十一五", (2006, 1, 1), (2010, 12, 31)),
    ("十二五期间", (2011, 1, 1), (2015, 12, 31)), ("十三五", (2016, 1, 1), (2020, 12, 31)),
    ("十四五期间", (2021, 1, 1), (2025, 12, 31)), ("1979到1983年", (1979, 1, 1), (1983, 12, 31)),
])
def test_period_phrases(phrase, start, end):
    m = period.period_regex().search(phrase)
    assert m is not None and m.group() == phrase
    p = period.resolve(m, dt.date(2014, 3, 5))
    if not p.year_level:
        p = period.with_year(p, 2014)
    assert (p.start, p.end) == (dt.date(*start), dt.date(*end))


def test_comparison_base_is_not_a_period():
    # 比上年 names the base of a comparison, 基础上年均 is no 上年 at all
    assert not period.period_regex().search("比上年增长")
    assert not [m for m in period.period_regex().finditer("在明显提高质量和效益的基础上年均增长") if "上年" in m.group()]


def test_period_resolved_against_the_document_not_the_run_date():
    m = one("去年国内生产总值增长7.4%。", "7.4%", year=2015, sections=False)
    assert m.period_start == dt.date(2014, 1, 1)


def test_five_year_total_is_never_one_year():
    text = ("一、“十一五”时期国民经济和社会发展的回顾\n“十一五”时期是极不平凡的五年。\n"
            "这五年,城镇新增就业5771万人,转移农业劳动力4500万人。")
    m = one(text, "5771万人", year=2011)
    assert m.indicator_key == "urban_new_jobs"
    assert (m.period_start, m.period_end) == (dt.date(2006, 1, 1), dt.date(2010, 12, 31))


# ---------------------------------------------------------- not figures


def test_dates_titles_ordinals_and_names_are_not_figures():
    text = ("2014年3月5日,第十二届全国人民代表大会第二次会议在京召开。"
            "实施《中华人民共和国国民经济和社会发展第十二个五年规划纲要》和“十二五”规划,"
            "一是坚持两手抓,推进一带一路,三个代表,二十国集团领导人峰会。广义货币M2增长13.6%。")
    assert [m.mention for m in figures(text)] == ["13.6%"]


def test_full_width_figures_after_cleaning():
    m = one("２００１年国内生产总值达到９５９３３亿元，比上年增长７．３％。", "7.3%", year=2002, sections=False)
    assert (m.value, m.indicator_key, m.measure, m.kind) == (7.3, "gdp", "growth", "actual")
    assert m.period_start == dt.date(2001, 1, 1)


# ------------------------------------------------------------------ masked


def test_masked_rate():
    m = one("上半年,全市数字化城管系统立案城管万件,结案城管万件,结案率城管%。", "城管%", year=2020,
            delivered=dt.date(2020, 8, 15))
    assert m.masked and m.value is None and m.value_base is None
    assert (m.unit, m.indicator, m.indicator_key, m.bound) == ("%", "结案率", "case_closure_rate", "eq")


def test_sample_speech_masked_figures():
    if not SPEECH.exists():
        pytest.skip(f"the shared corpus is not at {SPEECH}")
    doc = doc_of(SPEECH.read_text(encoding="utf-8"), year=2020, delivered=dt.date(2020, 8, 15))
    ms = extract_metrics(doc)
    masked = [m for m in ms if m.masked]
    assert len(masked) >= 10
    spans = placeholder_spans(doc.text)
    for m in ms:
        if not m.masked:  # no number read from (or next to) a placeholder
            assert not any(a < m.char_end and m.char_start < b for a, b in spans)
    keys = {m.indicator_key for m in masked}
    assert {"cases_filed", "cases_closed", "case_closure_rate", "new_green_area"} <= keys
    green = next(m for m in masked if m.indicator_key == "new_green_area")
    assert green.unit == "万平方米" and green.base_unit == "平方米"


# --------------------------------------------------------------- records


def test_metric_ids_spans_and_sections():
    doc = doc_of(REVIEW_2014 + "城镇新增就业1310万人,创历史新高。")
    m = extract_metrics(doc)[0]
    assert doc.text[m.char_start:m.char_end] == m.mention == "1310万人"
    assert m.metric_id == hashlib.sha256(f"{doc.doc_id}:{m.char_start}:{m.char_end}".encode()).hexdigest()[:16]
    assert m.section_id is not None and m.sentence == "城镇新增就业1310万人,创历史新高"
    assert (m.value_base, m.base_unit) == (13100000, "人")


def test_whole_reports_extract_the_gdp_series(dev_reports):
    found = {}
    for year in range(2004, 2016):
        report = dev_reports[str(year)]
        doc = doc_of(report["content"], year=year)
        for m in extract_metrics(doc):
            if m.indicator_key == "gdp" and m.measure == "growth":
                found.setdefault((m.kind, m.period_start.year if m.period_start else None), m.value)
    assert found[("target", 2004)] == 7
    assert found[("actual", 2013)] == 7.7
    assert found[("target", 2014)] == 7.5


# --------------------------------------------------------------- property


_ALPHABET = st.sampled_from(list("0123456789.,%-—~一二两三十百千万亿多余约近超过以上左右增长下降达到城管年月日上半前三季度去今全年第《》“”()、,。\n_元人万吨个") + ["十一五", "个百分点", "分之", "平方米"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join), st.sampled_from([None, 1957, 2014]))
def test_extraction_never_raises_and_spans_slice_back(text, year):
    doc = clean(Document(SourceText(text, "txt")))
    doc.year = year
    for m in extract_metrics(doc):
        assert doc.text[m.char_start:m.char_end] == m.mention
        assert m.bound in {"eq", "approx", "ge", "gt", "le", "lt", "range"}
        assert m.measure in {"level", "growth", "change", "pp_change", "share", "avg_growth"}
        assert m.kind in {"actual", "estimate", "target", "plan"}
        if m.masked:
            assert m.value is None and m.value_base is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_extraction_never_raises_on_arbitrary_text(text):
    doc = clean(Document(SourceText(text, "txt")))
    doc.year = 2014
    for m in extract_metrics(doc):
        assert doc.text[m.char_start:m.char_end] == m.mention


def test_chinese_years_of_old_reports():
    m = one("一九八三年国内财政收入增加一百二十七亿元。", "一百二十七亿元", year=1984, sections=False)
    assert (m.period_start, m.period_end) == (dt.date(1983, 1, 1), dt.date(1983, 12, 31))


def test_one_as_an_article_is_no_figure():
    assert figures("我们的目标是,建设一个行为规范的政府,作为一项重要标准。") == []
    assert one("学校在校生总数增加两倍。", "两倍").value == 2


# ------------------------------------------- spans, bases, old reports' cue words
# Sentences from reports in neither labelled set (1954, 1955, 1957, 1960, 1975,
# 1981, 1982, 1988, 1993, 1999) unless marked as made up.


def _ys(m):
    return (m.period_start.year, m.period_end.year)


def test_a_span_of_chinese_years_with_its_length_is_one_period():
    ms = figures("从一九五三年到一九八○年的二十八年中,农业总产值平均每年递增的速度是百分之三点四,"
                 "六五计划期间要求每年递增百分之四到五,这是不低的。", year=1982, sections=False)
    past, plan = ms
    assert (past.measure, past.value, _ys(past), past.kind) == ("avg_growth", 3.4, (1953, 1980), "actual")
    assert (plan.measure, plan.bound, _ys(plan), plan.kind) == ("avg_growth", "range", (1981, 1985), "target")
    assert plan.indicator == past.indicator  # carried past 六五计划期间要求


@pytest.mark.parametrize("phrase, start, end", [
    ("从一九七一年到一九八○年的十年间", 1971, 1980), ("一九五五年至一九八○年二十六年中", 1955, 1980),
    ("第六个五年计划期间", 1981, 1985), ("六五计划期间", 1981, 1985), ("“九五”计划期间", 1996, 2000),
    ("第一个五年合计", 1953, 1957), ("“八五”时期", 1991, 1995),
])
def test_span_phrases(phrase, start, end):
    m = period.period_regex().search(phrase)
    p = period.resolve(m, dt.date(1982, 3, 5))
    assert (p.start, p.end) == (dt.date(start, 1, 1), dt.date(end, 12, 31))


def test_within_n_years_looks_ahead_outside_a_review():
    m = period.period_regex().search("三年内")
    ahead, back = period.resolve(m, dt.date(1980, 3, 5)), period.resolve(m, dt.date(1980, 3, 5), review=True)
    assert (ahead.start.year, ahead.end.year, back.start.year, back.end.year) == (1980, 1982, 1977, 1979)


def test_set_phrases_with_years_are_no_periods():
    assert not period.period_regex().search("普及九年义务教育")
    assert not period.period_regex().search("实行三年制")
    m = one("今年,要使全国80%以上的人口地区普及九年义务教育,扫除青壮年文盲300万人左右。", "300万人",
            year=1999, sections=False)
    assert _ys(m) == (1999, 1999)


def test_n_years_after_a_named_span_is_that_span():
    ms = figures("第六个五年计划期间,要通过发展生产开辟财源。计划规定,五年合计国家财政收入为五千九百五十三亿元,"
                 "其中一九八五年为一千二百七十四亿元,比一九八○年增加一百八十九亿元。", year=1982, sections=False)
    total, last, change = ms
    assert (_ys(total), total.indicator_key, total.kind) == ((1981, 1985), "general_budget_revenue", "target")
    assert _ys(last) == (1985, 1985)
    assert (change.measure, _ys(change), change.indicator_key) == ("change", (1981, 1985), "general_budget_revenue")


def test_yearly_average_gets_the_span_of_the_section():
    text = "一、过去五年的工作回顾\n国民生产总值1987年达到10920亿元,按可比价格计算平均每年增长11.1%。"
    level, avg = figures(text, year=1988)
    assert (level.measure, _ys(level)) == ("level", (1987, 1987))
    assert (avg.measure, avg.indicator, _ys(avg)) == ("avg_growth", "国民生产总值", (1983, 1987))


def test_comparison_base_and_its_value():
    level, base, change = figures("海洋和淡水的渔业生产,一九五九年的产量达到五百零二万吨,"
                                  "比一九五七年的三百一十二万吨增加了一百九十万吨。", year=1960, sections=False)
    assert (level.measure, _ys(level)) == ("level", (1959, 1959))
    assert (base.measure, base.kind, _ys(base)) == ("level", "actual", (1957, 1957))
    assert (change.measure, change.value, _ys(change)) == ("change", 190, (1958, 1959))
    m = one("工业总产值一九七四年预计比一九六四年增长一点九倍。", "一点九倍", year=1975, sections=False)
    assert (m.indicator, m.kind, _ys(m)) == ("工业总产值", "estimate", (1965, 1974))


def test_from_value_is_the_base_year_and_the_end_value_a_level():
    ms = figures("全国平均每个农民的纯收入将由一九八○年的一百九十一元增加到一九八五年的二百五十五元,"
                 "平均每年递增百分之六。", year=1982, sections=False)
    start, end, avg = ms
    assert (start.measure, start.kind, _ys(start)) == ("level", "actual", (1980, 1980))
    assert (end.measure, end.kind, _ys(end)) == ("level", "target", (1985, 1985))
    assert (avg.measure, avg.kind, _ys(avg)) == ("avg_growth", "target", (1981, 1985))
    assert {m.indicator for m in ms} == {"全国平均每个农民的纯收入"}
    ms = figures("在一九七一年到一九八○年的十年间,我国工业企业由一九七○年的十九万五千多个增加到三十七万七千多个,"
                 "增加近一倍。", year=1982, sections=False)
    assert [(_ys(m), m.measure) for m in ms] == [((1970, 1970), "level"), ((1980, 1980), "level"),
                                                   ((1971, 1980), "growth")]


def test_shares_from_and_to():
    ms = figures("现代工业在工业农业总产值中所占的比重,已由一九五二年的百分之二十六点七上升到一九五四年的百分之三十三。",
                 year=1955, sections=False)
    assert [(m.measure, _ys(m)) for m in ms] == [("share", (1952, 1952)), ("share", (1954, 1954))]
    assert ms[0].indicator == "现代工业在工业农业总产值中所占的比重"
    m = one("参加互助组和合作社的农户已经达到全体农户的百分之六十。", "百分之六十", year=1954, sections=False)
    assert m.measure == "share"


def test_indicator_carries_past_comparison_and_period_phrases():
    m = one("农业,粮食产量34,250万吨,比1980年预计增加1,000万吨。", "1,000万吨", year=1981, sections=False)
    assert (m.indicator_key, m.measure, m.kind) == ("grain_output", "change", "estimate")
    m = one("到一九八五年,全国粮食产量计划达到三亿六千万吨,比一九八○年增长百分之十二点三。", "百分之十二点三",
            year=1982, sections=False)
    assert (m.indicator_key, m.kind, _ys(m)) == ("grain_output", "target", (1981, 1985))


def test_yearly_real_growth_in_a_plan_is_an_average_growth_target():
    ms = figures("今后五年,争取城镇居民人均生活费收入平均每年实际增长百分之五左右,"
                 "农村居民人均纯收入平均每年实际增长百分之四至百分之五。", year=1993, sections=False)
    assert [(m.measure, m.kind, _ys(m)) for m in ms] == [("avg_growth", "target", (1993, 1997))] * 2
    assert ms[1].indicator == "农村居民人均纯收入"


def test_yearly_absolute_amount_is_a_change():
    assert measure_of(["增加", "平均每年"], "亿元", "消费资料的生产") == ("change", 1)
    assert measure_of(["增长", "要", "每年"], "%", "工业") == ("avg_growth", 1)
    assert measure_of(["增长", "实际", "平均每年"], "%", "居民收入") == ("avg_growth", 1)


def test_plan_words_make_targets_outside_the_tasks_part():
    m = one("今年国民生产总值计划增长百分之八,是留有余地的。", "百分之八", year=1993, sections=False)
    assert (m.kind, _ys(m)) == ("target", (1993, 1993))
    target, base, change = figures("第六个五年计划规定,一九八五年工农业总产值达到八千七百一十亿元,"
                                   "比一九八○年的七千一百五十九亿元增加一千五百五十一亿元。", year=1982, sections=False)
    assert (target.kind, base.kind, change.kind) == ("target", "actual", "target")
    assert (_ys(base), _ys(change)) == ((1980, 1980), (1981, 1985))


def test_again_reducing_a_count_is_a_plan_even_with_a_target_word():
    m = one("加大扶贫攻坚的力度,力争今年农村贫困人口再减少1000万以上,并做好防止返贫的工作。", "1000万",
            year=1999, sections=False)
    assert (m.kind, m.measure, m.value, m.bound) == ("plan", "change", -1000, "ge")


def test_losses_lead_a_negative_change_but_a_named_loss_is_a_level():
    # made up: 损失 before the indicator decreases it, over the list it governs; 大约 is the bound
    ms = figures("一九六〇年到一九六二年,全国大约损失粮食一千亿斤,棉花五百万担。", year=1963, sections=False)
    assert [(m.indicator, m.measure, m.value, m.bound, _ys(m)) for m in ms] == [
        ("粮食", "change", -1000, "approx", (1960, 1962)), ("棉花", "change", -500, "approx", (1960, 1962))]
    m = one("去年长江、嫩江和松花江流域发生历史罕见的洪涝灾害,直接经济损失2000多亿元。", "2000多亿元",
            year=1999, sections=False)
    assert (m.indicator, m.measure, m.value, m.bound) == ("直接经济损失", "level", 2000, "ge")
    m = one("1956年节减了行政经费1.5亿元。", "1.5亿元", year=1957, sections=False)  # made up
    assert (m.indicator, m.measure, m.value) == ("行政经费", "change", -1.5)


_FAST_CHARS = "0123456789年月比由从到至-“”十一二三四五六七八九〇○零两百万亿分之多余%上半全今去近第个期间计划的《》\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_FAST_CHARS, max_size=40))
def test_start_filtered_patterns_match_as_the_plain_ones(text):
    # cues.fast only skips positions where no match can start: same matches, same groups
    from transforms.metrics.cues import cues, fast

    period_source = period.period_regex().pattern.split(")(?:", 1)[1][:-1]
    assert period_source.startswith("(?P<yrange>")
    for source in (period_source, "(?:19|20)\\d\\d年|[一二]?十?五年?|\\d+(?:\\.\\d+)?%?|x?y{0,3}z"):
        plain, filtered = re.compile(source), fast(source)
        assert [(m.span(), m.groups()) for m in filtered.finditer(text)] == \
            [(m.span(), m.groups()) for m in plain.finditer(text)]
    assert cues().bound_before_words.longest("粮食产量超过") == "超过"


def test_suffixes_find_the_word_a_dollar_anchored_search_finds():
    from transforms.metrics.cues import Suffixes, alternation

    words = ["增长", "长", "比上年增长", "达到", ""]
    pattern = re.compile(f"(?:{alternation(words)})$")
    for s in ["国内生产总值比上年增长", "增长", "达到了", "", "长"]:
        assert Suffixes(words).longest(s) == pattern.search(s).group()
