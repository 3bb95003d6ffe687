"""Readers: real files written to tmp_path, read back as bytes, exact results."""

from __future__ import annotations

import codecs
import io
import json
import random
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.clean import clean
from transforms.document import Document, Rejection, SourceText
from transforms.readers import SUPPORTED_SUFFIXES, read_source

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SPEECH = SAMPLES / "speeches" / "chengguan_progress_meeting_2020-08-15"

SHORT_SIMPLIFIED = "今天，我们在这里召开全市城管系统工作推进会，目的很明确。"
SHORT_TRADITIONAL = "今天，我們在這裡召開全市城管系統工作推進會，目的很明確。"
LONG_TRADITIONAL = "\n".join([
    "各位代表：",
    "現在，我代表國務院，向大會報告政府工作，請予審議，並請全國政協各位委員提出意見。",
    "一、過去一年工作回顧",
    "過去的一年，我國發展面臨的國內外環境錯綜複雜，經濟下行壓力持續加大。",
    "我們堅持穩中求進工作總基調，經濟運行保持在合理區間，就業持續增加，物價基本穩定。",
    "城市管理工作取得新進展，市容環境明顯改善，垃圾分類全面推開，違法建設得到有效遏制。",
    "全年國內生產總值增長百分之六點一，城鎮新增就業一千三百五十二萬人。",
] * 8)


def long_simplified() -> str:
    return (SPEECH.with_suffix(".txt")).read_text(encoding="utf-8")


def read_file(path: Path) -> list[SourceText | Rejection]:
    return read_source(path.read_bytes(), path.name)


def read_one(path: Path) -> SourceText:
    records = read_file(path)
    assert len(records) == 1, records
    assert isinstance(records[0], SourceText), records
    return records[0]


def reject_one(path: Path) -> Rejection:
    records = read_file(path)
    assert len(records) == 1, records
    assert isinstance(records[0], Rejection), records
    return records[0]


# --- encodings ---------------------------------------------------------------

ENCODERS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-sig": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "gb18030": lambda t: t.encode("gb18030"),
    "gbk": lambda t: t.encode("gbk"),
    "gb2312": lambda t: t.encode("gb2312"),
    "utf-16-le-bom": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "big5": lambda t: t.encode("big5"),
}
EXPECTED = {"gbk": "gb18030", "gb2312": "gb18030", "utf-16-le-bom": "utf-16", "utf-16-be-bom": "utf-16"}


@pytest.mark.parametrize("length", ["short", "long"])
@pytest.mark.parametrize("encoding", list(ENCODERS))
def test_encoding_round_trip(tmp_path: Path, encoding: str, length: str) -> None:
    if encoding == "big5":
        text = SHORT_TRADITIONAL if length == "short" else LONG_TRADITIONAL
    else:
        text = SHORT_SIMPLIFIED if length == "short" else long_simplified()
    if encoding in ("gbk", "gb2312"):
        text = text.replace("\u2002", " ")  # the en spaces are beyond GBK
    path = tmp_path / "speech.txt"
    path.write_bytes(ENCODERS[encoding](text))
    record = read_one(path)
    assert record.text == text
    assert record.encoding == EXPECTED.get(encoding, encoding)
    assert record.source_format == "txt"
    assert record.source_record is None and record.meta == {}


@pytest.mark.parametrize(
    "text",
    [
        "城管工作推进会议",  # 8 characters: charset-normalizer alone says cp949
        "长９４．３５％；国",  # full-width digits: charset-normalizer (isolated) says big5
        "长。２００１年国",
        "高到48.2%，",
        "\u200b有些带有政策性的问题",  # zero-width space: a 4-byte GB18030 sequence
        "䶮字与😀表情只在GB18030里占四个字节。",
    ],
)
def test_short_gb18030_texts_charset_normalizer_gets_wrong(tmp_path: Path, text: str) -> None:
    path = tmp_path / "short.txt"
    path.write_bytes(text.encode("gb18030"))
    record = read_one(path)
    assert (record.text, record.encoding) == (text, "gb18030")


def test_traditional_text_saved_as_gbk_is_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "trad.txt"
    path.write_bytes(SHORT_TRADITIONAL.encode("gbk"))
    record = read_one(path)
    assert (record.text, record.encoding) == (SHORT_TRADITIONAL, "gb18030")


def test_markdown_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes("# 标题\n\n正文一段。\n".encode("gb18030"))
    record = read_one(path)
    assert (record.text, record.encoding, record.source_format) == ("# 标题\n\n正文一段。\n", "gb18030", "md")


# --- html ----------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>网站标题_市政府门户网站</title>
<style>p {{ color: red; }}</style><script>var x = "脚本内容";</script></head>
<body>
<header><div class="logo">市政府门户网站</div></header>
<nav><a href="/">首页</a> <a href="/news">新闻中心</a></nav>
<ul class="main-menu"><li>政务公开</li><li>办事服务</li></ul>
<div id="breadcrumb">当前位置：首页 &gt; 讲话</div>
<div class="wrapper">
  <article>
    <h1>在全市城管工作会议上的讲话</h1>
    <div class="share-box">分享到：微信</div>
    <p>同志们：</p>
    <p>今天召开会议，
       主要任务是部署工作。<br>第二句在换行之后。</p>
    <table><tr><td>指标</td><td>完成率</td></tr><tr><td>垃圾分类</td><td>９５％</td></tr></table>
    <ul><li>一是加强领导</li><li>二是压实责任</li></ul>
    <div class="comments">网友评论：写得好</div>
    <iframe src="/ad">内嵌广告</iframe>
    <form><input name="q"> 搜索</form>
  </article>
  <aside><div>热点新闻</div></aside>
  <div class="sidebarRight">侧栏推荐</div>
  <div class="ad">广告位招租</div>
  <div id="related-articles">相关文章</div>
</div>
<footer><p>Copyright © 2024 市政府 版权所有</p></footer>
<div class="copyright">备案号</div>
</body></html>
"""
PAGE_TEXT = (
    "在全市城管工作会议上的讲话\n同志们：\n今天召开会议， 主要任务是部署工作。\n第二句在换行之后。\n"
    "指标 | 完成率 |\n垃圾分类 | ９５％ |\n一是加强领导\n二是压实责任"
)


def test_html_main_text_without_chrome(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE.format(charset="utf-8"), encoding="utf-8")
    record = read_one(path)
    assert record.text == PAGE_TEXT
    assert record.meta == {"title": "在全市城管工作会议上的讲话"}
    assert (record.source_format, record.encoding) == ("html", "utf-8")


BULLETIN = """<html><head><meta charset="utf-8"></head><body><div class="content">
<h1>数字城管7月份运行情况通报</h1><p>7月份,系统共受理案件14090宗。</p>
<table>
<thead><tr><th rowspan="2">单位</th><th colspan="3">7月完成情况</th><th rowspan="2">2024年6月完成数</th>
<th colspan="2">增/减</th></tr>
<tr><th>任务数</th><th>完成数</th><th>完成率</th><th>(件)</th><th>幅度</th></tr></thead>
<tbody><tr><td><p>蓬江区</p></td><td>2600</td><td>2675</td><td>102.88%</td><td>2696</td><td>-21</td><td>-0.78%</td></tr>
</tbody></table>
<table><tr><td><p>版面表格里的一段正文,用于布局。</p></td><td>右栏</td></tr><tr><td>甲</td><td>乙</td></tr></table>
</div></body></html>"""


def test_html_data_tables_are_rows_with_merged_cells_in_every_column_they_span(tmp_path: Path) -> None:
    path = tmp_path / "bulletin.html"
    path.write_text(BULLETIN, encoding="utf-8")
    lines = read_one(path).text.split("\n")
    assert lines[2:5] == [
        "单位 | 7月完成情况 | 7月完成情况 | 7月完成情况 | 2024年6月完成数 | 增/减 | 增/减 |",
        "单位 | 任务数 | 完成数 | 完成率 | 2024年6月完成数 | (件) | 幅度 |",
        "蓬江区 | 2600 | 2675 | 102.88% | 2696 | -21 | -0.78% |",
    ]
    # a table laid out around prose is read a line per cell, as before
    assert lines[5:] == ["版面表格里的一段正文,用于布局。", "右栏", "甲", "乙"]


def test_html_declared_gb2312_charset(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_bytes(PAGE.format(charset="gb2312").replace("©", "(c)").encode("gb18030"))
    record = read_one(path)
    assert (record.text, record.encoding, record.source_format) == (PAGE_TEXT, "gb18030", "html")


def test_html_without_container_or_h1_uses_body_and_title(tmp_path: Path) -> None:
    page = (
        "<html><head><title>关于做好城市管理工作的通知</title></head><body>"
        '<div id="header">网站头部</div><div class="nav-bar">导航</div>'
        "<div><p>各区县城管局：</p><p>现将有关事项通知如下。</p></div>"
        '<div id="footer">页脚</div></body></html>'
    )
    path = tmp_path / "notice.html"
    path.write_text(page, encoding="utf-8")
    record = read_one(path)
    assert record.text == "各区县城管局：\n现将有关事项通知如下。"
    assert record.meta == {"title": "关于做好城市管理工作的通知"}


def test_html_with_only_chrome_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "menu.html"
    path.write_text("<html><body><nav>首页 新闻</nav><footer>版权所有</footer></body></html>", encoding="utf-8")
    assert reject_one(path).reason == "empty"


# --- docx ----------------------------------------------------------------------


def make_docx(path: Path) -> None:
    document = docx.Document()
    document.add_heading("在全市城管系统工作推进会上的讲话", level=1)
    document.add_paragraph("同志们：")
    document.add_paragraph("")  # empty paragraphs are skipped
    document.add_paragraph("一、充分肯定上半年工作成绩")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["项目", "目标", "完成"], ["拆墙透绿", "100处", "86处"], ["垃圾分类", "", "覆盖率95%"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(0, 1).merge(table.cell(0, 2))  # one merged header cell, written once
    table.cell(0, 1).text = "目标与完成"
    document.add_paragraph("二、认清形势")
    document.save(str(path))


def test_docx_paragraphs_and_table_rows_in_order(tmp_path: Path) -> None:
    path = tmp_path / "speech.docx"
    make_docx(path)
    record = read_one(path)
    assert record.text.split("\n") == [
        "在全市城管系统工作推进会上的讲话",
        "同志们：",
        "一、充分肯定上半年工作成绩",
        # a table of figures: a line per row, the merged header cell in both columns it spans
        "项目 | 目标与完成 | 目标与完成 |",
        "拆墙透绿 | 100处 | 86处 |",
        "垃圾分类 |  | 覆盖率95% |",
        "二、认清形势",
    ]
    assert (record.source_format, record.encoding, record.meta) == ("docx", None, {})


def test_docx_without_text_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    assert reject_one(path).reason == "empty"


# --- jsonl ---------------------------------------------------------------------


def test_jsonl_good_lines_load_and_bad_lines_are_rejected(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "2015年政府工作报告", "year": "2015", "url": "https://x/1", "content": "各位代表：\n现在……"}, ensure_ascii=False),
        "{not json",
        "",
        json.dumps({"title": "决议", "year": None, "text": "会议批准报告。", "extra": 1}, ensure_ascii=False),
        "[1, 2]",
        json.dumps({"title": "无正文"}, ensure_ascii=False),
        json.dumps({"content": "   "}),
        json.dumps({"content": "地方报告", "year": 2020, "date": "2020-01-14", "issuer": "北京市人民政府", "region": "北京市"}, ensure_ascii=False),
        "   ",
    ]
    path = tmp_path / "reports.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = read_file(path)
    summary = [
        (r.source_record, "ok", r.text, r.meta) if isinstance(r, SourceText) else (r.source_record, r.reason, r.detail)
        for r in records
    ]
    assert summary == [
        (1, "ok", "各位代表：\n现在……", {"title": "2015年政府工作报告", "year": 2015, "url": "https://x/1"}),
        (2, "malformed_record", "line 2: invalid JSON (Expecting property name enclosed in double quotes at column 2)"),
        (4, "ok", "会议批准报告。", {"title": "决议", "year": None}),
        (5, "malformed_record", "line 5: a JSON list, not an object"),
        (6, "malformed_record", "line 6: no 'content' or 'text' field"),
        (7, "malformed_record", "line 7: 'content' is empty"),
        (8, "ok", "地方报告", {"year": 2020, "date": "2020-01-14", "issuer": "北京市人民政府", "region": "北京市"}),
    ]
    assert {(r.source_format, r.encoding) for r in records if isinstance(r, SourceText)} == {("jsonl", "utf-8")}


def test_sample_reports_jsonl() -> None:
    records = read_file(SAMPLES / "work_reports" / "reports_sample.jsonl")
    assert [(r.source_record, r.meta["year"]) for r in records] == [
        (1, 2015), (2, None), (3, 2014), (4, 2013), (5, 2005), (6, 2004), (7, 1985)
    ]
    assert records[1].meta["title"] == "第十二届全国人民代表大会第三次会议关于政府工作报告的决议"
    assert all(isinstance(r, SourceText) and len(r.text) > 500 for r in records)


# --- bad files -----------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"


def gibberish_valid_gb18030(size: int = 16) -> bytes:
    """Random high bytes that happen to decode as GB18030 (and not as UTF-8)."""
    rng = random.Random(3)
    while True:
        data = bytes(rng.randrange(0x80, 0x100) for _ in range(size))
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            continue
        return data


@pytest.mark.parametrize(
    ("name", "data", "reason", "detail"),
    [
        ("empty.txt", b"", "empty", "empty file"),
        ("blank.txt", b" \r\n\t\n", "empty", "only whitespace"),
        ("bom_blank.txt", codecs.BOM_UTF8 + b"  \n", "empty", "no text (only whitespace)"),
        ("empty.docx", b"", "empty", "empty file"),
        ("empty.jsonl", b"\n\n", "empty", "only whitespace"),
        ("image.txt", PNG, "binary", "binary data: PNG image signature"),
        ("image.html", PNG, "binary", "binary data: PNG image signature"),
        ("nuls.txt", b"abc\x00\x01\x02\x00" * 20, "binary", "binary data: NUL bytes (and not UTF-16 or UTF-32 text)"),
        ("controls.md", bytes(range(1, 9)) * 10 + b"text", "binary", "binary data: 80 control bytes in the first 84"),
        ("high.txt", bytes([0x80, 0xFF]) * 200, "undecodable", "bytes are not valid UTF-8, GB18030 or Big5"),
        ("report.jsonl", "城管".encode("utf-8") + b"\xff\xfe\x80", "undecodable", "bytes are not valid UTF-8, GB18030 or Big5"),
        ("notes.pdf", b"%PDF-1.4", "corrupt", "damaged PDF: Failed to load document (PDFium: Data format error)."),
        ("notes.tif", b"II*\x00", "unsupported_format", "unsupported file type '.tif'"),
    ],
)
def test_bad_files_are_rejected(tmp_path: Path, name: str, data: bytes, reason: str, detail: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    rejection = reject_one(path)
    assert (rejection.reason, rejection.detail, rejection.source_record) == (reason, detail, None)


def test_random_high_bytes_are_undecodable(tmp_path: Path) -> None:
    rng = random.Random(5)
    path = tmp_path / "random.txt"
    path.write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(3000)))
    assert reject_one(path).reason == "undecodable"


def test_gibberish_that_decodes_as_gb18030_is_undecodable(tmp_path: Path) -> None:
    # Unrestricted, charset-normalizer calls such bytes utf_16_le or cp037.
    path = tmp_path / "gibberish.txt"
    path.write_bytes(gibberish_valid_gb18030())
    rejection = reject_one(path)
    assert rejection.reason == "undecodable"
    assert rejection.detail.startswith("no confident encoding (best: ")


def test_corrupt_docx(tmp_path: Path) -> None:
    good = tmp_path / "good.docx"
    make_docx(good)
    data = good.read_bytes()

    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(data[: len(data) // 2])
    rejection = reject_one(truncated)
    assert (rejection.reason, rejection.detail) == ("corrupt", "damaged .docx (zip) file: File is not a zip file")

    text = tmp_path / "text.docx"
    text.write_bytes("这不是Word文档".encode("utf-8"))
    rejection = reject_one(text)
    assert (rejection.reason, rejection.detail) == ("corrupt", "not a .docx (zip) file: bad magic number")

    png = tmp_path / "image.docx"
    png.write_bytes(PNG)
    rejection = reject_one(png)
    assert (rejection.reason, rejection.detail) == ("corrupt", "not a .docx (zip) file: a PNG image")

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    other_zip = tmp_path / "archive.docx"
    other_zip.write_bytes(buffer.getvalue())
    rejection = reject_one(other_zip)
    assert (rejection.reason, rejection.detail) == ("corrupt", "zip archive without word/document.xml (not a Word document)")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600), suffix=st.sampled_from(sorted(SUPPORTED_SUFFIXES)))
def test_read_source_never_raises(data: bytes, suffix: str) -> None:
    records = read_source(data, "file" + suffix)
    assert records or suffix == ".jsonl"
    assert all(isinstance(r, SourceText | Rejection) for r in records)


# --- the sample speech in four formats --------------------------------------


def test_sample_speech_same_text_in_every_format() -> None:
    paths = [
        SPEECH.with_suffix(".txt"),
        SPEECH.with_name(SPEECH.name + "_gb18030.txt"),
        SPEECH.with_suffix(".docx"),
        SPEECH.with_suffix(".html"),
    ]
    sources = [read_one(p) for p in paths]
    assert [(s.source_format, s.encoding) for s in sources] == [
        ("txt", "utf-8"), ("txt", "gb18030"), ("docx", None), ("html", "utf-8")
    ]
    docs = [clean(Document(source=s)) for s in sources]
    texts = {d.text for d in docs}
    assert len(texts) == 1
    text = docs[0].text
    assert text.startswith("在全市城管系统工作推进会上的讲话\n【提纲】一、充分肯定上半年工作成绩。")
    assert len({d.doc_id for d in docs}) == 1
    for chrome in ("分享到", "培训班", "Copyright", "当前位置", "登录", "热门文章", "工作计划", "备案号", "统计代码"):
        assert chrome not in text
        assert chrome not in sources[3].text
    assert sources[3].meta == {"title": "在全市城管系统工作推进会上的讲话"}


def test_html_body_with_a_chrome_class_is_kept(tmp_path: Path) -> None:
    page = (
        '<html><body class="page-with-sidebar"><div class="sidebar"><div class="ad">广告</div></div>'
        '<p>正文第一段。</p><div hidden><p>隐藏</p><div hidden>更深的隐藏</div></div></body></html>'
    )
    path = tmp_path / "body.html"
    path.write_text(page, encoding="utf-8")
    assert read_one(path).text == "正文第一段。"


def test_html_nested_thousands_deep(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div><span>" * 5000 + "深处的正文。" + "</span></div>" * 5000 + "</body></html>", encoding="utf-8")
    assert read_one(path).text == "深处的正文。"


def test_jsonl_damaged_utf8_line_is_rejected_alone(tmp_path: Path) -> None:
    good = [json.dumps({"text": f"第{i}篇讲话。", "year": y}, ensure_ascii=False).encode("utf-8") for i, y in enumerate(["２０１９", "²", 2021.0], 1)]
    path = tmp_path / "damaged.jsonl"
    path.write_bytes(b"\n".join([good[0], b'{"text": "\xff\xfe broken"}', good[1], good[2]]) + b"\n")
    summary = [(r.source_record, r.meta["year"]) if isinstance(r, SourceText) else (r.source_record, r.detail) for r in read_file(path)]
    assert summary == [(1, 2019), (2, "line 2: not valid UTF-8"), (3, None), (4, 2021)]


def test_jsonl_null_content_falls_back_to_text(tmp_path: Path) -> None:
    path = tmp_path / "null.jsonl"
    path.write_text('{"content": null, "text": "正文"}\n{"content": null}\n', encoding="utf-8")
    summary = [(r.source_record, r.text) if isinstance(r, SourceText) else (r.source_record, r.detail) for r in read_file(path)]
    assert summary == [(1, "正文"), (2, "line 2: no 'content' or 'text' field")]


# --- issue 13: bounded and per-line ------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_wide_unicode_without_a_byte_order_mark_is_read(encoding: str) -> None:
    text = "一、总体情况\n2023年全市城镇新增就业1.2万人。"
    [record] = read_source(text.encode(encoding), "speech.txt")
    assert (record.text, record.encoding) == (text, encoding)


def test_jsonl_wrong_field_types_surrogates_and_nul_bytes_reject_their_line_only() -> None:
    lines = [b'{"content": "\xe6\xad\xa3\xe6\x96\x87\xe4\xb8\x80", "title": 2016}',
             b'{"content": "\\udc00"}',
             b'{"content": "\xe6\xad\xa3\xe6\x96\x87\x00"}',
             b'{"content": "\xe6\xad\xa3\xe6\x96\x87\xe4\xba\x8c", "date": 2016, "issuer": "\xe5\x9b\xbd\xe5\x8a\xa1\xe9\x99\xa2"}']
    records = read_source(b"\n".join(lines), "dump.jsonl")
    assert [r.detail if isinstance(r, Rejection) else r.text for r in records] == [
        "line 1: 'title' is a number, not a string",
        "line 2: 'content' holds a lone surrogate escape (\\udc00), which is no character",
        "line 3: a NUL byte at byte 20",
        "正文二",
    ]


def test_read_limits_reject_too_large_inputs() -> None:
    from hostile_corpus import _deep_html, _docx_with_part, _zip_bomb_docx

    from transforms.limits import ReadLimits

    small = ReadLimits(max_document_chars=1000, max_docx_part_bytes=1 << 20, max_docx_bytes=2 << 20,
                       max_html_depth=100)
    cases = {"long.txt": "长" * 1001, "long.jsonl": '{"content": "%s"}' % ("长" * 1001),
             "deep.html": _deep_html(300), "xml.docx": _docx_with_part(2 << 20), "bomb.docx": _zip_bomb_docx(4 << 20)}
    details = {}
    for name, data in cases.items():
        [record] = read_source(data if isinstance(data, bytes) else data.encode(), name, small)
        assert isinstance(record, Rejection) and record.reason == "too_large", (name, record)
        details[name] = record.detail
    assert "SPEECH_ETL_MAX_DOCUMENT_CHARS" in details["long.txt"] and details["long.jsonl"].startswith("line 1:")
    assert "SPEECH_ETL_MAX_HTML_DEPTH" in details["deep.html"]
    assert "word/document.xml" in details["xml.docx"] and "SPEECH_ETL_MAX_DOCX_BYTES" in details["bomb.docx"]
