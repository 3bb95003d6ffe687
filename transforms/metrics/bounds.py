"""Bounds: eq, approx, ge, gt, le, lt, range (figure_cues.yaml `bounds`)."""

from __future__ import annotations

from transforms.metrics.cues import cues


def bound_before(prefix: str) -> str | None:
    """The bound stated by the words right before a number (约, 超过, 不低于)."""
    table = cues().bound_before_words
    word = table.longest(prefix)
    return None if word is None else table.words[word]


def bound_after(text: str, at: int) -> str | None:
    """The bound stated right after a figure's unit (左右, 以上, 以内)."""
    m = cues().bound_after.match(text, at)
    return m.lastgroup if m else None


def is_capped(prefix: str) -> bool:
    """控制在X: a cap for a target, a plain level for an actual."""
    return prefix.endswith(cues().capped)


def decide(*, is_range: bool, between: str | None, after: str | None, before: str | None,
           capped: bool, is_target: bool) -> str:
    if is_range:
        return "range"
    if after:
        return after
    if before == "approx":
        return before  # 近800余人次, 约153万余株: about, whatever 余 adds
    if between:
        return cues().bound_between.get(between, "ge")
    if before:
        return before
    if capped:
        return "le" if is_target else "eq"
    return "eq"
