"""The heading tree: the sample speech, hand-checked work reports of four
decades, and properties that hold for any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.clean import clean
from transforms.document import Document, SourceText
from transforms.metadata import metadata
from transforms.structure import build_sections, structure


def sectioned(text: str, fmt: str = "txt") -> Document:
    return structure(metadata(clean(Document(SourceText(text, fmt)))))


def headed(doc: Document, level: int, parent: str | None = None) -> list[tuple[str, str]]:
    """(marker, heading) of the body sections at `level` (under the level-1 section `parent`)."""
    by_id = {s.section_id: s for s in doc.sections}
    out = []
    for s in doc.sections:
        if s.level != level or not s.marker or s.role == "outline":
            continue
        if s.marker == "——" or s.marker.endswith("是") or s.marker.startswith("第"):
            continue  # paragraph-level markers are checked apart
        if parent is not None and by_id[s.parent_id].marker != parent:
            continue
        out.append((s.marker, s.heading))
    return out


def assert_leaves_tile(doc: Document) -> None:
    leaves = sorted(doc.leaf_sections(), key=lambda s: s.char_start)
    assert leaves[0].char_start == 0
    assert leaves[-1].char_end == len(doc.text)
    for a, b in zip(leaves, leaves[1:]):
        assert a.char_end == b.char_start
    for s in doc.sections:
        assert s.text == doc.text[s.char_start:s.char_end]


# -- the sample speech (acceptance 3) --------------------------------------

def test_sample_speech_metadata(speech_text):
    doc = sectioned(speech_text)
    assert doc.title == "在全市城管系统工作推进会上的讲话"
    assert doc.doc_type == "speech"
    assert doc.year == 2020


def test_sample_speech_outline_is_kept_apart(speech_text):
    doc = sectioned(speech_text)
    outline = [s for s in doc.sections if s.role == "outline" and s.marker.endswith("、")]
    assert [s.heading for s in outline] == [
        "充分肯定上半年工作成绩",
        "认清形势,审时度势,进一步增强干好城管工作的信心和决心",
        "再鼓干劲,再掀高潮,确保全年各项任务圆满完成",
        "突出重点,狠抓落实,努力实现城管工作新突破",
    ]
    (outline_root,) = [s for s in doc.sections if s.marker == "【提纲】"]
    assert outline_root.level == 1
    assert all(s.parent_id == outline_root.section_id and s.level == 2 for s in outline)


def test_sample_speech_body_tree(speech_text):
    doc = sectioned(speech_text)
    assert headed(doc, 1) == [("一、", "充分肯定上半年工作成绩"),
                              ("二、", "认清形势,审时度势,进一步增强干好城管工作的信心和决心")]
    assert headed(doc, 2, parent="一、") == [
        ("（一）", "_建设取得新成绩"),
        ("（五）", "重点项目取得新突破"),
        ("（六）", "城市绿化营造新亮点"),
        ("（七）", "民生工作取得新实效"),
        ("（八）", "改革创新释放新活力"),
    ]
    roles = {s.marker: s.role for s in doc.sections if s.level == 1 and s.role != "outline"}
    assert roles["一、"] == "review" and roles["二、"] == "situation"
    assert_leaves_tile(doc)


def test_sample_speech_sections_hold_no_chrome(speech_text):
    doc = sectioned(speech_text)
    for s in doc.sections:
        for chrome in ("文鼎文库", "此处省略", "预览结束", "下载全文", "发布时间"):
            assert chrome not in s.text


# -- hand-checked work reports (acceptance 4) ------------------------------

def test_report_2005_tree(sample_reports):
    doc = sectioned(sample_reports["2005"]["content"], "jsonl")
    assert [m for m, _ in headed(doc, 1)] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、"]
    assert headed(doc, 1)[0] == ("一、", "过去一年工作回顾")
    assert headed(doc, 1)[1] == ("二、", "2005年工作总体部署")
    assert len(headed(doc, 2, parent="一、")) == 6
    assert len(headed(doc, 2, parent="三、")) == 4
    assert len(headed(doc, 2, parent="四、")) == 6
    assert len(headed(doc, 2, parent="五、")) == 3
    assert headed(doc, 2, parent="四、")[1] == ("（二）", "深化国有企业改革")
    assert [s.role for s in doc.sections if s.level == 1 and s.marker][:3] == ["review", "tasks", "tasks"]
    assert_leaves_tile(doc)


def test_report_2014_tree_with_dash_and_shi_paragraphs(sample_reports):
    doc = sectioned(sample_reports["2014"]["content"], "jsonl")
    assert headed(doc, 1) == [("一、", "2013年工作回顾"), ("二、", "2014年工作总体部署"), ("三、", "2014年重点工作")]
    assert len(headed(doc, 2, parent="三、")) == 9
    assert headed(doc, 2, parent="三、")[8] == ("（九）", "努力建设生态文明的美好家园")
    dashes = [s.heading for s in doc.sections if s.marker == "——"][:4]
    assert dashes == ["经济运行稳中向好", "居民收入和经济效益持续提高", "结构调整取得积极成效", "社会事业蓬勃发展"]
    shi = [s for s in doc.sections if s.marker == "一是"]
    assert shi and shi[0].heading == "着力深化改革开放,激发市场活力和内生动力"
    assert_leaves_tile(doc)


def test_report_1959_tree(dev_reports):
    doc = sectioned(dev_reports["1959"]["content"], "jsonl")
    assert [m for m, _ in headed(doc, 1)] == ["一、", "二、", "三、", "四、", "五、"]
    assert headed(doc, 1)[3] == ("四、", "关于国家的政治生活")
    assert headed(doc, 2) == []
    assert_leaves_tile(doc)


def test_report_1979_tree(dev_reports):
    doc = sectioned(dev_reports["1979"]["content"], "jsonl")
    assert headed(doc, 1) == [("一、", "伟大的历史性转变"), ("二、", "打好四个现代化的第一个战役"),
                              ("三、", "加强社会主义民主和社会主义法制"), ("四、", "反对霸权主义、维护世界和平")]
    assert [m for m, _ in headed(doc, 2, parent="二、")] == ["（一）", "（二）", "（三）", "（四）", "（五）"]
    assert_leaves_tile(doc)


def test_report_2010_tree(dev_reports):
    doc = sectioned(dev_reports["2010"]["content"], "jsonl")
    assert headed(doc, 1) == [("一、", "2009年工作回顾"), ("二、", "2010年主要任务")]
    assert len(headed(doc, 2, parent="一、")) == 4
    assert len(headed(doc, 2, parent="二、")) == 8
    assert headed(doc, 2, parent="二、")[4] == ("（五）", "大力加强文化建设")
    assert_leaves_tile(doc)


def test_report_1985_nested_list_under_chinese_paren(sample_reports):
    doc = sectioned(sample_reports["1985"]["content"], "jsonl")
    assert headed(doc, 1) == [("（一）", "关于经济形势"), ("（二）", "关于经济体制改革")]
    assert [m for m, _ in headed(doc, 2, parent="（二）")] == ["一、", "二、", "三、", "四、"]


# -- properties (acceptance 5) ---------------------------------------------

_PIECES = ["一、", "二、", "(一)", "(二)", "(五)", "1.", "2.", "(1)", "一是", "二是", "——", "第一,",
           "【提纲】", "回顾", "任务", "。", ",", "\n", "城管", "增长7.3%", "文字", " ", "、"]


def _check_tree(text: str) -> None:
    doc = clean(Document(SourceText(text, "txt")))
    sections = build_sections(doc.text, doc.doc_id or "x" * 64, [g.at for g in doc.gaps])
    if not doc.text:
        assert sections == []
        return
    doc.sections = sections
    assert_leaves_tile(doc)
    ids = {s.section_id for s in sections}
    assert len(ids) == len(sections)
    by_id = {s.section_id: s for s in sections}
    for s in sections:
        assert s.parent_id is None or s.parent_id in ids
        if s.parent_id:
            parent = by_id[s.parent_id]
            assert parent.level == s.level - 1
            assert parent.char_start <= s.char_start <= s.char_end <= parent.char_end


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60))
def test_tree_of_marker_soup_tiles_the_text(pieces):
    _check_tree("".join(pieces))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_tree_of_arbitrary_text_tiles_the_text(text):
    _check_tree(text)
