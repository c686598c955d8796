"""Exit codes that tell cron the truth, each command a fresh process as cron runs it: an
import that set rows or cells aside exits 8 (``--max-rejected`` tolerates some: exit 0;
more than that: exit 3 and nothing written), conflicts exit 4 even when rows were set aside
too, and ``remind --email`` exits 8 when someone's digest could not be delivered — after
sending the others, through a real SMTP server on loopback."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from mail_support import Mailbox
from support import demo_workbook, one_line, run_sheetcrm

AS_OF = "2025-10-01"

#: A Google Forms export in Persian: Ana is fine, the second has no usable e-mail or name,
#: the third a phone that is no phone (an optional cell: the row still goes in).
FORM = (
    "Timestamp,Email Address,نام,شماره تماس\n"
    "2025-10-04 10:00:00,ana@example.com,Ana Lima,+447400123456\n"
    "2025-10-04 11:00:00,not-an-email,,\n"
    "2025-10-04 12:00:00,reza@example.ir,رضا احمدی,call me\n"
    "2025-10-04 13:00:00,sara@example.ir,سارا,+989121234567\n"
)


def sheetcrm(cwd: Path, *args: str, env: dict[str, str] | None = None):
    return run_sheetcrm(*args, cwd=cwd, env=env)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def book(tmp_path) -> Path:
    assert sheetcrm(tmp_path, "init", "-q").returncode == 0
    (tmp_path / "form.csv").write_text(FORM, encoding="utf-8")
    return tmp_path


def test_rows_set_aside_exit_8_and_say_so(book):
    done = sheetcrm(book, "import", "form.csv", "--preset", "google-form")
    line = one_line(done, 8)
    assert line == (
        "sheetcrm: 1 of 4 rows, and 1 cell (in 1 row that went in), set aside in _quarantine; "
        "see `sheetcrm quarantine list`"
    )
    out = done.stdout.splitlines()
    assert out[0].startswith("Imported form.csv into Leads — 4 rows: 3 created, 1 quarantined")
    assert any(o.startswith("  quarantined row 3") for o in out)
    assert any(o.startswith("  row 4, column 'شماره تماس': 'call me' set aside") for o in out)
    assert out[-1] == (
        "Done: 1 row and 1 cell set aside in _quarantine (sheetcrm quarantine list)."
    )
    quiet = sheetcrm(book, "--quiet", "import", "form.csv", "--preset", "google-form")
    assert quiet.stdout == "" and one_line(quiet, 8).endswith("see `sheetcrm quarantine list`")


def test_max_rejected_tolerates_up_to_the_limit(book):
    done = sheetcrm(book, "import", "form.csv", "--preset", "google-form", "--max-rejected", "50%")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "3 created, 1 quarantined" in done.stdout  # still set aside, and said
    counted = sheetcrm(book, "import", "form.csv", "--preset", "google-form", "--max-rejected", "2")
    assert counted.returncode == 0, counted.stderr


def test_over_the_limit_nothing_is_written(book):
    before = digest(book / "crm.xlsx")
    done = sheetcrm(book, "import", "form.csv", "--preset", "google-form", "--max-rejected", "1")
    assert done.returncode == 3 and done.stdout == ""
    *reasons, line = done.stderr.splitlines()
    assert line.startswith("sheetcrm: error: 2 of 4 rows rejected") and "--max-rejected 1" in line
    assert "nothing written" in line and "Traceback" not in done.stderr
    assert [r.split(",")[0].strip() for r in reasons] == ["form.csv row 3", "form.csv cell 4"]
    assert digest(book / "crm.xlsx") == before
    none = sheetcrm(book, "import", "form.csv", "--preset", "google-form", "--max-rejected", "0%")
    assert none.returncode == 3 and digest(book / "crm.xlsx") == before


@pytest.mark.parametrize("bad", ["lots", "-1", "150%", "2.5"])
def test_a_bad_limit_is_a_usage_error(book, bad):
    done = sheetcrm(book, "import", "form.csv", "--preset", "google-form", "--max-rejected", bad)
    assert done.returncode == 2 and "--max-rejected" in done.stderr


def test_conflicts_win_over_rows_set_aside(book):
    people = book / "people.csv"
    people.write_text("name,email,city\nAna,ana@example.com,Leeds\n", encoding="utf-8")
    assert sheetcrm(book, "import", str(people), "--tab", "Customers").returncode == 0
    import openpyxl

    wb = openpyxl.load_workbook(book / "crm.xlsx")
    sheet = wb["Customers"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("city") + 1).value = "York"  # a teammate's edit
    wb.save(book / "crm.xlsx")
    people.write_text(
        "name,email,city\nAna,ana@example.com,Bristol\n,broken@,Hull\n", encoding="utf-8"
    )
    done = sheetcrm(book, "import", str(people), "--tab", "Customers")
    line = one_line(done, 4)
    assert "1 conflict with teammates' edits (the sheet's value kept)" in line
    assert "1 row set aside in _quarantine too" in line
    assert "1 conflict with teammates' edits in _conflicts" in done.stdout.splitlines()[-1]
    said = [o for o in done.stdout.splitlines() if o.startswith("  conflict in Customers ")]
    assert len(said) == 1 and "city: the sheet has 'York', the file 'Bristol'" in said[0]


def test_a_possible_duplicate_is_printed_and_exits_4(book):
    family = book / "family.csv"
    family.write_text(
        "name,email,phone\n"
        "Moumita Das,moumita@example.in,+919830012345\n"
        "Sourav Das,sourav@example.in,+919830012345\n",
        encoding="utf-8",
    )
    done = sheetcrm(book, "import", str(family), "--tab", "Customers")
    assert done.returncode == 4, (done.stdout, done.stderr)
    lines = [o for o in done.stdout.splitlines() if "possible duplicate kept apart" in o]
    assert len(lines) == 1, done.stdout
    assert "<moumita@example.in>" in lines[0] and "<sourav@example.in>" in lines[0]
    assert "write 'same person'" in lines[0] and "_conflicts" in lines[0]
    assert "1 possible duplicate kept apart" in one_line(done)
    shown = json.loads(sheetcrm(book, "show", "Customers", "--format", "json").stdout)
    assert sorted(r["name"] for r in shown) == ["Moumita Das", "Sourav Das"]


def test_watch_once_exits_8_for_a_response_set_aside(served, tmp_path):
    import gspread
    from google.auth.credentials import AnonymousCredentials

    from sheetcrm.backends.gsheets.endpoint import mount_endpoint

    url, sheet = served
    env = {"SHEETCRM_API_ENDPOINT": url}
    assert sheetcrm(tmp_path, "init", "--sheet", sheet, env=env).returncode == 0
    client = gspread.Client(AnonymousCredentials())
    mount_endpoint(client.http_client.session, url)
    responses = client.open_by_key(sheet).add_worksheet("Form Responses 1", rows=20, cols=4)
    rows = [line.split(",") for line in FORM.splitlines()]
    responses.update(rows, "A1", value_input_option="RAW")
    argv = ("watch", "--from-tab", "Form Responses 1", "--once", "--sheet", sheet, "--no-refresh")
    first = sheetcrm(tmp_path, *argv, env=env)
    assert "set aside in _quarantine" in one_line(first, 8)
    again = sheetcrm(tmp_path, *argv, env=env)  # nothing new: nothing set aside this time
    assert again.returncode == 0, again.stderr


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory) -> Path:
    return demo_workbook(tmp_path_factory.mktemp("demo"), AS_OF)


def remind_in(folder: Path, demo_book: Path, box: Mailbox, team: dict[str, str]):
    """``remind --email`` on a copy of the demo, with ``team`` as the [team] table."""
    shutil.copy(demo_book, folder / "crm.xlsx")
    lines = [f'{name} = "{address}"' for name, address in team.items()]
    (folder / "sheetcrm.toml").write_text(
        '[smtp]\nhost = "127.0.0.1"\n'
        f'port = {box.port}\nsecurity = "none"\nfrom = "Shop <shop@example.com>"\n\n'
        "[team]\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    env = {"XDG_DATA_HOME": str(folder / "data")}  # its own outbox
    return run_sheetcrm("remind", "--email", "--as-of", AS_OF, cwd=folder, env=env)


def people(demo_book: Path, folder: Path) -> list[str]:
    shutil.copy(demo_book, folder / "crm.xlsx")
    out = run_sheetcrm("remind", "--as-of", AS_OF, "--format", "json", cwd=folder)
    return [d["person"] for d in json.loads(out.stdout)["digests"]]


def test_remind_with_nobody_reachable_exits_8(demo_book, tmp_path):
    with Mailbox(refuse={"maryam@example.com"}) as box:
        done = remind_in(tmp_path, demo_book, box, {"Maryam": "maryam@example.com"})
    line = one_line(done, 8)
    assert line.startswith("sheetcrm: 4 digests not delivered (")
    assert "Maryam <maryam@example.com>: refused by the SMTP server (550" in line
    assert "Reza: no address in [team]" in line and line.endswith("; 0 others sent")
    assert box.messages == []


def test_remind_sends_the_rest_then_exits_8(demo_book, tmp_path):
    everyone = people(demo_book, tmp_path)
    assert len(everyone) >= 3, everyone
    team = {name: f"{name.lower()}@example.com" for name in everyone[:-1]}
    with Mailbox() as box:
        done = remind_in(tmp_path, demo_book, box, team)
    line = one_line(done, 8)
    assert line == (
        f"sheetcrm: 1 digest not delivered ({everyone[-1]}: no address in [team]); "
        f"{len(team)} others sent"
    )
    assert sorted(to for tos, _msg in box.messages for to in tos) == sorted(team.values())
    assert f"no e-mail for {everyone[-1]!r}" in done.stdout


def test_remind_with_everyone_reachable_exits_0(demo_book, tmp_path):
    everyone = people(demo_book, tmp_path)
    team = {name: f"{name.lower()}@example.com" for name in everyone}
    with Mailbox() as box:
        done = remind_in(tmp_path, demo_book, box, team)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert len(box.messages) == len(everyone)
    # a rerun sends nobody a second copy, and that is not a failure either
    with Mailbox() as box:
        rerun = remind_in(tmp_path, demo_book, box, team)
    assert rerun.returncode == 0 and box.messages == []


def test_remind_json_lists_the_undelivered(demo_book, tmp_path):
    with Mailbox() as box:
        shutil.copy(demo_book, tmp_path / "crm.xlsx")
        remind_in(tmp_path, demo_book, box, {"Arif": "arif@example.com"})
        env = {"XDG_DATA_HOME": str(tmp_path / "other")}
        done = run_sheetcrm(
            "remind", "--email", "--as-of", AS_OF, "--format", "json", cwd=tmp_path, env=env
        )
    assert done.returncode == 8
    out = json.loads(done.stdout)
    assert out["delivery"]["sent"] == ["arif@example.com"]
    assert {u["person"] for u in out["undelivered"]} == {"Maryam", "Reza", "Sophie"}
    assert all(u["address"] is None and u["reason"] for u in out["undelivered"])


def test_report_email_refused_for_one_exits_8_after_sending_the_other(demo_book, tmp_path):
    with Mailbox(refuse={"nobody@example.com"}) as box:
        remind_in(tmp_path, demo_book, box, {})  # writes the [smtp] config; nobody to remind
        env = {"XDG_DATA_HOME": str(tmp_path / "data")}
        argv = ("report", "--as-of", AS_OF, "--email", "boss@example.com")
        done = run_sheetcrm(*argv, "--email", "nobody@example.com", cwd=tmp_path, env=env)
        assert [to for to, _msg in box.messages] == [["boss@example.com"]]
    line = one_line(done, 8)
    assert line.startswith("sheetcrm: the SMTP server refused nobody@example.com (550")
    assert line.endswith("; 1 other(s) sent")


def test_watch_once_exits_4_when_a_poll_recorded_a_conflict(tmp_path):
    import openpyxl

    assert sheetcrm(tmp_path, "init", "-q").returncode == 0
    header = ["Timestamp", "Email Address", "Your name", "Phone number"]
    first = ["2025-10-04 10:00:00", "ana@example.com", "Ana Lima", "+447400123456"]
    book = openpyxl.load_workbook(tmp_path / "crm.xlsx")
    responses = book.create_sheet("Form Responses 1")
    responses.append(header)
    responses.append(first)
    book.save(tmp_path / "crm.xlsx")
    argv = ("watch", "--from-tab", "Form Responses 1", "--once", "--no-refresh")
    assert sheetcrm(tmp_path, *argv).returncode == 0
    book = openpyxl.load_workbook(tmp_path / "crm.xlsx")
    leads = book["Leads"]
    columns = [c.value for c in leads[1]]
    leads.cell(2, columns.index("phone") + 1).value = "+447400999999"  # a teammate's fix
    book["Form Responses 1"].append(
        ["2025-10-05 09:00:00", "ana@example.com", "Ana Lima", "+447400555555"]
    )
    book.save(tmp_path / "crm.xlsx")
    done = sheetcrm(tmp_path, *argv)
    assert "1 conflict with teammates' edits (the sheet's value kept)" in one_line(done, 4)
    shown = json.loads(sheetcrm(tmp_path, "show", "Leads", "--format", "json").stdout)
    assert [r["phone"] for r in shown] == ["+447400999999"]
