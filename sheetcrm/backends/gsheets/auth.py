"""Which Google credentials sheetcrm uses, in a documented order, and what state they are in.

The lookup order (the first that is set or exists wins):

1. ``[google] credentials`` in sheetcrm.toml
2. ``$SHEETCRM_CREDENTIALS``
3. ``$GOOGLE_APPLICATION_CREDENTIALS``
4. the sign-in of ``sheetcrm auth login`` (``token.json`` in the user config dir)
5. gspread's ``authorized_user.json`` (what ``gspread.oauth()`` saved)
6. Application Default Credentials (``gcloud auth application-default login``, or the
   metadata server on Google Cloud)

With an endpoint override (the emulator), 4–6 are skipped — a Google sign-in is never sent
to another address, and never refreshed meanwhile — and anonymous access is the last resort;
4 is used only when ``$SHEETCRM_OAUTH_TOKEN_URI`` names a token endpoint too (a test
OAuth server, whose tokens are not Google's). A file
named in 1–3 must not be readable by other users (it is refused); a file sheetcrm finds on
its own (4, 5) is made private instead, with a notice: gspread writes its token 0644.
Least privilege: every token is used with the ``spreadsheets`` scope only.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import stat
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import google.auth
import gspread.auth
from google.auth import _cloud_sdk
from google.auth.compute_engine import _metadata
from google.auth.credentials import AnonymousCredentials, Credentials
from google.auth.exceptions import DefaultCredentialsError
from google.oauth2 import service_account

from sheetcrm.backends.gsheets import failures, tokens
from sheetcrm.backends.gsheets.endpoint import endpoint_of
from sheetcrm.backends.gsheets.redact import RedactingFilter, install_redaction
from sheetcrm.backends.gsheets.timeouts import TimedRequest, Timeout, token_timeout
from sheetcrm.config import Config
from sheetcrm.errors import ConfigError, SheetCRMError
from sheetcrm.files import write_private

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
USER, SERVICE, ADC, GSPREAD = "oauth user", "service account", "ADC", "gspread authorized_user"
ANONYMOUS, NONE = "anonymous (emulator)", "none"
METADATA = "the metadata server (Google Cloud)"
NO_CREDENTIALS = (
    "no Google credentials: sign in with `sheetcrm auth login`, or set [google] credentials "
    "in sheetcrm.toml (or $SHEETCRM_CREDENTIALS) to a service-account key"
)
_USER_FIELDS = {"refresh_token", "client_id", "client_secret"}
_log = logging.getLogger("sheetcrm")

__all__ = [
    "SCOPES",
    "CredentialStatus",
    "RedactingFilter",
    "account_email",
    "check_private",
    "credential_status",
    "install_redaction",
    "load_credentials",
    "write_private",
]


@dataclass(frozen=True)
class Source:
    """Where credentials were found; ``explicit``: the user named the file."""

    label: str
    path: Path | None = None
    explicit: bool = False


@dataclass(frozen=True)
class Found:
    creds: Credentials
    kind: str
    source: Source


def gspread_token() -> Path:
    """Where ``gspread.oauth()`` keeps its sign-in (~/.config/gspread, %APPDATA%\\gspread)."""
    return Path(gspread.auth.get_config_dir()) / "authorized_user.json"


def locate(credentials: str | None, *, endpoint: str | None) -> Source:
    """The first source in the documented order; nothing is read yet."""
    if credentials:
        return Source("[google] credentials", Path(credentials).expanduser(), explicit=True)
    for var in ("SHEETCRM_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS"):
        if os.environ.get(var):
            return Source(f"${var}", Path(os.environ[var]).expanduser(), explicit=True)
    if endpoint and not os.environ.get(tokens.TOKEN_URI_ENV):
        # a Google sign-in is never sent to another address: a sheetcrm.toml in any cloned
        # folder can set the endpoint, and the token would go there (over plain HTTP)
        return Source("emulator")
    if tokens.token_path().exists():
        return Source("sheetcrm auth login", tokens.token_path())
    if endpoint:
        return Source("emulator")
    if gspread_token().exists():
        return Source("gspread", gspread_token())
    adc = Path(_cloud_sdk.get_application_default_credentials_path())
    return Source("application default credentials", adc if adc.exists() else None)


def resolve(
    credentials: str | None, *, endpoint: str | None, notify: Callable[[str], None] | None = None
) -> Found:
    """The credentials the lookup order picks, ready to use; ``ConfigError`` if unusable."""
    source = locate(credentials, endpoint=endpoint)
    _only_to_loopback(source, endpoint)
    return _open(source, notify)


def _only_to_loopback(source: Source, endpoint: str | None) -> None:
    """Google credentials go to Google or to an emulator on this machine, never elsewhere:
    a key file named in the environment would otherwise be minted into a token and sent to
    whatever address a cloned folder's ``sheetcrm.toml`` names as its endpoint."""
    if not endpoint or source.label == "emulator" or is_loopback(endpoint):
        return
    raise ConfigError(
        f"the Sheets API endpoint {endpoint} is not on this machine, and sheetcrm sends "
        f"Google credentials ({source.label}) only to Google or to a loopback emulator; "
        "remove [google] endpoint or $SHEETCRM_API_ENDPOINT"
    )


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine (localhost, 127.0.0.0/8 or ::1)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_credentials(
    path: str | None, *, endpoint: str | None, notify: Callable[[str], None] | None = None
) -> Credentials:
    """Credentials for ``path`` (``[google] credentials``), else the lookup order."""
    return resolve(path, endpoint=endpoint, notify=notify).creds


def _open(source: Source, notify: Callable[[str], None] | None) -> Found:
    if source.label == "emulator":
        return Found(AnonymousCredentials(), ANONYMOUS, source)
    if source.label == "application default credentials":
        return Found(_default(), ADC, source)
    assert source.path is not None
    creds, kind = _from_file(source, notify)
    return Found(creds, kind, source)


def _default() -> Credentials:
    try:
        with warnings.catch_warnings():  # "end user credentials without a quota project"
            warnings.simplefilter("ignore")
            creds, _ = google.auth.default(scopes=SCOPES)
    except DefaultCredentialsError:
        raise ConfigError(NO_CREDENTIALS) from None
    return creds


def check_private(path: Path) -> None:
    """Refuse a secrets file that group or others can read."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"{path} is readable by other users (mode {mode:04o}); "
            f"protect it with `chmod 600 {path}` and run again"
        )


def _make_private(path: Path, notify: Callable[[str], None] | None) -> None:
    """A token sheetcrm found on its own: fix its mode rather than refuse it."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, 0o600)
        message = f"{path} was readable by other users (mode {mode:04o}); made it private"
        (notify or _log.warning)(message)


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ConfigError(f"credentials file not found: {path}")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ConfigError(f"{path} is not a JSON key file") from None
    if not isinstance(info, dict):
        raise ConfigError(f"{path} is not a JSON key file")
    return info


def _from_file(source: Source, notify: Callable[[str], None] | None) -> tuple[Credentials, str]:
    assert source.path is not None
    path = source.path
    info = _read(path)
    refuse_lookalikes(path, info)
    if source.explicit:
        check_private(path)
    else:
        _make_private(path, notify)
    kind = info.get("type")
    if kind is None and set(info) >= _USER_FIELDS:
        kind = "authorized_user"  # gspread's file has no "type"
    try:
        if kind == "service_account":
            sa = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
            return sa, SERVICE
        if kind == "authorized_user":
            own = path.resolve() == tokens.token_path().resolve()
            user = tokens.load_token(path, info, SCOPES, rewrite=own)
            return user, GSPREAD if "type" not in info else USER
    except (ValueError, KeyError) as exc:
        fix = "run sheetcrm auth login" if kind == "authorized_user" else "download a new key"
        raise ConfigError(
            f"{path}: not a usable {kind} key ({exc.__class__.__name__}); {fix}"
        ) from None
    raise ConfigError(
        f"{path}: expected a service-account key or an OAuth user token "
        f'("type": "service_account" or "authorized_user"), found type {kind!r}'
    )


def refuse_lookalikes(path: Path, info: dict[str, Any]) -> None:
    """JSON files people give as credentials that are something else, each with its fix."""
    if "installed" in info or "web" in info:
        raise ConfigError(
            f"{path} is an OAuth client secret, not credentials; "
            f"run sheetcrm auth login --client-secret {path}"
        )
    if "REPLACE-WITH-YOUR-KEY" in str(info.get("private_key", "")) or info.get("project_id") == (
        "your-project-id"
    ):
        raise ConfigError(
            f"{path} is the unfilled example key (credentials.example.json): put your service "
            "account's downloaded key there, or sign in with your Google account: "
            "sheetcrm auth login"
        )


def account_email(creds: Credentials) -> str | None:
    """The e-mail a spreadsheet must be shared with, when the credentials have one."""
    email = getattr(creds, "service_account_email", None) or getattr(creds, "account", None)
    return str(email) if email and email != "default" else None


def on_google_cloud() -> bool:
    """On a Google Cloud machine (its firmware says so; no request is made), where ADC
    come from the metadata server; ``$NO_GCE_CHECK=true`` says not to look, as for
    google-auth."""
    if os.environ.get("NO_GCE_CHECK", "").lower() == "true":
        return False
    return bool(_metadata.detect_gce_residency_linux())


@dataclass(frozen=True)
class CredentialStatus:
    """Which credentials sheetcrm would use, and whether they work. Never holds a secret."""

    kind: str
    source: str
    path: Path | None
    email: str | None
    scopes: tuple[str, ...]
    expiry: datetime | None
    fresh: bool
    problem: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (path and expiry as strings)."""
        return {
            "kind": self.kind,
            "source": self.source,
            "path": str(self.path) if self.path else None,
            "email": self.email,
            "scopes": list(self.scopes),
            "expiry": self.expiry.isoformat() if self.expiry else None,
            "fresh": self.fresh,
            "problem": self.problem,
        }


def credential_status(
    config: Config | None = None, *, refresh: bool = False, timeout: Timeout | None = None
) -> CredentialStatus:
    """Never raises for a credentials problem: it goes into ``problem``. ``refresh=True``
    refreshes a token that is not fresh (contacting the token endpoint, giving up after
    ``timeout`` seconds); otherwise nothing touches the network."""
    endpoint = endpoint_of(config)
    source = locate(getattr(config, "credentials", None), endpoint=endpoint)
    if source.label == "application default credentials" and source.path is None and not refresh:
        if on_google_cloud():
            return CredentialStatus(ADC, METADATA, None, None, tuple(SCOPES), None, False, None)
        return CredentialStatus(NONE, "nowhere", None, None, (), None, False, NO_CREDENTIALS)
    try:
        _only_to_loopback(source, endpoint)
        found = _open(source, notify=None)
    except SheetCRMError as exc:
        return CredentialStatus(NONE, source.label, source.path, None, (), None, False, str(exc))
    creds, problem = found.creds, None
    if found.kind == ANONYMOUS:
        return CredentialStatus(ANONYMOUS, source.label, None, None, (), None, True, None)
    if refresh and not creds.valid:
        try:
            creds.refresh(TimedRequest(token_timeout(timeout)))
        except Exception as exc:  # a refresh or connection failure; a bug is raised again
            problem = str(failures.credentials_error(exc, account=account_email(creds)))
    expiry = creds.expiry.replace(tzinfo=UTC) if creds.expiry else None
    scopes = getattr(creds, "scopes", None) or ()
    return CredentialStatus(
        found.kind,
        source.label,
        source.path,
        account_email(creds),
        tuple(scopes),
        expiry,
        bool(creds.valid),
        problem,
    )
