"""Imports on every backend: messy files, every row accounted for, idempotent re-runs."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from samples import MESSY, write

from sheetcrm.ingest.export import export_tab
from sheetcrm.ingest.importer import import_file, import_from_tab
from sheetcrm.model.changes import AddTab, AppendRow, ChangeSet


def writes(harness) -> object:
    emulator = getattr(harness, "emulator", None)
    return emulator.stats.writes if emulator else harness.state()


def test_messy_file_every_row_accounted_for(harness, crm, tmp_path):
    path = write(tmp_path, "people.csv", MESSY)
    result = import_file(crm, path, tab="Customers")
    c = result.counts
    assert (c.rows, c.created, c.merged, c.duplicates, c.empty, c.quarantined) == (
        10,
        5,
        1,
        1,
        1,
        2,
    )
    assert c.accounted() == c.rows and c.cells_set_aside == 1
    assert result.ignored_columns == ["Favourite colour"]
    df = crm.frame("Customers")
    assert df.attrs["issues"] == []
    people = {r["email"]: r for _, r in df.iterrows()}
    sara = people["sara@example.com"]
    assert sara["name"] == "سارا محمدی" and sara["city"] == "تهران"  # the later row wins
    assert sara["phone"] == "+989123456789"
    assert sara["first_contact"] == dt.date(2024, 4, 3)
    rahul = people["rahul@example.com"]
    assert rahul["phone"] == "+8801712345678"
    assert rahul["notes"] == '=HYPERLINK("http://evil","x")'  # text, not a live formula
    assert people["alice@example.org"]["notes"] == "+1 call me"
    assert people["mallory@example.com"]["notes"] == "=cmd|' /C calc'!A0"
    eve = people["eve@example.com"]  # a bad optional date costs the cell, not the person
    assert eve["city"] == "Paris" and eve["notes"] == "bad date" and pd.isna(eve["first_contact"])
    assert crm.grid("Customers").formulas == {}
    quarantine = crm.frame("_quarantine")
    assert sorted(quarantine["row"]) == [6, 8, 10]
    bad = quarantine.set_index("row")
    assert bad.loc[6, "column"] == "E-mail" and bad.loc[6, "value"] == "bob@"
    assert bad.loc[8, "column"] == "Full Name" and "required" in bad.loc[8, "reason"]
    assert bad.loc[10, "column"] == "Signup Date" and bad.loc[10, "value"] == "yesterday"
    assert bad.loc[10, "kind"] == "cell" and "left blank" in bad.loc[10, "reason"]
    assert bad.loc[6, "kind"] == "row" and bad.loc[8, "kind"] == "row"
    audit = crm.frame("_audit")
    assert list(audit["command"]) == ["init", "import"]  # one row per writing run
    assert json.loads(audit.iloc[1]["summary"])["created"] == 5
    assert "row 3 merged into row 2 (email=sara@example.com)" in result.merges


def test_second_import_writes_nothing(harness, crm, tmp_path):
    path = write(tmp_path, "people.csv", MESSY)
    import_file(crm, path, tab="Customers")
    before = writes(harness)
    again = import_file(crm, path, tab="Customers")
    assert not again.changes and again.report is None
    assert again.counts.unchanged == 5 and again.counts.accounted() == 10
    assert writes(harness) == before  # no write request / the file was not re-saved


def test_json_ndjson_and_xlsx_inputs(crm, tmp_path):
    people = [
        {"Name": "Nima", "Email": "nima@example.com", "Phone": "09121111111"},
        {"Name": "Zara", "Email": "zara@example.com", "tags": ["a", "b"]},
    ]
    r1 = import_file(crm, write(tmp_path, "p.json", json.dumps(people)), tab="Leads")
    assert r1.counts.created == 2
    lines = "\n".join(json.dumps(p) for p in people) + "\n"
    r2 = import_file(crm, write(tmp_path, "p.ndjson", lines), tab="Leads")
    assert r2.counts.unchanged == 2
    export_tab(crm, "Leads", "xlsx", tmp_path / "leads.xlsx")
    r3 = import_file(crm, tmp_path / "leads.xlsx", tab="Leads")
    assert r3.counts.unchanged == 2 and not r3.changes


def test_google_form_responses_tab(harness, crm):
    header = ("Timestamp", "Email Address", "Your name", "How did you hear about us?", "Message")
    responses = [
        ["2026-11-01 10:00:00", "a@example.com", "Ana", "Instagram", "hi"],
        ["2026-11-02 11:30:00", "b@example.com", "Ben", "a friend", ""],
        ["2026-11-03 09:15:00", "c@example.com", "Cy", "TV", ""],
    ]
    crm.backend.apply(
        ChangeSet(
            [AddTab("Form Responses 1", header)]
            + [AppendRow("Form Responses 1", dict(zip(header, r, strict=True))) for r in responses]
        ),
        _lenient(crm, header),
    )
    first = import_from_tab(crm, "Form Responses 1")
    assert first.tab == "Leads" and first.counts.created == 3 and first.counts.quarantined == 0
    q = first.quarantine[0]  # an unknown source costs that cell, not the lead
    assert (q.row, q.column, q.value, q.kind) == (4, "How did you hear about us?", "TV", "cell")
    assert first.counts.cells_set_aside == 1
    again = import_from_tab(crm, "Form Responses 1")
    assert not again.changes and again.counts.unchanged == 3  # remembered, not re-imported
    leads = crm.frame("Leads")
    assert list(leads["source"]) == ["instagram", "referral", None]
    assert list(leads["status"]) == ["new", "new", "new"]


def _lenient(crm, header):
    """The schema plus a teammate's tab (so the test can create it through a backend)."""
    from sheetcrm.model.schema import Field, Schema, TabSchema

    tabs = dict(crm.schema.tabs)
    tabs["Form Responses 1"] = TabSchema("Form Responses 1", "F", tuple(Field(h) for h in header))
    return Schema(tabs)


def test_dry_run_sends_nothing(harness, crm, tmp_path):
    before = harness.state()
    result = import_file(crm, write(tmp_path, "p.csv", MESSY), tab="Customers", dry_run=True)
    assert result.dry_run and result.counts.created == 5 and result.changes
    assert harness.state() == before
