"""Google Sheets: what a fresh backend's apply costs in requests, counted by the emulator.

A fresh instance (a new process) must locate rows and grid sizes in the requests the
write needs anyway; a tabs listing is sent only when a step needs what no response gave
(row tags and ``appendCells`` name sheet ids, so a fresh instance that edits or appends
lists the tabs once; a run that read first has them).

An apply with edits costs: the locate (``values.batchGet``), batch #1 (tags the edited
rows), the re-read by data filter, the write by data filter, and batch #2 (appends with
``appendCells``, which grows a full grid itself, and deletes the tags).
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
REREAD = "sheets.spreadsheets.values.batchGetByDataFilter"
WRITE = "sheets.spreadsheets.values.batchUpdateByDataFilter"
#: an edit anchored to its row: locate, tag, re-read, write, append and untag
ANCHORED = {VALUES_GET: 1, UPDATE: 2, REREAD: 1, WRITE: 1}
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


def _tags(ss) -> list[str]:
    return [m["metadataValue"] for m in ss.developer_metadata if m["metadataKey"] == "sheetcrm:id"]


def test_a_fresh_apply_costs_what_one_after_a_read_does(emu, ss, crm):
    fresh = _cost(emu, sheets_backend(emu, ss.id), _import_like(), crm.schema)
    assert fresh == {GET: 1, **ANCHORED}  # the listing: sheet ids for the tags and appends
    assert _tags(ss) == []  # batch #2 deleted them
    warm = sheets_backend(emu, ss.id)
    warm.read(["Customers", "_audit"])  # lists the tabs
    edit = ChangeSet([SetCell("Customers", "C-1", "city", "Tabriz", "Shiraz")])
    # nothing to append: no batch #2; the tag stays until the next tagging of the sheet
    assert _cost(emu, warm, edit, crm.schema) == {**ANCHORED, UPDATE: 1}
    assert _tags(ss) == ["C-1"]
    appends = ChangeSet([AppendRow("Customers", {"customer_id": "C-7", "name": "M"})])
    # nothing anchored: the appends go in one batchUpdate right after the locate
    assert _cost(emu, warm, appends, crm.schema) == {VALUES_GET: 1, UPDATE: 1}
    again = ChangeSet([SetCell("Customers", "C-7", "city", "Qom", None)])
    assert _cost(emu, warm, again, crm.schema) == {**ANCHORED, UPDATE: 1}
    assert _tags(ss) == ["C-7"]  # the stale tag was deleted before the new one was made
    assert emu.stats.errors == []


def test_appending_to_a_full_tab_needs_no_growth_request(emu, ss, crm):
    sheet = Teammate(emu, ss.id).sheet("Customers")
    sheet.props["gridProperties"]["rowCount"] = 2  # header + C-1: full
    warm = sheets_backend(emu, ss.id)
    warm.read(["Customers", "_audit"])
    assert _cost(emu, warm, _import_like(3), crm.schema) == ANCHORED
    assert sheet.row_count == 2 + 3  # appendCells added the rows it needed
    ids = [row[0] for row in sheet.rows[1:]]
    assert ids == ["C-1", "C-2", "C-3", "C-4"]


def test_a_missing_system_tab_is_found_missing_once_and_created(emu, ss, crm):
    mate = Teammate(emu, ss.id)
    ss.sheets.remove(mate.sheet("_audit"))
    cost = _cost(emu, sheets_backend(emu, ss.id), _import_like(), crm.schema)
    assert cost == {**ANCHORED, VALUES_GET: 2, GET: 1}
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
