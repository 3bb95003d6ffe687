"""The cross-period views on the dev corpus (issue: progress figures, acceptance 3 and 4)."""

from __future__ import annotations

from conftest import query


def test_gdp_growth_targets_beside_actuals_2004_2014(dev_warehouse):
    rows = query(dev_warehouse, """
        SELECT year(period_start), target_value, target_bound, actual_value, actual_kind, target_doc_id, actual_doc_id
        FROM target_vs_actual
        WHERE issuer = '国务院' AND indicator_key = 'gdp' AND measure = 'growth'
          AND year(period_start) BETWEEN 2004 AND 2014
        ORDER BY 1""")
    years = {r[0]: r for r in rows}
    # every year whose reports state both; 2007's actual is stated only as part of 2003-2007 (docs/figures.md)
    assert sorted(years) == [2004, 2005, 2006, 2008, 2009, 2010, 2011, 2012, 2013, 2014]
    assert years[2004][1:5] == (7.0, "approx", 9.5, "actual")  # 经济增长预期目标为7%左右 (2004) / 增长9.5% (2005)
    assert years[2013][1:4] == (7.5, "approx", 7.7)
    assert years[2014][1:4] == (7.5, "approx", 7.4)
    doc_year = dict(query(dev_warehouse, "SELECT doc_id, year FROM documents"))
    for year, row in years.items():
        assert doc_year[row[5]] == year, "the target comes from the year's own report"
        assert doc_year[row[6]] > year, "the actual comes from a later report"


def test_full_width_2002_figures_read_like_any_other(dev_warehouse):
    rows = query(dev_warehouse, """
        SELECT m.value, m.unit, m.kind, m.period_start FROM metrics m JOIN documents d USING (doc_id)
        WHERE d.year = 2002 AND m.indicator_key = 'gdp' AND m.measure = 'growth' AND m.value = 7.3""")
    assert rows and rows[0][1:3] == ("%", "actual") and str(rows[0][3]) == "2001-01-01"


def test_urban_new_jobs_year_over_year_and_five_year_totals_apart(dev_warehouse):
    yearly = query(dev_warehouse, """
        SELECT year(period_start), value, previous_value, change FROM period_compare
        WHERE issuer = '国务院' AND indicator_key = 'urban_new_jobs' AND kind = 'actual' AND span_months = 12
          AND year(period_start) BETWEEN 2005 AND 2014 ORDER BY 1""")
    assert len(yearly) >= 7
    by_year = {y: (v, p, c) for y, v, p, c in yearly}
    assert by_year[2013] == (1310.0, 1266.0, 44.0)
    for value, previous, change in by_year.values():
        assert previous is None or change == value - previous
    # 城镇新增就业5771万人 is the 十一五 total, never one year
    total = query(dev_warehouse, """
        SELECT period_start, period_end, span_months FROM period_compare
        WHERE indicator_key = 'urban_new_jobs' AND value = 5771""")
    assert [(str(a), str(b), m) for a, b, m in total] == [("2006-01-01", "2010-12-31", 60)]
    assert 5771.0 not in {v for v, _, _ in by_year.values()}


def test_sample_speech_masked_figures(dev_warehouse):
    rows = query(dev_warehouse, """
        SELECT m.mention, m.value, m.value_low, m.value_base, m.unit, m.indicator_key
        FROM metrics m JOIN documents d USING (doc_id)
        WHERE d.doc_type = 'speech' AND d.source_path LIKE '%chengguan%'""")
    masked = [r for r in rows if "城管" in r[0]]
    assert len(masked) >= 10
    assert all(r[1] is None and r[2] is None and r[3] is None for r in masked)
    # no unmasked number was read from a placeholder
    assert all(r[0].startswith("城管") or "城管" not in r[0] for r in rows)
    keys = {r[5] for r in masked}
    assert {"case_closure_rate", "cases_filed", "cases_closed", "new_green_area"} <= keys


def test_met_rule_reads_a_decline_target_by_its_size(dev_warehouse):
    # 2014 report: 能源消耗强度要降低3.9%以上 (-3.9, ge); 2015 report: 下降4.8% -> met
    rows = query(dev_warehouse, """
        SELECT target_value, target_bound, actual_value, met FROM target_vs_actual
        WHERE issuer = '国务院' AND indicator_key = 'energy_intensity' AND year(period_start) = 2014""")
    assert rows == [(-3.9, "ge", -4.8, True)]
    # urban_new_jobs 2013: 900万人以上 (ge) against 1310 -> met; approx targets are not judged
    assert query(dev_warehouse, """
        SELECT met FROM target_vs_actual WHERE indicator_key = 'urban_new_jobs' AND year(period_start) = 2013""") == [(True,)]
    assert {m for (m,) in query(dev_warehouse, "SELECT met FROM target_vs_actual WHERE target_bound = 'approx'")} == {None}


def test_a_target_and_an_actual_with_no_common_unit_get_no_gap(dev_warehouse):
    # 1985: 进出口总额 target 855亿元 (1982 report) beside the actual 2300亿美元 (1986 report): no gap, no verdict;
    # 1997 grain: a target of 4.75亿吨 beside 49250万吨 compares through the base unit
    rows = query(dev_warehouse, """
        SELECT indicator_key, year, target_unit, actual_unit, gap, met FROM target_vs_actual
        WHERE issuer = '国务院' AND (indicator_key, year) IN (('trade_total', 1985), ('grain_output', 1997))
        ORDER BY year""")
    assert rows[0][:4] == ("trade_total", 1985, "亿元", "亿美元") and rows[0][4:] == (None, None)
    assert rows[1][:4] == ("grain_output", 1997, "亿吨", "万吨") and abs(rows[1][4] - 0.175) < 1e-9
    assert not query(dev_warehouse, """
        SELECT 1 FROM target_vs_actual t JOIN metrics a ON a.doc_id = t.actual_doc_id AND a.unit = t.actual_unit
        JOIN metrics g ON g.doc_id = t.target_doc_id AND g.unit = t.target_unit
        WHERE t.gap IS NOT NULL AND a.base_unit IS DISTINCT FROM g.base_unit AND t.target_unit <> t.actual_unit""")


def test_period_compare_tells_a_change_only_in_a_common_unit(dev_warehouse):
    # a level in 亿元 after one stated in % (a share read as the level): no common base unit, no change
    # (it was the difference of the base values: 58299999966)
    apart = query(dev_warehouse, """
        SELECT change, change_pct FROM period_compare
        WHERE unit = '亿元' AND previous_unit = '%'""")
    assert apart and set(apart) == {(None, None)}
    # 万亿元 after 亿元: the change in this figure's unit
    converted = query(dev_warehouse, """
        SELECT value, previous_value, change FROM period_compare
        WHERE unit = '万亿元' AND previous_unit = '亿元'""")
    assert converted
    assert all(abs(change - (value - previous / 1e4)) < 1e-6 for value, previous, change in converted)
    # weights share one base (units.yaml): grain in 万吨 after a year stated in 亿斤 (1 斤 = 0.5 公斤)
    grain = query(dev_warehouse, """
        SELECT value, previous_value, change FROM period_compare
        WHERE indicator_key = 'grain_output' AND unit = '万吨' AND previous_unit = '亿斤'
          AND value IS NOT NULL AND previous_value IS NOT NULL""")
    assert grain
    assert all(abs(change - (value - previous * 1e8 * 0.0005 / 1e4)) < 1e-6 for value, previous, change in grain)
    # a growth rate's change is in points, never in %
    assert not query(dev_warehouse, "SELECT 1 FROM period_compare WHERE measure = 'growth' AND change_pct IS NOT NULL")
