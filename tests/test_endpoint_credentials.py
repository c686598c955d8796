"""A key file named in the environment is never minted into a token for an endpoint that is
not on this machine: a cloned folder's ``sheetcrm.toml`` may name any address as its
``[google] endpoint``. Loopback (the emulator) keeps working with a named key."""

from __future__ import annotations

import pytest
from support import one_line, run_sheetcrm
from test_credentials_lookup import home, service_key  # noqa: F401 - the fixture

from sheetcrm.backends.gsheets.auth import credential_status, is_loopback, resolve
from sheetcrm.config import Config
from sheetcrm.errors import ConfigError

# .invalid never resolves (RFC 6761): even a broken guard could reach nothing.
ELSEWHERE = "http://sheets.invalid:9"


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8766", True),
        ("http://127.8.9.10", True),
        ("http://localhost:1", True),
        ("http://[::1]:8080", True),
        ("http://sheets.invalid:9", False),
        ("https://sheets.googleapis.com", False),
        ("http://10.0.0.1", False),
    ],
)
def test_loopback_addresses(url, local):
    assert is_loopback(url) is local


def test_a_named_key_is_refused_for_an_endpoint_elsewhere(home, monkeypatch):  # noqa: F811
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(service_key(home / "key.json")))
    with pytest.raises(ConfigError, match="not on this machine"):
        resolve(None, endpoint=ELSEWHERE)
    status = credential_status(Config(endpoint=ELSEWHERE))
    assert status.problem and "not on this machine" in status.problem


def test_a_named_key_still_works_with_a_loopback_emulator(home, monkeypatch):  # noqa: F811
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(service_key(home / "key.json")))
    assert resolve(None, endpoint="http://127.0.0.1:8766").kind != "anonymous (emulator)"


def test_the_cli_says_so_in_one_line(home, tmp_path):  # noqa: F811
    key = service_key(home / "key.json")
    (tmp_path / "sheetcrm.toml").write_text(f'[google]\nendpoint = "{ELSEWHERE}"\n')
    done = run_sheetcrm(
        "summary",
        "--sheet",
        "1" * 44,
        cwd=tmp_path,
        env={"GOOGLE_APPLICATION_CREDENTIALS": str(key), "HOME": str(home)},
    )
    assert "not on this machine" in one_line(done, 7)
