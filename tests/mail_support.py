"""Real local servers messages go to: SMTP (aiosmtpd) and HTTP (webhooks, Slack, Trello),
each on a free port of 127.0.0.1, each keeping what it received for the test to read."""

from __future__ import annotations

import email
import json
import socket
import threading
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sheetcrm.config import Config, parse_config


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""

    def __init__(self, refuse: set[str] = frozenset()) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        box = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, options):
                if address in refuse:
                    return "550 5.1.1 no such user here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                msg = email.message_from_bytes(envelope.content, policy=policy.default)
                box.messages.append((list(envelope.rcpt_tos), msg))
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=_free_port())

    def __enter__(self) -> Mailbox:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    def smtp_config(self, **extra) -> Config:
        return parse_config(
            {
                "smtp": {
                    "host": "127.0.0.1",
                    "port": self.port,
                    "security": "none",
                    "from": "Shop <shop@example.com>",
                },
                **extra,
            }
        )


class Received:
    """One HTTP request the server got: method, path (with query), headers, body."""

    def __init__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        self.method, self.path, self.headers, self.body = method, path, headers, body

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class WebhookServer:
    """A real HTTP server on 127.0.0.1 that keeps every request. ``replies``: the status
    codes to answer with, in turn (then 200), to play a failing or rate-limiting
    endpoint; ``delay``: seconds to wait before answering (a hung endpoint)."""

    def __init__(self, replies: list[int] | None = None, delay: float = 0.0) -> None:
        self.requests: list[Received] = []
        self.replies = list(replies or [])
        self.delay = delay
        box = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                box.requests.append(
                    Received(self.command, self.path, dict(self.headers.items()), body)
                )
                if box.delay:
                    threading.Event().wait(box.delay)
                code = box.replies.pop(0) if box.replies else 200
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"id": "card1", "ok": true}' if code < 300 else b"{}")

            do_POST = do_PUT = do_GET = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


def private_mail_dirs(tmp_path: Any, monkeypatch: Any) -> None:
    """This test's own cache and outbox folders, and none of the tester's SMTP settings."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    for name in ("HOST", "PORT", "USER", "PASSWORD", "FROM", "SECURITY"):
        monkeypatch.delenv(f"SHEETCRM_SMTP_{name}", raising=False)
