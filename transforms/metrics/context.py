"""Read context: where a figure stands (its sentence and clause) and what it
measures (the indicator as written, its catalog key, the cue words between
indicator and number), carrying the indicator over from the figure before it
in the same sentence (`增长7.7%` after `国内生产总值达到56.9万亿元`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from transforms.metrics import measure as measure_mod, period as period_mod
from transforms.metrics.candidates import Candidate, list_end, list_length
from transforms.metrics.cues import cues
from transforms.metrics.indicator import (head_for, indicator_key, last_alias, names_nothing, split_indicator,
                                          split_plain_context)
from transforms.metrics.lines import Line

_CONNECTORS = set("、和及与,，")
_LIST_SPLIT = re.compile(r"[、和与及]")
_MAX_INDICATOR = 30
_TRAILING_ASIDE = re.compile(r"\([^()]{0,20}\)$")
_ASIDES = re.compile(r"\([^()]{0,20}\)")
_MODIFIER = 2  # 城镇, 农村: the modifier a list's last name starts with


@dataclass(slots=True)
class Previous:
    """The figure before, for carrying its indicator and cue words over."""

    end: int = -1
    indicator: str | None = None
    cue_words: tuple[str, ...] | list[str] = ()
    respective: int = -1  # its place in a 分别 list, -1 outside one
    names: tuple[str, ...] = ()  # the indicators of the figures up to it in its sentence


@dataclass(slots=True)
class Context:
    sent_start: int
    sent_end: int
    clause_start: int
    clause_end: int
    indicator: str | None  # the whole phrase (a list for 分别)
    named: str | None  # the indicator of this figure
    key: str | None
    cue_words: tuple[str, ...] | list[str]
    own_cues: bool  # the cue words are the figure's own, not carried over
    share_of_whole: bool  # 增加到全国人口的72%
    respective: int
    carried: bool  # the indicator is the previous figure's

    @property
    def measured(self) -> str | None:
        """The indicator as the measure reads it: a carried one with the figure's own
        verb says nothing of the measure (占比63.1%,同比下降16.9%: a growth, not a share)."""
        if not (self.carried and self.own_cues):
            return self.named
        verb = any(measure_mod.classify(w) in ("up", "down") for w in self.cue_words)
        return None if verb else self.named


def read_context(cand: Candidate, bare_unit: str | None, line: Line, text: str, prev: Previous) -> Context:
    """`bare_unit` is the value reader's (百分之六十 reads as %)."""
    start = cand.start
    sentence_ends, clause_ends = line.sentence_ends, line.clause_ends
    line.periods_to(start)
    si = bisect.bisect_left(sentence_ends, start)
    sent_start = sentence_ends[si - 1] + 1 if si > 0 else line.start
    ci = bisect.bisect_left(clause_ends, start)
    clause_start = clause_ends[ci - 1] + 1 if ci > 0 else line.start
    same_sentence = prev.end > sent_start
    ctx_start = max(clause_start, prev.end) if same_sentence else clause_start
    if text[start - 1:start] == ")" and "(" not in text[ctx_start:start]:
        # the clause began inside an aside (地区生产总值(GDP,下同)200亿元): back to its own clause
        opened = text.rfind("(", sent_start, ctx_start)
        if opened >= 0:
            ci = bisect.bisect_left(clause_ends, opened)
            clause_start = clause_ends[ci - 1] + 1 if ci > 0 else line.start
            ctx_start = max(clause_start, prev.end) if same_sentence else clause_start
    context = text[ctx_start:start]
    wider = _wider_area(context, prev) if same_sentence and ctx_start == prev.end else None
    if wider:  # 同比增长7.5%(全市11.1%): the same measure for a wider area, no key of ours
        return Context(sent_start, sentence_ends[si], clause_start, clause_ends[ci], wider, wider, None,
                       prev.cue_words, False, False, -1, True)
    if context.endswith(")"):  # 地区生产总值(GDP,下同)200亿元: the name is before the aside
        context = _TRAILING_ASIDE.sub("", context)
    share_of_whole = False
    if bare_unit in measure_mod.PERCENT_UNITS:  # 增加到全国人口的72%: a share of the whole named before it
        plain = _ASIDES.sub("", context)  # 完成年度任务(300万平方米)的40%
        found = cues().share_of_whole.search(plain)
        if found and not period_mod.period_regex().search(found.group()):
            share_of_whole = True
            context = plain[:found.start() + 1]
    indicator, cue_words = _split(context, line, ctx_start, start)
    if indicator in cues().partial_names:  # 增速, 降幅: of the indicator named before (in its paragraph)
        base = _base_of_partial(text, indicator, prev, line.start, sent_start, ctx_start)
        if base:
            indicator = base if base.endswith(indicator) else base + indicator
    carried, own_cues, respective = False, True, 0
    if (not indicator or set(indicator) <= _CONNECTORS) and same_sentence:
        indicator, carried = prev.indicator, True
        respective = prev.respective + 1 if prev.respective >= 0 else -1
        if "分别" in cue_words:  # a new 分别 over the same names (…分别为X元、Y元,分别增长3%、6.4%)
            respective = 0
        if not [w for w in cue_words if w not in _CONNECTORS] and prev.cue_words:
            cue_words, own_cues = prev.cue_words, False
        if prev.respective < 0:
            named_before = _list_over_names_before(prev.names, list_length(text, cand.unit_end))
            if named_before:
                # 城镇居民人均可支配收入15781元,农村居民人均纯收入4761元,实际增长8.4%和8%:
                # a list of values after as many figures, one for each of their indicators
                indicator, respective = named_before, 0
    elif not indicator:
        indicator = _named_earlier(text, line, sent_start, ctx_start, clause_start, clause_ends)
    if (same_sentence and not carried and not cue_words and len(indicator or "") <= 8
            and not text[prev.end:ctx_start].strip(",，、 ")):
        # 大约损失工业总产值一千亿元,钢产量二千八百万吨: the verb governs the list
        cue_words = _lead_down_words(prev.cue_words) or cue_words
    if indicator and len(indicator) > _MAX_INDICATOR:
        indicator = indicator[-_MAX_INDICATOR:]
    if not carried:
        respective = 0 if "分别" in cue_words or _listed(text, cand.unit_end, indicator) else -1
    named = _respective_part(indicator, respective)
    key = indicator_key(named)
    if cand.masked and indicator and "\x00" in indicator:
        indicator = indicator.replace("\x00", "")
    return Context(sent_start, sentence_ends[si], clause_start, clause_ends[ci], indicator, named, key,
                   cue_words, own_cues, share_of_whole, respective, carried)


def _split(context: str, line: Line, ctx_start: int, start: int):
    i = bisect.bisect_left(line.period_starts, ctx_start)
    if i < len(line.period_starts) and line.period_starts[i] < start:
        indicator, cue_words = split_indicator(context, period_mod.period_regex(), line.period_ends, ctx_start)
    else:  # no period phrase to strip: the same split as for any other figure with this context
        indicator, cue_words = split_plain_context(context)
    if indicator and names_nothing(indicator, period_mod.period_regex()):
        indicator = ""  # 到2002年, 分别比1995年, 考虑价格下降因素: the indicator carries over
    return indicator, cue_words


def _wider_area(context: str, prev: Previous) -> str | None:
    """The indicator of a figure in an aside right after the previous one that names
    a wider area (增长7.5%(全市11.1%): 全市 + the previous indicator, less its own area)."""
    aside = cues().comparison_aside.search(context)
    if aside is None or not prev.indicator:
        return None
    own_area = cues().comparison_aside.search("(" + prev.indicator[:2])  # 全县规模以上…
    return aside.group("area") + (prev.indicator[2:] if own_area else prev.indicator)


def _base_of_partial(text: str, partial: str, prev: Previous, line_start: int, sent_start: int,
                     ctx_start: int) -> str | None:
    """What a partial name (增速, 总产量) is of: the figure before's indicator in the
    sentence, else what a catalog name puts before it, named earlier in the sentence
    (粮食连续五年增产,总产量…: 粮食), else the figure before's in the paragraph."""
    if prev.end > sent_start and prev.indicator:
        return prev.indicator
    before = text[sent_start:ctx_start]
    return head_for(partial, before) or last_alias(before) or (prev.indicator if prev.end > line_start else None)


def _list_over_names_before(names: tuple[str, ...], values: int) -> str | None:
    """The last `values` indicators named in the sentence, as a list (A、B), when a
    list of that many values follows them and they are all different."""
    if values < 2 or len(names) < values:
        return None
    last = names[-values:]
    if len(set(last)) < values or any(not name or _LIST_SPLIT.search(name) for name in last):
        return None
    return "、".join(last)


def _named_earlier(text: str, line: Line, sent_start: int, ctx_start: int, clause_start: int,
                   clause_ends: list[int]) -> str | None:
    """No indicator before the figure in its clause: 国内生产总值持续增长,到2002年达到10.2万亿元
    (the catalog name before it in the sentence), or 现代工业…所占的比重,已由… (a noun
    phrase in the clause before)."""
    if ctx_start <= sent_start:
        return None
    found = last_alias(text[sent_start:ctx_start])
    if found is not None:
        return found
    pi = bisect.bisect_left(clause_ends, clause_start - 1)
    prev_start = clause_ends[pi - 1] + 1 if pi > 0 else line.start
    phrase, words = split_plain_context(text[max(prev_start, sent_start):clause_start - 1])
    if phrase and not words and len(phrase) <= _MAX_INDICATOR and not names_nothing(phrase, period_mod.period_regex()):
        return phrase
    return None


def _respective_part(indicator: str | None, respective: int) -> str | None:
    """In a 分别 list (化学需氧量、二氧化硫排放总量分别下降…) the n-th name is the n-th figure's."""
    if respective < 0 or not indicator:
        return indicator
    parts = [p for p in _LIST_SPLIT.split(indicator) if p]
    if len(parts) <= 1:
        parts = _expanded(indicator)
    if len(parts) <= 1:
        return indicator
    part = parts[min(respective, len(parts) - 1)]
    last = parts[-1]
    if len(part) == 1 and len(last) > 1 and part is not last:
        return part + last[1:]  # 一、二、三产业占…的比重: a single character is only a modifier
    if part is not last and not indicator_key(part) and len(last) > 2 * _MODIFIER:
        # 城镇和农村常住居民人均可支配收入: a modifier takes the tail of the last name
        # (what follows its own modifier, 农村)
        completed = part + last[_MODIFIER:]
        if indicator_key(completed):
            return completed
    if respective == 0 and not indicator_key(parts[0]) and indicator_key(last):
        return parts[0]  # 化学需氧量、二氧化硫排放总量: the shared head is at the end
    return part


def _listed(text: str, end: int, indicator: str | None) -> bool:
    """城镇和农村…收入完成29092元、17191元: a name of several things with a list of
    values after it reads them respectively, 分别 or not."""
    if not indicator or (text[end:end + 1] != "、" and list_end(text, end) == end):
        return False  # neither 、 nor a value after 和/及/与 (实际增长8.4%和11.4%)
    return len([p for p in _LIST_SPLIT.split(indicator) if p]) > 1 or len(_expanded(indicator)) > 1


def _expanded(indicator: str) -> list[str]:
    """城乡居民人均可支配收入 -> [城镇居民人均可支配收入, 农村居民人均可支配收入]
    (figure_cues.yaml `respective_expansions`)."""
    for name, parts in cues().spec.get("respective_expansions", {}).items():
        if name in indicator:
            return [indicator.replace(name, part, 1) for part in parts]
    return [indicator]


def _lead_down_words(cue_words) -> list[str]:
    """A loss verb (损失) among the cue words, with an approximation word (大约):
    the cue words that the figures listed after it share."""
    c = cues()
    if not any(w in c.lead_down for w in cue_words):
        return []
    return [w for w in cue_words if w in c.lead_down or w in c.leading_approx]
