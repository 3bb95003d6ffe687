"""Large .jsonl files read in parts, so one big file is not one long batch.

A .jsonl file larger than a batch is cut at line ends into parts of about a
batch each; every part is read by its own batch, on whichever worker is free,
and the flow writes the file's `sources` row once its last part is committed
(flows/ingest.py). The rows are those of the whole file read at once:

- Only a file that decodes as UTF-8 as a whole is cut (`decode_text` decides
  on the first part, every part is checked to be UTF-8 without NUL bytes);
  any other is read whole, as before, so its encoding is judged on all of it.
- A part is read with as many blank lines before it as the file has lines
  before it, so the reader numbers its lines as in the file (`source_record`
  is the file's line number) and skips the blank ones; a part of a file with
  a byte order mark keeps the mark, so its encoding reads `utf-8-sig` too.
- Should a part's bytes, read alone, be judged as no text (a part of blank
  lines, a head of control bytes), the part's lines are taken from the whole
  file read at once instead.

The whole file's content hash is taken while cutting it: a file whose
content the lake already has (only its mtime moved) is not cut but read
whole, which finds it unchanged.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from flows.files import InputFile
from transforms.limits import ReadLimits

SPLIT_SUFFIX = ".jsonl"
# decode_text judges text against binary on a file's first 8 KB; a first part
# at least this long is judged as the whole file is
MIN_FIRST_PART_BYTES = 8192
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class FilePart:
    """Lines `first_line`.. of a .jsonl file: its bytes `start` to `end`, part
    `index` of `count`; `sha` is the whole file's content hash."""

    file: InputFile
    index: int
    count: int
    start: int
    end: int
    first_line: int
    sha: str
    bom: bool

    @property
    def size(self) -> int:
        return self.end - self.start

    @property
    def stored(self) -> str:
        return self.file.stored


def splittable(f: InputFile, part_bytes: int, limits: ReadLimits) -> bool:
    return (not f.refused and f.path.lower().endswith(SPLIT_SUFFIX)
            and part_bytes < f.size <= limits.max_file_bytes)


def split_large(files: list[InputFile], part_bytes: int, limits: ReadLimits,
                known_sha: dict[str, str | None]) -> list[InputFile | FilePart]:
    """`files` with each large .jsonl file replaced by its parts (when it can be
    cut and its content is not what the lake already has)."""
    out: list[InputFile | FilePart] = []
    for f in files:
        parts = cut(f, part_bytes) if splittable(f, part_bytes, limits) else None
        if parts and parts[0].sha != known_sha.get(f.stored):
            out.extend(parts)
        else:
            out.append(f)
    return out


def cut(f: InputFile, part_bytes: int) -> list[FilePart] | None:
    """`f`'s parts of about `part_bytes` each, ended at line ends, or None when
    the file is not UTF-8 text as a whole (or is not as it was found)."""
    from transforms.readers import decode_text

    sha, pieces, line = hashlib.sha256(), [], 1
    try:
        with open(f.path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size != f.size:
                return None  # changed since it was found: read whole, as any other file
            first = _next_piece(fh, max(part_bytes, MIN_FIRST_PART_BYTES))
            if decode_text(first)[1] not in ("utf-8", "utf-8-sig"):
                return None
            data = first
            while data:
                if pieces and (b"\0" in data or not _utf8(data)):
                    return None
                sha.update(data)
                pieces.append((fh.tell() - len(data), fh.tell(), line))
                line += data.count(b"\n")
                data = _next_piece(fh, part_bytes)
    except Exception:  # noqa: BLE001 - unreadable, or not text: the whole file's read says why
        return None
    if len(pieces) < 2:
        return None  # one line, or little more than a part: nothing to share out
    return [FilePart(f, i, len(pieces), start, end, first_line, sha.hexdigest(), first.startswith(_BOM))
            for i, (start, end, first_line) in enumerate(pieces)]


def _next_piece(fh, size: int) -> bytes:
    """The next `size` bytes of `fh` and the rest of the line they end in."""
    data = fh.read(size)
    if data and not data.endswith(b"\n"):
        data += fh.readline()
    return data


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def read_part(part: FilePart, limits: ReadLimits) -> list:
    """The records (SourceText or Rejection) of the part's lines, numbered as
    in the whole file."""
    from transforms.readers import read_source

    with open(part.file.path, "rb") as fh:
        fh.seek(part.start)
        data = fh.read(part.size)
    lead = b"" if part.index == 0 else (_BOM if part.bom else b"") + b"\n" * (part.first_line - 1)
    name = os.path.basename(part.file.path)
    records = read_source(lead + data, name, limits)
    if any(r.source_record is None for r in records):  # judged alone as no text: take the lines from the whole
        return _lines_of_whole(part, name, limits)
    return records


def _lines_of_whole(part: FilePart, name: str, limits: ReadLimits) -> list:
    from transforms.readers import read_source

    with open(part.file.path, "rb") as fh:
        data = fh.read(limits.max_file_bytes + 1)
    own = data[part.start:part.end]
    last_line = part.first_line + own.count(b"\n") - own.endswith(b"\n")
    return [r for r in read_source(data, name, limits)  # a whole-file rejection once, with the first part
            if (part.first_line <= r.source_record <= last_line if r.source_record else part.index == 0)]


class SplitFiles:
    """The files read in parts, and each one's documents as its parts come in."""

    def __init__(self, items: list) -> None:
        self._first = {p.stored: p for p in items if isinstance(p, FilePart) and p.index == 0}
        self._doc_ids: dict[str, dict[int, list[str]]] = {path: {} for path in self._first}

    def finished(self, parts: list[tuple[str, int, list[str]]]) -> list[tuple[FilePart, list[str]]]:
        """Take a batch's (path, part index, doc_ids) of parts read; (first part,
        all the file's doc_ids in line order) of each file now read whole."""
        done = []
        for path, index, doc_ids in parts:
            got = self._doc_ids[path]
            got[index] = doc_ids
            first = self._first[path]
            if len(got) == first.count:
                done.append((first, [d for i in range(first.count) for d in got[i]]))
                del self._doc_ids[path]
        return done
