"""Document metadata from real pages: dates (and where they came from), real
titles, issuers and regions with division codes, a user's metadata.csv."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from conftest import SHARED_CORPUS, query, speech_etl
from flows.files import MetadataCsvs, read_metadata_csv
from transforms import regions
from transforms.clean import clean
from transforms.document import Document, SourceText
from transforms.metadata import metadata

RAW = SHARED_CORPUS / "local" / "raw"


def meta_of(text: str, path: str | None = None, **given) -> Document:
    source = SourceText(text=text, source_format="txt", meta=given, path=path)
    return metadata(clean(Document(source=source)))


# --- the ten raw local texts, as a person reads them ------------------------
# (file, date or year, title, issuer, region code). The date is the document's
# own (a signature, a dateline, a byline); a year alone where the text states
# none (then from the title, or from the file's name).
RAW_EXPECTED = [
    # a 数字城管 table opening: no heading, no issuer named; the city is the one whose
    # 各县(市、区) the table lists; the bulletin's year (2024) only in the name and tables
    ("city_jiangmen_2024_07_szcg_tables.txt", 2024, None, None, "440700"),
    # the fuller second heading; signed 聊城市城市管理委员会办公室 / 2018年7月31日 (spam links after it)
    ("city_liaocheng_2018_06_appearance_scores.txt", dt.date(2018, 7, 31),
     "2018年6月份全市城镇容貌和环境卫生管理考核情况通报", "聊城市城市管理委员会办公室", "371500"),
    # starts mid-page with 根据…: no heading; signed with the date, then an editor line and links
    ("city_xianning_2023_06_urban_mgmt_scores.txt", dt.date(2023, 7, 12), None,
     "咸宁市城市管理工作领导小组办公室", "421200"),
    # breadcrumb first; 【信息时间:2022-02-10 11:44; no issuing office named (the title names the system)
    ("city_xuchang_2022_01_szcg_bulletin.txt", dt.date(2022, 2, 10),
     "许昌市数字化城市管理系统2022年1月份运行情况通报", None, "411000"),
    # a weekly report: the week in its title; the city only through its districts (金水区, 二七区…)
    ("city_zhengzhou_2019_04_weekly_szcg.txt", 2019, "每周运行分析报告(2019年4月8日至4月14日)", None, "410100"),
    # PDF lines: the heading broken over five lines, the county's name masked as XX
    ("county_chengguan_2024_summary_pdf_lines.txt", 2024, "县城市管理局2024年工作总结及2025年工作计划",
     "XX县城市管理局", None),
    # 玉环 became a county-level city in 2017 (331083, no longer 玉环县 331021)
    ("county_yuhuan_2019_statistical_communique.txt", 2019, "玉环市2019年国民经济和社会发展统计公报", None, "331083"),
    # photo captions first, no heading; 镇安县政府县长…政府工作报告 of 2015 (year from the name)
    ("county_zhenan_2015_gwr_news_targets.txt", 2015, None, "镇安县人民政府", "611025"),
    ("district_guandu_2023_h1_plan_report.txt", dt.date(2023, 8, 31),
     "昆明市官渡区人民政府关于官渡区2023年上半年国民经济和社会发展计划执行情况的报告", "昆明市官渡区人民政府", "530111"),
    # one line (a PDF without breaks): "1政府工作报告——2012年1月3日在盐田区…上盐田区人民政府区长杜玲"
    ("district_yantian_2012_gov_work_report.txt", dt.date(2012, 1, 3), "政府工作报告", "盐田区人民政府", "440308"),
]


@pytest.mark.parametrize("name,when,title,issuer,region_code", RAW_EXPECTED, ids=[r[0][:20] for r in RAW_EXPECTED])
def test_raw_local_texts(name, when, title, issuer, region_code):
    path = RAW / name
    if not path.exists():
        pytest.skip(f"the shared local corpus is not at {RAW}")
    doc = meta_of(path.read_text(encoding="utf-8"), path=str(path))
    if isinstance(when, dt.date):
        assert (doc.delivered_on or doc.published_at.date()) == when
        assert doc.date_source == "text"
    else:
        assert doc.year == when and doc.date_source in ("title", "path")
    assert doc.year == (when.year if isinstance(when, dt.date) else when)
    assert doc.title == title
    assert doc.issuer == issuer
    assert doc.region_code == region_code


def test_raw_local_levels_and_names():
    if not RAW.exists():
        pytest.skip(f"the shared local corpus is not at {RAW}")
    read = {p.name: meta_of(p.read_text(encoding="utf-8"), path=str(p)) for p in RAW.glob("*.txt")}
    assert (read["district_guandu_2023_h1_plan_report.txt"].region,
            read["district_guandu_2023_h1_plan_report.txt"].region_level) == ("昆明市官渡区", "district")
    assert read["county_yuhuan_2019_statistical_communique.txt"].region_level == "county"
    assert read["city_zhengzhou_2019_04_weekly_szcg.txt"].region == "郑州市"
    masked = read["county_chengguan_2024_summary_pdf_lines.txt"]
    assert (masked.region, masked.region_code, masked.region_level) == (None, None, "county")
    assert read["county_zhenan_2015_gwr_news_targets.txt"].date_source == "path"


# --- dates ------------------------------------------------------------------


@pytest.mark.parametrize("line,expected", [
    ("来源:青岛早报 2012-04-07 07:09:28", dt.datetime(2012, 4, 7, 7, 9, 28)),
    ("【信息来源:【作者:【信息时间:2022-02-10 11:44 阅读次数: 】【字号 】", dt.datetime(2022, 2, 10, 11, 44)),
    ("发布日期：2023-07-12", dt.datetime(2023, 7, 12)),
    ("发布时间：2023年7月12日 浏览次数：35", dt.datetime(2023, 7, 12)),
    ("2021-03-01 09:30 来源:新华网", dt.datetime(2021, 3, 1, 9, 30)),
])
def test_byline_dates(line, expected):
    doc = meta_of(f"某市城市管理局召开会议\n{line}\n会议指出,上半年全市完成立案1200件。")
    assert doc.published_at == expected
    assert doc.date_source == "text"
    assert doc.year == expected.year


def test_signature_date_after_the_issuer():
    doc = meta_of("关于4月份城市管理考核情况的通报\n各区:\n现将考核情况通报如下。\n"
                  "西安市城市管理和综合执法局\n2023年5月6日\n相关链接")
    assert doc.delivered_on == dt.date(2023, 5, 6)
    assert doc.issuer == "西安市城市管理和综合执法局"
    assert (doc.region, doc.region_code, doc.region_level) == ("西安市", "610100", "city")


def test_a_date_alone_without_an_issuer_line_is_no_signature():
    doc = meta_of("工作安排\n一、重点工作\n2023年5月6日\n完成拆违100处。")
    assert doc.delivered_on is None


def test_dateline_of_a_speech():
    doc = meta_of("在全县经济工作会议上的讲话\n(2019年1月8日在县委经济工作会议上)\n同志们:")
    assert doc.delivered_on == dt.date(2019, 1, 8) and doc.date_source == "text"


def test_title_year_and_title_date():
    doc = meta_of("2021年上半年城市管理工作总结\n上半年,我局完成各项任务。")
    assert (doc.year, doc.delivered_on, doc.date_source) == (2021, None, "title")
    period = meta_of("每周运行分析报告(2019年4月8日至4月14日)\n本周受理案件100件。")
    assert (period.year, period.delivered_on, period.date_source) == (2019, None, "title")


def test_a_text_with_no_date_takes_the_year_its_opening_sets():
    one = meta_of("统计公报\n全县地区生产总值244394万元。2022年10月份数据。")
    assert (one.year, one.date_source) == (2022, "text")  # the only year it names
    opening = meta_of("国民经济和社会发展统计公报\n2015年,面对经济下行压力,全县围绕到2018年全面建成小康社会的目标,"
                      "实现地区生产总值244394万元。\n2011-2015年全县地区生产总值及增长速度")
    assert (opening.year, opening.date_source) == (2015, "text")  # several years, the opening sets one
    neither = meta_of("统计公报\n全县围绕到2018年全面建成小康社会的目标,2015年实现地区生产总值244394万元。")
    assert neither.year is None


@pytest.mark.parametrize("path,year,date", [
    ("/data/reports/2023/summary.txt", 2023, None),
    ("/data/city_report_2019_h1.txt", 2019, None),
    ("/data/2018/mid/2020-plan.txt", 2020, None),  # the file's own name first
    ("http://tjj.quanzhou.gov.cn/tjzl/sjjd/202211/t20221123_2804133.htm", 2022, dt.date(2022, 11, 23)),
    ("http://www.sanmen.gov.cn/art/2022/11/22/art_1229320398_3834192.html", 2022, dt.date(2022, 11, 22)),
])
def test_path_dates(path, year, date):
    text = "上半年全市完成立案1200件,结案率98%。"
    doc = meta_of(text, path=None if path.startswith("http") else path,
                  **({"url": path} if path.startswith("http") else {}))
    assert doc.year == year and doc.date_source == "path"
    assert (doc.published_at.date() if doc.published_at else None) == date


def test_given_date_beats_text_and_path():
    doc = meta_of("来源:青岛早报 2012-04-07 07:09:28\n正文", path="/x/2019/a.txt", date="2013-05-06")
    assert (doc.delivered_on, doc.year, doc.date_source) == (dt.date(2013, 5, 6), 2013, "input")
    year_only = meta_of("正文\n西安市统计局\n2014年2月3日", year=2014)
    assert (year_only.delivered_on, year_only.date_source) == (dt.date(2014, 2, 3), "input")
    disagree = meta_of("正文\n西安市统计局\n2014年2月3日", year=2016)
    assert (disagree.delivered_on, disagree.year) == (None, 2016)


def test_no_date_anywhere():
    doc = meta_of("上半年全市完成立案1200件。", path="/data/notes/summary.txt")
    assert (doc.year, doc.date_source) == (None, None)


# --- titles -----------------------------------------------------------------


@pytest.mark.parametrize("text,title", [
    ("当前位置:首页 > 要闻动态 > 通知公告\n许昌市数字化城市管理系统2022年1月份运行情况通报\n各县:", "许昌市数字化城市管理系统2022年1月份运行情况通报"),
    ("您的位置:首页>>政务公开>>统计信息\n2023年上半年经济运行情况\n上半年,全县经济稳中向好。", "2023年上半年经济运行情况"),
    ("索引号 | 11410000-01 | 组配分类 | 统计信息 |\n发布机构 | 县统计局 |\n一季度经济运行简析\n一季度,全县", "一季度经济运行简析"),
    ("责任编辑:王某\n城管局召开半年工作会\n7月5日,局里召开会议。", "城管局召开半年工作会"),
    ("同志们:\n今天召开会议。", None),
    ("根据省住建厅要求,市城管办对全市6月份工作进行了评价,现将有关情况通报如下:\n第一名", None),
])
def test_titles_past_chrome(text, title):
    assert meta_of(text).title == title


def test_user_title_beats_the_text():
    assert meta_of("当前位置:首页\n某标题\n正文", title="我的标题").title == "我的标题"


# --- issuers and regions ----------------------------------------------------


@pytest.mark.parametrize("text,issuer,code,level", [
    ("受县长委托,我代表县人民政府,向大会作报告。\n全县完成生产总值100亿元。", None, None, None),
    ("汉中市城市管理局2023年上半年工作总结\n上半年,我局扎实推进各项工作。", "汉中市城市管理局", "610700", "city"),
    ("西宁市城北区统计局关于2022年经济运行的分析\n全区经济平稳。", "西宁市城北区统计局", "630105", "district"),
    ("在全县经济工作会议上的讲话\n镇安县县长 张三\n同志们:", "镇安县人民政府", "611025", "county"),
    # 管城区 is 管城回族区, its short name (the library's own matcher read it as 阳泉市城区)
    ("管城区人民政府工作报告\n全区完成...", "管城区人民政府", "410104", "district"),
])
def test_issuers(text, issuer, code, level):
    doc = meta_of(text)
    assert (doc.issuer, doc.region_code, doc.region_level) == (issuer, code, level)


def test_self_reference_takes_the_place_named_elsewhere():
    doc = meta_of("上半年工作总结\n今年以来,我市在省委领导下,全市经济平稳。\n(二)宝鸡市主要指标\n全市GDP增长5%。")
    assert (doc.region, doc.region_code) == ("宝鸡市", "610300")


def test_sibling_districts_name_their_city():
    doc = meta_of("本周案件统计\n全市受理案件100件\n金水区 | 10 |\n二七区 | 20 |\n中原区 | 5 |")
    assert doc.region_code == "410100"


def test_place_names_inside_words_are_no_places():
    doc = meta_of("工作总结\n我们完成县乡道路改造,搭建平台中市场主体增加。")
    assert doc.region_code is None


def test_national_issuer_kept():
    doc = meta_of("2014年国务院政府工作报告\n各位代表:")
    assert (doc.issuer, doc.region, doc.region_level, doc.region_code) == ("国务院", "全国", "national", None)


def test_user_region_is_normalised():
    doc = meta_of("正文", region="西安")
    assert (doc.region, doc.region_code, doc.region_level) == ("西安市", "610100", "city")
    unknown = meta_of("正文", region="某开发区")
    assert (unknown.region, unknown.region_code) == ("某开发区", None)


def test_region_lookups():
    assert regions.resolve("玉环市").code == "331083"
    assert regions.resolve("昆明市官渡区").code == "530111"
    assert regions.resolve("城关区") is None  # 兰州 and 拉萨
    assert regions.resolve("城关区", ("540100",)).code == "540102"
    assert regions.resolve("重庆市").level == "city"
    assert regions.qualified_name(regions.resolve("黔江区")) == "重庆市黔江区"


# --- metadata.csv -----------------------------------------------------------


def test_metadata_csv_rows(tmp_path):
    rows = read_metadata_csv("path,title,date,issuer,region\r\na.txt,标题,2023-07-12,,西安\r\n,x,,,\r\n".encode("utf-8-sig"))
    assert rows == {"a.txt": {"title": "标题", "date": "2023-07-12", "region": "西安"}}
    gbk = read_metadata_csv("path,title,date,issuer,region\nb.txt,半年总结,2019,某局,\n".encode("gb18030"))
    assert gbk == {"b.txt": {"title": "半年总结", "date": "2019", "issuer": "某局"}}
    (tmp_path / "metadata.csv").write_text("path,issuer\nc.txt,宝鸡市统计局\n", encoding="utf-8")
    assert MetadataCsvs().meta_for(str(tmp_path / "c.txt")) == {"issuer": "宝鸡市统计局"}
    assert MetadataCsvs().meta_for(str(tmp_path / "d.txt")) == {}


def test_metadata_csv_beats_inference_in_an_ingest(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text("当前位置:首页 > 通知公告\n汉中市城市管理局2023年上半年工作总结\n"
                                  "来源:汉中日报 2023-07-20 10:00:00\n上半年,全市完成立案1200件。", encoding="utf-8")
    (inputs / "b.txt").write_text("宝鸡市统计局一季度经济运行简析\n一季度,全市生产总值增长5%。", encoding="utf-8")
    (inputs / "metadata.csv").write_text(
        "path,title,date,issuer,region\na.txt,我的标题,2023-08-01,汉中市城管局,\nb.txt,,2024,,\n", encoding="utf-8")
    warehouse = tmp_path / "w"
    result = speech_etl("ingest", str(inputs), "--warehouse", str(warehouse))
    assert "ignored" not in result.stdout  # metadata.csv is no input, and not an ignored one
    rows = query(warehouse, "SELECT source_path, title, issuer, region_code, delivered_on, published_at, year, "
                            "date_source FROM documents ORDER BY source_path")
    assert len(rows) == 2 and all(not r[0].endswith(".csv") for r in rows)
    a, b = rows
    assert a[1:4] == ("我的标题", "汉中市城管局", "610700")
    assert (a[4], a[6], a[7]) == (dt.date(2023, 8, 1), 2023, "input")
    assert a[5] == dt.datetime(2023, 7, 20, 10, 0)  # the byline is still read
    assert b[1:4] == ("宝鸡市统计局一季度经济运行简析", "宝鸡市统计局", "610300")
    assert (b[6], b[7]) == (2024, "input")


def test_ingest_states_date_sources(dev_ingest):
    if not (SHARED_CORPUS / "local").exists():
        pytest.skip(f"the shared local corpus is not at {SHARED_CORPUS / 'local'}")
    warehouse, result = dev_ingest  # `speech-etl ingest ../shared/corpus` into a new warehouse (conftest)
    line = re.search(r"Dates of the (\d+) documents added, by source: input (\d+), text (\d+), title (\d+), "
                     r"path (\d+), none (\d+)", result.stdout)
    assert line, result.stdout
    total, *counts = map(int, line.groups())
    documents = query(warehouse, "SELECT count(*) FROM documents")[0][0]
    assert total == sum(counts) == documents
    by_source = dict(query(warehouse, "SELECT coalesce(date_source, 'none'), count(*) FROM documents GROUP BY 1"))
    assert [by_source.get(k, 0) for k in ("input", "text", "title", "path", "none")] == counts
