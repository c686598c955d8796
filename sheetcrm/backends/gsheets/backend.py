"""The Google Sheets backend, on unmodified gspread, with its own request budget and retries.

A read for a command that never writes (``values_only``) is one ``values.batchGet`` with
formulas computed. Any other read is one ``values.batchGet`` with formulas as formulas,
preceded, on an instance that has not listed the tabs yet, by one ``spreadsheets.get``
listing them (sheet ids, sizes; the values read then names only tabs that exist, so a new
spreadsheet costs no failing probe), and followed by one ranged ``spreadsheets.get`` only
for the layout or to tell which ``=…`` cells are real formulas rather than literal text.
Applying a ChangeSet never depends on an earlier ``read`` on the same instance, and
every write lands on the record's row wherever a teammate has moved it:

1. **locate**: one ``values.batchGet`` of the touched tabs (rows by ID; the ranges it
   echoes give grid sizes), plus one ``spreadsheets.get`` listing the tabs only when a
   request will name a sheet id no response gave (row tags and ``appendCells`` do), a tab
   planned as new may exist, or a system tab written to is missing (it is created).
   ``Expect`` ops and Google's limits (``limits.GOOGLE``: 50,000 characters a cell,
   18,278 columns, 10 million cells) are checked here, before anything is sent.
2. **batch #1** ``spreadsheets.batchUpdate``: tabs, column growth, layout, colours,
   protections, charts, generated cells and headers (``updateCells``, typed values: text
   stays text), then transient row tags (developer metadata ``sheetcrm:id`` = record ID)
   on each row to edit, after deleting stale tags on that sheet. Tags are at most
   ``anchors.TAG_BUDGET`` characters a sheet a round (Google keeps 30,000 a sheet); more
   rows, more rounds of steps 2-4 (tags only).
3. **re-read**: one ``values:batchGetByDataFilter``: the whole touched tabs (the fresh
   state: edits a teammate made since the plan's read are kept and reported in
   ``changed_meanwhile``, formulas kept, appends deduplicated by ID) and each tag's row as
   it is now. A tag whose row does not hold its ID (a sort before it was made) is made
   again next round, at most ``pipeline.MAX_ROUNDS`` times.
4. **write**: one ``values:batchUpdateByDataFilter`` (RAW, by tag; null cells left
   alone), whose ``updatedData`` verifies that each row still holds its ID.
5. **batch #2** ``spreadsheets.batchUpdate``: ``appendCells`` for new records (after the
   last row with data, so two writers never overwrite each other; none the re-read shows),
   and the deletion of this run's tags and markers; with nothing to append it is not sent
   (the next tagging of a sheet clears its tags first). With nothing to edit there are no
   tags, no re-read and no write: the appends go in batch #1.
6. **deletions** (only when rows are deleted): a ``values.batchGet`` for positions, one
   ``spreadsheets.batchUpdate`` (bottom-up), a ``values.batchGet`` to verify; a record
   that vanished with them is appended again and reported.

Each ``spreadsheets.batchUpdate`` chunk (every body stays under ``MAX_BODY``; big blocks
are split by rows) carries a marker (``sheetcrm:request``, explicit metadata id). When its
response is lost, one ``developerMetadata:search`` says whether the atomic batch was
applied, and only then is it sent again; the data-filtered value requests are simply
retried. Nothing is sent for an empty ChangeSet. Residual race: a cell a teammate edits
between the re-read and the write (one round trip) is overwritten; a sort between the
locate and batch #1 costs a round.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any

import gspread
from gspread.urls import (
    SPREADSHEET_BATCH_UPDATE_URL,
    SPREADSHEET_URL,
    SPREADSHEET_VALUES_BATCH_URL,
)

from sheetcrm.backends.base import (
    ApplyReport,
    check_expectation,
    with_system_tabs,
)
from sheetcrm.backends.gsheets import anchors, failures, writes
from sheetcrm.backends.gsheets import requests as rq
from sheetcrm.backends.gsheets.anchors import Tokens
from sheetcrm.backends.gsheets.auth import account_email, install_redaction, resolve
from sheetcrm.backends.gsheets.catalog import LAYOUT_FIELDS, LISTING_FIELDS, Catalog
from sheetcrm.backends.gsheets.endpoint import endpoint_of, mount_endpoint
from sheetcrm.backends.gsheets.pipeline import AnchoredApply, no_tab
from sheetcrm.backends.gsheets.reads import classify, grid_from_values, probe
from sheetcrm.backends.gsheets.retry import RemoteFailure, RetryPolicy, Throttle
from sheetcrm.backends.gsheets.timeouts import TIMEOUT, Timeout, authorized_session
from sheetcrm.backends.gsheets.writes import Located
from sheetcrm.config import Config
from sheetcrm.errors import WorkbookError
from sheetcrm.model.changes import (
    AddTab,
    ChangeSet,
    Expect,
    Op,
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

    #: The spreadsheet's title, once a listing (or ``title``) has told it.
    _title: str | None = None

    def title(self) -> str:
        """The spreadsheet's title: learnt with the tab listing a read sends anyway, else
        one ``spreadsheets.get`` asking for the title alone (the ID when it has none)."""
        if self._title is None:
            data = self._request(
                "get",
                SPREADSHEET_URL % self.sid,
                params={"fields": "properties.title"},
                idempotent=True,
                write=False,
                step="reading the spreadsheet's title",
            )
            self._title = str(data.get("properties", {}).get("title") or self.sid)
        return self._title

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
            params={"fields": f"properties.title,sheets({fields})"},
            idempotent=True,
            write=False,
            step="reading the spreadsheet's tabs",
        )
        self._title = data.get("properties", {}).get("title") or self._title
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
        self,
        tabs: Iterable[str] | None = None,
        *,
        layout: bool = False,
        values_only: bool = False,
        maybe_missing: Iterable[str] = (),
    ) -> dict[str, TabGrid]:
        """``values_only``: one ``values.batchGet`` with formulas' computed values, for
        readers that never write (reports, reminders). Otherwise formulas are read as
        formulas, and a backend that has not listed the tabs yet lists them first (the
        sheet ids and sizes a write needs), so the values read never names a missing tab."""
        plain = values_only and not layout
        unsure = any(self.catalog.exists(t) is None for t in maybe_missing)
        if tabs is None or (not self.catalog.complete and (not plain or unsure)):
            self._list_tabs()  # a read naming a missing tab fails: list them first
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
        """Locate what the ChangeSet touches, check it against Google's limits, then write
        it anchored to record IDs (``pipeline``): this never depends on an earlier
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
        AnchoredApply(self, ops, schema, located, report).run()
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
                raise no_tab(op.tab)
        return located, ops

    # -- the write requests the pipeline sends -------------------------------------------

    #: Where the per-run metadata ids come from (a test may pin it).
    rng: random.Random | None = None

    def tokens(self) -> Tokens:
        return Tokens(self.rng)

    def batch_update(self, requests: list[dict[str, Any]], step: str) -> None:
        """One ``spreadsheets.batchUpdate`` (atomic; not repeated by the retry policy)."""
        self._request(
            "post",
            SPREADSHEET_BATCH_UPDATE_URL % self.sid,
            body={"requests": requests},
            idempotent=False,
            write=True,
            step=step,
        )

    def marker_exists(self, metadata_id: int, step: str) -> bool:
        """Whether the chunk carrying this marker was applied (one metadata search)."""
        data = self._request(
            "post",
            f"{SPREADSHEET_URL % self.sid}/developerMetadata:search",
            body=anchors.marker_search(metadata_id),
            idempotent=True,
            write=False,
            step=f"{step} (checking whether it was applied)",
        )
        return bool(data.get("matchedDeveloperMetadata"))

    def values_by_filter(self, kind: str, body: dict[str, Any], step: str) -> Any:
        """``values:batchGetByDataFilter`` or ``values:batchUpdateByDataFilter`` (RAW
        values by metadata id: safe to repeat)."""
        method = "batchGetByDataFilter" if kind == "get" else "batchUpdateByDataFilter"
        return self._request(
            "post",
            f"{SPREADSHEET_URL % self.sid}/values:{method}",
            body=body,
            idempotent=True,
            write=kind != "get",
            step=step,
        )
