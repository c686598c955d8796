"""The CLI against Google Sheets as a person runs it: every command a new process, the API
served by ``sheetcrm emulator serve`` on a free loopback port. A backend that needed an
earlier read in the same process (the KeyError '_audit' of every import) fails here."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from support import run_sheetcrm

FORM = (
    "Timestamp,Email Address,Your name,Phone number,How did you hear about us?,Message\n"
    "2025-10-04 10:00:00,ana@example.com,Ana,+447400123456,Instagram,Do you ship abroad?\n"
    "2025-10-05 11:30:00,ben@example.com,Ben,,a friend,\n"
)


def sheetcrm(url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_sheetcrm(*args, env={"SHEETCRM_API_ENDPOINT": url}, cwd=cwd)


def test_init_then_import_a_google_form_each_in_a_fresh_process(served, tmp_path):
    url, sheet = served
    form = tmp_path / "form.csv"
    form.write_text(FORM, encoding="utf-8")
    init = sheetcrm(url, tmp_path, "init", "--sheet", sheet)
    assert init.returncode == 0, init.stderr
    form_import = ("import", str(form), "--preset", "google-form", "--sheet", sheet)
    imported = sheetcrm(url, tmp_path, *form_import)
    assert imported.returncode == 0, imported.stderr
    assert "2 created" in imported.stdout and imported.stderr == ""
    shown = sheetcrm(url, tmp_path, "show", "Leads", "--sheet", sheet, "--format", "json")
    assert shown.returncode == 0, shown.stderr
    leads = json.loads(shown.stdout)
    assert [(r["name"], r["email"], r["source"]) for r in leads] == [
        ("Ana", "ana@example.com", "instagram"),
        ("Ben", "ben@example.com", "referral"),
    ]
    audit = sheetcrm(url, tmp_path, "show", "_audit", "--sheet", sheet, "--format", "json")
    commands = [str(r["command"]) for r in json.loads(audit.stdout)]
    assert [c.split()[0] for c in commands if c.startswith("import")] == ["import"]
    again = sheetcrm(url, tmp_path, *form_import)
    assert again.returncode == 0, again.stderr
    assert "2 unchanged" in again.stdout, again.stdout
