"""A Chinese font inside the page, so that it reads where no CJK font is installed.

The report's Chinese (titles, tables, chart labels, tooltips) would otherwise
be drawn with the reader's system fonts, and a machine without a CJK font
shows empty boxes. So the page carries a subset of a CJK font from the
machine that builds it: only the characters the page uses, as a WOFF file in
an @font-face rule (fontTools), a few hundred kB for a full report. Where the
building machine has no CJK font either, the page says so plainly and falls
back on the reader's fonts (docs/report.md).
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

FAMILY = "speech-etl-cjk"
FONT = (f"'{FAMILY}', 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
        "'WenQuanYi Micro Hei', sans-serif")
FONT_ENV = "SPEECH_ETL_CJK_FONT"  # a font file to embed (.otf, .ttf, .ttc[#index]), or "none"
# where the usual CJK fonts live when fontconfig is not there to say (Debian, macOS, Windows)
KNOWN_FONTS = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/System/Library/Fonts/PingFang.ttc", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
]
NO_FONT_HINT = ("install a CJK font (Debian: apt-get install fonts-noto-cjk) or name a font file in "
                f"{FONT_ENV}, and make the report again")


@dataclass
class EmbeddedFont:
    css: str  # the @font-face rule; "" when nothing is embedded
    source: str | None  # the font file the subset was cut from
    characters: int  # how many characters the subset covers
    note: str | None  # why nothing is embedded, for the page and stderr


def page_characters(text: str) -> set[str]:
    """The characters a Latin font lacks: CJK, their punctuation, full-width forms."""
    return {c for c in text if ord(c) >= 0x2E80}


def _fc_list() -> list[tuple[str, int]]:
    """Simplified-Chinese fonts fontconfig knows, sans before serif, SC faces first."""
    if shutil.which("fc-list") is None:
        return []
    try:
        listed = subprocess.run(["fc-list", "-f", "%{file}|%{index}|%{family}|%{style}\\n", ":lang=zh-cn"],
                                capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    found = []
    for line in listed.splitlines():
        path, index, family, style = (line.split("|") + ["", "", ""])[:4]
        names = f"{family} {style}"
        rank = (("Sans" not in names) + ("Mono" in names) + ("SC" not in names) + ("Regular" not in names), path)
        found.append((rank, path, int(index) if index.isdigit() else 0))
    return [(path, index) for _, path, index in sorted(found)]


def find_cjk_font() -> tuple[str, int] | None:
    """The font file (and face number in a collection) to cut the subset from."""
    chosen = os.environ.get(FONT_ENV, "").strip()
    if chosen.lower() == "none":
        return None
    if chosen:
        path, _, index = chosen.partition("#")
        return path, int(index or 0)
    for path, index in _fc_list() + KNOWN_FONTS:
        if Path(path).is_file():
            return path, index
    return None


def _subset_woff(path: str, index: int, characters: set[str]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"  # zlib: no brotli needed, every browser reads it
    options.layout_features = []  # horizontal text needs no OpenType features
    options.hinting = False
    options.notdef_outline = True
    font = TTFont(path, fontNumber=index, lazy=True, recalcBBoxes=False)  # the source's boxes hold: faster
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in characters))
    subsetter.subset(font)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def embed_font(text: str) -> EmbeddedFont:
    """The @font-face rule of a subset covering the CJK characters of `text`."""
    characters = page_characters(text)
    if not characters:
        return EmbeddedFont("", None, 0, None)
    source = find_cjk_font()
    if source is None:
        return EmbeddedFont("", None, 0, "No Chinese font is embedded in this page: none was found where it "
                                         f"was made, or {FONT_ENV} was none ({NO_FONT_HINT}). Chinese text "
                                         "shows only where the reader's system has a CJK font.")
    try:
        woff = _subset_woff(source[0], source[1], characters)
    except (ImportError, OSError, ValueError, KeyError, AssertionError) as exc:  # fontTools' complaints
        return EmbeddedFont("", None, 0, f"No Chinese font is embedded in this page: {source[0]} could not be "
                                         f"subset ({type(exc).__name__}: {exc}; {NO_FONT_HINT}).")
    data = base64.b64encode(woff).decode("ascii")
    css = (f"@font-face {{ font-family: '{FAMILY}'; font-style: normal; font-weight: 400; font-display: block; "
           f"src: url(data:font/woff;base64,{data}) format('woff'); }}")
    return EmbeddedFont(css, source[0], len(characters), None)
