"""Shared fixtures: schema, value context, an initialised CRM on every backend, and the
Sheets API emulator served on loopback (plain helpers are in ``support.py``)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from contract.harness import HARNESSES
from support import emulator_serve

from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.model.tabs import build_schema
from sheetcrm.model.values import ValueContext

AS_OF = dt.date(2026, 11, 21)


@pytest.fixture
def schema():
    return build_schema()


@pytest.fixture
def ctx() -> ValueContext:
    return ValueContext(region="IR", currency="IRR", date_order="DMY")


@pytest.fixture
def config() -> Config:
    return Config()


@pytest.fixture(autouse=True)
def _private_leases_and_snapshots(tmp_path_factory, monkeypatch):
    """Every writing run takes a lease and may keep a snapshot; in tests both live in a
    folder of the test's own, not in the home folder shared with other runs on the host."""
    folder = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / "cache"))
    monkeypatch.setenv("SHEETCRM_SNAPSHOTS", str(folder / "snapshots"))
    # nor the sign-in of the person running the tests (sheetcrm auth login's token), and
    # no probe of a Google Cloud metadata server when no credentials are found
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(folder / "state"))
    monkeypatch.setenv("NO_GCE_CHECK", "true")


@pytest.fixture
def served(tmp_path):
    """``sheetcrm emulator serve --port 0`` in a process of its own: its URL and sheet ID."""
    with emulator_serve(tmp_path) as (url, [sheet]):
        yield url, sheet


@pytest.fixture
def emu():
    """The Sheets API emulator in this process, also served on loopback HTTP at ``emu.url``
    (for gspread and for fresh processes)."""
    from sheetcrm.emulator import Emulator, LoopbackServer

    emulator = Emulator()
    server = LoopbackServer(emulator).start()
    emulator.url = server.url
    yield emulator
    server.stop()


@pytest.fixture(params=["memory", "xlsx", "gsheets"])
def harness(request, tmp_path):
    """Each backend in turn, with a teammate's hands on it (files may override this)."""
    made = HARNESSES[request.param](tmp_path)
    yield made
    made.close()


@pytest.fixture
def crm(harness, tmp_path, monkeypatch):
    """An initialised CRM on ``harness``, reading phone numbers as Iranian by default."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    c = CRM(backend=harness.backend, config=Config(values=ValueContext(region="IR")))
    c.init()
    return c
