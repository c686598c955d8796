"""A stand-in for Google's OAuth endpoints on loopback, for driving ``sheetcrm auth login``
end to end without contacting Google: the consent page (which says yes at once and
redirects back with a code), the token endpoint (code exchange with PKCE checked, and
refresh), and the revoke endpoint. ``python tests/oauth_server.py --browser URL`` is also
a browser stand-in: it opens URL and follows the redirects, as a person clicking Allow."""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

CLIENT_ID = "1234-test.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-test-secret"
EMAIL = "ana.freelancer@gmail.com"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def id_token(email: str) -> str:
    """An (unsigned) ID token with the account's e-mail, as Google returns with openid."""
    header = _b64(json.dumps({"alg": "RS256", "kid": "test"}).encode())
    claims = {"iss": "https://accounts.google.com", "aud": CLIENT_ID, "email": email}
    return f"{header}.{_b64(json.dumps(claims).encode())}.{_b64(b'signature')}"


class OAuthServer:
    """Google's three OAuth endpoints, on 127.0.0.1; ``refresh_error``/``grant_scopes`` let a
    test make the token endpoint refuse a refresh or the user untick a scope."""

    def __init__(self) -> None:
        self.codes: dict[str, dict[str, str]] = {}
        self.issued: list[str] = []
        self.revoked: list[str] = []
        self.hits: Counter[str] = Counter()
        self.refresh_error: str | None = None  # e.g. "invalid_grant"
        self.grant_scopes: str | None = None  # None: grant what was asked
        self.email = EMAIL
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits[urlsplit(self.path).path] += 1
                outer.consent(self)

            def do_POST(self) -> None:
                path = urlsplit(self.path).path
                outer.hits[path] += 1
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                basic = self.headers.get("Authorization", "")
                if basic.startswith("Basic "):  # the client may authenticate either way
                    user, _, password = base64.b64decode(basic[6:]).decode().partition(":")
                    form.setdefault("client_id", unquote(user))
                    form.setdefault("client_secret", unquote(password))
                if path == "/token":
                    outer.token(self, form)
                elif path == "/revoke":
                    outer.revoked.append(form.get("token", ""))
                    _send(self, 200, {})
                else:
                    _send(self, 404, {"error": "not_found"})

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def env(self) -> dict[str, str]:
        """Where sheetcrm refreshes and revokes instead of Google's endpoints."""
        return {
            "SHEETCRM_OAUTH_TOKEN_URI": f"{self.url}/token",
            "SHEETCRM_OAUTH_REVOKE_URI": f"{self.url}/revoke",
        }

    def client_secret(self) -> dict[str, Any]:
        """A Desktop-app client secret as the Cloud Console downloads it, pointing here."""
        return {
            "installed": {
                "client_id": CLIENT_ID,
                "project_id": "freelance-crm",
                "auth_uri": f"{self.url}/auth",
                "token_uri": f"{self.url}/token",
                "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
                "client_secret": CLIENT_SECRET,
                "redirect_uris": ["http://localhost"],
            }
        }

    def consent(self, handler: BaseHTTPRequestHandler) -> None:
        """The user picks an account and clicks Allow: redirect back with a code."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(handler.path).query).items()}
        redirect = query.get("redirect_uri", "")
        if query.get("client_id") != CLIENT_ID or not redirect.startswith("http://127.0.0.1:"):
            _send(handler, 400, {"error": "redirect_uri_mismatch"})
            return
        code = f"4/code-{len(self.codes)}"
        self.codes[code] = query
        back = urlencode({"state": query.get("state", ""), "code": code, "scope": query["scope"]})
        handler.send_response(302)
        handler.send_header("Location", f"{redirect}?{back}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def token(self, handler: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            _send(handler, 401, {"error": "invalid_client"})
            return
        if form.get("grant_type") == "authorization_code":
            asked = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = _b64(hashlib.sha256(verifier.encode()).digest())
            if asked is None or asked.get("code_challenge") != challenge:
                _send(handler, 400, {"error": "invalid_grant", "error_description": "Bad code."})
                return
            scope = self.grant_scopes or asked["scope"]
            body = self._access(scope)
            body.update(refresh_token="1//refresh-token-test", id_token=id_token(self.email))
            _send(handler, 200, body)
        elif form.get("grant_type") == "refresh_token":
            if self.refresh_error or form.get("refresh_token") in self.revoked:
                error = self.refresh_error or "invalid_grant"
                description = "Token has been expired or revoked."
                _send(handler, 400, {"error": error, "error_description": description})
                return
            _send(handler, 200, self._access(form.get("scope") or "spreadsheets"))
        else:
            _send(handler, 400, {"error": "unsupported_grant_type"})

    def _access(self, scope: str) -> dict[str, Any]:
        token = f"ya29.test-access-{len(self.issued) + 1}"
        self.issued.append(token)
        return {"access_token": token, "expires_in": 3599, "scope": scope, "token_type": "Bearer"}

    def start(self) -> OAuthServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _send(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def browse(url: str) -> int:
    """Open ``url`` and follow redirects, as a browser does once the user clicks Allow."""
    import requests

    response = requests.get(url, timeout=30)
    return 0 if response.ok else 1


def browser_command() -> str:
    """$BROWSER for ``webbrowser``: this file as a browser that clicks Allow at once."""
    return f"{sys.executable} {Path(__file__).resolve()} --browser %s"


if __name__ == "__main__" and sys.argv[1:2] == ["--browser"]:
    sys.exit(browse(sys.argv[2]))
