"""``[notify]`` in sheetcrm.toml: where notifications go, and how hard to try.

::

    [notify]                  # optional: how hard to try (these are the defaults)
    timeout = 10              # seconds to wait for an answer
    retries = 3               # tries after the first, on 429, 5xx or no connection
    backoff = 1.0             # first wait in seconds, doubled each time
    max_wait = 30             # cap on any one wait, also on a server's Retry-After

    [notify.webhook]
    url = "https://hooks.slack.com/services/…"   # or SHEETCRM_WEBHOOK_URL
    shape = "slack"           # or "generic" (Zapier, Make, n8n); default by the host
    on_rejected = false       # true: an import that set rows aside posts a notice

    [notify.trello]
    key = "…"                 # or SHEETCRM_TRELLO_KEY
    token = "…"               # or SHEETCRM_TRELLO_TOKEN
    list = "…"                # the id of the list cards go to (SHEETCRM_TRELLO_LIST)
    api = "https://api.trello.com"   # SHEETCRM_TRELLO_API; a test points it elsewhere

A webhook URL's path is its password (whoever has it can post), and so are Trello's key
and token: the environment wins over the file, a file holding one must be private (0600,
``outputs.secrets``), and messages show a URL only as ``scheme://host/…``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sheetcrm.config import Config
from sheetcrm.errors import ConfigError
from sheetcrm.outputs.secrets import refuse_readable

SHAPES = ("slack", "generic")
TRELLO_API = "https://api.trello.com"
_TOP = {"timeout", "retries", "backoff", "max_wait", "webhook", "trello"}
_WEBHOOK = {"url", "shape", "on_rejected"}
_TRELLO = {"key", "token", "list", "api"}


@dataclass(frozen=True)
class Retry:
    """How hard to try one delivery (``[notify]`` timeout, retries, backoff, max_wait)."""

    timeout: float = 10.0
    retries: int = 3
    backoff: float = 1.0
    max_wait: float = 30.0


@dataclass(frozen=True)
class WebhookSettings:
    url: str = field(repr=False)
    shape: str = "generic"
    on_rejected: bool = False

    @property
    def shown(self) -> str:
        return shown_url(self.url)


@dataclass(frozen=True)
class TrelloSettings:
    key: str = field(repr=False)
    token: str = field(repr=False)
    list_id: str
    api: str = TRELLO_API

    @property
    def shown(self) -> str:
        return f"Trello ({shown_url(self.api)})"


@dataclass(frozen=True)
class NotifySettings:
    webhook: WebhookSettings | None = None
    trello: TrelloSettings | None = None
    retry: Retry = Retry()

    @property
    def secrets(self) -> list[str]:
        """Every secret a message must never contain (for ``redact``)."""
        out: list[str] = []
        if self.webhook:
            out.append(self.webhook.url)
            path = urlsplit(self.webhook.url).path.strip("/")
            out += [path] if path else []
        if self.trello:
            out += [self.trello.key, self.trello.token]
        return [s for s in out if s]


def shown_url(url: str) -> str:
    """``https://hooks.slack.com/…``: a URL with its path, query and any user name left
    out (the path of a webhook URL is its secret)."""
    parts = urlsplit(url.strip())
    if parts.scheme and parts.hostname:
        port = f":{parts.port}" if _port(parts) else ""
        return f"{parts.scheme}://{parts.hostname}{port}/…"
    head = url.strip().split("/")[0][:30]
    return f"{head}/…" if head else "(empty)"


def _port(parts: Any) -> int | None:
    try:
        return int(parts.port) if parts.port else None
    except ValueError:
        return None


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret in it replaced by ``…`` (longest first)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, "…")
    return text


def _table(data: Any, where: str, keys: set[str]) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"sheetcrm.toml {where} must be a table")
    unknown = set(data) - keys
    if unknown:
        raise ConfigError(f"sheetcrm.toml {where}: unknown key {sorted(unknown)[0]!r}")
    return data


def _number(table: dict[str, Any], name: str, default: float, *, whole: bool = False) -> float:
    value = table.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"sheetcrm.toml [notify] {name} = {value!r}: give a number ≥ 0")
    if whole and int(value) != value:
        raise ConfigError(f"sheetcrm.toml [notify] {name} = {value!r}: give a whole number")
    return float(value)


def check_url(url: str, where: str) -> str:
    """An http(s) URL with a host and no spaces or control characters, or ConfigError
    (exit 7) showing it redacted."""
    url = url.strip()
    parts = urlsplit(url)
    bad = any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url)
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is no number
    except ValueError:
        bad = True
    if bad or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{where} {shown_url(url)!r} is not a usable address: give an http:// or "
            "https:// URL with a host"
        )
    return url


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"sheetcrm.toml {where} must be text")
    return value.strip()


def _webhook(config: Config, table: dict[str, Any]) -> WebhookSettings | None:
    url = os.environ.get("SHEETCRM_WEBHOOK_URL") or None
    if url is None and "url" in table:
        url = _text(table["url"], "[notify.webhook] url")
        refuse_readable(config, "a webhook URL", "SHEETCRM_WEBHOOK_URL")
    if url is None:
        return None
    url = check_url(url, "the webhook URL")
    host = urlsplit(url).hostname or ""
    shape = table.get("shape") or ("slack" if host.endswith("slack.com") else "generic")
    if shape not in SHAPES:
        raise ConfigError(f"[notify.webhook] shape {shape!r}: use slack or generic")
    on_rejected = table.get("on_rejected", False)
    if not isinstance(on_rejected, bool):
        raise ConfigError("[notify.webhook] on_rejected must be true or false")
    return WebhookSettings(url, str(shape), on_rejected)


def _trello(config: Config, table: dict[str, Any]) -> TrelloSettings | None:
    found: dict[str, str] = {}
    for name in ("key", "token", "list", "api"):
        env = os.environ.get(f"SHEETCRM_TRELLO_{name.upper()}")
        if env:
            found[name] = env.strip()
        elif name in table:
            found[name] = _text(table[name], f"[notify.trello] {name}")
            if name in ("key", "token"):
                refuse_readable(config, f"a Trello {name}", f"SHEETCRM_TRELLO_{name.upper()}")
    if not (found.keys() & {"key", "token", "list"}):
        return None
    for name in ("key", "token", "list"):
        if name not in found:
            env = f"SHEETCRM_TRELLO_{name.upper()}"
            raise ConfigError(f"Trello needs a {name}: set [notify.trello] {name} or {env}")
    api = check_url(found.get("api", TRELLO_API), "the Trello API address").rstrip("/")
    return TrelloSettings(found["key"], found["token"], found["list"], api)


def notify_settings(config: Config) -> NotifySettings:
    """``[notify]`` with the environment's overrides; nothing configured is no error here
    (``require`` says what to set when a command asks for a notification)."""
    top = _table(config.features.get("notify"), "[notify]", _TOP)
    retry = Retry(
        timeout=_number(top, "timeout", 10.0) or 10.0,
        retries=int(_number(top, "retries", 3, whole=True)),
        backoff=_number(top, "backoff", 1.0),
        max_wait=_number(top, "max_wait", 30.0),
    )
    webhook = _webhook(config, _table(top.get("webhook"), "[notify.webhook]", _WEBHOOK))
    trello = _trello(config, _table(top.get("trello"), "[notify.trello]", _TRELLO))
    return NotifySettings(webhook, trello, retry)


def require(settings: NotifySettings) -> NotifySettings:
    """``settings`` when at least one place to post is configured, else ConfigError."""
    if settings.webhook is None and settings.trello is None:
        raise ConfigError(
            "no webhook: set [notify.webhook] url in sheetcrm.toml or SHEETCRM_WEBHOOK_URL "
            "(or [notify.trello] key, token and list)"
        )
    return settings
