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
from sheetcrm.model.grid import TabGrid


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

    @abstractmethod
    def is_date(self, row: int, col: int, tab: str = "Customers") -> bool:
        """Whether the cell holds a real date (not text that looks like one)."""

    @abstractmethod
    def fresh(self) -> Any:
        """Another backend instance on the same workbook that has read nothing yet (what a
        new process gets)."""

    @abstractmethod
    def delete_tab(self, tab: str) -> None:
        """Delete a whole tab (a teammate tidying up)."""

    def state(self) -> Any:
        """An opaque snapshot that compares equal when nothing changed."""
        return None

    def close(self) -> None:  # noqa: B027 - most harnesses hold nothing to release
        """Release servers or files the harness started."""


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

    def is_date(self, row: int, col: int, tab: str = "Customers") -> bool:
        import datetime as dt

        return isinstance(self.get_cell(tab, row, col), dt.date)

    def state(self) -> Any:
        import copy

        return copy.deepcopy(self.backend.tabs)

    def fresh(self) -> Any:
        backend = MemoryBackend()
        backend.tabs = self.backend.tabs  # the same workbook, a new instance
        return backend

    def delete_tab(self, tab: str) -> None:
        del self.backend.tabs[tab]


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

    def is_date(self, row: int, col: int, tab: str = "Customers") -> bool:
        cell = openpyxl.load_workbook(self.path)[tab].cell(row=row, column=col)
        return cell.is_date and "yy" in cell.number_format

    def state(self) -> Any:
        return self.path.read_bytes() if self.path.exists() else None

    def fresh(self) -> Any:
        return XlsxBackend(self.path)

    def delete_tab(self, tab: str) -> None:
        self._edit(lambda wb: wb.remove(wb[tab]))


def no_sleep(_seconds: float) -> None:
    """Retries and throttling in tests do not wait on the wall clock."""


def sheets_backend(emulator: Any, spreadsheet_id: str) -> Any:
    """A Google Sheets backend on unmodified gspread, talking to ``emulator`` in-process."""
    import gspread
    from google.auth.credentials import AnonymousCredentials

    from sheetcrm.backends.gsheets.backend import GSheetsBackend
    from sheetcrm.backends.gsheets.retry import RetryPolicy, Throttle
    from sheetcrm.emulator import mount

    client = gspread.Client(AnonymousCredentials())
    mount(client.http_client.session, emulator)
    return GSheetsBackend(
        client, spreadsheet_id, retry=RetryPolicy(sleep=no_sleep), throttle=Throttle(sleep=no_sleep)
    )


def snapshot(ss: Any) -> Any:
    """Everything a teammate could see in an emulated spreadsheet, comparable with ==."""
    return [
        (
            s.props,
            s.rows,
            s.cell_formats,
            [(g.as_json(), f) for g, f in s.range_formats],
            [(g.as_json(), v) for g, v in s.validations],
            s.conditional_formats,
            s.protected_ranges,
        )
        for s in ss.sheets
    ], ss.developer_metadata


class SheetsHarness(Harness):
    """Google Sheets through the emulator, in-process (a requests adapter, no socket)."""

    name = "gsheets"

    def __init__(self, tmp_path: Path) -> None:
        from sheetcrm.emulator import Emulator
        from sheetcrm.emulator.teammate import Teammate

        self.emulator = Emulator()
        self.ss = self.emulator.create_spreadsheet("crm")
        self.mate = Teammate(self.emulator, self.ss.id)
        self.backend = self._backend()

    def _backend(self) -> Any:
        return sheets_backend(self.emulator, self.ss.id)

    def fresh(self) -> Any:
        return self._backend()

    def delete_tab(self, tab: str) -> None:
        self.ss.sheets.remove(self.mate.sheet(tab))
        self.ss.reindex()

    def set_cell(self, tab: str, row: int, col: int, value: Any) -> None:
        if isinstance(value, str) and not value.startswith("="):
            self.mate.sheet(tab).set(row - 1, col - 1, value)  # typed as text
        else:
            self.mate.set(tab, row, col, value)

    def get_cell(self, tab: str, row: int, col: int) -> Any:
        return self.mate.get(tab, row, col)

    def insert_row(self, tab: str, before: int) -> None:
        self.mate.insert_rows(tab, before)

    def reverse_rows(self, tab: str) -> None:
        sheet = self.mate.sheet(tab)
        sheet.rows[1:] = list(reversed(sheet.rows[1:]))

    def header(self, tab: str) -> list[Any]:
        header = self.mate.header(tab)
        while header and header[-1] is None:
            header.pop()
        return header

    def state(self) -> Any:
        import copy

        return copy.deepcopy(snapshot(self.ss))

    def is_date(self, row: int, col: int, tab: str = "Customers") -> bool:
        sheet = self.mate.sheet(tab)
        fmt = sheet.number_format(row - 1, col - 1)
        return isinstance(sheet.get(row - 1, col - 1), (int, float)) and bool(
            fmt and fmt.type == "DATE"
        )


class SheetsHttpHarness(SheetsHarness):
    """Google Sheets through the emulator over loopback HTTP (endpoint override)."""

    name = "gsheets-http"
    server: Any = None  # one loopback server for every backend instance of the harness

    def _backend(self) -> Any:
        from sheetcrm.backends.gsheets.backend import GSheetsBackend
        from sheetcrm.backends.gsheets.retry import RetryPolicy, Throttle
        from sheetcrm.config import Config
        from sheetcrm.emulator import LoopbackServer

        if self.server is None:
            self.server = LoopbackServer(self.emulator).start()
        backend = GSheetsBackend.open(self.ss.id, config=Config(endpoint=self.server.url))
        backend.retry = RetryPolicy(sleep=no_sleep)
        backend.throttle = Throttle(sleep=no_sleep)
        return backend

    def close(self) -> None:
        self.server.stop()


HARNESSES: dict[str, type[Harness]] = {
    "memory": MemoryHarness,
    "xlsx": XlsxHarness,
    "gsheets": SheetsHarness,
    "gsheets-http": SheetsHttpHarness,
}
