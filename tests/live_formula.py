"""Evaluate the formulas sheetcrm installs as conditional formats, row by row, as a
spreadsheet would (the ``formulas`` package stands in for Sheets and Excel)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import formulas
import numpy as np
import schedula

from sheetcrm.model.grid import TabGrid, column_letter

SERIAL_EPOCH = dt.datetime(1899, 12, 30)


def sheet_value(value: Any) -> Any:
    """A cell as a spreadsheet engine sees it: dates are serial numbers, blanks are empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return schedula.EMPTY
    if isinstance(value, dt.datetime):
        return (value - SERIAL_EPOCH).total_seconds() / 86400
    if isinstance(value, dt.date):
        return (value - SERIAL_EPOCH.date()).days
    return value


def letters(grid: TabGrid) -> dict[str, str]:
    """Field name → column letter, as the tab is laid out."""
    return {str(name): column_letter(i) for i, name in enumerate(grid.header)}


def on_day(text: str, today: dt.date) -> str:
    """The formula as a spreadsheet evaluates it on ``today``: ``TODAY()`` is that day's
    serial number (``DATE(y,m,d)``), so a test pins its day instead of taking the clock's."""
    return text.replace("TODAY()", f"DATE({today.year},{today.month},{today.day})")


def live_rows(text: str, grid: TabGrid, *, today: dt.date) -> set[Any]:
    """IDs (first column) of the rows a conditional format with this row-2 formula colours
    on ``today``. A formula that evaluates to an error colours nothing, as in Sheets and
    Excel."""
    compiled = formulas.Parser().ast(on_day(text, today))[1].compile()
    column = {f"{column_letter(i)}2": i for i in range(len(grid.header))}
    hits = set()
    for row in grid.rows:
        cells = [row[column[ref]] if column[ref] < len(row) else None for ref in compiled.inputs]
        got = np.asarray(compiled(*map(sheet_value, cells)), dtype=object).ravel()[0]
        if isinstance(got, (bool, np.bool_)) and got:
            hits.add(row[0])
    return hits
