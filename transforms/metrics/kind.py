"""Kind: actual, estimate, target, plan (figure_cues.yaml `kind`)."""

from __future__ import annotations

import datetime as dt

from transforms.metrics.cues import cues
from transforms.metrics.units import unit_table


def kind_of(*, role: str, sentence_before: str, clause_before: str, bare_unit: str | None,
            indicator_key: str | None, measure: str, bound: str, period_start: dt.date | None,
            period_end: dt.date | None, ref: dt.date | None, explicit_period: bool,
            sentence_after: str = "", from_value: bool = False, sentence_outside_aliases: str = "") -> str:
    c = cues()
    if c.estimate.search(sentence_before):
        return "estimate"
    if from_value or c.actual_words.search(clause_before):
        return "actual"
    approx = bound == "approx"
    in_sentence = c.sentence_target.search(sentence_before) or c.sentence_target.search(sentence_after)
    past = bool(explicit_period and period_end and ref and period_end.year < ref.year)
    if past or role == "review":
        # 年初确定的…降低4%左右…的目标 / 去年…提出,物价涨幅要…降到10%左右
        if in_sentence and (approx or c.past_target.search(sentence_before)):
            return "target"
        return "actual"
    strong = bool(c.strong_target.search(clause_before) or c.sentence_target.search(sentence_before))
    counted = bare_unit == "" or bare_unit in unit_table().count_units
    planned = counted and measure in ("level", "change") and bool(c.plan_verbs.search(sentence_outside_aliases))
    if role == "tasks":
        if strong or approx:
            return "target"
        if planned:
            return "plan"
        return "target"
    current = period_start is not None and ref is not None and period_start.year >= ref.year
    if current and (strong or approx or c.target.search(clause_before)):
        return "target"
    if current and planned and c.target.search(sentence_before):
        return "plan"
    return "actual"
