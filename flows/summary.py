"""What an ingest run reports (Prefect-free, so the command line can report a
run that had nothing to do without importing Prefect)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RunSummary:
    run_id: str
    files_seen: int = 0
    files_new: int = 0
    files_unchanged: int = 0
    files_rejected: int = 0
    files_deleted: list[str] = field(default_factory=list)
    files_ignored: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    rejects: list[dict] = field(default_factory=list)
    warehouse_rebuilt: bool = False

    @property
    def added_nothing(self) -> bool:
        return not any(self.rows.values()) and not self.files_deleted
