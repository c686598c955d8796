"""Record rows of one tab planned against the values read right before the write: the
cells of an edited row (None where a cell is left alone) and the cells of a new row.
The write rules are the shared ones: a formula is never overwritten, a cell a teammate
changed since the plan keeps its value (and is reported), a record is appended once.
No I/O here."""

from __future__ import annotations

from typing import Any

from sheetcrm.backends.base import ApplyReport, changed_meanwhile, formula_meanwhile
from sheetcrm.backends.gsheets import requests as rq
from sheetcrm.backends.gsheets.reads import header_at
from sheetcrm.model.changes import ANY, AppendRow, SetCell
from sheetcrm.model.diff import index_rows
from sheetcrm.model.grid import HeaderMap, TabGrid, map_header
from sheetcrm.model.schema import TabSchema
from sheetcrm.model.values import is_blank, values_equal


def merge(into: ApplyReport, part: ApplyReport) -> None:
    """Add what one row's plan decided to the apply's report."""
    into.cells_written += part.cells_written
    into.rows_appended += part.rows_appended
    into.skipped += part.skipped
    into.changed_meanwhile += part.changed_meanwhile


class RowPlan:
    """Edits and appends for one record tab, rows found by ID in ``grid``; ``literals``
    are the (header, text) of ``=…`` cells the plan's read found to be text."""

    def __init__(self, tab: TabSchema, grid: TabGrid, literals: set[tuple[str, str]]) -> None:
        self.tab, self.grid, self.literals = tab, grid, literals
        self.hm: HeaderMap = map_header(grid, tab)
        self.rows = index_rows(grid, self.hm, tab)
        self.id_col = self.hm.index(tab.id_field)

    def width(self) -> int:
        return max(self.hm.columns.values()) + 1

    def holds(self, values: list[Any], key: str) -> bool:
        """Whether a row's values (from column A) are the record ``key``'s."""
        raw = values[self.id_col] if self.id_col < len(values) else None
        return not is_blank(raw) and str(raw).strip() == key

    def edit_line(self, row: int, ops: list[SetCell], report: ApplyReport) -> list[Any] | None:
        """The cells to write in data row ``row`` (None: left alone), or None when every
        edit is skipped (and noted in ``report``)."""
        line: list[Any] = [None] * self.width()
        wrote = False
        for op in ops:
            col = self.hm.index(self.tab.field(op.field).name)
            current = self.grid.cell(row, col)
            if isinstance(current, str) and current.startswith("=") and not self._text(op, row):
                formula_meanwhile(op, current, report)
                continue
            as_planned = op.old is not ANY and (
                values_equal(current, rq.encode(op.old))
                or values_equal(current, rq.encode(op.value))
            )  # a date is read back from this backend as its serial number
            if not as_planned and changed_meanwhile(op, current, report):
                continue
            line[col] = rq.encode(op.value)
            report.cells_written += 1
            wrote = True
        return line if wrote else None

    def _text(self, op: SetCell, row: int) -> bool:
        """Whether an ``=…`` cell is literal text: the plan's read found it was, or the
        edit was planned against this very text (a formula reads back as None there)."""
        col = self.hm.index(self.tab.field(op.field).name)
        current = self.grid.cell(row, col)
        if (header_at(self.grid, col), current) in self.literals:
            return True
        return op.old is not ANY and values_equal(op.old, current)

    def append_line(self, op: AppendRow, report: ApplyReport) -> list[Any] | None:
        """The new row's cells, or None when the record is already there."""
        key = op.values.get(self.tab.id_field)
        if key is not None and str(key).strip() in self.rows:
            report.skipped.append(f"{self.tab.name} {key}: already present, not appended twice")
            return None
        line: list[Any] = [None] * self.width()
        for name, value in op.values.items():
            if not is_blank(value):
                line[self.hm.index(self.tab.field(name).name)] = value
                report.cells_written += 1
        if key is not None:
            self.rows[str(key).strip()] = -1  # appended: a second AppendRow is a duplicate
        report.rows_appended += 1
        return line
