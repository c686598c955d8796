"""What a workbook can hold (characters a cell, columns, rows, cells), checked before the
first byte is sent.

Google Sheets refuses an over-long cell with a bare 400 that names no row or column, and a
run split into several requests would by then have applied the earlier ones; Excel and
LibreOffice cannot open a file with a 40,000-character cell. So every backend calls
``check`` with its ``Limits`` on the whole ChangeSet before writing anything, and the user
gets one line naming the tab, the record (or sheet row), the column and the value.
Pure: it sees only the operations, the schema and the sizes the backend found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sheetcrm.errors import ValueParseError
from sheetcrm.model.changes import AddColumns, AddTab, AppendRow, CellFormula, Op, PutCells, SetCell
from sheetcrm.model.grid import column_letter
from sheetcrm.model.schema import Schema


@dataclass(frozen=True)
class Limits:
    """The hard limits of one kind of workbook (None: no such limit)."""

    name: str  # "Google Sheets", "xlsx"
    cell_chars: int  # characters in one cell (text or formula)
    columns: int  # columns in one tab
    rows: int | None  # rows in one tab, header included
    cells: int | None  # cells in the whole workbook (rows x columns of every tab)


#: https://support.google.com/drive/answer/37603 (files you can store in Google Drive)
GOOGLE = Limits("Google Sheets", cell_chars=50_000, columns=18_278, rows=None, cells=10_000_000)
#: https://support.microsoft.com/office/excel-specifications-and-limits
XLSX = Limits("xlsx", cell_chars=32_767, columns=16_384, rows=1_048_576, cells=None)


def _text(value: Any) -> str | None:
    if isinstance(value, CellFormula):
        return value.text
    return value if isinstance(value, str) else None


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


def _check_text(
    value: Any,
    limits: Limits,
    *,
    tab: str,
    column: str,
    row: int | None = None,
    record: str | None = None,
) -> None:
    text = _text(value)
    if text is not None and len(text) > limits.cell_chars:
        raise ValueParseError(
            f"text of at most {limits.cell_chars} characters ({limits.name}'s limit for a "
            f"cell; this one has {len(text)})",
            _short(text),
            tab=tab,
            row=row,
            column=column,
            record=record,
        )


def _too_many(what: str, count: int, limit: int, limits: Limits) -> str:
    return f"within {limits.name}'s {limit:,} {what} (this would make {count:,})"


def check(
    ops: Iterable[Op],
    schema: Schema,
    limits: Limits,
    sizes: Mapping[str, tuple[int, int]],
) -> None:
    """Raise ValueParseError (tab, row or record ID, column, value shortened) for the first
    op that breaks a limit; sizes: tab -> (rows, columns) as found before writing (new tabs
    absent).

    ``rows`` counts the header row. Appended rows and added columns grow the sizes in the
    order of ``ops``; the workbook-wide cell count is over the tabs in ``sizes`` (pass
    every tab of the workbook where that limit applies) plus the tabs the ops add.
    """
    size = {tab: [rows, cols] for tab, (rows, cols) in sizes.items()}
    for op in ops:
        tab = op.tab
        if isinstance(op, AddTab):
            for i, text in enumerate(op.header):
                _check_text(text, limits, tab=tab, column=column_letter(i), row=1)
            if len(op.header) > limits.columns:
                raise ValueParseError(
                    _too_many("columns", len(op.header), limits.columns, limits),
                    _short(str(op.header[limits.columns])),
                    tab=tab,
                    column=column_letter(limits.columns),
                )
            size.setdefault(tab, [1, len(op.header)])
        elif isinstance(op, AddColumns):
            now = size.setdefault(tab, [1, 0])
            for name in op.names:
                _check_text(name, limits, tab=tab, column=column_letter(now[1]), row=1)
                now[1] += 1
                if now[1] > limits.columns:
                    raise ValueParseError(
                        _too_many("columns", now[1], limits.columns, limits),
                        name,
                        tab=tab,
                        column=name,
                    )
        elif isinstance(op, SetCell):
            _check_text(op.value, limits, tab=tab, column=op.field, record=op.key)
        elif isinstance(op, AppendRow):
            now = size.setdefault(tab, [1, len(op.values)])
            now[0] += 1
            id_field = schema.tabs[tab].id_field if tab in schema.tabs else None
            key = op.values.get(id_field) if id_field else None
            record = None if key is None else str(key)
            at = None if record else now[0]
            for name, value in op.values.items():
                _check_text(value, limits, tab=tab, column=name, row=at, record=record)
            if limits.rows is not None and now[0] > limits.rows:
                raise ValueParseError(
                    _too_many("rows", now[0], limits.rows, limits),
                    record or "a new row",
                    tab=tab,
                    row=now[0],
                    record=record,
                )
        elif isinstance(op, PutCells):
            now = size.setdefault(tab, [0, 0])
            for row, col, value in op.cells:
                _check_text(value, limits, tab=tab, column=column_letter(col), row=row + 1)
                now[0], now[1] = max(now[0], row + 1), max(now[1], col + 1)
            if now[1] > limits.columns:
                raise ValueParseError(
                    _too_many("columns", now[1], limits.columns, limits),
                    "a generated cell",
                    tab=tab,
                    column=column_letter(now[1] - 1),
                )
            if limits.rows is not None and now[0] > limits.rows:
                raise ValueParseError(
                    _too_many("rows", now[0], limits.rows, limits),
                    "a generated cell",
                    tab=tab,
                    row=now[0],
                )
        if limits.cells is not None and tab in size:
            total = sum(rows * cols for rows, cols in size.values())
            if total > limits.cells:
                raise ValueParseError(
                    _too_many("cells in a spreadsheet", total, limits.cells, limits),
                    f"{size[tab][0]:,} rows x {size[tab][1]:,} columns",
                    tab=tab,
                )
