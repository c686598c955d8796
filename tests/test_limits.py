"""Workbook limits are checked before anything is written: one error naming the tab, the
record or row, the column and a shortened value; the workbook untouched."""

from __future__ import annotations

import json

import pytest
from support import one_line, run_sheetcrm

from sheetcrm.backends.limits import GOOGLE, XLSX, check
from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.crm import CRM
from sheetcrm.errors import ValueParseError
from sheetcrm.model.changes import (
    AddColumns,
    AddTab,
    AppendRow,
    CellFormula,
    ChangeSet,
    PutCells,
    SetCell,
)
from sheetcrm.model.tabs import build_schema

SCHEMA = build_schema()


def test_the_limits_are_the_documented_ones():
    assert (GOOGLE.cell_chars, GOOGLE.columns, GOOGLE.rows, GOOGLE.cells) == (
        50_000,
        18_278,
        None,
        10_000_000,
    )
    assert (XLSX.cell_chars, XLSX.columns, XLSX.rows, XLSX.cells) == (
        32_767,
        16_384,
        1_048_576,
        None,
    )


@pytest.mark.parametrize(("lim", "ok", "bad"), [(GOOGLE, 50_000, 50_001), (XLSX, 32_767, 32_768)])
def test_a_cell_one_character_over_the_limit_is_refused_with_record_and_column(lim, ok, bad):
    check([SetCell("Customers", "C-1", "notes", "x" * ok)], SCHEMA, lim, {"Customers": (2, 9)})
    with pytest.raises(ValueParseError) as caught:
        check([SetCell("Customers", "C-1", "notes", "y" * bad)], SCHEMA, lim, {})
    err = caught.value
    assert (err.tab, err.record, err.column) == ("Customers", "C-1", "notes")
    text = str(err)
    assert text.startswith("Customers, record C-1, column 'notes': 'yyyy")
    assert f"at most {lim.cell_chars} characters" in text and f"has {bad})" in text
    assert len(text) < 200  # the value is shortened, not printed whole


def test_an_append_names_its_record_id_or_else_its_sheet_row():
    big = "z" * 50_001
    with pytest.raises(ValueParseError) as caught:
        check(
            [AppendRow("Customers", {"customer_id": "C-9", "name": big})],
            SCHEMA,
            GOOGLE,
            {"Customers": (5, 9)},
        )
    assert (caught.value.record, caught.value.column, caught.value.row) == ("C-9", "name", None)
    ops = [AppendRow("Customers", {"name": "a"}), AppendRow("Customers", {"name": big})]
    with pytest.raises(ValueParseError) as caught:
        check(ops, SCHEMA, GOOGLE, {"Customers": (5, 9)})
    assert (caught.value.record, caught.value.row) == (None, 7)  # header + 4 rows + 2 new


def test_generated_cells_and_formulas_count_too():
    formula = CellFormula("=" + "A1+" * 20_000, fallback=0)
    with pytest.raises(ValueParseError) as caught:
        check([PutCells("Dashboard", ((3, 1, formula),))], SCHEMA, GOOGLE, {})
    assert (caught.value.tab, caught.value.row, caught.value.column) == ("Dashboard", 4, "B")


def test_columns_over_the_limit():
    check([AddColumns("Customers", ("a",) * 10)], SCHEMA, XLSX, {"Customers": (1, 16_374)})
    with pytest.raises(ValueParseError, match="within xlsx's 16,384 columns"):
        check([AddColumns("Customers", ("a",) * 11)], SCHEMA, XLSX, {"Customers": (1, 16_374)})
    with pytest.raises(ValueParseError, match="18,278 columns") as caught:
        check([AddTab("Wide", tuple(f"h{i}" for i in range(18_279)))], SCHEMA, GOOGLE, {})
    assert caught.value.column == "AAAA"  # the first column past ZZZ


def test_rows_over_the_xlsx_limit_name_the_record():
    sizes = {"Customers": (1_048_575, 9)}
    one = [AppendRow("Customers", {"customer_id": "C-1", "name": "a"})]
    check(one, SCHEMA, XLSX, sizes)
    check(one * 5, SCHEMA, GOOGLE, sizes)  # Google Sheets has no row limit of its own
    two = [*one, AppendRow("Customers", {"customer_id": "C-2", "name": "b"})]
    with pytest.raises(ValueParseError, match="1,048,576 rows") as caught:
        check(two, SCHEMA, XLSX, sizes)
    assert (caught.value.record, caught.value.row) == ("C-2", 1_048_577)


def test_ten_million_cells_across_the_spreadsheet():
    sizes = {"Customers": (500_000, 10), "Sales": (500_000, 10)}  # exactly 10,000,000
    check([SetCell("Customers", "C-1", "name", "ok")], SCHEMA, GOOGLE, sizes)
    with pytest.raises(ValueParseError, match="10,000,000 cells") as caught:
        check([AddColumns("Sales", ("extra",))], SCHEMA, GOOGLE, sizes)
    assert caught.value.tab == "Sales"
    check([AddColumns("Sales", ("extra",))], SCHEMA, XLSX, sizes)  # no such limit in xlsx


def test_the_xlsx_backend_checks_before_it_saves_anything(tmp_path):
    path = tmp_path / "crm.xlsx"
    crm = CRM(backend=XlsxBackend(path))
    crm.init()
    before, saves = path.read_bytes(), crm.backend.saves
    ops = [
        AppendRow("Customers", {"customer_id": "C-1", "name": "fine"}),
        SetCell("Customers", "C-0", "notes", "n" * 32_768),
    ]
    with pytest.raises(ValueParseError, match="record C-0, column 'notes'"):
        crm.backend.apply(ChangeSet(ops), crm.schema)
    assert path.read_bytes() == before and crm.backend.saves == saves


def test_an_xlsx_import_with_a_cell_over_32767_characters_writes_no_record(tmp_path):
    """The CLI promise: exit 3, one line naming where, and none of the file's records."""
    assert run_sheetcrm("init", cwd=tmp_path).returncode == 0
    data = tmp_path / "customers.csv"
    data.write_text(
        "customer_id,name,notes\nC-1,Ana,short\nC-2,Ben," + "n" * 40_000 + "\n", encoding="utf-8"
    )
    done = run_sheetcrm("import", str(data), "--tab", "Customers", cwd=tmp_path)
    line = one_line(done, 3)
    assert "Customers" in line and "C-2" in line and "'notes'" in line and "32767" in line
    assert "nnnn" in line and len(line) < 300
    shown = run_sheetcrm("show", "Customers", "--format", "json", cwd=tmp_path)
    assert shown.returncode == 0 and json.loads(shown.stdout) == []
