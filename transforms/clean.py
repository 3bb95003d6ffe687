"""Clean: normalize the text, strip site chrome into metadata, count masked words.

The cleaned text is what every later offset refers to, and its sha256 is the
document's id, so the same speech read from a .txt, a .docx or a web page gives
the same document.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from transforms.document import Document, Gap
from transforms.knowledge import load_yaml
from transforms.pdf_lines import repair as repair_pdf_lines

# Zero-width and BOM characters that split numbers ("74.4\u200b万亿元").
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_CJK = r"\u3400-\u9fff"
# Spaces between two CJK characters, or a CJK character and a digit or %, carry
# no meaning in Chinese text; scraped pages are full of them.
_SPACES = re.compile(r"[ \t]+")
_CJK_CHAR = re.compile(f"[{_CJK}]")
# Digits spaced out one by one ("从1 9 9 3 年", "增长1 5 .3 %" in the 1998 report).
_SPACED_DIGITS = re.compile(r"(?<![\d ])\d(?: [\d.%])+")
_OPENERS = "《“‘(（[【〔"
_CLOSERS = "》”’)）]】〕、,，。;；:：!！?？%"
_SENTENCE_END = "。！？!?；;：:"
# A line holding only a sub- or superscript the source broke out ("M\n2\n增长").
_SCRIPT_FRAGMENT = re.compile(r"[A-Za-z0-9]{1,3}(\.[0-9]{1,2})?")


# NFKC, fast. unicodedata.normalize walks every character of the text through
# decomposition and recomposition; a speech is almost all characters NFKC leaves
# alone (ASCII, CJK ideographs, Chinese punctuation) plus a few full-width forms.
# Where every character has a normalization boundary before it (its
# decomposition starts with a starter, ccc 0, that never composes with a
# preceding character), NFKC works character by character, so
# NFKC(text) == "".join(NFKC(c) for c in text): each changing character is
# replaced in one str.replace pass. Any other character (a combining mark, a
# Hangul vowel or final jamo, a character decomposing to one) sends the whole
# text to unicodedata.normalize. tests/test_clean.py checks the equality.

# Canonical decompositions all lie below U+30000 (tests/test_clean.py checks
# that this still holds for the running Python's Unicode version).
_DECOMPOSITIONS_END = 0x30000
_MISSING = object()


@cache
def _composes_backward() -> frozenset[str]:
    """Characters that can compose with the character before them: the second
    of a two-character canonical decomposition, Hangul vowel and final jamo."""
    seconds = {chr(u) for u in range(0x1161, 0x1176)} | {chr(u) for u in range(0x11A8, 0x11C3)}
    for u in range(_DECOMPOSITIONS_END):
        parts = unicodedata.decomposition(chr(u)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(chr(int(parts[1], 16)))
    return frozenset(seconds)


def _char_nfkc(char: str) -> str | None:
    """NFKC of one character, or None when it has no normalization boundary
    before it (normalizing it alone could differ from normalizing it in context)."""
    first = unicodedata.normalize("NFKD", char)[0]
    if unicodedata.combining(first) or first in _composes_backward():
        return None
    return unicodedata.normalize("NFKC", char)


@cache
def _not_plain() -> re.Pattern:
    """Matches a character outside the BMP characters that have a boundary
    before them and that NFKC leaves unchanged: the only ones to look at."""
    plain = []
    for u in range(0x10000):
        char = chr(u)
        if not 0xD800 <= u < 0xE000 and _char_nfkc(char) == char:
            if plain and plain[-1][1] == u - 1:
                plain[-1][1] = u
            else:
                plain.append([u, u])
    ranges = "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in plain)
    return re.compile(f"[^{ranges}]")


_nfkc_of: dict[str, str | None] = {}  # character -> _char_nfkc (bounded by Unicode's size)
# One str.replace pass per distinct changing character: past this many (a text
# of compatibility characters), one unicodedata pass is cheaper.
_MAX_REPLACED = 64


def nfkc(text: str) -> str:
    """Exactly unicodedata.normalize("NFKC", text), about 10x faster on Chinese text."""
    original = text
    search = _not_plain().search
    match = search(text)
    replaced = 0
    while match:
        char = match.group()
        mapped = _nfkc_of.get(char, _MISSING)
        if mapped is _MISSING:
            mapped = _nfkc_of[char] = _char_nfkc(char)
        if mapped is None or replaced == _MAX_REPLACED:
            return unicodedata.normalize("NFKC", original)
        if mapped == char:  # unchanged (outside the BMP): look on
            match = search(text, match.end())
        else:  # no occurrence before this one, or the search would have met it
            text = text.replace(char, mapped)
            replaced += 1
            match = search(text, match.start())
    return text


def normalized_lines(text: str) -> list[str]:
    """The lines of `normalize(text)`."""
    text = nfkc(text.replace("\r\n", "\n").replace("\r", "\n"))
    for char in _INVISIBLE:  # str.replace beats str.translate with a table here
        if char in text:
            text = text.replace(char, "")
    lines = (line.strip() for line in text.split("\n"))
    return [line for line in lines if line]


def normalize(text: str) -> str:
    """NFKC (full-width digits, letters and punctuation to ASCII), no invisible
    characters, Unix line ends, lines stripped, no blank lines."""
    return "\n".join(normalized_lines(text))


def _continues(prev: str, line: str) -> bool:
    """Whether `line` is the rest of `prev`, broken off by the source."""
    return (
        prev[-1] in _OPENERS
        or line[0] in _CLOSERS
        or (prev[-1].isdigit() and (line[0].isdigit() or line[0] == "."))
    )


def _is_fragment(prev: str, line: str, following: str | None) -> bool:
    """A short piece cut out of a sentence: a sub/superscript ("M\n2\n增长") or
    a wiki link ("所作的\n政府工作报告\n。会议")."""
    if prev[-1] in _SENTENCE_END:
        return False
    if _SCRIPT_FRAGMENT.fullmatch(line) and prev[-1].isascii() and prev[-1].isalnum():
        return True
    return len(line) <= 20 and following is not None and following[0] in _CLOSERS


def join_broken_lines(lines: list[str]) -> list[str]:
    """Re-join lines a source broke inside a phrase or a number."""
    out: list[str] = []
    glue_next = False
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else None
        if out and (glue_next or _continues(out[-1], line) or _is_fragment(out[-1], line, following)):
            glue_next = bool(_SCRIPT_FRAGMENT.fullmatch(line)) and not glue_next and _is_fragment(out[-1], line, following)
            out[-1] += line
        else:
            glue_next = False
            out.append(line)
    return out


@dataclass(frozen=True)
class _ChromePattern:
    name: str
    action: str
    scope: str
    regex: re.Pattern


@cache
def _chrome_patterns() -> tuple[_ChromePattern, ...]:
    return tuple(
        _ChromePattern(p["name"], p["action"], p["scope"], re.compile(p["regex"]))
        for p in load_yaml("chrome.yaml")["patterns"]
    )


@cache
def _chrome_hint() -> re.Pattern | None:
    """Matches a line that may hold chrome; None when some pattern has no hints."""
    patterns = load_yaml("chrome.yaml")["patterns"]
    if any(not p.get("hints") for p in patterns):
        return None
    hints = sorted({h for p in patterns for h in p["hints"]}, key=len, reverse=True)
    return re.compile("|".join(re.escape(h) for h in hints))


@dataclass
class ChromeFindings:
    gaps: list[Gap]
    published_at: dt.datetime | None = None
    declared_char_count: int | None = None
    is_truncated: bool = False
    tail_cut: bool = False
    removed_chars: int = 0  # characters removed as chrome: matched lines and spans, a cut tail
    # characters after a footer that were kept, because cutting them would drop much of the text
    kept_after_tail: int = 0


@cache
def _tail_keep() -> tuple[int, float]:
    spec = load_yaml("chrome.yaml")["tail_keep"]
    return int(spec["min_chars"]), float(spec["min_share"])


def _cuts_too_much(rest: int, total: int) -> bool:
    """Whether cutting `rest` characters of a `total`-character text at a footer
    would drop a large part of it (a file holding several reports, each with
    its footer): then the text is kept and the cut reported."""
    min_chars, min_share = _tail_keep()
    return rest >= min_chars and rest >= min_share * total


def _apply_chrome(pattern: _ChromePattern, match: re.Match, found: ChromeFindings, at: int) -> None:
    groups = match.groupdict()
    if groups.get("declared"):
        found.declared_char_count = int(groups["declared"])
    if pattern.action == "gap":
        found.gaps.append(Gap(at=at, chars=int(groups["chars"])))
    elif pattern.action == "tail":
        found.tail_cut = True
    elif pattern.action == "truncated":
        found.is_truncated = True
    elif pattern.action == "published":
        date = dt.datetime.strptime(groups["date"].replace("-", "/"), "%Y/%m/%d")
        if groups.get("time"):
            parts = [int(p) for p in groups["time"].split(":")] + [0]
            date = date.replace(hour=parts[0], minute=parts[1], second=parts[2])
        found.published_at = date


def strip_chrome(lines: list[str]) -> tuple[list[str], ChromeFindings]:
    """Remove the chrome patterns of `chrome.yaml`, turning them into findings.
    A footer that would cut a large part of the text is removed alone."""
    found = ChromeFindings(gaps=[])
    out: list[str] = []
    length = 0  # length of "\n".join(out), for gap offsets
    hint = _chrome_hint()
    rest = sum(len(line) + 1 for line in lines)  # characters of the lines not seen yet
    for line in lines:
        rest -= len(line) + 1
        kept = line
        if hint is not None and not hint.search(line):
            length += len(kept) + (1 if out else 0)
            out.append(kept)
            continue
        for pattern in _chrome_patterns():
            if pattern.scope == "line":
                match = pattern.regex.fullmatch(kept)
                if match:
                    _apply_chrome(pattern, match, found, length)
                    kept = ""
                    break
            else:
                pieces, last = [], 0
                for match in pattern.regex.finditer(kept):
                    pieces.append(kept[last:match.start()])
                    gap_at = length + (1 if out else 0) + sum(map(len, pieces))
                    _apply_chrome(pattern, match, found, gap_at)
                    last = match.end()
                kept = "".join(pieces) + kept[last:] if pieces else kept
        kept = kept.strip()
        found.removed_chars += len(line) - len(kept)
        if found.tail_cut and _cuts_too_much(rest, length + rest):
            found.tail_cut = False
            found.kept_after_tail = found.kept_after_tail or rest
        if found.tail_cut:
            found.removed_chars += max(rest, 0)
            break
        if kept:
            length += len(kept) + (1 if out else 0)
            out.append(kept)
    # a gap at the end of a removed line points at the start of the next one
    for gap in found.gaps:
        gap.at = min(gap.at, length)
    return out, found


def _space_run(match: re.Match) -> str:
    """A run of spaces goes between CJK characters, or a CJK character and a
    digit or %, or a digit and %; elsewhere it becomes one space."""
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    before_cjk = bool(before) and bool(_CJK_CHAR.match(before))
    after_cjk = bool(after) and bool(_CJK_CHAR.match(after))
    if (before_cjk or before.isdigit() or before == "%") and after_cjk:
        return ""
    if before_cjk and (after.isdigit() or after == "%"):
        return ""
    if before.isdigit() and after == "%":
        return ""
    return " "


def tidy_spaces(text: str) -> str:
    """Spaces that carry no meaning in Chinese text go (scraped pages are full
    of them); the regexes run only where there are spaces at all. Neither
    rule looks past a line end, so a text can be tidied line by line."""
    if " " not in text and "\t" not in text:
        return text
    text = _SPACED_DIGITS.sub(lambda m: m.group(0).replace(" ", ""), text)
    return _SPACES.sub(_space_run, text)


@cache
def _placeholder_regex() -> re.Pattern:
    # Every alternative opens on a plain character (_, 城): re then scans for
    # those characters in C instead of trying the pattern at every position.
    spec = load_yaml("placeholders.yaml")
    alternatives = [spec["underscore"]]
    for word in spec["words"]:
        follow = "|".join(re.escape(f) for f in sorted(word["masks_before"], key=len, reverse=True))
        not_word = "|".join(re.escape(c) for c in word["word_continuations"])
        alternatives.append(f"{re.escape(word['word'])}(?!{not_word})(?=(?:{follow}))")
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


# The last text's spans: the metrics extractor asks again for the text clean
# has just counted (a whole-text regex scan each time).
_last_spans: tuple[str, tuple[tuple[int, int], ...]] = ("", ())


def placeholder_spans(text: str) -> list[tuple[int, int]]:
    """Spans of masking placeholders (城管 standing for a figure, `_` for a word)."""
    global _last_spans
    last_text, spans = _last_spans
    if text != last_text:
        spans = tuple(m.span() for m in _placeholder_regex().finditer(text))
        _last_spans = (text, spans)
    return list(spans)


def document_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean(doc: Document) -> Document:
    # only the few lines holding a space go through the space rules' regexes
    lines = [tidy_spaces(line) for line in normalized_lines(doc.source.text)] if doc.source.text.strip() else []
    lines = join_broken_lines(lines)
    lines, found = strip_chrome(lines)
    # Text pasted out of a PDF (a figure alone on its line, its unit on the
    # next) is joined back into paragraphs; after the chrome, whose patterns
    # match whole lines. Gaps move back by the line breaks removed before them.
    lines, removed = repair_pdf_lines(lines)
    for gap in found.gaps:
        gap.at -= bisect.bisect_left(removed, gap.at)
    doc.text = "\n".join(lines)
    doc.doc_id = document_id(doc.text)
    doc.gaps = found.gaps
    doc.published_at = found.published_at
    doc.declared_char_count = found.declared_char_count
    doc.is_truncated = found.is_truncated
    doc.chrome_removed_chars = found.removed_chars
    doc.chrome_kept_chars = found.kept_after_tail or None
    doc.masked_count = len(placeholder_spans(doc.text))
    return doc
