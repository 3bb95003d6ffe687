"""PDF input (issue 15): real PDFs made with fpdf2 and the system's CJK font
(bench/pdf_maker.py), through the reader, the pipeline and the warehouse's
row builder. A real ingest of PDFs: tests/test_ingest_cli.py (the sample PDF,
and a scanned, an encrypted and a damaged one among the bad files)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from conftest import SHARED_CORPUS

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.pdf_maker import DEMO_REPORT, NoCjkFont, cjk_font, demo_blocks, encrypted_pdf, report_pdf, scanned_pdf  # noqa: E402
from transforms.document import Rejection, SourceText  # noqa: E402
from transforms.pdf import Line, reading_order, strip_page_chrome  # noqa: E402
from transforms.pdf_lines import join_pdf_lines, looks_pdf_extracted  # noqa: E402
from transforms.pipeline import process  # noqa: E402
from transforms.readers import read_source  # noqa: E402
from warehouse import records  # noqa: E402

HEADER = "某某县城市管理局文件"
PDF_LINES_TXT = SHARED_CORPUS / "local" / "raw" / "county_chengguan_2024_summary_pdf_lines.txt"


@pytest.fixture(scope="module")
def report() -> bytes:
    """The demo report as a county publishes it: 3 pages, a running header,
    `- N -` page numbers, paragraphs wrapped inside figures."""
    try:
        cjk_font()
    except NoCjkFont as exc:
        pytest.fail(f"{exc} (.ci/run installs fonts-noto-cjk)")
    return report_pdf(demo_blocks(), header=HEADER)


def test_the_test_pdf_is_what_the_issue_asks_for(report):
    """Several pages, each with the running header and its number; figures
    broken across line ends: the reader has work to do."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(report)
    raw = [page.get_textpage().get_text_range() for page in document]
    assert len(raw) >= 3
    for number, text in enumerate(raw, start=1):
        assert HEADER in text and f"- {number} -" in text
    joined = "".join(raw)
    assert any(f"{a}\r\n{b}" in joined for a in "0123456789" for b in "0123456789.%万个人次件")


def test_pdf_reads_as_the_same_text_given_as_txt(report):
    """The warehouse rows (as written to the lake) of the PDF equal those of
    its text given as .txt: the same document, sections and figures."""
    (pdf,) = read_source(report, "report.pdf")
    assert isinstance(pdf, SourceText) and (pdf.source_format, pdf.pages, pdf.encoding) == ("pdf", 3, None)
    assert HEADER not in pdf.text and "- 2 -" not in pdf.text
    from_pdf = process(pdf)
    (txt,) = read_source(DEMO_REPORT.encode("utf-8"), "report.txt")
    from_txt = process(txt)
    at = dt.datetime(2025, 1, 10)
    rows_pdf = records.document_tables([(from_pdf, "in/report.pdf")], "run", at)
    rows_txt = records.document_tables([(from_txt, "in/report.txt")], "run", at)
    for table in ("sections", "metrics", "terms"):
        assert rows_pdf[table].num_rows > 0 and rows_pdf[table].equals(rows_txt[table]), table
    (doc_pdf,), (doc_txt,) = rows_pdf["documents"].to_pylist(), rows_txt["documents"].to_pylist()
    differ = {k for k in doc_pdf if doc_pdf[k] != doc_txt[k]}
    assert differ == {"source_path", "source_format", "encoding", "pages"}
    assert (doc_pdf["source_format"], doc_pdf["pages"], doc_txt["pages"]) == ("pdf", 3, None)
    assert doc_pdf["title"] == "某某县城市管理局2024年工作总结及2025年工作计划"
    # the heading tree, and a figure the layout broke (提高1.|2个百分点)
    assert {s.marker for s in from_pdf.sections} >= {"一、", "（一）", "（六）", "1."}
    assert any(m.value == 1.2 and m.unit == "个百分点" for m in from_pdf.metrics)


def test_scanned_and_encrypted_pdfs_are_rejected_with_the_reason():
    """(In a real run too: tests/test_ingest_cli.py, test_bad_files_are_rejects_and_good_files_load.)"""
    (scanned,) = read_source(scanned_pdf(pages=2), "scanned.pdf")
    assert scanned.reason == "no_text_layer" and "2 of 2 page(s) are images only" in scanned.detail
    assert "OCR" in scanned.detail
    (locked,) = read_source(encrypted_pdf(), "locked.pdf")
    assert (locked.reason, locked.detail) == ("encrypted", "encrypted PDF: it opens only with a password")


@pytest.mark.parametrize("data, reason", [
    (b"%PDF-1.7\n1 0 obj <<>> endobj\n", "corrupt"),
    (b"<html>not a pdf</html>", "corrupt"),
])
def test_what_is_not_a_readable_pdf_is_corrupt(data, reason):
    (rejection,) = read_source(data, "x.pdf")
    assert isinstance(rejection, Rejection) and rejection.reason == reason


def test_a_pdf_past_the_page_limit_is_too_large(report):
    from transforms.limits import ReadLimits

    (rejection,) = read_source(report, "report.pdf", ReadLimits(max_pdf_pages=2))
    assert (rejection.reason, rejection.detail) == ("too_large", "PDF of 3 pages (limit 2: SPEECH_ETL_MAX_PDF_PAGES)")


def test_pdf_extracted_txt_lines_are_joined_into_paragraphs():
    lines = ["县城市管理局", "2024", "年工作总结", "2024", "年,XX县城市管理局累计安排人员近", "800",
             "余人次,按照", "“政府引导”", "的原则开展整治。", "一、工作开展情况", "(一)市容市貌管理方面",
             "聚焦重点领域,共拆除", "23", "处", "1833.76", "平方米违建。"]
    assert looks_pdf_extracted(lines)
    joined, removed = join_pdf_lines(lines)
    assert joined == ["县城市管理局2024年工作总结",
                      "2024年,XX县城市管理局累计安排人员近800余人次,按照“政府引导”的原则开展整治。",
                      "一、工作开展情况", "(一)市容市貌管理方面", "聚焦重点领域,共拆除23处1833.76平方米违建。"]
    # the offsets of the removed line breaks, in the text joined by newlines
    text = "\n".join(lines)
    assert all(text[at] == "\n" for at in removed) and len(removed) == len(lines) - len(joined)


def test_ordinary_text_is_not_taken_for_pdf_lines():
    lines = ["2014年政府工作报告", "一、2013年工作回顾", "国内生产总值达到56.9万亿元,比上年增长7.7%。",
             "城镇新增就业1310万人", "2014", "年主要预期目标是:"]
    assert not looks_pdf_extracted(lines)


def test_the_corpus_pdf_lines_text_reads_as_paragraphs():
    if not PDF_LINES_TXT.exists():
        pytest.skip(f"the shared corpus is not at {PDF_LINES_TXT}")
    from transforms.clean import normalized_lines, tidy_spaces

    lines = [tidy_spaces(line) for line in normalized_lines(PDF_LINES_TXT.read_text(encoding="utf-8"))]
    assert looks_pdf_extracted(lines)
    joined, _ = join_pdf_lines(lines)
    assert joined[:4] == ["县城市管理局2024年工作总结及2025年工作计划",
                          joined[1], "一、工作开展情况", "(一)市容市貌管理方面"]
    assert joined[1].startswith("2024年,XX县城市管理局在县委") and joined[1].endswith("报告如下。")
    body = "\n".join(joined)
    for figure in ("近800余人次", "10614处", "共拆除23处1833.76平方米违建"):
        assert figure in body
    assert len(joined) < len(lines) / 4


def _line(text: str, x0: float, top: float, em: float = 12.0) -> Line:
    return Line(text, x0, x0 + em * len(text), top - em * 1.4, top, em)


def test_reading_order_keeps_columns_and_turns_a_page_written_bottom_up():
    left = [_line(t, 50, 700 - 20 * i) for i, t in enumerate(["一、经济运行", "总值增长5.6%。", "二、民生"])]
    right = [_line(t, 300, 700 - 20 * i) for i, t in enumerate(["城镇新增就业", "2100人。", "三、下一步"])]
    assert reading_order(left + right) == left + right  # column by column, as the content has it
    assert reading_order(list(reversed(left))) == left


def test_page_numbers_and_running_headers_are_dropped_at_the_page_edges():
    pages = [[_line("某某县人民政府文件", 200, 820), _line(f"正文第{n}页的内容。", 50, 700),
              _line(f"第 {n} 页 共 3 页" if n < 3 else "— 3 —", 250, 40)] for n in (1, 2, 3)]
    pages[0].insert(1, _line("某某县人民政府文件汇编", 150, 760, 16))  # a title, not repeated: kept
    body = strip_page_chrome(pages, [842.0] * 3)
    assert [[line.text for line in page] for page in body] == [
        ["某某县人民政府文件汇编", "正文第1页的内容。"], ["正文第2页的内容。"], ["正文第3页的内容。"]]


PDF_LINES = "\n".join(["县城市管理局", "2024", "年工作总结", "2024", "年,XX县城市管理局累计安排人员近", "800",
                       "余人次,按照", "“政府引导”", "的原则开展整治。", "一、工作开展情况", "(一)市容市貌管理方面",
                       "聚焦重点领域,共拆除", "23", "处", "1833.76", "平方米违建。"])


def test_clean_joins_text_pasted_out_of_a_pdf():
    from transforms.clean import clean
    from transforms.document import Document

    doc = clean(Document(source=SourceText(text=PDF_LINES, source_format="txt")))
    assert doc.text.split("\n") == [
        "县城市管理局2024年工作总结",
        "2024年,XX县城市管理局累计安排人员近800余人次,按照“政府引导”的原则开展整治。",
        "一、工作开展情况", "(一)市容市貌管理方面", "聚焦重点领域,共拆除23处1833.76平方米违建。"]
    lines = "2014年政府工作报告\n一、工作回顾\n国内生产总值增长7.7%。\n城镇新增就业1310万人"
    assert clean(Document(source=SourceText(text=lines, source_format="txt"))).text == lines  # other text keeps its lines


def test_a_gap_in_pdf_lines_still_points_where_the_text_was_cut():
    from transforms.clean import clean
    from transforms.document import Document

    text = PDF_LINES.replace("的原则开展整治。", "的原则开展整治。…(此处省略1200字)…")
    doc = clean(Document(source=SourceText(text=text, source_format="txt")))
    (gap,) = doc.gaps
    assert gap.chars == 1200
    assert doc.text[:gap.at].endswith("的原则开展整治。") and doc.text[gap.at:].startswith("\n一、工作开展情况")


def test_the_corpus_pdf_lines_txt_and_its_page_are_one_document():
    if not PDF_LINES_TXT.exists():
        pytest.skip(f"the shared corpus is not at {PDF_LINES_TXT}")
    import json

    from transforms.clean import clean
    from transforms.document import Document

    (txt,) = read_source(PDF_LINES_TXT.read_bytes(), PDF_LINES_TXT.name)
    page = json.loads((SHARED_CORPUS / "local" / "pages.jsonl").read_text(encoding="utf-8").split("\n")[55])
    from_txt = clean(Document(source=txt)).text
    assert from_txt == clean(Document(source=SourceText(text=page["text"], source_format="jsonl"))).text
    assert from_txt.split("\n")[0] == "县城市管理局2024年工作总结及2025年工作计划"
    assert "累计安排人员近800余人次,按照“政府引导" in from_txt and "共拆除23处1833.76平方米违建" in from_txt
