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
    # documents added, by where their date came from (input, text, title, path, none)
    date_sources: dict[str, int] = field(default_factory=dict)

    def date_source_line(self) -> str:
        """"Dates of the 114 documents added: input 54, text 30, title 12, path 8, none 10"."""
        order = ("input", "text", "title", "path", "none")
        counts = {k: self.date_sources.get(k, 0) for k in order}
        counts.update({k: n for k, n in self.date_sources.items() if k not in counts})
        total = sum(counts.values())
        return (f"Dates of the {total} documents added, by source: "
                + ", ".join(f"{k} {n}" for k, n in counts.items()))

    @property
    def added_nothing(self) -> bool:
        return not any(self.rows.values()) and not self.files_deleted
