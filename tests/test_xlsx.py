"""What only the xlsx backend must do: layout, atomic saves, literal text, bad files."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import openpyxl
import pytest

from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.crm import CRM
from sheetcrm.errors import DiskError, ValueParseError, WorkbookError


@pytest.fixture
def path(tmp_path):
    return tmp_path / "crm.xlsx"


@pytest.fixture
def crm(path):
    c = CRM(backend=XlsxBackend(path))
    c.init()
    return c


def _ws(path, tab):
    return openpyxl.load_workbook(path)[tab]


def _col(ws, name):
    return [c.value for c in ws[1]].index(name) + 1


def test_layout_frozen_header_dropdowns_formats_hidden_tabs(path, crm):
    wb = openpyxl.load_workbook(path)
    leads = wb["Leads"]
    assert leads.freeze_panes == "A2"
    rules = {str(dv.sqref): dv.formula1 for dv in leads.data_validations.dataValidation}
    letter = openpyxl.utils.get_column_letter(_col(leads, "status"))
    assert rules[f"{letter}2:{letter}1048576"] == '"new,contacted,qualified,converted,lost"'
    tasks = wb["Tasks"]
    letter = openpyxl.utils.get_column_letter(_col(tasks, "done"))
    assert any(
        str(dv.sqref) == f"{letter}2:{letter}1048576" and dv.formula1 == '"TRUE,FALSE"'
        for dv in tasks.data_validations.dataValidation
    )
    customers = wb["Customers"]
    fc = openpyxl.utils.get_column_letter(_col(customers, "first_contact"))
    assert customers.column_dimensions[fc].number_format == "yyyy-mm-dd"
    for name in ("_meta", "_audit", "_conflicts", "_quarantine"):
        assert wb[name].sheet_state == "hidden"
    assert wb.active.title == "Customers"


def test_text_that_looks_like_a_formula_is_stored_as_text(path, crm):
    crm.upsert(
        "Customers",
        [
            {
                "customer_id": "C-1",
                "name": '=IMPORTXML("http://evil","//a")',
                "phone": None,
                "notes": "+1 call me",
            }
        ],
    )
    ws = _ws(path, "Customers")
    cell = ws.cell(row=2, column=_col(ws, "name"))
    assert cell.data_type == "s" and cell.quotePrefix
    assert cell.value.startswith("=IMPORTXML")
    notes = ws.cell(row=2, column=_col(ws, "notes"))
    assert notes.data_type == "s" and notes.quotePrefix
    # the raw XML has no <f> (formula) element at all
    import zipfile

    with zipfile.ZipFile(path) as z:
        sheet_xml = next(
            z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet1")
        )
    assert "<f>" not in sheet_xml


def test_dates_and_money_get_number_formats(path, crm):
    crm.upsert(
        "Interactions",
        [
            {
                "interaction_id": "I-1",
                "date": "2025-02-03 14:05",
                "type": "purchase",
                "amount": "1,250.5",
            }
        ],
    )
    ws = _ws(path, "Interactions")
    when = ws.cell(row=2, column=_col(ws, "date"))
    assert when.value == dt.datetime(2025, 2, 3, 14, 5) and when.number_format == "yyyy-mm-dd hh:mm"
    amount = ws.cell(row=2, column=_col(ws, "amount"))
    assert (
        amount.value == 1250.5 and amount.number_format == '"$"#,##0.00'
    )  # the workbook currency (USD)


def test_crash_during_save_leaves_the_old_file(path, crm, monkeypatch):
    crm.upsert("Customers", [{"customer_id": "C-1", "name": "A"}])
    before = path.read_bytes()

    def broken_save(self, filename):
        with open(filename, "wb") as fh:
            fh.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(DiskError, match=r"could not save .*crm\.xlsx \(disk full\); nothing was"):
        crm.upsert("Customers", [{"customer_id": "C-1", "name": "B"}])
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["crm.xlsx"]  # no temp file left


def _content(path):
    """Every tab's cells but the lease in ``_meta`` (taken and released around the apply)."""
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [r for r in ws.iter_rows(values_only=True) if "lease" not in r]
        for ws in wb.worksheets
    }


def test_bad_value_mid_plan_writes_nothing(path, crm):
    crm.upsert("Customers", [{"customer_id": "C-1", "name": "A"}])
    before = _content(path)
    with pytest.raises(ValueParseError, match="32767"):
        crm.upsert(
            "Customers",
            [{"customer_id": "C-2", "name": "B"}, {"customer_id": "C-3", "name": "x" * 40_000}],
        )
    assert _content(path) == before


def test_not_an_xlsx_file(tmp_path):
    bogus = tmp_path / "crm.xlsx"
    bogus.write_text("name,email\nA,a@example.com\n")
    with pytest.raises(WorkbookError, match=r"not a readable \.xlsx"):
        CRM(backend=XlsxBackend(bogus)).init()
    assert bogus.read_text().startswith("name,email")


def test_no_change_does_not_touch_the_file(path, crm):
    crm.upsert("Customers", [{"customer_id": "C-1", "name": "A"}])
    stat = path.stat()
    crm.init()
    crm.upsert("Customers", [{"customer_id": "C-1", "name": "A"}])
    assert path.stat().st_mtime_ns == stat.st_mtime_ns


def test_file_mode_is_kept(path, crm):
    path.chmod(0o600)
    crm.upsert("Customers", [{"customer_id": "C-1", "name": "A"}])
    assert path.stat().st_mode & 0o777 == 0o600


def test_init_repairs_a_removed_dropdown_and_freeze(path, crm):
    wb = openpyxl.load_workbook(path)
    ws = wb["Leads"]
    ws.freeze_panes = None
    ws.data_validations.dataValidation = ws.data_validations.dataValidation[1:]
    wb.save(path)
    result = crm.init()
    assert result.changes.counts()["layout_changes"] == 1
    ws = _ws(path, "Leads")
    assert ws.freeze_panes == "A2"
    assert len(ws.data_validations.dataValidation) == len(
        [f for f in crm.schema["Leads"].fields if f.type in ("enum", "bool")]
    )
    assert not crm.init().changed


def test_teammate_moving_a_dropdown_column_is_repaired_without_duplicates(path, crm):
    wb = openpyxl.load_workbook(path)
    ws = wb["Tasks"]
    ws.insert_cols(1)  # shifts every column right; openpyxl leaves the validations behind
    ws.cell(row=1, column=1, value="My notes")
    wb.save(path)
    crm.init()
    ws = _ws(path, "Tasks")
    covered = [str(dv.sqref) for dv in ws.data_validations.dataValidation]
    status = openpyxl.utils.get_column_letter(_col(ws, "status"))
    assert f"{status}2:{status}1048576" in covered
    assert not crm.init().changed


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_demo_and_keeps_layout(tmp_path):
    from sheetcrm.demo import write_demo

    crm = CRM(backend=XlsxBackend(tmp_path / "crm.xlsx"))
    write_demo(crm, dt.date(2026, 11, 21))
    crm.upsert("Customers", [{"customer_id": "C-X", "name": "=1+1", "notes": "00123"}])
    out = tmp_path / "lo"
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(tmp_path / "crm.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    wb = openpyxl.load_workbook(out / "crm.xlsx")
    # (LibreOffice's headless export drops view settings such as frozen panes, so the
    # frozen header is checked on our own file in test_layout_…, not on its re-save.)
    assert wb["_meta"].sheet_state == "hidden"
    assert any(dv.formula1 for dv in wb["Leads"].data_validations.dataValidation)
    # LibreOffice re-saved the workbook; sheetcrm still reads it the same way
    again = CRM(backend=XlsxBackend(out / "crm.xlsx"))
    df = again.frame("Customers")
    assert len(df) == 301
    assert df.attrs["issues"] == []
    planted = df[df["customer_id"] == "C-X"].iloc[0]
    assert planted["name"] == "=1+1" and planted["notes"] == "00123"
    assert again.grid("Customers").formulas == {}  # LibreOffice's =FALSE() reads as False
    assert planted["opt_out"] is None
    # LibreOffice's export drops the frozen header and trims dropdowns to the used rows;
    # init restores both (whole columns, so pasted rows stay covered) and then rests
    ops = again.plan_init().ops
    assert ops and all(op.frozen_rows == 1 and not op.number_formats for op in ops)
    again.init()
    assert not again.init().changed
