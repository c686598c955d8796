"""What the emulator records and scripts: responses, faults, request events, counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .routes import WRITE_METHODS


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
    """What a hook sees: before a request is handled (``on_request``) and, the same event,
    after it was applied and before its response goes out (``on_response``)."""

    method_id: str
    spreadsheet_id: str | None
    http_method: str
    index: int  # how many requests came before this one
    token: str | None = None  # the bearer token sent, if any
    user_agent: str | None = None
    host: str | None = None  # the X-Sheetcrm-Host header, when the client sends one

    @property
    def client(self) -> str | None:
        """Who sent it, so a test running two clients can tell them apart: the
        X-Sheetcrm-Host header, else the bearer token, else the User-Agent."""
        return self.host or self.token or self.user_agent

    @classmethod
    def of(
        cls,
        method_id: str,
        spreadsheet_id: str | None,
        http_method: str,
        index: int,
        headers: dict[str, str],
    ) -> RequestEvent:
        low = {k.lower(): v for k, v in headers.items()}
        auth = low.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else None
        return cls(
            method_id,
            spreadsheet_id,
            http_method,
            index,
            token or None,
            low.get("user-agent"),
            low.get("x-sheetcrm-host"),
        )


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


class ScriptedBody(Exception):
    """A scripted error answered with its own envelope."""

    def __init__(self, status: int, body: Any) -> None:
        error = body.get("error") if isinstance(body, dict) else None
        super().__init__(str(error.get("message", "")) if isinstance(error, dict) else "")
        self.status = status
        self.body = body


NO_CREDENTIAL = "Request is missing required authentication credential."
BAD_CREDENTIAL = "Request had invalid authentication credentials."
AUTH_HELP = (
    " Expected OAuth 2 access token, login cookie or other valid authentication credential."
    " See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


def fault_message(status: int) -> str:
    return {
        429: "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per "
        "minute per user' of service 'sheets.googleapis.com'.",
        500: "Internal error encountered.",
        503: "The service is currently unavailable.",
    }.get(status, f"Scripted failure ({status}).")
