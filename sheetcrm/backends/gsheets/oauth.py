"""``sheetcrm auth login`` and ``logout``: Google's installed-app OAuth flow, done by
google-auth-oauthlib's ``InstalledAppFlow`` (PKCE, state check, code exchange).

The redirect comes back to a one-shot server on 127.0.0.1 (a free port). Without a
browser on this machine, the address Google sends the browser to can be pasted back
instead: whichever arrives first finishes the sign-in (Google retired the copy-a-code
"OOB" flow, so this is how a machine without a browser signs in). Plain HTTP is allowed
for the token endpoint only when it is on loopback (a test server), never otherwise.

Scopes: ``spreadsheets`` for the data, plus ``openid`` and ``userinfo.email``, which
grant access to nothing but say which account signed in — the e-mail ``auth status``
shows and a "share it with …" message names. Sign-in uses the client secret's
``auth_uri`` and ``token_uri``; later refreshes go to Google's token endpoint (google-auth
ignores a token file's own), and revocation to Google's revoke endpoint, unless
$SHEETCRM_OAUTH_TOKEN_URI / $SHEETCRM_OAUTH_REVOKE_URI name others (a test server).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import threading
import webbrowser
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from google.auth import jwt
from google_auth_oauthlib.flow import InstalledAppFlow
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from sheetcrm.backends.gsheets import tokens
from sheetcrm.backends.gsheets.auth import SCOPES
from sheetcrm.backends.gsheets.failures import offline
from sheetcrm.errors import AccessError, ConfigError, TransientError
from sheetcrm.files import write_private

EMAIL_SCOPE = "https://www.googleapis.com/auth/userinfo.email"
LOGIN_SCOPES = [*SCOPES, "openid", EMAIL_SCOPE]
LOOPBACK = ("127.0.0.1", "localhost", "::1")
DONE_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>sheetcrm</title>"
    b"<p>Signed in to sheetcrm. You can close this tab and go back to the terminal.</p>"
)


@dataclass(frozen=True)
class SignedIn:
    """Where the token went and who signed in."""

    path: Path
    email: str | None
    scopes: tuple[str, ...]
    saved_client: Path | None  # the client secret, kept for the next login


@dataclass(frozen=True)
class SignedOut:
    path: Path
    removed: bool  # there was a token to remove
    revoked: bool  # Google confirmed (or already had no such grant)
    problem: str | None  # why revoking failed (the token was removed anyway)


def read_client_secret(path: Path) -> dict[str, Any]:
    """A Desktop-app OAuth client as downloaded from the Cloud Console, or ConfigError."""
    if not path.exists():
        raise ConfigError(
            f"OAuth client file not found: {path} (create a Desktop app OAuth client in the "
            "Google Cloud Console, download its JSON, and pass it with --client-secret)"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ConfigError(f"{path} is not the JSON of an OAuth client") from None
    if isinstance(data, dict) and "web" in data:
        raise ConfigError(
            f"{path} is a 'Web application' OAuth client; sheetcrm needs one of type "
            "'Desktop app' (Cloud Console → APIs & Services → Credentials → Create OAuth client)"
        )
    client = data.get("installed") if isinstance(data, dict) else None
    needed = {"client_id", "client_secret", "auth_uri", "token_uri"}
    if not isinstance(client, dict) or not needed <= set(client):
        raise ConfigError(
            f"{path} is not an OAuth client secret (expected the Desktop app client JSON "
            'downloaded from the Cloud Console, {"installed": {"client_id": …}})'
        )
    return {"installed": client}


def login(
    client_secret: Path | None,
    *,
    open_browser: bool,
    say: Callable[[str], None],
    paste: Callable[[], str] | None = None,
    timeout: float = 300.0,
) -> SignedIn:
    """Sign in with a Google account and save the token (0600) in the user config dir.
    ``say`` shows the instructions; ``paste`` reads a pasted address (None: do not ask)."""
    path = client_secret or tokens.default_client_secret()
    config = read_client_secret(path)
    flow = InstalledAppFlow.from_client_config(config, scopes=LOGIN_SCOPES)
    with _relaxed(config["installed"]), _Receiver() as receiver:
        flow.redirect_uri = receiver.redirect_uri
        url, _state = flow.authorization_url(access_type="offline", prompt="consent")
        opened = open_browser and webbrowser.open(url, new=1, autoraise=True)
        say(_instructions(url, receiver.redirect_uri, opened=bool(opened), paste=bool(paste)))
        if paste is not None and not opened:
            receiver.read_pastes(paste)
        answer = receiver.wait(timeout)
        _exchange(flow, answer)
    token = flow.oauth2session.token
    granted = tuple(token.get("scope") or LOGIN_SCOPES)
    if SCOPES[0] not in granted:
        raise AccessError(
            "sign-in finished without access to your spreadsheets (the box was not ticked); "
            "run sheetcrm auth login again and allow it"
        )
    email = _email(token.get("id_token"))
    tokens.save_token(tokens.token_path(), flow.credentials, account=email)
    saved = None
    if client_secret is not None and not tokens.default_client_secret().exists():
        saved = tokens.default_client_secret()
        write_private(saved, json.dumps(config, indent=2) + "\n")
    return SignedIn(tokens.token_path(), email, granted, saved)


def _instructions(url: str, redirect: str, *, opened: bool, paste: bool) -> str:
    if opened:
        return (
            "Your browser opened Google's sign-in page; choose your account and allow access.\n"
            f"If it did not open, visit:\n\n  {url}\n"
        )
    lines = [
        "Open this address in a browser (on this or any other machine), sign in with your",
        f"Google account and allow access:\n\n  {url}\n",
    ]
    if paste:
        lines += [
            f"Google then sends the browser to {redirect}… If that page does not load",
            "(the browser is on another machine), copy the address from the address bar and",
            "paste it here:",
        ]
    return "\n".join(lines)


def _exchange(flow: InstalledAppFlow, answer: str) -> None:
    """Trade the code for tokens (state and PKCE checked by oauthlib)."""
    # oauthlib insists on https; the redirect is always plain http on loopback
    response = answer.replace("http://", "https://", 1)
    try:
        flow.fetch_token(authorization_response=response)
    except oauth_errors.MismatchingStateError:
        raise AccessError(
            "that address belongs to another sign-in attempt; run sheetcrm auth login again"
        ) from None
    except oauth_errors.OAuth2Error as exc:
        detail = f"{exc.error}: {exc.description}" if exc.description else exc.error
        raise AccessError(f"Google did not sign you in ({detail})") from None
    except requests.ConnectionError:
        raise offline(None, "could not finish signing in") from None
    except requests.Timeout:
        raise TransientError("Google did not answer while signing in; try again") from None


@contextlib.contextmanager
def _relaxed(client: dict[str, Any]) -> Iterator[None]:
    """Let oauthlib accept a changed scope list (we check it ourselves) and, when the
    client's endpoints are on loopback (a test server), plain HTTP."""
    saved = {
        k: os.environ.get(k) for k in ("OAUTHLIB_RELAX_TOKEN_SCOPE", "OAUTHLIB_INSECURE_TRANSPORT")
    }
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"
    if all(urlsplit(client[k]).hostname in LOOPBACK for k in ("auth_uri", "token_uri")):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _email(id_token: str | None) -> str | None:
    """The account's e-mail from the ID token the token endpoint just sent us over TLS
    (its signature guards against nobody here, so it is not checked)."""
    if not id_token:
        return None
    try:
        claims = jwt.decode(id_token, verify=False)
    except ValueError:
        return None
    email = claims.get("email")
    return str(email) if email else None


class _Receiver:
    """A one-shot HTTP server on 127.0.0.1 for Google's redirect, plus pasted addresses."""

    def __init__(self) -> None:
        self.answers: queue.Queue[str] = queue.Queue()
        answers = self.answers
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                if "code" not in query and "error" not in query:
                    self.send_error(404)
                    return
                answers.put(receiver.redirect_uri.rstrip("/") + self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(DONE_PAGE)))
                self.end_headers()
                self.wfile.write(DONE_PAGE)

            def log_message(self, format: str, *args: Any) -> None:
                """The address holds the code: never log it."""

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/"

    def read_pastes(self, paste: Callable[[], str]) -> None:
        """Lines typed or pasted, in a thread; a line that is the redirect is an answer."""

        def read() -> None:
            while True:
                line = paste()
                if not line:
                    return  # end of input: only the redirect can finish now
                line = line.strip()
                if line.startswith(self.redirect_uri) and "=" in line:
                    self.answers.put(line)
                    return

        threading.Thread(target=read, daemon=True).start()

    def wait(self, timeout: float) -> str:
        try:
            return self.answers.get(timeout=timeout)
        except queue.Empty:
            raise TransientError(
                f"no answer from the sign-in within {timeout:.0f} s; run sheetcrm auth login again"
            ) from None

    def __enter__(self) -> _Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def logout() -> SignedOut:
    """Revoke the sign-in at Google, then delete the token (even if revoking failed)."""
    path = tokens.token_path()
    if not path.exists():
        return SignedOut(path, removed=False, revoked=False, problem=None)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        info = {}
    token = info.get("refresh_token") or info.get("token")
    problem = None
    if token:
        uri = os.environ.get(tokens.REVOKE_URI_ENV) or tokens.GOOGLE_REVOKE_URI
        problem = revoke(str(token), uri)
    path.unlink()
    return SignedOut(path, removed=True, revoked=bool(token) and problem is None, problem=problem)


def revoke(token: str, uri: str) -> str | None:
    """POST the token to the revoke endpoint; None when done, else why not (one line)."""
    try:
        response = requests.post(
            uri,
            data={"token": token},
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=20,
        )
    except requests.RequestException:
        return "cannot reach Google (offline?) to revoke the sign-in"
    if response.ok:
        return None
    try:
        error = response.json().get("error")
    except ValueError:
        error = None
    if error == "invalid_token":
        return None  # already expired or revoked: nothing left to undo
    return f"Google answered {response.status_code} to the revocation ({error or response.reason})"
