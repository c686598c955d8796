"""The doctor's checks of this machine: fonts for reports, and the SMTP server.

Fonts are looked up with fontconfig (``fc-list :lang=fa``), which WeasyPrint's PDFs use
too; the SMTP server gets a connection and an EHLO (and STARTTLS when configured) within
a short timeout; no message is sent and no login is tried.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import ssl
import subprocess

from sheetcrm.config import Config
from sheetcrm.doctor.result import CheckResult, Status, failed, passed
from sheetcrm.errors import SheetCRMError
from sheetcrm.outputs.mail import SmtpSettings, smtp_settings

#: Languages the demo and the reports write besides English: fontconfig's code, the name,
#: and what to install (Debian/Ubuntu package, and the font families it brings).
LANGUAGES = (
    ("fa", "Persian", "fonts-noto-core (Noto Sans Arabic), or the Vazirmatn font"),
    ("bn", "Bengali", "fonts-noto-core (Noto Sans Bengali)"),
)


def font_families(lang: str) -> list[str] | None:
    """Font families fontconfig says cover ``lang``; None when fontconfig is not installed."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run(
            [fc_list, f":lang={lang}", "family"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


def check_fonts() -> CheckResult:
    """A font for each language the reports may hold (names and labels in the data)."""
    found: list[str] = []
    lacking: list[tuple[str, str]] = []
    for lang, name, package in LANGUAGES:
        families = font_families(lang)
        if families is None:
            fix = "install fontconfig (apt-get install fontconfig), then run doctor again"
            return failed("fonts", "fontconfig's fc-list was not found", fix)
        if families:
            found.append(f"{name}: {_preferred(families)}")
        else:
            lacking.append((name, package))
    if lacking:
        detail = f"no font for {' or '.join(name for name, _ in lacking)} text in charts and PDFs"
        fix = "; ".join(f"for {name}, install {package}" for name, package in lacking)
        return failed("fonts", detail, fix)
    return passed("fonts", "; ".join(found))


def _preferred(families: list[str]) -> str:
    """The families to name first: Noto and Vazirmatn (what the charts ask for)."""
    best = [f for f in families if f.startswith(("Noto Sans", "Vazirmatn"))]
    shown = (best or families)[:2]
    more = len(families) - len(shown)
    return ", ".join(shown) + (f" (+{more} more)" if more > 0 else "")


def smtp_configured(config: Config) -> bool:
    """``[smtp]`` in sheetcrm.toml or $SHEETCRM_SMTP_HOST, as ``outputs.mail`` reads them."""
    return "smtp" in config.features or bool(os.environ.get("SHEETCRM_SMTP_HOST"))


def check_smtp(config: Config, timeout: float) -> CheckResult:
    """Connect and say EHLO (no mail, no login) when SMTP is configured."""
    if not smtp_configured(config):
        why = "no [smtp] in sheetcrm.toml (only `report --email` and `remind --email` need it)"
        return CheckResult("smtp", Status.NOT_NEEDED, why)
    try:
        settings = smtp_settings(config)
    except SheetCRMError as exc:
        return failed("smtp", str(exc), "complete [smtp] in sheetcrm.toml (see the README)")
    where = f"{settings.host}:{settings.port}"
    try:
        greeting = _hello(settings, timeout)
    except (OSError, smtplib.SMTPException) as exc:
        why = f"cannot reach the SMTP server {where} ({exc or exc.__class__.__name__})"
        fix = "check [smtp] host, port and security in sheetcrm.toml, and that it is online"
        return failed("smtp", why, fix)
    return passed("smtp", f"{where} answered EHLO ({settings.security}): {greeting}")


def _hello(settings: SmtpSettings, timeout: float) -> str:
    """Connect, EHLO (and STARTTLS when configured), QUIT; the server's first reply line."""
    server: smtplib.SMTP
    if settings.security == "ssl":
        context = ssl.create_default_context()
        server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    with server:
        code, reply = server.ehlo()
        if code != 250:
            raise smtplib.SMTPResponseException(code, reply)
        if settings.security == "starttls":
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
    return reply.decode(errors="replace").splitlines()[0]
