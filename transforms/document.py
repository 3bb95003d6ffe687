"""The objects that flow through the pipeline.

A reader turns the bytes of one file into `SourceText`s (or `Rejection`s). The
pipeline wraps each `SourceText` in a `Document` and every component adds one
layer to it: clean -> metadata -> structure -> segment -> metrics. The field
names of `Section`, `Metric` and `Term` are the warehouse's column names, so
the warehouse can write them without a mapping table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SourceText:
    """One document's text as read from a file, before any cleaning."""

    text: str
    source_format: str  # txt, md, html, docx, jsonl, pdf
    encoding: str | None = None  # what the bytes were decoded from (None for docx and pdf)
    source_record: int | None = None  # jsonl line number (1-based), else None
    # Metadata the user stated explicitly (jsonl fields, a metadata.csv row); beats anything inferred.
    meta: dict[str, Any] = field(default_factory=dict)
    # The file the text came from (a date in it is the last resort for the document's date).
    path: str | None = None
    pages: int | None = None  # a PDF's page count, else None


@dataclass
class Rejection:
    """Why an input (a file or one jsonl line) could not be read."""

    reason: str  # empty, binary, undecodable, corrupt, malformed_record, unreadable, ...
    detail: str
    source_record: int | None = None


@dataclass
class Section:
    doc_id: str
    section_id: str
    parent_id: str | None
    level: int
    ordinal: int
    marker: str
    heading: str
    path: str
    role: str
    char_start: int
    char_end: int
    text: str


@dataclass
class Term:
    doc_id: str
    section_id: str
    term: str
    count: int


@dataclass
class Metric:
    metric_id: str
    doc_id: str
    section_id: str | None
    char_start: int
    char_end: int
    sentence: str
    mention: str
    indicator: str | None
    indicator_key: str | None
    measure: str
    value: float | None
    value_low: float | None
    value_high: float | None
    bound: str
    unit: str | None
    value_base: float | None
    base_unit: str | None
    kind: str
    period_label: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    masked: bool
    # where the period came from: clause, sentence, lead_in, heading, title, document
    period_source: str | None = None


@dataclass
class Gap:
    """A stretch of the original the source left out (a preview's "此处省略N字")."""

    at: int  # offset in the cleaned text where the gap was
    chars: int


_REPOST_YEARS = 2  # a page dated this many years after the period its text reports on is a repost


@dataclass
class Document:
    source: SourceText
    # clean
    text: str = ""  # the cleaned, normalized text every offset refers to
    doc_id: str = ""
    published_at: dt.datetime | None = None
    declared_char_count: int | None = None
    is_truncated: bool = False
    gaps: list[Gap] = field(default_factory=list)
    chrome_removed_chars: int = 0  # characters removed as site chrome
    chrome_kept_chars: int | None = None  # characters after a footer kept: cutting them would drop much of the text
    masked_count: int = 0
    # metadata
    title: str | None = None
    issuer: str | None = None
    region: str | None = None
    doc_type: str = "other"
    delivered_on: dt.date | None = None
    year: int | None = None
    date_source: str | None = None  # input, text, title, path: where the date (or year) came from
    region_code: str | None = None  # 6-digit administrative division code
    region_level: str | None = None  # national, province, city, county, district, town
    # the period the document as a whole reports on (filled by the period work, not by metadata)
    report_period_start: dt.date | None = None
    report_period_end: dt.date | None = None
    report_period_from: str | None = None  # title, or document (its text); not a warehouse column
    # the period the document as a whole reports on (its title's 一季度, 1-8月, 上半年)
    report_period_start: dt.date | None = None
    report_period_end: dt.date | None = None
    report_period_from: str | None = None  # title, or document (its text); not a warehouse column
    # layers
    sections: list[Section] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)

    @property
    def omitted_chars(self) -> int | None:
        return sum(g.chars for g in self.gaps) if self.gaps else None

    @property
    def reference_date(self) -> dt.date | None:
        """The date relative periods (去年, 今年, 上半年) are resolved against."""
        dated = self.delivered_on or (self.published_at.date() if self.published_at else None)
        if dated and self.report_period_end and dated.year - self.report_period_end.year >= _REPOST_YEARS:
            # a page reposted years after the text (现把2010年1~6月工作总结如下 on a 2022 page):
            # the text speaks as of the end of the period it reports on
            return self.report_period_end
        if dated:
            return dated
        if self.year:
            if self.doc_type in ("work_report", "resolution"):
                return dt.date(self.year, 3, 5)  # a work report is delivered in March of its year
            # Any other text known only by its year (a bulletin, a summary) may
            # be from any month: its part-year spans are in that year, and what
            # it reports has happened by the year's end.
            return dt.date(self.year, 12, 31)
        return None

    def leaf_sections(self) -> list[Section]:
        parents = {s.parent_id for s in self.sections if s.parent_id}
        return [s for s in self.sections if s.section_id not in parents]
