"""Figures of local progress texts (issue: figures right on local reports):
period and kind set once and governing what follows, text damage, urban and
rural income. Sentences written for these tests or taken from the dev corpus;
each document goes through the whole pipeline (transforms.pipeline.process)."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import SHARED_CORPUS
from transforms.document import SourceText
from transforms.pipeline import process

D = dt.date


def figures(text: str, **meta):
    return process(SourceText(text, "jsonl", meta=meta)).metrics


def by_mention(metrics, mention):
    found = [m for m in metrics if m.mention == mention]
    assert found, f"{mention!r} not in {[m.mention for m in metrics]}"
    return found[0]


def span(m):
    return (m.period_start, m.period_end)


# 1. period scope: a lead-in governs the clauses after it
def test_lead_in_governs_the_figures_after_it():
    ms = figures("截至7月底,全市完成固定资产投资120亿元,新开工项目35个,城镇新增就业1.2万人。",
                 date="2023-08-10")
    assert [m.mention for m in ms] == ["120亿元", "35个", "1.2万人"]
    for m in ms:
        assert span(m) == (D(2023, 1, 1), D(2023, 7, 31)), m
        assert m.kind == "actual"
    assert {m.period_source for m in ms} == {"lead_in"}
    own = figures("全市1-7月完成固定资产投资120亿元。", date="2023-08-10")[0]
    assert (span(own), own.period_source) == ((D(2023, 1, 1), D(2023, 7, 31)), "clause")


def test_part_year_spans_with_any_dash():
    for phrase, end in (("1-11月", D(2022, 11, 30)), ("1—2月", D(2022, 2, 28)), ("1–5月", D(2022, 5, 31)),
                        ("1至8月", D(2022, 8, 31)), ("元至5月", D(2022, 5, 31)), ("前三季度", D(2022, 9, 30)),
                        ("前8月", D(2022, 8, 31))):
        m = figures(f"{phrase},全区规模以上工业增加值同比增长5.2%。", date="2022-12-20")[0]
        assert span(m) == (D(2022, 1, 1), end), phrase


def test_a_month_alone_and_a_comparison_base():
    ms = figures("1—10月份,全市规模以上工业增加值同比增长3.4%,增速比1—9月份加快0.5个百分点,"
                 "其中10月份增加值同比增长7.3%,比9月份加快0.9个百分点。", date="2022-11-23")
    assert span(by_mention(ms, "3.4%")) == (D(2022, 1, 1), D(2022, 10, 31))
    assert span(by_mention(ms, "0.5个百分点")) == (D(2022, 1, 1), D(2022, 10, 31))  # 比1—9月份 is a base
    assert span(by_mention(ms, "7.3%")) == (D(2022, 10, 1), D(2022, 10, 31))
    assert span(by_mention(ms, "0.9个百分点")) == (D(2022, 10, 1), D(2022, 10, 31))


def test_a_q1_bulletin_takes_q1_from_its_title():
    text = ("酉阳县2025年一季度经济运行情况\n"
            "全县实现地区生产总值58.6亿元,同比增长6.1%。\n"
            "社会消费品零售总额20.3亿元,增长5.5%。")
    doc = process(SourceText(text, "jsonl", meta={"date": "2025-05-22"}))
    assert (doc.report_period_start, doc.report_period_end) == (D(2025, 1, 1), D(2025, 3, 31))
    assert [m.mention for m in doc.metrics] == ["58.6亿元", "6.1%", "20.3亿元", "5.5%"]
    for m in doc.metrics:
        assert span(m) == (D(2025, 1, 1), D(2025, 3, 31)), m
        assert m.period_source == "title"
        assert m.kind == "actual"


def test_same_period_last_year_inside_a_day_range():
    ms = figures("1月1日至5月20日,全市共受理群众投诉850件,去年同期为920件。", date="2021-05-25")
    this_year, last_year = by_mention(ms, "850件"), by_mention(ms, "920件")
    assert span(this_year) == (D(2021, 1, 1), D(2021, 5, 20))
    assert span(last_year) == (D(2020, 1, 1), D(2020, 5, 20))


def test_a_heading_sets_the_period_of_its_section():
    text = "一、上半年工作完成情况\n全区完成固定资产投资56亿元,同比增长8.2%。\n二、下半年工作安排\n力争全年完成固定资产投资120亿元。"
    ms = figures(text, date="2023-07-20")
    assert span(by_mention(ms, "56亿元")) == (D(2023, 1, 1), D(2023, 6, 30))
    assert by_mention(ms, "56亿元").period_source == "heading"
    assert by_mention(ms, "56亿元").kind == "actual"
    full_year = by_mention(ms, "120亿元")
    assert span(full_year) == (D(2023, 1, 1), D(2023, 12, 31))
    assert full_year.kind == "target"


# 2. kind scope: a lead-in governs a list
def test_every_item_of_a_main_targets_list_is_a_target():
    ms = figures("今年经济社会发展的主要预期目标是:地区生产总值增长6.5%左右;一般公共预算收入增长5%;"
                 "城镇新增就业1.5万人;城镇登记失业率控制在4%以内。", date="2024-01-20")
    assert [m.mention for m in ms] == ["6.5%", "5%", "1.5万人", "4%"]
    assert [m.kind for m in ms] == ["target"] * 4
    assert {span(m) for m in ms} == {(D(2024, 1, 1), D(2024, 12, 31))}


def test_a_breakdown_colon_is_no_lead_in_and_the_tasks_lead_in_governs_its_paragraph():
    # 其中: breaks down the figure before it; the paragraph's own lead-in (主要任务是:) still governs
    ms = figures("2024年全县水利建设的主要任务是:计划完成各类水利工程1911件,其中:水毁修复64件;河道治理2件。"
                 "实现灌溉面积5800亩,年发电量3.4亿度。", date="2024-07-15")
    # the breakdown's items are counted work planned, as the whole before 其中 is
    assert [by_mention(ms, m).kind for m in ("1911件", "64件", "2件")] == ["plan"] * 3
    assert by_mention(ms, "5800亩").kind == "target"
    assert by_mention(ms, "3.4亿度").kind == "target"


def test_a_month_after_qizhong_governs_only_its_own_sentence():
    # 其中,当月…: a part of the 1-3月 whole; the next sentence is back in 1-3月
    ms = figures("2025年1-3月份统计简报\n1-3月份,全县规模以上工业增加值同比增长7.5%;其中,当月规模以上工业增加值"
                 "同比增长9.9%。分三大门类看:采矿业增加值增长67.9%;制造业增长2.8%。", date="2025-04-20")
    assert span(by_mention(ms, "9.9%")) == (D(2025, 3, 1), D(2025, 3, 31))
    for mention in ("67.9%", "2.8%"):
        assert span(by_mention(ms, mention)) == (D(2025, 1, 1), D(2025, 3, 31)), mention


def test_a_year_inside_an_earlier_sentence_is_no_lead_in():
    # 2019年 modifies a name in the sentence before: 新建公园3个 is the summary's year
    ms = figures("2020年城管工作总结\n按照省里部署,全县2019年启动的改造项目全部完工。新建公园3个。", date="2020-12-20")
    assert span(by_mention(ms, "3个")) == (D(2020, 1, 1), D(2020, 12, 31))
    # a phrase that opens its clause still governs the sentences after it
    ms = figures("初步核算,一季度全县生产总值完成59.6亿元。其中,第一产业增加值5.94亿元。", date="2017-07-20")
    assert span(by_mention(ms, "5.94亿元")) == (D(2017, 1, 1), D(2017, 3, 31))


def test_a_review_of_a_year_not_over_does_not_report_on_the_whole_year():
    text = "县统计局关于2023年经济运行情况的分析\n(一)1-5月主要指标完成情况\n全县固定资产投资完成45亿元。\n(二)存在的问题\n工业投资下降5.1%。"
    ms = figures(text, date="2023-06-25")
    assert span(by_mention(ms, "45亿元")) == (D(2023, 1, 1), D(2023, 5, 31))  # its heading
    assert span(by_mention(ms, "5.1%")) == (D(2023, 1, 1), D(2023, 6, 25))  # the year so far, not all of 2023
    # a year's summary written in December, and a plan, do report on the year
    ms = figures("2022年度城市管理工作总结\n全区共拆除违法建设120处。", date="2022-12-15")
    assert span(ms[0]) == (D(2022, 1, 1), D(2022, 12, 31))
    ms = figures("2023年城市管理工作计划\n全年拆除违法建设100处。", date="2023-02-10")
    assert span(ms[0]) == (D(2023, 1, 1), D(2023, 12, 31))


def test_a_wider_areas_figure_in_an_aside_has_the_measure_of_the_figure_before():
    ms = figures("1-3月份,全县规模以上工业增加值同比增长7.5%(全市11.1%),较去年同期回落0.9个百分点。",
                 date="2025-04-20")
    own, wider = by_mention(ms, "7.5%"), by_mention(ms, "11.1%")
    assert (own.measure, own.indicator_key) == ("growth", "industrial_value_added")
    assert (wider.measure, wider.indicator, wider.indicator_key) == ("growth", "全市规模以上工业增加值", None)
    assert span(wider) == span(own) == (D(2025, 1, 1), D(2025, 3, 31))
    assert by_mention(ms, "0.9个百分点").indicator_key == "industrial_value_added"  # the aside carries nothing over


def test_work_said_to_be_done_is_an_actual_even_under_a_target_word():
    ms = figures("二是项目资金争取成效显著。积极申报专项债券,年内已争取到位资金1.66亿元。"
                 "常态化开展隐患排查,累计组织检查37次。", date="2025-11-20")
    assert by_mention(ms, "1.66亿元").kind == "actual"  # 已 before the verb: done, though 争取 reads as a target
    assert by_mention(ms, "37次").kind == "actual"


def test_the_years_target_in_an_aside_is_a_target_for_the_year_and_the_share_done_an_actual():
    ms = figures("截至7月底,全市完成棚户区改造120万平方米,完成年度任务(300万平方米)的40%。", date="2023-08-10")
    target, share = by_mention(ms, "300万平方米"), by_mention(ms, "40%")
    assert (target.kind, span(target)) == ("target", (D(2023, 1, 1), D(2023, 12, 31)))
    assert (share.kind, share.measure, span(share)) == ("actual", "share", (D(2023, 1, 1), D(2023, 7, 31)))
    done = by_mention(figures("今年以来,全区新开工保障性住房1200套,完成年度目标的60%。", date="2024-07-02"), "60%")
    assert (done.kind, done.measure) == ("actual", "share")
    ms = figures("1-10月,全市PM2.5平均浓度为33微克/立方米,距离年度目标(32微克/立方米)还差1微克/立方米。",
                 date="2023-11-10")
    assert (by_mention(ms, "32微克/立方米").kind, by_mention(ms, "33微克/立方米").kind) == ("target", "actual")


def test_an_estimate_lead_in_governs_its_list():
    ms = figures("预计全年:地区生产总值增长5.8%;固定资产投资增长7%;社会消费品零售总额增长6%。", date="2023-12-28")
    assert [m.kind for m in ms] == ["estimate"] * 3


# 4. catalog: urban and rural income from one 分别达到 sentence
def test_urban_and_rural_income_from_one_sentence():
    ms = figures("2023年,城乡居民人均可支配收入分别达到48500元、26300元。", date="2024-02-01")
    urban, rural = by_mention(ms, "48500元"), by_mention(ms, "26300元")
    assert urban.indicator_key == "urban_disposable_income"
    assert rural.indicator_key == "rural_disposable_income"


def test_a_list_of_growths_after_two_levels_reads_them_respectively():
    ms = figures("2023年,城镇居民人均可支配收入48500元,农村居民人均可支配收入26300元,实际增长5.1%和7.2%。",
                 date="2024-02-01")
    assert [(m.mention, m.indicator_key, m.measure) for m in ms] == [
        ("48500元", "urban_disposable_income", "level"), ("26300元", "rural_disposable_income", "level"),
        ("5.1%", "urban_disposable_income", "growth"), ("7.2%", "rural_disposable_income", "growth")]
    # two names before one list, joined by 和 rather than 、
    ms = figures("2023年,城镇居民人均可支配收入和农村居民人均可支配收入实际增长5.1%和7.2%。", date="2024-02-01")
    assert [m.indicator_key for m in ms] == ["urban_disposable_income", "rural_disposable_income"]


def test_a_list_of_single_character_modifiers_shares_the_last_name():
    ms = figures("2022年1-10月,一、二、三产业占全市总投资的比重分别为16.5%、23.5%、60.0%。", date="2022-11-20")
    assert [m.indicator for m in ms] == ["一产业占全市总投资的比重", "二产业占全市总投资的比重",
                                         "三产业占全市总投资的比重"]
    assert {m.measure for m in ms} == {"share"}


def test_a_partial_name_takes_the_head_a_catalog_name_gives_it():
    ms = figures("财政收入6.13万亿元,增长19.5%;粮食连续五年增产,总产量10570亿斤。", date="2009-03-05")
    grain = by_mention(ms, "10570亿斤")
    assert (grain.indicator, grain.indicator_key) == ("粮食总产量", "grain_output")


def test_a_unit_written_once_after_a_list_holds_for_each_value():
    ms = figures("1—10月份,全市高新技术产业增加值占比为24.5%,占比分别较1—9月份和上年同期提高0.1和1.2个百分点;"
                 "两项指标分别高于全国、全省7.4、3.8个百分点。", date="2022-11-23")
    for mention in ("0.1", "1.2个百分点", "7.4", "3.8个百分点"):
        m = by_mention(ms, mention)
        assert (m.unit, m.measure) == ("个百分点", "pp_change"), mention
    # a list marker opening a line is no value, and bare counters are not shared
    ms = figures("1、2万名志愿者参与。\n全市共有1、2类公厕300座。", date="2022-11-23")
    assert [m.mention for m in ms] == ["2万名", "300座"]


# 5. text damage
def test_a_zero_width_space_before_a_unit():
    m = figures("国内生产总值达到134.9\u200b万亿元,增长5.2%。", date="2024-03-05")[0]
    assert (m.value, m.unit) == (134.9, "万亿元")


def test_spaces_inside_a_figure():
    ms = figures("5 月 20 日前,全县共办结群众诉求 85 件,出动执法人员 800\n余人次。", date="2022-05-25")
    cases = [m for m in ms if m.value == 85]
    assert cases and cases[0].unit == "件"
    people = [m for m in ms if m.value == 800]
    assert people and people[0].unit == "人次" and people[0].bound == "ge"


# tables of 数字城管 bulletins: each number cell is a figure
def test_table_cells_take_unit_period_and_key_from_header_and_row():
    text = ("江门市数字城管2024年7月份运行情况通报\n"
            "案件来源 | 6月受理数(宗) | 7月受理数(宗) | 增/减幅(%) |\n"
            "信息采集 | 12120 | 12102 | -0.15% |\n"
            "合计 | 13729 | 14090 | 2.63% |")
    ms = figures(text, date="2024-08-05")
    cells = {(m.sentence.split(" |")[0], m.mention): m for m in ms}
    june = cells[("信息采集", "12120")]
    assert (june.value, june.unit, june.measure, span(june)) == (12120, "宗", "level", (D(2024, 6, 1), D(2024, 6, 30)))
    assert june.indicator_key is None  # a breakdown row
    change = cells[("信息采集", "-0.15%")]
    assert (change.value, change.unit, change.measure) == (-0.15, "%", "growth")
    assert span(change) == (D(2024, 7, 1), D(2024, 7, 31))  # the bulletin's own month
    total = cells[("合计", "14090")]
    assert (total.indicator_key, span(total)) == ("cases_received", (D(2024, 7, 1), D(2024, 7, 31)))


def test_a_change_column_beside_month_columns_is_the_latest_months_change():
    # under a heading through the end of July, 7月 | 6月 | 增/减: the change into July
    text = ("数字城管运行情况通报\n二、各类案件处理情况(截至2024年7月31日)\n"
            "案件类别 | 7月(宗) | 6月(宗) | 增/减(宗) |\n"
            "市容环境 | 1420 | 1655 | -235 |")
    ms = figures(text, date="2024-08-05")
    change = by_mention(ms, "-235")
    assert (change.measure, change.value, span(change)) == ("change", -235, (D(2024, 7, 1), D(2024, 7, 31)))


def test_a_table_of_indicators_under_an_empty_corner_cell():
    text = ("玉环市2019年国民经济和社会发展统计公报\n表1 2019年玉环市生产总值\n"
            "| 绝对数 (亿元) | 比上年增长 (%) |\n"
            "地区生产总值 | 617.50 | 5.2 |\n"
            "第一产业 | 37.11 | 2.6 |")
    ms = figures(text, date="2020-03-20")
    gdp, growth, primary = by_mention(ms, "617.50"), by_mention(ms, "5.2"), by_mention(ms, "37.11")
    assert (gdp.value, gdp.unit, gdp.measure, gdp.indicator_key) == (617.5, "亿元", "level", "gdp")
    assert (growth.unit, growth.measure, growth.indicator_key) == ("%", "growth", "gdp")
    assert (primary.unit, primary.indicator_key) == ("亿元", None)
    assert span(gdp) == (D(2019, 1, 1), D(2019, 12, 31))


def test_a_header_of_two_rows_names_each_column_from_both():
    # as the HTML reader writes a merged header: each merged cell in every column it spans
    text = ("江门市数字城管2024年7月份运行情况通报\n"
            "单位 | 7月完成情况 | 7月完成情况 | 7月完成情况 | 2024年6月完成数 | 增/减 | 增/减 |\n"
            "单位 | 任务数 | 完成数 | 完成率 | 2024年6月完成数 | (件) | 幅度 |\n"
            "蓬江区城市管理和综合执法局 | 2600 | 2675 | 102.88% | 2696 | -21 | -0.78% |")
    ms = {m.mention: m for m in figures(text, date="2024-08-05")}
    assert (ms["2600"].kind, span(ms["2600"])) == ("target", (D(2024, 7, 1), D(2024, 7, 31)))
    assert (ms["2675"].kind, ms["102.88%"].unit) == ("actual", "%")
    assert span(ms["2696"]) == (D(2024, 6, 1), D(2024, 6, 30))
    assert (ms["-21"].measure, ms["-21"].unit, ms["-21"].value) == ("change", "件", -21)
    assert (ms["-0.78%"].measure, ms["-0.78%"].value) == ("growth", -0.78)


def test_table_cells_with_their_own_units_and_empty_cells_keep_their_columns():
    # as the .docx reader writes a table: 100处 is a number cell with its own unit
    text = ("上半年工作情况\n项目 | 目标 | 完成 |\n拆墙透绿 | 100处 | 86处 |\n垃圾分类 |  | 覆盖率95% |\n"
            "新增绿地 | 3.5万平方米 | 2.1万平方米 |")
    ms = {m.mention: m for m in figures(text, date="2020-08-15")}
    assert (ms["100处"].kind, ms["100处"].unit, ms["86处"].kind) == ("target", "处", "actual")
    assert ms["100处"].indicator_key == "walls_removed"  # the row names a catalog indicator
    assert (ms["2.1万平方米"].kind, ms["2.1万平方米"].value_base) == ("actual", 21000)  # after the row of words
    assert ms["95%"].indicator == "覆盖率"  # a figure in words in a cell is read as text, cell by cell


def test_label_and_value_pairs_in_a_table_row():
    text = "每周运行分析报告(2019年4月8日至4月14日)\n基础指标 | 案件数 | 比率指标 | 数值 |\n立案数 | 51229 | 立案率 | 99.34% |"
    ms = figures(text, year=2019)
    filed, rate = by_mention(ms, "51229"), by_mention(ms, "99.34%")
    assert (filed.indicator_key, filed.unit, rate.indicator_key, rate.unit) == ("cases_filed", None, None, "%")
    assert span(filed) == (D(2019, 4, 8), D(2019, 4, 14))


def test_a_bound_after_the_last_value_of_a_list_holds_for_all():
    ms = figures("今年主要预期目标是:财政总收入、城镇居民收入和农村居民收入分别增长10.6%、11%和13%左右。",
                 date="2015-04-29")
    assert [(m.indicator_key, m.bound, m.kind) for m in ms] == [
        ("fiscal_total_revenue", "approx", "target"), ("urban_disposable_income", "approx", "target"),
        ("rural_disposable_income", "approx", "target")]


# the ten raw local texts: the period each reports on, as a person reads it
RAW = SHARED_CORPUS / "local" / "raw"
RAW_PERIODS = [
    ("city_jiangmen_2024_07_szcg_tables.txt", (D(2024, 7, 1), D(2024, 7, 31))),  # 7月份,系统共受理… (no title)
    ("city_liaocheng_2018_06_appearance_scores.txt", (D(2018, 6, 1), D(2018, 6, 30))),  # title: 2018年6月份…通报
    ("city_xianning_2023_06_urban_mgmt_scores.txt", (D(2023, 6, 1), D(2023, 6, 30))),  # 对全市2023年6月份…进行了综合评价
    ("city_xuchang_2022_01_szcg_bulletin.txt", (D(2022, 1, 1), D(2022, 1, 31))),  # title: 2022年1月份运行情况通报
    ("city_zhengzhou_2019_04_weekly_szcg.txt", (D(2019, 4, 8), D(2019, 4, 14))),  # title: 每周…(2019年4月8日至4月14日)
    ("county_chengguan_2024_summary_pdf_lines.txt", (D(2024, 1, 1), D(2024, 12, 31))),  # 2024年工作总结及2025年工作计划
    ("county_yuhuan_2019_statistical_communique.txt", (D(2019, 1, 1), D(2019, 12, 31))),  # 2019年…统计公报
    ("county_zhenan_2015_gwr_news_targets.txt", (None, None)),  # news of a work report: a review and targets
    ("district_guandu_2023_h1_plan_report.txt", (D(2023, 1, 1), D(2023, 6, 30))),  # 2023年上半年…计划执行情况的报告
    ("district_yantian_2012_gov_work_report.txt", (None, None)),  # a work report: five years' review and tasks
]


@pytest.mark.parametrize("name,expected", RAW_PERIODS, ids=[r[0][:24] for r in RAW_PERIODS])
def test_raw_local_texts_report_on_the_period_a_reader_sees(name, expected):
    path = RAW / name
    if not path.exists():
        pytest.skip(f"the shared local corpus is not at {RAW}")
    doc = process(SourceText(path.read_text(encoding="utf-8"), "txt", "utf-8", path=str(path)))
    assert (doc.report_period_start, doc.report_period_end) == expected


def test_a_key_project_list_is_the_years_plan_and_its_progress_is_actual():
    ms = figures("1-6月,全县安排县级重点项目530项,总投资2944.74亿元,年度计划投资562亿元;"
                 "县级重点项目累计完成投资362.32亿元,占年计划投资的64.49%。", date="2023-07-12")
    kinds = {m.mention: (m.kind, span(m)) for m in ms}
    year, half = (D(2023, 1, 1), D(2023, 12, 31)), (D(2023, 1, 1), D(2023, 6, 30))
    assert kinds["530项"] == ("plan", year)
    assert kinds["2944.74亿元"] == ("plan", year)
    assert kinds["562亿元"] == ("target", year)
    assert kinds["362.32亿元"] == ("actual", half)
    assert kinds["64.49%"] == ("actual", half)


def test_a_rate_named_after_its_indicator_takes_that_indicator():
    ms = figures("1—10月份,全市规模以上工业增加值同比增长3.4%,增速比1—9月份加快0.5个百分点,"
                 "其中10月份增加值同比增长7.3%。1-11月,全县一般公共预算收入同比下降3.5%,"
                 "降幅比1-10月收窄2.0个百分点。", date="2022-12-10")
    assert {m.mention: m.indicator_key for m in ms} == {
        "3.4%": "industrial_value_added", "0.5个百分点": "industrial_value_added",
        "7.3%": "industrial_value_added", "3.5%": "general_budget_revenue", "2.0个百分点": "general_budget_revenue"}
    assert by_mention(ms, "2.0个百分点").value == 2.0  # a decline narrowing: the rate rose


def test_relative_periods_resolve_in_the_documents_own_period():
    text = "全市2024年1-7月经济运行简报\n今年以来,全市完成固定资产投资120亿元,同比增长5.1%,其中本季度完成40亿元。"
    ms = figures(text, date="2024-08-20")
    assert span(by_mention(ms, "120亿元")) == (D(2024, 1, 1), D(2024, 7, 31))  # not through 20 August
    assert span(by_mention(ms, "40亿元")) == (D(2024, 7, 1), D(2024, 7, 31))  # the quarter so far


def test_a_figure_in_the_documents_own_period_is_labelled_with_it():
    ms = figures("全市2024年1-7月经济运行简报\n全市完成固定资产投资120亿元。", date="2024-08-20")
    assert (ms[0].period_label, ms[0].period_source) == ("2024年1-7月", "title")
