"""``XlsxBackend``: each read loads the file once. A ``values_only`` read (a command that
never writes) streams it read-only with the values Excel or LibreOffice last computed; any
other read is a writing run's, so it loads the workbook fully and keeps it for the apply
that follows, which reuses it when the file has not changed since (else loads it again),
applies the ChangeSet through the shared adapter rules, redraws the declared charts and
saves atomically (``ondisk``: temp file in the same folder, fsync, rename).

A save is refused (``LockedError``, exit 5) while Excel or LibreOffice has the file open,
unless ``force_open``; and if another machine saved the file while this run was applying,
the run loads that version and applies again, once, rather than overwrite it."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from sheetcrm.backends import limits
from sheetcrm.backends.base import ApplyReport, apply_changes
from sheetcrm.backends.xlsx import charts, filters, ondisk
from sheetcrm.backends.xlsx.cells import read_sheet, typed
from sheetcrm.backends.xlsx.layout import ensure_visible_active
from sheetcrm.backends.xlsx.ondisk import Version
from sheetcrm.backends.xlsx.sheet import XlsxBook
from sheetcrm.errors import LockedError, WorkbookError
from sheetcrm.model.changes import ChangeSet
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.schema import Schema


class XlsxBackend:
    """A workbook in a local .xlsx file."""

    name = "xlsx"

    def __init__(self, path: str | os.PathLike[str], *, force_open: bool = False) -> None:
        self.path = Path(path)
        self.saves = 0
        #: save even when an office lock file says Excel or LibreOffice has the file open
        self.force_open = force_open
        self._held: tuple[Version, openpyxl.Workbook] | None = None

    def describe(self) -> str:
        return str(self.path)

    def title(self) -> str:
        """The file name alone: a shared report must not show where the file lives."""
        return self.path.name

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

    def _load_versioned(self) -> tuple[openpyxl.Workbook, Version]:
        """The whole workbook for a writing run, and which version of the file it is."""
        try:
            data, version = ondisk.load_bytes(self.path)
            return openpyxl.load_workbook(io.BytesIO(data)), version
        except FileNotFoundError:
            raise
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise WorkbookError(f"{self.path} is not a readable .xlsx workbook ({exc})") from None

    def read(
        self,
        tabs: Iterable[str] | None = None,
        *,
        layout: bool = False,
        values_only: bool = False,
        maybe_missing: Iterable[str] = (),
    ) -> dict[str, TabGrid]:
        self._held = None
        if not self.path.exists():
            return {}
        if values_only and not layout:
            return self._read_values(tabs)
        ondisk.clean_stale(self.path)  # a writing run: tidy up after a killed save
        wb, version = self._load_versioned()
        names = wb.sheetnames if tabs is None else [t for t in tabs if t in wb.sheetnames]
        grids = {n: read_sheet(wb[n], layout) for n in names}
        if layout:
            for tab, specs in charts.declared(wb).items():
                if tab in grids:
                    grids[tab].layout.charts = {c.key for c in specs}
        self._held = (version, wb)
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

    def _take_held(self) -> tuple[tuple[openpyxl.Workbook, Version] | None, bool]:
        """The workbook the last read loaded if the file is still the one it read, and
        whether someone saved the file since that read."""
        held, self._held = self._held, None
        if held is None:
            return None, False
        if not ondisk.unchanged(self.path, held[0]):
            return None, True
        return (held[1], held[0]), False

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
        ondisk.refuse_if_open(self.path, force=self.force_open)
        ondisk.clean_stale(self.path)
        loaded, changed = self._take_held()
        for _attempt in range(1 if changed else 2):
            wb, version = loaded or self._open_for_write()
            loaded = None
            sizes = {ws.title: (ws.max_row, ws.max_column) for ws in wb.worksheets}
            limits.check(changes.ordered(), schema, limits.XLSX, sizes)
            report = apply_changes(XlsxBook(wb, schema), changes, schema)
            charts.draw(wb)
            filters.grow(wb)  # rows appended or deleted: the filter spans them all
            ensure_visible_active(wb)
            if self._save(wb, version):
                report.requests = 1
                return report
        raise LockedError(
            f"{self.path} was saved by someone else (another machine?) while this run was "
            "writing it, twice; nothing was written — run again"
        )

    def _open_for_write(self) -> tuple[openpyxl.Workbook, Version | None]:
        if self.path.exists():
            return self._load_versioned()
        wb = openpyxl.Workbook()
        for ws in wb.worksheets:  # the default empty "Sheet"
            wb.remove(ws)
        return wb, None

    def _save(self, wb: openpyxl.Workbook, version: Version | None) -> bool:
        """Save over the file if it is still ``version`` (else False: saved meanwhile by
        someone else, who is not overwritten); refused while it is open in an office app."""

        def still() -> bool:
            ondisk.refuse_if_open(self.path, force=self.force_open)
            return ondisk.unchanged(self.path, version)

        if not ondisk.save_atomically(self.path, wb.save, still=still):
            return False
        self.saves += 1
        return True
