"""Lines broken by a PDF, joined back into paragraphs (text pasted out of a
PDF and saved as .txt, or a page scraped from a PDF viewer).

Clean calls `repair` on every text; it changes only a text that visibly
comes out of a PDF (`looks_pdf_extracted`): a figure alone on its line in
the middle of a sentence, several times. Such text breaks its lines at
every change of font run and at the layout's line ends, so a line that does
not end a sentence goes on in the next, except where a heading or a list
item begins or a heading or the title ends. The cues are in
`data/pdf_lines.yaml`; heading markers are those of `data/headings.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from transforms.knowledge import load_yaml


@cache
def _markers() -> tuple[tuple[str, re.Pattern], ...]:
    """The heading marker styles of headings.yaml: (name, regex)."""
    return tuple((s["name"], re.compile(s["regex"])) for s in load_yaml("headings.yaml")["styles"])


def _marker(line: str) -> tuple[str, int]:
    """The style and end of the heading or list marker (一、 (一) 1. 一是 ——)
    that starts `line` (NFKC); ("", 0) when none does."""
    for name, regex in _markers():
        match = regex.match(line)
        if match:
            return name, match.end()
    return "", 0


def starts_with_marker(line: str) -> bool:
    return _marker(line)[1] > 0


@dataclass(frozen=True)
class _Cues:
    min_bare_numbers: int
    min_share: float
    bare_number: re.Pattern
    sentence_ends: str
    closers: str
    heading_styles: frozenset[str]
    clause_marks: re.Pattern
    openers: str
    title_end: re.Pattern


@cache
def _cues() -> _Cues:
    spec = load_yaml("pdf_lines.yaml")
    detect, join = spec["detect"], spec["join"]
    return _Cues(
        min_bare_numbers=int(detect["min_bare_numbers"]),
        min_share=float(detect["min_share"]),
        bare_number=re.compile(detect["bare_number"]),
        sentence_ends=join["sentence_ends"],
        closers=join["closers"],
        heading_styles=frozenset(join["heading_styles"]),
        clause_marks=re.compile(f"[{re.escape(join['clause_marks'])}]"),
        openers=join["openers"],
        title_end=re.compile("(?:" + "|".join(map(re.escape, join["title_ends"])) + ")$"),
    )


def ends_sentence(line: str) -> bool:
    """Whether `line` ends with a sentence end (。 ! ? ; :), a closing quote or bracket aside."""
    cues = _cues()
    end = line.rstrip(cues.closers)
    return bool(end) and end[-1] in cues.sentence_ends


def looks_pdf_extracted(lines: list[str]) -> bool:
    """Several lines hold a bare number inside a sentence (800 between 累计安排人员近 and 余人次)."""
    cues = _cues()
    bare = sum(1 for prev, line in zip(lines, lines[1:])
               if cues.bare_number.fullmatch(line) and not ends_sentence(prev))
    return bare >= cues.min_bare_numbers and bare >= cues.min_share * len(lines)


def glue(a: str, b: str) -> str:
    """Two pieces of one paragraph: Chinese runs on; two Latin words keep a space."""
    if a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return a + " " + b
    return a + b


def _continues(paragraph: str, line: str, first: bool) -> bool:
    """Whether `line` goes on the paragraph so far."""
    cues = _cues()
    if ends_sentence(paragraph) or starts_with_marker(line):
        return False
    style, heading = _marker(paragraph)
    if heading and (style in cues.heading_styles or not cues.clause_marks.search(paragraph, heading)):
        # a heading is done at its line's end unless the line is visibly cut
        return heading == len(paragraph) or paragraph[-1].isdigit() or paragraph[-1] in cues.openers
    if first and not cues.clause_marks.search(paragraph) and cues.title_end.search(paragraph):
        return False  # the title
    return True


def join_pdf_lines(lines: list[str]) -> tuple[list[str], list[int]]:
    """The lines joined into paragraphs, and the offsets (in the text joined
    by newlines) of the line breaks removed."""
    out: list[str] = []
    removed: list[int] = []
    at = 0  # offset of the current line in the original text
    for line in lines:
        if out and _continues(out[-1], line, first=len(out) == 1):
            joined = glue(out[-1], line)
            if len(joined) == len(out[-1]) + len(line):  # else the break became a space
                removed.append(at - 1)
            out[-1] = joined
        else:
            out.append(line)
        at += len(line) + 1
    return out, removed


def repair(lines: list[str]) -> tuple[list[str], list[int]]:
    """`join_pdf_lines` for a text that looks PDF-extracted; other texts as they are."""
    if not looks_pdf_extracted(lines):
        return lines, []
    return join_pdf_lines(lines)
