"""Backends and the factory that picks one from a target: a .xlsx path or a Sheets ID/URL.

Concrete backends are imported only when chosen, so using the xlsx default never loads
gspread, and the layering rule (services see only ``backends.base``) holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from sheetcrm.backends.base import ApplyReport, Backend
from sheetcrm.errors import ConfigError

if TYPE_CHECKING:
    from sheetcrm.config import Config

_SHEETS_URL = re.compile(r"docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")
_SHEETS_ID = re.compile(r"^[A-Za-z0-9_-]{25,}$")


def spreadsheet_id(target: str) -> str | None:
    """The Google Sheets ID in a URL or bare ID, or None if ``target`` is not one."""
    m = _SHEETS_URL.search(target)
    if m:
        return m.group(1)
    return target if _SHEETS_ID.match(target) and not target.lower().endswith(".xlsx") else None


def open_backend(
    target: str, config: Config | None = None, *, notify: Callable[[str], None] | None = None
) -> Backend:
    """Build the backend for ``target``: an .xlsx path, or a Google Sheets ID or URL.
    ``notify`` hears why a remote backend waits (a retry, a rate limit); the CLI passes it."""
    sid = spreadsheet_id(target)
    if sid is not None:
        try:
            from sheetcrm.backends.gsheets.backend import GSheetsBackend
        except ImportError as exc:
            raise ConfigError(f"the Google Sheets backend is not available ({exc})") from None
        return GSheetsBackend.open(sid, config=config, notify=notify)
    if not target.lower().endswith(".xlsx"):
        raise ConfigError(f"{target!r} is neither an .xlsx path nor a Google Sheets ID or URL")
    from sheetcrm.backends.xlsx import XlsxBackend

    return XlsxBackend(target)


__all__ = ["ApplyReport", "Backend", "open_backend", "spreadsheet_id"]
