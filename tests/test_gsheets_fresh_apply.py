"""Google Sheets: what a fresh backend's apply costs in requests, counted by the emulator.

A fresh instance (a new process) must locate rows, grid sizes and sheet ids in the
requests the write needs anyway; a tabs listing is sent only when a step needs what no
response gave.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from contract.harness import sheets_backend

from sheetcrm.crm import CRM
from sheetcrm.emulator.teammate import Teammate
from sheetcrm.model.changes import (
    ANY,
    AppendRow,
    ChangeSet,
    Protect,
    SetCell,
    SetStyles,
    StyleRule,
)

GET = "sheets.spreadsheets.get"
VALUES_GET = "sheets.spreadsheets.values.batchGet"
UPDATE = "sheets.spreadsheets.batchUpdate"
VALUES_UPDATE = "sheets.spreadsheets.values.batchUpdate"
AT = dt.datetime(2025, 10, 4, 9, 30)


@pytest.fixture
def ss(emu):
    return emu.create_spreadsheet("crm")


@pytest.fixture
def crm(emu, ss):
    c = CRM(backend=sheets_backend(emu, ss.id))
    c.init()
    c.upsert("Customers", [{"customer_id": "C-1", "name": "Sara", "city": "Tehran"}])
    return c


def _import_like(n: int = 1) -> ChangeSet:
    """New customers, an edit and an audit row: what an import sends."""
    return ChangeSet(
        [
            *(AppendRow("Customers", {"customer_id": f"C-{i + 2}", "name": "N"}) for i in range(n)),
            SetCell("Customers", "C-1", "city", "Shiraz", "Tehran"),
            AppendRow("_audit", {"run_id": f"A-{n}", "at": AT, "command": "import"}),
        ]
    )


def _cost(emu, backend, changes, schema) -> Counter[str]:
    emu.stats.reset()
    backend.apply(changes, schema)
    return Counter(emu.stats.requests)


def test_a_fresh_apply_costs_what_one_after_a_read_does(emu, ss, crm):
    fresh = _cost(emu, sheets_backend(emu, ss.id), _import_like(), crm.schema)
    assert fresh == {VALUES_GET: 1, VALUES_UPDATE: 1}
    warm = sheets_backend(emu, ss.id)
    warm.read(["Customers", "_audit"])
    changes = ChangeSet([SetCell("Customers", "C-1", "city", "Tabriz", "Shiraz")])
    assert _cost(emu, warm, changes, crm.schema) == {VALUES_GET: 1, VALUES_UPDATE: 1}
    assert emu.stats.errors == []


def test_growing_a_tab_this_instance_never_read_costs_one_listing(emu, ss, crm):
    sheet = Teammate(emu, ss.id).sheet("Customers")
    sheet.props["gridProperties"]["rowCount"] = 2  # header + C-1: full
    fresh = _cost(emu, sheets_backend(emu, ss.id), _import_like(), crm.schema)
    assert fresh == {VALUES_GET: 1, GET: 1, UPDATE: 1, VALUES_UPDATE: 1}
    assert sheet.row_count == 2 + 500  # headroom: the next runs need not grow it
    again = ChangeSet([AppendRow("Customers", {"customer_id": "C-9", "name": "M"})])
    assert _cost(emu, sheets_backend(emu, ss.id), again, crm.schema) == {
        VALUES_GET: 1,
        VALUES_UPDATE: 1,
    }


def test_growing_a_tab_just_read_needs_no_listing(emu, ss, crm):
    Teammate(emu, ss.id).sheet("Customers").props["gridProperties"]["rowCount"] = 2
    warm = sheets_backend(emu, ss.id)
    warm.read(["Customers", "_audit"])
    assert _cost(emu, warm, _import_like(), crm.schema) == {
        VALUES_GET: 1,
        UPDATE: 1,
        VALUES_UPDATE: 1,
    }


def test_a_missing_system_tab_is_found_missing_once_and_created(emu, ss, crm):
    mate = Teammate(emu, ss.id)
    ss.sheets.remove(mate.sheet("_audit"))
    cost = _cost(emu, sheets_backend(emu, ss.id), _import_like(), crm.schema)
    assert cost == {VALUES_GET: 2, GET: 1, UPDATE: 1, VALUES_UPDATE: 1}
    assert [m for m, _, _ in emu.stats.errors] == [VALUES_GET]  # the one failed range
    assert mate.header("_audit")[:3] == ["run_id", "at", "user"]
    assert mate.sheet("_audit").props.get("hidden") is True
    assert mate.get("_audit", 2, 1) == "A-1"


def test_protection_and_colours_are_replaced_not_stacked_by_fresh_instances(emu, ss, crm):
    red = StyleRule("red", "formula", 1, 2, "=TRUE", fill="#FF0000")
    blue = StyleRule("blue", "formula", 1, 2, "=TRUE", fill="#0000FF")
    first = ChangeSet([Protect("Customers", "computed", 3, 5), SetStyles("Customers", (red,))])
    sheets_backend(emu, ss.id).apply(first, crm.schema)
    second = ChangeSet(
        [
            Protect("Customers", "computed", 4, 6),
            SetStyles("Customers", (blue,), drop=(red.signature,)),
        ]
    )
    cost = _cost(emu, sheets_backend(emu, ss.id), second, crm.schema)
    assert cost == {VALUES_GET: 1, GET: 1, UPDATE: 1}  # the listing brings rule and range ids
    sheet = Teammate(emu, ss.id).sheet("Customers")
    computed = [p for p in sheet.protected_ranges if p.get("description") == "computed"]
    assert [p["range"]["startColumnIndex"] for p in computed] == [4]
    fills = [r["booleanRule"]["format"]["backgroundColor"] for r in sheet.conditional_formats]
    assert fills == [{"red": 0.0, "green": 0.0, "blue": 1.0}]


def test_literal_formula_text_is_edited_but_a_real_formula_is_kept(emu, ss, crm):
    text = '=HYPERLINK("http://x")'
    crm.upsert("Customers", [{"customer_id": "C-1", "name": text}])  # written RAW: text
    mate = Teammate(emu, ss.id)
    mate.set("Customers", 2, mate.column_of("Customers", "notes"), "=1+1")  # a real formula
    changes = ChangeSet(
        [
            SetCell("Customers", "C-1", "name", "Sara", text),
            SetCell("Customers", "C-1", "notes", "typed over", ANY),
        ]
    )
    report = sheets_backend(emu, ss.id).apply(changes, crm.schema)
    assert report.skipped == ["Customers C-1 notes: formula kept"]
    assert mate.get("Customers", 2, mate.column_of("Customers", "name")) == "Sara"
    assert mate.get("Customers", 2, mate.column_of("Customers", "notes")) == "=1+1"
