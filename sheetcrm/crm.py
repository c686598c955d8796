"""The CRM service: one object that reads the workbook, plans changes and applies them.

Library first: every CLI command is a method here (or a function taking a CRM) that a cron
script can call. The backend is injected (``CRM(backend=MemoryBackend())``); the real one is
built from the target only when none is given. ``init`` and ``upsert`` write through
``WriteRun`` (lease, writer claim, guard, audit row) like every other writing command, and
there is no other write here: a ChangeSet built by hand goes through ``WriteRun`` too, or,
below every safeguard, straight to ``Backend.apply`` (backend tests, a new standalone file).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from sheetcrm.backends import open_backend
from sheetcrm.backends.base import Backend
from sheetcrm.config import Config, load_config
from sheetcrm.errors import NotFoundError, ValueParseError
from sheetcrm.model.changes import AddColumns, AddTab, AppendRow, ChangeSet, SetCell, SetLayout
from sheetcrm.model.diff import diff_layout, diff_tab, index_rows, relabel_cells
from sheetcrm.model.grid import TabGrid, empty_grid, map_header
from sheetcrm.model.ids import key_id
from sheetcrm.model.meta import SCHEMA_VERSION as VERSION
from sheetcrm.model.meta import TAB as META
from sheetcrm.model.meta import Meta
from sheetcrm.model.schema import SCHEMA_VERSION, Schema, TabSchema
from sheetcrm.model.values import ValueContext, is_blank
from sheetcrm.run import Counts, RunResult, WriteRun
from sheetcrm.run.journal import now


class CRM:
    """A sheetcrm workbook on some backend."""

    def __init__(
        self,
        backend: Backend | None = None,
        *,
        config: Config | None = None,
        target: str | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config or Config()
        #: stamps written into the workbook (audit, conflicts, quarantine) are wall-clock
        #: times in the workbook's zone, as the dates people type there are
        self.clock = clock or self._local_now
        self.schema: Schema = self.config.schema()
        self.backend: Backend = backend or open_backend(
            target or self.config.default_target(), self.config, notify=notify
        )

    def _local_now(self) -> dt.datetime:
        return now(self.config.timezone)

    @property
    def ctx(self) -> ValueContext:
        return self.config.values

    def describe(self) -> str:
        return self.backend.describe()

    def as_of(self, day: dt.date | None = None) -> dt.date:
        """The as-of day of a run: ``day`` when given, else today in the workbook's time
        zone (``Config.today``). Every command and library call that takes an as-of date
        resolves it here, so none of them falls back to the machine's own date."""
        return day if day is not None else self.config.today()

    # -- reading -------------------------------------------------------------------------

    def read(
        self, tabs: Iterable[str] | None = None, *, layout: bool = False, values_only: bool = False
    ) -> dict[str, TabGrid]:
        """Read tabs in one round trip (all sheetcrm tabs when None). ``values_only`` is
        for readers that never write: on Sheets, one request with formulas computed."""
        names = list(tabs) if tabs is not None else list(self.schema.tabs)
        optional = [t.name for t in self.schema.tabs.values() if t.optional and t.name in names]
        return self.backend.read(
            names, layout=layout, values_only=values_only, maybe_missing=optional
        )

    def grid(self, tab: str, *, values_only: bool = False) -> TabGrid:
        """One tab, or ``NotFoundError`` saying how to create it (``values_only``: formulas
        as their computed values, for readers that never write)."""
        name = self._tab_name(tab)
        grids = self.backend.read([name], values_only=values_only)
        self._require([name], grids)
        return grids[name] if name in grids else self.empty_grid(name)

    def frames(self, tabs: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
        """The tabs (the data tabs when None) as typed frames, from one read of their values
        (formulas as computed): what a command that only reads works from, and passes on.

        A missing tab is a ``NotFoundError``; a data tab whose header lacks a field, a
        ``HeaderError`` (both say to run ``sheetcrm init``)."""
        names = [self._tab_name(t) for t in tabs] if tabs is not None else self._data_tabs()
        grids = dict(self.read(names, values_only=True))
        self._require(names, grids)
        for name in names:
            if name not in grids:  # a seller tab this workbook has not made yet: empty
                grids[name] = self.empty_grid(name)
        for name in set(names) & set(self._data_tabs()):
            map_header(grids[name], self.schema[name])
        return {name: self.frame(name, grids[name]) for name in names}

    def _data_tabs(self) -> list[str]:
        return [t.name for t in self.schema.data_tabs]

    def empty_grid(self, tab: str) -> TabGrid:
        """A tab as it would be read right after ``init`` made it: its header, no rows
        (what a seller tab the workbook does not have yet reads as)."""
        return empty_grid(self.schema.tab(tab))

    def _require(self, names: Iterable[str], grids: Mapping[str, TabGrid]) -> None:
        optional = {t.name for t in self.schema.tabs.values() if t.optional}
        for name in names:
            if name not in grids and name not in optional:
                raise NotFoundError(
                    f"{self.describe()} has no tab {name!r} (run `sheetcrm init` first)"
                )

    def _tab_name(self, tab: str) -> str:
        try:
            return self.schema.tab(tab).name
        except Exception:
            return tab

    def frame(self, tab: str, grid: TabGrid | None = None) -> pd.DataFrame:
        """A tab as a typed DataFrame (schema fields first, teammates' columns after).

        Cells that do not parse keep their raw value; ``frame.attrs['issues']`` lists them.
        Rows that are entirely empty are left out.
        Columns have object dtype so blanks stay ``None`` and dates stay ``datetime.date``.
        Without ``grid`` the tab is read on its own: to build several frames, read once
        with ``frames`` (or ``read``) and pass each grid.
        """
        schema_tab = self.schema.tab(tab)
        grid = grid or self.grid(schema_tab.name)
        hm = map_header(grid, schema_tab, allow_missing=True)
        issues: list[str] = []
        columns: dict[str, list[Any]] = {}
        for f in schema_tab.fields:
            col = hm.columns.get(f.name)
            values = []
            cells = grid.column(col) if col is not None else [None] * len(grid.rows)
            for r, raw in enumerate(cells):
                try:
                    values.append(f.codec.parse(raw, self.ctx))
                except ValueParseError as exc:
                    issues.append(str(exc.located(tab=schema_tab.name, row=r + 2, column=f.name)))
                    values.append(raw)
            columns[f.name] = values
        for col in hm.foreign:
            columns[str(grid.header[col])] = list(grid.column(col))
        # object columns keep None as None and typed values as Python objects; analysis
        # code converts explicitly (pd.to_numeric / pd.to_datetime) where it needs to
        df = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
        filled = [any(not is_blank(v) for v in row) for row in grid.rows]
        if not all(filled):  # rows a teammate left empty are not records
            df = df[pd.Series(filled, dtype=bool).values].reset_index(drop=True)
        df.attrs["issues"] = issues
        return df

    # -- writing -------------------------------------------------------------------------

    def plan_init(
        self, grids: Mapping[str, TabGrid] | None = None, *, seller: bool = False
    ) -> ChangeSet:
        """Tabs, columns, layout and metadata that are missing; nothing else. The seller
        tabs are added only with ``seller`` (else the first import into one adds it)."""
        grids = grids if grids is not None else self.read(layout=True)
        changes = ChangeSet()
        for tab in self.schema.tabs.values():
            if tab.optional and tab.name not in grids and not seller:
                continue
            changes.extend(self.plan_tab(tab.name, grids).ops)
        meta = Meta.of(grids)
        if meta.schema_version() is None:  # a new _meta: its lease row comes with it
            changes.extend([*meta.set_schema_version(SCHEMA_VERSION), *meta.add_lease_row()])
        return changes

    def plan_tab(self, tab: str, grids: Mapping[str, TabGrid]) -> ChangeSet:
        """One tab made, or its missing columns and layout repaired, and its choice cells
        relabelled when ``[locale] labels`` changed. An import into a seller tab the
        workbook lacks starts its plan with this (``grids`` read with ``layout=True``, or
        without the tab)."""
        schema_tab = self.schema.tab(tab)
        changes = ChangeSet()
        grid = grids.get(schema_tab.name)
        if grid is None:
            changes.add(AddTab(schema_tab.name, tuple(schema_tab.columns), schema_tab.hidden))
        else:
            hm = map_header(grid, schema_tab, allow_missing=True)
            if hm.missing:
                changes.add(AddColumns(schema_tab.name, hm.missing))
        layout = diff_layout(grid, schema_tab, self.ctx, self.config.labels)
        if layout:
            changes.add(layout)
        if grid is not None and not schema_tab.system:  # [locale] labels changed: relabel
            changes.extend(relabel_cells(grid, schema_tab, self.ctx, self.config.labels))
        return changes

    def init(self, *, dry_run: bool = False, seller: bool = False) -> RunResult:
        """Create the workbook's tabs, or repair what is missing; change nothing else
        (``seller``: the Orders, Returns and Earnings tabs too)."""
        with WriteRun(self, "init", dry_run=dry_run) as run:
            grids = run.read(self.schema.tabs, layout=True)
            return run.apply(self.plan_init(grids, seller=seller))

    def plan_upsert(
        self,
        tab: str,
        records: Iterable[Mapping[str, Any]],
        grid: TabGrid | None = None,
    ) -> ChangeSet:
        """Parse ``records`` (raw values) and diff them by ID against the tab. A record
        without an ID gets one derived from its e-mail or phone when it has one (so two
        machines adding the same person at once make one record, and adding her again
        updates it), else a new one (``model.ids``)."""
        schema_tab: TabSchema = self.schema.tab(tab)
        grid = grid or self.grid(schema_tab.name)
        existing = index_rows(grid, map_header(grid, schema_tab), schema_tab)
        parsed = []
        for i, raw in enumerate(records, start=1):
            rec = schema_tab.parse_record(raw, self.ctx, row=i)
            if rec.get(schema_tab.id_field) is None:
                rec[schema_tab.id_field] = _new_id(schema_tab, rec)
            if rec[schema_tab.id_field] not in existing:
                schema_tab.check_complete(rec, row=i)
            parsed.append(rec)
        return diff_tab(grid, schema_tab, parsed, self.ctx)

    def upsert(
        self, tab: str, records: Iterable[Mapping[str, Any]], *, dry_run: bool = False
    ) -> RunResult:
        """Insert new records and update changed fields of existing ones, by ID."""
        name = self._tab_name(tab)
        records = list(records)
        with WriteRun(self, f"upsert {name}", dry_run=dry_run) as run:
            grids = run.read([name])
            if name not in grids:
                raise NotFoundError(
                    f"{self.describe()} has no tab {name!r} (run `sheetcrm init` first)"
                )
            changes = self.plan_upsert(name, records, grid=grids[name])
            result = RunResult(run.command, changes, tab=name, counts=_counts(records, changes))
            return run.apply(result)

    def require_initialised(self, grids: Mapping[str, TabGrid]) -> None:
        """Raise a clear error when the workbook has not been set up by ``init``."""
        self._require(self._data_tabs(), grids)
        for t in self.schema.data_tabs:
            if t.name in grids:
                map_header(grids[t.name], t)


def _new_id(tab: TabSchema, record: Mapping[str, Any]) -> str:
    return key_id(tab.name, tab.id_prefix, tab.id_field, record) or tab.new_id()


def _counts(records: list[Mapping[str, Any]], changes: ChangeSet) -> Counts:
    created = sum(1 for op in changes.ops if isinstance(op, AppendRow))
    updated = len({op.key for op in changes.ops if isinstance(op, SetCell)})
    unchanged = max(len(records) - created - updated, 0)
    return Counts(len(records), created=created, updated=updated, unchanged=unchanged)


def repairs(changes: ChangeSet) -> list[str]:
    """What an ``init`` plan does, in words: "added column segment to Customers", …"""
    out = []
    for op in changes.ops:
        if isinstance(op, AddTab):
            out.append(f"added tab {op.tab}")
        elif isinstance(op, AddColumns):
            columns = ", ".join(op.names)
            out.append(f"added column{'s' if len(op.names) > 1 else ''} {columns} to {op.tab}")
        elif isinstance(op, SetLayout):
            out.extend(_layout_repairs(op))
        elif isinstance(op, AppendRow | SetCell) and op.tab == META and _meta_key(op) == VERSION:
            out.append("recorded the schema version")
    return out


def _meta_key(op: AppendRow | SetCell) -> object:
    return op.values.get("key") if isinstance(op, AppendRow) else op.key


def _layout_repairs(op: SetLayout) -> list[str]:
    out = []
    if op.frozen_rows is not None:
        out.append(f"froze the header row of {op.tab}")
    if op.hidden is not None:
        out.append(f"{'hid' if op.hidden else 'showed'} {op.tab}")
    if op.validations:
        out.append(f"re-applied dropdowns on {op.tab} ({', '.join(n for n, _ in op.validations)})")
    if op.number_formats:
        names = ", ".join(n for n, _ in op.number_formats)
        out.append(f"re-applied number formats on {op.tab} ({names})")
    if op.auto_filter is not None:
        out.append(f"set the filter buttons on the header row of {op.tab}")
    return out


def open_crm(
    target: str | None = None,
    *,
    config: Config | str | os.PathLike[str] | None = None,
    backend: Backend | None = None,
) -> CRM:
    """The CRM at ``target`` (an .xlsx path or a Google Sheets ID/URL), configured by
    ``config`` (a ``Config``, or the path of a ``sheetcrm.toml``; by default the one found
    from the current folder, else all defaults)."""
    if not isinstance(config, Config):
        config = load_config(config)
    return CRM(backend, config=config, target=target)
