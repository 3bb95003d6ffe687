"""Build samples/ from the shared dev corpus: run from the repository root.

    .venv/bin/python samples/build_samples.py

The sample speech is copied unchanged and saved again as GB18030 text, a .docx
and a web page with site chrome, so every input format is shown; the four must
clean to the same text (tests/test_readers.py checks it). A few work reports
are copied verbatim from the corpus .jsonl.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import shutil
import zipfile
from pathlib import Path

import docx
import docx.document

SHARED = Path("../shared/corpus")
SPEECH = SHARED / "speeches" / "chengguan_progress_meeting_2020-08-15.txt"
REPORTS = SHARED / "work_reports" / "government_work_reports_1954_2015.jsonl"
OUT = Path("samples")
STEM = SPEECH.stem
# Work reports of two decades apart plus the 2015 resolution (year null).
REPORT_YEARS = {"2015", "2014", "2013", "2005", "2004", "1985"}
RESOLUTION_TITLE = "第十二届全国人民代表大会第三次会议关于政府工作报告的决议"

PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}_讲话稿_文鼎文库</title>
<style>body {{ font-family: sans-serif; }}</style>
<script>var _hmt = _hmt || []; console.log("统计代码");</script>
</head>
<body>
<header id="top-header"><div class="logo">文鼎文库</div><div class="login">登录 | 注册</div></header>
<nav class="main-menu"><ul><li><a href="/">首页</a></li><li><a href="/jhg">讲话稿</a></li><li><a href="/zj">工作总结</a></li><li><a href="/gh">工作计划</a></li></ul></nav>
<div id="breadcrumb">当前位置:首页 &gt; 讲话稿 &gt; 城管工作</div>
<div class="wrapper">
<article class="article-body">
{paragraphs}
<div class="share-bar">分享到:微信 微博 QQ空间</div>
</article>
<aside class="sidebar"><div class="ad-box">广告:公文写作培训班火热招生中,点击咨询</div><h3>热门文章</h3><ul><li>在全市环卫工作会议上的讲话</li><li>城管局上半年工作总结</li></ul></aside>
</div>
<footer class="site-footer"><p>Copyright © 2020 文鼎文库 www.wentop.com 版权所有</p><p>备案号:京ICP备00000000号</p></footer>
<script>document.write("<div>弹窗广告</div>");</script>
</body>
</html>
"""


def speech_lines(text: str) -> list[str]:
    """The non-blank lines: what every format carries, one block each."""
    return [line for line in text.split("\n") if line.strip()]


def reproducible_docx(document: docx.document.Document) -> bytes:
    """The .docx bytes with fixed dates, so rebuilding changes no bytes."""
    document.core_properties.created = document.core_properties.modified = dt.datetime(2020, 8, 15)
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2020, 8, 15, 0, 0, 0)), src.read(info.filename),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def build_speech(text: str, title: str) -> None:
    folder = OUT / "speeches"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SPEECH, folder / SPEECH.name)
    (folder / f"{STEM}_gb18030.txt").write_bytes(text.encode("gb18030"))

    lines = speech_lines(text)
    heading_at = lines.index(title)  # the first occurrence is the heading
    document = docx.Document()
    for i, line in enumerate(lines):
        if i == heading_at:
            document.add_heading(line, level=1)
        else:
            document.add_paragraph(line)
    (folder / f"{STEM}.docx").write_bytes(reproducible_docx(document))

    paragraphs = "\n".join(
        f"<h1>{html.escape(line)}</h1>" if i == heading_at else f"<p>{html.escape(line)}</p>"
        for i, line in enumerate(lines)
    )
    page = PAGE.format(title=html.escape(title), paragraphs=paragraphs)
    (folder / f"{STEM}.html").write_text(page, encoding="utf-8")


def build_reports() -> None:
    folder = OUT / "work_reports"
    folder.mkdir(parents=True, exist_ok=True)
    kept = []
    with REPORTS.open("rb") as fh:
        for raw in fh:
            record = json.loads(raw)
            if record.get("year") in REPORT_YEARS or record.get("title") == RESOLUTION_TITLE:
                kept.append(raw if raw.endswith(b"\n") else raw + b"\n")
    (folder / "reports_sample.jsonl").write_bytes(b"".join(kept))


def main() -> None:
    text = SPEECH.read_text(encoding="utf-8")
    title = "在全市城管系统工作推进会上的讲话"
    assert title in speech_lines(text), "the sample speech changed: update build_samples.py"
    build_speech(text, title)
    build_reports()
    for path in sorted(OUT.rglob("*")):
        if path.is_file() and path.suffix != ".py":
            print(f"{path}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
