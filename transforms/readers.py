"""Readers: the bytes of one input file -> `SourceText`s or `Rejection`s.

Pure: no file I/O; the caller reads the bytes and decides which files are
inputs (`SUPPORTED_SUFFIXES`). Bad input never raises: it comes back as a
`Rejection` with a reason (empty, binary, undecodable, corrupt,
malformed_record, unsupported_format, unreadable, too_large; for a PDF also
encrypted and no_text_layer) and one short human line of detail. No input
takes more than the `ReadLimits` allow: a .docx is checked by its declared
sizes and its text streamed out of the archive, an HTML page's nesting is
measured before it is parsed, a PDF's pages are counted before they are
read, and a text longer than `max_document_chars` is rejected
(transforms/limits.py).
"""

from __future__ import annotations

import codecs
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath
from typing import Any

from transforms.document import Rejection, SourceText
from transforms.knowledge import load_yaml
from transforms.limits import ReadLimits

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".docx", ".jsonl", ".pdf"})

Record = SourceText | Rejection

# ---------------------------------------------------------------------------
# Text decoding
# ---------------------------------------------------------------------------

# File signatures of formats people drop into a text folder by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "zip archive (.docx, .xlsx, .zip)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document (.doc, .xls)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "executable"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
)
# Control bytes that do appear in text files: tab, LF, VT, FF, CR, and ESC / SUB
# (old DOS editors end files with SUB).
_TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1a\x1b")
_MAX_CONTROL_SHARE = 0.05

# The legacy Chinese encodings we read, in the order tried; cp950 is Microsoft's
# superset of Big5 (a few symbols Python's strict big5 codec refuses).
_LEGACY = ("gb18030", "big5", "cp950")
_CANONICAL = {"gb18030": "gb18030", "big5": "big5", "cp950": "big5"}
# Share of non-ASCII characters that must be common characters of the encoding
# when charset-normalizer gives no answer (real text scores > 0.95, random
# high bytes that happen to decode as GB18030 0.25 on average).
_MIN_COMMON_SHARE = 0.9


class _Reject(Exception):
    """Internal: unwinds a reader with the Rejection to return."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.rejection = Rejection(reason=reason, detail=detail)


def _signature(data: bytes) -> str | None:
    """The known binary format `data` starts with, if any."""
    return next((what for magic, what in _MAGIC if data.startswith(magic)), None)


def _sniff_binary(data: bytes) -> str | None:
    """Why `data` is not text, or None if it may be."""
    what = _signature(data)
    if what:
        return f"binary data: {what} signature"
    head = data[:8192]
    if b"\x00" in data:
        return "binary data: NUL bytes (and not UTF-16 or UTF-32 text)"
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS or b == 0x7F)
    if controls > _MAX_CONTROL_SHARE * len(head):
        return f"binary data: {controls} control bytes in the first {len(head)}"
    return None


# Punctuation and symbols Chinese text really uses, in both encodings: GB
# punctuation misread as Big5 turns into bopomofo and small-form variants
# ("，" -> "ㄛ", "。" -> "﹝"), Big5 punctuation misread as GB into private-use
# characters, and neither of those is here.
_PUNCTUATION = frozenset(
    "，。、；：？！“”‘’（）《》〈〉【】〔〕「」『』…—·～・　"
    + "".join(chr(c) for c in range(0xFF01, 0xFF5F))  # full-width ASCII
)


@cache
def _common_chars(encoding: str) -> frozenset[str]:
    """Level-1 hanzi (GB2312's 3755 for gb18030, Big5's 5401 for big5; derived
    from the codecs, no word list needed) and common punctuation."""
    if encoding == "gb18030":
        rows, trails, codec = range(0xB0, 0xD8), range(0xA1, 0xFF), "gb2312"
    else:
        rows, trails, codec = range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)], "big5"
    chars = set(_PUNCTUATION)
    for lead in rows:
        for trail in trails:
            try:
                chars.add(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def _common_share(text: str, encoding: str) -> float:
    """Share of the non-ASCII characters of `text` that are common in
    `encoding`: near 1 for text read in its own encoding, lower for bytes read
    in the wrong one. Spaces and format characters (zero-width space) are
    neutral."""
    common = _common_chars(_CANONICAL[encoding])
    wide = [c for c in text if not c.isascii() and not c.isspace() and unicodedata.category(c) != "Cf"]
    if not wide:
        return 1.0
    return sum(c in common for c in wide) / len(wide)


def _charset_normalizer_guess(data: bytes, candidates: list[str]) -> str | None:
    from charset_normalizer import from_bytes

    # Isolated to what decoded strictly: left free, it calls short GBK text
    # cp949, johab or utf_16_be and random bytes cp037 (see docs/libraries.md).
    best = from_bytes(data, cp_isolation=candidates).best()
    if best is None:
        return None
    name = best.encoding.replace("_", "")
    return next((c for c in candidates if c.replace("_", "") == name), None)


def _pick_legacy(data: bytes) -> tuple[str, str]:
    """Decode bytes that are not UTF-8 as GB18030 or Big5: charset-normalizer's
    guess, checked against the share of common characters of each reading."""
    decoded: dict[str, str] = {}
    for encoding in _LEGACY:
        if _CANONICAL[encoding] in {_CANONICAL[e] for e in decoded}:
            continue  # cp950 only when strict big5 failed
        try:
            decoded[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            pass
    if not decoded:
        raise _Reject("undecodable", "bytes are not valid UTF-8, GB18030 or Big5")
    candidates = list(decoded)
    share = {e: _common_share(t, e) for e, t in decoded.items()}
    guess = _charset_normalizer_guess(data, candidates)
    top = max(share.values())
    # When both decode, charset-normalizer picks Big5 for some short GB18030
    # texts (under ~15 characters, more often when they hold full-width digits
    # or punctuation); the reading with more common characters wins then. On a
    # tie its guess stands, else GB18030 (mainland texts are the usual case).
    leaders = [e for e in candidates if share[e] == top]
    choice = guess if guess in leaders else leaders[0]
    if guess is None and top < _MIN_COMMON_SHARE:
        raise _Reject("undecodable", f"no confident encoding (best: {_CANONICAL[choice]}, {top:.0%} common characters)")
    return decoded[choice], _CANONICAL[choice]


# UTF-16 and UTF-32 without a byte order mark: each width and byte order is
# tried on the first bytes, and read only when exactly one of them gives text.
_WIDE_ENCODINGS = (("utf-32-le", 4), ("utf-32-be", 4), ("utf-16-le", 2), ("utf-16-be", 2))
_WIDE_SAMPLE_BYTES = 8192
# What Chinese text is made of: printable ASCII and whitespace, CJK ideographs,
# CJK and general punctuation, full-width forms.
_TEXT_RANGES = ((0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF), (0x2000, 0x206F))


def _is_text_char(char: str) -> bool:
    code = ord(char)
    if code < 0x80:
        return char.isprintable() or char in "\t\n\r"
    return any(low <= code <= high for low, high in _TEXT_RANGES)


def _reads_as_text(text: str) -> bool:
    """Whether `text` is Chinese or ASCII text, not bytes read at the wrong width
    or in the wrong byte order: those give symbols, or ideographs whose code
    ends in 00 (ASCII read the wrong way round: "h" 0x68 -> U+6800)."""
    if not text:
        return False
    wide = [c for c in text if ord(c) >= 0x80]
    round_codes = sum(1 for c in wide if ord(c) & 0xFF == 0)
    return (sum(map(_is_text_char, text)) >= _MIN_COMMON_SHARE * len(text)
            and round_codes <= 0.1 * len(wide))


def _bomless_wide_unicode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) of UTF-16 or UTF-32 text without a byte order mark,
    when its bytes can be nothing else: NUL bytes in its first bytes (any
    ASCII character or line end has one) and one reading only that gives
    text. None otherwise."""
    sample = data[:_WIDE_SAMPLE_BYTES]
    if b"\x00" not in sample:
        return None
    readings = []
    for encoding, width in _WIDE_ENCODINGS:
        if len(data) % width:
            continue
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        if _reads_as_text(text):
            readings.append(encoding)
    if len(readings) != 1:
        return None
    try:
        return data.decode(readings[0]), readings[0]
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and canonical encoding name of a text file's bytes.

    Order: byte order marks, UTF-16/UTF-32 without one, binary sniffing,
    strict UTF-8, then GB18030/Big5 (charset-normalizer, checked). Raises
    _Reject for what is not text."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _Reject("undecodable", f"UTF-8 byte order mark but invalid UTF-8 at byte {exc.start + 3}") from None
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        try:
            return data.decode("utf-32"), "utf-32"
        except UnicodeDecodeError as exc:
            raise _Reject("undecodable", f"UTF-32 byte order mark but invalid UTF-32 at byte {exc.start}") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")  # the BOM says which byte order
        except UnicodeDecodeError as exc:
            raise _Reject("undecodable", f"UTF-16 byte order mark but invalid UTF-16 at byte {exc.start}") from None
        if _sniff_binary(text.encode("utf-8")):
            raise _Reject("binary", "binary data after a UTF-16 byte order mark")
        return text, "utf-16"
    wide = None if _signature(data) else _bomless_wide_unicode(data)
    if wide:
        return wide
    why = _sniff_binary(data)
    if why:
        raise _Reject("binary", why)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _pick_legacy(data)


# ---------------------------------------------------------------------------
# Format readers
# ---------------------------------------------------------------------------


# No encoding we read takes more bytes than this for one character.
_MAX_BYTES_PER_CHAR = 4


def _too_long(chars: int, limits: ReadLimits, at_least: str = "") -> _Reject:
    return _Reject("too_large", f"{at_least}{chars:,} characters of text, more than one document may hold "
                                f"({limits.max_document_chars:,}: SPEECH_ETL_MAX_DOCUMENT_CHARS)")


def _require_text(text: str) -> None:
    if not text.strip():
        raise _Reject("empty", "no text (only whitespace)")


def _read_plain(data: bytes, fmt: str, limits: ReadLimits) -> list[Record]:
    if len(data) > _MAX_BYTES_PER_CHAR * limits.max_document_chars:  # too long in any encoding: not decoded
        raise _too_long(len(data) // _MAX_BYTES_PER_CHAR, limits, "at least ")
    text, encoding = decode_text(data)
    _require_text(text)
    return [SourceText(text=text, source_format=fmt, encoding=encoding)]


# --- HTML -------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_DECLARED = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030",
             "big5": "big5", "big5-hkscs": "big5", "cp950": "big5", "utf-8": "utf-8", "utf8": "utf-8"}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_TOKEN_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_SPACES = re.compile(r"[ \t\r\n\f]+")


@dataclass(frozen=True)
class _HtmlRules:
    drop_tags: frozenset[str]
    drop_tags_outside_main: frozenset[str]
    drop_selectors: tuple[str, ...]
    tokens: frozenset[str]
    tokens_outside_main: frozenset[str]
    prefixes: tuple[str, ...]
    main_selectors: tuple[str, ...]
    main_min_chars: int
    block_tags: frozenset[str]


@cache
def _html_rules() -> _HtmlRules:
    spec = load_yaml("html_chrome.yaml")
    return _HtmlRules(
        drop_tags=frozenset(spec["drop_tags"]),
        drop_tags_outside_main=frozenset(spec["drop_tags_outside_main"]),
        drop_selectors=tuple(spec["drop_selectors"]),
        tokens=frozenset(spec["chrome_tokens"]),
        tokens_outside_main=frozenset(spec["chrome_tokens_outside_main"]),
        prefixes=tuple(spec["chrome_prefixes"]),
        main_selectors=tuple(spec["main_selectors"]),
        main_min_chars=int(spec["main_min_chars"]),
        block_tags=frozenset(spec["block_tags"]),
    )


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>")


@cache
def _tags_not_nesting() -> frozenset[str]:
    spec = load_yaml("html_chrome.yaml")
    return frozenset(spec["void_tags"]) | frozenset(spec["optional_end_tags"])


def html_depth(html: str) -> int:
    """How deep a page's elements nest, from its tags alone (before parsing:
    the parser's time grows with the square of the depth). Void elements and
    those whose end tag may be left out (p, li, td...) are not counted, so
    this stays under the real depth for pages that leave those open, and
    counts unclosed nests (`<div><b><div><b>...`) in full."""
    skipped = _tags_not_nesting()
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(html):
        name = name.lower()
        if name in skipped or self_closing:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _decode_html(data: bytes) -> tuple[str, str]:
    """Like decode_text, but a page's own <meta charset> is believed first."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        match = _META_CHARSET.search(data[:4096])
        declared = _DECLARED.get(match.group(1).decode("ascii").lower()) if match else None
        if declared and not _sniff_binary(data):
            try:
                return data.decode(declared), declared
            except UnicodeDecodeError:
                pass  # pages lie about their charset; detect instead
    return decode_text(data)


def _class_tokens(node: Any) -> list[str]:
    attrs = node.attributes
    raw = f"{attrs.get('id') or ''} {attrs.get('class') or ''}"
    return [t.lower() for t in _TOKEN_SPLIT.split(_CAMEL.sub(" ", raw)) if t]


def _is_chrome(node: Any, rules: _HtmlRules, inside_main: bool) -> bool:
    tag = node.tag
    if tag in rules.drop_tags or (not inside_main and tag in rules.drop_tags_outside_main):
        return True
    for token in _class_tokens(node):
        if token in rules.tokens or token.startswith(rules.prefixes):
            return True
        if not inside_main and token in rules.tokens_outside_main:
            return True
    return False


def _strip_chrome(root: Any, rules: _HtmlRules, inside_main: bool) -> None:
    # css("*") includes the root itself (which may be <body class="has-sidebar">):
    # keep it. Deepest nodes go first, so no node is freed with its ancestor
    # before its own decompose.
    def drop(nodes: list[Any]) -> None:
        for node in reversed(nodes):
            if node.mem_id != root.mem_id:
                node.decompose()

    for selector in rules.drop_selectors:
        drop(root.css(selector))
    drop([n for n in root.css("*") if _is_chrome(n, rules, inside_main)])


def _html_lines(root: Any, rules: _HtmlRules) -> str:
    """The text of `root`, with a line break at each block element's edges."""
    out: list[str] = []
    # An explicit stack, not recursion: scraped pages can nest thousands deep.
    # Items are nodes to visit, or "\n" to emit when a block element closes.
    stack: list[Any] = []
    child = root.last_child
    while child is not None:
        stack.append(child)
        child = child.prev
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            out.append(node)
        elif node.is_text_node:
            out.append(_SPACES.sub(" ", node.text_content or ""))
        elif node.is_element_node:
            block = node.tag in rules.block_tags
            if block:
                out.append("\n")
                stack.append("\n")
            if node.tag == "pre":
                out.append(node.text(deep=True))
                continue
            if node.tag == "table":
                rows = _data_table_rows(node, rules)
                if rows is not None:  # a data table: one line per row, its cells as the tables reader wants them
                    out.append("\n".join(rows))
                    continue
            child = node.last_child
            while child is not None:
                stack.append(child)
                child = child.prev
    lines = (line.strip() for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


# A table of figures is written one line per row, `cell | cell | cell |` (the form
# transforms/metrics/tables.py reads, and the one the corpus pages use); a
# merged cell is written into every column and row it spans, so a header of two
# rows lines up with the data rows under it. A table used for layout (a cell
# holding paragraphs, a table inside a cell) is read as before: a line per cell.
_CELL_SEPARATOR = " | "
_MAX_CELL_CHARS = 60  # longer cell text is prose: a layout table
_MAX_SPAN = 50  # colspan/rowspan beyond this is not a real table's


def _data_table_rows(table: Any, rules: _HtmlRules) -> list[str] | None:
    """The rows of a table of figures as lines, or None for a layout table."""
    grid: list[list[str]] = []
    carried: dict[int, tuple[str, int]] = {}  # column -> (text, rows still spanned)
    for tr in _table_rows(table):
        row: list[str] = []
        for cell in (c for c in tr.iter() if c.tag in ("td", "th")):
            if cell.css_first("table") is not None or any(
                    n.tag in rules.block_tags and n.tag not in ("br", "span") and n.tag != "p" for n in cell.iter()):
                return None
            text = _SPACES.sub(" ", cell.text(deep=True)).strip()
            if _is_prose(text):
                return None
            _fill_carried(row, carried)
            columns, rows = _span(cell.attributes.get("colspan")), _span(cell.attributes.get("rowspan"))
            for _ in range(columns):
                if rows > 1:
                    carried[len(row)] = (text, rows - 1)
                row.append(text)
        _fill_carried(row, carried)
        if row:
            grid.append(row)
    return _row_lines(grid)


def _is_prose(cell_text: str) -> bool:
    """A cell of a layout table: long, or holding a sentence."""
    return len(cell_text) > _MAX_CELL_CHARS or "。" in cell_text


def _row_lines(grid: list[list[str]]) -> list[str] | None:
    """The rows of a table of figures as lines (`a | b | c |`); None for fewer
    than two rows or columns (no table to read)."""
    if len(grid) < 2 or max(len(r) for r in grid) < 2:
        return None
    return [_CELL_SEPARATOR.join(r) + _CELL_SEPARATOR.rstrip() for r in grid]


def _table_rows(table: Any):
    """The table's own rows (not those of a table nested in a cell)."""
    for child in table.iter():
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from (tr for tr in child.iter() if tr.tag == "tr")


def _fill_carried(row: list[str], carried: dict[int, tuple[str, int]]) -> None:
    """Cells of rows above that span down into this row, at its next columns."""
    while len(row) in carried:
        text, left = carried.pop(len(row))
        if left > 1:
            carried[len(row)] = (text, left - 1)
        row.append(text)


def _span(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), _MAX_SPAN)
    except ValueError:
        return 1


def _read_html(data: bytes, fmt: str, limits: ReadLimits) -> list[Record]:
    from selectolax.lexbor import LexborHTMLParser

    text, encoding = _decode_html(data)
    _require_text(text)
    depth = html_depth(text)
    if depth > limits.max_html_depth:
        raise _Reject("too_large", f"HTML elements nested {depth:,} deep, more than a page needs "
                                   f"({limits.max_html_depth:,}: SPEECH_ETL_MAX_HTML_DEPTH)")
    rules = _html_rules()
    tree = LexborHTMLParser(text)
    body = tree.body
    if body is None:
        raise _Reject("empty", "HTML page without a body")
    main = None
    for selector in rules.main_selectors:
        for node in body.css(selector):
            if len(node.text(deep=True, strip=True)) >= rules.main_min_chars:
                main = node
                break
        if main is not None:
            break
    root = main if main is not None else body
    _strip_chrome(root, rules, inside_main=main is not None)
    meta: dict[str, Any] = {}
    # The main text's <h1> (a site header's <h1> is usually the site's name).
    title_node = root.css_first("h1") or tree.css_first("title")
    title = _SPACES.sub(" ", title_node.text(deep=True)).strip() if title_node is not None else ""
    if title:
        meta["title"] = title
    body_text = _html_lines(root, rules)
    if not body_text:
        raise _Reject("empty", "no main text in the HTML page")
    return [SourceText(text=body_text, source_format="html", encoding=encoding, meta=meta)]


# --- DOCX -------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


_MAIN_PART = "word/document.xml"
_READ_CHUNK = 1 << 16


def _docx_blocks(parent: Any, lines: list[str]) -> None:
    """Paragraphs and table cells under `parent` (a cell, a content control) in
    document order."""
    for child in parent.iterchildren():
        _docx_block(child, lines)


def _docx_block(element: Any, lines: list[str]) -> None:
    """The lines of one paragraph, table or content control."""
    from docx.text.paragraph import Paragraph

    if element.tag == f"{_W}p":
        text = Paragraph(element, None).text
        lines.extend(line for line in text.splitlines() if line.strip())
    elif element.tag == f"{_W}tbl":
        rows = _docx_data_table_rows(element)
        if rows is not None:  # a table of figures: one line per row (see _data_table_rows)
            lines.extend(rows)
            return
        # A layout table, walking the XML: a merged cell is read once (a horizontal
        # merge is one w:tc spanning columns, the continuation cells of a vertical
        # merge are empty; python-docx's row.cells repeats merged cells).
        for tr in element.iterchildren(f"{_W}tr"):
            for tc in tr.iterchildren(f"{_W}tc"):
                _docx_blocks(tc, lines)
    elif element.tag == f"{_W}sdt":
        content = element.find(f"{_W}sdtContent")
        if content is not None:
            _docx_blocks(content, lines)


def _docx_data_table_rows(table: Any) -> list[str] | None:
    """A .docx table of figures as lines of cells, a merged cell written into
    every column (w:gridSpan) and row (w:vMerge) it spans; None for a layout table."""
    from docx.text.paragraph import Paragraph

    grid: list[list[str]] = []
    for tr in table.iterchildren(f"{_W}tr"):
        row: list[str] = []
        for tc in tr.iterchildren(f"{_W}tc"):
            if tc.find(f".//{_W}tbl") is not None:
                return None
            text = " ".join(Paragraph(p, None).text.strip() for p in tc.iterchildren(f"{_W}p")).strip()
            text = _SPACES.sub(" ", text)
            if _is_prose(text):
                return None
            properties = tc.find(f"{_W}tcPr")
            span = properties.find(f"{_W}gridSpan") if properties is not None else None
            merge = properties.find(f"{_W}vMerge") if properties is not None else None
            if merge is not None and merge.get(f"{_W}val") in (None, "continue") and grid:
                above = grid[-1]
                text = above[len(row)] if len(row) < len(above) else text  # the cell it continues
            row.extend([text] * _span(span.get(f"{_W}val") if span is not None else None))
        if row:
            grid.append(row)
    return _row_lines(grid)


def _check_docx_sizes(archive: zipfile.ZipFile, limits: ReadLimits) -> zipfile.ZipInfo:
    """The main part's entry, once the archive's declared sizes are within the
    limits (zipfile stops a member at its declared size, so they cannot lie)."""
    try:
        main = archive.getinfo(_MAIN_PART)
    except KeyError:
        raise _Reject("corrupt", "zip archive without word/document.xml (not a Word document)") from None
    if main.file_size > limits.max_docx_part_bytes:
        raise _Reject("too_large", f"word/document.xml is {main.file_size:,} bytes uncompressed "
                                   f"(limit {limits.max_docx_part_bytes:,}: SPEECH_ETL_MAX_DOCX_PART_BYTES)")
    total = sum(item.file_size for item in archive.infolist())
    if total > limits.max_docx_bytes:
        raise _Reject("too_large", f"the archive is {total:,} bytes uncompressed "
                                   f"(limit {limits.max_docx_bytes:,}: SPEECH_ETL_MAX_DOCX_BYTES)")
    return main


def _docx_lines(archive: zipfile.ZipFile, main: zipfile.ZipInfo, limits: ReadLimits) -> list[str]:
    """The text lines of the main part, streamed: each top-level block of the
    body is read and freed as soon as it ends, so memory holds one block (the
    other parts, images included, are never decompressed)."""
    from docx.oxml.parser import element_class_lookup
    from lxml import etree

    parser = etree.XMLPullParser(events=("start", "end"), remove_blank_text=True, resolve_entities=False,
                                 no_network=True)
    parser.set_element_class_lookup(element_class_lookup)  # python-docx's element classes: Paragraph.text
    lines: list[str] = []
    chars = depth = 0
    with archive.open(main) as part:
        while chunk := part.read(_READ_CHUNK):
            parser.feed(chunk)
            for event, element in parser.read_events():
                depth += 1 if event == "start" else -1
                if event == "end" and depth == 2:  # a child of w:body (w:document > w:body > it)
                    before = len(lines)
                    _docx_block(element, lines)
                    chars += sum(len(line) + 1 for line in lines[before:])
                    element.clear()
                    parent = element.getparent()
                    if parent is not None:
                        parent.remove(element)
                    if chars > limits.max_document_chars:
                        raise _too_long(chars, limits, "at least ")
    parser.close()
    return lines


def _read_docx(data: bytes, fmt: str, limits: ReadLimits) -> list[Record]:
    if not data.startswith(b"PK"):
        what = _signature(data)
        raise _Reject("corrupt", f"not a .docx (zip) file: {f'a {what}' if what else 'bad magic number'}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            lines = _docx_lines(archive, _check_docx_sizes(archive, limits), limits)
    except _Reject:
        raise
    except zipfile.BadZipFile as exc:
        raise _Reject("corrupt", f"damaged .docx (zip) file: {exc}") from None
    except Exception as exc:  # lxml syntax errors, zlib errors in a member...
        raise _Reject("corrupt", f"unreadable .docx: {type(exc).__name__}: {exc}") from None
    if not lines:
        raise _Reject("empty", "no text in the .docx document")
    return [SourceText(text="\n".join(lines), source_format="docx", encoding=None)]


# --- JSONL ------------------------------------------------------------------

_META_KEYS = ("title", "year", "date", "url", "issuer", "region")
# Fields that hold text (or null); `date` may also be a year as a number, `year` anything _year reads.
_TEXT_KEYS = ("title", "url", "issuer", "region")
_JSON_TYPES = {bool: "true or false", int: "a number", float: "a number", list: "a list", dict: "an object"}


_ASCII_YEAR = re.compile(r"[0-9]{1,4}")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _year(value: Any) -> int | None:
    """The year as an int when it is one ("2015", 2015, "２０１５"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        digits = value.translate(_FULL_WIDTH_DIGITS).strip()
        if _ASCII_YEAR.fullmatch(digits):
            return int(digits)
    return None


def _jsonl_record(line: str, number: int, encoding: str) -> Record:
    def bad(detail: str) -> Rejection:
        return Rejection(reason="malformed_record", detail=f"line {number}: {detail}", source_record=number)

    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return bad(f"invalid JSON ({exc.msg} at column {exc.colno})")
    except RecursionError:
        return bad("invalid JSON (nested too deeply)")
    if not isinstance(obj, dict):
        return bad(f"a JSON {type(obj).__name__}, not an object")
    key = next((k for k in ("content", "text") if obj.get(k) is not None), None)
    if key is None:
        return bad("no 'content' or 'text' field")
    text = obj[key]
    if not isinstance(text, str):
        return bad(f"'{key}' is {_JSON_TYPES.get(type(text), 'not a string')}, not a string")
    if not text.strip():
        return bad(f"'{key}' is empty")
    problem = _field_problem(obj, key)
    if problem:
        return bad(problem)
    meta = {k: obj[k] for k in _META_KEYS if k in obj}
    if "year" in meta:
        meta["year"] = _year(meta["year"])
    return SourceText(text=text, source_format="jsonl", encoding=encoding, source_record=number, meta=meta)


def _lone_surrogate(value: str) -> str | None:
    """The first lone surrogate in `value`, written as an escape (\\udc00), or None."""
    try:
        value.encode("utf-8")
        return None
    except UnicodeEncodeError as exc:
        return ascii(value[exc.start])[1:-1]


def _field_problem(obj: dict, text_key: str) -> str | None:
    """Why a record's known fields cannot be stored: a wrong type (a title that
    is a number) or a lone surrogate escape ("\\udc00", valid JSON but no
    character). None when they can."""
    for key in (text_key, *_TEXT_KEYS, "date"):
        value = obj.get(key)
        if value is None:
            continue
        allowed = (str, int) if key == "date" else (str,)
        if not isinstance(value, allowed) or isinstance(value, bool):
            return f"'{key}' is {_JSON_TYPES.get(type(value), type(value).__name__)}, not a string"
        if isinstance(value, str) and (surrogate := _lone_surrogate(value)):
            return f"'{key}' holds a lone surrogate escape ({surrogate}), which is no character"
    return None


def _utf8_lines(data: bytes) -> list[tuple[int, str | None, str | None]]:
    """(line number, text, why the line is not text) of each non-blank line."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    lines: list[tuple[int, str | None, str | None]] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        if b"\x00" in raw:
            lines.append((number, None, f"a NUL byte at byte {raw.index(0) + 1}"))
            continue
        try:
            lines.append((number, raw.decode("utf-8"), None))
        except UnicodeDecodeError:
            lines.append((number, None, "not valid UTF-8"))
    return lines


def _read_jsonl_lines(data: bytes, whole_file: _Reject) -> list[Record]:
    """A UTF-8 file with a few damaged lines (invalid UTF-8, a NUL byte): those
    lines are rejected, the others still load. A file mostly damaged (or in
    GB18030, or binary) stays one rejected file."""
    lines = _utf8_lines(data)
    if (whole_file.rejection.reason not in ("undecodable", "binary") or _signature(data)
            or sum(t is not None for _, t, _ in lines) * 2 < len(lines)):
        raise whole_file
    return [
        _jsonl_record(line, number, "utf-8") if line is not None
        else Rejection(reason="malformed_record", detail=f"line {number}: {why}", source_record=number)
        for number, line, why in lines
    ]


def _read_jsonl(data: bytes, fmt: str, limits: ReadLimits) -> list[Record]:
    try:
        text, encoding = decode_text(data)
    except _Reject as exc:
        return _read_jsonl_lines(data, exc)
    _require_text(text)
    # Split on \n only: str.splitlines would also break at U+2028, which JSON
    # allows unescaped inside strings.
    return [
        _jsonl_record(line, number, encoding)
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]


# --- PDF --------------------------------------------------------------------


def _read_pdf(data: bytes, fmt: str, limits: ReadLimits) -> list[Record]:
    # the layout work (chrome, paragraphs) is in transforms/pdf.py
    from transforms.pdf import PdfRejected, read_pdf

    try:
        pdf = read_pdf(data, limits.max_pdf_pages, limits.max_document_chars)
    except PdfRejected as exc:
        raise _Reject(exc.reason, exc.detail) from None
    return [SourceText(text=pdf.text, source_format="pdf", encoding=None, pages=pdf.pages)]


# ---------------------------------------------------------------------------

_READERS: dict[str, tuple[str, Callable[[bytes, str, ReadLimits], list[Record]]]] = {
    ".txt": ("txt", _read_plain),
    ".md": ("md", _read_plain),
    ".html": ("html", _read_html),
    ".htm": ("html", _read_html),
    ".docx": ("docx", _read_docx),
    ".jsonl": ("jsonl", _read_jsonl),
    ".pdf": ("pdf", _read_pdf),
}


def _within(record: Record, limits: ReadLimits) -> Record:
    """`record`, or its rejection when its text is longer than one document may be."""
    if isinstance(record, SourceText) and len(record.text) > limits.max_document_chars:
        rejection = _too_long(len(record.text), limits).rejection
        if record.source_record is not None:
            rejection.detail = f"line {record.source_record}: {rejection.detail}"
            rejection.source_record = record.source_record
        return rejection
    return record


def read_source(data: bytes, filename: str, limits: ReadLimits = ReadLimits()) -> list[SourceText | Rejection]:
    """Read one file's bytes; the extension of `filename` picks the format.

    Returns one SourceText per document (a .jsonl gives one per line) and a
    Rejection for each file or line that cannot be read or is past `limits`.
    Never raises."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in _READERS:
        return [Rejection(reason="unsupported_format", detail=f"unsupported file type '{suffix or filename}'")]
    if not data.strip():
        return [Rejection(reason="empty", detail="empty file" if not data else "only whitespace")]
    fmt, reader = _READERS[suffix]
    try:
        return [_within(record, limits) for record in reader(data, fmt, limits)]
    except _Reject as exc:
        return [exc.rejection]
    except Exception as exc:  # a reader bug must not stop a run; say what happened
        return [Rejection(reason="unreadable", detail=f"{type(exc).__name__}: {exc}"[:200])]
