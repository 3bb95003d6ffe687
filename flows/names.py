"""File names as the warehouse stores them and the console prints them.

A path is what the operating system gives (a str that may hold undecodable
bytes as surrogates: a GBK name from Windows on a UTF-8 system). Stored, its
bad bytes are escaped (`gbk_\\xd6\\xd0.txt`), so it can be written as UTF-8 and
still names the same file on every run. Printed, control and format
characters are escaped too (`\\n`, `\\x1b`), so no file name can forge a
console line or colour it.
"""

from __future__ import annotations

import os
import unicodedata

# Control, format (bidi overrides, zero-width), line and paragraph separators, surrogates.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def name_is_utf8(path: str) -> bool:
    try:
        path.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def stored_path(path: str) -> str:
    """`path` with the bytes that are not UTF-8 escaped (\\xd6)."""
    if name_is_utf8(path):
        return path
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def gb18030_reading(path: str) -> str | None:
    """The file name read as GB18030 (how Windows in China wrote it), when it reads."""
    try:
        return os.fsencode(os.path.basename(path)).decode("gb18030")
    except UnicodeDecodeError:
        return None


def printable(text: object) -> str:
    """`text` for one console line: control and format characters escaped."""
    text = str(text)
    if all(unicodedata.category(c) not in _UNPRINTABLE for c in text):
        return text
    return "".join(ascii(c)[1:-1] if unicodedata.category(c) in _UNPRINTABLE else c for c in text)
