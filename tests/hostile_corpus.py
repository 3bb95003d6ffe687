"""A corpus of hostile inputs beside good ones (issue 13), built on demand.

`build(folder)` writes the small cases the test suite ingests in one run
(tests/test_hostile_inputs.py); `build(folder, big=True)` adds the big ones
the memory bench ingests (bench/hostile_memory.py): a zip-bomb .docx, a .docx
holding 100 MB of XML, a 200 MB .txt and 100 000 unclosed nested HTML tags.
Nothing here is committed as a file: every case is made by this script.

Run it by hand to look at the files: `python tests/hostile_corpus.py DIR [--big]`.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import shutil
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SPEECH = SAMPLES / "speeches" / "chengguan_progress_meeting_2020-08-15.txt"
REPORTS = SAMPLES / "work_reports" / "reports_sample.jsonl"

GOOD_TEXT = ("在全市城市管理工作推进会上的讲话\n一、上半年工作回顾\n"
             "上半年,全市城镇新增就业1.2万人,完成全年目标的60%。\n"
             "二、下半年工作安排\n下半年要确保城镇新增就业2万人以上。")
FOOTER = "本作品来自维基文库,在全世界都属于公有领域。"


@dataclass(frozen=True)
class Expected:
    """What one case should become: loaded documents, or a rejects row with this reason."""

    name: bytes  # the file's name inside the corpus folder (bytes: some are not UTF-8)
    reason: str | None = None  # the rejects reason, None when the file loads
    line: int | None = None  # the jsonl line rejected


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_with_part(xml_bytes_target: int) -> bytes:
    """A .docx whose word/document.xml is `xml_bytes_target` bytes of
    valid, highly compressible XML (many identical paragraphs)."""
    base = zipfile.ZipFile(io.BytesIO(_docx(["占位"])))
    paragraph = "<w:p><w:r><w:t>" + "城市管理工作取得新成绩。" * 20 + "</w:t></w:r></w:p>"
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
    tail = "</w:body></w:document>"
    count = max(1, (xml_bytes_target - len(head) - len(tail)) // len(paragraph.encode()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in base.infolist():
            if item.filename == "word/document.xml":
                with archive.open("word/document.xml", "w", force_zip64=True) as part:
                    part.write(head.encode())
                    chunk = (paragraph * 1000).encode()
                    for _ in range(count // 1000):
                        part.write(chunk)
                    part.write((paragraph * (count % 1000)).encode())
                    part.write(tail.encode())
            else:
                archive.writestr(item, base.read(item.filename))
    return out.getvalue()


def _zip_bomb_docx(member_bytes: int) -> bytes:
    """A valid .docx plus a media part of `member_bytes` zeros (a zip bomb:
    a few hundred KB on disk)."""
    base = zipfile.ZipFile(io.BytesIO(_docx([GOOD_TEXT])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in base.infolist():
            archive.writestr(item, base.read(item.filename))
        with archive.open("word/media/image1.png", "w", force_zip64=True) as part:
            zeros = bytes(1 << 20)
            for _ in range(member_bytes >> 20):
                part.write(zeros)
    return out.getvalue()


def _deep_html(depth: int) -> bytes:
    return ("<html><body>" + "<div><span><b>" * (depth // 3) + "深层嵌套的页面" + "</body></html>").encode()


def _many_reports(count: int) -> str:
    report = (GOOD_TEXT + "\n") * 30
    return "".join(f"第{i + 1}篇报告\n{report}{FOOTER}\n" for i in range(count))


def _write(folder: Path, name: bytes, data: bytes) -> None:
    with open(os.path.join(os.fsencode(folder), name), "wb") as fh:
        fh.write(data)


def build(folder: Path, big: bool = False) -> list[Expected]:
    """Write the corpus into `folder` (created); returns what each input should become
    (with SMALL_LIMITS set, or with the default limits when `big`). A folder
    `<folder>-outside` beside it holds the target of a symlink that points out."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    outside = folder.parent / f"{folder.name}-outside"
    outside.mkdir(exist_ok=True)
    cases: list[Expected] = []

    def add(name: str | bytes, data: bytes, reason: str | None = None, line: int | None = None) -> None:
        raw = name if isinstance(name, bytes) else name.encode()
        _write(folder, raw, data)
        cases.append(Expected(raw, reason, line))

    # good files, each of which must load
    shutil.copy(SPEECH, folder / SPEECH.name)
    cases.append(Expected(SPEECH.name.encode()))
    shutil.copy(REPORTS, folder / REPORTS.name)
    cases.append(Expected(REPORTS.name.encode()))
    add("good.docx", _docx(["在全区经济工作会议上的讲话", *GOOD_TEXT.split("\n")[1:]]))
    add("good.html", f"<html><body><h1>工作报告</h1><p>{GOOD_TEXT.replace(chr(10), '</p><p>')}</p></body></html>"
        .encode())
    # UTF-16 and UTF-32 without a byte order mark: read, not rejected
    add("utf16le_nobom.txt", ("UTF-16LE " + GOOD_TEXT).encode("utf-16-le"))
    add("utf16be_nobom.txt", ("UTF-16BE " + GOOD_TEXT).encode("utf-16-be"))
    add("utf32le_nobom.txt", ("UTF-32LE " + GOOD_TEXT).encode("utf-32-le"))
    add("utf32_bom.txt", codecs.BOM_UTF32_LE + ("UTF-32 BOM " + GOOD_TEXT).encode("utf-32-le"))
    # several reports in one file, each ending in a site footer: kept whole, with a warning
    add("many_reports.txt", _many_reports(5).encode())

    # .jsonl lines: wrong field types, a lone surrogate, a raw NUL byte; the good lines load
    def good_line(year: int) -> str:
        return json.dumps({"title": f"{year}年政府工作报告", "content": f"{year}年。{GOOD_TEXT}"}, ensure_ascii=False)

    add("field_types.jsonl", "\n".join([
        good_line(2016),
        json.dumps({"title": 2016, "content": GOOD_TEXT + "甲"}),
        json.dumps({"issuer": ["国务院"], "content": GOOD_TEXT + "乙"}, ensure_ascii=False),
        json.dumps({"region": {"name": "北京"}, "content": GOOD_TEXT + "丙"}, ensure_ascii=False),
    ]).encode(), "malformed_record", 2)
    cases += [Expected(b"field_types.jsonl", "malformed_record", 3),
              Expected(b"field_types.jsonl", "malformed_record", 4)]
    add("surrogate.jsonl", (good_line(2017) + "\n"
                            + '{"title": "\\udc00坏", "content": "正文\\ud800"}\n').encode(), "malformed_record", 2)
    add("nul_line.jsonl", (good_line(2018) + "\n"
                           + '{"title": "坏\x00", "content": "正文"}\n'
                           + good_line(2019) + "\n").encode(), "malformed_record", 2)

    # names: not UTF-8 (a GBK name from Windows), a newline forging a console line, an escape sequence
    add(b"gbk_\xd6\xd0.txt", GOOD_TEXT.encode(), "undecodable_name")
    add("evil\nrejected important.docx: corrupt.txt", b"\x00\x01binary\x00" * 20, "binary")
    add("\x1b[31mred.txt", b"\x89PNG\r\n\x1a\n" + bytes(100), "binary")

    # symlinks: one to a file outside the inputs (refused), one to a file inside (followed)
    secret = outside / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    link = folder / "passwd.txt"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(secret)
    cases.append(Expected(b"passwd.txt", "outside_input"))
    inside = folder / "link_to_speech.txt"
    if inside.is_symlink() or inside.exists():
        inside.unlink()
    inside.symlink_to(folder / SPEECH.name)
    cases.append(Expected(b"link_to_speech.txt"))

    # resource bounds: past SMALL_LIMITS, which the test suite sets so these stay small;
    # within the default limits, which the bench keeps (they load there)
    past = None if big else "too_large"
    add("bomb_small.docx", _zip_bomb_docx(8 << 20), past)
    add("xml_small.docx", _docx_with_part(5 << 19), past)  # 2.5 MB of XML, 0.8 M characters
    add("long_small.txt", ("长文本。" * 200_000).encode(), past)  # 0.8 M characters
    add("deep_small.html", _deep_html(6_000), past)
    if big:
        _build_big(folder, cases)
    return cases


def _write_repeated(path: Path, chunk: bytes, size: int) -> None:
    with open(path, "wb") as fh:
        for _ in range(max(1, size // len(chunk))):
            fh.write(chunk)


def _build_big(folder: Path, cases: list[Expected]) -> None:
    """The issue's big inputs, and inputs just inside the default limits
    (transforms/limits.py), which are read: what memory they take is the run's."""
    def add(name: str, data: bytes, reason: str | None = None) -> None:
        (folder / name).write_bytes(data)
        cases.append(Expected(name.encode(), reason))

    add("bomb.docx", _zip_bomb_docx(4 << 30), "too_large")  # 4 GB of zeros in a media part
    add("xml_100mb.docx", _docx_with_part(100 << 20), "too_large")
    add("xml_30mb.docx", _docx_with_part(30 << 20), "too_large")  # under the part limit: streamed, cut at 1 M chars
    add("deep_100k.html", _deep_html(100_000), "too_large")
    add("deep_15k.html", _deep_html(15_000))  # under the depth limit: parsed
    _write_repeated(folder / "text_200mb.txt", _many_reports(20).encode(), 200 << 20)
    cases.append(Expected(b"text_200mb.txt", "too_large"))
    _write_repeated(folder / "text_60mb.txt", _many_reports(20).encode(), 60 << 20)  # read, then too long
    cases.append(Expected(b"text_60mb.txt", "too_large"))
    one_report = _many_reports(1).encode()  # just under 1 M characters: one document through the pipeline
    _write_repeated(folder / "text_0_95m_chars.txt", one_report, len(one_report) * (950_000 // len(one_report.decode())))
    cases.append(Expected(b"text_0_95m_chars.txt"))
    with open(folder / "reports_40mb.jsonl", "w", encoding="utf-8") as fh:  # many documents in one file
        number = 0
        while fh.tell() < 40 << 20:
            number += 1
            fh.write(json.dumps({"title": f"第{number}号报告", "content": f"第{number}号。" + (GOOD_TEXT + "\n") * 40},
                                ensure_ascii=False) + "\n")
    cases.append(Expected(b"reports_40mb.jsonl"))


# Limits the test suite sets (SPEECH_ETL_*), so that small files exercise every bound.
SMALL_LIMITS = {
    "SPEECH_ETL_MAX_DOCX_PART_BYTES": str(2 << 20),
    "SPEECH_ETL_MAX_DOCX_BYTES": str(4 << 20),
    "SPEECH_ETL_MAX_DOCUMENT_CHARS": str(500_000),
    "SPEECH_ETL_MAX_HTML_DEPTH": str(1_000),
}


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python tests/hostile_corpus.py DIR [--big]")
    for case in build(Path(sys.argv[1]), big="--big" in sys.argv[2:]):
        print(case.name, case.reason or "loads", case.line or "")
