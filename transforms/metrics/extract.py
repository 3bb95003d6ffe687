"""Extract every stated figure of a document as `Metric` records.

The steps a reader would name, each in its own module beside this one:

    find (candidates.py) -> read value (values.py) -> read context: sentence,
    indicator (context.py) -> measure (measure.py) -> resolve scope: period
    (scope.py, period.py) -> kind (kind.py) -> bound (bounds.py) -> scale (units.py)

Pure: reads the Document, returns new records.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace

from transforms.clean import placeholder_spans
from transforms.document import Document, Metric, Section
from transforms.metrics import bounds, measure as measure_mod, period as period_mod
from transforms.metrics.candidates import Candidate, blank_spans, find_candidates, list_end
from transforms.metrics.context import Context, Previous, read_context
from transforms.metrics.cues import cues
from transforms.metrics.kind import kind_of, portfolio_kind
from transforms.metrics.indicator import indicator_key
from transforms.metrics.lines import Line, Lines
from transforms.metrics.scope import PhraseAt, Scoped, SectionIndex, breakdown_openers, figure_period, period_at
from transforms.metrics.tables import TableFigure, header_period, read_tables
from transforms.metrics.units import to_base, unit_table
from transforms.metrics.values import Values, read_values

_FROM = ("从", "由")


def metric_id(doc_id: str, start: int, end: int) -> str:
    return hashlib.sha256(f"{doc_id}:{start}:{end}".encode()).hexdigest()[:16]


@dataclass
class _Reading:
    """What the steps share for one document."""

    doc: Document
    work: str  # the text with placeholders blanked (same offsets)
    lines: Lines
    sections: SectionIndex
    lead_ins: dict[int, str] = field(default_factory=dict)  # sentence start -> its lead-in (figures share it)
    list_lead_ins: dict[tuple, object] = field(default_factory=dict)  # a line's period from lines before it


def extract_metrics(doc: Document) -> list[Metric]:
    if not doc.text:
        return []
    work = blank_spans(doc.text, placeholder_spans(doc.text))
    headings = frozenset(h for h in [doc.title or ""] + [s.heading for s in doc.sections] if h)
    lines = Lines(doc.text, work, doc.reference_date, headings)
    reading = _Reading(doc, work, lines, SectionIndex(doc, doc.reference_date))

    # rows with number cells are read by tables.py; a row of cells that hold
    # figures in words (拆墙透绿 | 100处 | 86处) is read as text
    cell_figures, number_rows = read_tables(doc.text)
    row_starts = [a for a, _b in number_rows]
    row_ends = [b for _a, b in number_rows]

    def excluded_or_in_table(pos: int) -> bool:
        i = bisect.bisect_right(row_starts, pos) - 1
        if i >= 0 and pos < row_ends[i]:
            return True
        return lines.excluded(pos)

    out: list[Metric] = []
    previous = Previous()
    for cand in find_candidates(work, excluded_or_in_table if number_rows else lines.excluded):
        values = read_values(cand, work)
        if values is None:
            continue
        line = lines.at(cand.start)
        context = read_context(cand, values.bare_unit, line, doc.text, previous)
        out.append(_figure(reading, cand, values, line, context))
        if not _in_parentheses(doc.text, context.sent_start, cand.start):
            # 同比增长7.5%(全市11.1%),较去年同期回落0.9个百分点: an aside in parentheses
            # is not what the next figure's indicator carries over from
            names = previous.names if previous.end > context.sent_start else ()
            previous = Previous(cand.unit_end, context.indicator, context.cue_words, context.respective,
                                names + (context.named or "",))
    if cell_figures:
        out += [_table_figure(reading, fig) for fig in cell_figures]
        out.sort(key=lambda m: m.char_start)
    return out


def _in_parentheses(text: str, sent_start: int, at: int) -> bool:
    return text.rfind("(", sent_start, at) > text.rfind(")", sent_start, at)


def _table_figure(reading: _Reading, fig: TableFigure) -> Metric:
    """A number cell of a table as a Metric, its period the header's month or the
    scope the table stands in (its heading, the document's own period)."""
    leaf = reading.sections.leaf(fig.start)
    scope = reading.sections.default_period(leaf, reading.sections.role(fig.start, leaf))
    period = header_period(fig, scope.period)
    source = "clause" if fig.month is not None else scope.source
    value_base, base_unit = to_base(fig.value, fig.unit)
    text = reading.doc.text
    line_start = text.rfind("\n", 0, fig.start) + 1
    line_end = text.find("\n", fig.end)
    return Metric(
        metric_id=metric_id(reading.doc.doc_id, fig.start, fig.end), doc_id=reading.doc.doc_id,
        section_id=leaf.section_id if leaf else None, char_start=fig.start, char_end=fig.end,
        sentence=text[line_start:len(text) if line_end < 0 else line_end].strip(), mention=text[fig.start:fig.end],
        indicator=fig.indicator, indicator_key=_table_key(fig),
        measure=fig.measure, value=fig.value, value_low=fig.value, value_high=fig.value, bound="eq",
        unit=fig.unit, value_base=value_base, base_unit=base_unit, kind=fig.kind,
        period_label=period.label if period else None, period_start=period.start if period else None,
        period_end=period.end if period else None, period_source=source if period else None, masked=False,
    )


def _table_key(fig: TableFigure) -> str | None:
    """A whole's row takes its column's key (合计 | 14090 under 受理数); a row that
    names a catalog indicator takes that one (地区生产总值 | 617.50 | 5.2); a
    district's or category's row is a breakdown: none."""
    if fig.whole:
        return indicator_key(fig.header)
    return indicator_key(fig.label)


@dataclass
class _Where:
    """Where a figure stands: its section, role and the period in scope."""

    leaf: Section | None
    role: str
    at: PhraseAt  # the period phrase that governs it (or the default)
    default: Scoped
    from_value: bool  # the start value of 由X增加到Y, or a base year's own value


def _figure(reading: _Reading, cand: Candidate, values: Values, line: Line, context: Context) -> Metric:
    """The steps after reading the value and the context: measure, scope, kind, bound."""
    measure, sign = _measure(context, values)
    if sign < 0:
        values = _negated(values)
    where = _where(reading, cand, line, context)
    scoped = figure_period(where.at, start=cand.start, leaf=where.leaf, lines=reading.lines, default=where.default,
                           measure=measure, cue_words=context.cue_words, from_value=where.from_value,
                           own_cues=context.own_cues)
    after, before = _bound_words(reading.work, cand, context)
    kind, scoped = _kind(reading, cand, line, context, where, scoped, measure, values,
                         approx="approx" in (after, before))
    bound = bounds.decide(is_range=cand.range_end is not None, between=cand.between, after=after, before=before,
                          capped=bounds.is_capped(reading.work[max(0, cand.start - 4):cand.start]),
                          is_target=kind == "target")
    return _metric(reading, cand, values, context, where.leaf, measure, kind, bound, scoped)


def _measure(context: Context, values: Values) -> tuple[str, int]:
    measure, sign = measure_mod.measure_of(context.cue_words, values.bare_unit, context.measured)
    if context.share_of_whole:
        measure, sign = "share", 1
    if context.named and context.named.endswith(cues().decline_rates):
        if measure == "pp_change":
            sign = -sign  # 降幅收窄2.0个百分点: the rate of decline narrowed, growth rose
        elif measure in ("level", "growth") and values.bare_unit == "%":
            measure, sign = "growth", -1  # 降幅达33.37%: a growth of -33.37%
    return measure, sign


def _where(reading: _Reading, cand: Candidate, line: Line, context: Context) -> _Where:
    start = cand.start
    leaf = reading.sections.leaf(start)
    role = reading.sections.role(start, leaf)
    default = reading.sections.default_period(leaf, role)
    at = period_at(start, line, context.clause_start, context.sent_start, reading.lines, default, role)
    at = _with_list_lead_in(at, reading, line, default, role)
    from_value = at.base_value or reading.doc.text[max(0, start - 1):start] in _FROM
    return _Where(leaf, role, at, default, from_value)


def _bound_words(work: str, cand: Candidate, context: Context) -> tuple[str | None, str | None]:
    """The bound words after the figure (or after the list it ends) and before it."""
    after = bounds.bound_after(work, cand.unit_end)
    if after is None and context.respective >= 0:
        after = bounds.bound_after(work, list_end(work, cand.unit_end))  # …、11%和13%左右
    before = bounds.bound_before(work[max(0, cand.start - 4):cand.start])
    if before is None and not cues().leading_approx.isdisjoint(context.cue_words):
        before = "approx"  # 大约损失工业总产值一千亿元
    return after, before


def _kind(reading: _Reading, cand: Candidate, line: Line, context: Context, where: _Where, scoped: Scoped,
          measure: str, values: Values, approx: bool) -> tuple[str, Scoped]:
    """The figure's kind; a key-project list's figures are about the whole year."""
    text, start = reading.doc.text, cand.start
    kind = portfolio_kind(context.named, text[context.clause_start:start])
    if kind is None and cues().annual_target_aside.search(text, max(context.clause_start, start - 12), start):
        kind = "target"  # 完成年度任务(300万平方米)的40%: the year's target, in an aside
    if kind:
        if scoped.period is not None and scoped.period.end is not None:
            scoped = Scoped(period_mod.year_period(scoped.period.end.year), scoped.source)
        return kind, scoped
    period = scoped.period
    return kind_of(role=where.role, sentence_before=_lead_in_text(reading, line, context) + text[context.sent_start:start],
                   clause_before=text[context.clause_start:start],
                   sentence_after=text[cand.unit_end:context.sent_end], from_value=where.from_value,
                   bare_unit=values.bare_unit, indicator_key=context.key, measure=measure,
                   bound="approx" if approx else "eq",
                   period_end=period.end if period else None, ref=reading.lines.ref,
                   explicit_period=where.at.explicit, sentence_outside_aliases=None,
                   clause_after=text[cand.unit_end:context.clause_end],
                   period_closed=_closed(scoped, reading.lines.ref, line, start)), scoped


def _metric(reading: _Reading, cand: Candidate, values: Values, context: Context, leaf: Section | None,
            measure: str, kind: str, bound: str, scoped: Scoped) -> Metric:
    text, start, end, masked, period = reading.doc.text, cand.start, cand.unit_end, cand.masked, scoped.period
    doc_id = reading.doc.doc_id
    value_base, base_unit = _scaled(values)
    # the fields in order, one a line: a class called with keywords builds a dict each time (3x slower)
    return Metric(
        metric_id(doc_id, start, end),  # metric_id
        doc_id,  # doc_id
        leaf.section_id if leaf else None,  # section_id
        start,  # char_start
        end,  # char_end
        text[context.sent_start:context.sent_end].strip(),  # sentence
        text[start:end],  # mention
        context.named,  # indicator
        context.key,  # indicator_key
        measure,  # measure
        None if masked else values.value,  # value
        None if masked else values.low,  # value_low
        None if masked else values.high,  # value_high
        bound,  # bound
        values.unit,  # unit
        None if masked else value_base,  # value_base
        base_unit,  # base_unit
        kind,  # kind
        period.label if period else None,  # period_label
        period.start if period else None,  # period_start
        period.end if period else None,  # period_end
        masked,  # masked
        scoped.source if period else None,  # period_source
    )


# Scopes whose period the text states (a document's default period is no statement).
_STATED = frozenset({"clause", "sentence", "lead_in", "heading", "title"})


def _closed(scoped: Scoped, ref, line: Line, start: int) -> bool:
    """The figure's stated period ended before the document's date; with no
    date known, a part-year span stated before it in its line (1-11月:
    progress is reported by part-years, targets are set for years)."""
    period = scoped.period
    if ref is None:
        line.periods_to(start)
        return any(_part_year(m) for _a, end, m in line.periods if end <= start)
    if not (period and period.start and period.end and scoped.source in _STATED):
        return False
    # ended before the document's date, or a part of the year ending in its month
    # (截止7月份 on a page of 23 July)
    if period.end < ref:
        return True
    part_year = (period.end - period.start).days < _YEAR_DAYS
    return part_year and period.start < ref and (period.end.year, period.end.month) == (ref.year, ref.month)


_YEAR_DAYS = 364
_ANY_YEAR = dt.date(2000, 12, 31)  # to read a phrase's months when the document has no date


def _part_year(m) -> bool:
    p = period_mod.resolve(m, _ANY_YEAR)
    return p is not None and p.months is not None and p.months != (1, 12)


def _negated(values: Values) -> Values:
    low = -values.low if values.low is not None else None
    high = -values.high if values.high is not None else None
    if low is not None and high is not None and low > high:
        low, high = high, low
    return replace(values, value=-values.value if values.value is not None else None, low=low, high=high)


def _scaled(values: Values) -> tuple[float | None, str | None]:
    if values.bare_unit == "" and values.scale_in_unit:
        factor = unit_table().scales[values.scale_in_unit]
        return (float(f"{values.value * factor:.12g}") if values.value is not None else None), None
    return to_base(values.value, values.unit)


def _with_list_lead_in(at: PhraseAt, reading: _Reading, line: Line, default: Scoped, role: str) -> PhraseAt:
    """A figure with no period in its line takes the period stated earlier in
    its paragraph when a PDF broke the paragraph into lines, else that of the
    line that opens the list it is in (`截至7月底,全市:` then one item a line)."""
    if at.explicit:
        return at
    key = (line.start, role, default.period, default.source)
    if key not in reading.list_lead_ins:  # the figures of a line share it
        reading.list_lead_ins[key] = _list_lead_in(reading, line, default, role)
    lead = reading.list_lead_ins[key]
    if lead is _NO_LEAD:
        return at
    return PhraseAt(Scoped(lead, "lead_in"), True, at.base, at.base_value)


_NO_LEAD = object()


def _list_lead_in(reading: _Reading, line: Line, default: Scoped, role: str):
    """The period the lines before `line` in its paragraph, or its list's opener, state; _NO_LEAD if none."""
    lines = reading.lines
    earlier, paragraph_start = line, lines.paragraph_start(line)
    while earlier.start > paragraph_start:
        earlier = lines.before(earlier)
        lead = period_at(earlier.end, earlier, earlier.start, earlier.start, lines, default, role)
        if lead.explicit:
            return lead.scoped.period
    opener = lines.list_opener(line)
    if opener is None:
        return _NO_LEAD
    lead = period_at(opener.end, opener, opener.start, opener.start, lines, default, role)
    return lead.scoped.period if lead.explicit else _NO_LEAD


def _lead_in_text(reading: _Reading, line: Line, context: Context) -> str:
    """The lead-in that governs the figure's kind: the words before a colon
    earlier in its paragraph (主要预期目标是: A; B; C), else the line that opens
    the list the figure's line belongs to; with a `#` after it."""
    sent_start = context.sent_start
    if sent_start not in reading.lead_ins:
        reading.lead_ins[sent_start] = _find_lead_in(reading, line, sent_start)
    return reading.lead_ins[sent_start]


def _find_lead_in(reading: _Reading, line: Line, sent_start: int) -> str:
    text = reading.doc.text
    start = reading.lines.paragraph_start(line)  # a PDF-broken paragraph spans lines
    if sent_start > start:
        colon = _lead_in_colon(text, start, sent_start)
        if colon >= 0 and text[start:colon].endswith(breakdown_openers()):
            # 主要任务是:计划完成各类水利工程1911件,其中:水毁修复64件;…: the items are parts
            # of the whole before 其中, governed by its clause and by the lead-in before it
            whole_end = len(text[start:colon].rstrip("".join(breakdown_openers())).rstrip(",， ")) + start
            clause = max(text.rfind(",", start, whole_end), text.rfind(":", start, whole_end)) + 1
            outer = _lead_in_colon(text, start, clause)
            opening = text[max(start, outer - _LEAD_IN_WORDS):outer] + "#" if outer >= 0 else ""
            return opening + text[clause:whole_end] + "#"
        if colon >= 0:
            return text[max(start, colon - _LEAD_IN_WORDS):colon] + "#"
    opener = reading.lines.list_opener(line)
    return text[max(opener.start, opener.end - _LEAD_IN_WORDS):opener.end] + "#" if opener is not None else ""


def _lead_in_colon(text: str, start: int, end: int) -> int:
    """The last colon in text[start:end] that governs `end`: a breakdown's colon
    (计划完成投资30300万元,其中:水利投资…) only until the sentence ends with 。;
    -1 if none."""
    colon = text.rfind(":", start, end)  # NFKC made every ： ASCII
    while colon >= 0 and text[start:colon].endswith(breakdown_openers()) and "。" in text[colon:end]:
        colon = text.rfind(":", start, colon)
    return colon


_LEAD_IN_WORDS = 24  # what a lead-in says before its colon (今年经济社会发展的主要预期目标是)
