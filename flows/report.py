"""Flow tasks of the report (docs/report.md): the table artifact of the
figures an ingest run added, and the HTML report written after the load."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact

from report import ReportOptions, build_report
from report.queries import figures_added
from warehouse.load import BUILD_MEMORY_LIMIT, database_path

ARTIFACT_ROWS = 5000  # a table artifact is stored in the Prefect database: keep it bounded
# ... and Prefect publishes it as an event too, refused above 1.5 MB ("Refusing to
# publish event of size ..."): the rows shown stay under this many bytes of JSON
ARTIFACT_BYTES = 700_000


def _bounded(rows: list[dict]) -> list[dict]:
    shown, size = [], 0
    for row in rows[:ARTIFACT_ROWS]:
        size += len(json.dumps(row, default=str)) + 2  # as the event escapes it (\uXXXX)
        if size > ARTIFACT_BYTES:
            break
        shown.append(row)
    return shown


@task(name="publish-figures")
def publish_figures(warehouse_dir: Path, run_id: str) -> int:
    """A Prefect table artifact of the figures (metrics rows) this run added."""
    db = database_path(warehouse_dir)
    if not db.exists():
        return 0
    with duckdb.connect(str(db), read_only=True, config={"memory_limit": BUILD_MEMORY_LIMIT}) as con:
        total = con.execute("SELECT count(*) FROM metrics m JOIN documents d USING (doc_id) WHERE d.run_id = ?",
                            [run_id]).fetchone()[0]
        rows = figures_added(con, run_id, limit=ARTIFACT_ROWS)
    shown = _bounded(rows)
    more = f"; the first {len(shown)} shown" if total > len(shown) else ""
    create_table_artifact(
        key="speech-etl-figures-added",
        table=shown or [{"figures added": 0}],
        description=f"Figures this ingest run added ({total} rows of metrics{more})",
    )
    return total


@task(name="write-report", retries=1, retry_delay_seconds=2)
def write_report(warehouse_dir: Path, out: str) -> str:
    """The default report (every issuer, the indicators with most figures) to `out`."""
    result = build_report(warehouse_dir, Path(out), ReportOptions())
    get_run_logger().info("report %s: %d documents, %d charts", result.path, result.documents, result.charts)
    return str(result.path)
