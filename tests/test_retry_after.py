"""``Retry-After`` is the server's word on when its quota refills: honoured beyond our own
backoff cap, up to the run's deadline; a wait that would end after the deadline gives up at
once, with a RateLimitedError that says when to run again."""

from __future__ import annotations

import random

import pytest
from contract.harness import sheets_backend
from support import one_line, run_sheetcrm

from sheetcrm.backends.gsheets.retry import RemoteFailure, RetryPolicy
from sheetcrm.crm import CRM
from sheetcrm.errors import RateLimitedError


class Clock:
    """A clock that moves only when the policy sleeps."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def policy(clock: Clock, **kw) -> RetryPolicy:
    return RetryPolicy(
        sleep=clock.sleep, clock=clock, wall=lambda: 1_750_000_000.0, rng=random.Random(5), **kw
    )


def busy(*after: float | None):
    """A call that answers 429 with these Retry-After values, then succeeds."""
    left = list(after)
    calls: list[float] = []

    def call() -> str:
        calls.append(1)
        if left:
            raise RemoteFailure("quota", status=429, retry_after=left.pop(0))
        return "done"

    return call, calls


def test_a_retry_after_longer_than_the_cap_is_waited_in_full():
    clock = Clock()
    retry = policy(clock)
    call, calls = busy(40)
    assert retry.run(call, idempotent=True, step="reading") == "done"
    assert retry.waits == [40] and retry.cap < 40 and len(calls) == 2


def test_retry_afters_add_up_to_the_deadline_and_no_further():
    clock = Clock()
    retry = policy(clock, deadline=100)
    call, calls = busy(45, 45, 45)
    with pytest.raises(RateLimitedError) as caught:
        retry.run(call, idempotent=True, step="reading the tabs")
    assert retry.waits == [45, 45] and len(calls) == 3  # the third wait would end at 135 s
    err = caught.value
    assert err.retry_at == 1_750_000_000.0 + 45
    assert "Google asks to wait 45 s, past this run's 100 s limit: run again after" in str(err)


def test_a_wait_past_the_deadline_gives_up_at_once_without_sleeping():
    clock = Clock()
    retry = policy(clock, deadline=120)
    call, calls = busy(3600)
    with pytest.raises(RateLimitedError, match=r"run again after \d\d:\d\d:\d\d") as caught:
        retry.run(call, idempotent=False, step="writing")
    assert retry.waits == [] and clock.now == 1_000.0 and len(calls) == 1
    assert caught.value.retry_at == 1_750_000_000.0 + 3600


def test_our_own_backoff_still_applies_without_retry_after():
    clock = Clock()
    retry = policy(clock)
    call, _ = busy(None, None)
    retry.run(call, idempotent=True, step="reading")
    assert len(retry.waits) == 2 and all(w <= retry.cap for w in retry.waits)


def test_the_emulators_retry_after_is_honoured_beyond_the_cap(emu):
    """Over real HTTP: the emulator's 429 with ``Retry-After: 40`` makes the run wait 40 s
    (the sleep is injected), not the 32 s cap."""
    ss = emu.create_spreadsheet("crm")
    crm = CRM(backend=sheets_backend(emu, ss.id))
    crm.init()
    clock = Clock()
    crm.backend.retry = policy(clock)
    emu.fail("values.batchGet", 429, retry_after=40)
    assert crm.frame("Customers").empty
    assert crm.backend.retry.waits == [40]


def test_a_fresh_process_told_to_wait_an_hour_stops_at_once(emu, tmp_path):
    sheet = emu.create_spreadsheet().id
    env = {"SHEETCRM_API_ENDPOINT": emu.url, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert run_sheetcrm("init", "--sheet", sheet, env=env, cwd=tmp_path).returncode == 0
    emu.fail("", 429, retry_after=3600, times=10)
    # within the test's 60 s although told to wait an hour: it did not sleep
    shown = run_sheetcrm("show", "Leads", "--sheet", sheet, env=env, cwd=tmp_path, timeout=60)
    line = one_line(shown, 6)
    assert "Google asks to wait 3600 s" in line and "run again after" in line
