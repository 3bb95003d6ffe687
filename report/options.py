"""What a report covers: the command line's choices, checked once."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    title: str = field(default="speech-etl progress report")

    def __post_init__(self) -> None:
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise ValueError(f"--from {self.year_from} is after --to {self.year_to}")

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
