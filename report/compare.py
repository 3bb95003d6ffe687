"""Term rises and falls between two documents (or periods), and new sections:
pure functions over frames the queries return."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

PER = 10_000


@dataclass
class TermShift:
    rises: pd.DataFrame  # term, count_a, count_b, per10k_a, per10k_b, change
    falls: pd.DataFrame
    tokens_a: int
    tokens_b: int


def term_shift(a: pd.DataFrame, b: pd.DataFrame, top: int = 15, min_count: int = 5) -> TermShift:
    """Rates per 10 000 tokens (tokens: the terms table, so without stopwords,
    punctuation and bare numbers) on each side; the terms whose rate rose and
    fell most. Single characters and terms seen fewer than `min_count` times
    on both sides together are left out as noise."""
    tokens_a = int(a["count"].sum()) if len(a) else 0
    tokens_b = int(b["count"].sum()) if len(b) else 0
    merged = pd.merge(a.rename(columns={"count": "count_a"}), b.rename(columns={"count": "count_b"}),
                      on="term", how="outer").fillna({"count_a": 0, "count_b": 0})
    merged["count_a"] = merged["count_a"].astype(int)
    merged["count_b"] = merged["count_b"].astype(int)
    merged = merged[(merged["term"].str.len() > 1) & (merged["count_a"] + merged["count_b"] >= min_count)]
    merged["per10k_a"] = PER * merged["count_a"] / tokens_a if tokens_a else 0.0
    merged["per10k_b"] = PER * merged["count_b"] / tokens_b if tokens_b else 0.0
    merged["change"] = merged["per10k_b"] - merged["per10k_a"]
    ordered = merged.sort_values(["change", "term"], ascending=[False, True])
    rises = ordered[ordered["change"] > 0].head(top).reset_index(drop=True)
    falls = ordered[ordered["change"] < 0].sort_values(["change", "term"]).head(top).reset_index(drop=True)
    return TermShift(rises, falls, tokens_a, tokens_b)


_NUMBERS = re.compile(r"[0-9〇零一二三四五六七八九十百千]+")


def heading_key(heading: str) -> str:
    """Headings compared without years and numbers (2013年工作回顾 = 2014年工作回顾)."""
    return _NUMBERS.sub("#", re.sub(r"\s+", "", heading or ""))


def new_sections(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Headings of side b that side a does not have (numbers and years aside)."""
    if not len(b):
        return b
    seen = {heading_key(h) for h in a["heading"]} if len(a) else set()
    keys = b["heading"].map(heading_key)
    fresh = b[~keys.isin(seen)]
    return fresh.drop_duplicates(subset=["heading"]).reset_index(drop=True)
