"""How a failed request is classified, beyond what the fresh-process tests of
test_failures.py drive: a short retry policy still ends in "cannot reach …", Retry-After in
both of its forms, a captive portal's certificate or a dead proxy as "never connected"."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
import requests

from sheetcrm.backends.gsheets import failures
from sheetcrm.backends.gsheets.retry import RemoteFailure, RetryPolicy
from sheetcrm.errors import OfflineError


def offline_call():
    raise RemoteFailure("no connection", offline=True)


def test_fewer_attempts_than_offline_attempts_still_says_cannot_reach():
    retry = RetryPolicy(attempts=2, sleep=lambda _s: None, rng=random.Random(1))
    with pytest.raises(RemoteFailure) as info:
        retry.run(offline_call, idempotent=True, step="reading")
    assert info.value.offline
    error = failures.final(info.value, sid="S", step="reading")
    assert isinstance(error, OfflineError)
    assert str(error).startswith("cannot reach Google (offline?)")


def response(status: int, retry_after: str) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r.headers["Retry-After"] = retry_after
    r._content = b'{"error": {"code": 429, "message": "Quota exceeded"}}'
    return r


def test_retry_after_in_seconds_or_as_an_http_date():
    assert failures.from_response(response(429, "8")).retry_after == 8.0
    now = datetime(2025, 10, 4, 10, 0, 0, tzinfo=UTC)
    later = "Sat, 04 Oct 2025 10:00:30 GMT"
    assert failures.retry_after_seconds(later, now=now) == 30.0
    assert failures.retry_after_seconds("Sat, 04 Oct 2025 09:00:00 GMT", now=now) == 0.0
    dated = failures.from_response(response(429, "Wed, 21 Oct 2099 07:28:00 GMT"))
    assert dated.retry_after is not None and dated.retry_after > 0


def test_an_unparseable_retry_after_is_ignored():
    assert failures.from_response(response(503, "soon, probably")).retry_after is None


@pytest.mark.parametrize(
    "exc",
    [
        requests.exceptions.SSLError("certificate verify failed: captive portal"),
        requests.exceptions.ProxyError("Unable to connect to proxy"),
    ],
)
def test_a_captive_portal_or_a_dead_proxy_is_never_connected(exc):
    failure = failures.classify(exc)
    assert failure is not None and failure.offline and not failure.ambiguous
    assert str(failures.final(failure, sid="S", step="reading")).startswith(
        "cannot reach Google (offline?)"
    )
