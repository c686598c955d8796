"""``sheetcrm quarantine list|retry|clear`` as a person runs it: each command a fresh
process, on a local .xlsx and on Google Sheets (the emulator served over HTTP); bad input
and a failing save each one line with its exit code, nothing half-written."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from support import one_line, run_sheetcrm

from sheetcrm.cli import cli

#: A Google Form's responses (Persian and English answers): two "how did you hear" answers
#: no built-in spelling knows (cells set aside), one e-mail no one can write to (a row).
FORM = (
    "Timestamp,Email Address,Your name,Phone number,How did you hear about us?,Message\n"
    "2025-10-04 10:00:00,ana@example.com,Ana Lopes,+447400123456,Instagram,Do you ship?\n"
    "2025-10-04 11:30:00,sara@example.com,سارا محمدی,,بیلبورد اتوبان,\n"
    "2025-10-05 09:30:00,cy@,Cy Tran,,a friend,\n"
    "2025-10-05 12:00:00,dee@example.com,Dee Rahman,,IG Live,Price list?\n"
)
CONFIG = """
[locale]
region = "GB"

[vocab."Leads.source"]
"بیلبورد اتوبان" = "ads"
"IG Live" = "instagram"
"""


def entries(run, *extra: str) -> list[dict]:
    done = run("quarantine", "list", "--format", "json", *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def flow(run, folder: Path) -> None:
    """The story: import, look, fix the config, retry, clear what no config can fix."""
    (folder / "form.csv").write_text(FORM, encoding="utf-8")
    assert run("init").returncode == 0
    imported = run("import", "form.csv", "--preset", "google-form")
    assert imported.returncode == 8, imported.stderr
    listed = entries(run)
    assert [(e["row"], e["kind"], e["status"]) for e in listed] == [
        (3, "cell", "open"),
        (4, "row", "open"),
        (5, "cell", "open"),
    ]
    assert listed[1]["raw"]["Email Address"] == "cy@" and listed[1]["spec"]["tab"] == "Leads"
    table = run("quarantine", "list")
    assert "cy@" in table.stdout and "form.csv" in table.stdout and table.returncode == 0

    (folder / "sheetcrm.toml").write_text(CONFIG, encoding="utf-8")
    dry = run("quarantine", "retry", "--dry-run")
    assert dry.returncode == 0, dry.stderr  # a dry run is not a failure
    assert "would resolve" in dry.stdout and len(entries(run)) == 3  # nothing written

    retried = run("quarantine", "retry")
    assert retried.returncode == 8, retried.stderr
    assert one_line(retried) == (
        "sheetcrm: 1 entry still open in _quarantine; see `sheetcrm quarantine list`"
    )
    assert "3 entries retried: 2 resolved, 1 still open" in retried.stdout
    assert "still set aside: form.csv row 4, column 'Email Address': 'cy@'" in retried.stdout
    [left] = entries(run)
    assert left["row"] == 4
    leads = json.loads(run("show", "Leads", "--format", "json").stdout)
    sources = {r["email"]: r["source"] for r in leads}
    assert sources["sara@example.com"] == "ads" and sources["dee@example.com"] == "instagram"

    nothing = run("quarantine", "clear")
    assert one_line(nothing, 3) == (
        "sheetcrm: error: say which entries: their IDs, --source FILE, or --all"
    )
    unknown = run("quarantine", "clear", "Q-NOPE")
    assert "no entry 'Q-NOPE' in _quarantine" in one_line(unknown, 3)
    cleared = run("quarantine", "clear", left["quarantine_id"])
    assert cleared.returncode == 0 and "1 entry marked resolved" in cleared.stdout
    assert entries(run) == [] and len(entries(run, "--all")) == 3
    assert run("quarantine", "retry").stdout.strip() == "No open entries to retry."

    removed = run("quarantine", "clear", "--resolved", "--all")
    assert removed.returncode == 0, removed.stderr
    assert "3 resolved entries removed" in removed.stdout and "snapshot" in removed.stdout
    assert entries(run, "--all") == []


def test_the_quarantine_story_on_a_workbook(tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_sheetcrm(*args, cwd=tmp_path)

    flow(run, tmp_path)


def test_the_quarantine_story_on_google_sheets(served, tmp_path):
    url, sheet = served

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_sheetcrm(
            *args, "--sheet", sheet, env={"SHEETCRM_API_ENDPOINT": url}, cwd=tmp_path
        )

    flow(run, tmp_path)


def test_bad_options_are_usage_errors(tmp_path):
    assert run_sheetcrm("init", cwd=tmp_path).returncode == 0
    bad = run_sheetcrm("quarantine", "list", "--format", "xml", cwd=tmp_path)
    assert bad.returncode == 2 and "'xml' is not one of" in bad.stderr
    assert run_sheetcrm("quarantine", "list", cwd=tmp_path).stdout == (
        "No open entries in _quarantine.\n"
    )
    typo = run_sheetcrm("quarantine", "retry", "--source", "leads.csv", cwd=tmp_path)
    assert one_line(typo, 3) == (
        "sheetcrm: error: no entries from 'leads.csv' in _quarantine (sources: none yet)"
    )


def content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every tab's cells but the lease in ``_meta`` (taken and released around a save)."""
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [r for r in ws.iter_rows(values_only=True) if "lease" not in r]
        for ws in wb.worksheets
    }


def test_a_retry_whose_save_fails_is_exit_6_with_nothing_changed(tmp_path, monkeypatch):
    (tmp_path / "form.csv").write_text(FORM, encoding="utf-8")
    assert run_sheetcrm("init", cwd=tmp_path).returncode == 0
    run_sheetcrm("import", "form.csv", "--preset", "google-form", cwd=tmp_path)
    (tmp_path / "sheetcrm.toml").write_text(CONFIG, encoding="utf-8")
    before = content(tmp_path / "crm.xlsx")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    real = os.fsync

    def full(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", full)
    done = CliRunner().invoke(cli, ["quarantine", "retry"])
    assert done.exit_code == 6, done.output
    assert "nothing was changed" in one_line(done.stderr)
    assert content(tmp_path / "crm.xlsx") == before
    monkeypatch.setattr(os, "fsync", real)
    again = run_sheetcrm("quarantine", "retry", cwd=tmp_path)
    assert again.returncode == 8 and "2 resolved, 1 still open" in again.stdout
