"""Every Google failure a person can meet is one line on stderr and a documented exit code,
each command a fresh process: an expired sign-in, no connection (to Google, to the token
endpoint, to an emulator), the Sheets API switched off, a spreadsheet not shared, an .xlsx
in Drive, an OAuth client secret or the unfilled example given as credentials, gspread's
own token; and a bug is one line too, its traceback kept in a file.

The error bodies are Google's envelopes (shapes from Google's answers and gspread's
recorded cassettes), served by the emulator on loopback; the OAuth token endpoint is a
loopback stand-in. No Google host is contacted: "offline" is a closed local port."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import stat
from pathlib import Path

import pytest
from oauth_server import EMAIL, OAuthServer
from support import one_line, run_sheetcrm

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "123456789012"
ENABLE = f"https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project={PROJECT}"
SERVICE_DISABLED = {
    "error": {
        "code": 403,
        "message": f"Google Sheets API has not been used in project {PROJECT} before or it is "
        f"disabled. Enable it by visiting {ENABLE} then retry. If you enabled this API "
        "recently, wait a few minutes for the action to propagate to our systems and retry.",
        "status": "PERMISSION_DENIED",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "SERVICE_DISABLED",
                "domain": "googleapis.com",
                "metadata": {
                    "activationUrl": ENABLE,
                    "consumer": f"projects/{PROJECT}",
                    "service": "sheets.googleapis.com",
                    "serviceTitle": "Google Sheets API",
                    "containerInfo": PROJECT,
                },
            },
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": f"Google Sheets API has not been used in project {PROJECT} before "
                "or it is disabled.",
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {"description": "Google developers console API activation", "url": ENABLE}
                ],
            },
        ],
    }
}
XLSX_IN_DRIVE = {
    "error": {
        "code": 400,
        "message": "This operation is not supported for this document",
        "errors": [
            {
                "message": "This operation is not supported for this document",
                "domain": "global",
                "reason": "failedPrecondition",
            }
        ],
        "status": "FAILED_PRECONDITION",
    }
}


@pytest.fixture
def home(tmp_path):
    """A person's environment of the test's own (config dir, home)."""
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}


def signed_in(tmp_path: Path, *, expired: bool = False) -> Path:
    """The token ``sheetcrm auth login`` would have saved for EMAIL."""
    token = tmp_path / "config" / "sheetcrm" / "token.json"
    token.parent.mkdir(parents=True, exist_ok=True)
    info = {
        "type": "authorized_user",
        "token": "ya29.saved",
        "refresh_token": "1//saved",
        "token_uri": "https://oauth2.googleapis.com/token",
        "client_id": "1234-test.apps.googleusercontent.com",
        "client_secret": "GOCSPX-test-secret",
        "scopes": ["https://www.googleapis.com/auth/spreadsheets"],
        "account": EMAIL,
        "expiry": "2020-01-01T00:00:00Z" if expired else "2999-01-01T00:00:00Z",
    }
    token.write_text(json.dumps(info))
    token.chmod(0o600)
    return token


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_expired_sign_in_says_sign_in_again(emu, home, tmp_path):
    sheet = emu.create_spreadsheet().id
    signed_in(tmp_path, expired=True)
    oauth = OAuthServer().start()
    oauth.refresh_error = "invalid_grant"
    try:
        env = {**home, **oauth.env(), "SHEETCRM_API_ENDPOINT": emu.url}
        done = run_sheetcrm("init", "--sheet", sheet, env=env, cwd=tmp_path)
    finally:
        oauth.stop()
    line = one_line(done, 7)
    assert line.startswith("sheetcrm: error: Google refused the saved sign-in (invalid_grant")
    assert line.rstrip().endswith("sign in again: sheetcrm auth login")
    assert emu.stats.total == 0  # refused before any request reached the API


def test_offline_while_refreshing_the_token(emu, home, tmp_path):
    sheet = emu.create_spreadsheet().id
    signed_in(tmp_path, expired=True)
    env = {
        **home,
        "SHEETCRM_OAUTH_TOKEN_URI": f"http://127.0.0.1:{closed_port()}/token",
        "SHEETCRM_API_ENDPOINT": emu.url,
    }
    done = run_sheetcrm("init", "--sheet", sheet, env=env, cwd=tmp_path)
    line = one_line(done, 6)
    assert line == "sheetcrm: error: cannot reach Google (offline?): could not refresh the sign-in"
    assert emu.stats.total == 0


def test_offline_talking_to_google(home, tmp_path):
    """No endpoint override: the request goes to sheets.googleapis.com, through a proxy on a
    closed local port, so nothing leaves this machine."""
    signed_in(tmp_path)
    proxy = f"http://127.0.0.1:{closed_port()}"
    env = {**home, "HTTPS_PROXY": proxy, "https_proxy": proxy, "NO_PROXY": "", "no_proxy": ""}
    done = run_sheetcrm("show", "Leads", "--sheet", "1" + "x" * 43, env=env, cwd=tmp_path)
    line = one_line(done, 6)
    assert line.startswith("sheetcrm: error: cannot reach Google (offline?): ")


def test_offline_emulator_names_its_address(home, tmp_path):
    url = f"http://127.0.0.1:{closed_port()}"
    env = {**home, "SHEETCRM_API_ENDPOINT": url}
    done = run_sheetcrm("init", "--sheet", "1" + "x" * 43, env=env, cwd=tmp_path)
    assert one_line(done, 6).startswith(f"sheetcrm: error: cannot reach {url} (offline")


def test_the_sheets_api_switched_off_gives_the_link_that_enables_it(emu, home, tmp_path):
    sheet = emu.create_spreadsheet().id
    emu.fail("", 403, body=SERVICE_DISABLED)
    env = {**home, "SHEETCRM_API_ENDPOINT": emu.url}
    line = one_line(run_sheetcrm("init", "--sheet", sheet, env=env, cwd=tmp_path), 7)
    assert "the Google Sheets API is not enabled" in line and ENABLE in line
    assert "share it" not in line


def test_not_shared_names_the_account_to_share_with(emu, home, tmp_path):
    sheet = emu.create_spreadsheet().id
    emu.deny(sheet)  # Google's plain 403 PERMISSION_DENIED ("The caller does not have ...")
    signed_in(tmp_path)
    # the sign-in goes to an emulator only with a test token endpoint named (never Google's)
    token_uri = f"http://127.0.0.1:{closed_port()}/token"
    env = {**home, "SHEETCRM_API_ENDPOINT": emu.url, "SHEETCRM_OAUTH_TOKEN_URI": token_uri}
    line = one_line(run_sheetcrm("init", "--sheet", sheet, env=env, cwd=tmp_path), 7)
    assert f"no access to spreadsheet {sheet}: share it with {EMAIL} as an Editor" in line


def test_an_xlsx_in_drive_says_save_as_google_sheets(emu, home, tmp_path):
    sheet = emu.create_spreadsheet().id
    emu.fail("", 400, body=XLSX_IN_DRIVE)
    env = {**home, "SHEETCRM_API_ENDPOINT": emu.url}
    line = one_line(run_sheetcrm("init", "--sheet", sheet, env=env, cwd=tmp_path), 3)
    assert "Excel file stored in Google Drive" in line and "File → Save as Google Sheets" in line


@pytest.mark.parametrize("how", ["env", "config"])
def test_a_client_secret_given_as_credentials(home, tmp_path, how):
    secret = tmp_path / "client_secret_1234.json"
    secret.write_text(json.dumps({"installed": {"client_id": "x", "client_secret": "y"}}))
    env = {**home}
    if how == "env":
        env["SHEETCRM_CREDENTIALS"] = str(secret)
    else:
        (tmp_path / "sheetcrm.toml").write_text(
            '[google]\ncredentials = "client_secret_1234.json"\n'
        )
    done = run_sheetcrm("init", "--sheet", "1" + "x" * 43, env=env, cwd=tmp_path)
    line = one_line(done, 7)
    assert (
        f"{secret} is an OAuth client secret, not credentials; "
        f"run sheetcrm auth login --client-secret {secret}" in line
    )


def test_the_unfilled_example_key(home, tmp_path):
    example = tmp_path / "credentials.json"
    shutil.copy(ROOT / "credentials.example.json", example)
    env = {**home, "SHEETCRM_CREDENTIALS": str(example)}
    done = run_sheetcrm("init", "--sheet", "1" + "x" * 43, env=env, cwd=tmp_path)
    line = one_line(done, 7)
    assert "is the unfilled example key (credentials.example.json)" in line
    assert "sheetcrm auth login" in line


def test_gspreads_token_is_accepted_and_made_private(home, tmp_path):
    """gspread.oauth() saves authorized_user.json with no "type" and mode 0644."""
    saved = tmp_path / ".config" / "gspread" / "authorized_user.json"
    saved.parent.mkdir(parents=True)
    saved.write_text(
        json.dumps(
            {
                "refresh_token": "1//gspread",
                "token_uri": "https://oauth2.googleapis.com/token",
                "client_id": "1234-test.apps.googleusercontent.com",
                "client_secret": "GOCSPX-test-secret",
                "scopes": ["https://www.googleapis.com/auth/spreadsheets"],
                "universe_domain": "googleapis.com",
                "account": "",
            }
        )
    )
    saved.chmod(0o644)
    status = run_sheetcrm("auth", "status", "--format", "json", env=home, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    state = json.loads(status.stdout)
    assert (state["kind"], state["source"], state["path"]) == (
        "gspread authorized_user",
        "gspread",
        str(saved),
    )
    assert state["fresh"] is False and state["problem"] is None
    assert "1//gspread" not in status.stdout and "GOCSPX" not in status.stdout
    assert "was readable by other users (mode 0644); made it private" in status.stderr
    assert status.stderr.count("\n") == 1
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600


def test_a_bug_is_one_line_with_its_traceback_in_a_file(emu, home, tmp_path):
    sheet = emu.create_spreadsheet().id
    emu.fail("", 200, body=["an answer no Google API gives"])
    env = {**home, "SHEETCRM_API_ENDPOINT": emu.url, "XDG_STATE_HOME": str(tmp_path / "state")}
    done = run_sheetcrm("init", "--sheet", sheet, env=env, cwd=tmp_path)
    line = one_line(done, 1)
    assert line.startswith("sheetcrm: internal error (a bug in sheetcrm, not in your data): ")
    saved = Path(re.search(r"saved in (\S+\.txt)", line).group(1))
    assert saved.is_relative_to(tmp_path / "state")
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert "Traceback (most recent call last)" in saved.read_text()

    emu.fail("", 200, body=["an answer no Google API gives"])
    debug = run_sheetcrm("init", "--sheet", sheet, env={**env, "SHEETCRM_DEBUG": "1"}, cwd=tmp_path)
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.splitlines()[-1].startswith("sheetcrm: internal error (a bug")


def test_the_google_wording_without_an_emulator():
    """The same failure says "Google" when no endpoint override is in play."""
    from sheetcrm.backends.gsheets.failures import final
    from sheetcrm.backends.gsheets.retry import RemoteFailure
    from sheetcrm.errors import OfflineError

    error = final(RemoteFailure("no connection", offline=True), sid="S", step="reading the tabs")
    assert isinstance(error, OfflineError) and error.exit_code == 6
    assert str(error) == "cannot reach Google (offline?): reading the tabs failed"


def test_no_secret_reaches_the_crash_file(tmp_path, monkeypatch):
    from sheetcrm.cli import bug_report

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    line = bug_report(RuntimeError("sent Authorization: Bearer ya29.secret"))
    saved = Path(re.search(r"saved in (\S+\.txt)", line).group(1))
    assert "ya29.secret" not in line and "ya29.secret" not in saved.read_text()
    assert os.path.getsize(saved) > 0
