"""Kind: actual, estimate, target, plan (figure_cues.yaml `kind`)."""

from __future__ import annotations

import datetime as dt

from transforms.metrics.cues import cues
from transforms.metrics.units import unit_table


def kind_of(*, role: str, sentence_before: str, clause_before: str, bare_unit: str | None,
            indicator_key: str | None, measure: str, bound: str, period_end: dt.date | None,
            ref: dt.date | None, explicit_period: bool,
            clause_outside_indicator: str = "") -> str:
    c = cues()
    if c.estimate.search(sentence_before):
        return "estimate"
    past = bool(explicit_period and period_end and ref and period_end.year < ref.year)
    if past or role == "review":
        return "actual"
    targeted = bool(c.target.search(clause_before)) or bound == "approx" and role == "tasks"
    if role == "tasks":
        if c.strong_target.search(clause_before) or bound == "approx":
            return "target"
        counted = bare_unit == "" or bare_unit in unit_table().count_units
        if counted and measure in ("level", "change") and (
                indicator_key is None or c.plan_verbs.search(clause_outside_indicator)):
            return "plan"
        return "target"
    if targeted:
        return "target"
    return "actual"
