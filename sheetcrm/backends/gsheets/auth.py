"""Google credentials for the Sheets backend: service account, OAuth user, or ADC.

Least privilege: only the ``spreadsheets`` scope. Key and token files must not be readable
by group or others; token files are created with mode 0600. Tokens and keys never reach
the logs (``RedactingFilter``). Anonymous credentials are allowed only when the endpoint
is overridden (an emulator), never against Google.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from pathlib import Path
from typing import Any

import google.auth
from google.auth.credentials import AnonymousCredentials, Credentials
from google.auth.exceptions import DefaultCredentialsError
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from sheetcrm.errors import ConfigError

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
_SECRET_KEYS = r"(?:access_token|refresh_token|id_token|private_key|client_secret|assertion)"
_SECRETS = [
    (re.compile(r"(Bearer\s+)\S+"), r"\1[redacted]"),
    (re.compile(r'("' + _SECRET_KEYS + r'"\s*:\s*")[^"]*(")'), r"\1[redacted]\2"),
    (re.compile(r"(\b" + _SECRET_KEYS + r"=)[^&\s\"']+"), r"\1[redacted]"),
    (
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S
        ),
        "[redacted key]",
    ),
]


class RedactingFilter(logging.Filter):
    """Replace bearer tokens, private keys and client secrets in log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for pattern, replacement in _SECRETS:
            redacted = pattern.sub(replacement, redacted)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def install_redaction() -> None:
    """Attach the filter to every handler of the root logger and the noisy libraries."""
    flt = RedactingFilter()
    for name in ("", "sheetcrm", "urllib3", "google", "gspread", "requests"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(flt)
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(flt)


def check_private(path: Path) -> None:
    """Refuse a secrets file that group or others can read."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"{path} is readable by other users (mode {mode:04o}); "
            f"protect it with `chmod 600 {path}` and run again"
        )


def write_private(path: Path, data: str) -> None:
    """Create or replace a token file that only its owner can read (mode 0600)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _from_file(path: Path) -> Credentials:
    if not path.exists():
        raise ConfigError(f"credentials file not found: {path}")
    check_private(path)
    try:
        info: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ConfigError(f"{path} is not a JSON key file") from None
    kind = info.get("type")
    try:
        creds: Credentials
        if kind == "service_account":
            creds = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
            return creds
        if kind == "authorized_user":
            creds = user_credentials.Credentials.from_authorized_user_info(info, scopes=SCOPES)
            return creds
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"{path}: not a usable {kind} key ({exc.__class__.__name__})") from None
    raise ConfigError(
        f"{path}: expected a service-account key or an OAuth user token "
        f'("type": "service_account" or "authorized_user"), found type {kind!r}'
    )


def load_credentials(path: str | None, *, endpoint: str | None) -> Credentials:
    """Credentials from ``path`` (or $SHEETCRM_CREDENTIALS), else ADC, else anonymous for an
    emulator endpoint."""
    path = path or os.environ.get("SHEETCRM_CREDENTIALS")
    if path:
        return _from_file(Path(path).expanduser())
    adc = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if adc:
        return _from_file(Path(adc).expanduser())
    if endpoint:
        return AnonymousCredentials()
    try:
        creds, _ = google.auth.default(scopes=SCOPES)
    except DefaultCredentialsError:
        raise ConfigError(
            "no Google credentials: set [google] credentials in sheetcrm.toml, "
            "$SHEETCRM_CREDENTIALS or $GOOGLE_APPLICATION_CREDENTIALS to a service-account "
            "key (see credentials.example.json)"
        ) from None
    return creds


def account_email(creds: Credentials) -> str | None:
    """The e-mail a spreadsheet must be shared with, when the credentials have one."""
    return getattr(creds, "service_account_email", None) or getattr(creds, "account", None)
