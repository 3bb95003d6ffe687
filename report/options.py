"""What a report covers: the command line's choices, checked once."""

from __future__ import annotations

from dataclasses import dataclass, field

PAGES = ("overview", "progress", "regions")
TITLES = {"overview": "speech-etl progress report", "progress": "speech-etl progress toward the year's targets",
          "regions": "speech-etl regions compared"}


@dataclass(frozen=True)
class ReportOptions:
    issuer: str | None = None  # None: every issuer (documents without one included)
    indicators: tuple[str, ...] = ()  # empty: the indicators that have figures, most figures first
    year_from: int | None = None
    year_to: int | None = None
    # two documents (doc_id or a unique prefix) or periods ("2010", "2006-2010") to compare terms
    compare: tuple[str, str] | None = None
    max_default_indicators: int = 6
    top_terms: int = 15
    title: str | None = None  # None: the page's own title
    # which page: the overview (charts, targets, terms), an issuer's progress
    # toward a year's targets, or one indicator across the regions of a level
    page: str = "overview"
    year: int | None = None  # progress: the year (default the latest with part-year figures beside targets)
    level: str | None = None  # regions: region_level (city, county, ...; default the one most regions state)
    measure: str | None = None  # regions: growth, level, ... (default the one most regions state)
    span: str | None = None  # regions: year, half, months, ... (default year, else the one most regions state)

    def __post_init__(self) -> None:
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise ValueError(f"--from {self.year_from} is after --to {self.year_to}")
        if self.page not in PAGES:
            raise ValueError(f"--page {self.page}: choose one of {', '.join(PAGES)}")
        if self.page == "progress" and not self.issuer:
            raise ValueError("--page progress needs --issuer NAME (and takes --year YEAR)")
        if self.page == "regions" and len(self.indicators) > 1:
            raise ValueError(f"--page regions charts one indicator; got {len(self.indicators)}: "
                             f"{' '.join(self.indicators)}")
        if self.title is None:
            object.__setattr__(self, "title", TITLES[self.page])

    @property
    def scope_text(self) -> str:
        """The filters in words, for headings and the no-data messages."""
        who = f"issuer {self.issuer}" if self.issuer else "all issuers"
        if self.year_from is not None and self.year_to is not None:
            when = f"{self.year_from}–{self.year_to}"
        elif self.year_from is not None:
            when = f"from {self.year_from}"
        elif self.year_to is not None:
            when = f"up to {self.year_to}"
        else:
            when = "all years"
        return f"{who}, {when}"


def parse_period(text: str) -> tuple[int, int] | None:
    """'2010' -> (2010, 2010); '2006-2010' -> (2006, 2010); anything else None."""
    text = text.strip()
    for sep in ("-", "–", ".."):
        if sep in text:
            a, _, b = text.partition(sep)
            if a.strip().isdigit() and b.strip().isdigit() and len(a.strip()) == 4 and len(b.strip()) == 4:
                lo, hi = int(a), int(b)
                return (lo, hi) if lo <= hi else (hi, lo)
            return None
    if text.isdigit() and len(text) == 4:
        return int(text), int(text)
    return None
