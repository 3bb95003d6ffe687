"""Numbers as written: Arabic (decimals, thousands separators; full-width digits
are ASCII after cleaning) and Chinese numerals (一千二百, 两万, 十三亿,
四亿零七百多万, 三分之一, 百分之五, 八成, 翻一番).

cn2an does the Chinese arithmetic. Checked here (see tests/test_metrics.py):
it reads 一千二百, 两万 (smart/normal mode only; strict rejects 两), 十三亿,
四亿零七百万, 一百二十万, 二〇一三 (as 2013) right, but raises on anything
with 多/余/几/数 inside (四亿零七百多万, 三千多), on fractions (三分之一,
百分之五), on 成 and 倍/番, and on a bare scale word (万, 亿, 百). So the
approximation words are cut out before cn2an sees the numeral, the scale word
is split off as part of the unit, and fractions, 成 and 番 are handled here.
It also accepts non-numbers such as 十一五 as 115-ish garbage only in some
modes, so plan names are masked before numbers are read (figure_cues.yaml).
"""

from __future__ import annotations

import functools

import cn2an

CN_DIGIT = "零〇一二两三四五六七八九"
CN_ALL = CN_DIGIT + "十百千万亿"
# Scale words a Chinese numeral can end in and hand over to its unit
# (十三亿人 -> 13 亿人; 二十七亿四千万元 -> 274000 万元, never 274 千万元).
CN_SCALES = ("万亿", "亿", "万")

# regex sources (no groups)
ARABIC = r"\d+(?:,\d{3}(?!\d))*(?:\.\d+)?"
CHINESE = r"[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*(?:点[零〇一二三四五六七八九]+)?"
FRACTION = (
    r"(?:百分之|[零〇一二两三四五六七八九十百]+分之)"
    r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?)"
)
PLACEHOLDER = "\x00+"  # placeholder spans are blanked to NUL before scanning
NUMBER = f"(?:{PLACEHOLDER}|{FRACTION}|{ARABIC}|{CHINESE})"


def is_masked(token: str) -> bool:
    return token.startswith("\x00")


def parse_arabic(token: str) -> float:
    return float(token.replace(",", ""))


@functools.lru_cache(maxsize=4096)
def parse_chinese(token: str) -> float | None:
    """A Chinese numeral (no 多/余 inside), or None if it is not one."""
    if not token:
        return None
    if token.isascii():
        try:
            return parse_arabic(token)
        except ValueError:
            return None
    try:
        value = cn2an.cn2an(token, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(value)


def parse_fraction(token: str) -> tuple[float, bool] | None:
    """三分之一 -> (0.333.., False); 百分之五 -> (5.0, True: a percentage)."""
    if token.startswith("百分之"):
        value = parse_chinese(token[3:])
        return (value, True) if value is not None else None
    denominator, _, numerator = token.partition("分之")
    d, n = parse_chinese(denominator), parse_chinese(numerator)
    if not d or n is None:
        return None
    return n / d, False


def split_scale(token: str, scales: tuple[str, ...]) -> tuple[str, str]:
    """十三亿 -> (十三, 亿): a Chinese numeral's trailing scale word belongs to
    the unit (十三亿人 is 13 亿人), as for Arabic numbers (1.2万亿斤)."""
    for scale in scales:  # longest first
        if token.endswith(scale) and len(token) > len(scale):
            head = token[: -len(scale)]
            if head[-1] in CN_ALL:
                return head, scale
    return token, ""


def chinese_in_scale(head: str, scale: str, scale_factor: float) -> float | None:
    """The value of `head`+`scale` expressed in `scale`: 四亿零七百 + 万 -> 40700."""
    if not scale:
        return parse_chinese(head)
    whole = parse_chinese(head + scale)
    if whole is None:
        return None
    return round(whole / scale_factor, 6)
