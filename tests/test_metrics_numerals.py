"""The fast reading of standard Chinese numerals (transforms/metrics/numbers.py)
must give what cn2an gives, or leave the numeral to cn2an."""

import random

import cn2an
import pytest

from transforms.metrics.numbers import parse_chinese, standard_numeral, standard_numeral_value


def _cn2an(token: str) -> float | None:
    try:
        return float(cn2an.cn2an(token, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


@pytest.mark.parametrize("n, written", [
    (0, "零"), (13, "十三"), (110, "一百一十"), (1050, "一千零五十"), (10030, "一万零三十"),
    (27000, "二万七千"), (130000, "十三万"), (104000000, "一亿零四百万"), (100001000, "一亿零一千"),
    (1300000000, "十三亿"), (10 ** 12, "一万亿"),
])
def test_standard_numeral(n, written):
    assert standard_numeral(n) == written
    assert standard_numeral_value(written) == float(n) == _cn2an(written)


@pytest.mark.parametrize("token", ["二〇一三", "一二三", "一百十", "三万五", "一千零十", "十二点", "两万万", "百"])
def test_other_numerals_are_left_to_cn2an(token):
    assert standard_numeral_value(token) is None


def test_same_values_as_cn2an():
    rng = random.Random(5)
    numbers = list(range(3000)) + [rng.randrange(10 ** rng.randint(4, 16)) for _ in range(1500)]
    for n in numbers:
        written = standard_numeral(n)
        variants = [written, written.replace("二", "两")]
        variants.append(written + "点" + "".join(rng.choice("零〇一二三四五六七八九") for _ in range(rng.randint(1, 6))))
        for token in variants:
            assert standard_numeral_value(token) == _cn2an(token), token
    # arbitrary strings of numeral characters: read the same or left to cn2an
    for _ in range(5000):
        token = "".join(rng.choice("零〇一二两三四五六七八九十百千万亿") for _ in range(rng.randint(1, 7)))
        value = standard_numeral_value(token)
        assert value is None or value == _cn2an(token), token
        assert parse_chinese(token) == _cn2an(token), token
