"""`speech-etl report`: the page on the dev corpus opened in headless Chromium,
masked figures shown as masked, plain "no data" messages; the pure parts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import DEV_REPORTS, ROOT, SAMPLES, query, speech_etl
from report import build_report, charts, compare, lines
from report.browser import chromium_binary, open_pages, open_report, without_cjk_fonts
from report.build import page_model
from report.fonts import FAMILY, page_characters
from report.options import ReportOptions, parse_period
from speech_etl.cli import _expand_multi_options

ARTIFACTS = ROOT / "test-artifacts"
needs_corpus = pytest.mark.skipif(not DEV_REPORTS.exists(), reason=f"the shared dev corpus is not at {DEV_REPORTS}")
needs_chromium = pytest.mark.skipif(chromium_binary() is None,
                                    reason="no chromium on PATH (.ci/run installs Debian's chromium)")


@pytest.fixture(scope="session")
def speech_warehouse(tmp_path_factory) -> Path:
    """The sample speech alone (its figures are masked), ingested with --report."""
    warehouse = tmp_path_factory.mktemp("speech") / "w"
    result = speech_etl("ingest", str(SAMPLES / "speeches"), "--warehouse", str(warehouse),
                        "--report", str(warehouse.parent / "after-ingest.html"), "--verbose")  # task lines too
    assert "publish-figures" in result.stderr + result.stdout
    return warehouse


def chart_specs(html: str) -> list[dict]:
    return [json.loads(m.replace("<\\/", "</"))
            for m in re.findall(r'<script type="application/json" id="spec-\d+">(.*?)</script>', html, re.S)]


def spec_points(spec: dict) -> list[dict]:
    return [p for panel in spec["vconcat"] for p in panel["data"]["values"]]


# --- acceptance 1: the dev corpus report, drawn by Chromium ----------------------------------

@needs_corpus
@needs_chromium
def test_dev_corpus_report_draws_every_chart_without_console_errors(dev_warehouse, tmp_path):
    out = tmp_path / "report.html"
    result = speech_etl("report", "--warehouse", str(dev_warehouse), "--issuer", "国务院",
                        "--indicator", "gdp", "urban_new_jobs", "cpi", "--from", "1995", "--to", "2015",
                        "--out", str(out))
    assert "3 charts" in result.stdout
    html = out.read_text(encoding="utf-8")
    # self-contained: no element loads anything (the inline scripts aside)
    markup = re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
    assert not re.search(r"<(script|img|iframe)[^>]+src=", markup)
    assert not re.search(r"<link[^>]+href=", markup)
    assert "vegaEmbed" in html
    specs = chart_specs(html)
    assert [s["title"]["text"].split("(")[-1].rstrip(")") for s in specs] == ["gdp", "urban_new_jobs", "cpi"]
    for spec in specs:
        points = spec_points(spec)
        assert any(p["series"] == "actual" for p in points) and any(p["series"] == "target" for p in points)
        assert all(p["document"] and p["sentence"] for p in points)  # every point traceable
        assert all(p["x1"][:4] >= "1995" and p["x0"][:4] <= "2015" for p in points)  # periods overlap the range

    ARTIFACTS.mkdir(exist_ok=True)
    run = open_report(out, ARTIFACTS / "report-dev-corpus.png")
    assert run.console_errors == []
    assert run.fetched == []  # Chromium fetched nothing but the file
    assert len(run.charts) == 3
    for chart in run.charts:
        assert chart["rendered"] == "true", chart
        assert chart["symbols"] > 5 and chart["lines"] >= 1, chart  # points and the actuals line drew
    assert run.dom.count("<svg") >= 3
    assert "国内生产总值" in run.dom and "城镇新增就业" in run.dom
    assert run.screenshot.stat().st_size > 20_000
    # the target table puts misses first
    statuses = re.findall(r'<tr class="(miss|open|met)">', html)
    assert statuses and statuses == sorted(statuses, key=["miss", "open", "met"].index)
    assert 'id="no-comparison"' not in html and "Rose most" in html


# --- acceptance 2: masked figures stay masked ---------------------------------------------

def test_speech_report_shows_masked_figures_as_masked_not_zero(speech_warehouse, tmp_path):
    out = tmp_path / "speech.html"
    speech_etl("report", "--warehouse", str(speech_warehouse), "--out", str(out))
    html = out.read_text(encoding="utf-8")
    masked_rows = re.findall(r'<tr class="masked" data-masked="true">(.*?)</tr>', html, re.S)
    assert len(masked_rows) >= 6
    assert all("masked (城管" in row for row in masked_rows)
    assert 'data-masked="false"' not in html  # every figure of the speech is masked
    points = [p for spec in chart_specs(html) for p in spec_points(spec)]
    assert all(p["series"] == "masked" and p["y"] is None for p in points)
    # a single masked figure of a measure is no chart (no single-point panels): listed as masked
    single = re.findall(r'<ul class="single">(.*?)</ul>', html, re.S)
    assert len(points) + sum(s.count("<li>") for s in single) >= 6
    assert all("masked (城管" in item for s in single for item in s.split("<li>")[1:])
    assert "are masked in the source" in html
    # the report the ingest wrote after its load is the same kind of page
    assert "masked (城管" in (speech_warehouse.parent / "after-ingest.html").read_text(encoding="utf-8")
    if chromium_binary():
        run = open_report(out, ARTIFACTS / "report-sample-speech.png")
        assert run.console_errors == []
        assert all(c["rendered"] == "true" for c in run.charts)
        assert run.dom.count(">masked</text>") == len(points)  # the label on each masked rule drawn


# --- acceptance 3: no data is said plainly -------------------------------------------------

def test_unknown_issuer_and_indicator_without_data_say_so(speech_warehouse, tmp_path):
    out = tmp_path / "none.html"
    result = speech_etl("report", "--warehouse", str(speech_warehouse), "--issuer", "某省", "--indicator", "gdp",
                        "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert "No data: the warehouse has no documents from issuer 某省" in html
    assert "No data: no figures of 国内生产总值 (gdp)" in html
    assert 'class="chart"' not in html and "<svg" not in html and "vegaEmbed" not in html
    assert "note: No data" in result.stderr

    out2 = tmp_path / "pm25.html"
    speech_etl("report", "--warehouse", str(speech_warehouse), "--indicator", "pm25", "nonsense_key",
               "--out", str(out2))
    html2 = out2.read_text(encoding="utf-8")
    assert "No data: no figures of 细颗粒物(PM2.5)浓度 (pm25)" in html2
    assert "No data: nonsense_key is not an indicator of the catalog" in html2
    assert 'class="chart"' not in html2


def test_report_usage_errors_are_one_line(speech_warehouse, tmp_path):
    bad = speech_etl("report", "--warehouse", str(speech_warehouse), "--from", "2015", "--to", "1995",
                     "--out", str(tmp_path / "x.html"), check=False)
    assert bad.returncode == 2 and "--from 2015 is after --to 1995" in bad.stderr and "Traceback" not in bad.stderr
    missing = speech_etl("report", "--warehouse", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x.html"),
                         check=False)
    assert missing.returncode == 1 and "no warehouse at" in missing.stderr and "Traceback" not in missing.stderr
    compare_bad = speech_etl("report", "--warehouse", str(speech_warehouse), "--compare", "ffffffffff", "2020",
                             "--out", str(tmp_path / "x.html"), check=False)
    assert compare_bad.returncode == 2 and "no document has that doc_id" in compare_bad.stderr


# --- pure parts ------------------------------------------------------------------------------

def test_multi_value_options_are_expanded():
    assert _expand_multi_options(["report", "--indicator", "gdp", "cpi", "--out", "x.html"]) == [
        "report", "--indicator", "gdp", "--indicator", "cpi", "--out", "x.html"]
    assert _expand_multi_options(["sql", "select 1"]) == ["sql", "select 1"]


def test_periods_and_options():
    assert parse_period("2010") == (2010, 2010)
    assert parse_period("2006-2010") == (2006, 2010)
    assert parse_period("abc123") is None
    with pytest.raises(ValueError):
        ReportOptions(year_from=2015, year_to=1995)
    with pytest.raises(ValueError, match="needs --issuer"):
        ReportOptions(page="progress")
    with pytest.raises(ValueError, match="one indicator"):
        ReportOptions(page="regions", indicators=("gdp", "cpi"))
    assert ReportOptions(page="regions").title != ReportOptions().title
    assert ReportOptions(issuer="国务院", year_from=1995, year_to=2015).scope_text == "issuer 国务院, 1995–2015"


def test_figure_text_never_turns_masked_into_a_number():
    assert charts.figure_text({"masked": True, "mention": "城管万件", "value": None}) == "masked (城管万件)"
    assert charts.figure_text({"value": 1000.0, "unit": "万人", "bound": "ge"}) == "≥ 1,000 万人"
    assert charts.figure_text({"value": None, "value_low": 6.0, "value_high": 6.5, "unit": "%",
                               "bound": "range"}) == "6–6.5 %"


def test_chart_points_break_the_line_at_masked_actuals():
    fig = pd.DataFrame([
        {"measure": "level", "kind": "actual", "period_start": pd.Timestamp(f"{y}-01-01"),
         "period_end": pd.Timestamp(f"{y}-12-31"), "period_label": f"{y}年", "value": None if y == 2011 else 10.0 + y % 10,
         "value_low": None, "value_high": None, "bound": "eq", "unit": "万件", "value_base": None, "base_unit": None,
         "mention": "城管万件" if y == 2011 else "1万件", "sentence": "s", "doc_id": "d", "doc_title": "t",
         "doc_year": y + 1, "masked": y == 2011, "indicator_key": "cases_filed", "indicator": "立案"}
        for y in (2010, 2011, 2012)])
    spec = charts.indicator_spec("cases_filed", "立案", fig)
    points = spec_points(spec)
    assert [p["y"] for p in points if p["line"]] == [10.0, None, 12.0]
    assert [p["series"] for p in points] == ["actual", "masked", "actual"]


def test_a_page_without_a_font_to_embed_says_so(monkeypatch):
    from report.fonts import FONT_ENV, embed_font

    monkeypatch.setenv(FONT_ENV, "none")
    font = embed_font("国内生产总值")
    assert font.css == "" and "No Chinese font is embedded" in font.note and "fonts-noto-cjk" in font.note
    assert embed_font("GDP 7.5%").note is None  # nothing Chinese, nothing to say


def test_term_shift_and_new_sections():
    a = pd.DataFrame({"term": ["改革", "开放", "发展", "的"], "count": [10, 10, 80, 100]})
    b = pd.DataFrame({"term": ["改革", "开放", "发展", "创新"], "count": [30, 2, 60, 8]})
    shift = compare.term_shift(a, b, top=5, min_count=5)
    assert shift.tokens_a == 200 and shift.tokens_b == 100
    assert shift.rises["term"].tolist() == ["改革", "发展", "创新"]  # +2500, +2000, +800 per 10k
    assert shift.falls["term"].tolist() == ["开放"]
    assert "的" not in set(shift.rises["term"]) | set(shift.falls["term"])  # single characters left out
    heads_a = pd.DataFrame({"heading": ["2013年工作回顾", "深化改革"]})
    heads_b = pd.DataFrame({"heading": ["2014年工作回顾", "深化改革", "建设生态文明"]})
    assert compare.new_sections(heads_a, heads_b)["heading"].tolist() == ["建设生态文明"]


def _point(start: str, end: str, span: str, y: float | None = 1.0, group: str = "g") -> dict:
    import datetime as dt
    last = dt.date.fromisoformat(end)
    return {"x0": start, "x1": (last + dt.timedelta(days=1)).isoformat(), "span": span, "y": y,
            "group": group, "line": True}


def test_lines_join_only_a_period_and_the_one_right_after_it():
    years = [_point(f"{y}-01-01", f"{y}-12-31", "year") for y in (2005, 2006, 2007, 2010, 2011)]
    halves = [_point(f"{y}-01-01", f"{y}-06-30", "half") for y in (2019, 2020)]
    feb = [_point("2024-01-01", "2024-02-29", "months"), _point("2025-01-01", "2025-02-28", "months")]
    months = [_point("2024-06-01", "2024-06-30", "month"), _point("2024-07-01", "2024-07-31", "month"),
              _point("2024-09-01", "2024-09-30", "month")]
    other_issuer = [_point("2008-01-01", "2008-12-31", "year", group="h")]
    five_years = [_point("2006-01-01", "2010-12-31", "multi_year")]
    masked = [_point("2012-01-01", "2012-12-31", "year", y=None), _point("2013-01-01", "2013-12-31", "year")]
    points = years + halves + feb + months + other_issuer + five_years + masked
    lines.assign_segments(points)
    segment = [p["segment"] for p in points]
    assert len(set(segment[:3])) == 1 and segment[3] == segment[4] != segment[0]  # 2007 -> 2010 is a gap
    assert halves[0]["segment"] == halves[1]["segment"] and feb[0]["segment"] == feb[1]["segment"]
    assert months[0]["segment"] == months[1]["segment"] != months[2]["segment"]  # August missing
    assert other_issuer[0]["segment"] not in segment[:5]  # another issuer's series
    assert five_years[0]["segment"] is None and masked[0]["segment"] is None
    assert masked[1]["segment"] not in segment[:5]  # 2011 -> masked 2012 -> 2013: broken


# --- issue 12: the overview's charts, the progress and the regions pages ----------------------

def _segments(panel: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for p in panel["data"]["values"]:
        if p.get("segment") is not None:
            out.setdefault(p["segment"], []).append(p)
    return out


@needs_corpus
def test_overview_keeps_gaps_spans_and_units_apart(dev_warehouse):
    """No line crosses a year with no figure; figures about several years are
    never on the time axis; no single-point panel; targets sorted within a
    unit; the term comparison follows --from/--to."""
    opts = ReportOptions(issuer="国务院", indicators=("gdp", "urban_new_jobs", "cpi"), year_from=1995, year_to=2015)
    with duckdb.connect(str(dev_warehouse / "warehouse.duckdb"), read_only=True) as con:
        model = page_model(con, opts)
    specs = {i["key"]: json.loads(str(i["spec"])) for i in model["indicators"]}
    multi_year_seen = 0
    for key, spec in specs.items():
        stated = {(r[0], r[1]) for r in query(dev_warehouse, f"""
            SELECT measure, year FROM metric_series WHERE issuer = '国务院' AND indicator_key = '{key}'
              AND kind = 'actual' AND span = 'year'""")}
        for panel in spec["vconcat"]:
            points = panel["data"]["values"]
            if panel["usermeta"]["axis"] == "time":
                assert not [p for p in points if p["span"] == "multi_year"], (key, panel["title"])
                assert len({(p["x0"], p["x1"]) for p in points}) >= 2, (key, panel["title"])
            else:
                assert points and {p["span"] for p in points} == {"multi_year"}
                assert not any("temporal" == layer["encoding"].get("x", {}).get("type") for layer in panel["layer"])
                multi_year_seen += len(points)
            for run in _segments(panel).values():
                annual = sorted(int(p["x0"][:4]) for p in run if p["span"] == "year")
                if annual:  # consecutive years only, each one the warehouse states
                    assert annual == list(range(annual[0], annual[-1] + 1)), (key, run)
                    assert all((panel["usermeta"]["measure"], y) in stated for y in annual), (key, annual)
    assert multi_year_seen >= 5  # 十一五, 过去五年 ... are on panels of their own
    cpi_years = {frozenset(int(p["x0"][:4]) for p in run) for panel in specs["cpi"]["vconcat"]
                 for run in _segments(panel).values()}
    assert not any({2007, 2010} <= run for run in cpi_years)  # CPI 2007 -> 2010 is a gap, not a slope
    rows = [r for r in model["tva"] if r["status"] == "open"]
    units = [r["target"].split()[-1] for r in rows]
    assert units == sorted(units, key=units.index)  # each unit's rows together
    for unit in set(units):
        gaps = [abs(float(r["gap"])) for r in rows if r["target"].split()[-1] == unit and r["gap"]]
        assert gaps == sorted(gaps, reverse=True)
    assert model["compare"]["a"].startswith("1995") and model["compare"]["b"].startswith("2015")


@needs_corpus
@needs_chromium
def test_progress_and_regions_pages_draw_without_cjk_fonts(dev_warehouse, tmp_path):
    """Both pages in one headless Chromium that has no CJK font: the embedded
    subset draws the Chinese, every chart draws, nothing is fetched."""
    issuer, year, rows = query(dev_warehouse, """
        SELECT issuer, year, count(*) FROM progress_to_target WHERE issuer IS NOT NULL
        GROUP BY ALL ORDER BY 3 DESC, 1 LIMIT 1""")[0]
    shares = query(dev_warehouse, f"""SELECT count(*) FROM progress_to_target WHERE issuer = '{issuer}'
        AND year = {year} AND (share_of_target IS NOT NULL OR stated_share IS NOT NULL)""")[0][0]
    progress_html, regions_html = tmp_path / "progress.html", tmp_path / "regions.html"
    result = build_report(dev_warehouse, progress_html, ReportOptions(page="progress", issuer=issuer))
    assert result.charts >= 1 and not result.messages
    regions = build_report(dev_warehouse, regions_html, ReportOptions(page="regions", level="city"))
    assert regions.charts == 1 and not regions.messages
    html = progress_html.read_text(encoding="utf-8")
    table = re.search(r'<table id="progress-rows">(.*?)</table>', html, re.S).group(1)
    assert f"toward its targets for {year}" in html and table.count("<tr>") == rows + 1  # header + a row each
    share = json.loads(re.search(r'id="spec-share">(.*?)</script>', html, re.S).group(1).replace("<\\/", "</"))
    assert len(share["data"]["values"]) == shares
    assert all(0 < p["elapsed"] < 1 for p in share["data"]["values"])
    regions_spec = chart_specs_by_id(regions_html.read_text(encoding="utf-8"))["regions"]
    assert len({p["group"] for p in regions_spec["data"]["values"]}) >= 2  # regions side by side, one chart

    ARTIFACTS.mkdir(exist_ok=True)
    runs = open_pages([(progress_html, ARTIFACTS / "report-progress.png"),
                       (regions_html, ARTIFACTS / "report-regions.png")], env=without_cjk_fonts(tmp_path))
    for run in runs:
        assert run.console_errors == [] and run.fetched == []
        assert run.charts and all(c["rendered"] == "true" and c["marks"] > 20 for c in run.charts), run.charts
        assert (FAMILY, "loaded") in run.fonts  # the Chinese was drawn with the embedded subset
    for page in (progress_html, regions_html):
        assert_font_covers_page(page.read_text(encoding="utf-8"))


def chart_specs_by_id(html: str) -> dict[str, dict]:
    return {m[0]: json.loads(m[1].replace("<\\/", "</"))
            for m in re.findall(r'<script type="application/json" id="spec-([\w-]+)">(.*?)</script>', html, re.S)}


def assert_font_covers_page(html: str) -> None:
    """The embedded font has a glyph for every CJK character of the page."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    data = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", html).group(1)
    cmap = TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap()
    text = re.sub(r"<script>.*?</script>", "", html, flags=re.S)  # the Vega bundle is not drawn text
    missing = {c for c in page_characters(text) if ord(c) not in cmap}
    assert not missing, sorted(missing)[:20]
