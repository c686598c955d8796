"""The Google Sheets backend, on unmodified gspread, with its own request budget and retries.

A read for a command that never writes (``values_only``) is one ``values.batchGet`` with
formulas computed. Any other read is one ``values.batchGet`` with formulas as formulas,
preceded, on an instance that has not listed the tabs yet, by one ``spreadsheets.get``
listing them (sheet ids, sizes; the values read then names only tabs that exist, so a new
spreadsheet costs no failing probe), and followed by one ranged ``spreadsheets.get`` only
for the layout or to tell which ``=…`` cells are real formulas rather than literal text.
Applying a ChangeSet never depends on an earlier ``read`` on the same
instance: one ``values.batchGet`` finds rows by ID right before writing (the ranges it
echoes give each tab's grid size), then at most one ``spreadsheets.batchUpdate`` (tabs,
grid size, layout), one ``values.batchUpdate`` (RAW, so text stays text), and one more
``spreadsheets.batchUpdate`` only when rows are deleted. A ``spreadsheets.get`` listing the
tabs is added only when a step needs what no response gave: the sheet id of a tab this
instance never read (to grow, lay out or delete rows in it), whether a tab planned as new
exists, or which tabs exist when a system tab turns out to be missing (it is created).
Requests are split only to stay under ~2 MB. Nothing is sent for an empty ChangeSet.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import gspread
from gspread.urls import (
    SPREADSHEET_BATCH_UPDATE_URL,
    SPREADSHEET_URL,
    SPREADSHEET_VALUES_BATCH_UPDATE_URL,
    SPREADSHEET_VALUES_BATCH_URL,
)

from sheetcrm.backends.base import (
    ApplyReport,
    check_expectation,
    with_system_tabs,
)
from sheetcrm.backends.gsheets import failures, writes
from sheetcrm.backends.gsheets import requests as rq
from sheetcrm.backends.gsheets.auth import account_email, install_redaction, resolve
from sheetcrm.backends.gsheets.catalog import LAYOUT_FIELDS, LISTING_FIELDS, Catalog
from sheetcrm.backends.gsheets.endpoint import endpoint_of, mount_endpoint
from sheetcrm.backends.gsheets.reads import classify, grid_from_values, probe
from sheetcrm.backends.gsheets.retry import AmbiguousWrite, RemoteFailure, RetryPolicy, Throttle
from sheetcrm.backends.gsheets.timeouts import TIMEOUT, Timeout, authorized_session
from sheetcrm.backends.gsheets.writes import Located
from sheetcrm.config import Config
from sheetcrm.errors import HeaderError, WorkbookError
from sheetcrm.model.changes import (
    AddTab,
    ChangeSet,
    DeleteRow,
    Expect,
    Op,
    Protect,
    SetStyles,
    Unprotect,
)
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.schema import Schema

_SPREADSHEET_ID_OK = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


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
        self.catalog = Catalog()  # what responses so far told us about the tabs
        self._literals: dict[str, set[tuple[str, str]]] = {}  # (header, text) of literal "=…"

    @classmethod
    def open(
        cls,
        spreadsheet_id: str,
        *,
        config: Config | None = None,
        notify: Callable[[str], None] | None = None,
        timeout: Timeout | None = None,
        retry: RetryPolicy | None = None,
    ) -> GSheetsBackend:
        """Connect with the configured credentials (or anonymously to an emulator);
        ``notify`` hears why a run waits (rate limits, retries) and credential fixes;
        ``timeout`` bounds every request, the token refresh included (None: ``TIMEOUT``; the
        doctor's is short)."""
        endpoint = endpoint_of(config)
        found = resolve(getattr(config, "credentials", None), endpoint=endpoint, notify=notify)
        creds = found.creds
        install_redaction()
        timeout = timeout or TIMEOUT
        client = gspread.Client(auth=creds, session=authorized_session(creds, timeout))
        client.set_timeout(timeout)
        if endpoint:
            mount_endpoint(client.http_client.session, endpoint)
        backend = cls(
            client,
            spreadsheet_id,
            retry=retry or RetryPolicy(report=notify),
            throttle=Throttle(report=notify),
            account=account_email(creds),
        )
        backend.endpoint = endpoint
        backend.kind = found.kind
        return backend

    endpoint: str | None = None
    kind: str | None = None  # which credentials (auth.USER, auth.ADC, …), for the fixes

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
                raise failures.from_response(exc.response) from None
            except Exception as exc:  # the request, or the token refresh inside it
                failure = failures.classify(exc)
                if failure is None:
                    raise
                raise failure from None
            finally:
                self.requests += 1
            sent = response.request
            payload = sent.body if isinstance(sent.body, (bytes, str)) else b""
            self.bytes_sent += len(sent.url or "") + len(payload)
            return response.json() if response.content else {}

        try:
            return self.retry.run(once, idempotent=idempotent, step=step)
        except RemoteFailure as failure:
            raise self._final(failure, step) from None

    def _final(self, failure: RemoteFailure, step: str) -> Exception:
        return failures.final(
            failure,
            sid=self.sid,
            step=step,
            account=self.account,
            endpoint=self.endpoint,
            kind=self.kind,
        )

    # -- reading -------------------------------------------------------------------------

    def _list_tabs(self, *, layout: bool = False) -> None:
        """One ``spreadsheets.get`` naming every tab (with colours and protections if
        ``layout``): sent only when a step needs what no other response told us."""
        fields = LISTING_FIELDS + ("," + LAYOUT_FIELDS if layout else "")
        data = self._request(
            "get",
            SPREADSHEET_URL % self.sid,
            params={"fields": f"sheets({fields})"},
            idempotent=True,
            write=False,
            step="reading the spreadsheet's tabs",
        )
        self.catalog.listing(data.get("sheets", []), layout=layout)

    def _batch_get(
        self, tabs: list[str], step: str, render: str = "FORMULA"
    ) -> list[dict[str, Any]]:
        """Whole tabs in one ``values.batchGet``; each echoed range tells the tab's size."""
        if not tabs:
            return []
        data = self._request(
            "get",
            SPREADSHEET_VALUES_BATCH_URL % self.sid,
            params={
                "ranges": [rq.quote(t) for t in tabs],
                "valueRenderOption": render,
                "dateTimeRenderOption": "SERIAL_NUMBER",
                "majorDimension": "ROWS",
            },
            idempotent=True,
            write=False,
            step=step,
        )
        blocks = list(data.get("valueRanges", []))
        for tab, block in zip(tabs, blocks, strict=True):
            self.catalog.learn_range(tab, block.get("range"))
        return blocks

    def _get_tabs(
        self, tabs: list[str], step: str, render: str = "FORMULA"
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """The named tabs that exist, and their values; a tab not seen before that turns
        out to be missing costs one listing (never a guess)."""
        names = [t for t in tabs if self.catalog.exists(t) is not False]
        try:
            return names, self._batch_get(names, step, render)
        except WorkbookError as exc:
            if "Unable to parse range" not in str(exc):
                raise
        self._list_tabs()  # some tab does not exist: learn which ones do
        names = [t for t in names if self.catalog.exists(t)]
        return names, self._batch_get(names, step, render)

    def read(
        self, tabs: Iterable[str] | None = None, *, layout: bool = False, values_only: bool = False
    ) -> dict[str, TabGrid]:
        """``values_only``: one ``values.batchGet`` with formulas' computed values, for
        readers that never write (reports, reminders). Otherwise formulas are read as
        formulas, and a backend that has not listed the tabs yet lists them first (the
        sheet ids and sizes a write needs), so the values read never names a missing tab."""
        plain = values_only and not layout
        if tabs is None or (not plain and not self.catalog.complete):
            self._list_tabs()
        names = list(self.catalog.sheets) if tabs is None else list(tabs)
        render = "UNFORMATTED_VALUE" if plain else "FORMULA"
        names, blocks = self._get_tabs(names, "reading the tabs", render)
        grids = {
            n: grid_from_values(n, b.get("values", [])) for n, b in zip(names, blocks, strict=True)
        }
        if grids and not plain:
            self._classify(grids, layout)
        return grids

    def _classify(self, grids: dict[str, TabGrid], layout: bool) -> None:
        """One spreadsheets.get for which '=…' cells are formulas and, with ``layout``, for
        dropdowns, formats, colours and protections; not sent when the listing already
        said all there is (no layout wanted, no cell starting with '=')."""
        wanted = probe(grids, layout)
        if not layout and self.catalog.complete and not any(wanted.candidates.values()):
            for name, read in grids.items():
                read.layout.hidden = self.catalog.sheets[name].hidden
                self._literals[name] = set()
            return
        data = self._request(
            "get",
            SPREADSHEET_URL % self.sid,
            params={"ranges": wanted.ranges, "fields": wanted.fields, "includeGridData": "false"},
            idempotent=True,
            write=False,
            step="reading formulas and layout",
        )
        for sheet in data.get("sheets", []):
            self.catalog.learn(sheet, layout=layout)
            grid = grids.get(sheet["properties"]["title"])
            if grid is not None:
                cells = wanted.candidates.get(grid.name, [])
                self._literals[grid.name] = classify(sheet, grid, cells, layout)

    # -- writing -------------------------------------------------------------------------

    def apply(self, changes: ChangeSet, schema: Schema) -> ApplyReport:
        """Locate what the ChangeSet touches (rows by ID, sheet ids, grid sizes) in the
        requests the write needs anyway, then write: this never depends on an earlier
        ``read`` on the same instance."""
        report = ApplyReport()
        if not changes:
            return report
        start_requests, start_bytes = self.requests, self.bytes_sent
        ops = changes.ordered()
        if not self.catalog.complete and any(
            isinstance(op, AddTab) and self.catalog.exists(op.tab) is None for op in ops
        ):
            # tabs planned as new: learn every existing name and sheet id first
            self._list_tabs(layout=writes.layout_needed(ops, self.catalog))
        located, ops = self._locate(ops, schema)
        for op in ops:
            if isinstance(op, Expect):
                check_expectation(op, located[op.tab].grid if op.tab in located else None, schema)
        try:
            self._structure(ops, schema, located, report)
        except AmbiguousWrite:
            # it may or may not have been applied: look again, redo only what is missing
            self._list_tabs(layout=any(isinstance(op, _STYLED) for op in ops))
            located, ops = self._locate(ops, schema)
            report.tabs_added = 0
            self._structure(ops, schema, located, report)
        self._write_values(ops, schema, located, report)
        self._delete_rows(ops, schema, report)
        report.requests = self.requests - start_requests
        report.bytes_sent = self.bytes_sent - start_bytes
        return report

    def _locate(self, ops: list[Op], schema: Schema) -> tuple[dict[str, Located], list[Op]]:
        """Every touched record tab as it is now, in one request, so rows are found by ID;
        plus an AddTab for each system tab written to that turned out to be missing."""
        touched = list(dict.fromkeys(op.tab for op in ops if op.tab in schema.tabs))
        names, blocks = self._get_tabs(touched, "finding rows by ID before writing")
        located = {
            tab: Located(grid_from_values(tab, vr.get("values", [])))
            for tab, vr in zip(names, blocks, strict=True)
        }
        ops = with_system_tabs(ops, schema, lambda tab: tab in located)
        creating = {op.tab for op in ops if isinstance(op, AddTab)}
        for op in ops:
            missing = op.tab not in located and op.tab not in creating
            if missing and op.tab in schema.tabs and not isinstance(op, Expect):
                raise _no_tab(op.tab)
        return located, ops

    def _structure(
        self, ops: list[Op], schema: Schema, located: dict[str, Located], report: ApplyReport
    ) -> None:
        ids = writes.ids_needed(ops, schema, located, self.catalog)
        layout = writes.layout_needed(ops, self.catalog)
        if layout or any(not self.catalog.has_id(tab) for tab in ids):
            self._list_tabs(layout=layout)  # a sheet id (or rule index) no response gave us
        creating = {op.tab for op in ops if isinstance(op, AddTab)}
        for tab in ids:
            if not self.catalog.exists(tab) and tab not in creating:
                raise _no_tab(tab)
        requests_ = writes.structure(ops, schema, located, self.catalog, report)
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

    def _write_values(
        self, ops: list[Op], schema: Schema, located: dict[str, Located], report: ApplyReport
    ) -> None:
        data = writes.value_ranges(ops, schema, located, self._literals, report)
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

    def _delete_rows(self, ops: list[Op], schema: Schema, report: ApplyReport) -> None:
        doomed = [op for op in ops if isinstance(op, DeleteRow)]
        if not doomed:
            return
        tabs = sorted({op.tab for op in doomed})
        fresh = self._batch_get(tabs, "finding rows to delete")
        requests_: list[dict[str, Any]] = []
        for tab, vr in zip(tabs, fresh, strict=True):
            grid = grid_from_values(tab, vr.get("values", []))
            found, gone = writes.delete_requests(doomed, tab, grid, schema, self.catalog)
            requests_ += found
            report.skipped += gone
        if requests_:
            self._request(
                "post",
                SPREADSHEET_BATCH_UPDATE_URL % self.sid,
                body={"requests": requests_},
                idempotent=False,
                write=True,
                step="deleting rows",
            )


_STYLED = (SetStyles, Protect, Unprotect)


def _no_tab(tab: str) -> HeaderError:
    return HeaderError(f"tab {tab!r} does not exist (run `sheetcrm init` to create it)")
