"""Resolve scope: which period governs a figure, and where that period was
stated. Nearest first (docs/figures.md, "Scope"):

    clause -> sentence -> lead-in (earlier in the paragraph) -> section heading
    -> document title (the document's own reporting period) -> document (its
    date and the section's role: a review covers the year before a report
    delivered early in the year, tasks the year itself)

The answer's `source` is `metrics.period_source`. Relative periods resolve
against the scope they sit in: 去年同期 is the governing span a year earlier,
当月 its last month, 今年以来 January through the document's own period.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache, cached_property

from transforms.document import Document, Section
from transforms.metrics import measure as measure_mod, period as period_mod
from transforms.metrics.candidates import patterns
from transforms.knowledge import load_yaml
from transforms.metrics.cues import alternation, cues
from transforms.metrics.lines import Line, Lines, ends_with_heading
from transforms.metrics.period import Period
from transforms.metadata import OPENS_WITH_YEAR, years_named
from transforms.metrics.tables import is_table_row

_SPAN_LOOKBACK = 80
_LEAD_IN_ENDS = (",", "，", ":", "：")
_TITLE_MAX = 60
_YEAR = re.compile(r"(?:19|20)\d\d")
_OPENING = 600  # characters of the text where a document states what it reports on
_SENTENCE_PUNCT = re.compile(r"[。;；!?,，:：]")
# A short line that states a figure (a bulletin's headline: 实现地区生产总值744.94亿元) is no heading.
_STATES_FIGURE = re.compile(r"\d(?:%|亿|万|个百分点|元|件|个)")  # period phrases looked at for an enclosing span
_CHANGES = frozenset({"growth", "change", "avg_growth", "pp_change"})


@dataclass(slots=True)
class Scoped:
    """A period and the scope it came from (clause, sentence, lead_in, heading, title, document)."""

    period: Period | None
    source: str | None


@dataclass(slots=True)
class PhraseAt:
    """The outcome of looking back from a figure for its period phrase."""

    scoped: Scoped
    explicit: bool  # a period phrase of the paragraph (not a default)
    base: int | None  # the year of a comparison base (比一九五二年) or from-value
    base_value: bool  # the figure is the base's own value (比一九五二年的X)


@dataclass(frozen=True)
class _DocRoles:
    review_document: re.Pattern
    future_heading: re.Pattern


@cache
def _doc_roles() -> _DocRoles:
    spec = load_yaml("headings.yaml")
    return _DocRoles(re.compile(alternation(spec["review_documents"])), re.compile(alternation(spec["future_headings"])))


def fallback_roles(text: str) -> tuple[list[int], list[str]]:
    """Without sections (or in a leaf of role `other`): a short heading-like
    line with a role cue switches the role (首先报告2001年的工作 -> review)."""
    starts, roles = [0], ["other"]
    offset = 0
    role_cues = patterns().role_cues
    review_line = patterns().review_line
    for line in text.split("\n"):
        if 0 < len(line) <= 40 and line[-1] not in "。;；" and not _STATES_FIGURE.search(line):
            found = "review" if review_line.search(line) else None
            for role, cue in role_cues:
                if found is None and cue.search(line):
                    found = role
            if found and found != roles[-1]:
                starts.append(offset)
                roles.append(found)
        offset += len(line) + 1
    return starts, roles


def document_period(doc: Document) -> Period | None:
    """The document's own reporting period (report_period_start/end), labelled
    as a reader would write it (2024年1-7月)."""
    start, end = doc.report_period_start, doc.report_period_end
    if start and end:
        return Period(span_label(start, end), start, end)
    return None


def span_label(start: dt.date, end: dt.date) -> str:
    """2024, 2024年1-7月, 2024年7月, 2011-2015, or the dates of another span."""
    whole_months = start.day == 1 and end == period_mod.month_end(end.year, end.month)
    if start.year != end.year:
        return f"{start.year}-{end.year}" if start.month == 1 and (end.month, end.day) == (12, 31) else f"{start}..{end}"
    if not whole_months:
        return f"{start}..{end}"
    if (start.month, end.month) == (1, 12):
        return str(start.year)
    if start.month == end.month:
        return f"{start.year}年{start.month}月"
    return f"{start.year}年{start.month}-{end.month}月"


def title_period(title: str | None, ref: dt.date | None, doc_type: str) -> Period | None:
    """The period a title names, when it is the period the document reports on.
    A work report's title year is its delivery year (it reviews the year
    before), so only a part-year span counts there."""
    if not title:
        return None
    found = None
    for m in period_mod.period_regex().finditer(title):
        p = period_mod.resolve(m, ref)
        if p is None or p.start is None or p.end is None:
            continue
        if found is not None and found.year_level and not p.year_level:
            p = period_mod.with_year(p, found.start.year)  # 2023年…上半年
        found = p if found is None or not p.year_level or p.months else found
    if found is None or (not found.year_level and ref is None):
        return None
    if not found.year_level:
        found = period_mod.with_year(found, ref.year)
    whole_year = found.start.month == 1 and found.end.month == 12 and found.start.year == found.end.year
    if whole_year and doc_type in ("work_report", "resolution"):
        return None
    return found


def text_period(text: str, ref: dt.date | None, doc_type: str, headings: frozenset[str] = frozenset()) -> Period | None:
    """A bulletin without a period in its title: the one part-year span its
    body states (前三季度 …, or 2月份 and 1-2月 together: the cumulative span),
    when it ended by the document's date. Section headings and table rows set
    their own scope, so they are not read. Reports and resolutions have a
    review and tasks of their own, so none is taken from their text."""
    if ref is None or doc_type in ("work_report", "resolution"):
        return None
    spans: set[tuple[dt.date, dt.date]] = set()
    for m in period_mod.period_regex().finditer(text):
        if _in_a_name(text, m.start()) or _outside_body(text, m.start(), headings):
            continue
        p = period_mod.resolve(m, ref)
        if p is None or p.start is None or p.end is None or p.to_date or not (p.months or p.days):
            continue
        if not p.year_level:
            p = period_mod.with_year(p, ref.year)
        if p.months == (1, 12):
            continue
        spans.add((p.start, p.end))
    if not spans:
        return _plan_span(text[:_OPENING], ref) or _one_year(text[:_OPENING], ref)
    if len({(end.year, end.month) for _start, end in spans}) != 1:
        return None
    start, end = min(spans)
    return Period("document", start, end) if end <= ref else None


def _plan_span(opening: str, ref: dt.date) -> Period | None:
    """A five-year summary (“十二五”期间,全市…; 十三五以来): the one plan period its
    opening names, ended by the document's date."""
    found = set()
    for m in period_mod.period_regex().finditer(opening):
        if m.group("plan") or m.group("plan2") or m.group("plan3"):
            p = period_mod.resolve(m, ref)
            if p is not None and p.is_span:
                found.add((p.start, p.end))
    if len(found) != 1:
        return None
    start, end = found.pop()
    return Period("document", start, end) if end <= ref else None


def _one_year(text: str, ref: dt.date) -> Period | None:
    """A text (no part-year span in it) that opens with a year (2015年,面对…) or
    whose opening names one year only, on a page of a later year: that year."""
    opens_with = OPENS_WITH_YEAR.match(text)
    years = years_named(text)
    if opens_with:  # 2015年,面对严峻复杂的外部环境…: the year the text opens with
        year = int(opens_with.group(1))
    elif len(years) == 1:
        year = years.pop()
    else:
        return None
    return period_mod.year_period(year) if year < ref.year else None


def _outside_body(text: str, at: int, headings: frozenset[str]) -> bool:
    """In a section heading or a table row."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    line = text[start:len(text) if end < 0 else end]
    return is_table_row(line, 0, len(line)) or ends_with_heading(line, headings)


def _in_a_name(text: str, at: int) -> bool:
    """Inside 《…》 (2022年全省城市管理工作检查考评方案 names a document)."""
    return text.rfind("《", 0, at) > text.rfind("》", 0, at)


def report_period(doc: Document) -> Document:
    """Pipeline component: the document's own reporting period, from its title
    (or, without one, a title-like first line), else from its text, unless the
    user or a reader set it."""
    if doc.report_period_start is None:
        ref = doc.reference_date
        title = doc.title or _title_like(doc.text.split("\n", 1)[0])
        found = title_period(title, ref, doc.doc_type)
        if found is not None and title and not _YEAR.search(title):
            found = _year_from_opening(found, doc.text[:_OPENING]) or found
        if found is not None and _year_not_over(found, ref, title):
            found = None  # 关于2023年经济运行情况的分析 on 25 June: the body says which part of the year
        doc.report_period_from = "title"
        if found is None:
            headings = frozenset(s.heading for s in doc.sections if s.heading)
            found = text_period(doc.text, ref, doc.doc_type, headings)
            doc.report_period_from = "document"
        if found is not None:
            doc.report_period_start, doc.report_period_end = found.start, found.end
        else:
            doc.report_period_from = None
    return doc


_LAST_REVIEW_MONTH = 10  # a year's review written in November or December reports on the year


def _year_not_over(found: Period, ref: dt.date | None, title: str | None) -> bool:
    """A review whose title names a whole year, dated well before that year ends:
    it cannot report on the whole year."""
    whole_year = (found.start.month, found.start.day, found.end.month, found.end.day) == (1, 1, 12, 31)
    return bool(whole_year and ref is not None and ref.year == found.end.year and ref.month <= _LAST_REVIEW_MONTH
                and title and _doc_roles().review_document.search(title))


def _year_from_opening(found: Period, opening: str) -> Period | None:
    """A title without a year (水利上半年工作总结) on a page reposted years later:
    the opening's own year for the same span (现把2010年1~6月工作总结如下)."""
    for m in period_mod.period_regex().finditer(opening):
        p = period_mod.resolve(m, None)
        if p is not None and p.year_level and p.months == found.months and p.start and p.end:
            return p
    return None


def _title_like(line: str) -> str | None:
    return line if len(line) <= _TITLE_MAX and not _SENTENCE_PUNCT.search(line) else None


class SectionIndex:
    """The leaf section of a position, its role and its default period."""

    def __init__(self, doc: Document, ref: dt.date | None):
        self.ref = ref
        leaves = sorted(doc.leaf_sections(), key=lambda s: s.char_start)
        self.leaves = leaves
        self.starts = [s.char_start for s in leaves]
        self.by_id = {s.section_id: s for s in doc.sections}
        self.text = doc.text
        self.own_period = document_period(doc)
        self.own_period_from = doc.report_period_from or "title"
        self.title = doc.title
        self._defaults: dict[tuple[str, str], Scoped] = {}
        self._ahead: dict[str, bool] = {}

    def leaf(self, pos: int) -> Section | None:
        i = bisect.bisect_right(self.starts, pos) - 1
        if i >= 0 and self.leaves[i].char_start <= pos < self.leaves[i].char_end:
            return self.leaves[i]
        return None

    @cached_property
    def fallback(self) -> tuple[list[int], list[str]]:
        """Found only if a figure is outside a section with a role."""
        return fallback_roles(self.text)

    def role(self, pos: int, leaf: Section | None) -> str:
        if leaf is not None and leaf.role != "other":
            role = leaf.role
        elif self.fallback:
            i = bisect.bisect_right(self.fallback[0], pos) - 1
            role = self.fallback[1][max(i, 0)]
        else:
            role = "other"
        if role == "tasks" and self.reviews_results and not self._looks_ahead(leaf):
            return "review"
        return role

    @cached_property
    def reviews_results(self) -> bool:
        """The title says the document reports results (工作总结, 执行情况, 通报)."""
        return bool(self.title and _doc_roles().review_document.search(self.title))

    def _looks_ahead(self, leaf: Section | None) -> bool:
        """A heading of `leaf` or an ancestor speaks of what is to come (worked out once per leaf)."""
        key = leaf.section_id if leaf else ""
        if key not in self._ahead:
            self._ahead[key] = self._heading_looks_ahead(leaf)
        return self._ahead[key]

    def _heading_looks_ahead(self, leaf: Section | None) -> bool:
        node = leaf
        while node is not None:
            if node.heading and _doc_roles().future_heading.search(node.heading):
                return True
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        return False

    def default_period(self, leaf: Section | None, role: str) -> Scoped:
        """The period of a figure with no period phrase before it in its
        paragraph: its section heading's (or an ancestor's), else the document's own."""
        key = (leaf.section_id if leaf else "", role)
        if key not in self._defaults:
            self._defaults[key] = self._heading_period(leaf, role) or self._document_default(role)
        return self._defaults[key]

    def _document_default(self, role: str) -> Scoped:
        if self.own_period is not None and role != "tasks":
            return Scoped(self.own_period, self.own_period_from)
        fallback = period_mod.section_default(role, self.ref)
        return Scoped(fallback, "document" if fallback else None)

    def _heading_period(self, leaf: Section | None, role: str) -> Scoped | None:
        regex = period_mod.period_regex()
        year_in_effect = self._document_default(role).period
        node = leaf
        while node is not None:
            for m in regex.finditer(node.heading or ""):
                p = period_mod.resolve(m, self.ref)
                if p is None or not p.start or not p.end:
                    continue
                if not p.year_level:
                    if year_in_effect is None or year_in_effect.start is None:
                        continue
                    return Scoped(period_mod.with_year(p, year_in_effect.start.year), "heading")
                label = str(p.start.year) if p.start.year == p.end.year and p.months is None else p.label
                return Scoped(Period(label, p.start, p.end), "heading")
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        return None


def _phrase_source(phrase: tuple[int, int, object], text: str, clause_start: int, sent_start: int) -> str:
    """clause: in the figure's own clause; lead_in: a phrase standing as a clause
    of its own (截至7月底, …) or in an earlier sentence of the paragraph; sentence: else."""
    at, end = phrase[0], phrase[1]
    if at >= clause_start:
        return "clause"
    if at < sent_start or text[end:end + 1] in _LEAD_IN_ENDS:
        return "lead_in"
    return "sentence"


def period_at(start: int, line: Line, clause_start: int, sent_start: int, lines: Lines,
              default: Scoped, role: str) -> PhraseAt:
    """The nearest period phrase before `start` in its paragraph, else the default."""
    ref = lines.ref
    forward, review = role == "tasks", role == "review"
    line.periods_to(start)  # the phrases up to `start` are scanned, whoever asks
    line_start, periods = line.start, line.periods
    i = bisect.bisect_right(line.period_starts, start) - 1
    found = None
    base = None
    while i >= 0 and periods[i][0] >= line_start:
        a, b, m = periods[i]
        if b <= start:
            if a < sent_start and not _governs_later_sentences(a, b, line, lines.text):
                i -= 1
                continue
            if m.group("cmp") or m.group("frombase"):
                year = period_mod.base_year(m, ref)
                if year is not None and b == start and (m.group("frombase") or m.group("cmpof")):
                    return PhraseAt(Scoped(period_mod.year_period(year, m.group()), "clause"), True, None, True)
                if year is not None and base is None and a >= (clause_start if m.group("cmp") else sent_start):
                    base = year
                i -= 1
                continue
            p = lines.resolve(periods[i], forward, review)
            if p is not None:
                found = (i, p)
                break
        i -= 1
    if found is None:
        return PhraseAt(default, False, base, False)
    i, p = found
    source = _phrase_source(periods[i], lines.text, clause_start, sent_start)
    j = i - 1
    while base is None and j >= 0 and periods[j][0] >= sent_start:
        a, _b, m = periods[j]
        if m.group("frombase") or (m.group("cmp") and a >= clause_start):
            base = period_mod.base_year(m, ref)
        j -= 1
    if p.shift_years is not None or p.scope_part:
        governing = _governing_before(i, line, lines, default, forward, review)
        return PhraseAt(Scoped(_relative(p, governing), source), True, base, False)
    if p.to_date:
        p = _through_own_period(p, default)
    if not p.year_level:
        p = _placed_in_year(p, i, line, lines, default)
    if p.n_years:
        span = _span_of_n_years(p, i, line, lines, default, forward, review)
        if span is not None:
            return PhraseAt(Scoped(span, source), True, base, False)
    return PhraseAt(Scoped(p, source), True, base, False)


def _governs_later_sentences(at: int, end: int, line: Line, text: str) -> bool:
    """Whether the period phrase at `at` governs the sentences after its own:
    not after 其中 (其中,当月…。: a part of the sentence before), nor as a
    name's modifier (2009年一期工程…). Worked out once per phrase (every figure
    after it in the paragraph asks)."""
    if at not in line.governing:
        line.governing[at] = not _opens_breakdown(text, at, line.start) and _leads_its_sentence(at, end, line, text)
    return line.governing[at]


def _leads_its_sentence(at: int, end: int, line: Line, text: str) -> bool:
    """A phrase governs the sentences after its own only as a lead-in: followed by
    a comma or colon (2004年,…; 截至7月底,…) or opening its clause (初步核算,一季度全县…)."""
    if text[end:end + 1] in _LEAD_IN_ENDS:
        return True
    ends = line.clause_ends
    k = bisect.bisect_left(ends, at)
    own_start = ends[k - 1] + 1 if k > 0 else line.start
    return not text[own_start:at].strip()


def _opens_breakdown(text: str, at: int, line_start: int) -> bool:
    """The phrase at `at` follows a breakdown opener (其中,) in its clause."""
    before = text[max(line_start, at - 6):at].rstrip(",，、 ")
    return before.endswith(breakdown_openers())


@cache
def breakdown_openers() -> tuple[str, ...]:
    """其中: what opens a part of the whole just stated (figure_cues.yaml)."""
    return tuple(cues().spec["period"].get("breakdown_openers", ()))


def _governing_before(i: int, line: Line, lines: Lines, default: Scoped, forward: bool,
                      review: bool) -> Period | None:
    """The period governing the place of phrase `i` (for 去年同期, 当月)."""
    for j, q in _earlier_in_line(i, line, lines, forward, review):
        if q.start and q.end and q.shift_years is None and not q.scope_part:
            if q.to_date:
                q = _through_own_period(q, default)
            return _placed_in_year(q, j, line, lines, default) if not q.year_level else q
    return default.period


def _earlier_in_line(i: int, line: Line, lines: Lines, forward: bool = False, review: bool = False):
    """(index, period) of the period phrases before phrase `i` in its line, nearest first."""
    periods = line.periods
    for j in range(i - 1, -1, -1):
        if periods[j][0] < line.start:
            return
        q = lines.resolve(periods[j], forward, review)
        if q is not None:
            yield j, q


def _relative(p: Period, governing: Period | None) -> Period | None:
    if governing is None or governing.start is None or governing.end is None:
        return None
    end = governing.end
    if p.scope_part == "month":
        return Period(p.label, dt.date(end.year, end.month, 1), end, True, (end.month, end.month))
    if p.scope_part == "quarter":
        first = (end.month - 1) // 3 * 3 + 1
        return Period(p.label, dt.date(end.year, first, 1), end, True, (first, end.month))
    shift = p.shift_years or 0
    try:
        start = governing.start.replace(year=governing.start.year + shift)
        end = governing.end.replace(year=governing.end.year + shift)
    except ValueError:  # 29 February
        start = dt.date(governing.start.year + shift, governing.start.month, 28)
        end = dt.date(governing.end.year + shift, governing.end.month, 28)
    return Period(p.label, start, end, True, governing.months)


def _through_own_period(p: Period, default: Scoped) -> Period:
    """今年以来 in a bulletin titled 1-7月 and published in August: January through
    the period its title names, not through its publication date."""
    own = default.period
    if default.source != "title" or own is None or own.start is None or own.end is None or p.end is None:
        return p
    if own.start.year == p.start.year and own.end < p.end:
        return Period(p.label, p.start, own.end, True, to_date=True)
    return p


def _placed_in_year(p: Period, i: int, line: Line, lines: Lines, default: Scoped) -> Period:
    """A bare 上半年 / 1-8月 in the year named before it in the paragraph, else
    the default's year, else the document's."""
    year = None
    for _j, q in _earlier_in_line(i, line, lines):
        if q.year_level and q.start and q.end and q.start.year == q.end.year:
            year = q.start.year
            break
    if year is None and default.period is not None and default.period.start is not None:
        year = default.period.start.year
    if year is None and lines.ref is not None:
        year = lines.ref.year
    return period_mod.with_year(p, year) if year is not None else p


def _span_of_n_years(p: Period, i: int, line: Line, lines: Lines, default: Scoped, forward: bool,
                     review: bool) -> Period | None:
    """五年合计, 这五年, 三年内 after a span of as many years named earlier: that span."""
    for _j, q in _earlier_in_line(i, line, lines, forward, review):
        if q.n_years is None and q.is_span and q.year_level:
            return q if span_years(q) == p.n_years else None
    d = default.period
    if d is not None and d.is_span and span_years(d) == p.n_years:
        return d
    return None


def span_years(p: Period) -> int:
    return p.end.year - p.start.year + 1


def enclosing_span(start: int, year: int, leaf: Section | None, lines: Lines, default: Scoped) -> Period | None:
    """The nearest span of several years ending in `year` named before `start`
    in the figure's section, else the section's own span (its heading's)."""
    floor = leaf.char_start if leaf is not None else 0
    for steps, phrase in enumerate(lines.periods_before(start, floor)):
        if phrase[0] < floor or steps >= _SPAN_LOOKBACK:
            break
        if phrase[1] <= start:
            p = lines.resolve(phrase)
            if p is not None and p.start and p.end and p.is_span and p.end.year == year and p.year_level:
                return p
    d = default.period
    if d is not None and d.start and d.end and d.is_span and d.end.year == year:
        return d
    return None


def point_in_span(period: Period, cue_words, measure: str, from_value: bool, own_cues: bool) -> Period:
    """A from-value (从3.16万亿元增加到…) is the year before the period; in a
    multi-year period, a level reached (达到, 增加到) is the last year's."""
    if from_value:
        return period_mod.year_period(period.start.year - 1)
    if period.end.year == period.start.year:
        return period
    verbs = [w for w in cue_words if w in cues().reached or measure_mod.classify(w)]
    if measure == "level" and own_cues and verbs and verbs[0] in cues().reached:
        return period_mod.year_period(period.end.year)
    return period


def figure_period(at: PhraseAt, *, start: int, leaf: Section | None, lines: Lines, default: Scoped,
                  measure: str, cue_words, from_value: bool, own_cues: bool) -> Scoped:
    """The period of a figure: the phrase that governs it, adjusted for what
    the figure says (an average over a span, a from-value, a growth since a base year)."""
    period, source = at.scoped.period, at.scoped.source
    if period is None or not period.start or not period.end or at.base_value:
        return at.scoped
    c = cues()
    per_year = measure == "avg_growth" or not c.yearly_words.isdisjoint(cue_words)
    if (per_year or from_value) and not period.is_span:
        # 2000年达89404亿元,平均每年增长8.3% under a “九五” heading: the span ending that year
        span = enclosing_span(start, period.end.year, leaf, lines, default)
        if span is not None:
            period = span
    period = point_in_span(period, cue_words, measure, from_value, own_cues)
    base = at.base
    if base is not None and measure in _CHANGES and period.start.year > base and period.end.year > base + 1:
        # 一九五七年…比一九五二年增长百分之六十八: the years after the base
        period = Period(f"{base + 1}-{period.end.year}", dt.date(base + 1, 1, 1), period.end)
    return Scoped(period, source)
