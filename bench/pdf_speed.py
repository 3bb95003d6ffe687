"""PDF reading speed (pages/s), and pypdfium2 against pdfplumber/pdfminer.six
on speed and on the order of Chinese text (docs/libraries.md, docs/performance.md).

    .venv/bin/python bench/pdf_speed.py                 # the reader's pages/s, ~10 s
    .venv/bin/python bench/pdf_speed.py --compare       # and the libraries side by side (pip install pdfplumber)

Builds real PDFs with bench/pdf_maker.py (fpdf2, the system's CJK font): the
demo report set 3 pages a copy, `--copies` copies in one document (default 10:
30 pages of 三号 text, about 600 characters a page). Times, best of `--repeat`,
one process:

- `speech-etl`'s reader (`transforms.readers.read_source`: PDFium's characters
  and boxes, chrome dropped, paragraphs joined);
- with `--compare`: each library's plain text of every page (pypdfium2
  `get_text_range`, pdfplumber `extract_text`, pdfminer.six `extract_text`),
  and the order of Chinese text on four pages built to tell them apart.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.pdf_maker import Block, demo_blocks, report_pdf  # noqa: E402


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


# ---------------------------------------------------------------- libraries


def pdfium_text(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def plumber_text(data: bytes) -> list[str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def pdfminer_text(data: bytes) -> list[str]:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data)).split("\f")


def our_reader(data: bytes) -> list[str]:
    from transforms.readers import read_source

    (record,) = read_source(data, "bench.pdf")
    return [record.text]


LIBRARIES = {"pypdfium2 5 (get_text_range)": pdfium_text, "pdfplumber 0.11 (extract_text)": plumber_text,
             "pdfminer.six (extract_text)": pdfminer_text}


# ---------------------------------------------------------------- order cases


def _page(draw) -> bytes:
    """A one-page PDF drawn by `draw(pdf)` in the CJK font, 12 pt."""
    from bench.pdf_maker import _new_pdf, cjk_font

    pdf = _new_pdf(cjk_font())
    pdf.add_page()
    pdf.set_font("cjk", size=12)
    draw(pdf)
    return bytes(pdf.output())


LEFT = ["一、经济运行总体平稳", "全县地区生产总值完成", "123.4亿元,增长5.6%。"]
RIGHT = ["二、民生保障持续加强", "城镇新增就业2100人,", "完成年度目标的105%。"]


def case_two_columns(pdf) -> None:
    """Two columns, each written top to bottom, the left one first."""
    for x, column in ((20, LEFT), (110, RIGHT)):
        for i, line in enumerate(column):
            pdf.text(x, 30 + 8 * i, line)


def case_bottom_up(pdf) -> None:
    """One column whose lines are written last line first (some converters do)."""
    for i, line in reversed(list(enumerate(LEFT + RIGHT))):
        pdf.text(20, 30 + 8 * i, line)


def case_spaced(pdf) -> None:
    """Justified Chinese: 3 pt of extra space between characters."""
    pdf.set_char_spacing(3)
    for i, line in enumerate(LEFT + RIGHT):
        pdf.text(20, 30 + 8 * i, line)


def case_header_first(pdf) -> None:
    """The page number and header written before the body (as office software often does)."""
    pdf.text(100, 285, "- 1 -")
    pdf.text(90, 12, "某某县人民政府")
    for i, line in enumerate(LEFT + RIGHT):
        pdf.text(20, 30 + 8 * i, line)


# name: (page, the text in reading order, what speech-etl's reader keeps of it: no page number)
CASES = {
    "two columns": (case_two_columns, "".join(LEFT + RIGHT), "".join(LEFT + RIGHT)),
    "lines written bottom-up": (case_bottom_up, "".join(LEFT + RIGHT), "".join(LEFT + RIGHT)),
    "3 pt character spacing": (case_spaced, "".join(LEFT + RIGHT), "".join(LEFT + RIGHT)),
    "header and page number written first": (case_header_first, "某某县人民政府" + "".join(LEFT + RIGHT) + "-1-",
                                             "某某县人民政府" + "".join(LEFT + RIGHT)),
}


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def order_report(extract, ours: bool = False) -> list[tuple[str, str]]:
    out = []
    for name, (draw, in_order, kept) in CASES.items():
        expected = kept if ours else in_order
        pages = extract(_page(draw))
        got = "".join(pages)
        spaces = sum(1 for a, b in zip(got, got[1:]) if a == " " and "\u4e00" <= b <= "\u9fff")
        verdict = "in order" if _bare(got) == _bare(expected) else "OUT OF ORDER"
        out.append((name, f"{verdict}; {spaces} spaces inside Chinese text; " + repr(got.strip()[:48])))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, default=10, help="copies of the 3-page demo report in one PDF (default 10)")
    ap.add_argument("--repeat", type=int, default=5, help="timed passes, the best counts (default 5)")
    ap.add_argument("--compare", action="store_true", help="also time the libraries and check their text order")
    args = ap.parse_args(argv)

    blocks: list[Block] = []
    for _ in range(args.copies):
        blocks += demo_blocks()
    start = time.perf_counter()
    data = report_pdf(blocks, header="某某县城市管理局文件")
    import pypdfium2 as pdfium

    pages = len(pdfium.PdfDocument(data))
    print(f"test PDF: {pages} pages, {len(data):,} bytes, built in {time.perf_counter() - start:.1f} s")
    our_reader(data)  # warm: imports, data files
    seconds = best_of(args.repeat, lambda: our_reader(data))
    print(f"speech-etl PDF reader (transforms/pdf.py): {pages / seconds:,.0f} pages/s "
          f"({seconds * 1000 / pages:.2f} ms a page, best of {args.repeat})")
    if not args.compare:
        return 0
    for name, extract in LIBRARIES.items():
        try:
            extract(data)
        except ImportError as exc:
            print(f"{name}: not installed ({exc.name})")
            continue
        seconds = best_of(args.repeat, lambda: extract(data))
        print(f"{name}: {pages / seconds:,.0f} pages/s ({seconds * 1000 / pages:.2f} ms a page)")
        for case, verdict in order_report(extract):
            print(f"    {case}: {verdict}")
    print("speech-etl reader:")
    for case, verdict in order_report(our_reader, ours=True):
        print(f"    {case}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
