"""Which credentials sheetcrm picks, in the README's documented order, and what
``credential_status`` (used by ``auth status`` and ``doctor``) says about each — without a
secret and without touching the network unless asked to refresh."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oauth_server import EMAIL, OAuthServer

from sheetcrm.backends.gsheets import auth
from sheetcrm.config import Config
from sheetcrm.errors import ConfigError

SA_EMAIL = "crm@freelance-crm.iam.gserviceaccount.com"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home and config dir of the test's own; no credentials anywhere yet."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    for var in ("SHEETCRM_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS", "SHEETCRM_API_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def user_token(path: Path, *, typed: bool = True, mode: int = 0o600, **extra) -> Path:
    info = {
        "refresh_token": "1//r",
        "token_uri": "https://oauth2.googleapis.com/token",
        "client_id": "1234-test.apps.googleusercontent.com",
        "client_secret": "GOCSPX-test-secret",
        **extra,
    }
    if typed:
        info["type"] = "authorized_user"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(info))
    path.chmod(mode)
    return path


def service_key(path: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "freelance-crm",
        "private_key_id": "abc",
        "private_key": pem,
        "client_email": SA_EMAIL,
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    path.write_text(json.dumps(info))
    path.chmod(0o600)
    return path


def gspread_file(home: Path) -> Path:
    return home / ".config" / "gspread" / "authorized_user.json"


def sheetcrm_token(home: Path) -> Path:
    return home / "config" / "sheetcrm" / "token.json"


def test_the_documented_order(home, monkeypatch):
    adc = user_token(home / "gcloud" / "application_default_credentials.json")
    assert auth.locate(None, endpoint=None) == auth.Source("application default credentials", adc)
    gspread = user_token(gspread_file(home), typed=False)
    assert auth.locate(None, endpoint=None) == auth.Source("gspread", gspread)
    token = user_token(sheetcrm_token(home))
    assert auth.locate(None, endpoint=None) == auth.Source("sheetcrm auth login", token)
    gac = service_key(home / "gac.json")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(gac))
    assert auth.locate(None, endpoint=None).label == "$GOOGLE_APPLICATION_CREDENTIALS"
    monkeypatch.setenv("SHEETCRM_CREDENTIALS", str(gac))
    assert auth.locate(None, endpoint=None).label == "$SHEETCRM_CREDENTIALS"
    found = auth.locate(str(gac), endpoint=None)
    assert found == auth.Source("[google] credentials", gac, explicit=True)


def test_an_emulator_skips_other_tools_sign_ins(home, monkeypatch):
    user_token(gspread_file(home), typed=False)
    user_token(home / "gcloud" / "application_default_credentials.json")
    assert auth.locate(None, endpoint="http://127.0.0.1:1") == auth.Source("emulator")
    token = user_token(sheetcrm_token(home))
    # a Google sign-in never goes to another address, unless a test token endpoint is named
    assert auth.locate(None, endpoint="http://127.0.0.1:1") == auth.Source("emulator")
    monkeypatch.setenv("SHEETCRM_OAUTH_TOKEN_URI", "http://127.0.0.1:1/token")
    assert auth.locate(None, endpoint="http://127.0.0.1:1").path == token


def test_gspreads_file_is_a_user_token_and_made_private(home):
    path = user_token(gspread_file(home), typed=False, mode=0o644)
    said: list[str] = []
    found = auth.resolve(None, endpoint=None, notify=said.append)
    assert found.kind == "gspread authorized_user"
    assert found.creds.refresh_token == "1//r"
    assert found.creds.scopes == ["https://www.googleapis.com/auth/spreadsheets"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert said == [f"{path} was readable by other users (mode 0644); made it private"]


def test_a_file_the_user_names_is_refused_when_loose(home):
    path = user_token(home / "token.json", mode=0o640)
    with pytest.raises(ConfigError, match=r"mode 0640.*chmod 600"):
        auth.load_credentials(str(path), endpoint=None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # not changed behind the user's back


def test_a_typeless_file_that_is_no_token_says_what_it_expected(home):
    path = home / "odd.json"
    path.write_text(json.dumps({"hello": "world"}))
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="found type None") as info:
        auth.load_credentials(str(path), endpoint=None)
    assert "expected a service-account key or an OAuth user token" in str(info.value)


def test_status_of_a_service_account_offline(home):
    key = service_key(home / "key.json")
    state = auth.credential_status(Config(credentials=str(key)))
    assert (state.kind, state.source, state.email) == (
        "service account",
        "[google] credentials",
        SA_EMAIL,
    )
    assert state.scopes == ("https://www.googleapis.com/auth/spreadsheets",)
    assert state.fresh is False and state.problem is None  # no token fetched yet
    assert "PRIVATE KEY" not in json.dumps(state.as_dict())


def test_status_never_raises_for_a_broken_file(home):
    broken = home / "key.json"
    broken.write_text("{not json")
    state = auth.credential_status(Config(credentials=str(broken)))
    assert state.kind == "none" and state.path == broken
    assert state.problem == f"{broken} is not a JSON key file"


def test_status_with_refresh_asks_the_token_endpoint(home, monkeypatch):
    oauth = OAuthServer().start()
    try:
        for key, value in oauth.env().items():
            monkeypatch.setenv(key, value)
        path = user_token(sheetcrm_token(home), account=EMAIL)
        offline = auth.credential_status(Config())
        assert offline.fresh is False and oauth.hits["/token"] == 0
        fresh = auth.credential_status(Config(), refresh=True)
        assert fresh.fresh is True and fresh.problem is None and fresh.email == EMAIL
        assert oauth.hits["/token"] == 1
        assert json.loads(path.read_text())["token"] == "ya29.test-access-1"  # written back
        oauth.refresh_error = "invalid_grant"
        user_token(path, account=EMAIL)  # no access token yet: the next use refreshes
        refused = auth.credential_status(Config(), refresh=True)
        assert refused.fresh is False
        assert refused.problem is not None
        assert refused.problem.endswith("sign in again: sheetcrm auth login")
    finally:
        oauth.stop()
