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
    # `sources` rows the batches added: one per file read, also when its text was already held
    sources_recorded: int = 0

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
        """No document, figure, term or reject added, and no file deleted."""
        return not any(self.rows.values()) and not self.files_deleted

    def nothing_new_line(self) -> str:
        """What a run that added nothing says: whether it still recorded the files it read."""
        if not self.sources_recorded:
            return "Nothing new: no rows added to any table."
        return (f"Nothing new: the {self.sources_recorded} files read hold texts the warehouse already has "
                "(recorded in sources, and this run in runs).")
