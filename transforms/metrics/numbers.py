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
    standard = standard_numeral_value(token)
    if standard is not None:
        return standard
    try:
        value = cn2an.cn2an(token, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(value)


# A numeral written the standard way (三千零五十, 十三亿, 二万七千, 十二点三) is
# read here: cn2an takes 70 us a numeral (it converts traditional characters,
# normalizes and matches a grammar first) and reads these as their digits say.
# Anything else (一二三, 一百十, 三万五, 〇 inside) goes to cn2an.
_DIGIT_VALUE = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DECIMAL_DIGIT_VALUE = {**_DIGIT_VALUE, "〇": 0}
_SMALL_UNITS = ((1000, "千"), (100, "百"), (10, "十"))
_SMALL_UNIT_VALUE = {ch: unit for unit, ch in _SMALL_UNITS}
_DIGIT_CHAR = "零一二三四五六七八九"


def _digits_value(token: str) -> int | None:
    """The value of an integer numeral read digit times unit (一亿零四百万:
    1 * 10^8 + 4 * 100 * 10^4), None for a character that is neither."""
    total, section, digit, group = 0, 0, 0, 0  # group: the 万 or 亿 part being read
    for ch in token:
        if ch in _DIGIT_VALUE:
            digit = _DIGIT_VALUE[ch]
        elif ch in _SMALL_UNIT_VALUE:
            section += (digit or (1 if ch == "十" else 0)) * _SMALL_UNIT_VALUE[ch]
            digit = 0
        elif ch == "万":
            group += (section + digit) * 10_000
            section = digit = 0
        elif ch == "亿":
            total += (group + section + digit) * 100_000_000
            group = section = digit = 0
        else:
            return None
    return total + group + section + digit


def _standard_section(n: int, first: bool) -> str:
    """0 < n < 10000 as written in a numeral: 三千零五十; 十三 when it leads the numeral."""
    out = []
    gap = False  # a zero digit after a written one: 零 before the next written one
    for unit, ch in _SMALL_UNITS:
        d = n // unit % 10
        if d == 0:
            gap = gap or bool(out)
            continue
        if gap:
            out.append("零")
            gap = False
        if not (first and not out and unit == 10 and d == 1):  # 十三, not 一十三
            out.append(_DIGIT_CHAR[d])
        out.append(ch)
    d = n % 10
    if d:
        if gap:
            out.append("零")
        out.append(_DIGIT_CHAR[d])
    return "".join(out)


def standard_numeral(n: int) -> str:
    """An integer 0 <= n < 10^16 written the standard way: 一亿零四百万, 十三亿, 二万零三十."""
    if n == 0:
        return "零"
    out = []
    for scale, word in ((100_000_000, "亿"), (10_000, "万"), (1, "")):
        part = n // scale
        n -= part * scale
        if not part:
            continue
        if out and (part < 1000 or out[-1] == "亿" and scale == 1):  # a zero place before it
            out.append("零")
        out.append(standard_numeral(part) if part >= 10_000 else _standard_section(part, not out))
        out.append(word)
    return "".join(out)


def standard_numeral_value(token: str) -> float | None:
    """The value of `token` if it is a numeral written the standard way (两 for
    二 allowed) with at most 15 decimals, as cn2an reads it; else None."""
    whole, dot, decimals = token.partition("点")
    if dot and not (0 < len(decimals) <= 15 and all(ch in _DECIMAL_DIGIT_VALUE for ch in decimals)):
        return None
    value = _digits_value(whole)
    if value is None or value >= 10 ** 16 or standard_numeral(value) != whole.replace("两", "二"):
        return None
    if not dot:
        return float(value)
    # cn2an's decimal arithmetic, step by step, for the same float
    fraction = 0
    for index in range(len(decimals) - 1, -1, -1):
        fraction += _DECIMAL_DIGIT_VALUE[decimals[index]] * 10 ** -(index + 1)
    return float(round(value + round(fraction, len(decimals)), len(decimals)))


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
