"""The CLI against Google Sheets as a person runs it: every command a new process, the API
served by ``sheetcrm emulator serve`` on a free loopback port. A backend that needed an
earlier read in the same process (the KeyError '_audit' of every import) fails here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FORM = (
    "Timestamp,Email Address,Your name,Phone number,How did you hear about us?,Message\n"
    "2025-10-04 10:00:00,ana@example.com,Ana,+447400123456,Instagram,Do you ship abroad?\n"
    "2025-10-05 11:30:00,ben@example.com,Ben,,a friend,\n"
)


@pytest.fixture
def served(tmp_path):
    """``sheetcrm emulator serve --port 0``: the URL and spreadsheet ID it prints."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
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
        assert url.startswith("http://127.0.0.1:"), url
        yield url, sheet
    finally:
        server.terminate()
        server.wait(timeout=10)


def sheetcrm(url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHEETCRM_API_ENDPOINT": url}
    env.pop("SHEETCRM_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "sheetcrm", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


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
