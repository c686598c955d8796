"""Where the sign-in of ``sheetcrm auth login`` lives, and how it is written.

The token is a JSON file in the user config dir (platformdirs: ``~/.config/sheetcrm`` on
Linux), mode 0600 from the moment it exists. Every write goes to a temp file in the same
folder that is created 0600 before any byte is written, then ``os.replace``s the old one,
so a crash or a second process never sees half a token. A refreshed access token is
written back, so the next run does not refresh again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import platformdirs
from google.auth.transport import Request
from google.oauth2 import credentials as user_credentials

from sheetcrm.files import write_private

TOKEN_FILE = "token.json"
#: where a refresh goes instead of Google's token endpoint (a test server); google-auth
#: ignores a token file's own ``token_uri``, so a file cannot send the token elsewhere
TOKEN_URI_ENV = "SHEETCRM_OAUTH_TOKEN_URI"
REVOKE_URI_ENV = "SHEETCRM_OAUTH_REVOKE_URI"
CLIENT_SECRET_FILE = "client_secret.json"
GOOGLE_REVOKE_URI = "https://oauth2.googleapis.com/revoke"


def config_dir() -> Path:
    """sheetcrm's folder in the user config dir (it may not exist yet)."""
    return Path(platformdirs.user_config_dir("sheetcrm", appauthor=False))


def token_path() -> Path:
    """Where ``sheetcrm auth login`` keeps the sign-in."""
    return config_dir() / TOKEN_FILE


def default_client_secret() -> Path:
    """Where ``sheetcrm auth login`` looks for the OAuth client when none is given."""
    return config_dir() / CLIENT_SECRET_FILE


class StoredCredentials(user_credentials.Credentials):
    """An OAuth user token that rewrites its file whenever Google refreshes it."""

    store: Path | None = None

    def refresh(self, request: Request) -> None:
        super().refresh(request)  # type: ignore[no-untyped-call]
        if self.store is not None:
            save_token(self.store, self)


def token_json(creds: user_credentials.Credentials, **extra: Any) -> str:
    """The token file: google-auth's own JSON plus ``type``, so every tool that reads
    authorized-user files accepts it (and ``account`` when the flow learnt it)."""
    data: dict[str, Any] = {"type": "authorized_user", **json.loads(creds.to_json())}
    data.update({k: v for k, v in extra.items() if v})
    return json.dumps(data, indent=2) + "\n"


def save_token(path: Path, creds: user_credentials.Credentials, **extra: Any) -> None:
    """Write ``creds`` to ``path`` (0600, atomically)."""
    write_private(path, token_json(creds, **extra))


def load_token(
    path: Path, info: dict[str, Any], scopes: list[str], *, rewrite: bool
) -> StoredCredentials:
    """Credentials from an authorized-user file; ``rewrite``: write refreshed tokens back.
    Raises ValueError or KeyError when a field Google needs is missing."""
    creds: StoredCredentials = StoredCredentials.from_authorized_user_info(  # type: ignore[no-untyped-call]
        info, scopes=scopes
    )
    override = os.environ.get(TOKEN_URI_ENV)
    if override:
        expiry = creds.expiry
        creds = creds.with_token_uri(override)
        creds.expiry = expiry  # the copy forgets it
    if rewrite:
        creds.store = path
    return creds
