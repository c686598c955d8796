"""Two ways to reach the emulator: a ``requests`` adapter (in-process, no socket) and a
loopback HTTP server. Both hand every request to the same ``Emulator``.

The HTTP server also answers ``GET /_emulator/stats`` (not counted itself) with the
requests so far per method, the batchUpdate requests applied per kind
(``batch_requests``: ``setBasicFilter`` …), and the errors it answered, as JSON: how a
test (or ``curl``) counts what a separate ``sheetcrm`` process sent.

With a ``control_token``, it also takes scripted faults at ``/_emulator/faults`` (see
``control``): how a test drives fresh CLI processes against ``sheetcrm emulator serve``
running in a process of its own and still places a failure at an exact request."""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from .control import CONTROL_PATH, control
from .server import Emulator

#: The hosts gspread talks to; the adapter is mounted on both.
GOOGLE_HOSTS = ("https://sheets.googleapis.com/", "https://www.googleapis.com/")


class EmulatorAdapter(BaseAdapter):
    """A transport adapter that answers from an ``Emulator`` instead of the network."""

    def __init__(self, emulator: Emulator) -> None:
        super().__init__()
        self.emulator = emulator

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        """Answer from the emulator; the connection options have nothing to act on."""
        result = self.emulator.handle(
            request.method or "GET", request.url or "", _body(request), _headers(request)
        )
        if result.drop:
            raise requests.exceptions.ConnectionError(
                "connection reset after the request was sent (emulated)", request=request
            )
        response = requests.Response()
        response.status_code = result.status
        response._content = result.body
        response.headers = CaseInsensitiveDict(result.headers)
        response.url = request.url or ""
        response.request = request
        response.reason = "OK" if result.status < 400 else "Error"
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        """Nothing to release."""


def _body(request: requests.PreparedRequest) -> bytes | None:
    body = request.body
    if isinstance(body, str):
        return body.encode()
    if body is None or isinstance(body, bytes):
        return body
    raise TypeError("the emulator takes whole request bodies, not streams")


def _headers(request: requests.PreparedRequest) -> dict[str, str]:
    return {k: v if isinstance(v, str) else v.decode("latin-1") for k, v in request.headers.items()}


def mount(session: requests.Session, emulator: Emulator) -> None:
    """Route a session's Google API traffic to ``emulator`` (gspread itself is unchanged)."""
    adapter = EmulatorAdapter(emulator)
    for prefix in GOOGLE_HOSTS:
        session.mount(prefix, adapter)


#: Where the loopback server tells its counts (see the module docstring).
STATS_PATH = "/_emulator/stats"


def stats_json(emulator: Emulator) -> bytes:
    stats = emulator.stats
    return json.dumps(
        {
            "requests": dict(stats.requests),
            "total": stats.total,
            "writes": stats.writes,
            "errors": [list(e) for e in stats.errors],
            "batch_requests": dict(
                sum((ss.applied for ss in emulator.spreadsheets.values()), Counter[str]())
            ),
        }
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    emulator: Emulator
    control_token: str | None = None
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        url = f"http://{self.headers.get('Host', 'localhost')}{self.path}"
        if self.command == "GET" and self.path == STATS_PATH:
            self._send(200, {"Content-Type": "application/json"}, stats_json(self.emulator))
            return
        if self.path.split("?")[0] == CONTROL_PATH:
            status, answer = control(
                self.emulator,
                self.control_token,
                self.command,
                self.client_address[0],
                dict(self.headers),
                body,
            )
            self._send(status, {"Content-Type": "application/json"}, answer)
            return
        result = self.emulator.handle(self.command, url, body, dict(self.headers))
        if result.drop:  # applied, but the client never hears back
            self.close_connection = True
            return
        self._send(result.status, result.headers, result.body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the emulator keeps its own counts."""


class LoopbackServer:
    """The emulator on 127.0.0.1 over real HTTP; ``url`` is its base address."""

    def __init__(
        self,
        emulator: Emulator,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        control_token: str | None = None,
    ) -> None:
        handler = type(
            "Handler", (_Handler,), {"emulator": emulator, "control_token": control_token}
        )
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.emulator = emulator
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> LoopbackServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
