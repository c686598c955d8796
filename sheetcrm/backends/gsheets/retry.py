"""Retries and throttling for remote backends: our own policy, not the client library's.

Truncated exponential backoff with full jitter (sleep = uniform(0, min(cap, base·2ⁿ))),
bounded by attempts and by a deadline; a loop, never recursion. The server's
``Retry-After`` is honoured beyond the backoff cap (Google knows when its quota refills)
but never past the run's deadline: a wait that would end after it gives up at once, with
a ``RateLimitedError`` that says when to run again.
Only requests that are safe to repeat are retried; an ambiguous failure of anything else
is reported so the caller can re-read and reconcile instead of writing twice. A request
that never left (no connection) is safe to repeat, but only a few times: a machine that
is offline should hear so in a second, not in two minutes. A client side throttle keeps
writes within the per-minute quota. Both say on ``report`` (a callable the CLI passes in)
when they are about to wait a noticeable time, so a person knows why nothing happens.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sheetcrm.errors import RateLimitedError, TransientError

T = TypeVar("T")

RETRYABLE_STATUS = {429, 500, 502, 503, 504}


class RemoteFailure(Exception):
    """A failed request as the policy sees it (raised by the backend's request function)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        ambiguous: bool = False,
        offline: bool = False,
        unsent: bool = False,
        reason: str | None = None,
        link: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.ambiguous = ambiguous  # the request may have been applied (timeout, dropped)
        self.offline = offline  # no connection could be made: nothing was sent
        self.unsent = unsent or offline  # the request never left: safe to repeat
        self.reason = reason  # Google's machine-readable reason (SERVICE_DISABLED, …)
        self.link = link  # a help link from the error's details

    @property
    def retryable(self) -> bool:
        return self.ambiguous or self.unsent or self.status in RETRYABLE_STATUS

    def waiting(self, seconds: float, attempt: int, attempts: int) -> str:
        """What a person is told while the policy waits before ``attempt``."""
        then = f"retrying in {_seconds(seconds)} (attempt {attempt}/{attempts})"
        if self.status == 429:
            return f"rate limited by Google; {then}"
        if self.offline:
            return f"cannot reach Google ({self}); {then}"
        if self.status:
            return f"Google answered {self.status} ({self}); {then}"
        return f"Google did not answer ({self}); {then}"


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 10 else f"{value:.1f} s"


class AmbiguousWrite(TransientError):
    """A non-idempotent write may or may not have happened; re-read before going on."""


@dataclass
class RetryPolicy:
    """How often and how long to retry; ``sleep``, ``clock`` and ``rng`` are injectable."""

    attempts: int = 6
    offline_attempts: int = 3  # when no connection can be made at all
    base: float = 0.5
    cap: float = 32.0
    deadline: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time  # for "run again after HH:MM"
    rng: random.Random = field(default_factory=random.Random)
    waits: list[float] = field(default_factory=list)  # what it slept, for tests and logs
    report: Callable[[str], None] | None = None  # told about each wait of a second or more
    notice: float = 1.0  # shorter waits pass without a word

    def delay(self, attempt: int, failure: RemoteFailure) -> float:
        """Our backoff, or the server's ``Retry-After`` when longer (not cut to ``cap``)."""
        backoff = self.rng.uniform(0, min(self.cap, self.base * 2**attempt))
        if failure.retry_after is not None:
            return max(backoff, failure.retry_after)
        return backoff

    def _told_to_wait_too_long(self, step: str, failure: RemoteFailure, wait: float) -> None:
        """The server asked for a wait that ends after the run's deadline: stop now."""
        at = self.wall() + wait
        when = dt.datetime.fromtimestamp(at).strftime("%H:%M:%S")
        what = "rate limited" if failure.status == 429 else f"Google answered {failure.status}"
        raise RateLimitedError(
            f"{what}: {step} did not complete ({failure}); Google asks to wait "
            f"{_seconds(wait)}, past this run's {_seconds(self.deadline)} limit: run again "
            f"after {when}",
            retry_at=at,
        )

    def run(self, call: Callable[[], T], *, idempotent: bool, step: str) -> T:
        """Run ``call`` with retries; raise a one-line ``TransientError`` when giving up."""
        start = self.clock()
        last: RemoteFailure | None = None
        for attempt in range(self.attempts):
            try:
                return call()
            except RemoteFailure as failure:
                last = failure
                if not failure.retryable:
                    raise
                if not idempotent and not failure.unsent and failure.status != 429:
                    # dropped, timed out or a 5xx on a non-idempotent write: it may be applied
                    raise AmbiguousWrite(f"{step}: {failure} (it may have been applied)") from None
                wait = self.delay(attempt, failure)
                allowed = (
                    min(self.offline_attempts, self.attempts) if failure.offline else self.attempts
                )
                late = self.clock() - start + wait > self.deadline
                if late and failure.retry_after is not None and wait >= failure.retry_after:
                    self._told_to_wait_too_long(step, failure, wait)
                if attempt >= allowed - 1 or late:
                    break
                self.waits.append(wait)
                if self.report is not None and wait >= self.notice:
                    self.report(failure.waiting(wait, attempt + 2, allowed))
                self.sleep(wait)
        assert last is not None
        if last.offline:
            raise last  # "cannot reach …", however many attempts were allowed
        if last.status == 429:
            raise RateLimitedError(
                f"rate limited: {step} did not complete after {self.attempts} attempts "
                f"({last}); run again in a minute"
            )
        raise TransientError(
            f"{step} did not complete after {self.attempts} attempts ({last}); run again later"
        )


@dataclass
class Throttle:
    """At most ``per_minute`` writes in any 60 seconds (sliding window)."""

    per_minute: int = 60
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    report: Callable[[str], None] | None = None
    _times: deque[float] = field(default_factory=deque)

    def wait(self) -> None:
        now = self.clock()
        while self._times and now - self._times[0] >= 60:
            self._times.popleft()
        if len(self._times) >= self.per_minute:
            pause = 60 - (now - self._times[0])
            if pause > 0:
                if self.report is not None and pause >= 1:
                    self.report(
                        f"pausing {_seconds(pause)} to stay within Google's "
                        f"{self.per_minute} writes a minute"
                    )
                self.sleep(pause)
            self._times.popleft()
        self._times.append(self.clock())
