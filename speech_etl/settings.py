"""Settings: command-line options override SPEECH_ETL_* environment variables,
which override these defaults."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPEECH_ETL_")

    warehouse: Path = Path("data")
    batch_bytes: int = 4_000_000  # a batch closes at about this many bytes of input
    batch_files: int = 600  # ... or this many files (small files: fewer, larger batches)
