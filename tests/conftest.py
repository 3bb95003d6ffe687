"""Shared fixtures: paths to the shipped samples and the shared dev corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE_SPEECH = SAMPLES / "speeches" / "chengguan_progress_meeting_2020-08-15.txt"
SAMPLE_REPORTS = SAMPLES / "work_reports" / "reports_sample.jsonl"
DEV_REPORTS = SHARED_CORPUS / "work_reports" / "government_work_reports_1954_2015.jsonl"


def _reports(path: Path) -> dict[str, dict]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        out[record["year"] or record["title"]] = record
    return out


@pytest.fixture(scope="session")
def dev_reports() -> dict[str, dict]:
    """The 1954-2015 work reports by year (resolutions by title); skips without ../shared."""
    if not DEV_REPORTS.exists():
        pytest.skip(f"the shared dev corpus is not at {DEV_REPORTS}")
    return _reports(DEV_REPORTS)


@pytest.fixture(scope="session")
def sample_reports() -> dict[str, dict]:
    return _reports(SAMPLE_REPORTS)


@pytest.fixture(scope="session")
def speech_text() -> str:
    return SAMPLE_SPEECH.read_text(encoding="utf-8")
