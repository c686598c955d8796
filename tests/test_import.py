"""Imports on every backend: messy files, every row accounted for, idempotent re-runs."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from contract.harness import HARNESSES

from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError, InputError, LockedError
from sheetcrm.ingest.export import export_tab
from sheetcrm.ingest.importer import import_file, import_from_tab
from sheetcrm.lock import lease
from sheetcrm.model.changes import AddTab, AppendRow, ChangeSet
from sheetcrm.model.values import ValueContext

MESSY = (
    "Full Name;E-mail;Mobile;City;Signup Date;Favourite colour;notes\n"
    "Sara Mohammadi; Sara@Example.com ;۰۹۱۲ ۳۴۵ ۶۷۸۹;Tehran;۱۴۰۳/۰۱/۱۵;blue;\n"
    "سارا محمدی;sara@example.com;+98 912 345 6789;تهران;2024-04-03;;same person\n"
    "রাহুল দাস;RAHUL@example.com;+৮৮০ ১৭১২ ৩৪৫৬৭৮;Dhaka;03/04/2024;green;"
    '"=HYPERLINK(""http://evil"",""x"")"\n'
    ";;;;;;\n"
    "Bob;bob@;;London;2024-01-01;;bad e-mail\n"
    "Alice;ALICE@example.org;+44 7400 123456;London;5 Mar 2024;;+1 call me\n"
    ";no-name@example.com;;;;;missing name\n"
    "Alice;alice@example.org;;London;;;\n"
    "Eve;eve@example.com;;Paris;yesterday;;bad date\n"
    '" Mallory";mallory@example.com;;;;;"\t=cmd|\' /C calc\'!A0"\n'
)


@pytest.fixture(params=["memory", "xlsx", "gsheets"])
def harness(request, tmp_path):
    made = HARNESSES[request.param](tmp_path)
    yield made
    made.close()


@pytest.fixture
def crm(harness, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    c = CRM(backend=harness.backend, config=Config(values=ValueContext(region="IR")))
    c.init()
    return c


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def writes(harness) -> object:
    emulator = getattr(harness, "emulator", None)
    return emulator.stats.writes if emulator else harness.state()


def test_messy_file_every_row_accounted_for(harness, crm, tmp_path):
    path = write(tmp_path, "people.csv", MESSY)
    result = import_file(crm, path, tab="Customers")
    c = result.counts
    assert (c.rows, c.created, c.merged, c.duplicates, c.empty, c.quarantined) == (
        10,
        4,
        1,
        1,
        1,
        3,
    )
    assert c.accounted() == c.rows
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
    assert crm.grid("Customers").formulas == {}
    quarantine = crm.frame("_quarantine")
    assert sorted(quarantine["row"]) == [6, 8, 10]
    bad = quarantine.set_index("row")
    assert bad.loc[6, "column"] == "E-mail" and bad.loc[6, "value"] == "bob@"
    assert bad.loc[8, "column"] == "Full Name" and "required" in bad.loc[8, "reason"]
    assert bad.loc[10, "column"] == "Signup Date" and bad.loc[10, "value"] == "yesterday"
    audit = crm.frame("_audit")
    assert list(audit["command"]) == ["init", "import"]  # one row per writing run
    assert json.loads(audit.iloc[1]["summary"])["created"] == 4
    assert "row 3 merged into row 2 (email=sara@example.com)" in result.merges


def test_second_import_writes_nothing(harness, crm, tmp_path):
    path = write(tmp_path, "people.csv", MESSY)
    import_file(crm, path, tab="Customers")
    before = writes(harness)
    again = import_file(crm, path, tab="Customers")
    assert not again.changes and again.report is None
    assert again.counts.unchanged == 4 and again.counts.accounted() == 10
    assert writes(harness) == before  # no write request / the file was not re-saved


@pytest.mark.parametrize(
    ("encoding", "sep"), [("utf-8-sig", ","), ("utf-16", "\t"), ("utf-8", "|")]
)
def test_encodings_and_delimiters(crm, tmp_path, encoding, sep):
    text = MESSY.replace(";", sep)
    result = import_file(crm, write(tmp_path, "p.csv", text, encoding), tab="Customers")
    assert result.counts.created == 4 and result.counts.quarantined == 3


def test_unreadable_files_fail_before_writing(harness, crm, tmp_path):
    before = harness.state()
    latin = write(tmp_path, "latin.csv", "name,city\nJosé,Málaga\n", "latin-1")
    with pytest.raises(InputError, match="not UTF-8"):
        import_file(crm, latin, tab="Customers")
    ragged = write(tmp_path, "ragged.csv", "name,city\na,b,c,d\n")
    with pytest.raises(InputError, match="row 2 has 4 cells"):
        import_file(crm, ragged, tab="Customers")
    with pytest.raises(InputError, match="none of its columns"):
        import_file(crm, write(tmp_path, "x.csv", "foo,bar\n1,2\n"), tab="Customers")
    with pytest.raises(InputError, match="not JSON"):
        import_file(crm, write(tmp_path, "x.ndjson", '{"name": "a"}\n{oops\n'), tab="Leads")
    assert harness.state() == before


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


def test_map_and_presets(crm, tmp_path):
    csv = "Customer,Electronic mail\nKaveh,kaveh@example.com\n"
    with pytest.raises(InputError, match="none of its columns"):
        import_file(crm, write(tmp_path, "a.csv", csv), tab="Customers")
    result = import_file(
        crm,
        write(tmp_path, "a.csv", csv),
        tab="Customers",
        overrides={"Customer": "name", "Electronic mail": "email"},
    )
    assert result.counts.created == 1
    with pytest.raises(ConfigError, match="no field 'mail'"):
        import_file(
            crm,
            write(tmp_path, "a.csv", csv),
            tab="Customers",
            overrides={"Electronic mail": "mail"},
        )
    chimp = (
        "Email Address,First Name,Last Name,UNSUB_TIME,OPTIN_TIME\n"
        "leila@example.com,Leila,Noori,,2024-02-01 10:00:00\n"
        "omid@example.com,Omid,,2024-05-05 09:00:00,2024-01-01 10:00:00\n"
    )
    result = import_file(crm, write(tmp_path, "chimp.csv", chimp), preset="mailchimp")
    assert result.tab == "Customers" and result.counts.created == 2
    df = crm.frame("Customers").set_index("email")
    assert df.loc["leila@example.com", "name"] == "Leila Noori"
    assert df.loc["omid@example.com", "opt_out"] is True
    assert df.loc["leila@example.com", "first_contact"] == dt.date(2024, 2, 1)


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
    assert first.tab == "Leads" and first.counts.created == 2 and first.counts.quarantined == 1
    q = first.quarantine[0]
    assert (q.row, q.column, q.value) == (4, "How did you hear about us?", "TV")
    again = import_from_tab(crm, "Form Responses 1")
    assert not again.changes and again.counts.unchanged == 2  # remembered, not re-imported
    leads = crm.frame("Leads")
    assert list(leads["source"]) == ["instagram", "referral"]
    assert list(leads["status"]) == ["new", "new"]


def _lenient(crm, header):
    """The schema plus a teammate's tab (so the test can create it through a backend)."""
    from sheetcrm.model.schema import Field, Schema, TabSchema

    tabs = dict(crm.schema.tabs)
    tabs["Form Responses 1"] = TabSchema("Form Responses 1", "F", tuple(Field(h) for h in header))
    return Schema(tabs)


def test_export_csv_escapes_and_round_trips(crm, tmp_path):
    import_file(crm, write(tmp_path, "people.csv", MESSY), tab="Customers")
    text = export_tab(crm, "Customers", "csv")
    assert "'=HYPERLINK(" in text and "\n'=" not in text.replace(",'=", "")
    out = tmp_path / "export.csv"
    out.write_text(text, encoding="utf-8")
    fresh = CRM(
        backend=HARNESSES["memory"](tmp_path).backend,
        config=Config(values=ValueContext(region="IR")),
    )
    fresh.init()
    again = import_file(fresh, out, tab="Customers")
    assert again.counts.created == 4 and again.counts.quarantined == 0
    original = crm.frame("Customers").set_index("customer_id")
    copied = fresh.frame("Customers").set_index("customer_id")
    assert list(copied.index) == list(original.index)
    for column in ("name", "email", "phone", "notes", "first_contact"):
        assert list(copied[column]) == list(original[column]), column
    assert json.loads(export_tab(crm, "Customers", "json"))[0]["customer_id"]


def test_dry_run_sends_nothing(harness, crm, tmp_path):
    before = harness.state()
    result = import_file(crm, write(tmp_path, "p.csv", MESSY), tab="Customers", dry_run=True)
    assert result.dry_run and result.counts.created == 4 and result.changes
    assert harness.state() == before


def test_a_second_concurrent_run_is_refused(crm, tmp_path):
    path = write(tmp_path, "p.csv", MESSY)
    with lease(crm.describe(), "import (another run)"), pytest.raises(LockedError) as info:
        import_file(crm, path, tab="Customers")
    assert info.value.exit_code == 5 and "locked" in str(info.value)
    assert import_file(crm, path, tab="Customers").counts.created == 4  # lease released


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


def test_a_run_stops_if_another_machine_wrote_since_it_read(harness, crm, tmp_path, monkeypatch):
    import_file(crm, write(tmp_path, "v1.csv", "name,email\nA,a@example.com\n"), tab="Customers")
    meta = next(r for r in range(2, 6) if harness.get_cell("_meta", r, 1) == "writer")
    original = crm.backend.apply

    def another_machine_writes_first(changes, schema):
        harness.set_cell("_meta", meta, 2, "import on laptop-2")  # their run got in first
        monkeypatch.setattr(crm.backend, "apply", original)
        return original(changes, schema)

    monkeypatch.setattr(crm.backend, "apply", another_machine_writes_first)
    before = list(crm.frame("Customers")["email"])
    with pytest.raises(LockedError, match="wrote to the workbook after this run read it"):
        import_file(
            crm, write(tmp_path, "v2.csv", "name,email\nB,b@example.com\n"), tab="Customers"
        )
    assert list(crm.frame("Customers")["email"]) == before  # nothing of ours was written
    assert import_file(crm, tmp_path / "v2.csv", tab="Customers").counts.created == 1
