"""A teammate's hands on an emulated spreadsheet: typing, formulas, sorting, rows, columns.

Tests use it directly or from a hook, so the edit lands between two requests of a run::

    mate = Teammate(emulator, spreadsheet_id)
    mate.before("values.batchUpdate", lambda: mate.sort("Customers", 2))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .cells import Formula, parse_user_entered
from .model import Sheet
from .moves import permute, sort_key
from .records import RequestEvent
from .server import Emulator
from .structure import delete_dimension, insert_dimension


class Teammate:
    """Edits as a person would make them in the Sheets UI (rows and columns are 1-based)."""

    def __init__(self, emulator: Emulator, spreadsheet_id: str) -> None:
        self.emulator = emulator
        self.ss = emulator.spreadsheets[spreadsheet_id]

    def sheet(self, tab: str) -> Sheet:
        return self.ss.sheet(title=tab)

    def set(self, tab: str, row: int, col: int, typed: Any) -> None:
        """Type into a cell (parsed as in the UI: '=…' is a formula, '12' a number)."""
        sheet = self.sheet(tab)
        value, fmt = parse_user_entered(typed)
        sheet.set(row - 1, col - 1, value)
        if fmt is not None:
            sheet.cell_formats.setdefault((row - 1, col - 1), {})["numberFormat"] = fmt.as_json()

    def get(self, tab: str, row: int, col: int) -> Any:
        value = self.sheet(tab).get(row - 1, col - 1)
        return value.text if isinstance(value, Formula) else value

    def header(self, tab: str) -> list[Any]:
        sheet = self.sheet(tab)
        return list(sheet.rows[0]) if sheet.rows else []

    def column_of(self, tab: str, name: str) -> int:
        return [str(h) for h in self.header(tab)].index(name) + 1

    def insert_rows(self, tab: str, before: int, count: int = 1) -> None:
        insert_dimension(self.ss, self.sheet(tab), "ROWS", before - 1, before - 1 + count)

    def delete_rows(self, tab: str, row: int, count: int = 1) -> None:
        delete_dimension(self.ss, self.sheet(tab), "ROWS", row - 1, row - 1 + count)

    def sort(self, tab: str, col: int, *, descending: bool = False) -> None:
        """Sort the data rows (row 1 stays) by one column; whole rows move, developer metadata
        and cell formats with them."""
        sheet = self.sheet(tab)
        order = sorted(
            range(1, len(sheet.rows)),
            key=lambda r: sort_key(sheet.get(r, col - 1)),
            reverse=descending,
        )
        permute(self.ss, sheet, "ROWS", 1, order)  # each row's metadata goes with it

    def add_column(self, tab: str, title: str, at: int | None = None) -> int:
        """Add a column with a header (at the end, or inserted before column ``at``)."""
        sheet = self.sheet(tab)
        if at is None:
            at = len(self.header(tab)) + 1
            if at > sheet.col_count:
                sheet.props["gridProperties"]["columnCount"] = at
        else:
            insert_dimension(self.ss, sheet, "COLUMNS", at - 1, at)
        sheet.set(0, at - 1, title)
        return at

    def rename_header(self, tab: str, old: str, new: str) -> None:
        self.set(tab, 1, self.column_of(tab, old), new)

    def before(
        self, match: str, action: Callable[[], None], *, times: int = 1, skip: int = 0
    ) -> None:
        """Run ``action`` just before the next ``times`` requests whose method id contains
        ``match`` (e.g. 'values.batchUpdate'), after letting ``skip`` of them pass."""
        left, passed = [times], [skip]

        def hook(event: RequestEvent) -> None:
            if match not in event.method_id:
                return
            if passed[0] > 0:
                passed[0] -= 1
            elif left[0] > 0:
                left[0] -= 1
                with self.emulator.lock:  # other clients may be mid-request
                    action()

        self.emulator.on_request(hook)
