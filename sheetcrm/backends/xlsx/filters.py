"""The auto-filter of a tab in openpyxl: read back as an ``AutoFilter``, set over the
header row and every data row, and grown (or shrunk) to the tab's rows before each save,
so rows an import appended are filterable. Only ``ref`` is ever changed: the column
criteria and sort a teammate set in Excel or LibreOffice stay as they are."""

from __future__ import annotations

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from sheetcrm.model.grid import AutoFilter


def read_filter(ws: Worksheet) -> AutoFilter | None:
    ref = ws.auto_filter.ref
    if not ref:
        return None
    rng = CellRange(ref)
    criteria = "criteria" if ws.auto_filter.filterColumn or ws.auto_filter.sortState else ""
    return AutoFilter(rng.min_row - 1, rng.max_row, rng.min_col - 1, rng.max_col, criteria)


def _header_width(ws: Worksheet) -> int:
    row = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    filled = [i for i, v in enumerate(row) if v not in (None, "")]
    return filled[-1] + 1 if filled else 1


def set_filter(ws: Worksheet, flt: AutoFilter) -> None:
    """Span the header row, ``flt``'s columns (at least the header's) and every row."""
    width = max(flt.end_col or 0, _header_width(ws))
    ws.auto_filter.ref = f"A1:{get_column_letter(width)}{max(ws.max_row, 1)}"


def grow(wb: openpyxl.Workbook) -> None:
    """Make every filter that starts at the header row reach the tab's last row."""
    for ws in wb.worksheets:
        ref = ws.auto_filter.ref
        if not ref:
            continue
        rng = CellRange(ref)
        if rng.min_row != 1:
            continue  # someone's own filter lower down: not ours to stretch
        last = max(ws.max_row, 1)
        if rng.max_row != last:
            start = get_column_letter(rng.min_col)
            ws.auto_filter.ref = f"{start}1:{get_column_letter(rng.max_col)}{last}"
