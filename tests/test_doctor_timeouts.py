"""The doctor's edges: ``--timeout`` bounds the token refresh too (a token endpoint that
accepts and never answers), a target that is neither an .xlsx path nor a spreadsheet fails
the first check, and the credential messages behind it: a damaged token says how to fix
it, ADC on a Google Cloud machine is reported, a missing Sheets scope says what to do for
the kind of credentials in use."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sheetcrm.backends.gsheets import auth, failures
from sheetcrm.backends.gsheets.retry import RemoteFailure
from sheetcrm.doctor import CHECKS

PRIVATE = ("SHEETCRM_", "GOOGLE_APPLICATION_CREDENTIALS")


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PRIVATE)}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def doctor(cwd: Path, *args: str, **env: str) -> tuple[int, dict[str, dict[str, str]]]:
    done = subprocess.run(
        [sys.executable, "-m", "sheetcrm", "doctor", "--format", "json", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment(cwd / "home", **env),
        timeout=40,  # a refresh left to google-auth's default would wait 120 s
    )
    checks = json.loads(done.stdout)
    assert [c["check"] for c in checks] == list(CHECKS), done.stdout
    return done.returncode, {c["check"]: c for c in checks}


def expired_sign_in(home: Path) -> Path:
    token = home / ".config" / "sheetcrm" / "token.json"
    token.parent.mkdir(parents=True)
    info = {
        "type": "authorized_user",
        "token": "ya29.old",
        "refresh_token": "1//r",
        "token_uri": "https://oauth2.googleapis.com/token",
        "client_id": "1234-test.apps.googleusercontent.com",
        "client_secret": "GOCSPX-test-secret",
        "expiry": "2020-01-01T00:00:00Z",
    }
    token.write_text(json.dumps(info))
    token.chmod(0o600)
    return token


@pytest.fixture
def silent_port():
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.fixture
def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_timeout_bounds_the_token_refresh(tmp_path, silent_port, closed_port):
    expired_sign_in(tmp_path / "home")
    code, checks = doctor(
        tmp_path,
        "--sheet",
        "1" + "a" * 43,
        "--timeout",
        "2",
        SHEETCRM_OAUTH_TOKEN_URI=f"http://127.0.0.1:{silent_port}/token",
        SHEETCRM_API_ENDPOINT=f"http://127.0.0.1:{closed_port}",
    )
    assert code != 0
    assert checks["credentials"]["status"] == "pass"
    assert checks["token"]["status"] == "fail", checks["token"]


def test_a_target_that_is_neither_fails_the_first_check(tmp_path):
    code, checks = doctor(tmp_path, "--sheet", "badid")
    assert code != 0
    first = checks["credentials"]
    assert first["status"] == "fail"
    assert "'badid' is neither an .xlsx path nor a Google Sheets ID or URL" in first["detail"]
    assert "needs no Google sign-in" not in json.dumps(checks)
    assert {checks[n]["status"] for n in ("token", "api", "spreadsheet", "tabs")} == {"skipped"}


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    for var in ("SHEETCRM_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS", "SHEETCRM_API_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def test_a_damaged_token_says_sign_in_again(home):
    token = home / "config" / "sheetcrm" / "token.json"
    token.parent.mkdir(parents=True)
    token.write_text(json.dumps({"type": "authorized_user", "refresh_token": "1//r"}))
    token.chmod(0o600)
    status = auth.credential_status()
    assert status.problem is not None
    assert "not a usable authorized_user key" in status.problem
    assert status.problem.endswith("; run sheetcrm auth login")


def test_adc_from_the_metadata_server_is_reported(home, monkeypatch):
    monkeypatch.delenv("NO_GCE_CHECK", raising=False)
    monkeypatch.setattr(auth._metadata, "detect_gce_residency_linux", lambda: True)
    status = auth.credential_status()
    assert (status.kind, status.source, status.problem) == (auth.ADC, auth.METADATA, None)
    monkeypatch.setenv("NO_GCE_CHECK", "true")  # as in tests: no metadata, no credentials
    assert auth.credential_status().problem == auth.NO_CREDENTIALS


SCOPE = RemoteFailure(
    "Request had insufficient authentication scopes.",
    status=403,
    reason="ACCESS_TOKEN_SCOPE_INSUFFICIENT",
)


@pytest.mark.parametrize(
    ("kind", "fix"),
    [
        (auth.USER, "allowing Google Sheets on the consent page: sheetcrm auth login"),
        (auth.GSPREAD, "allowing Google Sheets on the consent page: sheetcrm auth login"),
        (auth.ADC, "gcloud auth application-default login --scopes="),
        (auth.SERVICE, "service account's JSON key file"),
    ],
)
def test_a_missing_sheets_scope_says_what_to_do_per_kind(kind, fix):
    error = failures.final(SCOPE, sid="S", step="reading", kind=kind)
    assert error.exit_code == 7
    assert str(error).startswith("the credentials may not use Google Sheets")
    assert fix in str(error) and "\n" not in str(error)
    if kind == auth.ADC:
        assert "spreadsheets" in str(error)
