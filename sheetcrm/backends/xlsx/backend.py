"""``XlsxBackend``: each read loads the file once. A ``values_only`` read (a command that
never writes) streams it read-only with the values Excel or LibreOffice last computed; any
other read is a writing run's, so it loads the workbook fully and keeps it for the apply
that follows, which reuses it when the file has not changed since (else loads it again),
applies the ChangeSet through the shared adapter rules, redraws the declared charts and
saves atomically (temp file in the same folder, fsync, rename)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from sheetcrm.backends import limits
from sheetcrm.backends.base import ApplyReport, apply_changes
from sheetcrm.backends.xlsx import charts
from sheetcrm.backends.xlsx.cells import read_sheet, typed
from sheetcrm.backends.xlsx.layout import ensure_visible_active
from sheetcrm.backends.xlsx.sheet import XlsxBook
from sheetcrm.errors import WorkbookError
from sheetcrm.model.changes import ChangeSet
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.schema import Schema


class XlsxBackend:
    """A workbook in a local .xlsx file."""

    name = "xlsx"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.saves = 0
        self._held: tuple[tuple[int, int, int], openpyxl.Workbook] | None = None

    def describe(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    # -- reading -------------------------------------------------------------------------

    def _load(self, **kw: Any) -> openpyxl.Workbook:
        try:
            return openpyxl.load_workbook(self.path, **kw)
        except FileNotFoundError:
            raise
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise WorkbookError(f"{self.path} is not a readable .xlsx workbook ({exc})") from None

    def _stamp(self) -> tuple[int, int, int]:
        """What changes when anyone saves the file: mtime, size and inode."""
        st = self.path.stat()
        return st.st_mtime_ns, st.st_size, st.st_ino

    def read(
        self, tabs: Iterable[str] | None = None, *, layout: bool = False, values_only: bool = False
    ) -> dict[str, TabGrid]:
        self._held = None
        if not self.path.exists():
            return {}
        if values_only and not layout:
            return self._read_values(tabs)
        stamp = self._stamp()
        wb = self._load()
        names = wb.sheetnames if tabs is None else [t for t in tabs if t in wb.sheetnames]
        grids = {n: read_sheet(wb[n], layout) for n in names}
        if layout:
            for tab, specs in charts.declared(wb).items():
                if tab in grids:
                    grids[tab].layout.charts = {c.key for c in specs}
        self._held = (stamp, wb)
        if any(g.formulas for g in grids.values()):
            self._fill_cached_values(grids)
        return grids

    def _read_values(self, tabs: Iterable[str] | None) -> dict[str, TabGrid]:
        """One streaming pass; formula cells hold the value last computed (if any)."""
        wb = self._load(read_only=True, data_only=True)
        try:
            names = wb.sheetnames if tabs is None else [t for t in tabs if t in wb.sheetnames]
            return {n: read_sheet(wb[n], False) for n in names}
        finally:
            wb.close()

    def _take_held(self) -> openpyxl.Workbook | None:
        """The workbook the last read loaded, if the file is still the one it read."""
        held, self._held = self._held, None
        if held is None or not self.path.exists() or held[0] != self._stamp():
            return None
        return held[1]

    def _fill_cached_values(self, grids: dict[str, TabGrid]) -> None:
        """Formula cells carry the value last computed by Excel/LibreOffice, if any."""
        wb = self._load(read_only=True, data_only=True)
        try:
            for name, grid in grids.items():
                if not grid.formulas:
                    continue
                wanted = {r for r, _ in grid.formulas}
                for r, row in enumerate(wb[name].iter_rows(min_row=2, values_only=True)):
                    if r in wanted:
                        for (fr, fc), _ in grid.formulas.items():
                            if fr == r and fc < len(row):
                                grid.rows[r][fc] = typed(row[fc], None)
        finally:
            wb.close()

    # -- writing -------------------------------------------------------------------------

    def apply(self, changes: ChangeSet, schema: Schema) -> ApplyReport:
        if not changes:
            return ApplyReport()
        wb = self._take_held() or self._open_for_write()
        sizes = {ws.title: (ws.max_row, ws.max_column) for ws in wb.worksheets}
        limits.check(changes.ordered(), schema, limits.XLSX, sizes)
        report = apply_changes(XlsxBook(wb, schema), changes, schema)
        charts.draw(wb)
        ensure_visible_active(wb)
        self._save(wb)
        report.requests = 1
        return report

    def _open_for_write(self) -> openpyxl.Workbook:
        if self.path.exists():
            return self._load()
        wb = openpyxl.Workbook()
        for ws in wb.worksheets:  # the default empty "Sheet"
            wb.remove(ws)
        return wb

    def _save(self, wb: openpyxl.Workbook) -> None:
        folder = self.path.parent if str(self.path.parent) else Path(".")
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        os.close(fd)
        try:
            wb.save(tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            if self.path.exists():
                os.chmod(tmp, self.path.stat().st_mode & 0o7777)
            else:
                os.chmod(tmp, 0o644 & ~umask())
            os.replace(tmp, self.path)
            with contextlib.suppress(OSError):
                dfd = os.open(folder, os.O_RDONLY)
                try:
                    os.fsync(dfd)
                finally:
                    os.close(dfd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self.saves += 1


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
