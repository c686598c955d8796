"""``person export`` and ``person forget``: one person's data on request, and their removal
everywhere (the workbook's tabs, its journal, local snapshots, the outbox) with a salted
hash that keeps a later import from bringing them back."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from support import one_line, run_sheetcrm

from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.errors import DiskError, InputError, NotFoundError, PlanRefusedError
from sheetcrm.ingest.forget import forget, scrub
from sheetcrm.ingest.holdings import Held
from sheetcrm.ingest.importer import import_file
from sheetcrm.ingest.person import Person, Who
from sheetcrm.ingest.person_export import person_export
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.values import ValueContext
from sheetcrm.outputs.mail import Outbox, outbox_path
from sheetcrm.run import read_snapshot, write_snapshot

SARA = "sara.ahmadi@example.com"
SARA_PHONE = "+989123456789"
#: A Mailchimp audience export (Customers): Sara's e-mail in mixed case, her phone in
#: Persian digits as an Iranian customer types it.
MAILCHIMP = (
    "Email Address,First Name,Last Name,Phone Number,OPTIN_TIME,UNSUB_TIME,CC\n"
    "Sara.Ahmadi@Example.com,Sara,Ahmadi,۰۹۱۲۳۴۵۶۷۸۹,2025-03-01 10:00:00,,IR\n"
    "reza.karimi@example.com,Reza,Karimi,0912 111 2233,2025-03-02 11:00:00,,IR\n"
)
#: Google Form responses (Leads): Sara's second answer has a phone that is no phone, so
#: it lands in _quarantine (as a row or as a cell), holding her e-mail in its raw input.
FORM = (
    "Timestamp,Email Address,Your name,Phone number,How did you hear about us?,Message\n"
    "2025-10-04 10:00:00,sara.ahmadi@example.com,Sara Ahmadi,,Instagram,Do you ship saffron?\n"
    "2025-10-05 11:30:00,SARA.AHMADI@EXAMPLE.COM,Sara,0912,Instagram,again\n"
    "2025-10-06 09:00:00,nima@example.com,Nima,09350001122,a friend,\n"
)
TOML = '[locale]\nregion = "IR"\n'


def _id(crm: CRM, tab: str, email: str) -> str:
    frame = crm.frame(tab)
    return str(frame.loc[frame["email"] == email].iloc[0][crm.schema[tab].id_field])


@pytest.fixture
def shop(tmp_path, monkeypatch):
    """An Iranian shop's workbook (crm.xlsx in tmp_path, region IR): Sara as a customer
    and a converted lead, her purchase, call and task, a quarantined form answer of hers,
    a deletion-guard snapshot and an outbox line; Reza and Nima, who must stay."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    (tmp_path / "sheetcrm.toml").write_text(TOML, encoding="utf-8")
    (tmp_path / "mailchimp.csv").write_text(MAILCHIMP, encoding="utf-8")
    (tmp_path / "form.csv").write_text(FORM, encoding="utf-8")
    crm = CRM(config=Config(values=ValueContext(region="IR")), target=str(tmp_path / "crm.xlsx"))
    crm.init()
    import_file(crm, tmp_path / "mailchimp.csv", preset="mailchimp")
    import_file(crm, tmp_path / "form.csv", preset="google-form")
    customer, lead = _id(crm, "Customers", SARA), _id(crm, "Leads", SARA)
    reza = _id(crm, "Customers", "reza.karimi@example.com")
    crm.upsert("Leads", [{"lead_id": lead, "status": "converted", "customer_id": customer}])
    day = dt.datetime(2025, 10, 9, 12, 0)
    sale = {"date": day, "type": "purchase", "customer_id": customer, "amount": 1_200_000}
    sale |= {"product": "Saffron 100g", "order_id": "ORD-1001", "summary": "Sara paid by card"}
    call = {"date": day, "type": "call", "lead_id": lead, "summary": "Sara asked for saffron"}
    other = {"date": day, "type": "purchase", "customer_id": reza, "amount": 800_000}
    other |= {"product": "Pistachio 500g", "order_id": "ORD-1002"}
    crm.upsert("Interactions", [sale, call, other])
    crm.upsert("Tasks", [{"title": "Send Sara the invoice", "related_id": lead}])
    # others' records whose free text names her: they stay, the mention goes
    note = "Sara (۰۹۱۲ ۳۴۵ ۶۷۸۹) wants 2 kg"
    crm.upsert("Tasks", [{"title": "Restock pistachio", "description": note}])
    crm.upsert("Customers", [{"customer_id": reza, "notes": "referred by SARA.AHMADI@example.com"}])
    snap = write_snapshot(crm, crm.read(), ["Customers", "Leads", "Interactions"])
    outbox = outbox_path()
    outbox.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        {"key": "k1", "to": "Sara.Ahmadi@example.com", "subject": "Your saffron order"},
        {"key": "k2", "to": "Reza <reza.karimi@example.com>", "subject": "Your order"},
    ]
    outbox.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return {"crm": crm, "customer": customer, "lead": lead, "snapshot": snap, "outbox": outbox}


def _traces(text: str) -> list[str]:
    """What of Sara a text still holds: her e-mail (any case), her phone in any writing."""
    folded = text.casefold()
    found = [m for m in (SARA, "9123456789", "۹۱۲۳۴۵۶۷۸۹") if m in folded]
    return found + (["Ahmadi"] if "ahmadi" in folded else [])


def _workbook_text(path: Path) -> str:
    """Every cell of every tab, and every part of the .xlsx file itself."""
    wb = openpyxl.load_workbook(path)
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row]
    with zipfile.ZipFile(path) as z:
        parts = [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
    return "\n".join(cells + parts)


@pytest.mark.parametrize(
    "given, kind",
    [
        ("Sara.AHMADI@example.COM", "email"),  # an e-mail in any case
        ("۰۹۱۲۳۴۵۶۷۸۹", "phone"),  # Persian digits, read as an Iranian number
        ("0912 345 6789", "phone"),
        ("+98 912 345 6789", "phone"),
        ("customer", "id"),  # her customer ID (the lead comes through its customer_id)
        ("lead", "id"),  # her lead ID (the customer comes through the lead's customer_id)
    ],
)
def test_export_finds_her_by_email_phone_or_id_and_everything_held(shop, given, kind):
    crm = shop["crm"]
    given = shop.get(given, given)
    data = person_export(crm, given, ledgers=[Outbox()])
    assert data["version"] == 1 and data["kind"] == "sheetcrm.person"
    assert data["query"]["kind"] == kind
    assert sorted(data["records"], key=lambda r: r["tab"]) == [
        {"tab": "Customers", "id": shop["customer"]},
        {"tab": "Leads", "id": shop["lead"]},
    ]
    tabs = data["tabs"]
    assert [r["values"].get("email") for r in tabs["Customers"]] == [SARA, None]
    assert sorted(r["values"]["type"] for r in tabs["Interactions"]) == ["call", "purchase"]
    assert [r["values"].get("title") for r in tabs["Tasks"]] == ["Send Sara the invoice", None]
    mention = tabs["Tasks"][1]  # of someone else's task, only the text that names her
    assert mention["values"] == {"description": "Sara (۰۹۱۲ ۳۴۵ ۶۷۸۹) wants 2 kg"}
    assert tabs["Customers"][1]["values"] == {"notes": "referred by SARA.AHMADI@example.com"}
    assert any("0912" in r["values"]["raw"] for r in tabs["_quarantine"])
    assert {r["values"]["key"].split(":")[0] for r in tabs["_sync"]} >= {"Customers", "Leads"}
    assert [s["path"] for s in data["snapshots"]] == [str(shop["snapshot"])]
    shot = data["snapshots"][0]["tabs"]
    assert len(shot["Customers"]) == 2 and len(shot["Interactions"]) == 2  # hers + Reza's note
    sent = {"key": "k1", "to": "Sara.Ahmadi@example.com", "subject": "Your saffron order"}
    assert data["outbox"] == [sent]
    assert data["suppressed"] is False and set(data["about"]) >= {"tabs", "snapshots", "outbox"}
    text = json.dumps(data, ensure_ascii=False)
    assert "reza" not in text.casefold() and "nima" not in text.casefold()  # only her


@pytest.mark.parametrize(
    "given, error, said",
    [
        ("nobody@example.com", NotFoundError, "no one matches 'nobody@example.com'"),
        ("+989350009999", NotFoundError, "no one matches '+989350009999'"),
        ("C-0000000000000000", NotFoundError, "no one matches 'C-0000000000000000'"),
        ("sara@", InputError, "'sara@' is not a valid e-mail address"),
        ("hello world", InputError, "is neither an e-mail address, a phone number (region IR)"),
        ("12", InputError, "'12' is neither"),
        ("  ", InputError, "give an e-mail address, a phone number or a customer or lead ID"),
    ],
)
def test_no_one_or_not_a_key_is_one_clear_error(shop, given, error, said):
    crm = shop["crm"]
    before = _workbook_text(Path(crm.describe()))
    for call in (person_export, forget):
        with pytest.raises(error) as caught:
            call(crm, given)
        assert said in str(caught.value) and "\n" not in str(caught.value)
    assert _workbook_text(Path(crm.describe())) == before


def test_forget_removes_her_everywhere_and_a_reimport_keeps_her_out(shop, tmp_path):
    """The CLI as a person runs it (fresh processes, sheetcrm.toml's region IR): forget
    by a Persian-digit phone, then every tab, every part of the file, the snapshot and the
    outbox lack her; her sale is kept without her; re-importing both files suppresses her."""
    snapshot, outbox = shop["snapshot"], shop["outbox"]
    reza_line = outbox.read_text(encoding="utf-8").splitlines(keepends=True)[1]
    done = run_sheetcrm("person", "forget", "۰۹۱۲۳۴۵۶۷۸۹", "--yes", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    said = "Forgot ۰۹۱۲۳۴۵۶۷۸۹: Customers: 1 row deleted, 1 row with their mention replaced;"
    assert done.stdout.startswith(said), done.stdout
    assert "snapshots: 1 snapshot rewritten" in done.stdout and "outbox: 1 message" in done.stdout
    assert _traces(_workbook_text(tmp_path / "crm.xlsx")) == []
    assert _traces(snapshot.read_text(encoding="utf-8")) == []
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600
    assert "reza.karimi@example.com" in snapshot.read_text(encoding="utf-8")  # others stay
    assert outbox.read_text(encoding="utf-8") == reza_line
    crm = CRM(config=Config(values=ValueContext(region="IR")), target=str(tmp_path / "crm.xlsx"))
    sales = crm.frame("Interactions")
    kept = sales.loc[sales["order_id"] == "ORD-1001"].iloc[0]
    assert (kept["type"], kept["amount"], kept["product"]) == (
        "purchase",
        1_200_000,
        "Saffron 100g",
    )
    assert kept["customer_id"] is None and kept["summary"] is None
    assert sorted(sales["type"]) == ["purchase", "purchase"]  # her call went
    tasks, customers = crm.frame("Tasks"), crm.frame("Customers")
    assert list(tasks["title"]) == ["Restock pistachio"]
    assert list(tasks["description"]) == ["Sara ([forgotten]) wants 2 kg"]
    assert list(customers["email"]) == ["reza.karimi@example.com"]
    assert list(customers["notes"]) == ["referred by [forgotten]"]
    audit = crm.frame("_audit")
    assert audit["command"].iloc[-1] == "person forget"
    for name, preset in (("mailchimp.csv", "mailchimp"), ("form.csv", "google-form")):
        again = run_sheetcrm("import", name, "--preset", preset, cwd=tmp_path)
        assert again.returncode == 0, again.stderr
    assert (
        "2 rows: 1 unchanged, 1 suppressed"
        in run_sheetcrm(
            "import", "mailchimp.csv", "--preset", "mailchimp", "--dry-run", cwd=tmp_path
        ).stdout
    )
    assert _traces(_workbook_text(tmp_path / "crm.xlsx")) == []
    gone = run_sheetcrm("person", "export", SARA, cwd=tmp_path)
    assert one_line(gone, 3) == (
        f"sheetcrm: error: no one matches {SARA!r}: they were forgotten (`person forget`)"
    )
    twice = run_sheetcrm("person", "forget", SARA, "--yes", cwd=tmp_path)
    assert twice.returncode == 0 and "already on it" in twice.stdout, twice.stderr


def test_export_to_a_file_is_private_and_json(shop, tmp_path):
    done = run_sheetcrm("person", "export", SARA.upper(), "-o", "sara.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and "sara.json (mode 600)" in done.stderr
    out = tmp_path / "sara.json"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text(encoding="utf-8"))["records"][0]["id"] == shop["customer"]
    printed = run_sheetcrm("person", "export", SARA, cwd=tmp_path)
    assert json.loads(printed.stdout)["version"] == 1


def test_forget_asks_first_and_a_dry_run_changes_nothing(shop, tmp_path):
    before = (tmp_path / "crm.xlsx").read_bytes()
    shot, box = shop["snapshot"].read_bytes(), shop["outbox"].read_bytes()
    asked = run_sheetcrm("person", "forget", SARA, cwd=tmp_path)  # no terminal, no --yes
    line = one_line(asked, 3)
    assert "keeps no snapshot to undo it" in line and "re-run with --yes" in line
    dry = run_sheetcrm("person", "forget", SARA, "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert f"- row {shop['customer']}" in dry.stdout and "Would forget" in dry.stdout
    assert (tmp_path / "crm.xlsx").read_bytes() == before
    assert shop["snapshot"].read_bytes() == shot and shop["outbox"].read_bytes() == box
    nobody = run_sheetcrm("person", "forget", "nobody@example.com", "--yes", cwd=tmp_path)
    assert one_line(nobody, 3).startswith("sheetcrm: error: no one matches 'nobody@example.com'")


def test_forget_keeps_no_snapshot_and_its_audit_row_names_no_one(shop):
    crm = shop["crm"]
    folder = shop["snapshot"].parent
    before = sorted(folder.iterdir())
    result = forget(crm, SARA)
    assert result.snapshot is None and sorted(folder.iterdir()) == before
    audit = crm.frame("_audit")
    assert _traces(" ".join(map(str, audit["summary"]))) == []
    assert _traces(" ".join(map(str, audit["command"]))) == []
    last = json.loads(audit["summary"].iloc[-1])
    assert last["also"]["Customers"] == "1 row deleted, 1 row with their mention replaced"
    assert "1 row kept without them" in last["also"]["Interactions"]


def test_drop_sales_deletes_her_purchases_too(shop):
    crm = shop["crm"]
    forget(crm, shop["customer"], keep_sales=False)
    assert list(crm.frame("Interactions")["order_id"]) == ["ORD-1002"]


FAMILY = (
    "Email Address,First Name,Last Name,Phone Number\n"
    "moumita@example.com,Moumita,Das,+8801712345678\n"
    "sourav@example.com,Sourav,Das,+8801712345678\n"
)


def test_a_shared_family_phone_is_never_forgotten_for_the_other(tmp_path, monkeypatch):
    """Moumita and Sourav share a phone: forgetting Moumita keeps Sourav, the phone is not
    suppressed, and asking to forget the shared phone names both and does nothing."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    crm = CRM(config=Config(values=ValueContext(region="BD")), target=str(tmp_path / "crm.xlsx"))
    crm.init()
    (tmp_path / "family.csv").write_text(FAMILY, encoding="utf-8")
    shared = {"phone": "+8801712345678"}
    crm.upsert(
        "Customers",
        [
            {"name": "Moumita Das", "email": "moumita@example.com", **shared},
            {"name": "Sourav Das", "email": "sourav@example.com", **shared},
        ],
    )
    with pytest.raises(PlanRefusedError, match=r"2 people share \+8801712345678: .*moumita"):
        forget(crm, "০১৭১২৩৪৫৬৭৮")  # Bengali digits, read as a Bangladeshi number
    forget(crm, "moumita@example.com")
    assert list(crm.frame("Customers")["email"]) == ["sourav@example.com"]
    result = import_file(crm, tmp_path / "family.csv", preset="mailchimp")
    assert (result.counts.suppressed, result.counts.created) == (1, 0)
    assert list(crm.frame("Customers")["email"]) == ["sourav@example.com"]
    sourav_only = tmp_path / "sourav.csv"
    sourav_only.write_text("Phone Number,First Name\n+8801712345678,Sourav\n", encoding="utf-8")
    assert import_file(crm, sourav_only, preset="mailchimp").counts.suppressed == 0


def test_scrub_keeps_other_rows_and_their_formulas():
    """A snapshot's grid without her rows: later rows move up, and so do their formulas."""
    grid = TabGrid(
        "Customers",
        ["customer_id", "name", "email", "total_spent"],
        [["C-1", "Sara", SARA, 10], ["C-2", "Reza", "r@example.com", 5]],
        {(0, 3): "=1+9", (1, 3): "=2+3"},
    )
    person = Person(Who(SARA, "email", SARA), [("Customers", "C-1")], {"C-1"}, {SARA})
    out = scrub(person, {"Customers": grid}, [Held("Customers", 0, "C-1", "delete", "")])
    assert out["Customers"].rows == [["C-2", "Reza", "r@example.com", 5]]
    assert out["Customers"].formulas == {(0, 3): "=2+3"}
    assert grid.rows[0][0] == "C-1"  # the grid read is left as it was


def test_a_save_that_fails_mid_forget_changes_nothing(shop, tmp_path, monkeypatch):
    """The workbook's save fails (its temporary file cannot be flushed to disk): exit 6,
    and the workbook, the snapshot and the outbox are as they were (the local files are
    rewritten only after the workbook was saved)."""
    from click.testing import CliRunner

    from sheetcrm.cli import cli

    shot, box = shop["snapshot"].read_bytes(), shop["outbox"].read_bytes()
    before = _content(tmp_path / "crm.xlsx")
    real, saves = os.fsync, []

    def failing(fd: int) -> None:
        name = os.readlink(f"/proc/self/fd/{fd}")
        if name.endswith(".tmp") and Path(name).parent == tmp_path:
            saves.append(name)
            if len(saves) == 2:  # the first save takes the lease; the second is the forget
                raise OSError(28, os.strerror(28))
        real(fd)

    monkeypatch.setattr(os, "fsync", failing)
    done = CliRunner().invoke(cli, ["person", "forget", SARA, "--yes"])
    assert done.exit_code == 6, done.output
    assert "No space left on device" in one_line(done.stderr)
    monkeypatch.setattr(os, "fsync", real)
    assert _content(tmp_path / "crm.xlsx") == before
    assert shop["snapshot"].read_bytes() == shot and shop["outbox"].read_bytes() == box


def test_a_snapshot_that_cannot_be_rewritten_is_finished_by_running_it_again(shop, monkeypatch):
    crm, snapshot = shop["crm"], shop["snapshot"]
    real = os.fsync

    def failing(fd: int) -> None:
        if Path(os.readlink(f"/proc/self/fd/{fd}")).parent == snapshot.parent:
            raise OSError(28, os.strerror(28))
        real(fd)

    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(DiskError, match=r"could not be rewritten .*run the same `person forget`"):
        forget(crm, SARA)
    monkeypatch.setattr(os, "fsync", real)
    assert SARA in snapshot.read_text(encoding="utf-8")  # whole, as it was
    assert list(snapshot.parent.glob(".*.tmp")) == []
    result = forget(crm, SARA)  # the workbook no longer has her; the snapshot does
    assert result.also["snapshots"] == "1 snapshot rewritten"
    assert _traces(snapshot.read_text(encoding="utf-8")) == []
    assert read_snapshot(snapshot)["Customers"].rows[0][2] == "reza.karimi@example.com"


def _content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every tab's cells but the lease in ``_meta`` (taken and released in saves of their
    own, around the one that fails)."""
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [r for r in ws.iter_rows(values_only=True) if "lease" not in r]
        for ws in wb.worksheets
    }


def test_forget_on_google_sheets_over_the_emulator(served, tmp_path):
    """The same story against the Sheets API emulator served over HTTP, every command a
    fresh process: her rows go through the anchored deletion path, the re-import
    suppresses her, and no tab read back holds her."""
    url, sheet = served
    env = {"SHEETCRM_API_ENDPOINT": url}
    (tmp_path / "sheetcrm.toml").write_text(TOML, encoding="utf-8")
    (tmp_path / "mailchimp.csv").write_text(MAILCHIMP, encoding="utf-8")
    (tmp_path / "form.csv").write_text(FORM, encoding="utf-8")

    def cli(*args: str) -> str:
        done = run_sheetcrm(*args, "--sheet", sheet, env=env, cwd=tmp_path)
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout

    cli("init")
    cli("import", "mailchimp.csv", "--preset", "mailchimp")
    form = ("import", "form.csv", "--preset", "google-form", "--sheet", sheet)
    run_sheetcrm(*form, env=env, cwd=tmp_path)  # its bad row: quarantined (exit 0 or 8)
    exported = json.loads(cli("person", "export", "Sara.Ahmadi@EXAMPLE.com"))
    assert [r["tab"] for r in exported["records"]] == ["Customers", "Leads"]
    assert exported["tabs"]["_quarantine"]
    assert "Customers: 1 row deleted" in cli("person", "forget", "۰۹۱۲۳۴۵۶۷۸۹", "--yes")
    assert "1 suppressed" in cli("import", "mailchimp.csv", "--preset", "mailchimp")
    for tab in ("Customers", "Leads", "_quarantine", "_sync", "_audit", "_conflicts"):
        shown = cli("show", tab, "--format", "json")
        assert _traces(shown) == [], tab
    assert "reza.karimi@example.com" in cli("show", "Customers", "--format", "json")


@pytest.mark.parametrize("answer, code, gone", [("n\n", 1, False), ("y\n", 0, True)])
def test_at_a_terminal_forget_shows_what_goes_and_asks(shop, monkeypatch, answer, code, gone):
    from click.testing import CliRunner

    from sheetcrm.cli import cli, person_cmd

    monkeypatch.setattr(person_cmd, "can_ask", lambda: True)
    done = CliRunner().invoke(cli, ["person", "forget", SARA], input=answer)
    assert done.exit_code == code, done.output
    assert f"This removes {SARA}: Customers: 1 row deleted" in done.output
    assert "No snapshot is kept to undo this" in done.output
    crm = shop["crm"]
    assert (SARA not in set(crm.frame("Customers")["email"])) is gone
    assert (SARA in shop["snapshot"].read_text(encoding="utf-8")) is not gone


@pytest.mark.parametrize(
    "text, named",
    [
        ("row 5 merged into row 2 (email=Sara.Ahmadi@EXAMPLE.com)", True),
        ('{"raw": "{\\"Phone\\": \\"۰۹۱۲ ۳۴۵ ۶۷۸۹\\"}"}', True),  # JSON inside JSON
        ("call 0912-345-6789 after 5", True),
        ("+98 (912) 345 67 89", True),
        ("00989123456789", True),
        ("see C-1", True),
        ("see C-12 and XC-1", False),  # another ID that merely contains hers
        ("0912 345 6780", False),  # one digit off
        ("sara.ahmadi@example.co", False),
        ("mysara.ahmadi@example.com", False),  # other addresses that contain hers
        ("sara.ahmadi@example.com.au", False),
        ("<sara.ahmadi@example.com>.", True),
        ("", False),
    ],
)
def test_what_counts_as_naming_her_in_free_text(text, named):
    person = Person(Who(SARA, "email", SARA), ids={"C-1"}, emails={SARA}, phones={SARA_PHONE})
    assert person.mentions(text) is named
    redacted = person.redact(text)
    assert (redacted != text) is named and not person.mentions(redacted)


def test_forget_deletes_by_id_on_every_backend_while_a_teammate_sorts(crm, harness, tmp_path):
    """Memory, xlsx and Google Sheets (the emulator, anchored writes): a teammate sorts the
    tabs between forget's read and its write; her rows still go, her sale still loses
    her, and Reza's rows are untouched wherever they moved."""
    people = tmp_path / "people.csv"
    rows = [
        "Sara Ahmadi,sara.ahmadi@example.com,۰۹۱۲۳۴۵۶۷۸۹,Tehran",
        "Reza Karimi,reza.karimi@example.com,09121112233,Shiraz",
        "Nima Rahimi,nima@example.com,,Tabriz",
        "Sara A.,Sara.Ahmadi@Example.com,,",  # merged into her: the audit row names her
    ]
    people.write_text("name,email,phone,city\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert import_file(crm, people, tab="Customers").counts.merged == 1
    ids = {r["email"]: r["customer_id"] for r in crm.frame("Customers").to_dict("records")}
    # a teammate types her city while the next file changes it too: a conflict about her
    harness.set_cell("Customers", 2, harness.header("Customers").index("city") + 1, "Karaj")
    people.write_text(people.read_text(encoding="utf-8").replace("Tehran", "Isfahan"))
    assert [c.record_id for c in import_file(crm, people, tab="Customers").conflicts] == [ids[SARA]]
    day = dt.datetime(2025, 10, 9, 12, 0)
    sara, nima = ids[SARA], ids["nima@example.com"]
    hers = {"date": day, "type": "purchase", "customer_id": sara, "amount": 1_200_000}
    note = {"date": day, "type": "note", "customer_id": sara, "summary": "likes saffron"}
    his = {"date": day, "type": "purchase", "customer_id": nima, "amount": 500_000}
    hers |= {"order_id": "ORD-1001", "summary": "paid by card"}
    his |= {"order_id": "ORD-1003", "summary": "cash"}
    crm.upsert("Interactions", [hers, note, his])
    read, sorted_ = crm.backend.read, []

    def read_then_sort(*args, **kw):
        grids = read(*args, **kw)
        if not sorted_:
            sorted_.append(True)
            harness.reverse_rows("Customers")
            harness.reverse_rows("Interactions")
        return grids

    crm.backend.read = read_then_sort
    result = forget(crm, "۰۹۱۲۳۴۵۶۷۸۹")
    crm.backend.read = read
    assert sorted_ == [True] and result.skipped == [] and result.conflicts == []
    customers = crm.frame("Customers").to_dict("records")
    assert sorted(c["email"] for c in customers) == ["nima@example.com", "reza.karimi@example.com"]
    assert {c["phone"] for c in customers if c["email"].startswith("reza")} == {"+989121112233"}
    sales = {r["order_id"]: r for r in crm.frame("Interactions").to_dict("records")}
    assert sorted(sales) == ["ORD-1001", "ORD-1003"]  # her note went, her sale stayed
    assert sales["ORD-1001"]["customer_id"] is None and sales["ORD-1001"]["summary"] is None
    assert sales["ORD-1003"]["customer_id"] == nima
    assert sales["ORD-1003"]["summary"] == "cash"
    audit = crm.frame("_audit")
    assert _traces(" ".join(map(str, [*audit["summary"], *audit["command"]]))) == []
    assert crm.frame("_conflicts").empty
    assert any("[forgotten]" in str(s) for s in audit["summary"])


def test_a_forms_responses_tab_is_shown_and_listed_but_never_changed(shop, tmp_path):
    """A Google Form's responses tab in the workbook (not sheetcrm's): export shows her
    rows there, forget leaves the tab byte for byte and names the rows to delete by hand,
    and importing from that tab afterwards counts her as suppressed."""
    path = tmp_path / "crm.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Form Responses 1")
    for line in FORM.splitlines():
        ws.append(line.split(","))
    wb.save(path)
    crm = shop["crm"]
    data = person_export(crm, SARA)
    form = data["elsewhere"]["Form Responses 1"]
    assert [r["row"] for r in form] == [2, 3] and form[1]["values"]["Phone number"] == "0912"
    before = [list(r) for r in openpyxl.load_workbook(path)["Form Responses 1"].values]
    done = run_sheetcrm("person", "forget", SARA, "--yes", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (
        "note: Form Responses 1: rows 2, 3 name them; sheetcrm does not change tabs it does "
        "not own (a form's responses), so delete them there by hand" in done.stdout
    )
    assert [list(r) for r in openpyxl.load_workbook(path)["Form Responses 1"].values] == before
    again = run_sheetcrm("import", "--from-tab", "Form Responses 1", "--dry-run", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "3 rows: 1 unchanged, 2 suppressed" in again.stdout


def test_a_teammates_own_column_that_names_her_is_listed_and_redacted_in_snapshots(shop):
    """sheetcrm writes only its own columns: a teammate's 'Referred by' column naming her
    on Reza's row is shown by export, named by forget for a person to edit, and redacted
    in the snapshot's copy, which sheetcrm may rewrite."""
    crm = shop["crm"]
    path = Path(crm.describe())
    wb = openpyxl.load_workbook(path)
    ws = wb["Customers"]
    col = ws.max_column + 1
    ws.cell(1, col, "Referred by")
    reza = next(r for r in range(2, ws.max_row + 1) if "reza" in str(ws.cell(r, 3).value))
    ws.cell(reza, col, "Sara, 0912 345 6789")
    wb.save(path)
    snap = write_snapshot(crm, crm.read(), ["Customers"])
    held = person_export(crm, SARA)["tabs"]["Customers"]
    assert held[-1]["values"] == {"Referred by": "Sara, 0912 345 6789"}
    assert held[-1]["why"] == "your own column 'Referred by' names them"
    result = forget(crm, SARA)
    assert any(
        "your own column(s) Referred by name them; edit by hand" in n for n in result.changes.notes
    )
    after = openpyxl.load_workbook(path)["Customers"]  # Reza's row moved up: hers went
    column = [c.value for c in after[get_column_letter(col)]]
    assert column == ["Referred by", "Sara, 0912 345 6789"]
    saved = read_snapshot(snap)["Customers"]
    column = saved.header.index("Referred by")
    assert [row[column] for row in saved.rows if row[column]] == ["Sara, [forgotten]"]
