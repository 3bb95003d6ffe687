"""`speech-etl --version`, `export` and `sql` with several statements, run in
this process (speech_etl.cli.run) on real DuckDB files: a small one made
here for the edge cases, and the dev corpus's warehouse for a real view."""

from __future__ import annotations

import datetime as dt
import json
import math
from importlib.metadata import version
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import query
from speech_etl.cli import run

LONG_TEXT = "长" * 40_000  # past Excel's 32 767 characters a cell


def call(capsys, *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def small_warehouse(tmp_path) -> Path:
    """A warehouse folder whose DuckDB file holds the column types the real one has, and a view."""
    folder = tmp_path / "w"
    folder.mkdir()
    with duckdb.connect(str(folder / "warehouse.duckdb")) as con:
        con.execute("""CREATE TABLE items (id INTEGER, name VARCHAR, tags VARCHAR[], day DATE, seen_at TIMESTAMP,
                                           ok BOOLEAN, mtime_ns BIGINT, value DOUBLE)""")
        con.execute("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [1, "=1+1", ["城管", "绿化"], dt.date(2020, 8, 15), dt.datetime(2020, 8, 15, 10, 26, 13), True,
                     1_600_000_000_123_456_789, 2.5])
        con.execute("INSERT INTO items VALUES (2, ?, [], NULL, NULL, false, 7, NULL)", [LONG_TEXT])
        con.execute("CREATE VIEW named_items AS SELECT id, name FROM items WHERE id = 1")
        con.execute("CREATE VIEW too_many_rows AS SELECT range AS n FROM range(1048576)")  # one past a sheet
    return folder


def test_version_is_the_package_version(capsys):
    code, out, _ = call(capsys, "--version")
    assert code == 0 and out.strip() == f"speech-etl {version('speech-etl')}"


def test_export_writes_csv_and_parquet_by_the_suffix(small_warehouse, tmp_path, capsys):
    for suffix in ("csv", "parquet"):
        target = tmp_path / f"items.{suffix}"
        code, out, err = call(capsys, "export", "ITEMS", "--to", str(target), "--warehouse", str(small_warehouse))
        assert (code, err) == (0, "")
        assert out.strip() == f"wrote {target}: items, 2 rows, 8 columns"
        rows = duckdb.sql(f"SELECT id, name, day, mtime_ns FROM '{target}' ORDER BY id").fetchall()
        assert rows == [(1, "=1+1", dt.date(2020, 8, 15), 1_600_000_000_123_456_789), (2, LONG_TEXT, None, 7)]
    code, out, _ = call(capsys, "export", "named_items", "--to", str(tmp_path / "view.csv"), "-w", str(small_warehouse))
    assert code == 0 and (tmp_path / "view.csv").read_text(encoding="utf-8").splitlines() == ["id,name", "1,=1+1"]
    assert not list(tmp_path.glob(".*.part"))


def test_export_writes_xlsx_cells_that_keep_their_values(small_warehouse, tmp_path, capsys):
    target = tmp_path / "items.xlsx"
    code, out, err = call(capsys, "export", "items", "--to", str(target), "-w", str(small_warehouse))
    assert code == 0
    assert out.strip() == f"wrote {target}: items, 2 rows, 8 columns"
    assert err.strip() == ("note: 1 cells longer than 32,767 characters (Excel's limit) were cut; "
                           ".csv and .parquet keep them whole")
    sheet = pd.read_excel(target, sheet_name="items", dtype={"mtime_ns": str})
    first, second = sheet.to_dict("records")
    assert first["name"] == "=1+1"  # text, never a formula
    assert json.loads(first["tags"]) == ["城管", "绿化"]
    assert first["day"] == pd.Timestamp("2020-08-15") and first["seen_at"] == pd.Timestamp("2020-08-15 10:26:13")
    assert bool(first["ok"]) is True and first["value"] == 2.5
    assert first["mtime_ns"] == "1600000000123456789"  # past a double's exact integers: kept as text
    assert second["name"] == LONG_TEXT[:32_767] and math.isnan(second["value"])


def test_export_writes_a_real_view_to_xlsx(dev_warehouse, tmp_path, capsys):
    target = tmp_path / "series.xlsx"
    code, _, err = call(capsys, "export", "metric_series", "--to", str(target), "-w", str(dev_warehouse))
    assert code == 0, err
    expected = query(dev_warehouse, "SELECT indicator_key, value, period_start FROM metric_series")
    sheet = pd.read_excel(target)
    assert list(sheet.columns) == [r[0] for r in query(dev_warehouse, "DESCRIBE metric_series")]

    def key(row: tuple) -> tuple:
        indicator, value, start = row
        return (str(indicator), None if value is None or value != value else round(float(value), 6),
                None if start is None or start != start else pd.Timestamp(start).date())

    assert sorted(map(key, expected), key=repr) == sorted(
        map(key, sheet[["indicator_key", "value", "period_start"]].itertuples(index=False)), key=repr)


def test_export_errors_are_one_line(small_warehouse, tmp_path, capsys):
    to = str(tmp_path / "out.csv")
    cases = [
        (("export", "nothing", "--to", to, "-w", str(small_warehouse)), 2,
         "error: no table or view named 'nothing' in the warehouse; there are: items, named_items, too_many_rows"),
        (("export", "items", "--to", str(tmp_path / "out.json"), "-w", str(small_warehouse)), 2,
         f"error: cannot export to {tmp_path / 'out.json'}: the file name must end in .csv, .parquet or .xlsx"),
        (("export", "items", "--to", to, "-w", str(tmp_path / "none")), 1,
         f"error: no warehouse at {tmp_path / 'none' / 'warehouse.duckdb'}; "
         f"run `speech-etl ingest PATH --warehouse {tmp_path / 'none'}` first"),
        (("export", "items", "--to", str(tmp_path / "no" / "out.csv"), "-w", str(small_warehouse)), 1,
         f"error: cannot write {tmp_path / 'no' / 'out.csv'}: there is no folder {tmp_path / 'no'}"),
        (("export", "too_many_rows", "--to", str(tmp_path / "big.xlsx"), "-w", str(small_warehouse)), 1,
         "error: too_many_rows has 1,048,576 rows and an .xlsx sheet holds at most 1,048,575; "
         "export it to .csv or .parquet"),
    ]
    for args, status, line in cases:
        code, out, err = call(capsys, *args)
        assert (code, out, err) == (status, "", line + "\n"), args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w"]  # nothing written, not even in part


def test_sql_runs_every_statement_and_prints_each_query(small_warehouse, capsys):
    script = "SET VARIABLE wanted = 1; SELECT name FROM items WHERE id = getvariable('wanted'); SELECT count(*) AS n FROM items"
    code, out, _ = call(capsys, "sql", script, "-w", str(small_warehouse), "--format", "csv")
    assert code == 0 and out.splitlines() == ["name", "=1+1", "", "n", "2"]
    code, out, _ = call(capsys, "sql", script, "-w", str(small_warehouse), "--format", "json")
    assert [json.loads(line) for line in out.splitlines()] == [[{"name": "=1+1"}], [{"n": 2}]]
    code, out, _ = call(capsys, "sql", script, "-w", str(small_warehouse))
    assert code == 0 and out.count("(1 rows)") == 2

    # still read-only: a write among them stops there, with one line naming it, and changes nothing
    code, out, err = call(capsys, "sql", "SELECT 1 AS a; DROP TABLE items; SELECT 3", "-w", str(small_warehouse),
                          "-f", "csv")
    assert code == 1 and out.splitlines() == ["a", "1"]
    assert err.startswith("error: query failed (statement 2 of 3): ") and err.count("\n") == 1
    assert query(small_warehouse, "SELECT count(*) FROM items") == [(2,)]
    code, _, err = call(capsys, "sql", " ; -- nothing", "-w", str(small_warehouse))
    assert (code, err) == (2, "error: no SQL statement given\n")
