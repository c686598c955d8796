"""The Google Sheets backend, on unmodified gspread, with its own request budget and retries.

Reading the five tabs costs one ``values.batchGet`` (formulas rendered as formulas) and one
``spreadsheets.get`` (sheet ids, sizes, and which ``=…`` cells are real formulas rather
than literal text). Applying a ChangeSet costs one ``values.batchGet`` that finds rows by
ID right before writing, at most one ``spreadsheets.batchUpdate`` (tabs, grid size,
layout), one ``values.batchUpdate`` (RAW, so text stays text), and one more
``spreadsheets.batchUpdate`` only when rows are deleted. Requests are split only to stay
under ~2 MB. Nothing is sent for an empty ChangeSet.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import gspread
import requests
from gspread.urls import (
    SPREADSHEET_BATCH_UPDATE_URL,
    SPREADSHEET_URL,
    SPREADSHEET_VALUES_BATCH_UPDATE_URL,
    SPREADSHEET_VALUES_BATCH_URL,
)

from sheetcrm.backends.base import ApplyReport, changed_meanwhile, check_expectation
from sheetcrm.backends.gsheets import requests as rq
from sheetcrm.backends.gsheets.auth import account_email, install_redaction, load_credentials
from sheetcrm.backends.gsheets.endpoint import mount_endpoint
from sheetcrm.backends.gsheets.retry import AmbiguousWrite, RemoteFailure, RetryPolicy, Throttle
from sheetcrm.errors import AccessError, NotFoundError, WorkbookError
from sheetcrm.model.changes import (
    AddColumns,
    AddTab,
    AppendRow,
    CellFormula,
    ChangeSet,
    DeleteRow,
    Expect,
    Protect,
    PutCells,
    SetCell,
    SetCharts,
    SetLayout,
    SetStyles,
    Unprotect,
)
from sheetcrm.model.diff import index_rows
from sheetcrm.model.grid import TabGrid, header_key, map_header
from sheetcrm.model.schema import Schema, TabSchema
from sheetcrm.model.values import is_blank

_SPREADSHEET_ID_OK = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


@dataclass
class _Sheet:
    sheet_id: int
    title: str
    rows: int
    cols: int


class GSheetsBackend:
    """A workbook in Google Sheets (or in the emulator, through an endpoint override)."""

    name = "gsheets"

    def __init__(
        self,
        client: gspread.Client,
        spreadsheet_id: str,
        *,
        retry: RetryPolicy | None = None,
        throttle: Throttle | None = None,
        account: str | None = None,
    ) -> None:
        if not spreadsheet_id or any(c not in _SPREADSHEET_ID_OK for c in spreadsheet_id):
            raise WorkbookError(f"{spreadsheet_id!r} is not a Google Sheets spreadsheet ID")
        self.client = client
        self.sid = spreadsheet_id
        self.retry = retry or RetryPolicy()
        self.throttle = throttle or Throttle()
        self.account = account
        self.requests = 0
        self.bytes_sent = 0
        self._sheets: dict[str, _Sheet] = {}
        self._known = False  # whether _sheets lists every tab of the spreadsheet
        self._last_rows: dict[str, int] = {}
        self._literals: dict[str, set[tuple[str, str]]] = {}  # (header, text) of literal "=…"
        self._style_index: dict[str, dict[str, int]] = {}  # tab → signature → rule index
        self._protection_ids: dict[str, dict[str, int]] = {}  # tab → description → id

    @classmethod
    def open(cls, spreadsheet_id: str, *, config: Any = None) -> GSheetsBackend:
        """Connect with the configured credentials (or anonymously to an emulator)."""
        endpoint = os.environ.get("SHEETCRM_API_ENDPOINT") or getattr(config, "endpoint", None)
        creds = load_credentials(getattr(config, "credentials", None), endpoint=endpoint)
        install_redaction()
        client = gspread.Client(auth=creds)
        if endpoint:
            mount_endpoint(client.http_client.session, endpoint)
        backend = cls(client, spreadsheet_id, account=account_email(creds))
        backend.endpoint = endpoint
        return backend

    endpoint: str | None = None

    def describe(self) -> str:
        if self.endpoint:
            return f"spreadsheet {self.sid} at {self.endpoint}"
        return f"https://docs.google.com/spreadsheets/d/{self.sid}"

    # -- the request path ----------------------------------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        body: Any = None,
        idempotent: bool,
        write: bool,
        step: str,
    ) -> Any:
        def once() -> Any:
            if write:
                self.throttle.wait()
            try:
                response = self.client.http_client.request(method, url, params=params, json=body)
            except gspread.exceptions.APIError as exc:
                raise self._failure(exc) from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise RemoteFailure(str(exc), ambiguous=True) from None
            finally:
                self.requests += 1
            sent = response.request
            self.bytes_sent += len(sent.url or "") + len(sent.body or b"")
            return response.json() if response.content else {}

        try:
            return self.retry.run(once, idempotent=idempotent, step=step)
        except RemoteFailure as failure:
            raise self._final(failure, step) from None

    def _failure(self, exc: gspread.exceptions.APIError) -> RemoteFailure:
        response = exc.response
        retry_after = response.headers.get("Retry-After")
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = response.text[:200]
        return RemoteFailure(
            message,
            status=response.status_code,
            retry_after=float(retry_after) if retry_after else None,
        )

    def _final(self, failure: RemoteFailure, step: str) -> Exception:
        if failure.status == 404:
            return NotFoundError(f"spreadsheet {self.sid} was not found (check the ID or URL)")
        if failure.status == 403:
            who = f" with {self.account}" if self.account else " with your Google account"
            return AccessError(
                f"no access to spreadsheet {self.sid}: share it{who} as an Editor ({failure})"
            )
        if failure.status == 401:
            return AccessError(f"Google rejected the credentials ({failure})")
        return WorkbookError(f"{step} failed: {failure}")

    # -- reading -------------------------------------------------------------------------

    def _metadata(self) -> None:
        data = self._request(
            "get",
            SPREADSHEET_URL % self.sid,
            params={"fields": "sheets.properties(sheetId,title,hidden,gridProperties)"},
            idempotent=True,
            write=False,
            step="reading the spreadsheet's tabs",
        )
        self._sheets = {}
        for sheet in data.get("sheets", []):
            self._remember(sheet["properties"])
        self._known = True

    def _remember(self, props: dict[str, Any]) -> None:
        grid = props.get("gridProperties", {})
        self._sheets[props["title"]] = _Sheet(
            props["sheetId"], props["title"], grid.get("rowCount", 0), grid.get("columnCount", 0)
        )

    def _batch_get(
        self, ranges: list[str], step: str, render: str = "FORMULA"
    ) -> list[dict[str, Any]]:
        if not ranges:
            return []
        data = self._request(
            "get",
            SPREADSHEET_VALUES_BATCH_URL % self.sid,
            params={
                "ranges": ranges,
                "valueRenderOption": render,
                "dateTimeRenderOption": "SERIAL_NUMBER",
                "majorDimension": "ROWS",
            },
            idempotent=True,
            write=False,
            step=step,
        )
        return list(data.get("valueRanges", []))

    def read(
        self, tabs: Iterable[str] | None = None, *, layout: bool = False, values_only: bool = False
    ) -> dict[str, TabGrid]:
        """``values_only``: one request with formulas' computed values, for readers that
        never write (reports, reminders); otherwise formulas are read as formulas."""
        if values_only and not layout:
            return self._read_values(tabs)
        return self._read_for_writing(tabs, layout=layout)

    def _read_values(self, tabs: Iterable[str] | None) -> dict[str, TabGrid]:
        if tabs is None:
            self._metadata()
        names = list(self._sheets) if tabs is None else list(tabs)
        if self._known:
            names = [n for n in names if n in self._sheets]
        render = "UNFORMATTED_VALUE"
        try:
            blocks = self._batch_get([rq.quote(n) for n in names], "reading the tabs", render)
        except WorkbookError as exc:
            if "Unable to parse range" not in str(exc):
                raise
            self._metadata()
            names = [n for n in names if n in self._sheets]
            blocks = self._batch_get([rq.quote(n) for n in names], "reading the tabs", render)
        return {n: self._grid(n, vr.get("values", [])) for n, vr in zip(names, blocks, strict=True)}

    def _read_for_writing(self, tabs: Iterable[str] | None, *, layout: bool) -> dict[str, TabGrid]:
        if tabs is None:
            self._metadata()
            names = list(self._sheets)
        else:
            names = list(tabs)
        if self._known:
            names = [n for n in names if n in self._sheets]
        try:
            ranges = (
                self._batch_get([rq.quote(n) for n in names], "reading the tabs") if names else []
            )
        except WorkbookError as exc:
            if "Unable to parse range" not in str(exc):
                raise
            self._metadata()  # some tab does not exist yet: learn which ones do
            names = [n for n in names if n in self._sheets]
            ranges = (
                self._batch_get([rq.quote(n) for n in names], "reading the tabs") if names else []
            )
        grids = {
            name: self._grid(name, vr.get("values", []))
            for name, vr in zip(names, ranges, strict=True)
        }
        if grids:
            self._classify(grids, layout)
        return grids

    def _grid(self, name: str, values: list[list[Any]]) -> TabGrid:
        header = list(values[0]) if values else []
        rows = [list(r) for r in values[1:]]
        while rows and all(is_blank(v) for v in rows[-1]):
            rows.pop()
        self._last_rows[name] = len(rows)
        return TabGrid(name, header, rows)

    def _classify(self, grids: dict[str, TabGrid], layout: bool) -> None:
        """One spreadsheets.get: tab properties, which '=…' cells are formulas, and layout."""
        ranges: list[str] = []
        candidates: dict[str, list[tuple[int, int]]] = {}
        for name, grid in grids.items():
            ranges.append(rq.a1(name, 0, 0))
            if layout:
                ranges.append(f"{rq.quote(name)}!2:2")
            cells = [
                (r, c)
                for r, row in enumerate(grid.rows)
                for c, v in enumerate(row)
                if isinstance(v, str) and v.startswith("=")
            ]
            candidates[name] = cells
            ranges += rq.runs(name, cells)
        cell_fields = "userEnteredValue.formulaValue"
        extra = ""
        if layout:
            cell_fields += ",dataValidation,userEnteredFormat.numberFormat"
            extra = (
                "conditionalFormats,protectedRanges(protectedRangeId,description,range),"
                "charts(chartId),"
            )
        mask = (
            f"sheets(properties(sheetId,title,hidden,gridProperties),{extra}"
            f"data(startRow,startColumn,rowData.values({cell_fields})))"
        )
        data = self._request(
            "get",
            SPREADSHEET_URL % self.sid,
            params={"ranges": ranges, "fields": mask, "includeGridData": "false"},
            idempotent=True,
            write=False,
            step="reading formulas and layout",
        )
        for sheet in data.get("sheets", []):
            props = sheet["properties"]
            self._remember(props)
            grid = grids.get(props["title"])
            if grid is None:
                continue
            formulas = set()
            for block in sheet.get("data", []):
                r0, c0 = block.get("startRow", 0), block.get("startColumn", 0)
                for i, row in enumerate(block.get("rowData", [])):
                    for j, cell in enumerate(row.get("values", [])):
                        if "formulaValue" in cell.get("userEnteredValue", {}):
                            formulas.add((r0 + i - 1, c0 + j))
            literals: set[tuple[str, str]] = set()
            for r, c in candidates.get(grid.name, []):
                text = grid.rows[r][c]
                if (r, c) in formulas:
                    grid.formulas[(r, c)] = text
                    grid.rows[r][c] = None  # the computed value is not fetched
                else:
                    literals.add((_header_at(grid, c), text))
            self._literals[grid.name] = literals
            grid.layout = rq.layout_from_sheet(sheet, grid.header) if layout else grid.layout
            grid.layout.hidden = bool(props.get("hidden", False))
            if layout:
                rules = sheet.get("conditionalFormats", [])
                self._style_index[grid.name] = {
                    rq.style_signature(r): i for i, r in enumerate(rules)
                }
                self._protection_ids[grid.name] = {
                    pr.get("description", ""): pr["protectedRangeId"]
                    for pr in sheet.get("protectedRanges", [])
                    if "protectedRangeId" in pr
                }

    # -- writing -------------------------------------------------------------------------

    def apply(self, changes: ChangeSet, schema: Schema) -> ApplyReport:
        report = ApplyReport()
        if not changes:
            return report
        start_requests, start_bytes = self.requests, self.bytes_sent
        ops = changes.ordered()
        if not self._known and any(
            isinstance(op, AddTab) and op.tab not in self._sheets for op in ops
        ):
            self._metadata()  # new tabs: learn every existing name and sheet id first
        located = self._locate(ops, schema)
        for op in ops:
            if isinstance(op, Expect):
                check_expectation(op, located[op.tab].grid if op.tab in located else None, schema)
        try:
            self._structure(ops, schema, located, report)
        except AmbiguousWrite:
            # it may or may not have been applied: look again, redo only what is missing
            self._metadata()
            located = self._locate(ops, schema)
            report.tabs_added = report.columns_added = report.layout_changes = 0
            self._structure(ops, schema, located, report)
        self._write_values(ops, schema, located, report)
        self._delete_rows(ops, schema, report)
        report.requests = self.requests - start_requests
        report.bytes_sent = self.bytes_sent - start_bytes
        return report

    def _locate(self, ops: list[Any], schema: Schema) -> dict[str, _Located]:
        """Every touched data tab as it is now, in one request, so rows are found by ID."""
        tabs = list(
            dict.fromkeys(op.tab for op in ops if op.tab in self._sheets and op.tab in schema.tabs)
        )
        if not tabs:
            return {}
        blocks = self._batch_get([rq.quote(t) for t in tabs], "finding rows by ID before writing")
        return {
            tab: _Located(self._grid(tab, vr.get("values", [])))
            for tab, vr in zip(tabs, blocks, strict=True)
        }

    def _structure(
        self, ops: list[Any], schema: Schema, located: dict[str, _Located], report: ApplyReport
    ) -> None:
        requests_: list[dict[str, Any]] = []
        taken = {s.sheet_id for s in self._sheets.values()}
        for op in ops:
            loc = located.get(op.tab)
            if isinstance(op, AddTab) and loc and not loc.grid.header and not loc.grid.rows:
                loc.grid.header = list(op.header)  # created, but its header never written
                loc.new = True
            if isinstance(op, AddTab) and op.tab not in self._sheets:
                sheet_id = rq.new_sheet_id(op.tab, taken)
                taken.add(sheet_id)
                requests_ += rq.add_sheet(op.tab, sheet_id, len(op.header), op.hidden)
                self._sheets[op.tab] = _Sheet(sheet_id, op.tab, 1000, max(26, len(op.header)))
                located[op.tab] = _Located(TabGrid(op.tab, list(op.header)), new=True)
                report.tabs_added += 1
        for op in ops:
            if isinstance(op, AddColumns):
                loc = located[op.tab]
                present = {
                    f.name
                    for h in loc.grid.header
                    if not is_blank(h) and (f := schema[op.tab].get(str(h)))
                }
                names = [n for n in op.names if n not in present]
                loc.new_headers += [(loc.grid.width + i, n) for i, n in enumerate(names)]
                loc.grid.header += [None] * (loc.grid.width - len(loc.grid.header)) + names
                report.columns_added += len(names)
        for op in ops:
            if isinstance(op, PutCells):
                requests_ += self._grow_for(op)
                requests_ += [
                    rq.formula_request(self._sheets[op.tab].sheet_id, r, c, v.text)
                    for r, c, v in op.cells
                    if isinstance(v, CellFormula)
                ]
            elif isinstance(op, SetCharts):
                sheet_id = self._sheets[op.tab].sheet_id
                requests_ += [{"deleteEmbeddedObject": {"objectId": int(k)}} for k in op.drop]
                requests_ += [rq.chart_request(spec, sheet_id) for spec in op.install]
                report.layout_changes += 1
        for tab, loc in located.items():
            sheet = self._sheets[tab]
            need_cols = loc.grid.width - sheet.cols
            appends = sum(1 for op in ops if isinstance(op, AppendRow) and op.tab == tab)
            need_rows = 1 + len(loc.grid.rows) + appends - sheet.rows
            for dim, need in (("COLUMNS", need_cols), ("ROWS", need_rows)):
                if need > 0:
                    grow = {"sheetId": sheet.sheet_id, "dimension": dim, "length": need}
                    requests_.append({"appendDimension": grow})
                    if dim == "ROWS":
                        sheet.rows += need
                    else:
                        sheet.cols += need
        for op in ops:
            if isinstance(op, SetLayout):
                loc = located[op.tab]
                hm = map_header(loc.grid, schema[op.tab], allow_missing=True)
                requests_ += rq.layout_requests(op, self._sheets[op.tab].sheet_id, hm)
                report.layout_changes += 1
            elif isinstance(op, (SetStyles, Protect, Unprotect)):
                requests_ += self._style_requests(op)
                report.layout_changes += 1
        if requests_:
            for chunk in rq.chunks(requests_, lambda r: len(json.dumps(r))):
                self._request(
                    "post",
                    SPREADSHEET_BATCH_UPDATE_URL % self.sid,
                    body={"requests": chunk},
                    idempotent=False,
                    write=True,
                    step="creating tabs and applying layout",
                )

    def _grow_for(self, op: PutCells) -> list[dict[str, Any]]:
        """appendDimension so a generated tab is big enough for its cells."""
        sheet = self._sheets[op.tab]
        out = []
        rows = max((r for r, _, _ in op.cells), default=0) + 1 - sheet.rows
        cols = max((c for _, c, _ in op.cells), default=0) + 1 - sheet.cols
        for dim, need in (("ROWS", rows), ("COLUMNS", cols)):
            if need > 0:
                out.append(
                    {
                        "appendDimension": {
                            "sheetId": sheet.sheet_id,
                            "dimension": dim,
                            "length": need,
                        }
                    }
                )
                if dim == "ROWS":
                    sheet.rows += need
                else:
                    sheet.cols += need
        return out

    def _style_requests(self, op: SetStyles | Protect | Unprotect) -> list[dict[str, Any]]:
        sheet_id = self._sheets[op.tab].sheet_id
        out: list[dict[str, Any]] = []
        if isinstance(op, SetStyles):
            index = self._style_index.get(op.tab, {})
            for i in sorted((index[s] for s in op.drop if s in index), reverse=True):
                out.append({"deleteConditionalFormatRule": {"sheetId": sheet_id, "index": i}})
            self._style_index.pop(op.tab, None)  # indexes shift: read them again next time
            out += [rq.style_request(rule, sheet_id) for rule in op.install]
            return out
        known = self._protection_ids.get(op.tab, {})
        if op.description in known:
            out.append({"deleteProtectedRange": {"protectedRangeId": known.pop(op.description)}})
        if isinstance(op, Protect):
            out.append(rq.protect_request(sheet_id, op.description, op.first_col, op.last_col))
        return out

    def _write_values(
        self, ops: list[Any], schema: Schema, located: dict[str, _Located], report: ApplyReport
    ) -> None:
        data: list[dict[str, Any]] = []
        for op in ops:
            if isinstance(op, AddTab) and op.header and located[op.tab].new:
                data.append({"range": rq.a1(op.tab, 0, 0), "values": [list(op.header)]})
            elif isinstance(op, PutCells):
                plain = [(r, c, v) for r, c, v in op.cells if not isinstance(v, CellFormula)]
                data += rq.row_runs(op.tab, plain)
                report.cells_written += len(op.cells)
        for tab, loc in located.items():
            for col, name in loc.new_headers:
                data.append({"range": rq.a1(tab, 0, col), "values": [[name]]})
        by_tab: dict[str, list[Any]] = {}
        for op in ops:
            if isinstance(op, (SetCell, AppendRow)):
                by_tab.setdefault(op.tab, []).append(op)
        for tab, tab_ops in by_tab.items():
            data += self._cell_writes(tab, schema[tab], located[tab], tab_ops, report)
        if not data:
            return
        for chunk in rq.chunks(data, lambda d: len(json.dumps(d))):
            self._request(
                "post",
                SPREADSHEET_VALUES_BATCH_UPDATE_URL % self.sid,
                body={"valueInputOption": "RAW", "data": chunk},
                idempotent=True,
                write=True,
                step="writing cell values",
            )

    def _cell_writes(
        self, tab: str, schema_tab: TabSchema, loc: _Located, ops: list[Any], report: ApplyReport
    ) -> list[dict[str, Any]]:
        grid = loc.grid
        hm = map_header(grid, schema_tab)
        rows = index_rows(grid, hm, schema_tab)
        literals = self._literals.get(tab, {})
        out: list[dict[str, Any]] = []
        edits: list[tuple[int, int, Any]] = []
        next_row = len(grid.rows)
        appended: list[list[Any]] = []
        for op in ops:
            if isinstance(op, SetCell):
                row = rows.get(op.key)
                if row is None:
                    report.skipped.append(f"{tab} {op.key}: row no longer exists")
                    continue
                col = hm.index(schema_tab.field(op.field).name)
                current = grid.cell(row, col)
                is_text = (_header_at(grid, col), current) in literals
                if isinstance(current, str) and current.startswith("=") and not is_text:
                    report.skipped.append(f"{tab} {op.key} {op.field}: formula kept")
                    continue
                if changed_meanwhile(op, current, report):
                    continue
                edits.append((row + 1, col, op.value))
                report.cells_written += 1
            else:
                key = op.values.get(schema_tab.id_field)
                if key is not None and str(key) in rows:
                    report.skipped.append(f"{tab} {key}: already present, not appended twice")
                    continue
                width = max(hm.columns.values()) + 1
                line: list[Any] = [None] * width  # null = leave the cell alone
                for name, value in op.values.items():
                    if not is_blank(value):
                        line[hm.index(schema_tab.field(name).name)] = rq.encode(value)
                        report.cells_written += 1
                appended.append(line)
                if key is not None:
                    rows[str(key)] = next_row + len(appended) - 1
                report.rows_appended += 1
        out += rq.row_runs(tab, edits)
        if appended:
            width = max(len(line) for line in appended)
            out.append(
                {
                    "range": rq.a1(tab, next_row + 1, 0, next_row + 1 + len(appended), width),
                    "values": appended,
                }
            )
        return out

    def _delete_rows(self, ops: list[Any], schema: Schema, report: ApplyReport) -> None:
        doomed = [op for op in ops if isinstance(op, DeleteRow)]
        if not doomed:
            return
        tabs = sorted({op.tab for op in doomed})
        fresh = self._batch_get([rq.quote(t) for t in tabs], "finding rows to delete")
        requests_: list[dict[str, Any]] = []
        for tab, vr in zip(tabs, fresh, strict=True):
            grid = self._grid(tab, vr.get("values", []))
            rows = index_rows(grid, map_header(grid, schema[tab]), schema[tab])
            positions = sorted(
                {rows[op.key] for op in doomed if op.tab == tab and op.key in rows}, reverse=True
            )
            report.skipped += [
                f"{tab} {op.key}: already deleted"
                for op in doomed
                if op.tab == tab and op.key not in rows
            ]
            sheet_id = self._sheets[tab].sheet_id
            for pos in positions:
                requests_.append(
                    {
                        "deleteDimension": {
                            "range": {
                                "sheetId": sheet_id,
                                "dimension": "ROWS",
                                "startIndex": pos + 1,
                                "endIndex": pos + 2,
                            }
                        }
                    }
                )
            report.rows_deleted += len(positions)
        if requests_:
            self._request(
                "post",
                SPREADSHEET_BATCH_UPDATE_URL % self.sid,
                body={"requests": requests_},
                idempotent=False,
                write=True,
                step="deleting rows",
            )


@dataclass
class _Located:
    """A tab as found right before writing, plus header cells this apply adds."""

    grid: TabGrid
    new: bool = False
    new_headers: list[tuple[int, str]] = field(default_factory=list)


def _header_at(grid: TabGrid, col: int) -> str:
    return header_key(grid.header[col]) if col < len(grid.header) else ""
