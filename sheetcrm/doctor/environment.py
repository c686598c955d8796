"""The doctor's checks of this machine: fonts for reports, and the SMTP server.

Fonts are looked up per script of ``outputs.charts.SCRIPTS`` twice: with fontconfig
(``fc-list :lang=fa``), which WeasyPrint's PDFs and the browser use, and among matplotlib's
fonts, which draw the charts. The SMTP server gets a connection and an EHLO (and STARTTLS
when configured) within a short timeout; no message is sent and no login is tried.
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
from sheetcrm.outputs.charts import SCRIPTS, Script, installed_families
from sheetcrm.outputs.mail import SmtpSettings, smtp_settings


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
    """A font for each script the reports may hold (names and labels in the data), both
    where the pages find fonts (fontconfig: the browser, WeasyPrint) and where the charts
    do (matplotlib); the scripts, families and packages are the charts' own table."""
    found: list[str] = []
    lacking: list[Script] = []
    for script in SCRIPTS:
        families = font_families(script.lang)
        if families is None:
            fix = "install fontconfig (apt-get install fontconfig), then run doctor again"
            return failed("fonts", "fontconfig's fc-list was not found", fix)
        drawn = installed_families(script)
        if families and drawn:
            found.append(f"{script.name}: {_preferred(families)}")
        else:
            lacking.append(script)
    if lacking:
        detail = f"no font for {' or '.join(s.name for s in lacking)} text in charts and PDFs"
        fix = "; ".join(f"for {s.name}, install {s.advice()}" for s in lacking)
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
