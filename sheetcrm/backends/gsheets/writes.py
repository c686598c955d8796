"""Turning a ChangeSet into Google Sheets requests, given the tabs as found right before
writing: one ``spreadsheets.batchUpdate`` body (new tabs, grid growth, generated cells'
formulas, charts, layout, colours, protection), the RAW ``values.batchUpdate`` ranges, and
the row deletions. No I/O here: the backend locates the tabs and sends what these return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sheetcrm.backends.base import ApplyReport, changed_meanwhile
from sheetcrm.backends.gsheets import requests as rq
from sheetcrm.backends.gsheets.catalog import Catalog, SheetInfo
from sheetcrm.backends.gsheets.reads import header_at
from sheetcrm.model.changes import (
    ANY,
    AddColumns,
    AddTab,
    AppendRow,
    CellFormula,
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
from sheetcrm.model.grid import HeaderMap, TabGrid, map_header
from sheetcrm.model.schema import Schema, TabSchema
from sheetcrm.model.values import is_blank, values_equal

#: Rows added beyond what a full record tab needs, so growing it (a request that names
#: the tab's sheet id) is rare rather than once per run.
GROW_ROWS = 500

#: Operations whose requests name the tab's sheet id.
_BY_ID = (PutCells, SetCharts, SetLayout, SetStyles, Protect, Unprotect, DeleteRow)


@dataclass
class Located:
    """A tab as found right before writing, plus header cells this apply adds."""

    grid: TabGrid
    new: bool = False
    new_headers: list[tuple[int, str]] = field(default_factory=list)


def missing_columns(grid: TabGrid, op: AddColumns, tab: TabSchema) -> list[str]:
    present = {f.name for h in grid.header if not is_blank(h) and (f := tab.get(str(h)))}
    return [n for n in op.names if n not in present]


def _appends(ops: list[Op], tab: str) -> int:
    return sum(1 for op in ops if isinstance(op, AppendRow) and op.tab == tab)


def _growth(sheet: SheetInfo, grid: TabGrid, appends: int, extra_cols: int) -> tuple[int, int]:
    """Rows and columns a record tab lacks for this apply's writes."""
    rows = 1 + len(grid.rows) + appends - sheet.rows
    cols = grid.width + extra_cols - sheet.cols
    return (max(rows, GROW_ROWS) if rows > 0 else 0), max(cols, 0)


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
        if any(_growth(sheet, loc.grid, _appends(ops, tab), extra)):
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
            sheet_id = catalog.sheet_id(op.tab)
            out += [
                rq.formula_request(sheet_id, r, c, v.text)
                for r, c, v in op.cells
                if isinstance(v, CellFormula)
            ]
        elif isinstance(op, SetCharts):
            sheet_id = catalog.sheet_id(op.tab)
            out += [{"deleteEmbeddedObject": {"objectId": int(k)}} for k in op.drop]
            out += [rq.chart_request(spec, sheet_id) for spec in op.install]
    for tab, loc in located.items():
        sheet = catalog.sheets[tab]
        rows, cols = _growth(sheet, loc.grid, _appends(ops, tab), 0)
        out += _grow(sheet, sheet.rows + rows, sheet.cols + cols)
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


def value_ranges(
    ops: list[Op],
    schema: Schema,
    located: dict[str, Located],
    literals: dict[str, set[tuple[str, str]]],
    report: ApplyReport,
) -> list[dict[str, Any]]:
    """The RAW ``values.batchUpdate`` data: headers, generated cells, edits and appends."""
    data: list[dict[str, Any]] = []
    for op in ops:
        loc = located.get(op.tab)
        if isinstance(op, AddTab) and op.header and loc is not None and loc.new:
            data.append({"range": rq.a1(op.tab, 0, 0), "values": [list(op.header)]})
        elif isinstance(op, PutCells):
            plain = [(r, c, v) for r, c, v in op.cells if not isinstance(v, CellFormula)]
            data += rq.row_runs(op.tab, plain)
            report.cells_written += len(op.cells)
    for tab, loc in located.items():
        for col, name in loc.new_headers:
            data.append({"range": rq.a1(tab, 0, col), "values": [[name]]})
    by_tab: dict[str, list[SetCell | AppendRow]] = {}
    for op in ops:
        if isinstance(op, (SetCell, AppendRow)):
            by_tab.setdefault(op.tab, []).append(op)
    for tab, tab_ops in by_tab.items():
        writer = _RowWriter(schema[tab], located[tab].grid, literals.get(tab, set()), report)
        data += writer.ranges(tab_ops)
    return data


class _RowWriter:
    """Edits and appends for one record tab, rows found by ID in the grid just read."""

    def __init__(
        self, tab: TabSchema, grid: TabGrid, literals: set[tuple[str, str]], report: ApplyReport
    ) -> None:
        self.tab, self.grid, self.literals, self.report = tab, grid, literals, report
        self.hm: HeaderMap = map_header(grid, tab)
        self.rows = index_rows(grid, self.hm, tab)
        self.edits: list[tuple[int, int, Any]] = []
        self.appended: list[list[Any]] = []

    def ranges(self, ops: list[SetCell | AppendRow]) -> list[dict[str, Any]]:
        for op in ops:
            if isinstance(op, SetCell):
                self.edit(op)
            else:
                self.append(op)
        out = rq.row_runs(self.tab.name, self.edits)
        if self.appended:
            first = len(self.grid.rows) + 1
            width = max(len(line) for line in self.appended)
            end = first + len(self.appended)
            rng = rq.a1(self.tab.name, first, 0, end, width)
            out.append({"range": rng, "values": self.appended})
        return out

    def edit(self, op: SetCell) -> None:
        name, report = self.tab.name, self.report
        row = self.rows.get(op.key)
        if row is None:
            report.skipped.append(f"{name} {op.key}: row no longer exists")
            return
        col = self.hm.index(self.tab.field(op.field).name)
        current = self.grid.cell(row, col)
        if isinstance(current, str) and current.startswith("=") and not self._text(op, col):
            report.skipped.append(f"{name} {op.key} {op.field}: formula kept")
            return
        as_planned = op.old is not ANY and (
            values_equal(current, rq.encode(op.old)) or values_equal(current, rq.encode(op.value))
        )  # a date is read back from this backend as its serial number
        if not as_planned and changed_meanwhile(op, current, report):
            return
        self.edits.append((row + 1, col, op.value))
        report.cells_written += 1

    def _text(self, op: SetCell, col: int) -> bool:
        """Whether an ``=…`` cell is literal text: this backend read it as text, or the
        edit was planned against this very text (a formula reads back as None there)."""
        current = self.grid.cell(self.rows[op.key], col)
        if (header_at(self.grid, col), current) in self.literals:
            return True
        return op.old is not ANY and values_equal(op.old, current)

    def append(self, op: AppendRow) -> None:
        key = op.values.get(self.tab.id_field)
        if key is not None and str(key) in self.rows:
            self.report.skipped.append(
                f"{self.tab.name} {key}: already present, not appended twice"
            )
            return
        line: list[Any] = [None] * (max(self.hm.columns.values()) + 1)  # None: leave alone
        for name, value in op.values.items():
            if not is_blank(value):
                line[self.hm.index(self.tab.field(name).name)] = rq.encode(value)
                self.report.cells_written += 1
        self.appended.append(line)
        if key is not None:
            self.rows[str(key)] = len(self.grid.rows) + len(self.appended) - 1
        self.report.rows_appended += 1


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
