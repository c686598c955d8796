"""``sheetcrm auth login`` end to end, as a person does it: each command a fresh process, the
consent page, token and revoke endpoints served on loopback (no Google host is contacted),
and the token then used against ``sheetcrm emulator serve --require-token`` for init →
import → refresh → report, refreshed when it expires, shown by ``auth status`` and revoked
by ``auth logout``."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import threading
from pathlib import Path

import pytest
import requests
from oauth_server import EMAIL, OAuthServer, browser_command
from support import SHEETCRM, emulator_serve, one_line, run_sheetcrm, watch_writes

FORM = (
    "Timestamp,Email Address,Your name,Phone number,How did you hear about us?,Message\n"
    "2025-10-04 10:00:00,ana@example.com,Ana,+447400123456,Instagram,Do you ship abroad?\n"
    "2025-10-05 11:30:00,ben@example.com,Ben,,a friend,\n"
)
#: what the loopback token endpoint hands out, in order
FIRST, SECOND = "ya29.test-access-1", "ya29.test-access-2"
REQUIRE = ["--require-token", FIRST, "--require-token", SECOND]


@pytest.fixture
def oauth():
    server = OAuthServer().start()
    yield server
    server.stop()


@pytest.fixture
def person(tmp_path, oauth):
    """A home of its own: config dir, the downloaded client secret, no endpoint override."""
    secret = tmp_path / "Downloads" / "client_secret_1234.json"
    secret.parent.mkdir()
    secret.write_text(json.dumps(oauth.client_secret()), encoding="utf-8")
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
        "BROWSER": browser_command(),
        "PYTHONUNBUFFERED": "1",
        **oauth.env(),
    }
    return env, secret, tmp_path / "config" / "sheetcrm" / "token.json"


@pytest.fixture
def served(tmp_path):
    """``sheetcrm emulator serve --require-token`` for the two tokens the server issues."""
    with emulator_serve(tmp_path, *REQUIRE) as (url, [sheet]):
        yield url, sheet


def test_sign_in_then_init_import_refresh_report_with_the_token(person, served, oauth, tmp_path):
    env, secret, token = person
    url, sheet = served
    api = {**env, "SHEETCRM_API_ENDPOINT": url}
    refused = run_sheetcrm("init", "--sheet", sheet, env=api, cwd=tmp_path)
    assert refused.returncode == 7  # no token yet: the emulator answers Google's 401
    assert "sign in again: sheetcrm auth login" in one_line(refused)

    login = run_sheetcrm("auth", "login", "--client-secret", str(secret), env=env, cwd=tmp_path)
    assert login.returncode == 0, login.stderr
    assert f"Signed in as {EMAIL}" in login.stdout
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    saved = json.loads(token.read_text())
    assert saved["token"] == FIRST and saved["account"] == EMAIL
    assert oauth.hits["/auth"] == 1 and oauth.hits["/token"] == 1

    form = tmp_path / "form.csv"
    form.write_text(FORM, encoding="utf-8")
    steps = [
        ("init", "--sheet", sheet),
        ("import", str(form), "--preset", "google-form", "--sheet", sheet),
        ("refresh", "--sheet", sheet),
        ("report", "--sheet", sheet, "--format", "md", "-o", str(tmp_path / "report.md")),
    ]
    printed = {}
    for step in steps:
        done = run_sheetcrm(*step, env=api, cwd=tmp_path)
        assert done.returncode == 0, (step, done.stderr)
        assert done.stderr == "", (step, done.stderr)
        printed[step[0]] = done.stdout
    assert "2 created" in printed["import"]
    assert "| Referral | 1 |" in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert oauth.hits["/token"] == 1  # the access token was still fresh: no refresh

    # an hour later: the access token has expired, and is refreshed and written back
    saved["expiry"] = "2020-01-01T00:00:00Z"
    token.write_text(json.dumps(saved))
    shown = run_sheetcrm(
        "show", "Leads", "--sheet", sheet, "--format", "json", env=api, cwd=tmp_path
    )
    assert shown.returncode == 0, shown.stderr
    assert [r["name"] for r in json.loads(shown.stdout)] == ["Ana", "Ben"]
    assert oauth.hits["/token"] == 2
    rewritten = json.loads(token.read_text())
    assert rewritten["token"] == SECOND and rewritten["refresh_token"] == saved["refresh_token"]
    assert rewritten["account"] == EMAIL and stat.S_IMODE(token.stat().st_mode) == 0o600

    status = run_sheetcrm("auth", "status", "--format", "json", env=api, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    state = json.loads(status.stdout)
    assert state["kind"] == "oauth user" and state["email"] == EMAIL
    assert state["source"] == "sheetcrm auth login" and state["path"] == str(token)
    assert state["scopes"] == ["https://www.googleapis.com/auth/spreadsheets"]
    assert state["fresh"] is True and state["problem"] is None
    for secret_text in ("GOCSPX", "1//refresh", SECOND):
        assert secret_text not in status.stdout

    logout = run_sheetcrm("auth", "logout", env=env, cwd=tmp_path)
    assert logout.returncode == 0, logout.stderr
    assert "revoked and deleted" in logout.stdout
    assert oauth.revoked == [saved["refresh_token"]] and not token.exists()
    after = run_sheetcrm("init", "--sheet", sheet, env=api, cwd=tmp_path)
    assert after.returncode == 7 and "sheetcrm auth login" in one_line(after)


def _login_without_browser(env, secret, tmp_path):
    return subprocess.Popen(
        [*SHEETCRM, "auth", "login", "--no-browser", "--client-secret", str(secret)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **env},
    )


def _consent_address(process) -> str:
    """The address the CLI prints for the person to open."""
    for line in process.stderr:
        found = re.search(r"(http://127\.0\.0\.1:\d+/auth\?\S+)", line)
        if found:
            return found.group(1)
    raise AssertionError("no sign-in address printed")


def test_no_browser_takes_the_redirected_address_pasted_back(person, oauth, tmp_path):
    env, secret, token = person
    process = _login_without_browser(env, secret, tmp_path)
    address = _consent_address(process)
    # the browser is on another machine: it cannot load the loopback page, so the person
    # copies the address it was sent to and pastes it into the terminal
    consent = requests.get(address, allow_redirects=False, timeout=10)
    assert consent.status_code == 302
    redirected = consent.headers["Location"]
    assert redirected.startswith("http://127.0.0.1:") and "code=" in redirected
    out, err = process.communicate(input=f"not this line\n{redirected}\n", timeout=60)
    assert process.returncode == 0, err
    assert f"Signed in as {EMAIL}" in out
    assert json.loads(token.read_text())["token"] == FIRST


def test_no_browser_also_accepts_the_redirect_itself(person, oauth, tmp_path):
    env, secret, token = person
    process = _login_without_browser(env, secret, tmp_path)
    address = _consent_address(process)
    threading.Thread(target=process.stderr.read, daemon=True).start()
    page = requests.get(address, timeout=10)  # a browser here follows the redirect
    assert page.ok and "Signed in to sheetcrm" in page.text
    process.communicate(timeout=60)
    assert process.returncode == 0 and token.exists()


def test_a_pasted_address_from_another_attempt_is_refused(person, oauth, tmp_path):
    env, secret, token = person
    process = _login_without_browser(env, secret, tmp_path)
    address = _consent_address(process)
    port = re.search(r"redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A(\d+)", address).group(1)
    forged = f"http://127.0.0.1:{port}/?state=someone-else&code=4/stolen"
    _out, err = process.communicate(input=forged + "\n", timeout=60)
    assert process.returncode == 7 and "another sign-in attempt" in err.splitlines()[-1]
    assert not token.exists()


def test_the_client_secret_is_kept_for_the_next_sign_in(person, oauth, tmp_path):
    env, secret, token = person
    first = run_sheetcrm("auth", "login", "--client-secret", str(secret), env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    kept = token.parent / "client_secret.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    again = run_sheetcrm("auth", "login", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(token.read_text())["token"] == "ya29.test-access-2"


def test_unticking_the_spreadsheets_box_is_one_clear_line(person, oauth, tmp_path):
    env, secret, token = person
    oauth.grant_scopes = "openid https://www.googleapis.com/auth/userinfo.email"
    login = run_sheetcrm("auth", "login", "--client-secret", str(secret), env=env, cwd=tmp_path)
    assert login.returncode == 7
    assert "without access to your spreadsheets" in login.stderr.splitlines()[-1]
    assert not token.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"web": {"client_id": "x"}}, "'Web application' OAuth client"),
        ({"type": "service_account"}, "not an OAuth client secret"),
        (None, "OAuth client file not found"),
    ],
)
def test_a_wrong_client_file_is_one_line(person, tmp_path, content, expected):
    env, _secret, _token = person
    wrong = tmp_path / "wrong.json"
    if content is not None:
        wrong.write_text(json.dumps(content))
    login = run_sheetcrm("auth", "login", "--client-secret", str(wrong), env=env, cwd=tmp_path)
    assert login.returncode == 7 and expected in one_line(login)


def test_logout_offline_still_deletes_the_token(person, oauth, tmp_path):
    env, secret, token = person
    assert (
        run_sheetcrm(
            "auth", "login", "--client-secret", str(secret), env=env, cwd=tmp_path
        ).returncode
        == 0
    )
    closed = {**env, "SHEETCRM_OAUTH_REVOKE_URI": "http://127.0.0.1:9/revoke"}
    logout = run_sheetcrm("auth", "logout", env=closed, cwd=tmp_path)
    assert logout.returncode == 0
    assert "cannot reach Google (offline?) to revoke" in one_line(logout)
    assert not token.exists() and oauth.revoked == []
    again = run_sheetcrm("auth", "logout", env=env, cwd=tmp_path)
    assert again.returncode == 0 and "Not signed in" in again.stdout


def test_status_without_credentials_says_how_to_sign_in(person, tmp_path):
    env, _secret, _token = person
    status = run_sheetcrm("auth", "status", env=env, cwd=tmp_path)
    assert status.returncode == 7
    assert "credentials: none" in status.stdout
    assert "sign in with `sheetcrm auth login`" in one_line(status)


def test_status_names_an_emulator_as_anonymous(person, tmp_path):
    env, _secret, _token = person
    api = {**env, "SHEETCRM_API_ENDPOINT": "http://127.0.0.1:9"}
    status = run_sheetcrm("auth", "status", "--format", "json", env=api, cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["kind"] == "anonymous (emulator)"


def test_the_token_file_is_private_from_its_first_byte(person, oauth, tmp_path, monkeypatch):
    """write_private: a temp file made 0600 before anything is written, then os.replace.
    Every write is watched, so writing first and making the file private after fails."""
    from sheetcrm.backends.gsheets.tokens import write_private

    target = tmp_path / "config" / "sheetcrm" / "token.json"
    modes = []
    real_replace = os.replace

    def spy(src, dst):
        modes.append(stat.S_IMODE(Path(src).stat().st_mode))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    target.parent.mkdir(parents=True)
    target.write_text("old")
    target.chmod(0o644)
    umask = os.umask(0o022)  # a file made without asking for 0600 is readable by others
    try:
        writes = watch_writes(monkeypatch, target.parent)
        write_private(target, '{"token": "new"}')
    finally:
        os.umask(umask)
    assert writes and {mode for _file, mode in writes} == {0o600}, writes
    assert modes == [0o600] and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text() == '{"token": "new"}'
    assert [p.name for p in target.parent.iterdir()] == ["token.json"]  # no temp left
