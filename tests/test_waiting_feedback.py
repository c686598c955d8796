"""While sheetcrm waits before a retry (or to stay under the write quota) it says why on
stderr, through a callable the CLI passes in; ``--quiet`` silences it. The policy itself
prints nothing. A connection that cannot be made is retried briefly, never for minutes."""

from __future__ import annotations

import random

import pytest
from support import run_sheetcrm

from sheetcrm.backends.gsheets.retry import RemoteFailure, RetryPolicy, Throttle


def policy(said: list[str], **kw) -> RetryPolicy:
    return RetryPolicy(sleep=lambda _s: None, rng=random.Random(7), report=said.append, **kw)


def failing(*failures: RemoteFailure):
    queue = list(failures)

    def call():
        if queue:
            raise queue.pop(0)
        return "done"

    return call


def test_each_noticeable_wait_is_reported_with_its_reason():
    said: list[str] = []
    call = failing(
        RemoteFailure("Quota exceeded", status=429, retry_after=8),
        RemoteFailure("The service is currently unavailable.", status=503, retry_after=2),
    )
    assert policy(said).run(call, idempotent=True, step="reading") == "done"
    assert said == [
        "rate limited by Google; retrying in 8.0 s (attempt 2/6)",
        "Google answered 503 (The service is currently unavailable.); "
        "retrying in 2.0 s (attempt 3/6)",
    ]


def test_short_waits_pass_without_a_word():
    said: list[str] = []
    call = failing(RemoteFailure("Internal error encountered.", status=500))
    policy(said).run(call, idempotent=True, step="reading")  # full jitter below 0.5 s
    assert said == []


def test_no_connection_is_tried_three_times_then_reported_as_offline():
    said: list[str] = []
    tries = []

    def offline():
        tries.append(1)
        raise RemoteFailure("no connection", offline=True)

    retry = policy(said)
    with pytest.raises(RemoteFailure) as info:
        retry.run(offline, idempotent=False, step="writing")  # never sent: safe to repeat
    assert info.value.offline and len(tries) == 3
    assert sum(retry.waits) < 1.5 and said == []


def test_the_throttle_says_why_it_pauses():
    said: list[str] = []
    now = [0.0]
    throttle = Throttle(
        per_minute=2,
        sleep=lambda s: now.__setitem__(0, now[0] + s),
        clock=lambda: now[0],
        report=said.append,
    )
    for _ in range(3):
        throttle.wait()
    assert said == ["pausing 60 s to stay within Google's 2 writes a minute"]


def test_the_cli_says_it_is_rate_limited_unless_quiet(emu, tmp_path):
    sheet = emu.create_spreadsheet().id
    env = {"SHEETCRM_API_ENDPOINT": emu.url, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert run_sheetcrm("init", "--sheet", sheet, env=env, cwd=tmp_path).returncode == 0
    emu.fail("", 429, retry_after=1)
    shown = run_sheetcrm("show", "Leads", "--sheet", sheet, env=env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stderr == "sheetcrm: rate limited by Google; retrying in 1.0 s (attempt 2/6)\n"
    emu.fail("", 429, retry_after=1)
    quiet = run_sheetcrm("--quiet", "show", "Leads", "--sheet", sheet, env=env, cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == ""
    emu.fail("", 429, retry_after=1)
    own = ("init", "--quiet", "--sheet", sheet)
    assert run_sheetcrm(*own, env=env, cwd=tmp_path).stderr == ""
