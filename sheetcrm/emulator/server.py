"""The emulator's front door: routing, contract checks, instruments, faults and hooks.

``Emulator.handle`` takes an HTTP request (method, URL, body) and returns a response; the
in-process adapter and the loopback HTTP server both call it, so they serve one state
machine. Every request is counted (per method, bytes in and out), may be delayed or
failed by a scripted fault, is checked against the discovery document, and may be
preceded by a hook that plays a teammate editing the sheet.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import batch, drive, getsheet, valueops
from .discovery import ContractError, check_query, methods, validate_body
from .model import ApiError, Spreadsheet, bad, new_spreadsheet_id

WRITE_METHODS = {
    "sheets.spreadsheets.create",
    "sheets.spreadsheets.batchUpdate",
    "sheets.spreadsheets.values.update",
    "sheets.spreadsheets.values.batchUpdate",
    "sheets.spreadsheets.values.append",
    "sheets.spreadsheets.values.clear",
    "sheets.spreadsheets.values.batchClear",
}

_SS = r"^/v4/spreadsheets/(?P<id>[^/:]+)"
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"^/v4/spreadsheets$"), "sheets.spreadsheets.create"),
    ("GET", re.compile(_SS + r"$"), "sheets.spreadsheets.get"),
    ("POST", re.compile(_SS + r":batchUpdate$"), "sheets.spreadsheets.batchUpdate"),
    ("GET", re.compile(_SS + r"/values:batchGet$"), "sheets.spreadsheets.values.batchGet"),
    ("POST", re.compile(_SS + r"/values:batchUpdate$"), "sheets.spreadsheets.values.batchUpdate"),
    ("POST", re.compile(_SS + r"/values:batchClear$"), "sheets.spreadsheets.values.batchClear"),
    (
        "POST",
        re.compile(_SS + r"/values/(?P<range>.+):append$"),
        "sheets.spreadsheets.values.append",
    ),
    ("POST", re.compile(_SS + r"/values/(?P<range>.+):clear$"), "sheets.spreadsheets.values.clear"),
    ("GET", re.compile(_SS + r"/values/(?P<range>.+)$"), "sheets.spreadsheets.values.get"),
    ("PUT", re.compile(_SS + r"/values/(?P<range>.+)$"), "sheets.spreadsheets.values.update"),
    (
        "GET",
        re.compile(_SS + r"/developerMetadata/(?P<mid>\d+)$"),
        "sheets.spreadsheets.developerMetadata.get",
    ),
    (
        "POST",
        re.compile(_SS + r"/developerMetadata:search$"),
        "sheets.spreadsheets.developerMetadata.search",
    ),
]


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # the write happened, but the client never hears back


@dataclass
class Fault:
    """A scripted failure for the next ``times`` requests whose method id contains ``match``."""

    match: str
    status: int = 500
    times: int = 1
    retry_after: float | None = None
    drop: bool = False  # apply the request, then drop the response
    message: str = ""
    body: Any = None  # a whole answer (an error envelope, as Google sends it), as JSON


@dataclass
class RequestEvent:
    """What a hook sees before a request is handled."""

    method_id: str
    spreadsheet_id: str | None
    http_method: str
    index: int  # how many requests came before this one


@dataclass
class Stats:
    """Requests and bytes per method id, and write requests in total."""

    requests: Counter[str] = field(default_factory=Counter)
    bytes_in: Counter[str] = field(default_factory=Counter)
    bytes_out: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[tuple[str, int, str]] = field(default_factory=list)  # method, status, message

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def writes(self) -> int:
        return sum(n for m, n in self.requests.items() if m in WRITE_METHODS)

    @property
    def sent(self) -> int:
        """Bytes the client sent (request URLs and bodies)."""
        return sum(self.bytes_in.values())

    @property
    def received(self) -> int:
        """Bytes the client received (response bodies)."""
        return sum(self.bytes_out.values())

    def reset(self) -> None:
        self.requests.clear()
        self.bytes_in.clear()
        self.bytes_out.clear()
        self.statuses.clear()
        self.errors.clear()


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
        """Call ``hook`` before each request (e.g. to act as a teammate)."""
        self._hooks.append(hook)

    def clear_hooks(self) -> None:
        self._hooks.clear()

    # -- the request path ----------------------------------------------------------------

    def handle(
        self, http_method: str, url: str, body: bytes | None, headers: dict[str, str] | None = None
    ) -> Response:
        with self._lock:
            parts = urlsplit(url)
            path = unquote(parts.path) if "/values/" not in parts.path else parts.path
            params = parse_qs(parts.query, keep_blank_values=True)
            method_id, match = self._route(http_method.upper(), parts.path)
            sid = match.get("id") if match else None
            self.stats.requests[method_id] += 1
            self.stats.bytes_in[method_id] += len(url) + len(body or b"")
            event = RequestEvent(method_id, sid, http_method, self.stats.total - 1)
            for hook in list(self._hooks):
                hook(event)
            if self.latency:
                time.sleep(self.latency)
            fault = self._take_fault(method_id)
            try:
                self._check_token(headers or {})
                if fault and fault.body is not None:
                    raise ScriptedBody(fault.status, fault.body)
                if fault and not fault.drop:
                    raise ApiError(fault.status, fault.message or _fault_message(fault.status))
                self._check_quota(method_id, headers or {})
                status, payload = self._dispatch(
                    http_method.upper(), path, method_id, match, params, body
                )
                if sid and method_id in WRITE_METHODS:
                    self.touch(sid)
            except ContractError as exc:
                status, payload = 400, ApiError(400, str(exc)).body()
                self.stats.errors.append((method_id, 400, str(exc)))
            except ApiError as exc:
                status, payload = exc.code, exc.body()
                self.stats.errors.append((method_id, exc.code, exc.message))
            except ScriptedBody as exc:
                status, payload = exc.status, exc.body
                self.stats.errors.append((method_id, exc.status, str(exc)))
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

    def _route(self, method: str, path: str) -> tuple[str, dict[str, str] | None]:
        if path.startswith(("/drive/v3/files", "/upload/drive")):
            return f"drive.files.{method.lower()}", {}
        for verb, pattern, method_id in ROUTES:
            m = pattern.match(path)
            if m and verb == method:
                return method_id, m.groupdict()
        return f"unknown {method} {path}", None

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
            raise ApiError(401, _NO_CREDENTIAL + _AUTH_HELP, "UNAUTHENTICATED")
        if sent.removeprefix("Bearer ").strip() not in self.tokens:
            raise ApiError(401, _BAD_CREDENTIAL + _AUTH_HELP, "UNAUTHENTICATED")

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
            "sheets.spreadsheets.developerMetadata.get": lambda: getsheet.metadata_get(
                ss, match["mid"]
            ),
            "sheets.spreadsheets.developerMetadata.search": lambda: getsheet.metadata_search(
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


class ScriptedBody(Exception):
    """A scripted error answered with its own envelope."""

    def __init__(self, status: int, body: Any) -> None:
        error = body.get("error") if isinstance(body, dict) else None
        super().__init__(str(error.get("message", "")) if isinstance(error, dict) else "")
        self.status = status
        self.body = body


_NO_CREDENTIAL = "Request is missing required authentication credential."
_BAD_CREDENTIAL = "Request had invalid authentication credentials."
_AUTH_HELP = (
    " Expected OAuth 2 access token, login cookie or other valid authentication credential."
    " See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


def _fault_message(status: int) -> str:
    return {
        429: "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per "
        "minute per user' of service 'sheets.googleapis.com'.",
        500: "Internal error encountered.",
        503: "The service is currently unavailable.",
    }.get(status, f"Scripted failure ({status}).")
