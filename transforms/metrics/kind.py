"""Kind: actual, estimate, target, plan (figure_cues.yaml `kind`)."""

from __future__ import annotations

import datetime as dt

from transforms.metrics.cues import cues
from transforms.metrics.indicator import strip_aliases
from transforms.metrics.units import unit_table


def kind_of(*, role: str, sentence_before: str, clause_before: str, bare_unit: str | None,
            indicator_key: str | None, measure: str, bound: str,
            period_end: dt.date | None, ref: dt.date | None, explicit_period: bool,
            sentence_after: str = "", from_value: bool = False, sentence_outside_aliases: str | None = "",
            clause_after: str = "", period_closed: bool = False) -> str:
    """`sentence_outside_aliases` None stands for `sentence_before` without its
    catalog names, worked out only if the decision needs it. `period_closed`:
    the figure's period, stated in the text (not a default), ended before the
    document's date (a 1-10月 bulletin of 23 November)."""
    c = cues()
    if c.estimate.search(sentence_before):
        return "estimate"
    if c.progress_share.search(clause_before):
        return "actual"  # 占年度计划的73%, 完成年度任务的40%: how much of a plan is done
    past = bool(explicit_period and period_end and ref and period_end.year < ref.year) or period_closed
    ahead = bool(period_end and ref and period_end.year >= ref.year) and not period_closed
    # 实际增长 is real growth: an actual, unless a target's words lead the sentence
    # (争取…平均每年实际增长百分之五左右)
    planned_ahead = ahead and role != "review" and bool(
        c.strong_target.search(sentence_before) or c.plan_target.search(sentence_before))
    approx = bound == "approx"
    counted = bare_unit == "" or bare_unit in unit_table().count_units
    if from_value or (c.actual_words.search(clause_before) and not planned_ahead) or c.actual_done.search(clause_before):
        return "actual"
    if ahead and counted and measure in ("level", "change") and c.plan_first.search(clause_before + "#" + clause_after):
        return "plan"  # 争取今年再有1000万以上贫困人口解决温饱问题
    if role != "tasks" and ahead and (c.plan_target.search(sentence_before) or (
            explicit_period and c.target.search(sentence_before.replace("将近", "")))):
        # a plan's figures for this year or later, in any part (计划草案拟定…, 今年计划…增长百分之九,
        # 将由一九八○年的…增加到一九八五年的…,平均每年递增百分之六); concrete work with a
        # count after a plan verb is a plan (今年计划…新改建绿地667公顷, 改造庭院136个)
        if not approx and _planned(counted, measure, sentence_before, None):
            return "plan"
        return "target"
    if past or role == "review":
        # 年初确定的…降低4%左右…的目标 / 去年…提出,物价涨幅要…降到10%左右
        in_sentence = c.sentence_target.search(sentence_before) or c.sentence_target.search(sentence_after)
        if in_sentence and (approx or c.past_target.search(sentence_before)):
            # the year's task list: counted work is a plan (计划完成各类水利工程1911件,其中:水毁修复64件)
            return "plan" if not approx and _planned(counted, measure, sentence_before, None) else "target"
        return "actual"
    strong = bool(c.strong_target.search(clause_before) or c.sentence_target.search(sentence_before))
    if role == "tasks":
        if strong or approx:
            return "target"
        if _planned(counted, measure, sentence_before, sentence_outside_aliases):
            return "plan"
        return "target"
    # a span reaching into the document's year (1953-1957 in 1957) is current too
    current = period_end is not None and ref is not None and period_end.year >= ref.year
    if current and (strong or approx or c.target.search(clause_before)):
        return "target"
    if current and _planned(counted, measure, sentence_before, sentence_outside_aliases) and \
            c.target.search(sentence_before):
        return "plan"
    return "actual"


def _planned(counted: bool, measure: str, sentence_before: str, outside_aliases: str | None) -> bool:
    """A count or amount with a plan verb outside the catalog names (城镇新增就业's 新增 is none).
    Under a lead-in that names a list of targets or tasks (水利建设的主要任务是:) each
    item's own verb decides; the lead-in's words describe the list, not the item."""
    if not (counted and measure in ("level", "change")):
        return False
    if "#" in sentence_before:
        *lead_ins, own = sentence_before.split("#")
        describing = [part for part in lead_ins if cues().sentence_target.search(part)]
        if describing:
            sentence_before = "#".join([part for part in lead_ins if part not in describing] + [own])
            outside_aliases = None
    if outside_aliases is None:
        outside_aliases = strip_aliases(sentence_before)
    return bool(cues().plan_verbs.search(outside_aliases))


def portfolio_kind(indicator: str | None, clause_before: str) -> str | None:
    """A key-project list's count or total investment (plan) or its annual
    planned investment (target), unless the clause reports work done: both are
    about the whole year, whatever part of it the text reports on."""
    if not indicator:
        return None
    c = cues()
    if indicator.endswith(c.annual_plan_names):
        return "target"
    if indicator.endswith(c.portfolio_names) and not c.portfolio_done.search(clause_before):
        return "plan"
    return None

