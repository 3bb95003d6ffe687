from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.clean import clean, join_broken_lines, nfkc, normalize, placeholder_spans, tidy_spaces
from transforms.document import Document, SourceText


def cleaned(text: str) -> Document:
    return clean(Document(SourceText(text, "txt")))


def test_sample_speech_chrome_becomes_metadata(speech_text):
    doc = cleaned(speech_text)
    assert doc.published_at == dt.datetime(2020, 8, 15, 10, 26, 13)
    assert doc.declared_char_count == 11664
    assert doc.is_truncated
    assert doc.omitted_chars == 1230
    for chrome in ("文鼎文库", "wentop", "此处省略", "预览结束", "下载全文", "本文15", "发布时间", "字数:"):
        assert chrome not in doc.text, chrome
    assert doc.text.startswith("在全市城管系统工作推进会上的讲话\n【提纲】")
    assert doc.text.endswith("在户")


def test_gap_is_recorded_where_the_text_was_cut(speech_text):
    doc = cleaned(speech_text)
    (gap,) = doc.gaps
    assert gap.chars == 1230
    assert doc.text[:gap.at].endswith("荣获“城管\n")
    assert doc.text[gap.at:].startswith("能化停车管理大数据平台")


def test_full_width_and_zero_width_are_normalized():
    doc = cleaned("国内生产总值达到74.4\u200b万亿元，增长７．３％（初步核算）：")
    assert doc.text == "国内生产总值达到74.4万亿元,增长7.3%(初步核算):"


def test_digits_spaced_out_one_by_one_are_joined():
    doc = cleaned("从１ ９ ９ ３ 年到１ ９ ９ ７ 年,增长１ ５ ．３ ％,达到3 2 5 1 亿元。\n发布时间:2020/8/15 10:26:13")
    assert doc.text.startswith("从1993年到1997年,增长15.3%,达到3251亿元。")
    assert doc.published_at is not None


def test_numbers_and_links_broken_across_lines_are_joined():
    assert normalize("广义货币M\n2\n增长13.6%") == "广义货币M\n2\n增长13.6%"
    assert join_broken_lines(["广义货币M", "2", "增长13.6%,符合要求。"]) == ["广义货币M2增长13.6%,符合要求。"]
    assert join_broken_lines(["制定了《", "关于深化改革严格土地管理的决定", "》;完善管理体制。"]) == [
        "制定了《关于深化改革严格土地管理的决定》;完善管理体制。"]
    assert join_broken_lines(["一、2013年工作回顾", "过去一年是第一年。"]) == ["一、2013年工作回顾", "过去一年是第一年。"]


def test_wikisource_licence_footer_is_cut():
    doc = cleaned("正文第一段。\n\n本作品是中华人民共和国的\n法律\n,国家机关的决议\nPublic domain\nfalse")
    assert doc.text == "正文第一段。"


def test_placeholders_versus_the_real_word():
    text = "全市城管系统立案城管万件,结案率城管%。城管县城管局荣获称号,市城管市政公司在城管月城管日完成__改革。"
    masked = [text[a:b] for a, b in placeholder_spans(text)]
    assert masked == ["城管", "城管", "城管", "城管", "城管", "__"]
    # 城管系统, 城管局, 城管市政公司 stay words
    starts = [a for a, _ in placeholder_spans(text)]
    assert text.index("城管系统") not in starts
    assert text.index("城管局") not in starts
    assert text.index("城管市政") not in starts


def test_sample_speech_masked_count(speech_text):
    assert cleaned(speech_text).masked_count == len(placeholder_spans(cleaned(speech_text).text)) > 40


def test_doc_id_is_the_hash_of_the_cleaned_text():
    a = cleaned("第一段。\r\n\r\n  第二段。  ")
    b = cleaned("第一段。\n第二段。")
    assert a.text == b.text == "第一段。\n第二段。"
    assert a.doc_id == b.doc_id and len(a.doc_id) == 64


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_clean_never_raises_and_gaps_point_inside_the_text(text):
    doc = cleaned(text)
    assert "\r" not in doc.text and "\n\n" not in doc.text
    for gap in doc.gaps:
        assert 0 <= gap.at <= len(doc.text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "城管", "%", "万件", "_", "……(文鼎文库www.wentop.com此处省略12字。不往下看了,点击下载全文)……",
    "预览结束,全文100字,当前显示10字,还剩90字", "\n", "一、", "(一)", "1.", "增长", "７．３％", "\u200b", "　", "下载全文",
]), max_size=40))
def test_clean_handles_chrome_soup(parts):
    doc = cleaned("".join(parts))
    markers = sum(p.startswith("……") for p in parts)
    assert [g.chars for g in doc.gaps] == [12] * markers
    assert "此处省略" not in doc.text
    for a, b in placeholder_spans(doc.text):
        assert doc.text[a:b] in ("城管",) or set(doc.text[a:b]) == {"_"}


# Characters where NFKC works across character boundaries (combining marks,
# Hangul jamo, halfwidth katakana with their voicing marks, two-part Indic
# vowels) mixed with the ones a speech is made of, to try nfkc's fast path
# and its fall-back.
_NFKC_PIECES = st.one_of(
    st.characters(blacklist_categories=("Cs",)),
    st.characters(min_codepoint=0x0300, max_codepoint=0x036F),  # combining diacritics
    st.characters(min_codepoint=0x1100, max_codepoint=0x11FF),  # Hangul jamo
    st.characters(min_codepoint=0xAC00, max_codepoint=0xAC40),  # Hangul syllables
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFFEE),  # fullwidth and halfwidth forms
    st.characters(min_codepoint=0x3099, max_codepoint=0x309C),  # kana voicing marks
    st.characters(min_codepoint=0x3040, max_codepoint=0x30FF),  # kana
    st.characters(min_codepoint=0xF900, max_codepoint=0xFAFF),  # CJK compatibility ideographs
    st.characters(min_codepoint=0x2F800, max_codepoint=0x2FA1D),
    st.characters(min_codepoint=0x3200, max_codepoint=0x33FF),  # enclosed CJK, CJK compatibility
    st.characters(min_codepoint=0x2460, max_codepoint=0x24FF),  # enclosed alphanumerics
    st.sampled_from("\u0b47\u0b3e\u0b57\u0dd9\u0dcf\u0344\u0f73\u0958\u093c\u1b05\u1b35\u11099\u110ba"
                    "\u00a8\u1fbf\u2126\u212b\u0345\u03b9\u0626\u0654\u0655"),
    st.sampled_from("，。、：；（）％１２３．“”《》　中国经济增长aeAE 1.%\n"),
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(_NFKC_PIECES, max_size=60).map("".join))
def test_nfkc_is_unicodedata_nfkc(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_of_every_character_alone_and_before_a_combining_mark():
    for u in range(0x110000):
        if 0xD800 <= u < 0xE000:
            continue
        char = chr(u)
        assert nfkc(char) == unicodedata.normalize("NFKC", char), hex(u)
        assert nfkc("中" + char + "\u0301") == unicodedata.normalize("NFKC", "中" + char + "\u0301"), hex(u)


def test_nfkc_of_every_canonical_pair_and_hangul_jamo():
    pairs = ["\u1100\u1161", "\u1100\u1161\u11a8", "\uac00\u11a8", "\u1112\u1175\u11c2"]
    for u in range(0x30000):
        parts = unicodedata.decomposition(chr(u)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            pairs.append(chr(int(parts[0], 16)) + chr(int(parts[1], 16)))
    for pair in pairs:
        for text in (pair, "中" + pair + "。", pair + "\u0301"):
            assert nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)


def test_nfkc_of_a_text_of_many_compatibility_characters():
    text = "".join(map(chr, range(0xF900, 0xFA6E))) + "".join(map(chr, range(0xFF01, 0xFF5F))) + "中文。"
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_canonical_decompositions_lie_below_the_bound_nfkc_scans():
    from transforms.clean import _DECOMPOSITIONS_END

    assert not [hex(u) for u in range(_DECOMPOSITIONS_END, 0x110000) if unicodedata.decomposition(chr(u))]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["1", "9", " ", "  ", "\t", ".", "%", "中", "年", "a", "\n"]), max_size=40).map("".join))
def test_tidy_spaces_line_by_line_is_tidy_spaces_of_the_text(text):
    lines = [line.strip() for line in text.split("\n") if line.strip()]  # as normalize leaves them
    assert "\n".join(tidy_spaces(line) for line in lines) == tidy_spaces("\n".join(lines))


def test_placeholder_spans_asked_again_are_the_same_and_a_copy():
    text = "立案城管万件,完成__改革。"
    first = placeholder_spans(text)
    first.append((0, 1))
    assert placeholder_spans(text) == [(2, 4), (9, 11)]
    assert placeholder_spans("城管%") == [(0, 2)]
    assert placeholder_spans(text) == [(2, 4), (9, 11)]


def test_a_footer_that_would_cut_much_of_the_text_is_removed_alone():
    """Issue 13: several reports in one file, each ending in its site's footer,
    are kept whole (the footers go); a footer with only a licence after it cuts."""
    from transforms.clean import strip_chrome

    report = [f"第{i}段:今年城镇新增就业1100万人以上,各项工作扎实推进。" * 4 for i in range(30)]
    footer = "本作品来自维基文库,在全世界都属于公有领域。"
    lines, found = strip_chrome([*report, footer, *report, footer, "许可协议:公有领域"])
    assert lines == report + report
    assert found.kept_after_tail == sum(len(line) + 1 for line in [*report, footer, "许可协议:公有领域"])
    assert found.removed_chars == 2 * len(footer) + len("许可协议:公有领域") + 1
    lines, found = strip_chrome([*report, footer, "许可协议:公有领域"])
    assert lines == report and found.kept_after_tail == 0
