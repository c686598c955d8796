"""The OWASP payloads through every file ``sheetcrm`` writes for people, as a person runs
it (fresh processes) on a local .xlsx and on Google Sheets (the emulator over HTTP):
``export``, ``remind --csv``, ``remind --drafts`` and ``show --format csv``. Every payload
is inert — checked by opening the CSVs in LibreOffice, which runs formulas in a CSV as
Excel does — and every phone and number is byte for byte what the sheet holds; the export
imports back to a plan of nothing."""

from __future__ import annotations

import csv
import io
import shutil
import stat
import subprocess
from pathlib import Path

import openpyxl
import pytest
from support import run_sheetcrm
from test_safe_files import OWASP, PHONES, payload_files

from sheetcrm.emulator.teammate import Teammate
from sheetcrm.model.tablefile import unescape
from sheetcrm.model.values import looks_like_formula
from sheetcrm.outputs.drafts import MANIFEST

AS_OF = "2026-11-21"
#: What a teammate types into cells sheetcrm parses: not a phone, not a number.
GARBAGE_PHONE = "+SUM(1+1)*cmd|' /C calc'!A0"
GARBAGE_AMOUNT = '=HYPERLINK("http://evil.example","click")'
#: A teammate's own column: a payload as its header, a payload and a number as values.
THEIR_COLUMN = "=cmd|' /C calc'!A0"


@pytest.fixture(autouse=True)
def _own_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


class Book:
    """The workbook under test: how to reach it, and a teammate's hands on it."""

    def __init__(self, kind: str, target: tuple[str, ...], env: dict[str, str], **hands):
        self.kind, self.target, self.env = kind, target, env
        self._type, self._phones = hands["type"], hands["phones"]

    def type_text(self, tab: str, row: int, column: str, text: str) -> None:
        """Type ``text`` as text (a teammate's apostrophe, not a formula) at row ``row``."""
        self._type(tab, row, column, text)

    def phones(self) -> list[str]:
        """The phone cells of Customers as the sheet holds them."""
        return self._phones()


@pytest.fixture(params=["xlsx", "gsheets"])
def book(request, tmp_path):
    if request.param == "xlsx":
        path = tmp_path / "crm.xlsx"

        def type_xlsx(tab, row, column, text):
            wb = openpyxl.load_workbook(path)
            sheet = wb[tab]
            header = [c.value for c in sheet[1]]
            if column not in header:
                header.append(column)
                sheet.cell(row=1, column=len(header), value=column).data_type = "s"
            target = sheet.cell(row=row, column=header.index(column) + 1)
            target.value = text
            if isinstance(text, str):
                target.data_type, target.quotePrefix = "s", True
            wb.save(path)

        def xlsx_phones():
            sheet = openpyxl.load_workbook(path)["Customers"]
            header = [c.value for c in sheet[1]]
            return [r[header.index("phone")].value for r in sheet.iter_rows(min_row=2)]

        yield Book("xlsx", ("--xlsx", str(path)), {}, type=type_xlsx, phones=xlsx_phones)
        return
    emu = request.getfixturevalue("emu")
    spreadsheet = emu.create_spreadsheet("crm")
    mate = Teammate(emu, spreadsheet.id)

    def type_sheets(tab, row, column, text):
        header = mate.header(tab)
        col = header.index(column) + 1 if column in header else mate.add_column(tab, column)
        mate.sheet(tab).set(row - 1, col - 1, text)  # the value itself, never a formula

    def sheets_phones():
        rows = mate.sheet("Customers").rows
        return [r[rows[0].index("phone")] for r in rows[1:]]

    env = {"SHEETCRM_API_ENDPOINT": emu.url}
    yield Book("gsheets", ("--sheet", spreadsheet.id), env, type=type_sheets, phones=sheets_phones)


def sheetcrm(book: Book, folder: Path, *args: str, stdin: str | None = None) -> str:
    done = run_sheetcrm(*args, *book.target, env=book.env, cwd=folder, stdin=stdin)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


def table(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


NUMERIC = {"amount", "total_spent", "orders", "avg_order_value", "recency_days"}
NUMERIC |= {"interactions", "rfm_score", "score", "value", "budget", "revenue", "roi"}


def assert_inert(rows: list[dict[str, str]], name: str) -> None:
    """No cell a spreadsheet would run, but phones and numbers as themselves."""
    for n, row in enumerate(rows, start=2):
        for column, value in row.items():
            if not looks_like_formula(value):
                continue
            where = f"{name} line {n} column {column!r}: {value!r}"
            if column == "phone":
                assert value in PHONES, where
            else:
                assert column in NUMERIC or unescape(column) == THEIR_COLUMN, where
                float(value.replace(",", "").rstrip("%"))


def libreoffice_cells(folder: Path, csvs: list[Path]) -> dict[str, list[list[object]]]:
    """Each CSV opened by LibreOffice (UTF-8, comma, formulas evaluated, as it does by
    default) and saved as xlsx; per file, the cells as (value, type) rows."""
    out = folder / "lo"
    profile = (folder / "lo-profile").as_uri()
    command = ["soffice", f"-env:UserInstallation={profile}", "--headless"]
    command += ["--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(out)]
    subprocess.run([*command, *map(str, csvs)], check=True, capture_output=True, timeout=180)
    found = {}
    for path in csvs:
        sheet = openpyxl.load_workbook(out / f"{path.stem}.xlsx").active
        found[path.name] = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
    return found


def test_every_file_for_people_is_inert_and_keeps_phones(book, tmp_path):
    sheetcrm(book, tmp_path, "init")
    people, sales = payload_files(tmp_path)
    sheetcrm(book, tmp_path, "import", people.name, "--tab", "Customers")
    sheetcrm(book, tmp_path, "import", sales.name, "--tab", "Interactions")
    sheetcrm(book, tmp_path, "refresh")
    # the round trip first, while every cell is one sheetcrm wrote
    sheetcrm(book, tmp_path, "export", "Customers", "-o", "again.csv")
    plan = sheetcrm(book, tmp_path, "import", "again.csv", "--tab", "Customers", "--dry-run")
    assert "No changes." in plan, plan
    piped = sheetcrm(book, tmp_path, "export", "Interactions")  # export … | import - …
    dry = ("import", "-", "--tab", "Interactions", "--dry-run")
    assert "No changes." in sheetcrm(book, tmp_path, *dry, stdin=piped)
    # then a teammate types what the parsers would refuse, and adds a column of their own
    book.type_text("Customers", 3, "phone", GARBAGE_PHONE)
    book.type_text("Interactions", 3, "amount", GARBAGE_AMOUNT)
    book.type_text("Customers", 2, THEIR_COLUMN, "@SUM(1+1)*cmd|' /C calc'!A0")
    book.type_text("Customers", 4, THEIR_COLUMN, -5)
    sheetcrm(book, tmp_path, "export", "Customers", "-o", "customers.csv")
    sheetcrm(book, tmp_path, "export", "Interactions", "-o", "sales.csv")
    sheetcrm(book, tmp_path, "remind", "--as-of", AS_OF, "--csv", "winback.csv", "--drafts", "d")
    shown = sheetcrm(book, tmp_path, "show", "Customers", "--format", "csv")
    (tmp_path / "shown.csv").write_text(shown, encoding="utf-8")
    files = [tmp_path / n for n in ("customers.csv", "sales.csv", "winback.csv", "shown.csv")]

    stored = book.phones()
    assert stored[1] == GARBAGE_PHONE and sum(p in PHONES for p in stored) == len(OWASP) - 1
    for path in files:
        rows = table(path)
        assert_inert(rows, path.name)
        if "phone" in rows[0]:
            by_id = {r["customer_id"]: r["phone"] for r in rows}
            for i, phone in enumerate(stored, start=1):
                written = by_id.get(f"C-{i}")
                if written is not None:  # winback lists everyone; byte for byte
                    assert written == (phone if phone in PHONES else "'" + phone), path.name
    customers = table(files[0])
    assert [unescape(r["name"]) for r in customers] == [
        p.strip() if i % 2 else f"Ann {p.strip()}" for i, p in enumerate(OWASP, start=1)
    ]
    assert customers[0]["'" + THEIR_COLUMN] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert customers[2]["'" + THEIR_COLUMN] == "-5"  # a number the teammate typed: a number
    assert table(files[1])[1]["amount"] == "'" + GARBAGE_AMOUNT
    assert table(files[1])[0]["amount"] == "-5.00"

    drafts = sorted(p for p in (tmp_path / "d").iterdir() if p.name != MANIFEST)
    assert len(drafts) == len(table(files[2])) == len(OWASP)
    for draft in drafts:
        lines = draft.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("Hello ") and lines[0].endswith(","), lines[0]

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: the CSVs were not opened in it")
    opened = libreoffice_cells(tmp_path, files)
    for name, rows in opened.items():
        for r, row in enumerate(rows, start=1):
            for value, kind in row:
                assert kind != "f", f"{name} row {r}: LibreOffice made {value!r} a formula"
    header = [v for v, _k in opened["customers.csv"][0]]
    assert header[-1] == "'" + THEIR_COLUMN  # a teammate's header is text as well
    names = [row[header.index("name")][0] for row in opened["customers.csv"][1:]]
    assert names[0] == "'=cmd|' /C calc'!A0"
    assert opened["winback.csv"][0][0][0] == "customer_id"  # BOM read as such


def test_files_for_people_are_private_and_a_failed_write_is_one_line(tmp_path):
    """Each file holds customer data: 0600 whatever the umask. A write that fails (here:
    a folder that is a file) is one line and exit 6, and an older file stays whole."""
    book = Book("xlsx", ("--xlsx", str(tmp_path / "crm.xlsx")), {}, type=None, phones=None)
    sheetcrm(book, tmp_path, "init")
    people, sales = payload_files(tmp_path)
    sheetcrm(book, tmp_path, "import", people.name, "--tab", "Customers")
    sheetcrm(book, tmp_path, "import", sales.name, "--tab", "Interactions")
    written = {
        "out/c.csv": ("export", "Customers", "-o", "out/c.csv"),
        "out/c.ndjson": ("export", "Customers", "--format", "ndjson", "-o", "out/c.ndjson"),
        "out/c.xlsx": ("export", "Customers", "--format", "xlsx", "-o", "out/c.xlsx"),
        "out/w.csv": ("remind", "--as-of", AS_OF, "--csv", "out/w.csv", "--drafts", "out/d"),
        "out/r.html": ("report", "--as-of", AS_OF, "-o", "out/r.html"),
    }
    for args in written.values():
        sheetcrm(book, tmp_path, *args)
    files = [tmp_path / name for name in written] + sorted((tmp_path / "out" / "d").iterdir())
    assert len(files) == len(written) + len(OWASP) + 1  # the drafts' list (drafts.MANIFEST)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert openpyxl.load_workbook(tmp_path / "out" / "c.xlsx")["Customers"].max_row == 22
    (tmp_path / "blocker").write_text("a file, not a folder", encoding="utf-8")
    failing = [
        ("export", "Customers", "-o", "blocker/c.csv"),
        ("export", "Customers", "--format", "xlsx", "-o", "blocker/c.xlsx"),
        ("remind", "--as-of", AS_OF, "--csv", "blocker/w.csv"),
        ("remind", "--as-of", AS_OF, "--drafts", "blocker/d"),
        ("report", "--as-of", AS_OF, "-o", "blocker/r.html"),
    ]
    for args in failing:
        done = run_sheetcrm(*args, *book.target, cwd=tmp_path)
        assert done.returncode == 6, (args, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "could not write" in lines[0] and "blocker" in lines[0], lines
        assert "Traceback" not in done.stderr
