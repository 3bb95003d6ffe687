"""Where the lake's files live: a local folder, or any fsspec URL.

The lake (warehouse/lake.py) needs only a few operations on the place it
lives: write a file so that nobody sees it half-written, read one, list a
folder, delete, and let DuckDB read the files. Two stores provide them:

- `LocalStore`, a folder: a file is written under a temporary name, synced
  and renamed into place (a rename is atomic on a local file system).
- `FsspecStore`, any other fsspec URL (`s3://bucket/lake`, `gs://…`,
  `abfs://…`, `memory://…`): a file is written under its final name, since an
  object store makes an object visible only once its upload completes; a
  write that fails is discarded. Credentials and endpoints come from the
  protocol's usual settings (for S3: AWS_* variables, ~/.aws, or fsspec's
  configuration, e.g. FSSPEC_S3_ENDPOINT_URL); docs/performance.md.

Either way a data file counts only once a commit manifest names it, so what a
killed writer leaves behind is an orphan, never half a batch.
"""

from __future__ import annotations

import os
import posixpath
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

TEMPORARY_PREFIX = ".tmp-"


class LakeLocationError(ValueError):
    """A lake URL this machine cannot use (unknown protocol, missing package); one line."""


def is_url(location: str | Path) -> bool:
    return "://" in str(location)


def open_store(location: str | Path) -> "LocalStore | FsspecStore":
    """The store for a folder path or URL; `file://` URLs are local folders."""
    text = str(location)
    if text.startswith("file://"):
        text = text.removeprefix("file://")
    if not is_url(text):
        return LocalStore(Path(text))
    return FsspecStore(text)


@dataclass
class NewFile:
    """A file being written: `publish()` makes it appear under its name,
    `discard()` throws it away."""

    file: IO[bytes]
    publish: Callable[[], None]
    discard: Callable[[], None]


@contextmanager
def _published(new: NewFile) -> Iterator[IO[bytes]]:
    try:
        yield new.file
    except BaseException:
        new.discard()
        raise
    new.publish()


class _Store:
    def create(self, relative: str) -> NewFile:
        raise NotImplementedError

    def output(self, relative: str):
        """`create` as a context: the file appears at `relative` whole, or not at all."""
        return _published(self.create(relative))


class LocalStore(_Store):
    """The lake in a local (or mounted network) folder."""

    is_local = True

    def __init__(self, root: Path):
        self.root = Path(root)
        self.url = str(self.root)

    def uri(self, relative: str) -> str:
        """What DuckDB and pyarrow open for a file of the lake."""
        return str(self.root / relative)

    def create(self, relative: str) -> "NewFile":
        """A new file, written under a temporary name and renamed to `relative` on publish."""
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{TEMPORARY_PREFIX}{uuid.uuid4().hex}-{target.name}")
        fh = open(tmp, "wb")

        def publish() -> None:
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
            os.replace(tmp, target)

        def discard() -> None:
            fh.close()
            tmp.unlink(missing_ok=True)

        return NewFile(fh, publish, discard)

    def read_bytes(self, relative: str) -> bytes:
        return (self.root / relative).read_bytes()

    def open_input(self, relative: str) -> IO[bytes]:
        return open(self.root / relative, "rb")

    def names(self, folder: str) -> list[str]:
        """File names in a folder of the lake (none if it does not exist)."""
        path = self.root / folder
        if not path.is_dir():
            return []
        return [entry.name for entry in os.scandir(path) if entry.is_file()]

    def delete(self, relative: str) -> None:
        (self.root / relative).unlink(missing_ok=True)

    def exists(self) -> bool:
        return self.root.is_dir()

    def check_writable(self) -> None:
        """Raise OSError when the lake cannot be written."""
        self.root.mkdir(parents=True, exist_ok=True)
        probe = self.root / f"{TEMPORARY_PREFIX}probe-{uuid.uuid4().hex}"
        probe.touch()
        probe.unlink()

    def register(self, con: Any) -> None:
        """Let DuckDB connection `con` read `uri()`s (local paths need nothing)."""


class FsspecStore(_Store):
    """The lake at an fsspec URL that every worker can reach."""

    is_local = False

    def __init__(self, url: str):
        try:
            from fsspec.core import url_to_fs

            self.fs, path = url_to_fs(url)
        except ImportError as exc:  # e.g. s3fs not installed: fsspec says which package
            raise LakeLocationError(f"cannot use the lake at {url}: {exc}") from None
        except ValueError as exc:  # an unknown protocol
            raise LakeLocationError(f"cannot use the lake at {url}: {exc}") from None
        self.root = None
        self.url = url.rstrip("/")
        self.path = path.rstrip("/")

    def _full(self, relative: str) -> str:
        return posixpath.join(self.path, relative) if relative else self.path

    def uri(self, relative: str) -> str:
        return self.fs.unstrip_protocol(self._full(relative))

    def create(self, relative: str) -> "NewFile":
        """A new file, written under its final name: the upload completes on publish."""
        full = self._full(relative)
        self.fs.makedirs(posixpath.dirname(full), exist_ok=True)
        fh = self.fs.open(full, "wb")

        def discard() -> None:
            drop = getattr(fh, "discard", None)  # abort a multipart upload instead of completing it
            if drop is not None:
                drop()
            try:
                fh.close()
            except Exception:  # noqa: BLE001 - s3fs cannot close a discarded upload; nothing of it was kept
                pass
            self.delete(relative)

        return NewFile(fh, fh.close, discard)

    def read_bytes(self, relative: str) -> bytes:
        return self.fs.cat_file(self._full(relative))

    def open_input(self, relative: str) -> IO[bytes]:
        return self.fs.open(self._full(relative), "rb")

    def names(self, folder: str) -> list[str]:
        full = self._full(folder)
        self.fs.invalidate_cache(full)  # other processes (the workers) write here
        try:
            entries = self.fs.ls(full, detail=True)
        except FileNotFoundError:
            return []
        return [posixpath.basename(e["name"].rstrip("/")) for e in entries if e.get("type") == "file"]

    def delete(self, relative: str) -> None:
        try:
            self.fs.rm_file(self._full(relative))
        except (FileNotFoundError, NotImplementedError):
            pass

    def exists(self) -> bool:
        self.fs.invalidate_cache(self.path)
        return self.fs.exists(self.path)

    def check_writable(self) -> None:
        """Raise when the lake cannot be written. Its parent (on an object
        store, the bucket) must exist: writing would otherwise create a bucket
        from a mistyped name."""
        parent = posixpath.dirname(self.path) or self.path
        if not self.fs.exists(parent):
            raise FileNotFoundError(f"{self.fs.unstrip_protocol(parent)} does not exist "
                                    "(create the bucket or folder first)")
        probe = f"{TEMPORARY_PREFIX}probe-{uuid.uuid4().hex}"
        with self.output(probe) as fh:
            fh.write(b"speech-etl")
        self.delete(probe)

    def register(self, con: Any) -> None:
        con.register_filesystem(self.fs)
