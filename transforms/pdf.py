"""The PDF reader: a PDF's bytes -> its text as a reader sees it, in paragraphs.

pypdfium2 (PDFium, the engine of Chrome's viewer) gives each character with
its box, in the order of the page's content and with PDFium's own line
breaks (docs/libraries.md: why PDFium, not pdfminer). From the lines'
geometry this module then

1. puts the lines of a page whose content runs up the page top to bottom;
2. drops page chrome: at the top and bottom edges of a page, a page number
   or a line that comes back on many pages (running headers and footers);
3. joins lines back into paragraphs: a line that reaches the text's right
   edge was broken by the layout, unless the next line is indented, set
   apart by space or by a different font size, or is a heading after a
   finished sentence.

The thresholds and page-number forms are in `data/pdf_layout.yaml`.
Refusals (`PdfRejected`) carry the reason the `rejects` table shows:
`encrypted`, `corrupt`, `no_text_layer`, `too_large`.
Pure: bytes in, text out; PDFium is not thread-safe, so one document is read
at a time per process.
"""

from __future__ import annotations

import re
import statistics
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache

from transforms.knowledge import load_yaml
from transforms.pdf_lines import glue, starts_with_marker

_LOCK = threading.Lock()
_PDFIUM_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
_PDFIUM_SECURITY_ERROR = 5  # FPDF_ERR_SECURITY: an unsupported security handler
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DIGITS = re.compile(r"\d+")
# Characters a font without a Unicode map gives: replacement, private use.
_UNMAPPED = re.compile(r"[\ufffd\ue000-\uf8ff\x00-\x08]")


class PdfRejected(Exception):
    """A PDF the reader refuses: `reason` is the rejects row's reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class PdfText:
    text: str
    pages: int


@dataclass
class Line:
    """One line of a page as PDFium breaks it, with its box in points (y up)."""

    text: str
    x0: float
    x1: float
    bottom: float
    top: float
    em: float  # the width of a Chinese character of its font


@dataclass(frozen=True)
class _Rules:
    edge_band: float
    edge_lines: int
    repeat_share: float
    page_number: re.Pattern
    full_line_slack: float
    indent: float
    gap_factor: float
    size_change: float
    sentence_ends: str


@cache
def _rules() -> _Rules:
    spec = load_yaml("pdf_layout.yaml")
    chrome, paragraphs = spec["chrome"], spec["paragraphs"]
    return _Rules(
        edge_band=float(chrome["edge_band"]),
        edge_lines=int(chrome["edge_lines"]),
        repeat_share=float(chrome["repeat_share"]),
        page_number=re.compile("|".join(f"(?:{p})" for p in chrome["page_numbers"])),
        full_line_slack=float(paragraphs["full_line_slack"]),
        indent=float(paragraphs["indent"]),
        gap_factor=float(paragraphs["gap_factor"]),
        size_change=float(paragraphs["size_change"]),
        sentence_ends=paragraphs["sentence_ends"],
    )


# ---------------------------------------------------------------- PDFium


def _open(data: bytes):
    import pypdfium2 as pdfium

    if b"%PDF-" not in data[:1024]:
        raise PdfRejected("corrupt", "not a PDF: no %PDF- header")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == _PDFIUM_PASSWORD_ERROR:
            raise PdfRejected("encrypted", "encrypted PDF: it opens only with a password") from None
        if code == _PDFIUM_SECURITY_ERROR:
            raise PdfRejected("encrypted", "encrypted PDF with an unsupported security handler") from None
        raise PdfRejected("corrupt", f"damaged PDF: {exc}") from None
    return document


_LINE = re.compile(r"[^\r\n]+")
_INK = re.compile(r"\S")


def _page_lines(page) -> list[Line]:
    """The page's lines in PDFium's order (its `\r\n` breaks), each with its
    box from the loose boxes (a character's advance and its font's full
    height) of its first and last characters, and its em from a Chinese
    character's advance: three boxes a line, not one a character."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        handle = textpage.raw
        count = raw.FPDFText_CountChars(handle)
        text = textpage.get_text_range(0, count)
        if len(text) != count:  # characters beyond the BMP: PDFium counts UTF-16 units
            text = "".join(chr(c) if 0 < (c := raw.FPDFText_GetUnicode(handle, i)) < 0x110000 else "\ufffd"
                           for i in range(count))
        box = raw.FS_RECTF()
        lines: list[Line] = []
        for run in _LINE.finditer(text):
            start, end = run.span()
            line = run.group().strip()
            if not line:
                continue
            first = _INK.search(text, start, end).start()
            last = first + len(line) - 1
            cjk = _CJK.search(text, first, end)
            boxes = []
            for i in {first, last, *([cjk.start()] if cjk else [])}:
                if raw.FPDFText_GetLooseCharBox(handle, i, box):
                    boxes.append((i, box.left, box.right, box.bottom, box.top))
            if not boxes:
                continue
            x0, x1 = min(b[1] for b in boxes), max(b[2] for b in boxes)
            bottom, top = min(b[3] for b in boxes), max(b[4] for b in boxes)
            em = next((b[2] - b[1] for b in boxes if cjk and b[0] == cjk.start()), (top - bottom) / 1.4)
            if x1 > x0:
                lines.append(Line(line, x0, x1, bottom, top, em))
        return lines
    finally:
        textpage.close()


def reading_order(lines: list[Line]) -> list[Line]:
    """PDFium's order (the content's: columns stay whole), unless the content
    runs up the page: when most steps from one line to the next go up within
    the same column (some converters write the last line first), top to
    bottom and left to right."""
    up = sum(1 for a, b in zip(lines, lines[1:])
             if b.bottom > a.top - a.em / 2 and b.x0 < a.x1 and a.x0 < b.x1)
    if len(lines) < 3 or up * 2 <= len(lines) - 1:
        return lines
    return sorted(lines, key=lambda line: (-round(line.top / (line.em / 2)), line.x0))


def _has_images(page) -> bool:
    import pypdfium2.raw as raw

    return any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def read_pages(data: bytes, max_pages: int, max_chars: int) -> tuple[list[list[Line]], list[float]]:
    """Each page's lines and each page's height; PdfRejected for what cannot
    be read or is past the limits (transforms/limits.py)."""
    import pypdfium2 as pdfium

    with _LOCK:
        document = _open(data)
        try:
            pages = len(document)
            if pages > max_pages:
                raise PdfRejected("too_large", f"PDF of {pages:,} pages (limit {max_pages:,}: SPEECH_ETL_MAX_PDF_PAGES)")
            if pages == 0:
                raise PdfRejected("corrupt", "PDF without pages")
            out, heights, chars, images = [], [], 0, 0
            for index in range(pages):
                try:
                    page = document[index]
                except pdfium.PdfiumError as exc:
                    raise PdfRejected("corrupt", f"damaged PDF: page {index + 1} of {pages}: {exc}") from None
                try:
                    lines = reading_order(_page_lines(page))
                    if not lines and _has_images(page):
                        images += 1
                    heights.append(page.get_height())
                finally:
                    page.close()
                chars += sum(len(line.text) for line in lines)
                if chars > max_chars:
                    raise PdfRejected("too_large", f"more than {max_chars:,} characters of text by page "
                                                   f"{index + 1} of {pages} (SPEECH_ETL_MAX_DOCUMENT_CHARS)")
                out.append(lines)
        finally:
            document.close()
    _require_text_layer(out, chars, images)
    return out, heights


def _require_text_layer(pages: list[list[Line]], chars: int, images: int) -> None:
    """PdfRejected when the PDF has no text to read: pages of images (a scan)
    or glyphs without character codes."""
    if chars == 0:
        if images:
            raise PdfRejected("no_text_layer", f"no text layer: {images} of {len(pages)} page(s) are images only "
                                               "(a scanned PDF); its text needs OCR, which speech-etl does not do")
        raise PdfRejected("empty", f"no text on any of its {len(pages)} page(s)")
    unmapped = sum(len(_UNMAPPED.findall(line.text)) for lines in pages for line in lines)
    if unmapped > 0.5 * chars:
        raise PdfRejected("no_text_layer", "the text layer has no character codes (fonts without a Unicode map): "
                                           "its text needs OCR, which speech-etl does not do")


# ---------------------------------------------------------------- chrome


def _is_page_number(text: str, rules: _Rules) -> bool:
    return bool(rules.page_number.fullmatch(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))))


def _edges(lines: list[Line], height: float, rules: _Rules) -> dict[int, str]:
    """Index -> 'top' or 'bottom' of the lines that may be chrome."""
    band = rules.edge_band * height
    by_height = sorted(range(len(lines)), key=lambda i: -lines[i].top)
    edges: dict[int, str] = {}
    for i in by_height[: rules.edge_lines]:
        if lines[i].top >= height - band:
            edges[i] = "top"
    for i in by_height[::-1][: rules.edge_lines]:
        if lines[i].bottom <= band and i not in edges:
            edges[i] = "bottom"
    return edges


def _chrome_key(text: str, edge: str) -> tuple[str, str]:
    return edge, _DIGITS.sub("#", re.sub(r"\s+", "", text))


def strip_page_chrome(pages: list[list[Line]], heights: list[float]) -> list[list[Line]]:
    """The pages without page numbers and running headers and footers."""
    rules = _rules()
    edges = [_edges(lines, height, rules) for lines, height in zip(pages, heights)]
    seen = Counter(key for page, page_edges in zip(pages, edges)
                   for key in {_chrome_key(page[i].text, e) for i, e in page_edges.items()})
    repeated = max(2, rules.repeat_share * len(pages))
    out = []
    for lines, page_edges in zip(pages, edges):
        drop = {i for i, edge in page_edges.items()
                if _is_page_number(lines[i].text, rules) or seen[_chrome_key(lines[i].text, edge)] >= repeated}
        out.append([line for i, line in enumerate(lines) if i not in drop])
    return out


# ---------------------------------------------------------------- paragraphs


@dataclass(frozen=True)
class _Block:
    """The text block of a document's pages: its left and right edges, its
    body font (em) and line pitch."""

    left: float
    right: float
    em: float
    pitch: float | None


def _block(body: list[Line]) -> _Block:
    # The left edge: the leftmost position many lines start at (a document of
    # short paragraphs has about as many indented first lines as flush ones).
    starts = Counter(round(line.x0) for line in body)
    many = max(2, 0.1 * len(body))
    left = min((x for x, n in starts.items() if n >= many), default=min(starts))
    pitches = [a.bottom - b.bottom for a, b in zip(body, body[1:]) if 0 < a.bottom - b.bottom < 4 * a.em]
    return _Block(left=left, right=max(line.x1 for line in body),
                  em=Counter(round(line.em, 1) for line in body).most_common(1)[0][0],
                  pitch=statistics.median(pitches) if pitches else None)


def _starts_paragraph(prev: Line, line: Line, same_page: bool, block: _Block, rules: _Rules) -> bool:
    """Whether `line` begins a paragraph rather than going on from `prev`."""
    if abs(line.em - prev.em) > rules.size_change * prev.em:
        return True
    heading = starts_with_marker(unicodedata.normalize("NFKC", line.text[:12]))
    # more space above it than the usual pitch (scaled to its font)
    spaced = (same_page and block.pitch is not None
              and prev.bottom - line.bottom > rules.gap_factor * block.pitch * prev.em / block.em)
    if prev.em > (1 + rules.size_change) * block.em:
        return heading or spaced  # a title or heading set larger, over two lines
    if line.x0 > block.left + rules.indent * line.em:
        return True
    if prev.x1 < block.right - rules.full_line_slack * prev.em:
        return True
    if spaced:
        return True
    last = unicodedata.normalize("NFKC", prev.text[-1])
    return last[-1] in rules.sentence_ends and heading


def paragraphs(pages: list[list[Line]]) -> list[str]:
    """The pages' lines joined into paragraphs, in order."""
    rules = _rules()
    body = [line for lines in pages for line in lines]
    if not body:
        return []
    block = _block(body)
    out: list[str] = []
    prev: Line | None = None
    for page in pages:
        for n, line in enumerate(page):
            if prev is None or _starts_paragraph(prev, line, n > 0, block, rules):
                out.append(line.text)
            else:
                out[-1] = glue(out[-1], line.text)
            prev = line
    return out


def read_pdf(data: bytes, max_pages: int, max_chars: int) -> PdfText:
    """The text of a PDF (paragraphs, one a line) and its page count."""
    pages, heights = read_pages(data, max_pages, max_chars)
    body = strip_page_chrome(pages, heights)
    return PdfText(text="\n".join(paragraphs(body)), pages=len(pages))
