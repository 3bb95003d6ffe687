"""Period: what time a figure is about, resolved against the document's own
date (Document.reference_date), never the run date. Cue words: figure_cues.yaml
`period`; conventions: docs/figures.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from transforms.metrics.cues import alternation, cues, fast


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date | None
    end: dt.date | None
    year_level: bool = True  # False for a bare 上半年 / 1-6月 (needs a year)
    months: tuple[int, int] | None = None
    # N of a relative N-year phrase (过去五年, 三年内, 五年合计): a span of N years
    # named earlier in the paragraph or the section heading takes its place.
    n_years: int | None = None
    # Relative to the period in scope, resolved by scope.py: 去年同期 is the
    # same span `shift_years` earlier, 当月/本季度 the last month or quarter of the span.
    shift_years: int | None = None
    scope_part: str | None = None  # month, quarter
    days: tuple[int, int, int, int] | None = None  # month, day .. month, day of a day range
    to_date: bool = False  # 今年以来, 截至目前: through the document's date (or its own period's end)

    @property
    def is_span(self) -> bool:
        return bool(self.start and self.end and self.start.year != self.end.year)


_CN_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_CN_YEAR = "[一二][九〇○零][〇○零一二三四五六七八九]{2}"  # 一九八○: ○ (U+25CB) as zero in old reports
_CN_SMALL = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_MONTHS = re.compile(r"(\d{1,2})(?:月份?)?(?:-|—|–|~|〜|至|到)(\d{1,2})月")
_ONE_MONTH = re.compile(r"(\d{1,2})月份?$")
_CN_MONTH_COUNT = {**_CN_SMALL, "十一": 11, "十二": 12}


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@lru_cache(maxsize=1024)  # a Period is immutable: figures of the same year share one
def year_period(year: int, label: str | None = None) -> Period:
    return Period(label or str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))


@dataclass(frozen=True)
class _Spec:
    regex: re.Pattern
    relative: dict[str, int]
    sub: dict[str, tuple[int, int]]
    plans: dict[str, int]
    ordinal_plans: dict[str, int]


@cache
def _spec() -> _Spec:
    p = cues().spec["period"]
    sub = {k: (int(v[0]), int(v[1])) for k, v in p["sub_year"].items()}
    sub_alt = alternation(sub)
    months = r"\d{1,2}(?:月份?)?(?:-|—|–|~|〜|至|到)\d{1,2}月份?"
    subx = f"(?:{sub_alt}|{months}|{p['single_month'].replace('?P<mon>', '')})"
    plans = {str(k): int(v) for k, v in p["plans"].items()}
    nb = p["not_before"]
    short_plans = [k for k in plans if len(k) == 2]  # 十五, 九五: also plain numbers
    long_plans = [k for k in plans if len(k) > 2]
    ordinal = {str(k): int(v) for k, v in p["ordinal_plans"].items()}
    cy = _CN_YEAR
    tail = f"(?:{p['span_tail']})?"
    after_plan = r"(?:(?:计划|规划)(?:期间|时期)(?:内)?|(?!”?(?:规划|计划|纲要))(?:期间|时期|以来|末)?)"
    base_of = (
        rf"(?:“?(?:{alternation(plans)})”?(?:计划|规划)?(?:期间|时期)?"
        rf"|第[{''.join(ordinal)}]个五年计划(?:期间|时期)?"
        rf"|(?:19|20)\d\d年(?:度|底|末)?(?:{subx})?|{cy}年(?:度|底|末)?"
        # a part-year base (比1—9月份加快, 较上年同期提高, 比一季度回落): no period either
        rf"|{subx}|(?:去年|上年)同期|上月|上季度)"
    )
    regex = (
        rf"(?P<yrange>(?P<ya>(?:19|20)\d\d)年?(?:到|至|-|—|–|~)(?P<yb>(?:19|20)\d\d)年{tail})"
        rf"|(?P<cyrange>(?P<cya>{cy})年?(?:到|至|-|—|–|~)(?P<cyb>{cy})年{tail})"
        rf"|(?P<compare>{p['compare_years']})"
        # a comparison base (比1995年, 比“八五”时期) or a from-value's year (由1997年的)
        # a base shared by two figures (较1—9月份和上年同期提高0.1和1.2个百分点) is two bases
        rf"|(?P<cmp>{p['compare_words']}{base_of}(?:[和及、]{base_of})?(?P<cmpof>的)?(?:相比|比较)?)"
        rf"|(?P<frombase>{p['from_words']}(?:(?:19|20)\d\d|{cy}|上|去)年(?:底|末)?的)"
        rf"|(?P<since>(?:19|20)\d\d)年(?:以来|来)"
        rf"|(?P<oplan>第(?P<onum>[{''.join(ordinal)}])个五年(?:计划(?:的)?(?:(?:期间|时期)(?:内)?|前(?P<opfirst>[一二三四两])年)"
        rf"|(?:期间|时期|合计|内|中)))"
        # a plan's name (“十二五”规划) is no period; the plan's years are
        rf"|“?(?P<plan>{alternation(long_plans)})”?{after_plan}"
        rf"(?:前(?P<pfirst>[一二三四两])年(?:累计)?)?"
        rf"|“(?P<plan2>{alternation(short_plans)})”(?:(?:计划|规划)(?:期间|时期)(?:内)?|(?!(?:规划|计划|纲要))(?:期间|时期)?)"
        rf"|(?P<plan3>{alternation(short_plans)})(?:计划|规划)?(?:期间|时期)"
        rf"|(?P<days>{p['day_range']})"
        rf"|(?P<tomonth>{p['to_month_end']})"
        rf"|(?P<firstm>{p['first_months']})"
        rf"|(?P<fromjan>{p['from_january']})"
        rf"|(?P<monthend>{p['month_end']})"
        rf"|(?<!{nb})(?P<year>(?:19|20)\d\d)年(?:度)?(?P<ysub>{subx})?"
        rf"|(?<!{nb})(?P<cyear>{cy})年(?:度)?(?P<cysub>{subx})?"
        rf"|(?P<todate>{alternation(p['to_date'])})"
        rf"|(?P<five>{alternation(p['five_years'])})"
        rf"|(?<![第十一二三四五六七八九0-9续])(?P<within>{p['within_years']})"
        rf"|(?P<past>{p['past_years']})"
        rf"|(?P<next>{p['next_years']})"
        rf"|(?<!{nb})(?P<sameago>{alternation(p['same_span_last_year'])})"
        rf"|(?P<scopepart>{alternation(p['scope_parts'])})"
        rf"|(?<!{nb})(?P<rel>{alternation(p['relative_years'])})(?!均)(?P<rsub>{subx})?"
        rf"|(?P<whole>{alternation(p['whole_year'])})"
        rf"|(?P<sub>{subx})"
    )
    return _Spec(fast(regex), {str(k): int(v) for k, v in p["relative_years"].items()}, sub, plans, ordinal)


def period_regex() -> re.Pattern:
    return _spec().regex


def _months(m: re.Match, group: str) -> tuple[int, int] | None:
    text = m.group(group)
    if not text:
        return None
    spec = _spec()
    if text in spec.sub:
        return spec.sub[text]
    found = _MONTHS.match(text)
    if not found:
        single = _ONE_MONTH.match(text)
        month = int(single.group(1)) if single else 0
        return (month, month) if 1 <= month <= 12 else None
    a, b = int(found.group(1)), int(found.group(2))
    if 1 <= a <= b <= 12:
        return a, b
    return None


def _within(year: int, months: tuple[int, int], label: str) -> Period:
    return Period(label, dt.date(year, months[0], 1), month_end(year, months[1]), True, months)


def resolve(m: re.Match, ref: dt.date | None, forward: bool = False, review: bool = False) -> Period | None:
    """The period a matched phrase stands for, or None if it needs a date we lack.

    Once per wording and date: a bulletin names 1-6月 or 2023年 again and again,
    and the answer depends only on the match's text and groups (Periods are frozen)."""
    wording = (m.group(), m.groups(), ref, forward, review)
    found = _RESOLVED.get(wording, _UNRESOLVED)
    if found is _UNRESOLVED:
        if len(_RESOLVED) >= _RESOLVED_MAX:
            _RESOLVED.clear()  # a long-running worker meets ever new dates
        found = _RESOLVED[wording] = _resolve(m, ref, forward, review)
    return found


_RESOLVED: dict[tuple, Period | None] = {}
_RESOLVED_MAX = 100_000
_UNRESOLVED = object()


def _resolve(m: re.Match, ref: dt.date | None, forward: bool, review: bool) -> Period | None:
    label = m.group().replace("“", "").replace("”", "")
    spec = _spec()
    if m.group("cmp") or m.group("frombase"):
        return None  # a base, no period of the figures after it (see `base_of`)
    if m.group("yrange") or m.group("cyrange"):
        if m.group("yrange"):
            a, b = int(m.group("ya")), int(m.group("yb"))
        else:
            a, b = (int(m.group(g).translate(_CN_YEAR_DIGITS)) for g in ("cya", "cyb"))
        if a > b:
            return None
        return Period(label, dt.date(a, 1, 1), dt.date(b, 12, 31))
    if m.group("compare"):
        a, b = int(m.group("cy0")) + 1, int(m.group("cy1"))
        if a > b:
            return None
        return Period(label, dt.date(a, 1, 1), dt.date(b, 12, 31))
    if m.group("since"):
        start = dt.date(int(m.group("since")), 1, 1)
        return Period(label, start, ref if ref and ref > start else None)
    if m.group("oplan"):
        first = spec.ordinal_plans[m.group("onum")]
        years = _CN_SMALL.get(m.group("opfirst") or "", 5)
        return Period(label, dt.date(first, 1, 1), dt.date(first + years - 1, 12, 31))
    plan = m.group("plan") or m.group("plan2") or m.group("plan3")
    if plan:
        first = spec.plans[plan]
        years = _CN_SMALL.get(m.group("pfirst") or "", 5) if m.group("plan") else 5
        if label.endswith("末"):  # 到“十二五”末: the plan's last year
            return year_period(first + years - 1, label)
        return Period(label, dt.date(first, 1, 1), dt.date(first + years - 1, 12, 31))
    if m.group("days"):
        return _day_range(m, label, ref)
    if m.group("tomonth") or m.group("firstm") or m.group("fromjan") or m.group("monthend"):
        return _first_months(m, label, ref)
    if m.group("cyear"):  # 一九八三年
        year = int(m.group("cyear").translate(_CN_YEAR_DIGITS))
        months = _months(m, "cysub")
        return _within(year, months, label) if months else year_period(year, label)
    if m.group("year"):
        year = int(m.group("year"))
        months = _months(m, "ysub")
        return _within(year, months, label) if months else year_period(year, label)
    if ref is None:
        return None
    if m.group("todate"):
        return Period(label, dt.date(ref.year, 1, 1), ref, to_date=True)
    if m.group("within"):  # 三年内: the N years from the document's year (in a review: before it)
        n = _CN_SMALL[m.group("n4")]
        if not review:
            return Period(label, dt.date(ref.year, 1, 1), dt.date(ref.year + n - 1, 12, 31), n_years=n)
        return Period(label, dt.date(ref.year - n, 1, 1), dt.date(ref.year - 1, 12, 31), n_years=n)
    if m.group("past"):
        n = _CN_SMALL[m.group("n1") or m.group("n2")]
        if forward and m.group("n2") and not m.group().endswith(("来", "间")):  # a bare 五年 among a plan's tasks
            return Period(label, dt.date(ref.year, 1, 1), dt.date(ref.year + n - 1, 12, 31), n_years=n)
        return Period(label, dt.date(ref.year - n, 1, 1), dt.date(ref.year - 1, 12, 31), n_years=n)
    if m.group("next"):
        n = _CN_SMALL[m.group("n3")]
        return Period(label, dt.date(ref.year, 1, 1), dt.date(ref.year + n - 1, 12, 31), n_years=n)
    if m.group("sameago"):
        return Period(label, None, None, False, shift_years=-1)
    if m.group("scopepart"):
        return Period(label, None, None, False, scope_part=cues().spec["period"]["scope_parts"][m.group("scopepart")])
    if m.group("whole"):
        return Period(label, dt.date(ref.year, 1, 1), dt.date(ref.year, 12, 31), False, (1, 12))
    if m.group("five"):
        return Period(label, dt.date(ref.year - 5, 1, 1), dt.date(ref.year - 1, 12, 31), n_years=5)
    if m.group("rel"):
        year = ref.year + spec.relative[m.group("rel")]
        months = _months(m, "rsub")
        return _within(year, months, label) if months else year_period(year, label)
    months = _months(m, "sub")
    if months:
        # a bare 上半年: the year comes from the context (see `with_year`)
        return Period(label, dt.date(ref.year, months[0], 1), month_end(ref.year, months[1]), False, months)
    return None


def _first_months(m: re.Match, label: str, ref: dt.date | None) -> Period | None:
    """截至7月底, 前8月, 元至5月: January through month N (of the year named, else
    placed in the year in effect by `with_year`)."""
    raw = m.group("tm") or m.group("fj") or m.group("fm") or m.group("me")
    n = int(raw) if raw.isdigit() else _CN_MONTH_COUNT.get(raw, 0)
    if not 1 <= n <= 12:
        return None
    day = int(m.group("tmd")) if m.group("tomonth") and m.group("tmd") else None
    if day is not None and not 1 <= day <= 31:
        return None
    if m.group("tmy"):
        year = int(m.group("tmy"))
        if day is not None:
            return _through_day(label, year, n, day, True)
        return _within(year, (1, n), label)
    if ref is None:
        return None
    if day is not None:
        return _through_day(label, ref.year, n, day, False)
    return Period(label, dt.date(ref.year, 1, 1), month_end(ref.year, n), False, (1, n))


def _through_day(label: str, year: int, month: int, day: int, year_level: bool) -> Period | None:
    """January 1 through a day (截止10月1日), placed in its year by `with_year` if need be."""
    try:
        end = dt.date(year, month, day)
    except ValueError:
        return None
    return Period(label, dt.date(year, 1, 1), end, year_level, days=(1, 1, month, day))


def _day_range(m: re.Match, label: str, ref: dt.date | None) -> Period | None:
    """1月1日至5月20日, 5月13日-19日: those days."""
    m1, d1, d2 = int(m.group("dm1")), int(m.group("dd1")), int(m.group("dd2"))
    m2 = int(m.group("dm2") or m1)
    year = int(m.group("dy")) if m.group("dy") else (ref.year if ref else None)
    if year is None:
        return None
    try:
        start, end = dt.date(year, m1, d1), dt.date(year, m2, d2)
    except ValueError:
        return None
    if end < start:
        return None
    return Period(label, start, end, bool(m.group("dy")), days=(m1, d1, m2, d2))


_BASE_YEAR = re.compile(r"(?:19|20)\d\d(?=年)")
_BASE_CN_YEAR = re.compile(f"{_CN_YEAR}(?=年)")


def base_year(m: re.Match, ref: dt.date | None) -> int | None:
    """The year of a comparison base or from-value phrase (比一九五二年, 由1997年的),
    None for a span (比“八五”时期) or a relative year (比上年: the year before the figure's)."""
    text = m.group("cmp") or m.group("frombase")
    if not text:
        return None
    found = _BASE_YEAR.search(text)
    if found:
        return int(found.group())
    found = _BASE_CN_YEAR.search(text)
    if found:
        return int(found.group().translate(_CN_YEAR_DIGITS))
    if m.group("frombase") and ref is not None and text[1] in "上去":
        return ref.year - 1
    return None


@lru_cache(maxsize=1024)
def with_year(period: Period, year: int) -> Period:
    """A bare 上半年 placed in the year in effect where it is written."""
    if period.year_level:
        return period
    if period.days:
        m1, d1, m2, d2 = period.days
        return Period(period.label, dt.date(year, m1, d1), dt.date(year, m2, d2), True, days=period.days)
    if not period.months:
        return period
    a, b = period.months
    return Period(period.label, dt.date(year, a, 1), month_end(year, b), True, period.months)


def section_default(role: str, ref: dt.date | None) -> Period | None:
    """The period of a figure with no period phrase before it in its paragraph:
    a report's review covers the previous year (delivered in March), a mid-year
    speech's review the year so far; tasks are about the document's year."""
    if ref is None:
        return None
    if role == "review":
        if ref.month <= 4:
            return year_period(ref.year - 1)
        return Period(str(ref.year), dt.date(ref.year, 1, 1), ref)
    return year_period(ref.year)
