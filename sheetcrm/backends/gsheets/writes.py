"""Turning a ChangeSet's structure into Google Sheets requests, given the tabs as found
right before writing: new tabs, column growth, charts, layout, colours, protection, the
cells sheetcrm writes by position (generated tabs, headers) and the row deletions. No I/O
here: the pipeline sends what these return (record rows are ``rows``' and ``anchors``').
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sheetcrm.backends.base import ApplyReport
from sheetcrm.backends.gsheets import anchors
from sheetcrm.backends.gsheets import requests as rq
from sheetcrm.backends.gsheets.catalog import Catalog, SheetInfo
from sheetcrm.model.changes import (
    AddColumns,
    AddTab,
    AppendRow,
    DeleteRow,
    Op,
    Protect,
    PutCells,
    SetCell,
    SetCharts,
    SetLayout,
    SetStyles,
    Unprotect,
)
from sheetcrm.model.diff import index_rows
from sheetcrm.model.grid import TabGrid, map_header
from sheetcrm.model.schema import Schema, TabSchema
from sheetcrm.model.values import is_blank

#: Operations whose requests name the tab's sheet id (row tags and ``appendCells`` too).
_BY_ID = (
    PutCells,
    SetCharts,
    SetLayout,
    SetStyles,
    Protect,
    Unprotect,
    DeleteRow,
    SetCell,
    AppendRow,
)


@dataclass
class Located:
    """A tab as found right before writing, plus header cells this apply adds."""

    grid: TabGrid
    new: bool = False
    new_headers: list[tuple[int, str]] = field(default_factory=list)


def missing_columns(grid: TabGrid, op: AddColumns, tab: TabSchema) -> list[str]:
    present = {f.name for h in grid.header if not is_blank(h) and (f := tab.get(str(h)))}
    return [n for n in op.names if n not in present]


def _growth(sheet: SheetInfo, grid: TabGrid, extra_cols: int) -> int:
    """Columns a record tab lacks for this apply's writes (``appendCells`` adds rows)."""
    return max(grid.width + extra_cols - sheet.cols, 0)


def _created(ops: list[Op], catalog: Catalog) -> set[str]:
    return {op.tab for op in ops if isinstance(op, AddTab) and not catalog.exists(op.tab)}


def ids_needed(
    ops: list[Op], schema: Schema, located: dict[str, Located], catalog: Catalog
) -> set[str]:
    """The existing tabs whose sheet id the structure and deletion requests will name."""
    tabs = {op.tab for op in ops if isinstance(op, _BY_ID)}
    for tab, loc in located.items():
        sheet = catalog.sheets.get(tab)
        if sheet is None:  # its size was not echoed: list the tabs
            tabs.add(tab)
            continue
        extra = sum(
            len(missing_columns(loc.grid, op, schema[tab]))
            for op in ops
            if isinstance(op, AddColumns) and op.tab == tab
        )
        if _growth(sheet, loc.grid, extra):
            tabs.add(tab)
    return tabs - _created(ops, catalog)


def layout_needed(ops: list[Op], catalog: Catalog) -> bool:
    """Whether replacing colours or protections needs indexes this backend lacks."""
    created = _created(ops, catalog)
    return any(
        op.tab not in created
        and (
            (isinstance(op, SetStyles) and op.drop and op.tab not in catalog.styles)
            or (isinstance(op, (Protect, Unprotect)) and op.tab not in catalog.protections)
        )
        for op in ops
    )


def structure(
    ops: list[Op],
    schema: Schema,
    located: dict[str, Located],
    catalog: Catalog,
    report: ApplyReport,
) -> list[dict[str, Any]]:
    """The ``spreadsheets.batchUpdate`` requests, in the order Google must apply them."""
    out = _add_tabs(ops, located, catalog, report)
    for op in ops:
        if isinstance(op, AddColumns):
            loc = located[op.tab]
            names = missing_columns(loc.grid, op, schema[op.tab])
            loc.new_headers += [(loc.grid.width + i, n) for i, n in enumerate(names)]
            loc.grid.header += [""] * (loc.grid.width - len(loc.grid.header)) + names
    for op in ops:
        if isinstance(op, PutCells):
            out += _grow(catalog.sheets[op.tab], *_cells_extent(op))
        elif isinstance(op, SetCharts):
            sheet_id = catalog.sheet_id(op.tab)
            out += [{"deleteEmbeddedObject": {"objectId": int(k)}} for k in op.drop]
            out += [rq.chart_request(spec, sheet_id) for spec in op.install]
    for tab, loc in located.items():
        sheet = catalog.sheets[tab]
        out += _grow(sheet, sheet.rows, sheet.cols + _growth(sheet, loc.grid, 0))
    for op in ops:
        if isinstance(op, SetLayout):
            hm = map_header(located[op.tab].grid, schema[op.tab], allow_missing=True)
            out += rq.layout_requests(op, catalog.sheet_id(op.tab), hm)
        elif isinstance(op, (SetStyles, Protect, Unprotect)):
            out += _style_requests(op, catalog)
    for op in ops:
        if isinstance(op, Protect):
            catalog.protections.pop(op.tab, None)  # new ids are Google's: learn them next time
    return out


def _add_tabs(
    ops: list[Op], located: dict[str, Located], catalog: Catalog, report: ApplyReport
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    taken = catalog.taken_ids()
    for op in ops:
        if not isinstance(op, AddTab):
            continue
        loc = located.get(op.tab)
        if loc and not loc.grid.header and not loc.grid.rows:
            loc.grid.header = list(op.header)  # created, but its header never written
            loc.new = True
        if catalog.exists(op.tab):
            continue
        sheet_id = rq.new_sheet_id(op.tab, taken)
        taken.add(sheet_id)
        out += rq.add_sheet(op.tab, sheet_id, len(op.header), op.hidden)
        catalog.add(op.tab, sheet_id, 1000, max(26, len(op.header)))
        located[op.tab] = Located(TabGrid(op.tab, list(op.header)), new=True)
        report.tabs_added += 1
    return out


def _cells_extent(op: PutCells) -> tuple[int, int]:
    rows = max((r for r, _, _ in op.cells), default=0) + 1
    cols = max((c for _, c, _ in op.cells), default=0) + 1
    return rows, cols


def _grow(sheet: SheetInfo, rows: int, cols: int) -> list[dict[str, Any]]:
    """appendDimension so ``sheet`` has at least ``rows`` × ``cols`` cells."""
    out = []
    for dim, need in (("ROWS", rows - sheet.rows), ("COLUMNS", cols - sheet.cols)):
        if need <= 0:
            continue
        sheet_id = sheet.sheet_id
        assert sheet_id is not None, f"sheet id of {sheet.title!r} not located"
        out.append({"appendDimension": {"sheetId": sheet_id, "dimension": dim, "length": need}})
        if dim == "ROWS":
            sheet.rows += need
        else:
            sheet.cols += need
    return out


def _style_requests(op: SetStyles | Protect | Unprotect, catalog: Catalog) -> list[dict[str, Any]]:
    sheet_id = catalog.sheet_id(op.tab)
    out: list[dict[str, Any]] = []
    if isinstance(op, SetStyles):
        index = catalog.styles.pop(op.tab, {})  # indexes shift: learn them again next time
        for i in sorted((index[s] for s in op.drop if s in index), reverse=True):
            out.append({"deleteConditionalFormatRule": {"sheetId": sheet_id, "index": i}})
        out += [rq.style_request(rule, sheet_id) for rule in op.install]
        return out
    known = catalog.protections.setdefault(op.tab, {})
    if op.description in known:
        out.append({"deleteProtectedRange": {"protectedRangeId": known.pop(op.description)}})
    if isinstance(op, Protect):
        out.append(rq.protect_request(sheet_id, op.description, op.first_col, op.last_col))
    return out


def generated(
    ops: list[Op], located: dict[str, Located], catalog: Catalog, report: ApplyReport
) -> list[dict[str, Any]]:
    """``updateCells`` for what sheetcrm writes by position: generated tabs' cells
    (formulas and typed values), a new tab's header and added header cells."""
    out: list[dict[str, Any]] = []
    for op in ops:
        loc = located.get(op.tab)
        if isinstance(op, AddTab) and op.header and loc is not None and loc.new:
            out += anchors.put_cells(
                catalog.sheet_id(op.tab), [(0, i, h) for i, h in enumerate(op.header)]
            )
        elif isinstance(op, PutCells):
            out += anchors.put_cells(catalog.sheet_id(op.tab), op.cells)
            report.cells_written += len(op.cells)
    for tab, loc in located.items():
        if loc.new_headers:
            cells = [(0, col, name) for col, name in loc.new_headers]
            out += anchors.put_cells(catalog.sheet_id(tab), cells)
    return out


def delete_requests(
    doomed: list[DeleteRow], tab: str, grid: TabGrid, schema: Schema, catalog: Catalog
) -> tuple[list[dict[str, Any]], list[str]]:
    """deleteDimension for each doomed row of ``tab`` still there (bottom-up), and notes
    for those already gone."""
    rows = index_rows(grid, map_header(grid, schema[tab]), schema[tab])
    mine = [op for op in doomed if op.tab == tab]
    positions = sorted({rows[op.key] for op in mine if op.key in rows}, reverse=True)
    sheet_id = catalog.sheet_id(tab)
    out = [
        {
            "deleteDimension": {
                "range": {
                    "sheetId": sheet_id,
                    "dimension": "ROWS",
                    "startIndex": pos + 1,
                    "endIndex": pos + 2,
                }
            }
        }
        for pos in positions
    ]
    return out, [f"{tab} {op.key}: already deleted" for op in mine if op.key not in rows]
