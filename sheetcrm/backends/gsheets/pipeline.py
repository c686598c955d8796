"""The anchored write of one ChangeSet to Google Sheets, after the backend located the
tabs: batch #1 (structure, generated cells, row tags), the data-filtered re-read and
write in rounds, batch #2 (appends, clean-up), then deletions. The request sequence, and
why each step is there, is in ``backend.py``'s docstring.

Every ``spreadsheets.batchUpdate`` chunk carries a marker: after a dropped response the
marker is looked up, and the chunk is sent again only when it was not applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from sheetcrm.backends import limits
from sheetcrm.backends.base import ApplyReport
from sheetcrm.backends.gsheets import anchors, writes
from sheetcrm.backends.gsheets.anchors import Tag, Tokens
from sheetcrm.backends.gsheets.catalog import Catalog
from sheetcrm.backends.gsheets.reads import grid_from_values
from sheetcrm.backends.gsheets.retry import AmbiguousWrite, RetryPolicy
from sheetcrm.backends.gsheets.rows import RowPlan, merge
from sheetcrm.backends.gsheets.writes import Located
from sheetcrm.errors import HeaderError, TransientError
from sheetcrm.model.changes import AddTab, AppendRow, DeleteRow, Op, SetCell
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.schema import Schema


class Sheets(Protocol):
    """What the pipeline needs of the backend: its catalog and the requests it sends
    (a protocol, so the backend imports the pipeline and not the other way round)."""

    catalog: Catalog
    retry: RetryPolicy
    _literals: dict[str, set[tuple[str, str]]]

    def tokens(self) -> Tokens: ...

    def _list_tabs(self, *, layout: bool = False) -> None: ...

    def _batch_get(
        self, tabs: list[str], step: str, render: str = "FORMULA"
    ) -> list[dict[str, Any]]: ...

    def batch_update(self, requests: list[dict[str, Any]], step: str) -> None: ...

    def marker_exists(self, metadata_id: int, step: str) -> bool: ...

    def values_by_filter(self, kind: str, body: dict[str, Any], step: str) -> Any: ...


#: Rounds a row may be tagged again because it moved before its tag was made.
MAX_ROUNDS = 4

Key = tuple[str, str]  # (tab, record ID)


class AnchoredApply:
    """One apply's writes; ``run`` sends them and fills ``report``."""

    def __init__(
        self,
        backend: Sheets,
        ops: list[Op],
        schema: Schema,
        located: dict[str, Located],
        report: ApplyReport,
    ) -> None:
        self.b, self.ops, self.schema, self.located, self.report = (
            backend,
            ops,
            schema,
            located,
            report,
        )
        self.tokens: Tokens = backend.tokens()
        self.markers: list[int] = []  # this run's markers, deleted by its last batch
        self.live: dict[int, Tag] = {}  # tags made and not cleared yet
        self.first = True

    # -- the sequence ------------------------------------------------------------------

    def run(self) -> None:
        self._sheet_ids()
        catalog = self.b.catalog
        sizes = {t: (s.rows, s.cols) for t, s in catalog.sheets.items()}
        limits.check(self.ops, self.schema, limits.GOOGLE, sizes)
        structure = writes.structure(self.ops, self.schema, self.located, catalog, self.report)
        structure += writes.generated(self.ops, self.located, catalog, self.report)
        self._resolve()
        pending: dict[Key, list[SetCell]] = {}
        for op in self.ops:
            if isinstance(op, SetCell):
                pending.setdefault((op.tab, op.key), []).append(op)
        grids = {tab: loc.grid for tab, loc in self.located.items()}
        tags = self._choose(pending, grids, {})
        if not tags:  # nothing anchored: appends go in the same atomic batch
            self._send(structure + self._appends(grids), "writing tabs, layout and new rows")
        else:
            self._send(structure + self._tagging(tags), "applying layout and tagging rows")
            grids = self._rounds(pending, tags)
            finish = self._appends(grids)
            if finish:  # else the tags go with the next tagging of their sheet
                finish += [anchors.delete_metadata(mid) for mid in self.live]
                finish += [anchors.delete_metadata(mid) for mid in self.markers]
            self._send(finish, "appending new rows")
        self._delete_rows()

    def _sheet_ids(self) -> None:
        """List the tabs when a request will name a sheet id (or rule index) that no
        response gave; a tab that is not there and not being created is an error."""
        catalog = self.b.catalog
        ids = writes.ids_needed(self.ops, self.schema, self.located, catalog)
        layout = writes.layout_needed(self.ops, catalog)
        if layout or any(not catalog.has_id(tab) for tab in ids):
            self.b._list_tabs(layout=layout)
        creating = {op.tab for op in self.ops if isinstance(op, AddTab)}
        for tab in ids:
            if not catalog.exists(tab) and tab not in creating:
                raise no_tab(tab)

    def _resolve(self) -> None:
        """Every field an edit or append names must be a column of its tab: checked
        before the first request, so a bad ChangeSet changes nothing."""
        plans: dict[str, RowPlan] = {}
        for op in self.ops:
            if isinstance(op, SetCell | AppendRow):
                if op.tab not in plans:
                    plans[op.tab] = self._plan(op.tab, self.located[op.tab].grid)
                names = [op.field] if isinstance(op, SetCell) else list(op.values)
                for name in names:
                    plans[op.tab].hm.index(self.schema[op.tab].field(name).name)

    def _rounds(self, pending: dict[Key, list[SetCell]], tags: list[Tag]) -> dict[str, TabGrid]:
        """Re-read, write the tagged rows, and tag again what is left, until done."""
        tries: dict[Key, int] = {}
        while True:
            grids, where = self._reread(tags)
            plans = {tab: self._plan(tab, grids[tab]) for tab in {t.tab for t in tags}}
            data: list[dict[str, Any]] = []
            planned: dict[int, tuple[Tag, ApplyReport]] = {}
            again: list[Key] = []
            for tag in tags:
                key, plan = (tag.tab, tag.key), plans[tag.tab]
                row = where.get(tag.metadata_id)
                if row is None or row < 1 or not plan.holds(_row(plan.grid, row - 1), tag.key):
                    if tag.key in plan.rows:
                        again.append(key)  # moved before its tag was made: tag it again
                    else:
                        self.report.skipped.append(f"{tag.tab} {tag.key}: row no longer exists")
                        pending.pop(key)
                    continue
                part = ApplyReport()
                line = plan.edit_line(row - 1, pending[key], part)
                if line is None:
                    merge(self.report, part)
                    pending.pop(key)
                else:
                    data.append(anchors.row_write(tag, line))
                    planned[tag.metadata_id] = (tag, part)
            written = self._write(data)
            for mid, (tag, part) in planned.items():
                key = (tag.tab, tag.key)
                after = written.get(mid)
                if after is None:
                    again.append(key)  # the row (or its tag) went away during the write
                    continue
                merge(self.report, part)
                pending.pop(key)
                if not plans[tag.tab].holds(after, tag.key):
                    self.report.skipped.append(
                        f"{tag.tab} {tag.key}: its ID cell was changed during the write; "
                        "check the row"
                    )
            for key in again:
                tries[key] = tries.get(key, 0) + 1
                if tries[key] >= MAX_ROUNDS:
                    pending.pop(key, None)
                    self.report.skipped.append(
                        f"{key[0]} {key[1]}: the row kept moving while it was written; run again"
                    )
            tags = self._choose(pending, grids, tries)
            if not tags:
                return grids
            self._send(self._tagging(tags), "tagging rows")

    # -- tags --------------------------------------------------------------------------

    def _choose(
        self, pending: dict[Key, list[SetCell]], grids: dict[str, TabGrid], tries: dict[Key, int]
    ) -> list[Tag]:
        """Tags for as many pending rows as the metadata budget allows, at the rows where
        ``grids`` (the latest read) shows them; a record no longer there is reported."""
        out: list[Tag] = []
        chars: dict[str, int] = {}  # per sheet: Google's limit is per sheet
        plans: dict[str, RowPlan] = {}
        for key in list(pending):
            tab, record = key
            if tab not in plans:
                plans[tab] = self._plan(tab, grids[tab])
            row = plans[tab].rows.get(record)
            if row is None:
                self.report.skipped.append(f"{tab} {record}: row no longer exists")
                pending.pop(key)
                continue
            tag = Tag(tab, record, row + 1, self.tokens.metadata_id())
            used = chars.get(tab, 0)
            if used and used + tag.chars > anchors.TAG_BUDGET:
                continue  # the next round
            out.append(tag)
            chars[tab] = used + tag.chars
        return out

    def _tagging(self, tags: list[Tag]) -> list[dict[str, Any]]:
        """Stale tags cleared on each sheet, then this round's tags."""
        catalog = self.b.catalog
        sheets = {tag.tab: catalog.sheet_id(tag.tab) for tag in tags}
        out = [anchors.clear_tags(sid) for sid in sheets.values()]
        self.live = {m: t for m, t in self.live.items() if t.tab not in sheets}
        for tag in tags:
            out.append(anchors.tag_request(tag, sheets[tag.tab]))
            self.live[tag.metadata_id] = tag
        return out

    def _plan(self, tab: str, grid: TabGrid) -> RowPlan:
        return RowPlan(self.schema[tab], grid, self.b._literals.get(tab, set()))

    # -- requests ----------------------------------------------------------------------

    def _reread(self, tags: Iterable[Tag]) -> tuple[dict[str, TabGrid], dict[int, int]]:
        """One ``values:batchGetByDataFilter``: whole tabs, and each tag's row now."""
        tabs = list(self.located)
        body = anchors.reread_body(tabs, tags)
        data = self.b.values_by_filter("get", body, "re-reading the rows before writing")
        found = anchors.parse_reread(data, tabs)
        grids = {}
        for tab in tabs:
            vr = found.tabs.get(tab, {})
            self.b.catalog.learn_range(tab, vr.get("range"))
            grids[tab] = grid_from_values(tab, vr.get("values", []))
        return grids, found.rows

    def _write(self, data: list[dict[str, Any]]) -> dict[int, list[Any]]:
        """``values:batchUpdateByDataFilter`` (RAW, safe to repeat): each row as written."""
        out: dict[int, list[Any]] = {}
        for chunk in anchors.chunks(data):
            reply = self.b.values_by_filter(
                "update", anchors.write_body(chunk), "writing cell values"
            )
            out.update(anchors.written_rows(reply))
        return out

    def _appends(self, grids: dict[str, TabGrid]) -> list[dict[str, Any]]:
        """``appendCells`` for the new records not already in ``grids``."""
        lines: dict[str, list[list[Any]]] = {}
        plans: dict[str, RowPlan] = {}
        for op in self.ops:
            if not isinstance(op, AppendRow):
                continue
            if op.tab not in plans:
                plans[op.tab] = self._plan(op.tab, grids[op.tab])
            line = plans[op.tab].append_line(op, self.report)
            if line is not None:
                lines.setdefault(op.tab, []).append(line)
        out: list[dict[str, Any]] = []
        for tab, tab_lines in lines.items():
            out += anchors.append_cells(self.b.catalog.sheet_id(tab), tab_lines)
        return out

    def _send(self, requests: list[dict[str, Any]], step: str) -> None:
        """``spreadsheets.batchUpdate`` in chunks, each with its marker; after a dropped
        response the marker says whether to send the chunk again."""
        for chunk in anchors.chunks(requests):
            if self.first:  # markers earlier runs left behind
                chunk.insert(0, anchors.clear_markers())
                self.first = False
            mid = self.tokens.metadata_id()
            chunk.append(anchors.marker_request(mid, self.tokens.marker_value()))
            self.markers.append(mid)
            for _ in range(self.b.retry.attempts):
                try:
                    self.b.batch_update(chunk, step)
                    break
                except AmbiguousWrite:
                    if self.b.marker_exists(mid, step):
                        break
            else:
                raise TransientError(f"{step}: no answer from Google; run again")

    # -- deletions ---------------------------------------------------------------------

    def _delete_rows(self) -> None:
        """Positions from a read right before; then a read after, and any other record
        that vanished with them is appended again from the read before."""
        doomed = [op for op in self.ops if isinstance(op, DeleteRow)]
        if not doomed:
            return
        tabs = sorted({op.tab for op in doomed})
        before = self._grids(tabs, "finding rows to delete")
        requests: list[dict[str, Any]] = []
        for tab in tabs:
            found, gone = writes.delete_requests(
                doomed, tab, before[tab], self.schema, self.b.catalog
            )
            requests += found
            self.report.skipped += gone
        if not requests:
            return
        self._send(requests, "deleting rows")
        after = self._grids(tabs, "checking the rows deleted")
        lost: list[dict[str, Any]] = []
        for tab in tabs:
            keys = {op.key for op in doomed if op.tab == tab}
            was, now = self._plan(tab, before[tab]), self._plan(tab, after[tab])
            missing = [k for k in was.rows if k not in now.rows and k not in keys]
            lines = [_row(was.grid, was.rows[k]) for k in missing]
            if lines:
                lost += anchors.append_cells(self.b.catalog.sheet_id(tab), lines)
                self.report.skipped += [
                    f"{tab} {k}: moved while rows were deleted; appended again" for k in missing
                ]
            self.report.skipped += [
                f"{tab} {k}: moved while rows were deleted; not deleted, run again"
                for k in keys
                if k in now.rows
            ]
        self._send(lost, "putting back rows deleted by mistake")

    def _grids(self, tabs: list[str], step: str) -> dict[str, TabGrid]:
        blocks = self.b._batch_get(tabs, step)
        return {
            tab: grid_from_values(tab, vr.get("values", []))
            for tab, vr in zip(tabs, blocks, strict=True)
        }


def _row(grid: TabGrid, row: int) -> list[Any]:
    return list(grid.rows[row]) if 0 <= row < len(grid.rows) else []


def no_tab(tab: str) -> HeaderError:
    return HeaderError(f"tab {tab!r} does not exist (run `sheetcrm init` to create it)")
