"""Figures in tables: each number cell of a table row is a figure, its
indicator the row's label with the column's header, its unit the cell's own
(%) or the header's (`6月受理数(宗)`), its period the header's month or the
scope the table stands in. Knowledge: data/tables.yaml.

Two layouts of local bulletins:
- a header row, then one row per district or category
  (`城区 | 应结案数 | 结案数 | 结案率 |` / `金水区 | 1935 | 1912 | 98.81% |`);
- label and value pairs, no header per column
  (`受理数 | 51571 | 立案率 | 99.34% |`): each number's indicator is the cell before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from transforms.knowledge import load_yaml
from transforms.metrics import period as period_mod
from transforms.metrics.cues import alternation
from transforms.metrics.period import Period
from transforms.metrics.units import unit_table

_CELL_SEPARATOR = "|"
_DIGIT = re.compile(r"\d")


@cache
def _number_cell() -> re.Pattern:
    """A cell that is a number, with its own unit or none (51571, 99.34%, 100处, 3.5万平方米)."""
    return re.compile(rf"(?P<number>-?\d+(?:\.\d+)?)(?P<unit>%|{unit_table().regex})?")


@dataclass(frozen=True)
class _Spec:
    total_rows: tuple[str, ...]
    change: re.Pattern
    growth: re.Pattern
    target: re.Pattern
    header_unit: re.Pattern


@cache
def _spec() -> _Spec:
    spec = load_yaml("tables.yaml")
    return _Spec(tuple(spec["total_rows"]), re.compile(alternation(spec["change_columns"])),
                 re.compile(alternation(spec["growth_columns"])), re.compile(alternation(spec["target_columns"])),
                 re.compile(spec["header_unit"]))


@dataclass(frozen=True)
class Cell:
    text: str
    start: int
    end: int

    @property
    def is_number(self) -> bool:
        return _number_cell().fullmatch(self.text) is not None


@dataclass(frozen=True)
class TableFigure:
    start: int
    end: int
    value: float
    unit: str | None
    measure: str
    kind: str
    indicator: str  # the row's label and the column's header
    header: str  # what the column (or the cell before the number) names
    whole: bool  # the row is the whole (合计, 全市) or names the indicator itself
    label: str  # the row's label (a district, a category, or an indicator: 地区生产总值)
    month: int | None  # a month the header names (6月受理数)
    year: int | None


def cells(text: str, start: int, end: int) -> list[Cell]:
    """The cells of a table row between `start` and `end` (a line). An empty cell
    keeps its column (`垃圾分类 |  | 95% |`, a corner cell `| 绝对数 |`); what follows
    the last separator is no cell; a row of empty cells has none."""
    out, at = [], start
    pieces = text[start:end].split(_CELL_SEPARATOR)
    if pieces and not pieces[-1].strip():
        pieces.pop()
    for piece in pieces:
        stripped = piece.strip()
        lead = piece.index(stripped) if stripped else 0
        out.append(Cell(stripped, at + lead, at + lead + len(stripped)))
        at += len(piece) + 1
    return out if any(c.text for c in out) else []


def is_table_row(text: str, start: int, end: int) -> bool:
    """Two cells or more; a line of separators alone (an empty row) belongs to its table too."""
    count = text.count(_CELL_SEPARATOR, start, end)
    return count >= 2 or (count == 1 and not text[start:end].replace(_CELL_SEPARATOR, "").strip())


def table_rows(text: str) -> list[list[tuple[int, int]]]:
    """The tables of a text: runs of consecutive table-row lines, as (start, end) spans."""
    if _CELL_SEPARATOR not in text:
        return []
    tables: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if is_table_row(text, start, end):
            current.append((start, end))
        elif current:
            tables.append(current)
            current = []
        start = end + 1
    if current:
        tables.append(current)
    return tables


def read_tables(text: str) -> tuple[list[TableFigure], list[tuple[int, int]]]:
    """The figures of every table of `text`, and the rows they are read from: the
    rows with a cell that is a number, bare or with its own unit (51571, 99.34%,
    100处), which are not read again as text."""
    figures: list[TableFigure] = []
    number_rows: list[tuple[int, int]] = []
    for table in table_rows(text):
        found, rows = table_figures(text, table)
        figures += found
        number_rows += rows
    return figures, number_rows


def table_figures(text: str, line_spans: list[tuple[int, int]]) -> tuple[list[TableFigure], list[tuple[int, int]]]:
    """Figures of the table rows among `line_spans` (consecutive lines of one
    table), and the spans of the rows with a number cell."""
    out: list[TableFigure] = []
    number_rows: list[tuple[int, int]] = []
    header_rows: list[list[Cell]] = []  # the rows without numbers just above the data rows
    in_data = False
    for start, end in line_spans:
        row = cells(text, start, end)
        if not row:
            continue
        numbers = [c for c in row if c.is_number]
        if not numbers:
            if in_data:
                if any(_DIGIT.search(c.text) for c in row):
                    continue  # a row of figures in words (垃圾分类 |  | 覆盖率95%): read as text
                header_rows, in_data = [], False  # a new header after data rows starts a new block
            header_rows.append(row)
            continue
        in_data = True
        number_rows.append((start, end))
        if row[0].is_number:
            continue  # no label: nothing to say what the numbers are
        header = _stacked_header(header_rows, len(row))
        if header is not None and len(header) == len(row) and not _pairs(row):
            out += _by_header(row, header)
        else:
            out += _by_pairs(row)
    return out, number_rows


def _stacked_header(header_rows: list[list[Cell]], columns: int) -> list[Cell] | None:
    """The header over a data row: the last row without numbers, joined with the
    rows above it of as many cells (a merged cell written into each column it
    spans: `7月完成情况` over `任务数`, `增/减` over `(件)`), each text once."""
    if not header_rows:
        return None
    stack = [header_rows[-1]]
    if len(stack[0]) == columns:
        for above in reversed(header_rows[:-1]):
            if len(above) != columns:
                break
            stack.insert(0, above)
    if len(stack) == 1:
        return stack[0]
    joined = []
    for column in zip(*stack):
        texts = [c.text for i, c in enumerate(column) if c.text and (i == 0 or c.text != column[i - 1].text)]
        joined.append(Cell("".join(texts), column[-1].start, column[-1].end))
    return joined


def _pairs(row: list[Cell]) -> bool:
    """`受理数 | 51571 | 立案率 | 99.34%`: labels and numbers alternate."""
    return len(row) >= 4 and all(c.is_number != (i % 2 == 0) for i, c in enumerate(row))


def _by_header(row: list[Cell], header: list[Cell]) -> list[TableFigure]:
    label = row[0].text
    whole = label.startswith(_spec().total_rows)
    figures = [_figure(cell, header[i].text, label, whole) for i, cell in enumerate(row) if i and cell.is_number]
    return [_in_latest_month(fig, header) for fig in figures]


def _in_latest_month(fig: TableFigure, header: list[Cell]) -> TableFigure:
    """A change column beside columns naming months (7月 | 6月 | 增/减) is the change
    into the latest of them: its period is that month."""
    if fig.month is not None or fig.measure not in ("change", "growth"):
        return fig
    # a month with no year is the table's own year, later than any year stated beside it
    # (2023年7月 | 7月 | 增减: this July against last July)
    months = [(year or _OWN_YEAR, month) for month, year in map(_header_month, (c.text for c in header[1:]))
              if month is not None]
    if not months:
        return fig
    year, month = max(months)
    return replace(fig, month=month, year=None if year == _OWN_YEAR else year)


_OWN_YEAR = 9999


def _by_pairs(row: list[Cell]) -> list[TableFigure]:
    out = []
    for i, cell in enumerate(row):
        if i and cell.is_number and not row[i - 1].is_number:
            out.append(_figure(cell, row[i - 1].text, "", True))
    return out


def _figure(cell: Cell, header: str, label: str, whole: bool) -> TableFigure:
    spec = _spec()
    number = _number_cell().fullmatch(cell.text)
    value, own_unit = float(number.group("number")), number.group("unit")
    percent = own_unit == "%"
    unit_in_header = spec.header_unit.search(header)
    unit = own_unit or (unit_in_header.group(1) if unit_in_header else None)
    name = spec.header_unit.sub("", header).strip()
    if spec.growth.search(name) and (percent or unit == "%"):
        measure = "growth"
    elif spec.change.search(name):
        measure = "change"
    else:
        measure = "level"
    kind = "target" if spec.target.search(name) else "actual"
    month, year = _header_month(name)
    return TableFigure(cell.start, cell.end, value, unit, measure, kind, f"{label}{name}", name, whole, label,
                       month, year)


def _header_month(name: str) -> tuple[int | None, int | None]:
    """6月受理数 -> (6, None); 2024年6月完成数 -> (6, 2024)."""
    found = re.search(r"(?:((?:19|20)\d\d)年)?(\d{1,2})月", name)
    if not found:
        return None, None
    month = int(found.group(2))
    if not 1 <= month <= 12:
        return None, None
    return month, int(found.group(1)) if found.group(1) else None


def header_period(fig: TableFigure, scope: Period | None) -> Period | None:
    """The month a header names, in its year or the scope's; else the scope."""
    if fig.month is None:
        return scope
    year = fig.year or (scope.end.year if scope is not None and scope.end else None)
    if year is None:
        return scope
    return period_mod.with_year(Period(f"{fig.month}月", None, None, False, (fig.month, fig.month)), year)
