"""An in-memory workbook: the fast double for unit tests, with the full write contract.

It applies a ChangeSet to a copy and swaps it in only when every operation succeeded, so
a failure leaves the previous state intact, exactly like the file and API backends.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sheetcrm.backends.base import ApplyReport, SheetAdapter, WorkbookAdapter, apply_changes
from sheetcrm.model.changes import (
    CellFormula,
    ChangeSet,
    Formatted,
    Protect,
    SetCharts,
    SetLayout,
    SetStyles,
    Unprotect,
)
from sheetcrm.model.grid import HeaderMap, Layout, TabGrid
from sheetcrm.model.schema import Schema, TabSchema


class MemoryBackend:
    """Tabs held as ``TabGrid`` objects; ``tabs`` may be edited directly to play teammate."""

    name = "memory"

    def __init__(self, tabs: Iterable[TabGrid] = ()) -> None:
        self.tabs: dict[str, TabGrid] = {t.name: t for t in tabs}

    def describe(self) -> str:
        return "memory workbook"

    def title(self) -> str:
        return "memory workbook"

    def read(
        self,
        tabs: Iterable[str] | None = None,
        *,
        layout: bool = False,
        values_only: bool = False,
        maybe_missing: Iterable[str] = (),
    ) -> dict[str, TabGrid]:
        names = list(self.tabs) if tabs is None else [t for t in tabs if t in self.tabs]
        return {n: copy.deepcopy(self.tabs[n]) for n in names}

    def apply(self, changes: ChangeSet, schema: Schema) -> ApplyReport:
        if not changes:
            return ApplyReport()
        work = _MemoryBook(copy.deepcopy(self.tabs))
        report = apply_changes(work, changes, schema)
        self.tabs.clear()  # in place: backends sharing this dict see one workbook
        self.tabs.update(work.tabs)
        report.requests = 1
        return report


class _MemorySheet(SheetAdapter):
    def __init__(self, grid: TabGrid) -> None:
        self._g = grid

    def grid(self) -> TabGrid:
        g = self._g
        while g.rows and all(v is None or v == "" for v in g.rows[-1]):
            g.rows.pop()
        return g

    def write(self, row: int, col: int, value: Any, field_type: str) -> None:
        rows = self._g.rows
        while len(rows) <= row:
            rows.append([])
        while len(rows[row]) <= col:
            rows[row].append(None)
        rows[row][col] = value
        self._g.formulas.pop((row, col), None)

    def write_header(self, col: int, text: str) -> None:
        header = self._g.header
        while len(header) <= col:
            header.append(None)  # type: ignore[arg-type]
        header[col] = text

    def delete_row(self, row: int) -> None:
        del self._g.rows[row]
        self._g.formulas = {
            (r - (r > row), c): f for (r, c), f in self._g.formulas.items() if r != row
        }

    def set_layout(self, op: SetLayout, hm: HeaderMap, tab: TabSchema) -> None:
        lay = self._g.layout
        if op.frozen_rows is not None:
            lay.frozen_rows = op.frozen_rows
        if op.hidden is not None:
            lay.hidden = op.hidden
        if op.auto_filter is not None:  # it grows with the rows, as in a workbook
            lay.auto_filter = replace(op.auto_filter, end_row=None)
        for name, rule in op.validations:
            if name in hm.columns:
                lay.validations[self._g.header[hm.index(name)]] = rule
        for name, fmt in op.number_formats:
            if name in hm.columns:
                lay.number_formats[self._g.header[hm.index(name)]] = fmt

    def set_styles(self, op: SetStyles) -> None:
        self._g.layout.styles -= set(op.drop)
        self._g.layout.styles |= {r.signature for r in op.install}

    def put(self, row: int, col: int, value: Any) -> None:
        if row == 0:
            self.write_header(col, value)
            return
        if isinstance(value, Formatted):
            value = value.value
        if isinstance(value, CellFormula):
            self.write(row - 1, col, value.fallback, "text")
            self._g.formulas[(row - 1, col)] = value.text
        else:
            self.write(row - 1, col, value, "text")

    def set_charts(self, op: SetCharts) -> None:
        self._g.layout.charts -= set(op.drop)
        self._g.layout.charts |= {c.key for c in op.install}

    def protect(self, op: Protect | Unprotect) -> None:
        if isinstance(op, Unprotect):
            self._g.layout.protections.pop(op.description, None)
        else:
            self._g.layout.protections[op.description] = (op.first_col, op.last_col)


class _MemoryBook(WorkbookAdapter):
    def __init__(self, tabs: dict[str, TabGrid]) -> None:
        self.tabs = tabs

    def sheet(self, name: str) -> SheetAdapter | None:
        grid = self.tabs.get(name)
        return _MemorySheet(grid) if grid is not None else None

    def add_sheet(self, name: str, header: Sequence[str], hidden: bool) -> SheetAdapter:
        self.tabs[name] = TabGrid(name, list(header), layout=Layout(hidden=hidden))
        return _MemorySheet(self.tabs[name])
