"""Real PDFs for tests, the bench and the sample: a report laid out as a county
office publishes one (A4, a running header, page numbers, paragraphs indented
two characters and wrapped at the right margin, so figures break across line
ends), a scanned-style PDF (an image, no text layer) and encrypted ones.

Made with fpdf2 and a CJK font of the system (Noto CJK, which `.ci/run`
installs when missing); `cjk_font()` says clearly when there is none.

    from bench.pdf_maker import Block, report_pdf
    data = report_pdf([Block("title", "…"), Block("para", "…")], header="…")
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Where Debian/Ubuntu (fonts-noto-cjk), Fedora and Arch put a CJK font, for a
# machine without fontconfig's command line.
KNOWN_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
FIXED_DATE = dt.datetime(2025, 1, 10, tzinfo=dt.timezone.utc)


class NoCjkFont(RuntimeError):
    """No font on this machine covers Chinese."""


def cjk_font() -> Path:
    """A font file covering Chinese: what fontconfig lists for zh-cn (Noto CJK
    preferred), else a known path; NoCjkFont if there is none."""
    found: list[str] = []
    try:
        listing = subprocess.run(["fc-list", ":lang=zh-cn", "file"], capture_output=True, text=True, timeout=30)
        found = [line.split(":")[0].strip() for line in listing.stdout.splitlines() if line.strip()]
    except (OSError, subprocess.SubprocessError):
        pass
    usable = [f for f in found if f.lower().endswith((".ttc", ".ttf", ".otf"))]
    usable.sort(key=lambda f: ("noto" not in f.lower(), "bold" in f.lower(), f))
    for path in [*usable, *KNOWN_FONTS]:
        if Path(path).is_file():
            return Path(path)
    raise NoCjkFont("no CJK font found (fc-list :lang=zh-cn is empty and none of the known paths exists); "
                    "install one: apt-get install fonts-noto-cjk")


@dataclass(frozen=True)
class Block:
    """One block of the report: `title` (centred, larger), `para` (indented
    two characters, wrapped), `right` (right-aligned: a signature, a date)."""

    kind: str
    text: str


@dataclass(frozen=True)
class Layout:
    width: float = 210.0  # A4, mm
    height: float = 297.0
    # the layout of Chinese official documents (GB/T 9704): 三号 (16 pt) text,
    # 28 characters a line, 22 lines a page
    margin_x: float = 27.0
    margin_top: float = 37.0
    margin_bottom: float = 35.0
    size: float = 16.0  # body font size, pt
    title_size: float = 22.0
    leading: float = 1.8  # line pitch as a multiple of the font size
    chrome_size: float = 9.0


def _new_pdf(font: Path | None):
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(FIXED_DATE)
    if font is not None:
        pdf.add_font("cjk", fname=str(font))
    return pdf


def _wrap(pdf, text: str, first_width: float, width: float) -> list[str]:
    """Lines of `text` broken at the character that would pass the margin
    (Chinese wraps anywhere: inside a number too, as real reports do)."""
    lines, line, used, limit = [], "", 0.0, first_width
    for char in text:
        w = pdf.get_string_width(char)
        if line and used + w > limit:
            lines.append(line)
            line, used, limit = "", 0.0, width
        line += char
        used += w
    if line:
        lines.append(line)
    return lines


def report_pdf(blocks: list[Block], header: str = "", page_numbers: bool = True,
               layout: Layout = Layout(), user_password: str | None = None, font: Path | None = None) -> bytes:
    """The PDF bytes of a report: every page with `header` at the top (a
    running header) and `- N -` at the bottom when `page_numbers`."""
    pdf = _new_pdf(font or cjk_font())
    if user_password:
        pdf.set_encryption(owner_password=user_password + "-owner", user_password=user_password)
    text_width = layout.width - 2 * layout.margin_x
    pt = 25.4 / 72  # mm per point
    y = 0.0

    def new_page() -> float:
        pdf.add_page()
        pdf.set_font("cjk", size=layout.chrome_size)
        if header:
            pdf.text((layout.width - pdf.get_string_width(header)) / 2, 16, header)
            pdf.line(layout.margin_x, 18, layout.width - layout.margin_x, 18)
        if page_numbers:
            number = f"- {pdf.page_no()} -"
            pdf.text((layout.width - pdf.get_string_width(number)) / 2, layout.height - 14, number)
        return layout.margin_top

    y = new_page()
    for block in blocks:
        size = layout.title_size if block.kind == "title" else layout.size
        pdf.set_font("cjk", size=size)
        pitch = size * layout.leading * pt
        em = size * pt
        indent = 2 * em if block.kind == "para" else 0.0
        lines = _wrap(pdf, block.text, text_width - indent, text_width)
        for i, line in enumerate(lines):
            if y + pitch > layout.height - layout.margin_bottom:
                y = new_page()
                pdf.set_font("cjk", size=size)
            y += pitch
            if block.kind == "title":
                x = (layout.width - pdf.get_string_width(line)) / 2
            elif block.kind == "right":
                x = layout.width - layout.margin_x - pdf.get_string_width(line)
            else:
                x = layout.margin_x + (indent if i == 0 else 0.0)
            pdf.text(x, y, line)
        if block.kind == "title":
            y += pitch / 2
    return bytes(pdf.output())


def scanned_pdf(text: str = "某某县2024年工作总结", pages: int = 1, font: Path | None = None) -> bytes:
    """A PDF as a scanner makes it: each page one image of printed text, no text layer."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (600, 200), 255)
    try:
        face = ImageFont.truetype(str(font or cjk_font()), 36)
    except NoCjkFont:  # a scan is pixels either way: no CJK font needed to test its refusal
        face, text = ImageFont.load_default(), "Work report 2024 (scanned)"
    ImageDraw.Draw(image).text((20, 80), text, font=face, fill=0)
    raw = io.BytesIO()
    image.save(raw, format="PNG")
    pdf = _new_pdf(None)
    for _ in range(pages):
        pdf.add_page()
        pdf.image(io.BytesIO(raw.getvalue()), x=20, y=30, w=170)
    return bytes(pdf.output())


def encrypted_pdf(user_password: str = "secret") -> bytes:
    """A one-page PDF that opens only with a password (RC4, as office
    software writes it; the built-in Helvetica, so no font file is read)."""
    pdf = _new_pdf(None)
    pdf.set_encryption(owner_password=user_password + "-owner", user_password=user_password)
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.text(20, 30, "Work report 2024 (confidential)")
    return bytes(pdf.output())


def text_blocks(text: str) -> list[Block]:
    """Blocks of a plain text, one per line: the first line is the title, a
    line of a signature or date after the last paragraph is right-aligned."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    blocks = [Block("title", lines[0])] if lines else []
    for line in lines[1:]:
        blocks.append(Block("para", line))
    return blocks


# A county bureau's year summary as such offices write them: a heading tree
# (一、 (一) 1.), figures with units, dates, a target section and a signature.
DEMO_REPORT = """\
某某县城市管理局2024年工作总结及2025年工作计划
2024年,县城市管理局在县委、县政府的坚强领导下,紧紧围绕全年目标任务,以创建全国文明城市为抓手,全面提升城市管理精细化水平,各项工作取得明显成效。现将有关情况报告如下。
一、2024年工作开展情况
(一)市容环境整治
全年累计开展市容集中整治行动126次,出动执法人员8650人次,规范流动摊点1320处,清理占道经营2415起,拆除违规户外广告牌386块,面积达4521.6平方米。城区主次干道“门前三包”责任书签订率达到100%。
(二)违法建设治理
严格落实“零容忍”要求,全年共拆除违法建设213处、面积18765.32平方米,同比增长12.4%;新增违法建设实现动态清零,违法建设举报案件办结率达到98.6%。
(三)数字化城市管理
数字化城管平台全年受理各类案件35872件,立案34950件,结案34418件,结案率为98.48%,按期结案率为96.2%。1月1日至12月31日,平台日均受理案件98.3件,较上年增加7.5件。
(四)园林绿化建设
新增城市绿地面积32.6万平方米,新建口袋公园14个,栽植各类苗木2.35万株,建成区绿化覆盖率达到41.8%,比上年提高1.2个百分点。
(五)环境卫生管理
全县生活垃圾无害化处理率达到100%,城区日均清运生活垃圾186.5吨,较上年增长4.3%。1-12月,共新建改造公共厕所23座,更新分类垃圾桶1560个,完成主次干道机械化清扫面积215万平方米,机械化清扫率达到85.6%。
(六)队伍建设
组织开展执法业务培训12期,参训人员达到960人次;全年办理人大代表建议和政协委员提案27件,办结率100%,群众满意率达到98.9%。
二、存在的问题
一是城市管理基础设施投入不足,部分老旧小区环境卫生状况仍然较差;二是执法队伍力量相对薄弱,一线执法人员仅有86人,与城市管理任务不相适应。
三、2025年工作计划
(一)主要目标
2025年,力争数字化城管案件结案率保持在98%以上,新增城市绿地面积不少于30万平方米,新建口袋公园10个以上,违法建设查处率达到100%。
(二)重点任务
1.持续深化市容环境整治。计划开展集中整治行动不少于120次,全面规范沿街经营秩序,力争群众对市容环境满意度达到90%以上。
2.加快推进智慧城管建设。计划投资1200万元,完成数字化城管平台升级改造,实现重点区域视频监控全覆盖。
3.全力提升园林绿化品质。实施城市绿化提升工程8项,栽植苗木2万株以上。
某某县城市管理局
2025年1月10日
"""


def demo_blocks(text: str = DEMO_REPORT) -> list[Block]:
    """The demo report's blocks: its last two lines (office and date) right-aligned."""
    blocks = text_blocks(text)
    return blocks[:-2] + [Block("right", b.text) for b in blocks[-2:]]
