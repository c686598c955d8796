"""Google credentials: clear errors for missing, loose or wrong key files, private token
files, no secrets in logs, and anonymous access only against an emulator endpoint."""

from __future__ import annotations

import json
import logging
import os

import pytest

from sheetcrm.backends.gsheets.auth import RedactingFilter, load_credentials, write_private
from sheetcrm.errors import ConfigError


def test_credentials_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("SHEETCRM_CREDENTIALS", raising=False)
    with pytest.raises(ConfigError, match="credentials file not found"):
        load_credentials(str(tmp_path / "nope.json"), endpoint=None)
    loose = tmp_path / "key.json"
    loose.write_text(json.dumps({"type": "service_account"}))
    loose.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_credentials(str(loose), endpoint=None)
    loose.chmod(0o600)
    with pytest.raises(ConfigError, match="not a usable service_account key"):
        load_credentials(str(loose), endpoint=None)
    other = tmp_path / "other.json"
    write_private(other, json.dumps({"type": "external_account"}))
    with pytest.raises(ConfigError, match="found type 'external_account'"):
        load_credentials(str(other), endpoint=None)
    garbage = tmp_path / "g.json"
    write_private(garbage, "not json")
    with pytest.raises(ConfigError, match="not a JSON key file"):
        load_credentials(str(garbage), endpoint=None)


def test_example_credentials_have_the_service_account_shape():
    from pathlib import Path

    example = json.loads((Path(__file__).parents[1] / "credentials.example.json").read_text())
    assert example["type"] == "service_account"
    assert {"client_email", "private_key", "token_uri", "project_id"} <= set(example)


def test_token_files_are_private(tmp_path):
    token = tmp_path / "token.json"
    write_private(token, '{"token": "x"}')
    assert os.stat(token).st_mode & 0o777 == 0o600


def test_tokens_never_reach_the_logs():
    message = (
        "GET with Authorization: Bearer ya29.abcDEF123 and "
        '"private_key": "-----BEGIN PRIVATE KEY-----MIIE" refresh_token=1//0g'
    )
    record = logging.LogRecord("x", logging.INFO, "", 0, message, (), None)
    RedactingFilter().filter(record)
    text = record.getMessage()
    assert "ya29" not in text and "MIIE" not in text and "1//0g" not in text
    assert text.count("[redacted") == 3


def test_anonymous_only_with_an_endpoint(monkeypatch):
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("SHEETCRM_CREDENTIALS", raising=False)
    from google.auth.credentials import AnonymousCredentials

    assert isinstance(load_credentials(None, endpoint="http://127.0.0.1:1"), AnonymousCredentials)
    monkeypatch.setattr("google.auth.default", _no_adc)
    with pytest.raises(ConfigError, match="no Google credentials"):
        load_credentials(None, endpoint=None)


def _no_adc(scopes=None):
    from google.auth.exceptions import DefaultCredentialsError

    raise DefaultCredentialsError("none")
