"""One JSON POST, tried again on what is worth trying again: 408, 425, 429 and 5xx
answers and a refused or dropped connection, with exponential backoff (``backoff``,
doubled each time) or the server's ``Retry-After`` — each wait capped at ``max_wait``.

A server that takes the request but does not answer within ``timeout`` is not asked
again: the post may have arrived, and a second one would be a duplicate in the channel.
Stdlib ``urllib`` on purpose: it logs nothing, so no URL (whose path is a secret) can end
up in a log at any level.
"""

from __future__ import annotations

import email.utils
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from sheetcrm.outputs.notify.settings import Retry

RETRIED = frozenset({408, 425, 429, 500, 502, 503, 504})


class Undelivered(Exception):
    """Not delivered after the tries allowed; ``str`` is the reason (no secret in it)."""


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number, or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def wait_before(attempt: int, policy: Retry, asked: float | None) -> float:
    """The wait before try ``attempt + 1``: what the server asked, else the backoff;
    never more than ``max_wait``."""
    wait = asked if asked is not None else policy.backoff * 2**attempt
    return min(wait, policy.max_wait)


def post_json(
    url: str,
    payload: dict[str, Any],
    policy: Retry,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """POST ``payload`` as JSON to ``url``; the answer's body, or ``Undelivered``."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "sheetcrm"}
    for attempt in range(policy.retries + 1):
        last = attempt == policy.retries
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=policy.timeout) as answer:
                return bytes(answer.read())
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code not in RETRIED or last:
                tries = f" after {attempt + 1} tries" if attempt else ""
                raise Undelivered(f"answered HTTP {exc.code}{tries}") from None
            asked = retry_after(exc.headers.get("Retry-After")) if exc.headers else None
        except urllib.error.URLError as exc:  # no connection: nothing was sent
            if last:
                why = getattr(exc.reason, "strerror", None) or str(exc.reason)
                raise Undelivered(f"could not connect ({why}) after {attempt + 1} tries") from None
            asked = None
        except (TimeoutError, OSError) as exc:  # sent, but no (whole) answer
            what = (
                f"did not answer within {policy.timeout:g} s"
                if isinstance(exc, TimeoutError)
                else f"dropped the connection ({exc.strerror or exc})"
            )
            raise Undelivered(f"{what}; it may have arrived, so it is not posted again") from None
        sleep(wait_before(attempt, policy, asked))
    raise AssertionError("unreachable")  # pragma: no cover
