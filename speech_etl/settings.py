"""Settings: command-line options override SPEECH_ETL_* environment variables,
which override these defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPEECH_ETL_")

    warehouse: Path = Path("data")
    # a batch closes at about this many bytes of input; unset: 4-16 MB, growing
    # with the run (flows/files.py batch_bytes_for)
    batch_bytes: int | None = None
    batch_files: int = 600  # ... or this many files (small files: fewer, larger batches)
