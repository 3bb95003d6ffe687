"""Settings: command-line options override SPEECH_ETL_* environment variables,
which override these defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from transforms.limits import ReadLimits

_LIMITS = ReadLimits()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPEECH_ETL_")

    warehouse: Path = Path("data")
    # a batch closes at about this many bytes of input; unset: up to 16 MB at
    # first, down to 4 MB at the end of a run (flows/files.py batches)
    batch_bytes: int | None = None
    batch_files: int = 600  # ... or this many files (small files: fewer, larger batches)
    # How much of one input is read (transforms/limits.py, docs/limits.md); past them, a `too_large` reject.
    max_file_bytes: int = _LIMITS.max_file_bytes
    max_document_chars: int = _LIMITS.max_document_chars
    max_docx_part_bytes: int = _LIMITS.max_docx_part_bytes
    max_docx_bytes: int = _LIMITS.max_docx_bytes
    max_html_depth: int = _LIMITS.max_html_depth
    max_pdf_pages: int = _LIMITS.max_pdf_pages

    @property
    def read_limits(self) -> ReadLimits:
        return ReadLimits(self.max_file_bytes, self.max_document_chars, self.max_docx_part_bytes,
                          self.max_docx_bytes, self.max_html_depth, self.max_pdf_pages)
