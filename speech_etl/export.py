"""`speech-etl export`: one table or view of the warehouse into a .csv,
.parquet or .xlsx file, chosen by the file's suffix.

DuckDB writes CSV (UTF-8, a header row) and Parquet (zstd) itself. An .xlsx
sheet is written by XlsxWriter (docs/libraries.md) row by row in its
constant-memory mode, so a large table does not have to fit in memory; Excel's
own limits hold there: at most 1 048 575 rows under the header, and at most
32 767 characters a cell (longer texts are cut, and the command says how
many). The file appears whole or not at all: it is written under a
temporary name beside the target and renamed over it at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

FORMATS = {".csv": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}
XLSX_MAX_ROWS = 1_048_576 - 1  # a sheet's rows, less the header row
XLSX_MAX_CHARS = 32_767  # a cell's characters
EXACT_INTEGERS = 2**53  # past this an Excel number (a double) changes the integer: written as text


class ExportError(Exception):
    """An export that cannot be made; the message is one line for the user."""


class UnknownFormat(ExportError):
    pass


class UnknownName(ExportError):
    pass


@dataclass
class Exported:
    path: Path
    name: str  # the table or view, as the warehouse spells it
    rows: int
    columns: int
    cut_cells: int = 0  # .xlsx cells cut to Excel's 32 767 characters


def export_format(target: Path) -> str:
    """csv, parquet or xlsx, from the target's suffix."""
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise UnknownFormat(f"cannot export to {target}: the file name must end in "
                            f"{', '.join(list(FORMATS)[:-1])} or {list(FORMATS)[-1]}")
    return fmt


def exportable_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The warehouse's tables and views (not its own `_build` record)."""
    rows = con.execute("""SELECT table_name FROM information_schema.tables
                          WHERE table_schema = 'main' AND NOT starts_with(table_name, '_') ORDER BY 1""").fetchall()
    return [name for (name,) in rows]


def resolve_name(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """The table or view `name` as the warehouse spells it (names are case-insensitive, as in SQL)."""
    names = exportable_names(con)
    for known in names:
        if known.lower() == name.lower():
            return known
    raise UnknownName(f"no table or view named {name!r} in the warehouse; there are: {', '.join(names)}")


def export(database: Path, name: str, target: Path) -> Exported:
    """Write table or view `name` of the warehouse file `database` to `target`."""
    fmt = export_format(target)
    with duckdb.connect(str(database), read_only=True) as con:
        real = resolve_name(con, name)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            if fmt == "xlsx":
                result = _write_xlsx(con, real, partial)
            else:
                result = _copy(con, real, partial, fmt)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    result.path = target
    return result


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy(con: duckdb.DuckDBPyConnection, name: str, path: Path, fmt: str) -> Exported:
    options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet, COMPRESSION zstd"
    relation = con.execute(f"SELECT * FROM {_identifier(name)} LIMIT 0")
    columns = len(relation.description)
    (rows,) = con.execute(f"COPY (SELECT * FROM {_identifier(name)}) TO {_literal(str(path))} ({options})").fetchone()
    return Exported(path, name, rows, columns)


def _write_xlsx(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> Exported:
    import xlsxwriter

    (count,) = con.execute(f"SELECT count(*) FROM {_identifier(name)}").fetchone()
    if count > XLSX_MAX_ROWS:
        raise ExportError(f"{name} has {count:,} rows and an .xlsx sheet holds at most {XLSX_MAX_ROWS:,}; "
                          "export it to .csv or .parquet")
    cursor = con.execute(f"SELECT * FROM {_identifier(name)}")
    columns = [d[0] for d in cursor.description]
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "nan_inf_to_errors": True})
    cells = _XlsxCells(workbook)
    sheet = workbook.add_worksheet(name[:31])  # Excel's longest sheet name
    sheet.freeze_panes(1, 0)
    for column, heading in enumerate(columns):
        sheet.write_string(0, column, heading, cells.header)
    row = 0
    while batch := cursor.fetchmany(10_000):
        for values in batch:
            row += 1
            for column, value in enumerate(values):
                cells.write(sheet, row, column, value)
    workbook.close()
    return Exported(path, name, row, len(columns), cells.cut)


class _XlsxCells:
    """Writes one value as the Excel cell that keeps it: numbers, dates and
    booleans as such, lists as JSON text, text as text (never a formula)."""

    def __init__(self, workbook) -> None:
        self.header = workbook.add_format({"bold": True})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.timestamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.cut = 0

    def write(self, sheet, row: int, column: int, value: object) -> None:
        if value is None:
            return
        if isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, float) or (isinstance(value, (int, Decimal)) and abs(value) < EXACT_INTEGERS):
            sheet.write_number(row, column, value)  # NaN and infinity as Excel's #NUM! and #DIV/0!
        elif isinstance(value, dt.datetime):
            sheet.write_datetime(row, column, value.replace(tzinfo=None), self.timestamp)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, column, value, self.date)
        elif isinstance(value, (list, dict)):
            self.text(sheet, row, column, json.dumps(value, ensure_ascii=False, default=str))
        else:
            self.text(sheet, row, column, str(value))

    def text(self, sheet, row: int, column: int, value: str) -> None:
        if len(value) > XLSX_MAX_CHARS:
            value = value[:XLSX_MAX_CHARS]
            self.cut += 1
        sheet.write_string(row, column, value)
