"""speech-etl as a library: the warehouse from Python.

    import speech_etl
    con = speech_etl.connect("data")          # the folder `speech-etl ingest --warehouse` wrote
    con.sql("SELECT * FROM progress_to_target").df()

docs/analysis.md walks through analyst questions this way; docs/schema.md lists
the tables, views and macros.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # duckdb is imported by connect(), not by `import speech_etl` (the CLI's start-up)
    import duckdb

__all__ = ["connect", "SpeechEtlError", "NoWarehouseError", "__version__"]

# The name the warehouse file is attached under: tables are also `warehouse.documents`.
CATALOG = "warehouse"


class SpeechEtlError(Exception):
    """An error speech-etl reports in one line (its message is the line)."""


class NoWarehouseError(SpeechEtlError, FileNotFoundError):
    """There is no warehouse where one was asked for."""


def connect(warehouse: str | os.PathLike = "data") -> "duckdb.DuckDBPyConnection":
    """A read-only DuckDB connection to the warehouse in folder `warehouse`
    (or to a warehouse.duckdb file named directly), with its tables, views and
    macros; `con.sql(...).df()` gives pandas.

    The warehouse file is attached read-only to a new in-memory database, so
    temporary tables work while the warehouse cannot be changed. A connection
    keeps answering from the warehouse as it was when it was opened while an
    ingest publishes a new one (the ingest renames a new file over it); a
    connection opened afterwards sees the new data."""
    import duckdb

    from warehouse.load import database_path

    given = Path(warehouse)
    db = given if given.suffix == ".duckdb" else database_path(given)
    if not db.is_file():
        folder = db.parent if given.suffix == ".duckdb" else given
        raise NoWarehouseError(f"no warehouse at {db}; run `speech-etl ingest PATH --warehouse {folder}` first")
    # A new in-memory database each time: duckdb.connect(path) would hand back a
    # cached instance of a file an ingest has since replaced.
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH '{_quoted(db.resolve())}' AS {CATALOG} (READ_ONLY)")
        con.execute(f"USE {CATALOG}")
    except duckdb.Error as exc:
        con.close()
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SpeechEtlError(f"cannot open the warehouse {db}: {first_line}") from None
    return con


def __getattr__(name: str) -> str:
    # __version__ is looked up when asked for: importlib.metadata costs the
    # command line's start-up some 40 ms
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("speech-etl")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
