"""``sheetcrm emulator serve`` in a process of its own takes scripted faults over loopback
when $SHEETCRM_EMULATOR_CONTROL_TOKEN is set, and keeps the route off when it is not."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from sheetcrm.emulator.control import CONTROL_HEADER, CONTROL_PATH


@contextmanager
def served(tmp_path, **env: str) -> Iterator[tuple[str, str]]:
    environ = {k: v for k, v in os.environ.items() if k != "SHEETCRM_EMULATOR_CONTROL_TOKEN"}
    environ |= {"PYTHONUNBUFFERED": "1", **env}
    server = subprocess.Popen(
        [sys.executable, "-m", "sheetcrm", "emulator", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=environ,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split()[-1]
        sheet = server.stdout.readline().split()[-1]
        yield url, sheet
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_served_emulator_takes_faults_from_a_test(tmp_path):
    with served(tmp_path, SHEETCRM_EMULATOR_CONTROL_TOKEN="ctl-token") as (url, sheet):
        target = f"{url}/v4/spreadsheets/{sheet}/values/A1"
        scripted = requests.post(
            url + CONTROL_PATH,
            json={"match": "values.get", "status": 503, "times": 2},
            headers={CONTROL_HEADER: "ctl-token"},
            timeout=10,
        )
        assert scripted.status_code == 200
        assert [requests.get(target, timeout=10).status_code for _ in range(3)] == [503, 503, 200]
        refused = requests.post(
            url + CONTROL_PATH, json={"match": "x"}, headers={CONTROL_HEADER: "guess"}, timeout=10
        )
        assert refused.status_code == 403
        stats = requests.get(url + "/_emulator/stats", timeout=10).json()
        assert stats["requests"] == {"sheets.spreadsheets.values.get": 3}


def test_without_a_control_token_the_route_is_off(tmp_path):
    with served(tmp_path) as (url, _):
        answer = requests.post(
            url + CONTROL_PATH, json={"match": "x"}, headers={CONTROL_HEADER: ""}, timeout=10
        )
        assert answer.status_code == 404
