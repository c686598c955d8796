"""Scripted faults over HTTP, for an emulator served in a process of its own.

``POST /_emulator/faults`` with a JSON object (or a list of them) mirroring
``Emulator.fail`` / ``Emulator.drop_response``::

    {"match": "values.batchUpdateByDataFilter", "status": 503, "times": 1,
     "retry_after": 7, "message": "...", "body": {...}}
    {"match": "spreadsheets.batchUpdate", "drop": true, "times": 1}

``GET`` lists the faults still waiting, ``DELETE`` clears them. The route answers only
requests from a loopback address that carry the server's control token in the
``X-Emulator-Control`` header (403 otherwise), and only when the server was given a token
(404 otherwise), so a served emulator cannot be steered by anyone who can merely reach it.
Its requests are not counted in the stats.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from typing import Any

from .records import Fault
from .server import Emulator

CONTROL_PATH = "/_emulator/faults"
CONTROL_HEADER = "X-Emulator-Control"
_FIELDS = {"match", "status", "times", "retry_after", "message", "body", "drop"}


def _fault_json(fault: Fault) -> dict[str, Any]:
    return {
        "match": fault.match,
        "status": fault.status,
        "times": fault.times,
        "retry_after": fault.retry_after,
        "message": fault.message,
        "body": fault.body,
        "drop": fault.drop,
    }


def _answer(status: int, data: Any) -> tuple[int, bytes]:
    return status, json.dumps(data).encode()


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def control(
    emulator: Emulator,
    token: str | None,
    verb: str,
    address: str,
    headers: dict[str, str],
    body: bytes | None,
) -> tuple[int, bytes]:
    """Answer one control request: (status, JSON body)."""
    if token is None:
        return _answer(404, {"error": "the control route is off (no control token)"})
    sent = next((v for k, v in headers.items() if k.lower() == CONTROL_HEADER.lower()), "")
    if not _loopback(address) or not hmac.compare_digest(sent.encode(), token.encode()):
        return _answer(403, {"error": "the control route takes loopback requests with its token"})
    with emulator.lock:
        if verb == "DELETE":
            emulator.faults.clear()
        elif verb == "POST":
            try:
                specs = json.loads(body or b"null")
                for spec in specs if isinstance(specs, list) else [specs]:
                    _add(emulator, spec)
            except (ValueError, TypeError) as exc:
                return _answer(400, {"error": str(exc)})
        elif verb != "GET":
            return _answer(405, {"error": f"{verb} is not a control verb (GET, POST, DELETE)"})
        return _answer(200, {"faults": [_fault_json(f) for f in emulator.faults]})


def _add(emulator: Emulator, spec: Any) -> None:
    if not isinstance(spec, dict):
        raise TypeError("a fault is a JSON object")
    unknown = set(spec) - _FIELDS
    if unknown:
        raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
    match, times = spec.get("match"), spec.get("times", 1)
    if not isinstance(match, str) or not match:
        raise ValueError("'match' (part of a method id, e.g. 'values.batchUpdate') is required")
    if not isinstance(times, int) or isinstance(times, bool) or times < 1:
        raise ValueError("'times' must be a positive integer")
    if spec.get("drop"):
        emulator.drop_response(match, times=times)
        return
    status, retry = spec.get("status", 500), spec.get("retry_after")
    if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
        raise ValueError("'status' must be an HTTP error status (400-599)")
    if retry is not None and (not isinstance(retry, int | float) or isinstance(retry, bool)):
        raise ValueError("'retry_after' must be a number of seconds")
    message = spec.get("message", "")
    if not isinstance(message, str):
        raise ValueError("'message' must be a string")
    emulator.fail(
        match, status, times=times, retry_after=retry, message=message, body=spec.get("body")
    )
