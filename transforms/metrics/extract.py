"""Extract every stated figure of a document as `Metric` records.

One compiled pattern finds the candidates (a number or placeholder, an
optional range end, the unit); the small modules beside this one decide
value, unit, bound, indicator, measure, kind and period from the text around
each. Pure: reads the Document, returns new records.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property

from transforms.clean import placeholder_spans
from transforms.document import Document, Metric, Section
from transforms.knowledge import load_yaml
from transforms.metrics import bounds, measure as measure_mod, numbers, period as period_mod
from transforms.metrics.cues import alternation, cues, fast
from transforms.metrics.indicator import (indicator_key, last_alias, names_nothing, split_indicator,
                                          split_plain_context)
from transforms.metrics.kind import kind_of
from transforms.metrics.units import split_unit, to_base, unit_table

_SENTENCE_END = re.compile(r"[。!?！？;；\n]")
_CLAUSE_END = re.compile(r"[。!?！？;；\n,，:：]")
_CONNECTORS = set("、和及与,，")
_LIST_SPLIT = re.compile(r"[、和与及]")


@dataclass(frozen=True)
class _Patterns:
    figure: re.Pattern
    not_figure: re.Pattern
    role_cues: tuple[tuple[str, re.Pattern], ...]
    review_line: re.Pattern


@cache
def _patterns() -> _Patterns:
    c = cues()
    unit = unit_table().regex
    scale = alternation(unit_table().scales)
    num = numbers.NUMBER
    more = "多|余"
    figure = (
        f"(?P<n1>{num})"
        f"(?:(?P<b1>{more})?(?P<u1>{unit})?(?P<sep>{c.range_separators})(?P<n2>{num}))?"
        f"(?P<between>{more})?(?P<unit>{unit}|{scale})?"
    )
    not_figure = "|".join(f"(?:{p})" for p in (c.not_figure_spans.pattern, c.set_phrases.pattern))
    roles = []
    for r in load_yaml("headings.yaml").get("roles", []):
        roles.append((r["role"], re.compile(alternation(r["cues"]))))
    return _Patterns(fast(figure), fast(not_figure), tuple(roles),
                     re.compile(c.spec["period"]["review_lines"]))


def metric_id(doc_id: str, start: int, end: int) -> str:
    return hashlib.sha256(f"{doc_id}:{start}:{end}".encode()).hexdigest()[:16]


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    parts, last = [], 0
    for a, b in spans:
        parts.append(text[last:a])
        parts.append("\x00" * (b - a))
        last = b
    parts.append(text[last:])
    return "".join(parts)


class _Line:
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

    def excluded(self, pos: int) -> bool:
        """Whether a not-figure span covers `pos`; asked in increasing `pos` order."""
        if self._not_figures is None:
            self._not_figures = _patterns().not_figure.finditer(self.work, self.start, self.end)
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
        return [m.start() for m in _SENTENCE_END.finditer(self.text, self.start, self.end)] + [self.end]

    @cached_property
    def clause_ends(self) -> list[int]:
        return [m.start() for m in _CLAUSE_END.finditer(self.text, self.start, self.end)] + [self.end]

    def periods_to(self, pos: int) -> _Line:
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


class _Lines:
    """The lines of a text, each made once; figures come in text order."""

    def __init__(self, text: str, work: str, ref: dt.date | None):
        self.text, self.work, self.ref = text, work, ref
        self._made: dict[int, _Line] = {}
        self._last: _Line | None = None
        self._resolved: dict[tuple[int, bool, bool], period_mod.Period | None] = {}
        self._resolved_text: dict[tuple, period_mod.Period | None] = {}

    def at(self, pos: int) -> _Line:
        last = self._last
        if last is not None and last.start <= pos <= last.end:
            return last
        start = self.text.rfind("\n", 0, pos) + 1
        line = self._made.get(start)
        if line is None:
            end = self.text.find("\n", pos)
            line = _Line(self.text, self.work, start, len(self.text) if end < 0 else end)
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
        """`period.resolve` of a period phrase, once per phrase: figures in a line
        look back at the same phrases; and once per wording (2002年, 今年 recur
        in a document): `resolve` reads only the match's text and groups."""
        key = (phrase[0], forward, review)
        if key not in self._resolved:
            m = phrase[2]
            wording = (m.group(), m.groups(), forward, review)
            if wording not in self._resolved_text:
                self._resolved_text[wording] = period_mod.resolve(m, self.ref, forward, review)
            self._resolved[key] = self._resolved_text[wording]
        return self._resolved[key]


def _fallback_roles(text: str) -> tuple[list[int], list[str]]:
    """Without sections (or in a leaf of role `other`): a short heading-like
    line with a role cue switches the role (首先报告2001年的工作 -> review)."""
    starts, roles = [0], ["other"]
    offset = 0
    pats = _patterns().role_cues
    review_line = _patterns().review_line
    for line in text.split("\n"):
        if 0 < len(line) <= 40 and line[-1] not in "。;；":
            found = "review" if review_line.search(line) else None
            for role, cue in pats:
                if found is None and cue.search(line):
                    found = role
            if found and found != roles[-1]:
                starts.append(offset)
                roles.append(found)
        offset += len(line) + 1
    return starts, roles


class _SectionIndex:
    def __init__(self, doc: Document, ref):
        self.ref = ref
        leaves = sorted(doc.leaf_sections(), key=lambda s: s.char_start)
        self.leaves = leaves
        self.starts = [s.char_start for s in leaves]
        self.by_id = {s.section_id: s for s in doc.sections}
        self.text = doc.text
        self._defaults: dict[str, period_mod.Period | None] = {}

    def leaf(self, pos: int) -> Section | None:
        i = bisect.bisect_right(self.starts, pos) - 1
        if i >= 0 and self.leaves[i].char_start <= pos < self.leaves[i].char_end:
            return self.leaves[i]
        return None

    @cached_property
    def fallback(self) -> tuple[list[int], list[str]]:
        """Found only if a figure is outside a section with a role."""
        return _fallback_roles(self.text)

    def role(self, pos: int, leaf: Section | None) -> str:
        if leaf is not None and leaf.role != "other":
            return leaf.role
        if self.fallback:
            i = bisect.bisect_right(self.fallback[0], pos) - 1
            return self.fallback[1][max(i, 0)]
        return "other"

    def default_period(self, leaf: Section | None, role: str) -> period_mod.Period | None:
        key = f"{leaf.section_id if leaf else ''}:{role}"
        if key in self._defaults:
            return self._defaults[key]
        found = None
        node = leaf
        regex = period_mod.period_regex()
        role_default = period_mod.section_default(role, self.ref)
        while node is not None and found is None:
            for m in regex.finditer(node.heading or ""):
                p = period_mod.resolve(m, self.ref)
                if p is not None and p.start and p.end:
                    if not p.year_level:
                        if role_default is None or role_default.start is None:
                            continue
                        p = period_mod.with_year(p, role_default.start.year)
                        found = p
                    else:
                        found = period_mod.Period(
                            str(p.start.year) if p.start.year == p.end.year and p.months is None else p.label,
                            p.start, p.end)
                    break
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        if found is None:
            found = role_default
        self._defaults[key] = found
        return found


def extract_metrics(doc: Document) -> list[Metric]:
    text = doc.text
    if not text:
        return []
    pats = _patterns()
    c = cues()
    ut = unit_table()
    ref = doc.reference_date
    work = _blank(text, placeholder_spans(text))
    lines = _Lines(text, work, ref)
    sections = _SectionIndex(doc, ref)
    period_re = period_mod.period_regex()

    out: list[Metric] = []
    # the previous figure, for carrying the indicator and cue words over
    prev_end = -1
    prev_indicator: str | None = None
    prev_cue_words: tuple[str, ...] | list[str] = ()
    prev_respective = -1
    for m in pats.figure.finditer(work):
        # most candidates have no unit: skip them first, cheapest tests first
        unit, n1 = m.group("unit"), m.group("n1")
        if unit is None:
            unit = m.group("u1")
            if unit is None and (numbers.is_masked(n1) or "分之" not in n1):
                continue  # neither a unit nor a fraction
        start = m.start()
        before_char = work[start - 1] if start else ""
        if before_char.isascii() and (before_char.isalnum() or before_char in "._-/") and before_char != "":
            continue
        prefix = work[max(0, start - 8):start]
        if prefix.endswith(c.not_before):
            continue
        line = lines.at(start)
        if line.excluded(start):
            continue
        n2 = m.group("n2")
        masked = numbers.is_masked(n1)
        fraction = not masked and ("分之" in n1)
        is_chinese = not masked and not fraction and not n1[0].isdigit()
        unit_end = m.end()
        scale_in_unit, bare = split_unit(unit) if unit else ("", None)
        if unit and unit in ut.scales:  # a bare scale word: 3200万(孩子)
            scale_in_unit, bare = unit, ""
        # -- values
        value = low = high = None
        if masked:
            pass
        elif fraction:
            parsed = numbers.parse_fraction(n1)
            if parsed is None:
                continue
            value, is_percent = parsed
            if is_percent and unit is None:
                unit, bare = "%", "%"
        elif is_chinese:
            if len(n1) == 1 and (bare in ut.weak_after_chinese_digit or bare == "成") and not scale_in_unit:
                if n1 == "一" and bare not in ("倍", "番"):
                    continue  # 一个, 一项, 一批: an article, not a count
                if not prefix.endswith(c.count_cues):
                    if bare != "成" or not re.match(r"(?:以上|左右|以下|多|[,，。、;；的])", work[unit_end:unit_end + 2]):
                        continue
            value = _chinese_value(n1, unit, scale_in_unit)
            if value is None:
                continue
            if not scale_in_unit:
                head, s = numbers.split_scale(n1, numbers.CN_SCALES)
                if s and bare is not None:
                    unit = s + unit
                    scale_in_unit = s
        else:
            value = numbers.parse_arabic(n1)
        if n2 is not None:
            low = value
            if n2[0].isdigit():
                high = numbers.parse_arabic(n2)
            elif numbers.is_masked(n2):
                high = None
            else:
                high = _chinese_value(n2, unit, scale_in_unit)
            value = None
        else:
            low = high = value

        # -- context: sentence, clause, indicator
        sentence_ends, clause_ends = line.sentence_ends, line.clause_ends
        line.periods_to(start)
        si = bisect.bisect_left(sentence_ends, start)
        sent_start = sentence_ends[si - 1] + 1 if si > 0 else line.start
        sent_end = sentence_ends[si]
        ci = bisect.bisect_left(clause_ends, start)
        clause_start = clause_ends[ci - 1] + 1 if ci > 0 else line.start
        same_sentence = prev_end > sent_start
        ctx_start = max(clause_start, prev_end) if same_sentence else clause_start
        # text before the number without the bound word (约, 超过) right before it
        context = text[ctx_start:start]
        percent_unit = bare in measure_mod.PERCENT_UNITS
        share_of_whole = False
        if percent_unit:  # 增加到全国人口的72%: a share of the whole named before it
            found = c.share_of_whole.search(context)
            if found and not period_re.search(found.group()):
                share_of_whole = True
                context = context[:found.start() + 1]
        if _period_starts_within(line.period_starts, ctx_start, start):
            indicator, cue_words = split_indicator(context, period_re, line.period_ends, ctx_start)
        else:  # no period phrase to strip: the same split as for any other figure with this context
            indicator, cue_words = split_plain_context(context)
        if indicator and names_nothing(indicator, period_re):
            indicator = ""  # 到2002年, 分别比1995年, 考虑价格下降因素: the indicator carries over
        carried = False
        own_cues = True
        respective = 0
        if (not indicator or set(indicator) <= _CONNECTORS) and same_sentence:
            indicator = prev_indicator
            carried = True
            respective = prev_respective + 1 if prev_respective >= 0 else -1
            if not [w for w in cue_words if w not in _CONNECTORS] and prev_cue_words:
                cue_words = prev_cue_words
                own_cues = False
        elif not indicator:
            # 国内生产总值持续增长,到2002年达到10.2万亿元: the catalog name before it in the sentence
            indicator = None
            if ctx_start > sent_start:
                indicator = last_alias(text[sent_start:ctx_start])
                if indicator is None:
                    # 现代工业…所占的比重,已由一九五二年的…: a noun phrase in the clause before
                    pi = bisect.bisect_left(clause_ends, clause_start - 1)
                    prev_start = clause_ends[pi - 1] + 1 if pi > 0 else line.start
                    phrase, words = split_plain_context(text[max(prev_start, sent_start):clause_start - 1])
                    if phrase and not words and len(phrase) <= 30 and not names_nothing(phrase, period_re):
                        indicator = phrase
        if (same_sentence and not carried and not cue_words and len(indicator or "") <= 8
                and not text[prev_end:ctx_start].strip(",，、 ")):
            # 大约损失工业总产值一千亿元,钢产量二千八百万吨: the verb governs the list
            cue_words = _lead_down_words(prev_cue_words) or cue_words
        if indicator and len(indicator) > 30:
            indicator = indicator[-30:]
        if not carried:
            respective = 0 if "分别" in cue_words else -1
        named = indicator
        if respective >= 0 and indicator:
            parts = [p for p in _LIST_SPLIT.split(indicator) if p]
            if len(parts) > 1:
                named = parts[min(respective, len(parts) - 1)]
                if respective == 0 and not indicator_key(parts[0]) and indicator_key(parts[-1]):
                    # 化学需氧量、二氧化硫排放总量: the shared head is at the end
                    named = parts[0]
        key = indicator_key(named)
        if masked and indicator and "\x00" in indicator:
            indicator = indicator.replace("\x00", "")

        measure, sign = measure_mod.measure_of(cue_words, bare, named)
        if share_of_whole:
            measure, sign = "share", 1
        if sign < 0:
            value = -value if value is not None else None
            low = -low if low is not None else None
            high = -high if high is not None else None
            if low is not None and high is not None and low > high:
                low, high = high, low

        # -- period
        leaf = sections.leaf(start)
        role = sections.role(start, leaf)
        default = sections.default_period(leaf, role)
        period, explicit, base, base_value = _period_at(start, line, clause_start, sent_start, lines,
                                                        ref, default, role)
        from_value = base_value or text[max(0, start - 1):start] in _FROM
        if period is not None and period.start and period.end and not base_value:
            per_year = measure == "avg_growth" or any(w in c.per_year or w in c.avg_growth for w in cue_words)
            if (per_year or from_value) and not period.is_span:
                # 2000年达89404亿元,平均每年增长8.3% under a “九五” heading: the span ending that year
                span = _enclosing_span(start, period.end.year, leaf, lines, default)
                if span is not None:
                    period = span
            period = _point_in_span(period, cue_words, measure, from_value, own_cues)
            if (base is not None and measure in _CHANGES and period.start.year > base
                    and period.end.year > base + 1):
                # 一九五七年…比一九五二年增长百分之六十八: the years after the base
                period = period_mod.Period(f"{base + 1}-{period.end.year}", dt.date(base + 1, 1, 1), period.end)

        # -- bound and kind
        after = bounds.bound_after(work, unit_end)
        between = m.group("between") or m.group("b1")
        before = bounds.bound_before(work[max(0, start - 4):start])
        if before is None and any(w in c.leading_approx for w in cue_words):
            before = "approx"  # 大约损失工业总产值一千亿元
        capped = bounds.is_capped(work[max(0, start - 4):start])
        clause_before = text[clause_start:start]
        kind = kind_of(role=role, sentence_before=text[sent_start:start], clause_before=clause_before,
                       sentence_after=text[unit_end:sent_end], from_value=from_value,
                       bare_unit=bare, indicator_key=key, measure=measure,
                       bound="approx" if after == "approx" or before == "approx" else "eq",
                       period_end=period.end if period else None, ref=ref, explicit_period=explicit,
                       sentence_outside_aliases=None,  # strip_aliases(sentence_before), if needed
                       clause_after=text[unit_end:clause_ends[ci]])
        bound = bounds.decide(is_range=n2 is not None, between=between, after=after, before=before,
                              capped=capped, is_target=kind == "target")

        # -- scaling
        if bare == "" and scale_in_unit:
            value_base = float(f"{value * ut.scales[scale_in_unit]:.12g}") if value is not None else None
            base_unit = None
        else:
            value_base, base_unit = to_base(value, unit)
        end = unit_end
        mention = text[start:end]
        out.append(Metric(
            metric_id=metric_id(doc.doc_id, start, end),
            doc_id=doc.doc_id,
            section_id=leaf.section_id if leaf else None,
            char_start=start,
            char_end=end,
            sentence=text[sent_start:sent_end].strip(),
            mention=mention,
            indicator=named,
            indicator_key=key,
            measure=measure,
            value=None if masked else value,
            value_low=None if masked else low,
            value_high=None if masked else high,
            bound=bound,
            unit=unit,
            value_base=None if masked else value_base,
            base_unit=base_unit,
            kind=kind,
            period_label=period.label if period else None,
            period_start=period.start if period else None,
            period_end=period.end if period else None,
            masked=masked,
        ))
        prev_end, prev_indicator, prev_cue_words, prev_respective = end, indicator, cue_words, respective
    return out


def _lead_down_words(cue_words) -> list[str]:
    """A loss verb (损失) among the cue words, with an approximation word (大约):
    the cue words that the figures listed after it share."""
    c = cues()
    if not any(w in c.lead_down for w in cue_words):
        return []
    return [w for w in cue_words if w in c.lead_down or w in c.leading_approx]


def _period_starts_within(period_starts: list[int], a: int, b: int) -> bool:
    """Whether a period phrase (of those scanned, starts in order) starts in [a, b)."""
    i = bisect.bisect_left(period_starts, a)
    return i < len(period_starts) and period_starts[i] < b


def _chinese_value(token: str, unit: str | None, scale_in_unit: str) -> float | None:
    ut = unit_table()
    if scale_in_unit:
        return numbers.chinese_in_scale(token, scale_in_unit, ut.scales[scale_in_unit])
    head, scale = numbers.split_scale(token, numbers.CN_SCALES)
    if scale:
        return numbers.chinese_in_scale(head, scale, ut.scales[scale])
    return numbers.parse_chinese(token)


_FROM = ("从", "由")
_CHANGES = frozenset({"growth", "change", "avg_growth", "pp_change"})
_SPAN_LOOKBACK = 80  # period phrases looked at for an enclosing span


def _point_in_span(period, cue_words, measure, from_value, own_cues):
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


def _span_years(p) -> int:
    return p.end.year - p.start.year + 1


def _enclosing_span(start, year, leaf, lines, default):
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
    if default is not None and default.start and default.end and default.is_span and default.end.year == year:
        return default
    return None


def _period_at(start, line, clause_start, sent_start, lines, ref, default, role):
    """The nearest period phrase before `start` in its paragraph, else the default.

    Returns (period, explicit, base, base_value): `base` is the year of a
    comparison base in the figure's clause (比一九五二年) or of a from-value in
    its sentence (由一九八○年的X增加到…,平均每年递增6%), `base_value` is True
    when the figure is the base's own value (比一九五二年的X, 由1997年的X)."""
    forward, review = role == "tasks", role == "review"
    line_start, periods = line.start, line.periods
    i = bisect.bisect_right(line.period_starts, start) - 1
    found = None
    base = None
    while i >= 0 and periods[i][0] >= line_start:
        a, b, m = periods[i]
        if b <= start:
            if m.group("cmp") or m.group("frombase"):
                year = period_mod.base_year(m, ref)
                if year is not None and b == start and (m.group("frombase") or m.group("cmpof")):
                    return period_mod.year_period(year, m.group()), True, None, True
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
        return default, False, base, False
    i, p = found
    j = i - 1
    while base is None and j >= 0 and periods[j][0] >= sent_start:
        a, _b, m = periods[j]
        if m.group("frombase") or (m.group("cmp") and a >= clause_start):
            base = period_mod.base_year(m, ref)
        j -= 1
    if not p.year_level:
        year = None
        j = i - 1
        while j >= 0 and periods[j][0] >= line_start:
            q = lines.resolve(periods[j])
            if q is not None and q.year_level and q.start and q.end and q.start.year == q.end.year:
                year = q.start.year
                break
            j -= 1
        if year is None and default is not None and default.start is not None:
            year = default.start.year
        if year is None and ref is not None:
            year = ref.year
        if year is not None:
            p = period_mod.with_year(p, year)
    if p.n_years:
        # 五年合计, 这五年, 三年内 after a span of as many years named earlier: that span
        j = i - 1
        while j >= 0 and periods[j][0] >= line_start:
            q = lines.resolve(periods[j], forward, review)
            if q is not None and q.n_years is None and q.is_span and q.year_level:
                if _span_years(q) == p.n_years:
                    return q, True, base, False
                break
            j -= 1
        if default is not None and default.is_span and _span_years(default) == p.n_years:
            return default, True, base, False
    return p, True, base, False
