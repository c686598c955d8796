"""Backend harnesses for the contract suite: build a backend and act as a teammate on it.

A new backend joins the suite by adding a ``Harness`` subclass to ``HARNESSES``; every
contract test then runs against it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import openpyxl

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.grid import TabGrid


class Harness(ABC):
    """One backend under test plus the hands of a teammate editing it directly."""

    name: str
    backend: Any

    @abstractmethod
    def set_cell(self, tab: str, row: int, col: int, value: Any) -> None:
        """Type a value (row/col 1-based, row 1 is the header)."""

    @abstractmethod
    def get_cell(self, tab: str, row: int, col: int) -> Any:
        """What the cell holds (formula text for formula cells)."""

    @abstractmethod
    def insert_row(self, tab: str, before: int) -> None:
        """Insert an empty row above sheet row ``before``."""

    @abstractmethod
    def reverse_rows(self, tab: str) -> None:
        """Sort the data rows in reverse order (a teammate sorting the tab)."""

    @abstractmethod
    def header(self, tab: str) -> list[Any]:
        """The header row."""

    def state(self) -> Any:
        """An opaque snapshot that compares equal when nothing changed."""
        return None


class MemoryHarness(Harness):
    name = "memory"

    def __init__(self, tmp_path: Path) -> None:
        self.backend = MemoryBackend()

    def _grid(self, tab: str) -> TabGrid:
        return self.backend.tabs[tab]

    def set_cell(self, tab: str, row: int, col: int, value: Any) -> None:
        g = self._grid(tab)
        if row == 1:
            while len(g.header) < col:
                g.header.append(None)
            g.header[col - 1] = value
            return
        while len(g.rows) < row - 1:
            g.rows.append([])
        r = g.rows[row - 2]
        while len(r) < col:
            r.append(None)
        if isinstance(value, str) and value.startswith("="):
            g.formulas[(row - 2, col - 1)] = value
            r[col - 1] = None
        else:
            r[col - 1] = value
            g.formulas.pop((row - 2, col - 1), None)

    def get_cell(self, tab: str, row: int, col: int) -> Any:
        g = self._grid(tab)
        if row == 1:
            return g.header[col - 1] if col <= len(g.header) else None
        if (row - 2, col - 1) in g.formulas:
            return g.formulas[(row - 2, col - 1)]
        return g.cell(row - 2, col - 1)

    def insert_row(self, tab: str, before: int) -> None:
        g = self._grid(tab)
        g.rows.insert(before - 2, [])
        g.formulas = {(r + (r >= before - 2), c): f for (r, c), f in g.formulas.items()}

    def reverse_rows(self, tab: str) -> None:
        g = self._grid(tab)
        n = len(g.rows)
        g.rows.reverse()
        g.formulas = {(n - 1 - r, c): f for (r, c), f in g.formulas.items()}

    def header(self, tab: str) -> list[Any]:
        return list(self._grid(tab).header)

    def state(self) -> Any:
        import copy

        return copy.deepcopy(self.backend.tabs)


class XlsxHarness(Harness):
    name = "xlsx"

    def __init__(self, tmp_path: Path) -> None:
        self.path = tmp_path / "crm.xlsx"
        self.backend = XlsxBackend(self.path)

    def _edit(self, fn: Any) -> None:
        wb = openpyxl.load_workbook(self.path)
        fn(wb)
        wb.save(self.path)

    def set_cell(self, tab: str, row: int, col: int, value: Any) -> None:
        self._edit(lambda wb: setattr(wb[tab].cell(row=row, column=col), "value", value))

    def get_cell(self, tab: str, row: int, col: int) -> Any:
        wb = openpyxl.load_workbook(self.path)
        return wb[tab].cell(row=row, column=col).value

    def insert_row(self, tab: str, before: int) -> None:
        self._edit(lambda wb: wb[tab].insert_rows(before))

    def reverse_rows(self, tab: str) -> None:
        def rev(wb: Any) -> None:
            ws = wb[tab]
            rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
            for i, values in enumerate(reversed(rows)):
                for j, v in enumerate(values):
                    ws.cell(row=i + 2, column=j + 1).value = v

        self._edit(rev)

    def header(self, tab: str) -> list[Any]:
        wb = openpyxl.load_workbook(self.path, read_only=True)
        return [c.value for c in next(wb[tab].iter_rows(max_row=1))]

    def state(self) -> Any:
        return self.path.read_bytes() if self.path.exists() else None


HARNESSES: dict[str, type[Harness]] = {"memory": MemoryHarness, "xlsx": XlsxHarness}
