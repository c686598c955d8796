"""E-mail over SMTP (STARTTLS, SSL or plain on a trusted host), multipart HTML + text.

Settings come from ``[smtp]`` in sheetcrm.toml or the environment
(``SHEETCRM_SMTP_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_FROM``, ``_SECURITY``);
a password is never taken from the command line, and one in the config file is refused
unless that file is private (mode 600). Every delivered message is logged in a local
outbox (``outputs.outbox``, shared with the notifications), so running the same job
again after a failure never sends anyone a second copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, getaddresses, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from sheetcrm.config import Config
from sheetcrm.errors import ConfigError, InputError, NotDelivered, TransientError
from sheetcrm.outputs.outbox import Outbox as Outbox  # importable from here, as before
from sheetcrm.outputs.outbox import outbox_path as outbox_path
from sheetcrm.outputs.outbox import record, sent_keys
from sheetcrm.outputs.secrets import refuse_readable

SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)  # name, data, mime

    @property
    def key(self) -> str:
        """Identifies this message to this person, for the outbox."""
        raw = "\x1f".join((self.to.lower(), self.subject, self.text))
        return hashlib.sha1(raw.encode()).hexdigest()


@dataclass
class Delivery:
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def smtp_settings(config: Config) -> SmtpSettings:
    """Settings from the environment, else ``[smtp]``; clear errors for what is missing."""
    table = config.features.get("smtp") or {}
    if not isinstance(table, dict):
        raise ConfigError("sheetcrm.toml [smtp] must be a table")
    unknown = set(table) - {"host", "port", "security", "user", "password", "from"}
    if unknown:
        raise ConfigError(f"sheetcrm.toml [smtp]: unknown key {sorted(unknown)[0]!r}")

    def get(name: str) -> Any:
        return os.environ.get(f"SHEETCRM_SMTP_{name.upper()}") or table.get(name)

    host = get("host")
    if not host:
        raise ConfigError("no SMTP server: set [smtp] host in sheetcrm.toml or SHEETCRM_SMTP_HOST")
    security = str(get("security") or "starttls").lower()
    if security not in SECURITY:
        raise ConfigError(f"SMTP security {security!r}: use starttls, ssl or none")
    try:
        port = int(get("port") or (465 if security == "ssl" else 587))
    except ValueError:
        raise ConfigError(f"SMTP port {get('port')!r} is not a number") from None
    if "password" in table:
        refuse_readable(config, "an SMTP password", "SHEETCRM_SMTP_PASSWORD")
    sender = get("from") or get("user")
    if not sender or "@" not in parseaddr(str(sender))[1]:
        raise ConfigError("no sender address: set [smtp] from or SHEETCRM_SMTP_FROM")
    return SmtpSettings(str(host), port, security, str(sender), get("user"), get("password"))


#: Characters that end or fold a header line (CR, LF and the other controls, NEL and the
#: Unicode line separators): in a subject or address they would let text add headers or
#: recipients of its own.
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def check_header(what: str, value: str) -> None:
    """Refuse a header value with a line break or control character (InputError, exit 3)."""
    found = _BREAKS.search(value)
    if found:
        shown = value if len(value) <= 60 else value[:57] + "..."
        raise InputError(
            f"the e-mail {what} {shown!r} contains a control character "
            f"({found.group()!r}, e.g. a line break); nothing was sent"
        )


def check_address(value: str) -> None:
    """One plain address: no control characters, no second address, an @ in it."""
    check_header("address", value)
    found = getaddresses([value])
    if len(found) != 1 or "@" not in found[0][1] or ";" in value:
        raise InputError(f"{value!r} is not one e-mail address; nothing was sent")


def check_mails(settings: SmtpSettings, mails: list[Email]) -> None:
    """Every header of every message, before the first is sent."""
    check_header("sender", settings.sender)
    for mail in mails:
        check_address(mail.to)
        check_header("subject", mail.subject)
        for filename, _data, _mime in mail.attachments:
            check_header("attachment name", filename)


def _message(settings: SmtpSettings, mail: Email) -> EmailMessage:
    msg = EmailMessage()
    name, address = parseaddr(settings.sender)
    msg["From"] = formataddr((name, address))
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Message-ID"] = make_msgid(domain=address.split("@")[-1])
    msg.set_content(mail.text)
    if mail.html:
        msg.add_alternative(mail.html, subtype="html")
    for filename, data, mime in mail.attachments:
        maintype, _, subtype = mime.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def _connect(settings: SmtpSettings, timeout: float) -> smtplib.SMTP:
    try:
        if settings.security == "ssl":
            context = ssl.create_default_context()
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=timeout, context=context
            )
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
            if settings.security == "starttls":
                server.starttls(context=ssl.create_default_context())
        if settings.user and settings.password:
            server.login(settings.user, settings.password)
    except smtplib.SMTPAuthenticationError:
        raise ConfigError(f"the SMTP server {settings.host} rejected the login") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise TransientError(
            f"could not connect to SMTP server {settings.host}:{settings.port} ({exc}); "
            "nothing was sent"
        ) from None
    return server


def send(
    settings: SmtpSettings,
    mails: list[Email],
    *,
    timeout: float = 30.0,
    outbox: Path | None = None,
    strict: bool = True,
) -> Delivery:
    """Send each message once; skip those already in the outbox; report refused addresses
    (``NotDelivered``, exit 8, after the others are sent; with ``strict=False`` only in
    ``Delivery.refused``, for a caller that reports them itself)."""
    check_mails(settings, mails)
    outbox = outbox or outbox_path()
    done = sent_keys(outbox)
    result = Delivery()
    todo: list[Email] = []
    for mail in mails:
        if mail.key in done:
            result.already_sent.append(mail.to)
        else:
            todo.append(mail)
    if not todo:
        return result
    server = _connect(settings, timeout)
    try:
        for mail in todo:
            try:
                server.send_message(_message(settings, mail))
            except smtplib.SMTPRecipientsRefused as exc:
                code, why = next(iter(exc.recipients.values()))
                result.refused[mail.to] = f"{code} {why.decode(errors='replace')}"
                continue
            except (smtplib.SMTPServerDisconnected, TimeoutError, OSError) as exc:
                raise TransientError(
                    f"the SMTP connection broke after {len(result.sent)} message(s) ({exc}); "
                    "run again — those already sent are not sent twice"
                ) from None
            # on disk before the next message: a run killed now does not send it twice
            record(mail.key, mail.to, mail.subject, outbox)
            result.sent.append(mail.to)
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            server.quit()
    if result.refused and strict:
        who = ", ".join(f"{k} ({v})" for k, v in result.refused.items())
        raise NotDelivered(f"the SMTP server refused {who}; {len(result.sent)} other(s) sent")
    return result
