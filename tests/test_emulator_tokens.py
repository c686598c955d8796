"""The emulator's token requirement: the tokens may come from $SHEETCRM_EMULATOR_TOKENS (off
the command line, which every user of the machine can see), and the token is checked before
a scripted fault is used up, so a 401 does not swallow the failure meant for the next
request."""

from __future__ import annotations

import os
import subprocess
import sys

import requests

from sheetcrm.emulator import Emulator


def get(emu: Emulator, sid: str, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{sid}"
    return emu.handle("GET", url, None, headers).status


def test_a_401_does_not_use_up_a_scripted_fault():
    emu = Emulator(tokens=("ya29.ok",))
    sid = emu.create_spreadsheet().id
    emu.fail("spreadsheets.get", 503)
    assert get(emu, sid, None) == 401
    assert get(emu, sid, "ya29.wrong") == 401
    assert get(emu, sid, "ya29.ok") == 503  # the fault was still there
    assert get(emu, sid, "ya29.ok") == 200


def test_tokens_from_the_environment(tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "SHEETCRM_EMULATOR_TOKENS": "ya29.a, ya29.b"}
    server = subprocess.Popen(
        [sys.executable, "-m", "sheetcrm", "emulator", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split()[-1]
        sheet = server.stdout.readline().split()[-1]
        target = f"{url}/v4/spreadsheets/{sheet}"
        assert requests.get(target, timeout=10).status_code == 401
        for token in ("ya29.a", "ya29.b"):
            answer = requests.get(target, headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert answer.status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
