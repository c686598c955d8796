"""The contract every backend keeps (DESIGN.md §3–4), run against each harness."""

from __future__ import annotations

import datetime as dt

import pytest

from contract.harness import Harness
from sheetcrm.crm import CRM
from sheetcrm.errors import HeaderError, InputError
from sheetcrm.model.changes import ChangeSet, DeleteRow, SetCell


def _col(harness: Harness, tab: str, name: str) -> int:
    return [str(h) for h in harness.header(tab)].index(name) + 1


def _add(crm: CRM, *records: dict) -> None:
    crm.upsert("Customers", list(records))


def test_init_creates_every_tab_with_headers(harness, crm):
    grids = crm.read()
    made = [t for t in crm.schema.tabs.values() if not t.optional]
    assert {t.name for t in made} <= set(grids)
    assert not {t.name for t in crm.schema.tabs.values() if t.optional} & set(grids)
    for tab in made:
        assert [str(h) for h in grids[tab.name].header] == tab.columns
    crm.init(seller=True)  # the seller tabs, on request; then a repeat changes nothing
    grids = crm.read()
    for tab in crm.schema.tabs.values():
        assert [str(h) for h in grids[tab.name].header] == tab.columns
    assert not crm.init(seller=True).changed


def test_init_twice_writes_nothing(harness, crm):
    before = harness.state()
    result = crm.init()
    assert not result.changed
    assert harness.state() == before


def test_round_trip_of_typed_values(crm):
    _add(
        crm,
        {
            "customer_id": "C-1",
            "name": "Sara",
            "email": "Sara@Example.com ",
            "phone": "۰۹۱۲۳۴۵۶۷۸۹",
            "first_contact": "۱۴۰۳/۰۱/۱۵",
            "status": "Active",
            "opt_out": "no",
        },
    )
    df = crm.frame("Customers")
    row = df.iloc[0]
    assert row["email"] == "sara@example.com"
    assert row["phone"] == "+989123456789"
    assert row["first_contact"] == dt.date(2024, 4, 3)
    assert row["status"] == "active"
    assert row["opt_out"] is False or row["opt_out"] == False  # noqa: E712
    assert df.attrs["issues"] == []


def test_text_stays_text(harness, crm):
    payloads = [
        '=HYPERLINK("http://x")',
        "+98912",
        "-5+3",
        "@SUM(A1)",
        "00123",
        " =1+1",
        "\t=cmd",
        "TRUE",
        "1e5",
        "2024-01-01",
    ]
    _add(crm, *({"customer_id": f"C-{i}", "name": p, "notes": p} for i, p in enumerate(payloads)))
    df = crm.frame("Customers")
    assert list(df["name"]) == [p.strip() for p in payloads]  # names are trimmed text
    assert list(df["notes"]) == [p.strip() for p in payloads]
    grid = crm.grid("Customers")
    assert grid.formulas == {}  # nothing became a live formula


def test_dates_are_real_dates(harness, crm):
    _add(crm, {"customer_id": "C-1", "name": "A", "first_contact": "31/03/2025"})
    assert crm.frame("Customers").iloc[0]["first_contact"] == dt.date(2025, 3, 31)
    col = _col(harness, "Customers", "first_contact")
    assert harness.is_date(2, col)  # a date value with a date format, not the text "2025-03-31"


def test_headers_matched_by_name_not_position(harness, crm):
    _add(crm, {"customer_id": "C-1", "name": "A", "city": "Dhaka"})
    # a teammate swaps the 'name' and 'city' columns (header and data)
    n, c = _col(harness, "Customers", "name"), _col(harness, "Customers", "city")
    for row in (1, 2):
        a, b = harness.get_cell("Customers", row, n), harness.get_cell("Customers", row, c)
        harness.set_cell("Customers", row, n, b)
        harness.set_cell("Customers", row, c, a)
    harness.set_cell("Customers", 1, n, "  CITY ")
    _add(crm, {"customer_id": "C-1", "name": "B"})
    assert harness.get_cell("Customers", 2, c) == "B"
    assert harness.get_cell("Customers", 2, n) == "Dhaka"


def test_teammate_columns_preserved(harness, crm):
    _add(crm, {"customer_id": "C-1", "name": "A"}, {"customer_id": "C-2", "name": "B"})
    width = len(harness.header("Customers"))
    harness.set_cell("Customers", 1, width + 1, "Favourite tea")
    harness.set_cell("Customers", 2, width + 1, "00042")
    harness.set_cell("Customers", 3, width + 1, "=LEN(B3)")
    _add(crm, {"customer_id": "C-1", "name": "A2"}, {"customer_id": "C-3", "name": "C"})
    assert harness.get_cell("Customers", 1, width + 1) == "Favourite tea"
    assert harness.get_cell("Customers", 2, width + 1) == "00042"
    assert harness.get_cell("Customers", 3, width + 1) == "=LEN(B3)"
    assert harness.get_cell("Customers", 4, width + 1) is None
    df = crm.frame("Customers")
    assert list(df["Favourite tea"][:2]) == ["00042", None]


def test_formula_cells_are_never_overwritten(harness, crm):
    _add(crm, {"customer_id": "C-1", "name": "A", "company": "X"})
    col = _col(harness, "Customers", "company")
    harness.set_cell("Customers", 2, col, '=UPPER("x")')
    result = crm.upsert("Customers", [{"customer_id": "C-1", "company": "Y"}])
    assert harness.get_cell("Customers", 2, col) == '=UPPER("x")'
    assert not result.report or result.report.cells_written == 0
    assert any("formula" in n for n in result.changes.notes)


def test_rows_found_by_id_after_teammate_sorts_and_inserts(harness, crm):
    _add(crm, *({"customer_id": f"C-{i}", "name": f"N{i}"} for i in range(5)))
    changes = crm.plan_upsert("Customers", [{"customer_id": "C-1", "name": "changed"}])
    harness.reverse_rows("Customers")  # between read and write
    harness.insert_row("Customers", 2)
    crm.backend.apply(changes, crm.schema)
    df = crm.frame("Customers").dropna(subset=["customer_id"])
    names = dict(zip(df["customer_id"], df["name"], strict=True))
    assert names == {"C-0": "N0", "C-1": "changed", "C-2": "N2", "C-3": "N3", "C-4": "N4"}


def test_edit_to_a_row_deleted_meanwhile_is_skipped(harness, crm):
    _add(crm, {"customer_id": "C-1", "name": "A"})
    changes = ChangeSet([SetCell("Customers", "C-9", "name", "ghost")])
    report = crm.backend.apply(changes, crm.schema)
    assert report.cells_written == 0 and "no longer exists" in report.skipped[0]


def test_append_goes_after_last_row_and_is_not_duplicated(harness, crm):
    _add(crm, {"customer_id": "C-1", "name": "A"})
    changes = crm.plan_upsert("Customers", [{"customer_id": "C-2", "name": "B"}])
    crm.backend.apply(changes, crm.schema)
    crm.backend.apply(changes, crm.schema)  # the same append again (e.g. a retried run)
    df = crm.frame("Customers")
    assert list(df["customer_id"]) == ["C-1", "C-2"]


def test_deletions_are_applied_last_by_id(harness, crm):
    _add(crm, *({"customer_id": f"C-{i}", "name": f"N{i}"} for i in range(4)))
    crm.backend.apply(
        ChangeSet(
            [
                DeleteRow("Customers", "C-1"),
                DeleteRow("Customers", "C-3"),
                SetCell("Customers", "C-2", "name", "kept"),
            ]
        ),
        crm.schema,
    )
    df = crm.frame("Customers")
    assert list(df["customer_id"]) == ["C-0", "C-2"]
    assert list(df["name"]) == ["N0", "kept"]


@pytest.mark.parametrize("problem", ["blank", "duplicate", "missing"])
def test_bad_header_is_an_error_before_anything_is_written(harness, crm, problem):
    _add(crm, {"customer_id": "C-1", "name": "A", "city": "X"})
    col = _col(harness, "Customers", "city")
    if problem == "blank":
        harness.set_cell("Customers", 1, col, None)
    elif problem == "duplicate":
        harness.set_cell("Customers", 1, col, "Name")
    else:
        harness.set_cell("Customers", 1, col, "town")
    before = harness.state()
    with pytest.raises(HeaderError) as info:
        crm.upsert("Customers", [{"customer_id": "C-1", "name": "B"}])
    assert harness.state() == before
    message = str(info.value)
    assert "Customers" in message
    assert {"blank": "blank header", "duplicate": "twice", "missing": "'city'"}[problem] in message


def test_duplicate_ids_refuse_to_write(harness, crm):
    _add(crm, {"customer_id": "C-1", "name": "A"}, {"customer_id": "C-2", "name": "B"})
    harness.set_cell("Customers", 3, 1, "C-1")
    with pytest.raises(InputError, match="appears in rows 2 and 3"):
        crm.upsert("Customers", [{"customer_id": "C-1", "name": "Z"}])


def test_no_change_writes_nothing(harness, crm):
    _add(crm, {"customer_id": "C-1", "name": "A", "first_contact": "2025-01-01"})
    before = harness.state()
    result = crm.upsert(
        "Customers", [{"customer_id": "C-1", "name": "A", "first_contact": dt.date(2025, 1, 1)}]
    )
    assert not result.changed and result.report is None
    assert harness.state() == before


def test_failed_apply_leaves_workbook_unchanged(harness, crm, monkeypatch):
    _add(crm, {"customer_id": "C-1", "name": "A"})
    before = harness.state()
    changes = ChangeSet(
        [SetCell("Customers", "C-1", "name", "B"), SetCell("Customers", "C-1", "nope", "x")]
    )
    with pytest.raises(Exception):  # noqa: B017 - any failure must leave no trace
        crm.backend.apply(changes, crm.schema)
    assert harness.state() == before


def test_init_repairs_missing_columns_and_keeps_data(harness, crm):
    _add(crm, {"customer_id": "C-1", "name": "A", "notes": "keep me"})
    col = _col(harness, "Customers", "segment")
    header = harness.header("Customers")
    harness.set_cell("Customers", 1, col, None)  # a teammate deletes a column's header...
    # (no data under it, so it is simply missing)
    result = crm.init()
    assert result.changes.counts()["columns_added"] == 1
    assert len(harness.header("Customers")) >= len(header)
    assert crm.frame("Customers").iloc[0]["notes"] == "keep me"
