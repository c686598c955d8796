"""An endpoint override never receives the Google sign-in: a sheetcrm.toml in a cloned
folder can point ``[google] endpoint`` at any address, and the bearer token of
``sheetcrm auth login`` must not go there — nor be refreshed at Google meanwhile (offline
with the emulator, an expired sign-in is no reason to fail)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from support import emulator_serve, run_sheetcrm

SECRET = "ya29.the-real-google-token"


def signed_in(home: Path, *, expired: bool) -> dict[str, str]:
    """A home whose sheetcrm sign-in holds a Google token (expired or not)."""
    token = home / "config" / "sheetcrm" / "token.json"
    token.parent.mkdir(parents=True)
    info = {
        "type": "authorized_user",
        "token": SECRET,
        "refresh_token": "1//refresh-secret",
        "token_uri": "https://oauth2.googleapis.com/token",
        "client_id": "1234-test.apps.googleusercontent.com",
        "client_secret": "GOCSPX-test-secret",
        "expiry": "2000-01-01T00:00:00Z" if expired else "2999-01-01T00:00:00Z",
    }
    token.write_text(json.dumps(info))
    token.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETCRM_")}
    env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
    return {**env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config")}


class Capture(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Capture.seen.append(self.headers.get("Authorization") or "")
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        body = b'{"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def capture():
    Capture.seen = []
    server = HTTPServer(("127.0.0.1", 0), Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", Capture.seen
    server.shutdown()
    server.server_close()


def run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_sheetcrm(*args, env=env, cwd=cwd, inherit=False)


def test_an_endpoint_in_a_cloned_folders_toml_gets_no_google_token(tmp_path, capture):
    url, seen = capture
    env = signed_in(tmp_path, expired=False)
    clone = tmp_path / "cloned"
    clone.mkdir()
    (clone / "sheetcrm.toml").write_text(f'[google]\nendpoint = "{url}"\n')
    shown = run(env, clone, "show", "Leads", "--sheet", "1" + "a" * 43)
    assert seen, shown.stderr  # the command did reach the override
    assert all(SECRET not in header and "Bearer" not in header for header in seen), seen
    status = run(env, clone, "auth", "status")
    assert SECRET not in status.stdout + status.stderr


def test_the_emulator_works_offline_while_signed_in_with_an_expired_token(tmp_path):
    env = signed_in(tmp_path, expired=True)
    with emulator_serve(tmp_path, env=env) as (url, [sheet]):
        env["SHEETCRM_API_ENDPOINT"] = url
        init = run(env, tmp_path, "init", "--sheet", sheet)
        assert init.returncode == 0, init.stderr
        assert "cannot reach Google" not in init.stderr
        shown = run(env, tmp_path, "show", "Leads", "--sheet", sheet, "--format", "json")
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout) == []
