"""The basic filter of a sheet: ``setBasicFilter`` / ``clearBasicFilter``, and how its
range and its per-column criteria follow the grid.

Google keeps the range with explicit bounds (an open end is bounded by the grid when the
filter is set) and answers with both ``filterSpecs`` and the deprecated ``criteria`` map.
Rows or columns inserted inside the range widen it, deleted ones narrow it (a filter
whose every row or column is deleted goes); criteria move with their column on an
insert, delete or move of columns. A filter that reaches the grid's last row grows with
the grid when rows are added at its end (``appendDimension``, ``appendCells``, an append
past the last row), as a sheet's filter takes in rows typed right below it.
"""

from __future__ import annotations

import copy
from typing import Any

from .model import GridRange, Sheet, Spreadsheet, bad


def _normalized(flt: dict[str, Any]) -> dict[str, Any]:
    """Both spellings of the criteria, filterSpecs winning when a request gave both."""
    specs = flt.get("filterSpecs")
    if specs is None and flt.get("criteria"):
        specs = [
            {"columnIndex": int(col), "filterCriteria": crit}
            for col, crit in sorted(flt["criteria"].items(), key=lambda kv: int(kv[0]))
        ]
    flt.pop("criteria", None)
    flt.pop("filterSpecs", None)
    if specs:
        flt["filterSpecs"] = specs
        flt["criteria"] = {str(s.get("columnIndex", 0)): s.get("filterCriteria", {}) for s in specs}
    return flt


def set_basic_filter(ss: Spreadsheet, req: dict[str, Any]) -> None:
    flt = copy.deepcopy(req.get("filter", {}))
    if "tableId" in flt:
        raise bad("Invalid requests[0].setBasicFilter: tables are not emulated")
    rng = flt.get("range")
    if rng is None:
        raise bad("Invalid requests[0].setBasicFilter: range must be set")
    sheet = ss.sheet(sheet_id=rng.get("sheetId", 0))
    g = GridRange.from_json(rng)
    g.r0, g.c0 = g.r0 or 0, g.c0 or 0
    g.r1 = sheet.row_count if g.r1 is None else g.r1
    g.c1 = sheet.col_count if g.c1 is None else g.c1
    if g.r1 > sheet.row_count or g.c1 > sheet.col_count or g.r0 >= g.r1 or g.c0 >= g.c1:
        raise bad(
            f"Invalid requests[0].setBasicFilter: Range exceeds grid limits. Max rows: "
            f"{sheet.row_count}, max columns: {sheet.col_count}"
        )
    for spec in flt.get("filterSpecs", []):
        if not g.c0 <= spec.get("columnIndex", 0) < g.c1:
            raise bad(
                "Invalid requests[0].setBasicFilter: a filterSpec's column is outside the range"
            )
    flt["range"] = g.as_json()
    sheet.basic_filter = _normalized(flt)


def clear_basic_filter(ss: Spreadsheet, req: dict[str, Any]) -> None:
    ss.sheet(sheet_id=req.get("sheetId", 0)).basic_filter = None


def _recolumn(sheet: Sheet, move: Any) -> None:
    """Give each criterion the column ``move(old)`` (None: its column is gone)."""
    flt = sheet.basic_filter
    if not flt or not flt.get("filterSpecs"):
        return
    specs = []
    for spec in flt["filterSpecs"]:
        col = move(spec.get("columnIndex", 0))
        if col is not None:
            specs.append({**spec, "columnIndex": col})
    flt["filterSpecs"] = specs
    sheet.basic_filter = _normalized(flt)


def shift(sheet: Sheet, dim: str, start: int, count: int) -> None:
    """Rows or columns inserted (count > 0) or deleted (< 0) at ``start``."""
    flt = sheet.basic_filter
    if not flt or "range" not in flt:
        return
    g = GridRange.from_json(flt["range"])
    if not g.shift(dim, start, count):
        sheet.basic_filter = None
        return
    flt["range"] = g.as_json()
    if dim == "COLUMNS":
        end = start - count

        def move(col: int) -> int | None:
            if count > 0:
                return col + count if col >= start else col
            if start <= col < end:
                return None
            return col + count if col >= end else col

        _recolumn(sheet, move)


def moved_columns(sheet: Sheet, where: dict[int, int]) -> None:
    """Columns reordered (old index → new): criteria follow their column."""
    _recolumn(sheet, lambda col: where.get(col, col))


def grew(sheet: Sheet, old_rows: int) -> None:
    """The grid gained rows at its end: a filter down to the old last row reaches the
    new one."""
    flt = sheet.basic_filter
    if not flt or "range" not in flt:
        return
    if flt["range"].get("endRowIndex") == old_rows < sheet.row_count:
        flt["range"]["endRowIndex"] = sheet.row_count
