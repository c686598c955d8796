"""A faithful, in-memory Google Sheets API v4 for tests, benchmarks and offline demos.

Unmodified gspread talks to it either in-process (``mount(session, emulator)``) or over
loopback HTTP (``LoopbackServer(emulator)``, or ``sheetcrm emulator serve``). Requests are
validated against Google's discovery document; see ``server.Emulator`` for the
instruments (request and byte counts, scripted faults, quota, teammate hooks).
"""

from __future__ import annotations

from .model import ApiError, Spreadsheet
from .records import Fault, RequestEvent, Stats
from .server import Emulator
from .transport import EmulatorAdapter, LoopbackServer, mount

__all__ = [
    "ApiError",
    "Emulator",
    "EmulatorAdapter",
    "Fault",
    "LoopbackServer",
    "RequestEvent",
    "Spreadsheet",
    "Stats",
    "mount",
]
