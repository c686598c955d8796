"""The backend protocol, and the apply algorithm shared by grid-shaped backends.

A backend reads tabs into ``TabGrid``s and applies a ``ChangeSet``. Backends that hold a
whole grid in hand (memory, xlsx) implement a small ``SheetAdapter`` and get the write
rules for free: rows found by ID, columns by header, formulas never overwritten, appends
after the last used row, deletions last and bottom-up. A failure part-way raises before
the backend commits, so nothing is half-written.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from sheetcrm.errors import HeaderError, LockedError
from sheetcrm.model.changes import (
    ANY,
    AddColumns,
    AddTab,
    AppendRow,
    ChangeSet,
    DeleteRow,
    Expect,
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


@dataclass
class ApplyReport:
    """What a backend did that the plan cannot tell: cells and rows it wrote, system tabs it
    had to create, requests and bytes (0 for local files), and what it skipped and why."""

    cells_written: int = 0
    rows_appended: int = 0
    tabs_added: int = 0
    requests: int = 0
    bytes_sent: int = 0
    skipped: list[str] = field(default_factory=list)
    changed_meanwhile: list[tuple[str, str, str, Any]] = field(default_factory=list)


@runtime_checkable
class Backend(Protocol):
    """Where a workbook lives. ``CRM(backend=...)`` takes any object with these methods."""

    name: str

    def describe(self) -> str:
        """A human name for the workbook, e.g. a path or a spreadsheet URL."""
        ...

    def title(self) -> str:
        """The workbook's name for what people share (report footers, PDFs): a file name
        or the spreadsheet's title, never a local path or a URL."""
        ...

    def read(
        self,
        tabs: Iterable[str] | None = None,
        *,
        layout: bool = False,
        values_only: bool = False,
        maybe_missing: Iterable[str] = (),
    ) -> dict[str, TabGrid]:
        """Read the named tabs (all when None) in one round trip; absent tabs are left out.

        ``layout=True`` also reads frozen rows, dropdowns and number formats (slower).
        ``maybe_missing``: tabs the caller knows may not exist (the seller tabs), so a
        backend that must name existing tabs in its read can find out first.
        """
        ...

    def apply(self, changes: ChangeSet, schema: Schema) -> ApplyReport:
        """Apply all of ``changes`` or nothing."""
        ...


class SheetAdapter(ABC):
    """Primitive operations on one tab of a backend that holds the whole grid."""

    @abstractmethod
    def grid(self) -> TabGrid:
        """The tab's current content (trailing empty rows trimmed)."""

    @abstractmethod
    def write(self, row: int, col: int, value: Any, field_type: str) -> None:
        """Set a data cell (row 0 is the first row under the header)."""

    @abstractmethod
    def write_header(self, col: int, text: str) -> None:
        """Set a header cell."""

    @abstractmethod
    def delete_row(self, row: int) -> None:
        """Delete a data row, shifting the rows below up."""

    @abstractmethod
    def set_layout(self, op: SetLayout, hm: HeaderMap, tab: TabSchema) -> None:
        """Apply the parts of a layout declaration."""

    @abstractmethod
    def set_styles(self, op: SetStyles) -> None:
        """Remove the dropped conditional formats, then add the new ones."""

    @abstractmethod
    def protect(self, op: Protect | Unprotect) -> None:
        """Add (or replace) or remove a warning-only protection."""

    @abstractmethod
    def put(self, row: int, col: int, value: Any) -> None:
        """Set a cell of a generated tab by absolute position (row 0 is the first row)."""

    def set_charts(self, op: SetCharts) -> None:  # noqa: B027 - optional
        """Add and remove the charts of a generated tab (a backend without charts ignores it)."""


class WorkbookAdapter(ABC):
    """Access to the tabs of a workbook held in hand."""

    @abstractmethod
    def sheet(self, name: str) -> SheetAdapter | None:
        """The tab with this exact name, or None."""

    @abstractmethod
    def add_sheet(self, name: str, header: Sequence[str], hidden: bool) -> SheetAdapter:
        """Create a tab with a header row."""


def with_system_tabs(ops: list[Op], schema: Schema, exists: Callable[[str], bool]) -> list[Op]:
    """``ops`` plus an AddTab for each system tab (``_audit``, ``_sync``, ``_quarantine``,
    ``_conflicts``, ``_meta``) that rows are appended to but that does not exist: system
    tabs are found or created, so a run never depends on having read them first."""
    creating = {op.tab for op in ops if isinstance(op, AddTab)}
    missing = dict.fromkeys(
        op.tab
        for op in ops
        if isinstance(op, AppendRow)
        and op.tab in schema.tabs
        and schema[op.tab].system
        and op.tab not in creating
        and not exists(op.tab)
    )
    if not missing:
        return ops
    adds: list[Op] = [AddTab(t, tuple(schema[t].columns), schema[t].hidden) for t in missing]
    return ChangeSet([*adds, *ops]).ordered()


def apply_changes(book: WorkbookAdapter, changes: ChangeSet, schema: Schema) -> ApplyReport:
    """Apply a ChangeSet through adapters, following every write rule of DESIGN.md §3."""
    report = ApplyReport()
    ops = with_system_tabs(changes.ordered(), schema, lambda name: book.sheet(name) is not None)
    for op in ops:
        if isinstance(op, Expect):
            sheet = book.sheet(op.tab)
            check_expectation(op, sheet.grid() if sheet else None, schema)
    for op in ops:
        if isinstance(op, AddTab) and book.sheet(op.tab) is None:
            book.add_sheet(op.tab, op.header, op.hidden)
            report.tabs_added += 1
    for op in ops:
        if isinstance(op, AddColumns):
            sheet = _sheet(book, op.tab)
            grid = sheet.grid()
            tab = schema[op.tab]
            present = {f.name for h in grid.header if not is_blank(h) and (f := tab.get(str(h)))}
            names = [n for n in op.names if n not in present]
            for offset, name in enumerate(names):
                sheet.write_header(grid.width + offset, name)
    by_tab: dict[str, list[Any]] = {}
    for op in ops:
        if not isinstance(op, (Expect, AddTab, AddColumns)):
            by_tab.setdefault(op.tab, []).append(op)
    for tab_name, tab_ops in by_tab.items():
        if tab_name in schema.tabs:
            _apply_tab(_sheet(book, tab_name), schema[tab_name], tab_ops, report)
        else:
            _apply_generated(_sheet(book, tab_name), tab_ops, report)
    return report


def _apply_generated(sheet: SheetAdapter, ops: list[Any], report: ApplyReport) -> None:
    """A tab sheetcrm generates (Dashboard, summaries): cells by position, charts, protection."""
    for op in ops:
        if isinstance(op, PutCells):
            for row, col, value in op.cells:
                sheet.put(row, col, value)
            report.cells_written += len(op.cells)
        elif isinstance(op, SetCharts):
            sheet.set_charts(op)
        elif isinstance(op, (Protect, Unprotect)):
            sheet.protect(op)
        else:
            raise TypeError(f"{type(op).__name__} does not apply to generated tab {op.tab!r}")


def check_expectation(op: Expect, grid: TabGrid | None, schema: Schema) -> None:
    """Raise ``LockedError`` when another run wrote the guarded field since we read it."""
    current = None
    if grid is not None:
        tab = schema[op.tab]
        hm = map_header(grid, tab, allow_missing=True)
        if tab.id_field in hm.columns and op.field in hm.columns:
            row = index_rows(grid, hm, tab).get(op.key)
            current = grid.cell(row, hm.index(op.field)) if row is not None else None
    if not values_equal(current, op.value):
        raise LockedError(
            f"locked: another run ({current}) wrote to the workbook after this run read it; "
            "nothing was written — run again"
        )


def changed_meanwhile(op: SetCell, current: Any, report: ApplyReport) -> bool:
    """True (and noted) when a teammate changed the cell since the edit was planned."""
    if op.old is ANY or values_equal(current, op.old) or values_equal(current, op.value):
        return False
    report.skipped.append(f"{op.tab} {op.key} {op.field}: changed by someone else meanwhile")
    report.changed_meanwhile.append((op.tab, op.key, op.field, current))
    return True


def formula_meanwhile(op: SetCell, text: Any, report: ApplyReport) -> None:
    """A formula where an edit was planned is kept. Plans never edit a cell that held a
    formula when they read it, so a teammate typed it since: a conflict, unless the edit
    did not depend on what the cell held (``ANY``)."""
    report.skipped.append(f"{op.tab} {op.key} {op.field}: formula kept")
    if op.old is not ANY:
        report.changed_meanwhile.append((op.tab, op.key, op.field, text))


def _sheet(book: WorkbookAdapter, name: str) -> SheetAdapter:
    sheet = book.sheet(name)
    if sheet is None:
        raise HeaderError(f"tab {name!r} does not exist (run `sheetcrm init` to create it)")
    return sheet


def _set_cell(
    sheet: SheetAdapter,
    tab: TabSchema,
    grid: TabGrid,
    hm: HeaderMap,
    row: int | None,
    op: SetCell,
    report: ApplyReport,
) -> None:
    """Write one cell of the record found by ID, unless the row is gone, the cell holds a
    formula, or a teammate changed it since the plan was made."""
    if row is None:
        report.skipped.append(f"{tab.name} {op.key}: row no longer exists")
        return
    f = tab.field(op.field)
    col = hm.index(f.name)
    if (row, col) in grid.formulas:
        formula_meanwhile(op, grid.formulas[(row, col)], report)
        return
    if changed_meanwhile(op, grid.cell(row, col), report):
        return
    sheet.write(row, col, op.value, f.type)
    report.cells_written += 1


def _append_row(
    sheet: SheetAdapter,
    tab: TabSchema,
    hm: HeaderMap,
    rows: dict[str, int],
    next_row: int,
    op: AppendRow,
    report: ApplyReport,
) -> int:
    """Write a new record after the last row (once: a record whose ID is already there is
    skipped); the row after it."""
    key = op.values.get(tab.id_field)
    if key is not None and str(key) in rows:
        report.skipped.append(f"{tab.name} {key}: already present, not appended twice")
        return next_row
    for name, value in op.values.items():
        if not is_blank(value):
            f = tab.field(name)
            sheet.write(next_row, hm.index(f.name), value, f.type)
            report.cells_written += 1
    if key is not None:
        rows[str(key)] = next_row
    report.rows_appended += 1
    return next_row + 1


def _apply_tab(sheet: SheetAdapter, tab: TabSchema, ops: list[Any], report: ApplyReport) -> None:
    grid = sheet.grid()
    layout_only = all(isinstance(op, (SetLayout, SetStyles, Protect, Unprotect)) for op in ops)
    hm = map_header(grid, tab, allow_missing=layout_only)
    rows = index_rows(grid, hm, tab) if not layout_only else {}
    next_row = len(grid.rows)
    doomed: list[int] = []
    for op in ops:
        if isinstance(op, SetLayout):
            sheet.set_layout(op, hm, tab)
        elif isinstance(op, SetStyles):
            sheet.set_styles(op)
        elif isinstance(op, (Protect, Unprotect)):
            sheet.protect(op)
        elif isinstance(op, SetCell):
            _set_cell(sheet, tab, grid, hm, rows.get(op.key), op, report)
        elif isinstance(op, AppendRow):
            next_row = _append_row(sheet, tab, hm, rows, next_row, op, report)
        elif isinstance(op, DeleteRow):
            row = rows.get(op.key)
            if row is None:
                report.skipped.append(f"{tab.name} {op.key}: already deleted")
            else:
                doomed.append(row)
    for row in sorted(set(doomed), reverse=True):
        sheet.delete_row(row)
