"""Finding input files and planning what a run must read.

A file is skipped without being read when its (path, size, mtime) match what
the lake last recorded; when those differ its content hash decides.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from transforms.readers import SUPPORTED_SUFFIXES
from warehouse.lake import LakeState


@dataclass(frozen=True)
class InputFile:
    path: str  # absolute, resolved
    size: int
    mtime_ns: int
    explicit: bool = False  # named on the command line (not found in a folder)

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


def discover(paths: list[Path], exclude: list[Path] = ()) -> list[InputFile]:
    """Files under each path (recursively), hidden files and folders left out."""
    excluded = [p.resolve() for p in exclude]
    found: dict[str, InputFile] = {}
    for root in paths:
        root = root.resolve()
        if root.is_file():
            candidates = [(root, True)]
        else:
            candidates = [(p, False) for p in sorted(root.rglob("*"))
                          if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)]
        for path, explicit in candidates:
            if any(path == e or e in path.parents for e in excluded):
                continue
            try:
                stat = path.stat()
            except OSError:
                stat = None
            found[str(path)] = InputFile(str(path), stat.st_size if stat else -1,
                                         stat.st_mtime_ns if stat else -1, explicit)
    return sorted(found.values(), key=lambda f: f.path)


def plan(files: list[InputFile], roots: list[Path], state: LakeState) -> Plan:
    result = Plan()
    for f in files:
        if not f.supported and not f.explicit:
            result.ignored.append(f)
            continue
        known = state.sources.get(f.path)
        if known and known.status != "deleted" and known.size == f.size and known.mtime_ns == f.mtime_ns:
            result.unchanged.append(f)
        else:
            result.to_read.append(f)
    present = {f.path for f in files}
    resolved_roots = [r.resolve() for r in roots]
    for path, known in state.sources.items():
        under_roots = any(Path(path) == r or r in Path(path).parents for r in resolved_roots)
        if known.status != "deleted" and under_roots and path not in present:
            result.deleted.append(path)
    return result


def batches(files: list[InputFile], max_bytes: int, max_files: int) -> list[list[InputFile]]:
    """Group files into batches of about `max_bytes` (a large file is a batch of its own)."""
    out: list[list[InputFile]] = []
    current: list[InputFile] = []
    size = 0
    for f in files:
        if current and (size + max(f.size, 0) > max_bytes or len(current) >= max_files):
            out.append(current)
            current, size = [], 0
        current.append(f)
        size += max(f.size, 0)
    if current:
        out.append(current)
    return out


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
