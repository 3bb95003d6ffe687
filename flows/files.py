"""Finding input files and planning what a run must read.

A file is skipped without being read when its (path, size, mtime) match what
the lake last recorded; when those differ its content hash decides. Paths are
compared as the lake stores them (flows/names.py: bytes that are not UTF-8
escaped).

Only what the user pointed at is read: a symbolic link is followed when its
target lies inside one of the input paths, and otherwise becomes a rejected
input (`outside_input`), unless `follow_symlinks` is set. Links to folders
are never walked (a link to a parent would loop).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from flows.names import name_is_utf8, stored_path
from transforms.readers import SUPPORTED_SUFFIXES
from warehouse.lake import LakeState

OUTSIDE_INPUT = "outside_input"
UNDECODABLE_NAME = "undecodable_name"


@dataclass(frozen=True)
class InputFile:
    path: str  # absolute, resolved
    size: int
    mtime_ns: int
    explicit: bool = False  # named on the command line (not found in a folder)
    # why the file is rejected unread (OUTSIDE_INPUT, UNDECODABLE_NAME), decided when it was found
    refused: str | None = None

    @property
    def stored(self) -> str:
        """The path as the lake records it."""
        return stored_path(self.path)

    @property
    def supported(self) -> bool:
        return Path(self.path).suffix.lower() in SUPPORTED_SUFFIXES


@dataclass
class Plan:
    to_read: list[InputFile] = field(default_factory=list)
    unchanged: list[InputFile] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    ignored: list[InputFile] = field(default_factory=list)  # other file types found in folders

    @property
    def seen(self) -> int:
        return len(self.to_read) + len(self.unchanged)


def _walk(root: str, excluded: set[str], roots: list[str], follow_symlinks: bool) -> list[InputFile]:
    """The files under `root`, hidden ones and the excluded folders left out;
    one stat per file (os.scandir caches it). A link to a file outside `roots`
    is refused (recorded with its own stat; its target is never read) unless `follow_symlinks`."""
    out = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.path in excluded:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file():
                    outside = (entry.is_symlink() and not follow_symlinks
                               and not _under(os.path.realpath(entry.path), roots))
                    stat = entry.stat(follow_symlinks=not outside)
                    out.append(InputFile(entry.path, stat.st_size, stat.st_mtime_ns,
                                         refused=OUTSIDE_INPUT if outside else _name_problem(entry.path)))
            except OSError:
                out.append(InputFile(entry.path, -1, -1, refused=_name_problem(entry.path)))
    return out


def _name_problem(path: str) -> str | None:
    return None if name_is_utf8(path) else UNDECODABLE_NAME


def discover(paths: list[Path], exclude: list[Path] = (), follow_symlinks: bool = False) -> list[InputFile]:
    """Files under each path (recursively), hidden files and folders left out;
    links to files outside the paths refused unless `follow_symlinks`."""
    excluded = {str(p.resolve()) for p in exclude}
    roots = [str(Path(p).resolve()) for p in paths]
    found: dict[str, InputFile] = {}
    for root in paths:
        root = root.resolve()
        if root.is_file():
            if str(root) in excluded:
                continue
            try:
                stat = root.stat()
                found[str(root)] = InputFile(str(root), stat.st_size, stat.st_mtime_ns, True,
                                             _name_problem(str(root)))
            except OSError:
                found[str(root)] = InputFile(str(root), -1, -1, True, _name_problem(str(root)))
            continue
        if str(root) in excluded or any(str(root).startswith(e + os.sep) for e in excluded):
            continue
        for f in _walk(str(root), excluded, roots, follow_symlinks):
            found[f.path] = f
    return sorted(found.values(), key=lambda f: f.path)


def _under(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r if r.endswith(os.sep) else r + os.sep) for r in roots)


# A user's metadata for the files beside it (README.md, "Inputs"); never an input itself.
METADATA_CSV = "metadata.csv"
METADATA_COLUMNS = ("title", "date", "issuer", "region")


def is_metadata_csv(path: str) -> bool:
    return os.path.basename(path).lower() == METADATA_CSV


def read_metadata_csv(data: bytes) -> dict[str, dict[str, str]]:
    """file name -> {title, date, issuer, region} (blank cells left out) of a
    metadata.csv's bytes (UTF-8, with or without BOM, or GB18030 as Excel
    saves it). Rows without a path, and unknown columns, are ignored."""
    from transforms.readers import decode_text

    try:
        text, _ = decode_text(data)
    except Exception:  # noqa: BLE001 - an unreadable csv states nothing
        return {}
    rows: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)}
        name = row.get("path", "").replace("\\", "/").removeprefix("./")
        if not name:
            continue
        rows[name] = {k: row[k] for k in METADATA_COLUMNS if row.get(k)}
    return rows


class MetadataCsvs:
    """The metadata.csv rows for input files, each folder's csv read once."""

    def __init__(self) -> None:
        self._folders: dict[str, dict[str, dict[str, str]]] = {}

    def meta_for(self, path: str) -> dict[str, str]:
        folder, name = os.path.split(path)
        if folder not in self._folders:
            try:
                data = Path(folder, METADATA_CSV).read_bytes()
            except OSError:
                data = b""
            self._folders[folder] = read_metadata_csv(data) if data else {}
        return dict(self._folders[folder].get(name, {}))


def plan(files: list[InputFile], roots: list[Path], state: LakeState) -> Plan:
    result = Plan()
    for f in files:
        if is_metadata_csv(f.path):
            continue  # metadata for the other files, not a document
        if not f.explicit and os.path.splitext(f.path)[1].lower() not in SUPPORTED_SUFFIXES:
            result.ignored.append(f)
            continue
        known = state.sources.get(f.stored)
        if known and known.status != "deleted" and known.size == f.size and known.mtime_ns == f.mtime_ns:
            result.unchanged.append(f)
        else:
            result.to_read.append(f)
    present = {f.stored for f in files}
    resolved_roots = [str(r.resolve()) for r in roots]
    for path, known in state.sources.items():
        if known.status != "deleted" and path not in present and _under(path, resolved_roots):
            result.deleted.append(path)
    return result


# Batch sizes, when the user sets none (SPEECH_ETL_BATCH_BYTES). Every batch
# costs a worker about 0.2 s in Prefect's task engine (docs/performance.md),
# so the first batches of a run are large; they shrink toward its end, so the
# workers finish together: a batch holds at most the bytes not yet batched
# over twice the workers, within these sizes (a larger file is a batch of its
# own; a .jsonl file larger than the smallest is read in parts: flows/parts.py).
MIN_BATCH_BYTES = 4_000_000
MAX_BATCH_BYTES = 16_000_000


def batches(files: list, max_bytes: int, max_files: int, workers: int | None = None) -> list[list]:
    """Group files (or parts of files: anything with a `size`), in order, into
    batches of at most `max_bytes` and `max_files`; with `workers`, of at
    most the bytes left over twice the workers instead, within `max_bytes`
    and MAX_BATCH_BYTES (large batches first, smaller ones at the end)."""
    out: list[list] = []
    current: list = []
    size = 0
    left = sum(max(f.size, 0) for f in files)
    for f in files:
        if current and (size + max(f.size, 0) > _limit(left, max_bytes, workers) or len(current) >= max_files):
            out.append(current)
            left -= size
            current, size = [], 0
        current.append(f)
        size += max(f.size, 0)
    if current:
        out.append(current)
    return out


def _limit(left: int, max_bytes: int, workers: int | None) -> int:
    if not workers:
        return max_bytes
    return max(max_bytes, min(MAX_BATCH_BYTES, left // (2 * workers)))


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
