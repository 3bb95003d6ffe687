"""Whether an ingest run would change anything, decided without Prefect.

`speech-etl ingest` asks this first: when every input file is as the lake last
recorded it (same size and mtime), none was deleted since, and the warehouse
file was built from the lake as it is and the current indicator catalog, a run
would add nothing, rebuild nothing and leave readers alone. The command then
reports that and exits, without importing Prefect, starting a server or
creating a flow run (about 1 s instead of 3.5-7.5 s on 10 000 files;
docs/performance.md). Scheduled runs under `speech-etl serve` always run the
flow, so each schedule tick is recorded in Prefect.

A run that has something to do goes through the flow, which decides again
under the warehouse lock: what is read here, without the lock, only ever
sends a run to the flow, never skips work a concurrent run left undone (its
commits change the lake, so the warehouse file no longer matches it).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from flows.files import discover, plan, sha256_bytes
from flows.summary import RunSummary
from warehouse import load
from warehouse.lake import open_lake


def catalog_key() -> str:
    """The indicator catalog file's hash: with the lake's commits, what the
    warehouse file is built from (warehouse/load.py)."""
    return sha256_bytes((resources.files("transforms") / "data" / "indicators.yaml").read_bytes())


def nothing_to_do(paths: list[Path], warehouse_dir: Path, lake_url: str | None = None,
                  follow_symlinks: bool = False) -> RunSummary | None:
    """The summary of a run over `paths` that would change nothing, or None
    when a run has work to do (the flow then does it)."""
    warehouse_dir = Path(warehouse_dir).resolve()
    if not load.database_path(warehouse_dir).exists():
        return None
    lake = open_lake(warehouse_dir, lake_url)
    found = discover(list(paths), exclude=[warehouse_dir, *lake.folders()], follow_symlinks=follow_symlinks)
    work = plan(found, list(paths), lake.state())
    if work.to_read or work.deleted:
        return None
    if not load.is_current(warehouse_dir, catalog_key(), lake):
        return None
    return RunSummary(run_id="", files_seen=work.seen, files_unchanged=len(work.unchanged),
                      files_ignored=len(work.ignored),
                      rows={t: 0 for t in ("documents", "sections", "metrics", "terms", "rejects")})
