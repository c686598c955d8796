"""Consent is never dropped: an unsubscribe is applied whatever else its row gets wrong, a
person who opted out is never made mailable again by an import, and one who opted out
before the sheet knew them is in the sheet as not to be mailed."""

from __future__ import annotations

import json

import pytest
from samples import MAILCHIMP_MEMBER, write_csv
from support import run_sheetcrm

from sheetcrm.ingest.importer import import_file
from sheetcrm.model.grid import map_header

#: Mailchimp's audience export, unsubscribed contacts (Audience → Export audience).
UNSUBSCRIBED = (
    *MAILCHIMP_MEMBER,
    "UNSUB_TIME",
    "UNSUB_CAMPAIGN_TITLE",
    "UNSUB_CAMPAIGN_ID",
    "UNSUB_REASON",
    "UNSUB_REASON_OTHER",
    "LEID",
    "EUID",
    "NOTES",
    "TAGS",
)
#: The same export's cleaned contacts (addresses that bounced).
CLEANED = (
    *UNSUBSCRIBED[: UNSUBSCRIBED.index("UNSUB_TIME")],
    "CLEAN_TIME",
    "CLEAN_CAMPAIGN_TITLE",
    "CLEAN_CAMPAIGN_ID",
    "LEID",
    "EUID",
    "NOTES",
    "TAGS",
)


def mailchimp_row(header, **values):
    row = dict.fromkeys(header, "")
    row.update(values)
    return [row[h] for h in header]


def seed(crm, tmp_path):
    path = write_csv(
        tmp_path,
        "people.csv",
        ("Name", "Email", "Phone", "City"),
        ("Sara Ahmadi", "sara@example.com", "0912 345 6789", "Tehran"),
        ("Rahul Das", "rahul@example.com", "", "Dhaka"),
    )
    assert import_file(crm, path, tab="Customers").counts.created == 2


def people(crm):
    return {p["email"]: p for p in crm.frame("Customers").to_dict("records")}


def test_a_mailchimp_unsubscribe_with_a_bad_phone_is_applied(crm, tmp_path):
    seed(crm, tmp_path)
    path = write_csv(
        tmp_path,
        "unsubscribed_members_export.csv",
        UNSUBSCRIBED,
        mailchimp_row(
            UNSUBSCRIBED,
            **{
                "Email Address": "Sara@Example.com",
                "First Name": "Sara",
                "Last Name": "Ahmadi",
                "Phone Number": "call me maybe",  # not a phone
                "CONFIRM_TIME": "sometime in 2023",  # not a date
                "UNSUB_TIME": "2024-05-01 10:11:12",
                "UNSUB_CAMPAIGN_TITLE": "May newsletter",
                "UNSUB_REASON": "NORMAL",
            },
        ),
    )
    result = import_file(crm, path, preset="mailchimp")
    assert (result.counts.updated, result.counts.quarantined) == (1, 0)
    assert sorted(q.column for q in result.quarantine) == ["CONFIRM_TIME", "Phone Number"]
    assert all(q.kind == "cell" for q in result.quarantine)
    sara = people(crm)["sara@example.com"]
    assert sara["opt_out"] is True or sara["opt_out"] == 1
    assert (sara["name"], sara["phone"]) == ("Sara Ahmadi", "+989123456789")  # kept
    assert not result.conflicts  # no made-up name fights the one in the sheet


@pytest.mark.parametrize(
    ("header", "column", "value"),
    [
        (UNSUBSCRIBED, "UNSUB_TIME", "2024-05-01 10:11:12"),
        (UNSUBSCRIBED, "UNSUB_TIME", "last spring"),  # unreadable: still an unsubscribe
        (UNSUBSCRIBED, "UNSUB_REASON", "SPAM"),  # no time, but a reason
        (CLEANED, "CLEAN_TIME", "2024-06-02 08:00:00"),  # bounced: Mailchimp stopped too
    ],
)
def test_an_opted_out_stranger_is_created_not_to_be_mailed(crm, tmp_path, header, column, value):
    row = mailchimp_row(header, **{"Email Address": "new.person@example.com", column: value})
    result = import_file(crm, write_csv(tmp_path, "m.csv", header, row), preset="mailchimp")
    assert result.counts.created == 1 and result.counts.quarantined == 0
    person = people(crm)["new.person@example.com"]
    assert person["name"] == "new.person" and bool(person["opt_out"]) is True


def test_a_phone_only_unsubscribe_is_named_after_the_phone(crm, tmp_path):
    header = ("Phone", "Opt out", "Name")
    path = write_csv(tmp_path, "stop.csv", header, ("0912 000 1111", "yes", ""))
    result = import_file(crm, path, tab="Customers")
    assert result.counts.created == 1
    [person] = crm.frame("Customers").to_dict("records")
    assert person["name"] == "+989120001111" and bool(person["opt_out"])


def test_a_name_less_stranger_without_consent_news_is_still_set_aside(crm, tmp_path):
    path = write_csv(tmp_path, "c.csv", ("Email", "Name", "City"), ("x@example.com", "", "Yazd"))
    result = import_file(crm, path, tab="Customers")
    assert result.counts.quarantined == 1 and crm.frame("Customers").empty


@pytest.mark.parametrize("raw", ["unsubscribed", "please stop", "STOP!!"])
def test_an_unreadable_opt_out_counts_as_one(crm, tmp_path, raw):
    header = ("Name", "Email", "Opt out")
    path = write_csv(tmp_path, "c.csv", header, ("Ana", "ana@example.com", raw))
    result = import_file(crm, path, tab="Leads")
    [q] = result.quarantine
    assert (q.kind, q.column, q.value) == ("cell", "Opt out", raw)
    assert "taken as TRUE" in q.reason
    [lead] = crm.frame("Leads").to_dict("records")
    assert bool(lead["opt_out"]) is True


def test_an_unsubscribe_with_every_other_cell_bad_still_applies(crm, tmp_path):
    seed(crm, tmp_path)
    header = ("Name", "Email", "Phone", "Signup date", "Source", "Opt out")
    path = write_csv(
        tmp_path, "c.csv", header, ("", "rahul@example.com", "০০০", "32/13/2024", "TV", "হ্যাঁ")
    )
    result = import_file(crm, path, tab="Customers")
    assert result.counts.updated == 1 and result.counts.quarantined == 0
    assert result.counts.cells_set_aside == 3
    rahul = people(crm)["rahul@example.com"]
    assert bool(rahul["opt_out"]) and rahul["name"] == "Rahul Das"


def test_an_import_never_turns_an_opt_out_back(crm, tmp_path):
    header = ("Name", "Email", "Opt out")
    first = write_csv(tmp_path, "a.csv", header, ("Ana", "ana@example.com", "yes"))
    import_file(crm, first, tab="Customers")
    again = write_csv(tmp_path, "b.csv", header, ("Ana", "ana@example.com", "no"))
    result = import_file(crm, again, tab="Customers")
    assert not result.conflicts
    assert bool(people(crm)["ana@example.com"]["opt_out"]) is True
    # nor within one file: a later row saying "no" does not undo an earlier "yes"
    both = write_csv(
        tmp_path, "c.csv", header, ("Bo", "bo@example.com", "yes"), ("Bo", "bo@example.com", "no")
    )
    import_file(crm, both, tab="Customers")
    assert bool(people(crm)["bo@example.com"]["opt_out"]) is True


def test_an_unsubscribe_beats_a_typed_false_it_would_conflict_with(harness, crm, tmp_path):
    seed(crm, tmp_path)  # no opt_out column: the import never said anything about consent
    hm = map_header(crm.grid("Customers"), crm.schema["Customers"])
    harness.set_cell("Customers", 2, hm.index("opt_out") + 1, False)  # a teammate types FALSE
    header = ("Email", "Opt out")
    path = write_csv(tmp_path, "u.csv", header, ("sara@example.com", "TRUE"))
    result = import_file(crm, path, tab="Customers")
    assert bool(people(crm)["sara@example.com"]["opt_out"]) is True
    assert not [c for c in result.conflicts if c.field == "opt_out"]


def test_an_unsubscribe_that_identifies_no_one_is_set_aside_with_why(crm, tmp_path):
    header = ("Email", "Opt out")
    path = write_csv(tmp_path, "u.csv", header, ("sara@", "yes"))
    result = import_file(crm, path, tab="Customers")
    [q] = result.quarantine
    assert (q.kind, q.column, q.value) == ("row", "Email", "sara@")
    assert "e-mail" in q.reason


def test_a_nameless_mailchimp_member_already_there_keeps_their_name(crm, tmp_path):
    seed(crm, tmp_path)
    row = mailchimp_row(UNSUBSCRIBED, **{"Email Address": "rahul@example.com", "UNSUB_TIME": "x"})
    result = import_file(crm, write_csv(tmp_path, "m.csv", UNSUBSCRIBED, row), preset="mailchimp")
    assert result.counts.updated == 1 and not result.conflicts
    rahul = people(crm)["rahul@example.com"]
    assert rahul["name"] == "Rahul Das" and bool(rahul["opt_out"])


def test_a_mailchimp_unsubscribe_on_sheets_in_a_fresh_process(emu, tmp_path):
    """As cron runs it: init, a customers file, then the unsubscribed export with a bad
    phone, each a new process against the Sheets API (the emulator over loopback)."""
    sheet = emu.create_spreadsheet("crm")
    env = {"SHEETCRM_API_ENDPOINT": emu.url}
    (tmp_path / "sheetcrm.toml").write_text('[locale]\nregion = "IR"\n', encoding="utf-8")

    def sheetcrm(*args):
        return run_sheetcrm(*args, "--sheet", sheet.id, env=env, cwd=tmp_path)

    assert sheetcrm("init").returncode == 0
    customers = write_csv(
        tmp_path, "people.csv", ("Name", "Email", "Phone"), ("Sara Ahmadi", "sara@example.com", "")
    )
    assert sheetcrm("import", str(customers), "--tab", "Customers").returncode == 0
    export = write_csv(
        tmp_path,
        "unsubscribed_members_export_1a2b3c.csv",
        UNSUBSCRIBED,
        mailchimp_row(
            UNSUBSCRIBED,
            **{
                "Email Address": "sara@example.com",
                "Phone Number": "+98 12",
                "UNSUB_TIME": "2024-05-01 10:11:12",
            },
        ),
    )
    done = sheetcrm("import", str(export), "--preset", "mailchimp")
    assert done.returncode == 8, (done.stdout, done.stderr)  # a cell was set aside
    assert "1 row: 1 updated; 1 cell set aside" in done.stdout
    shown = json.loads(sheetcrm("show", "Customers", "--format", "json").stdout)
    assert [(p["email"], p["opt_out"], p["phone"]) for p in shown] == [
        ("sara@example.com", True, None)
    ]
