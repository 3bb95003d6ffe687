"""The indicator catalog and the unit table on local reports' wordings
(transforms/data/indicators.yaml, units.yaml): which key a phrase gets, which
look-alikes get none, and how the units local bulletins use scale."""

from __future__ import annotations

import re

import pytest

from transforms.metrics.indicator import indicator_key, load_indicator_catalog
from transforms.metrics.units import split_unit, to_base, unit_table


# ------------------------------------------------------------------ income


@pytest.mark.parametrize("indicator, key", [
    # all residents
    ("居民人均可支配收入", "disposable_income"),
    ("全体居民人均可支配收入", "disposable_income"),
    ("全市居民人均可支配收入", "disposable_income"),
    ("全县常住居民人均可支配收入", "disposable_income"),
    ("全国居民人均可支配收入", "disposable_income"),
    # urban
    ("城镇居民人均可支配收入", "urban_disposable_income"),
    ("城镇常住居民人均可支配收入", "urban_disposable_income"),
    ("全市城镇常住居民人均可支配收入", "urban_disposable_income"),
    ("城镇居民家庭人均可支配收入", "urban_disposable_income"),
    ("城市居民人均可支配收入", "urban_disposable_income"),
    # rural
    ("农村居民人均可支配收入", "rural_disposable_income"),
    ("农村常住居民人均可支配收入", "rural_disposable_income"),
    ("全县农村常住居民人均可支配收入", "rural_disposable_income"),
    ("农民人均可支配收入", "rural_disposable_income"),
    # a phrase naming both is neither, nor all residents
    ("城乡居民人均可支配收入", None),
    ("城镇和农村常住居民人均可支配收入", None),
    ("农村和城镇居民人均可支配收入", None),
    # the pre-2013 rural net income is no disposable income: its own key
    ("农民人均纯收入", "rural_net_income"),
    ("农村居民人均纯收入", "rural_net_income"),
    ("城镇居民人均生活费收入", None),
])
def test_disposable_income_is_three_series(indicator, key):
    assert indicator_key(indicator) == key


# ------------------------------------------------------------------ fiscal revenue


@pytest.mark.parametrize("indicator, key", [
    ("财政总收入", "fiscal_total_revenue"),
    ("全县财政总收入", "fiscal_total_revenue"),
    ("地方财政总收入", "fiscal_total_revenue"),
    ("一般公共预算收入", "general_budget_revenue"),
    ("全县一般公共预算收入", "general_budget_revenue"),
    ("地方一般公共预算收入", "general_budget_revenue"),
    ("公共财政预算收入", "general_budget_revenue"),
    ("财政一般预算收入", "general_budget_revenue"),
    ("全国财政收入", "general_budget_revenue"),
    # shares of a revenue are neither revenue
    ("税收收入占一般公共预算收入比重", None),
    ("税收总量占财政总收入比重", None),
    ("一般公共预算支出", None),
])
def test_total_fiscal_revenue_is_never_general_budget_revenue(indicator, key):
    assert indicator_key(indicator) == key


# ------------------------------------------------------------------ city management cases


@pytest.mark.parametrize("indicator, key", [
    ("受理", "cases_received"),
    ("全市共受理案件", "cases_received"),
    ("系统共受理案件", "cases_received"),
    ("全市共受理常规案件(不包括四乱案件)", "cases_received"),
    ("受理数", "cases_received"),
    ("上报案件", "cases_received"),
    ("采集员上报案件", "cases_received"),
    ("采集问题", "cases_received"),
    ("立案", "cases_filed"),
    ("全市数字化城管系统立案", "cases_filed"),
    ("受理案件立案", "cases_filed"),  # the later stage named: not received
    ("立案率", None),  # a rate is not its count
    ("受理率", None),
    ("结案", "cases_closed"),
    ("按期结案", None),  # on-time closures are a part of the closed cases
    ("应结案", None),  # cases due, not closed
    ("应结案案件", None),
    ("结案率", "case_closure_rate"),
    ("案件结案率", "case_closure_rate"),
    ("按期结案率", "on_time_closure_rate"),
    ("按时结案率", "on_time_closure_rate"),
])
def test_city_management_stages_and_rates(indicator, key):
    assert indicator_key(indicator) == key


# ------------------------------------------------------------------ air quality


@pytest.mark.parametrize("indicator, key", [
    ("PM2.5平均浓度", "pm25"),
    ("细颗粒物平均浓度", "pm25"),
    ("细颗粒物(PM2.5)平均浓度", "pm25"),
    ("PM10平均浓度", "pm10"),
    ("可吸入颗粒物(PM10)浓度", "pm10"),
    ("可吸入颗粒物", "pm10"),
    ("臭氧", "o3"),
    ("臭氧(O3)浓度", "o3"),
    ("O3浓度", "o3"),
    ("消耗臭氧层物质", None),
    ("综合指数", "air_quality_index"),
    ("环境空气质量综合指数", "air_quality_index"),
    ("营商环境综合指数", None),
    ("优良天数", "good_air_days"),
    ("优良天数比例", "good_air_days"),
    ("空气质量优良率", "good_air_days"),
])
def test_air_quality(indicator, key):
    assert indicator_key(indicator) == key


# ------------------------------------------------------------------ local forms of older keys


@pytest.mark.parametrize("indicator, key", [
    ("全县实现地区生产总值", "gdp"),
    ("全镇生产总值", "gdp"),
    ("规上工业增加值", "industrial_value_added"),
    ("全县规模以上工业增加值", "industrial_value_added"),
    ("规模以上高新技术产业增加值占规模以上工业增加值的比重", None),
    ("全县社会消费品零售总额", "retail_sales"),
    ("社会消费品零售额", "retail_sales"),
    ("社零总额", "retail_sales"),
    ("限额以上社会消费品零售额", None),  # a part of the total
    ("全市固定资产投资(不含农户)", "fixed_asset_investment"),
    ("全县在库固定资产投资项目", None),  # a count of projects
    ("区本级固定资产投资占比", None),
    ("万元GDP能耗", "energy_intensity"),
    ("办结率", "case_closure_rate"),
])
def test_local_forms_of_catalog_keys(indicator, key):
    assert indicator_key(indicator) == key


def test_every_alias_keys_its_own_entry():
    """An alias listed twice, or vetoed by its own entry's not_if, would be
    silently dead: each alias alone must give its entry's key."""
    seen: dict[str, str] = {}
    for row in load_indicator_catalog():
        for alias in row["aliases"]:
            assert alias not in seen, f"{alias} in {seen.get(alias)} and {row['indicator_key']}"
            seen[alias] = row["indicator_key"]
            assert indicator_key(alias) == row["indicator_key"], alias


# ------------------------------------------------------------------ units


@pytest.mark.parametrize("value, unit, expected", [
    (44, "起", (44.0, "起")),
    (14090, "宗", (14090.0, "宗")),
    (85, "件", (85.0, "件")),
    (800, "人次", (800.0, "人次")),
    (1.2, "万人次", (12000.0, "人次")),
    (195.6, "万株", (1956000.0, "株")),
    (401, "家", (401.0, "家")),
    (20, "名", (20.0, "人")),
    (300, "天", (300.0, "天")),
    (2.5, "‰", (0.25, "%")),
    (35, "μg/m3", (35.0, "微克/立方米")),
    (35, "μg/m³", (35.0, "微克/立方米")),
    (35, "微克/立方米", (35.0, "微克/立方米")),
    (0.8, "毫克/立方米", (800.0, "微克/立方米")),
    (0.035, "mg/m3", (35.0, "微克/立方米")),
    (99.7, "分", (99.7, "分")),
    (3990, "平方米", (3990.0, "平方米")),
    (300, "万平方米", (3000000.0, "平方米")),
    (94.2, "公里", (94.2, "公里")),
    (20, "辆", (20.0, "辆")),
    (37, "户", (37.0, "户")),
    (12, "座", (12.0, "座")),
    (6, "条", (6.0, "条")),
    (188, "处", (188.0, "处")),
    (367.34, "万方", (3673400.0, "立方米")),
    (1030, "万标箱", (10300000.0, "标准箱")),
    (76.58, "万公里", (765800.0, "公里")),
])
def test_units_of_local_bulletins_scale_to_their_base(value, unit, expected):
    assert to_base(value, unit) == expected


def test_a_scale_word_and_a_unit_split():
    assert split_unit("万人次") == ("万", "人次")
    assert split_unit("万株") == ("万", "株")
    assert split_unit("万方") == ("", "万方")  # 方 alone is no unit


@pytest.mark.parametrize("text, unit", [
    ("得分91.26分,", "分"), ("长葛市(99.7分)", "分"), ("85分以上", "分"), ("90分和", "分"),
    ("30分钟", None), ("3分别", None), ("十分重要", None),
    ("44起,", "起"), ("14090宗,", "宗"), ("6.45‰,", "‰"), ("35μg/m3,", "μg/m3"),
    ("1.2万人次,", "万人次"), ("195.6万株", "万株"), ("0.5平方公里", "平方公里"),
])
def test_the_unit_pattern_reads_a_score_only_as_a_score(text, unit):
    """分 is a unit before punctuation or a bound word, not in 分钟/分别/十分."""
    m = re.search(r"[0-9.一二三四五六七八九十]+(" + unit_table().regex + ")", text)
    assert (m.group(1) if m else None) == unit
