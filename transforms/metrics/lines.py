"""Layout: the paragraphs (lines) of a text, with their sentence and clause
ends and the period phrases in them, each found once and on first use.

A figure looks back from where it stands: to the start of its clause,
sentence and paragraph, and at the period phrases before it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator
from functools import cached_property

from transforms.metrics import period as period_mod
from transforms.metrics.candidates import patterns

SENTENCE_END = re.compile(r"[。!?！？;；\n]")
CLAUSE_END = re.compile(r"[。!?！？;；\n,，:：|]")  # | between table cells


class Line:
    """One line (paragraph) of the text, `end` at its newline or the text's end.

    Its not-figure spans, clause and sentence ends and period phrases are found
    on first use: most lines hold no kept figure (70% of a work report's text),
    and none of these crosses a line, so scanning line by line finds what a
    scan of the whole text finds there. Not-figure spans and period phrases are
    scanned only as far as the figures need: a figure looks at those before it."""

    def __init__(self, text: str, work: str, start: int, end: int):
        self.text, self.work, self.start, self.end = text, work, start, end
        self.periods: list[tuple[int, int, re.Match]] = []  # (start, end, match), in order
        self.period_starts: list[int] = []
        self.period_ends: dict[int, int] = {}  # end -> start
        self._scan: Iterator[re.Match] | None = None  # the period phrases not yet in `periods`
        self._next: re.Match | None = None
        self._not_figures: Iterator[re.Match] | None = None
        self._not_figure: re.Match | None = None  # the next not-figure span
        self._not_figure_end = -1  # the end of the last not-figure span started so far
        self.governing: dict[int, bool] = {}  # period phrase start -> governs the sentences after it (scope.py)

    def excluded(self, pos: int) -> bool:
        """Whether a not-figure span covers `pos`; asked in increasing `pos` order."""
        if self._not_figures is None:
            self._not_figures = patterns().not_figure.finditer(self.work, self.start, self.end)
            self._not_figure = next(self._not_figures, None)
        m = self._not_figure
        while m is not None and m.start() <= pos:
            self._not_figure_end = m.end()
            m = next(self._not_figures, None)
        self._not_figure = m
        return self._not_figure_end > pos

    @cached_property
    def sentence_ends(self) -> list[int]:
        """Sentence ends from the line's start on; the last is the line's end."""
        return [*map(re.Match.start, SENTENCE_END.finditer(self.text, self.start, self.end)), self.end]

    @cached_property
    def clause_ends(self) -> list[int]:
        return [*map(re.Match.start, CLAUSE_END.finditer(self.text, self.start, self.end)), self.end]

    def periods_to(self, pos: int) -> Line:
        """Scan the period phrases starting at or before `pos`."""
        if self._scan is None:
            self._scan = period_mod.period_regex().finditer(self.work, self.start, self.end)
            self._next = next(self._scan, None)
        m = self._next
        while m is not None and m.start() <= pos:
            a, b = m.span()
            self.periods.append((a, b, m))
            self.period_starts.append(a)
            self.period_ends[b] = a
            m = next(self._scan, None)
        self._next = m
        return self


class Lines:
    """The lines of a text, each made once; figures come in text order."""

    def __init__(self, text: str, work: str, ref: dt.date | None, headings: frozenset[str] = frozenset()):
        self.text, self.work, self.ref = text, work, ref
        self.headings = headings  # a title's or a section's heading line is no broken-off sentence
        self._made: dict[int, Line] = {}
        self._openers: dict[int, tuple[Line | None, int]] = {}  # line start -> (opener, item lines between)
        self._paragraphs: dict[int, int] = {}
        self._last: Line | None = None
        self._resolved: dict[tuple[int, bool, bool], period_mod.Period | None] = {}

    def excluded(self, pos: int) -> bool:
        """Whether a not-figure span covers `pos` (asked in increasing order)."""
        last = self._last
        if last is not None and last.start <= pos <= last.end:
            return last.excluded(pos)
        return self.at(pos).excluded(pos)

    def at(self, pos: int) -> Line:
        last = self._last
        if last is not None and last.start <= pos <= last.end:
            return last
        start = self.text.rfind("\n", 0, pos) + 1
        line = self._made.get(start)
        if line is None:
            end = self.text.find("\n", pos)
            line = Line(self.text, self.work, start, len(self.text) if end < 0 else end)
            self._made[start] = line
        self._last = line
        return line

    def periods_before(self, pos: int, floor: int):
        """Period phrases starting at or before `pos`, nearest first, back to the
        line holding `floor`."""
        line = self.at(pos).periods_to(pos)
        i = bisect.bisect_right(line.period_starts, pos) - 1
        while True:
            periods = line.periods
            while i >= 0:
                yield periods[i]
                i -= 1
            if line.start == 0 or line.start <= floor:
                return
            line = self.at(line.start - 1)
            line.periods_to(line.end)
            i = len(line.periods) - 1

    def resolve(self, phrase: tuple[int, int, re.Match], forward: bool = False,
                review: bool = False) -> period_mod.Period | None:
        """`period.resolve` of a period phrase against the document's date, once
        per phrase: the figures of a line look back at the same phrases."""
        key = (phrase[0], forward, review)
        if key not in self._resolved:
            self._resolved[key] = period_mod.resolve(phrase[2], self.ref, forward, review)
        return self._resolved[key]

    def before(self, line: Line) -> Line | None:
        """The nearest non-empty line before `line`."""
        pos = line.start - 1
        while pos >= 0:
            prev = self.at(pos)
            if prev.end > prev.start:
                return prev
            pos = prev.start - 1
        return None

    def paragraph_start(self, line: Line) -> int:
        """Where the paragraph holding `line` starts: lines broken off mid-sentence
        (PDF text: a line ending without 。；:! or ?) continue into the next one."""
        if line.start in self._paragraphs:
            return self._paragraphs[line.start]
        start = line.start
        for _ in range(_BROKEN_LOOKBACK):
            if _ITEM_MARKER.match(self.text, start):
                break  # (二), 2., 一是 …: a new paragraph, whatever the line before
            prev = self.before(self.at(start)) if start > 0 else None
            if prev is None or self.text[prev.end - 1] in _PARAGRAPH_ENDS or prev.end - prev.start < _BROKEN_MIN:
                break
            if self._is_heading(prev):
                break
            start = prev.start
        self._paragraphs[line.start] = start
        return start

    def _is_heading(self, line: Line) -> bool:
        text = self.text[line.start:line.end]
        return line.start == 0 or ends_with_heading(text, self.headings)

    def list_opener(self, line: Line) -> Line | None:
        """The line ending in a colon that opens the list `line` belongs to: the
        lines between are list items (a marker such as 1. (一) 一是, or short
        lines without a sentence end, like a bulletin's score rows), at most
        _LIST_LOOKBACK of them."""
        opener, items_between = self._opener_entry(line)
        return opener if opener is not None and items_between < _LIST_LOOKBACK else None

    def _opener_entry(self, line: Line) -> tuple[Line | None, int]:
        """(the opener of `line`'s list, the item lines between them), looked back
        without limit and once per line: a bulletin's table has hundreds of short
        item lines, and each would walk back over the same ones."""
        waiting: list[Line] = []  # item lines whose entry follows from the line before them
        current = line
        while current.start not in self._openers:
            if not _is_item(self.text, current):
                self._openers[current.start] = (None, 0)
                break
            prev = self.before(current)
            if prev is None or self.text[prev.end - 1] in ":：":
                self._openers[current.start] = (prev, 0)
                break
            if not _is_item(self.text, prev):
                self._openers[current.start] = (None, 0)
                break
            waiting.append(current)
            current = prev
        opener, between = self._openers[current.start]
        for item in reversed(waiting):
            between += 1
            self._openers[item.start] = (opener, between) if opener is not None else (None, 0)
        return self._openers[line.start]


_LIST_LOOKBACK = 40
_BROKEN_LOOKBACK = 8  # lines of one broken paragraph looked back over
_BROKEN_MIN = 8  # a shorter line is a heading or a list item, not a broken-off sentence
_PARAGRAPH_ENDS = "。;；:：!！?？)）"
_ITEM_MARKER = re.compile(r"\s*(?:\d{1,2}[.、．)]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[是、]|[①-⑳])")
_SHORT_ITEM = 40


def _is_item(text: str, line: Line) -> bool:
    if line.end <= line.start or text[line.end - 1] in ":：":
        return False
    if _ITEM_MARKER.match(text, line.start):
        return True
    return line.end - line.start <= _SHORT_ITEM and text[line.end - 1] not in "。"


def ends_with_heading(line: str, headings: frozenset[str]) -> bool:
    """Whether a line is a title or a section heading (with its marker: 二、+ heading)."""
    return any(line.endswith(h) for h in headings)

