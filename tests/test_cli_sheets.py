"""The README's Google Sheets story end to end: the CLI against the emulator over HTTP."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sheetcrm.cli import cli
from sheetcrm.emulator import Emulator, LoopbackServer


@pytest.fixture
def served(monkeypatch, tmp_path):
    emu = Emulator()
    sheet = emu.create_spreadsheet("crm")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    with LoopbackServer(emu) as server:
        monkeypatch.setenv("SHEETCRM_API_ENDPOINT", server.url)
        yield emu, sheet


def run(*args, code=0):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_init_and_demo_on_google_sheets(served):
    emu, sheet = served
    assert "10 tabs added" in run("init", "--sheet", sheet.id)
    out = run("demo", "--sheet", sheet.id, "--as-of", "2026-11-21")
    assert "Customers    300" in out
    assert "nothing to change" in run("demo", "--sheet", sheet.id, "--as-of", "2026-11-21")
    # every body was schema-valid, and no read probed for a tab that did not exist yet
    # (the data tabs before `init`, the dashboard tabs before the first refresh)
    assert emu.stats.errors == []
    records = json.loads(
        run("show", "Customers", "--sheet", sheet.id, "--format", "json", "--limit", "2")
    )
    assert records[0]["customer_id"].startswith("C-") and records[0]["phone"].startswith("+")
    url = f"https://docs.google.com/spreadsheets/d/{sheet.id}/edit#gid=0"
    assert "customer_id" in run("show", "Customers", "--sheet", url, "--limit", "1")


def test_errors_are_one_line_with_exit_codes(served):
    emu, sheet = served
    out = run("init", "--sheet", "1" + "z" * 43, code=3)
    assert out.startswith("sheetcrm: error: spreadsheet 1zzz") and out.count("\n") == 1
    emu.deny(sheet.id)
    out = run("init", "--sheet", sheet.id, code=7)
    assert "no access to spreadsheet" in out


def test_rate_limited_run_exits_6(served, monkeypatch):
    emu, sheet = served
    import sheetcrm.backends.gsheets.retry as retry

    monkeypatch.setattr(retry.time, "sleep", lambda s: None)
    emu.fail("spreadsheets.batchUpdate", 429, times=50)
    out = run("init", "--sheet", sheet.id, code=6)
    assert "rate limited" in out
