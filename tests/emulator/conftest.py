"""Fixtures: an emulator, and unmodified gspread talking to it in-process or over HTTP."""

from __future__ import annotations

import gspread
import pytest
from google.auth.credentials import AnonymousCredentials

from sheetcrm.emulator import Emulator, LoopbackServer, mount


def gspread_client(emulator: Emulator) -> gspread.Client:
    client = gspread.Client(AnonymousCredentials())
    mount(client.http_client.session, emulator)
    return client


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


@pytest.fixture
def gc(emulator) -> gspread.Client:
    return gspread_client(emulator)


@pytest.fixture
def loopback(emulator):
    with LoopbackServer(emulator) as server:
        yield server
