"""ChangeSet diffing, ordering, rendering and the deletion guard."""

from __future__ import annotations

import datetime as dt

import pytest

from sheetcrm.errors import InputError, PlanRefusedError
from sheetcrm.model.changes import AddTab, AppendRow, ChangeSet, DeleteRow, SetCell
from sheetcrm.model.diff import diff_layout, diff_tab
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.values import ValueContext

CTX = ValueContext()


def grid(schema, rows):
    tab = schema["Customers"]
    header = tab.columns
    return TabGrid("Customers", list(header), [[r.get(c) for c in header] for r in rows])


def test_only_changed_cells_are_edited(schema):
    g = grid(
        schema,
        [
            {
                "customer_id": "C-1",
                "name": "A",
                "city": "Tehran",
                "first_contact": dt.date(2025, 1, 1),
            }
        ],
    )
    cs = diff_tab(
        g,
        schema["Customers"],
        [
            {
                "customer_id": "C-1",
                "name": "A",
                "city": "Shiraz",
                "first_contact": dt.date(2025, 1, 1),
            }
        ],
        CTX,
    )
    assert cs.ops == [SetCell("Customers", "C-1", "city", "Shiraz", "Tehran")]


def test_teammate_typed_text_date_equals_real_date(schema):
    g = grid(schema, [{"customer_id": "C-1", "name": "A", "first_contact": "01/02/2025"}])
    cs = diff_tab(
        g, schema["Customers"], [{"customer_id": "C-1", "first_contact": dt.date(2025, 2, 1)}], CTX
    )
    assert not cs


def test_new_ids_are_appended_and_missing_ones_deleted_only_when_asked(schema):
    g = grid(schema, [{"customer_id": "C-1", "name": "A"}, {"customer_id": "C-2", "name": "B"}])
    desired = [{"customer_id": "C-2", "name": "B"}, {"customer_id": "C-3", "name": "C"}]
    cs = diff_tab(g, schema["Customers"], desired, CTX)
    assert [type(op) for op in cs.ops] == [AppendRow]
    cs = diff_tab(g, schema["Customers"], desired, CTX, delete_missing=True)
    assert DeleteRow("Customers", "C-1") in cs.ops


def test_formula_cells_are_noted_not_edited(schema):
    g = grid(schema, [{"customer_id": "C-1", "name": "A"}])
    col = schema["Customers"].columns.index("company")
    g.formulas[(0, col)] = "=B2"
    cs = diff_tab(g, schema["Customers"], [{"customer_id": "C-1", "company": "X"}], CTX)
    assert not cs.ops and "formula" in cs.notes[0]


def test_duplicate_ids_in_the_sheet_are_an_error(schema):
    g = grid(schema, [{"customer_id": "C-1", "name": "A"}, {"customer_id": "C-1", "name": "B"}])
    with pytest.raises(InputError, match="rows 2 and 3"):
        diff_tab(g, schema["Customers"], [], CTX)


def test_order_puts_deletions_last():
    cs = ChangeSet(
        [
            DeleteRow("T", "1"),
            SetCell("T", "2", "f", 1),
            AddTab("T", ("a",)),
            AppendRow("T", {"a": 1}),
        ]
    )
    assert [type(op).__name__ for op in cs.ordered()] == [
        "AddTab",
        "SetCell",
        "AppendRow",
        "DeleteRow",
    ]


def test_deletion_guard(tmp_path, monkeypatch, schema):
    from sheetcrm.backends.memory import MemoryBackend
    from sheetcrm.crm import CRM
    from sheetcrm.ingest.restore import restore
    from sheetcrm.run import check, write_snapshot

    g = grid(schema, [{"customer_id": f"C-{i}", "name": f"N{i}"} for i in range(10)])
    cs = ChangeSet([DeleteRow("Customers", f"C-{i}") for i in range(3)])
    with pytest.raises(PlanRefusedError, match="delete or blank 3 of 10 rows"):
        check(cs, {"Customers": g}, force=False)
    check(cs, {"Customers": g}, force=True)
    blanking = ChangeSet([SetCell("Customers", "C-1", "name", None, "N1")])
    check(blanking, {"Customers": g}, force=False)  # one row of ten is fine
    monkeypatch.setenv("SHEETCRM_SNAPSHOTS", str(tmp_path))
    crm = CRM(backend=MemoryBackend([g]))
    path = write_snapshot(crm, {"Customers": g}, ["Customers"])
    crm.backend.tabs["Customers"].rows = crm.backend.tabs["Customers"].rows[5:]
    crm.backend.tabs["Customers"].rows[0][1] = "changed"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    restore(crm, path)
    df = crm.frame("Customers").set_index("customer_id")
    assert sorted(df.index) == sorted(f"C-{i}" for i in range(10))
    assert df.loc["C-5", "name"] == "N5"


def test_render_is_readable():
    cs = ChangeSet(
        [
            SetCell("Customers", "C-1", "city", "Shiraz", "Tehran"),
            AppendRow("Leads", {"lead_id": "L-1", "name": "سارا"}),
        ]
    )
    text = cs.render()
    assert text.splitlines()[0] == "Plan: 1 cells changed, 1 rows appended"
    assert "~ C-1 city: 'Tehran' → 'Shiraz'" in text
    assert "+ row lead_id='L-1', name='سارا'" in text
    assert ChangeSet().render() == "No changes."


def test_render_is_bounded():
    cs = ChangeSet([SetCell("T", str(i), "f", i) for i in range(100)])
    assert "… and 90 more" in cs.render(limit=10)


def test_layout_diff_only_lists_what_is_missing(schema):
    tab = schema["Tasks"]
    full = diff_layout(None, tab)
    assert full.frozen_rows == 1 and {n for n, _ in full.validations} == {"status", "done"}
    g = TabGrid("Tasks", tab.columns)
    g.layout.frozen_rows = 1
    g.layout.validations = dict(full.validations)
    g.layout.number_formats = dict(full.number_formats)
    g.layout.auto_filter = full.auto_filter  # the filter buttons init declares
    assert diff_layout(g, tab) is None
    del g.layout.validations["status"]
    assert diff_layout(g, tab).validations == (("status", dict(full.validations)["status"]),)
