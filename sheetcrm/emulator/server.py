"""The emulator's front door: routing, contract checks, instruments, faults and hooks.

``Emulator.handle`` takes an HTTP request (method, URL, body) and returns a response; the
in-process adapter and the loopback HTTP server both call it, so they serve one state
machine. Every request is counted (per method, bytes in and out), may be delayed or
failed by a scripted fault, is checked against the discovery document, and may be
preceded by a hook that plays a teammate editing the sheet, and followed (once applied,
before the answer goes out) by one that may lose the answer or kill the client.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import batch, datafilter, drive, getsheet, valueops
from .discovery import ContractError, check_query, methods, validate_body
from .model import ApiError, Spreadsheet, bad, new_spreadsheet_id
from .records import (
    AUTH_HELP,
    BAD_CREDENTIAL,
    NO_CREDENTIAL,
    Fault,
    RequestEvent,
    Response,
    ScriptedBody,
    Stats,
    fault_message,
)
from .routes import WRITE_METHODS, route


class Emulator:
    """A stateful, in-memory Google Sheets API v4 (plus the Drive routes gspread uses)."""

    def __init__(
        self,
        *,
        validate: bool = True,
        clock: Callable[[], float] = time.monotonic,
        tokens: Iterable[str] | None = None,
    ):
        self.spreadsheets: dict[str, Spreadsheet] = {}
        #: bearer tokens accepted; None accepts anyone (the default), like a test double
        self.tokens: set[str] | None = set(tokens) if tokens is not None else None
        self.files: dict[str, dict[str, Any]] = {}
        self.permissions: dict[str, list[dict[str, Any]]] = {}
        self.denied: set[str] = set()
        self.validate = validate
        self.clock = clock
        self.stats = Stats()
        self.faults: deque[Fault] = deque()
        self.latency = 0.0
        self.write_quota: int | None = None
        self._write_times: dict[str, deque[float]] = {}
        self._hooks: list[Callable[[RequestEvent], None]] = []
        self._after: list[Callable[[RequestEvent, int], bool | None]] = []
        self._lock = threading.RLock()
        self.log: list[tuple[str, str, dict[str, Any] | None]] = []  # (method id, url, body)
        self.keep_log = False

    # -- setup used by tests -------------------------------------------------------------

    def create_spreadsheet(self, title: str = "Untitled spreadsheet") -> Spreadsheet:
        ss = Spreadsheet(new_spreadsheet_id(), title)
        ss.add_sheet({"title": "Sheet1", "sheetId": 0})
        self.spreadsheets[ss.id] = ss
        now = drive._now()
        self.files[ss.id] = {"createdTime": now, "modifiedTime": now}
        return ss

    def delete_spreadsheet(self, sid: str) -> None:
        self.spreadsheets.pop(sid, None)
        self.files.pop(sid, None)

    def touch(self, sid: str) -> None:
        if sid in self.files:
            self.files[sid]["modifiedTime"] = drive._now()

    def deny(self, sid: str) -> None:
        """Make a spreadsheet answer 403, as one not shared with the caller does."""
        self.denied.add(sid)

    def check_access(self, sid: str) -> None:
        if sid in self.denied:
            raise ApiError(403, "The caller does not have permission")

    def fail(
        self,
        match: str,
        status: int = 500,
        *,
        times: int = 1,
        retry_after: float | None = None,
        message: str = "",
        body: Any = None,
    ) -> None:
        """Script ``times`` failures with ``status`` for requests whose method id contains
        ``match`` (e.g. 'values.batchUpdate'); ``body``: answer this exact error envelope
        (e.g. a 403 SERVICE_DISABLED with its details) instead of a plain one."""
        self.faults.append(Fault(match, status, times, retry_after, False, message, body))

    def drop_response(self, match: str, *, times: int = 1) -> None:
        """Apply the next matching request, then lose its response (a timeout)."""
        self.faults.append(Fault(match, 200, times, None, True))

    def enable_quota(self, per_minute: int = 60) -> None:
        """Answer 429 above ``per_minute`` write requests per user (Google's default)."""
        self.write_quota = per_minute

    def on_request(self, hook: Callable[[RequestEvent], None]) -> None:
        """Call ``hook(event)`` before each request is handled (e.g. to act as a teammate)."""
        self._hooks.append(hook)

    def on_response(self, hook: Callable[[RequestEvent, int], bool | None]) -> None:
        """Call ``hook(event, status)`` after each request was handled (a write applied)
        and before its response is sent; a true return loses the response, as a timeout
        would. The boundary where a test drops the answer or kills the client."""
        self._after.append(hook)

    def clear_hooks(self) -> None:
        self._hooks.clear()
        self._after.clear()

    # -- the request path ----------------------------------------------------------------

    def handle(
        self, http_method: str, url: str, body: bytes | None, headers: dict[str, str] | None = None
    ) -> Response:
        """Serve one request. The hooks run outside the emulator's lock, so one may wait for
        another client's requests (interleaving two runs); a hook that edits state while
        other clients are running holds ``lock``, as ``Teammate`` does."""
        parts = urlsplit(url)
        method_id, match = route(http_method.upper(), parts.path)
        with self._lock:
            event = self._admit(
                method_id, match, http_method, len(url) + len(body or b""), headers or {}
            )
        for hook in list(self._hooks):
            hook(event)
        if self.latency:
            time.sleep(self.latency)
        with self._lock:
            response = self._answer(http_method, parts, method_id, match, body, headers or {})
        for after in list(self._after):
            if after(event, response.status):
                response.drop = True
        return response

    @property
    def lock(self) -> threading.RLock:
        """Held while a request is served; hold it to edit state from a hook."""
        return self._lock

    def _answer(
        self,
        http_method: str,
        parts: Any,
        method_id: str,
        match: dict[str, str] | None,
        body: bytes | None,
        headers: dict[str, str],
    ) -> Response:
        fault: Fault | None = None
        try:
            # the token first: a 401 must not use up a fault scripted for the next request
            self._check_token(headers)
            fault = self._take_fault(method_id)
            if fault is None or (fault.drop and fault.body is None):
                self._check_quota(method_id, headers)
            status, payload = self._serve(http_method, parts, method_id, match, body, fault)
        except ContractError as exc:
            status, payload = 400, ApiError(400, str(exc)).body()
            self.stats.errors.append((method_id, 400, str(exc)))
        except ApiError as exc:
            status, payload = exc.code, exc.body()
            self.stats.errors.append((method_id, exc.code, exc.message))
        except ScriptedBody as exc:
            status, payload = exc.status, exc.body
            self.stats.errors.append((method_id, exc.status, str(exc)))
        return self._response(method_id, status, payload, fault)

    def _admit(
        self,
        method_id: str,
        match: dict[str, str] | None,
        http_method: str,
        size: int,
        headers: dict[str, str],
    ) -> RequestEvent:
        """Count the request and describe it for the hooks."""
        sid = match.get("id") if match else None
        self.stats.requests[method_id] += 1
        self.stats.bytes_in[method_id] += size
        return RequestEvent.of(method_id, sid, http_method, self.stats.total - 1, headers)

    def _serve(
        self,
        http_method: str,
        parts: Any,
        method_id: str,
        match: dict[str, str] | None,
        body: bytes | None,
        fault: Fault | None,
    ) -> tuple[int, Any]:
        """A scripted fault's answer, else the method's (which may raise ApiError); the
        quota was checked already."""
        if fault and fault.body is not None:
            raise ScriptedBody(fault.status, fault.body)
        if fault and not fault.drop:
            raise ApiError(fault.status, fault.message or fault_message(fault.status))
        path = unquote(parts.path) if "/values/" not in parts.path else parts.path
        params = parse_qs(parts.query, keep_blank_values=True)
        status, payload = self._dispatch(http_method.upper(), path, method_id, match, params, body)
        sid = match.get("id") if match else None
        if sid and method_id in WRITE_METHODS:
            self.touch(sid)
        return status, payload

    def _response(self, method_id: str, status: int, payload: Any, fault: Fault | None) -> Response:
        data = (
            b""
            if payload is None
            else (payload if isinstance(payload, bytes) else json.dumps(payload).encode())
        )
        self.stats.bytes_out[method_id] += len(data)
        self.stats.statuses[status] += 1
        out_headers = {"Content-Type": "application/json; charset=UTF-8"}
        if fault and fault.retry_after is not None:
            out_headers["Retry-After"] = str(int(fault.retry_after))
        if status == 401:
            out_headers["WWW-Authenticate"] = 'Bearer realm="https://accounts.google.com/"'
        return Response(status, data, out_headers, drop=bool(fault and fault.drop))

    def _take_fault(self, method_id: str) -> Fault | None:
        for fault in self.faults:
            if fault.match in method_id:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _check_token(self, headers: dict[str, str]) -> None:
        """With ``tokens`` set, answer 401 as Google does to a missing or unknown token."""
        if self.tokens is None:
            return
        sent = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        if sent is None or not sent.startswith("Bearer "):
            raise ApiError(401, NO_CREDENTIAL + AUTH_HELP, "UNAUTHENTICATED")
        if sent.removeprefix("Bearer ").strip() not in self.tokens:
            raise ApiError(401, BAD_CREDENTIAL + AUTH_HELP, "UNAUTHENTICATED")

    def _check_quota(self, method_id: str, headers: dict[str, str]) -> None:
        if self.write_quota is None or method_id not in WRITE_METHODS:
            return
        user = headers.get("Authorization", "anonymous")
        window = self._write_times.setdefault(user, deque())
        now = self.clock()
        while window and now - window[0] >= 60:
            window.popleft()
        if len(window) >= self.write_quota:
            raise ApiError(
                429,
                "Quota exceeded for quota metric 'Write requests' and limit 'Write requests "
                "per minute per user' of service 'sheets.googleapis.com'.",
            )
        window.append(now)

    def _dispatch(
        self,
        verb: str,
        path: str,
        method_id: str,
        match: dict[str, str] | None,
        params: dict[str, list[str]],
        raw: bytes | None,
    ) -> tuple[int, Any]:
        body = json.loads(raw) if raw else {}
        if method_id.startswith("drive."):
            parts = [unquote(p) for p in path.split("/")[4:] if p]
            if path.startswith("/upload/"):
                raise bad("The emulator does not implement Drive uploads")
            return drive.handle(self, verb, parts, params, body or {})
        if match is None:
            raise ApiError(404, f"Method not found: {verb} {path}")
        if self.validate:
            method = methods()[method_id]
            check_query(method, params)
            if method.request:
                body = validate_body(method.request, body if raw else {})
        if self.keep_log:
            self.log.append((method_id, path, body))
        if method_id == "sheets.spreadsheets.create":
            return 200, self._create(body)
        ss = self.spreadsheets.get(match["id"])
        if ss is None:
            raise ApiError(404, "Requested entity was not found.")
        self.check_access(ss.id)
        rng = unquote(match.get("range", "")) if "range" in match else ""
        handlers: dict[str, Callable[[], Any]] = {
            "sheets.spreadsheets.get": lambda: getsheet.spreadsheet_json(ss, params),
            "sheets.spreadsheets.batchUpdate": lambda: batch.batch_update(ss, body),
            "sheets.spreadsheets.values.get": lambda: valueops.read(ss, rng, params),
            "sheets.spreadsheets.values.batchGet": lambda: valueops.batch_get(ss, params),
            "sheets.spreadsheets.values.update": lambda: valueops.update(ss, rng, body, params),
            "sheets.spreadsheets.values.batchUpdate": lambda: valueops.batch_update(ss, body),
            "sheets.spreadsheets.values.append": lambda: valueops.append(ss, rng, body, params),
            "sheets.spreadsheets.values.clear": lambda: valueops.clear(ss, rng),
            "sheets.spreadsheets.values.batchClear": lambda: valueops.batch_clear(ss, body),
            "sheets.spreadsheets.getByDataFilter": lambda: datafilter.get_spreadsheet(
                ss, body, params
            ),
            "sheets.spreadsheets.values.batchGetByDataFilter": lambda: datafilter.batch_get(
                ss, body
            ),
            "sheets.spreadsheets.values.batchUpdateByDataFilter": lambda: datafilter.batch_update(
                ss, body
            ),
            "sheets.spreadsheets.values.batchClearByDataFilter": lambda: datafilter.batch_clear(
                ss, body
            ),
            "sheets.spreadsheets.developerMetadata.get": lambda: getsheet.metadata_get(
                ss, match["mid"]
            ),
            "sheets.spreadsheets.developerMetadata.search": lambda: datafilter.search_metadata(
                ss, body
            ),
        }
        return 200, handlers[method_id]()

    def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        title = body.get("properties", {}).get("title", "Untitled spreadsheet")
        ss = Spreadsheet(new_spreadsheet_id(), title)
        for i, spec in enumerate(body.get("sheets") or [{}]):
            props = dict(spec.get("properties", {}))
            props.setdefault("sheetId", 0 if i == 0 else None)
            if props["sheetId"] is None:
                del props["sheetId"]
            ss.add_sheet(props)
        self.spreadsheets[ss.id] = ss
        now = drive._now()
        self.files[ss.id] = {"createdTime": now, "modifiedTime": now}
        return getsheet.spreadsheet_json(ss, {})
