"""The three-way merge of an import: per field, the value at the last sync (base), the
sheet now (a teammate may have changed or cleared it) and the file now decide what is
written, what is kept, and what is a conflict."""

from __future__ import annotations

import pytest
from contract.harness import HARNESSES
from samples import write

from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.ingest.importer import import_file
from sheetcrm.model.values import ValueContext

HEADER = "name,email,city,company\n"
UNCHANGED = object()  # the teammate leaves the cell alone

#: (case, city in the first import, the teammate's cell, city in the second import,
#:  the sheet afterwards, the conflict recorded as (sheet, file) or None).
#: "" is a blank: in a file it never blanks the sheet; in the sheet it is a cleared cell.
TRUTH_TABLE = [
    ("nothing changed", "Tehran", UNCHANGED, "Tehran", "Tehran", None),
    ("only the file changed", "Tehran", UNCHANGED, "Shiraz", "Shiraz", None),
    ("the file blanked it", "Tehran", UNCHANGED, "", "Tehran", None),
    ("only the teammate changed", "Tehran", "Isfahan", "Tehran", "Isfahan", None),
    ("both changed, differently", "Tehran", "Isfahan", "Shiraz", "Isfahan", ("Isfahan", "Shiraz")),
    ("both changed, alike", "Tehran", "Shiraz", "Shiraz", "Shiraz", None),
    ("teammate changed, file blanked", "Tehran", "Isfahan", "", "Isfahan", None),
    ("teammate cleared, file unchanged", "Tehran", "", "Tehran", None, None),
    ("teammate cleared, file changed", "Tehran", "", "Shiraz", "Shiraz", None),
    ("teammate cleared, file blanked", "Tehran", "", "", None, None),
    ("synced blank, only the file filled", "", UNCHANGED, "Shiraz", "Shiraz", None),
    ("synced blank, only the teammate filled", "", "Isfahan", "", "Isfahan", None),
    ("synced blank, both filled", "", "Isfahan", "Shiraz", "Isfahan", ("Isfahan", "Shiraz")),
    ("synced blank, both filled alike", "", "Shiraz", "Shiraz", "Shiraz", None),
]

#: Records a teammate typed in before any import (no sync state): (sheet, file, after, conflict).
NEVER_SYNCED = [
    ("same value", "Isfahan", "Isfahan", "Isfahan", None),
    ("different values", "Isfahan", "Shiraz", "Isfahan", ("Isfahan", "Shiraz")),
    ("sheet blank", "", "Shiraz", "Shiraz", None),
    ("file blank", "Isfahan", "", "Isfahan", None),
]


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def new_crm(backend):
    crm = CRM(backend=backend, config=Config(values=ValueContext(region="IR")))
    crm.init()
    return crm


def csv(tmp_path, name, city, company=""):
    path = tmp_path / name
    path.write_text(HEADER + f"Sara,sara@example.com,{city},{company}\n", encoding="utf-8")
    return path


def city_column(harness):
    return harness.header("Customers").index("city") + 1


@pytest.mark.parametrize(
    ("base", "teammate", "source", "after", "conflict"),
    [case[1:] for case in TRUTH_TABLE],
    ids=[case[0] for case in TRUTH_TABLE],
)
def test_merge_truth_table(tmp_path, base, teammate, source, after, conflict):
    harness = HARNESSES["memory"](tmp_path)
    crm = new_crm(harness.backend)
    import_file(crm, csv(tmp_path, "v1.csv", base), tab="Customers")
    if teammate is not UNCHANGED:
        harness.set_cell("Customers", 2, city_column(harness), teammate or None)
    result = import_file(crm, csv(tmp_path, "v2.csv", source), tab="Customers")
    assert crm.frame("Customers").iloc[0]["city"] == after
    got = [(c.field, c.sheet_value, c.source_value) for c in result.conflicts]
    assert got == ([("city", *conflict)] if conflict else [])
    assert result.counts.accounted() == result.counts.rows == 1


@pytest.mark.parametrize(
    ("sheet", "source", "after", "conflict"),
    [case[1:] for case in NEVER_SYNCED],
    ids=[case[0] for case in NEVER_SYNCED],
)
def test_merge_of_a_record_never_synced(tmp_path, sheet, source, after, conflict):
    crm = new_crm(HARNESSES["memory"](tmp_path).backend)
    crm.upsert(
        "Customers",
        [{"customer_id": "C-1", "name": "Sara", "email": "sara@example.com", "city": sheet}],
    )
    result = import_file(crm, csv(tmp_path, "v1.csv", source), tab="Customers")
    assert crm.frame("Customers").iloc[0]["city"] == after
    got = [(c.field, c.sheet_value, c.source_value) for c in result.conflicts]
    assert got == ([("city", *conflict)] if conflict else [])


@pytest.mark.parametrize("kind", ["memory", "xlsx", "gsheets"])
def test_teammate_clearing_a_cell_wins_over_an_unchanged_import(tmp_path, kind):
    """A cell a teammate cleared since the last sync stays clear when the file still has
    the old value; the same import still writes the fields the file did change."""
    harness = HARNESSES[kind](tmp_path)
    try:
        crm = new_crm(harness.backend)
        import_file(crm, csv(tmp_path, "v1.csv", "Tehran", "Pars"), tab="Customers")
        harness.set_cell("Customers", 2, city_column(harness), None)
        again = import_file(crm, csv(tmp_path, "v2.csv", "Tehran", "Pars Ltd"), tab="Customers")
        row = crm.frame("Customers").iloc[0]
        assert row["city"] is None and row["company"] == "Pars Ltd"
        assert not again.conflicts and again.counts.updated == 1
        third = import_file(crm, csv(tmp_path, "v2.csv", "Tehran", "Pars Ltd"), tab="Customers")
        assert not third.changes and crm.frame("Customers").iloc[0]["city"] is None
    finally:
        harness.close()


def test_conflicting_edit_keeps_the_sheet_and_records_it(harness, crm, tmp_path):
    v1 = "name,email,city,phone\nSara,sara@example.com,Tehran,09121234567\n"
    import_file(crm, write(tmp_path, "v1.csv", v1), tab="Customers")
    rid = crm.frame("Customers").iloc[0]["customer_id"]
    crm.upsert("Customers", [{"customer_id": rid, "city": "Isfahan", "phone": "09129999999"}])
    v2 = "name,email,city,phone\nSara,sara@example.com,Shiraz,09121234567\n"
    result = import_file(crm, write(tmp_path, "v2.csv", v2), tab="Customers")
    assert [(c.field, c.sheet_value, c.source_value) for c in result.conflicts] == [
        ("city", "Isfahan", "Shiraz")
    ]
    row = crm.frame("Customers").iloc[0]
    assert row["city"] == "Isfahan" and row["phone"] == "+989129999999"  # both edits kept
    assert list(crm.frame("_conflicts")["field"]) == ["city"]
    again = import_file(crm, write(tmp_path, "v2.csv", v2), tab="Customers")
    assert not again.conflicts and not again.changes  # the file did not change since
    v3 = v2.replace("Shiraz", "Tabriz")
    forced = import_file(crm, write(tmp_path, "v3.csv", v3), tab="Customers", on_conflict="source")
    assert forced.conflicts[0].resolution == "source value kept"
    assert crm.frame("Customers").iloc[0]["city"] == "Tabriz"
