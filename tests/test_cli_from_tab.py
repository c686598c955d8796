"""``sheetcrm import --from-tab``: a Google Form's responses tab, imported from the command
line on a local workbook and on Google Sheets (a fresh process against the emulator)."""

from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner
from support import one_line, run_sheetcrm

from sheetcrm.cli import cli

FORM = "Form Responses 1"
HEADER = ["Timestamp", "Email Address", "Your name", "How did you hear about us?"]
ROWS = [
    ["2025-10-04 10:00:00", "ana@example.com", "Ana", "Instagram"],
    ["2025-10-05 11:30:00", "ben@example.com", "Ben", "a friend"],
    ["2025-10-05 12:00:00", "not-an-email", "Cy", ""],
]


@pytest.fixture
def workbook(tmp_path, monkeypatch):
    import openpyxl

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    assert CliRunner().invoke(cli, ["init", "-q"]).exit_code == 0
    book = openpyxl.load_workbook(tmp_path / "crm.xlsx")
    sheet = book.create_sheet(FORM)
    for row in (HEADER, *ROWS):
        sheet.append(row)
    book.save(tmp_path / "crm.xlsx")
    return tmp_path


def test_import_from_tab_on_a_workbook(workbook):
    runner = CliRunner()
    out = runner.invoke(cli, ["import", "--from-tab", FORM], catch_exceptions=False)
    assert out.exit_code == 8, out.output  # a response set aside: cron must know
    assert f"Imported {FORM} into Leads — 3 rows: 2 created, 1 quarantined" in out.output
    again = runner.invoke(cli, ["import", "--from-tab", FORM, "--preset", "google-form"])
    assert again.exit_code == 8 and "2 unchanged, 1 quarantined" in again.output, again.output
    shown = runner.invoke(cli, ["show", "Leads", "--format", "json"])
    assert [(r["email"], r["source"]) for r in json.loads(shown.output)] == [
        ("ana@example.com", "instagram"),
        ("ben@example.com", "referral"),
    ]


def test_import_from_tab_into_a_named_tab_and_a_missing_tab(workbook):
    runner = CliRunner()
    out = runner.invoke(cli, ["import", "--from-tab", FORM, "--tab", "Customers"])
    assert out.exit_code == 8 and "into Customers — 3 rows: 2 created" in out.output, out.output
    missing = runner.invoke(cli, ["import", "--from-tab", "Form Responses 9"])
    assert missing.exit_code == 3 and "has no tab 'Form Responses 9'" in missing.output
    assert missing.output.count("\n") == 1


def test_import_from_tab_on_google_sheets_in_a_fresh_process(tmp_path):
    import gspread
    from google.auth.credentials import AnonymousCredentials

    from sheetcrm.backends.gsheets.endpoint import mount_endpoint
    from sheetcrm.emulator import Emulator, LoopbackServer

    emulator = Emulator()
    sheet = emulator.create_spreadsheet("Shop").id
    with LoopbackServer(emulator) as server:
        env = {"SHEETCRM_API_ENDPOINT": server.url}

        def sheetcrm(*args: str) -> subprocess.CompletedProcess[str]:
            return run_sheetcrm(*args, "--sheet", sheet, env=env, cwd=tmp_path)

        assert sheetcrm("init").returncode == 0
        client = gspread.Client(AnonymousCredentials())
        mount_endpoint(client.http_client.session, server.url)
        responses = client.open_by_key(sheet).add_worksheet(FORM, rows=20, cols=4)
        responses.update([HEADER, *ROWS], "A1", value_input_option="USER_ENTERED")
        emulator.stats.reset()
        out = sheetcrm("import", "--from-tab", FORM)
        assert out.returncode == 8, out.stderr  # done, with a response set aside
        assert "3 rows: 2 created, 1 quarantined" in out.stdout
        assert "1 of 3 rows set aside in _quarantine" in one_line(out)
        # one read (the responses with the tabs the import needs); the lease's small apply
        # (locate, tag, re-read and write by data filter: 2 writes); the main apply
        # (locate, tag batch, re-read, write by data filter, appendCells: 3 writes)
        assert emulator.stats.requests["sheets.spreadsheets.values.batchGet"] == 3
        assert emulator.stats.requests["sheets.spreadsheets.values.batchGetByDataFilter"] == 2
        assert emulator.stats.writes == 5
        again = sheetcrm("import", "--from-tab", FORM)
        assert again.returncode == 8 and "2 unchanged, 1 quarantined" in again.stdout
        quarantine = json.loads(sheetcrm("show", "_quarantine", "--format", "json").stdout)
        assert [(r["row"], r["value"]) for r in quarantine] == [(4, "not-an-email")]
