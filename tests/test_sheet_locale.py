"""Money cells in the workbook currency: one format code per currency (lakh grouping for
rupees and taka, no decimals for rials and tomans), rendered the way Google documents
its patterns by the emulator, applied by init/refresh to xlsx and Sheets, repaired when
the currency changes, never touching teammates' own formats."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from contract.harness import sheets_backend

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.config import parse_config
from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.emulator import Emulator
from sheetcrm.emulator.cells import NumberFormat, format_value
from sheetcrm.model.diff import declared_layout, diff_layout
from sheetcrm.model.display import as_text, for_table
from sheetcrm.model.grid import NUMBER_FORMATS, TabGrid, number_formats
from sheetcrm.model.numformat import is_money_format, money_format, same_format
from sheetcrm.workbook.refresh import refresh

DAY = dt.date(2026, 11, 21)
INR = money_format("INR")


def config(currency: str, **locale: str):
    return parse_config({"locale": {"currency": currency, **locale}})


@pytest.mark.parametrize(
    ("currency", "code"),
    [
        ("USD", '"$"#,##0.00'),
        ("GBP", '"£"#,##0.00'),
        ("EUR", '"€"#,##0.00'),
        ("IRR", '#,##0 "ریال"'),
        ("IRT", '#,##0 "تومان"'),
        ("irt", '#,##0 "تومان"'),
        (
            "INR",
            '[<99999.995]"₹"#,##0.00;[<9999999.995]"₹"##\\,##\\,##0.00;"₹"##\\,##\\,##\\,##0.00',
        ),
        (
            "BDT",
            '[<99999.995]"৳"#,##0.00;[<9999999.995]"৳"##\\,##\\,##0.00;"৳"##\\,##\\,##\\,##0.00',
        ),
    ],
)
def test_one_money_format_per_currency(currency, code):
    assert money_format(currency) == code
    assert number_formats(currency)["money"] == code
    assert number_formats(currency)["date"] == NUMBER_FORMATS["date"]


#: (value, what the cell shows) under the INR format: rupees grouped in lakhs and crores.
RUPEES = [
    (0, "₹0.00"),
    (999, "₹999.00"),
    (12345, "₹12,345.00"),
    (99999.996, "₹1,00,000.00"),  # rounds into the lakh section, not "₹100,000.00"
    (123456, "₹1,23,456.00"),
    (9999999, "₹99,99,999.00"),
    (12345678, "₹1,23,45,678.00"),
    (1499.5, "₹1,499.50"),
    (-999, "-₹999.00"),
    (-123456, "-₹123,456.00"),  # documented limit: negatives are grouped in thousands
    (-0.001, "₹0.00"),
]


@pytest.mark.parametrize(("value", "shown"), RUPEES)
def test_the_emulator_renders_lakh_grouping_as_formatted_value(value, shown):
    assert format_value(value, NumberFormat("NUMBER", INR)) == shown


@pytest.mark.parametrize(
    ("currency", "value", "shown"),
    [
        ("IRT", 15_000_000, "15,000,000 تومان"),
        ("IRT", 1499.5, "1,500 تومان"),  # half away from zero, no decimals
        ("IRR", -2_500_000, "-2,500,000 ریال"),
        ("BDT", 1_250_000, "৳12,50,000.00"),
        ("GBP", 1250, "£1,250.00"),
        ("EUR", -0.5, "-€0.50"),
        ("USD", 62_500_000, "$62,500,000.00"),
    ],
)
def test_the_emulator_renders_each_currency(currency, value, shown):
    assert format_value(value, NumberFormat("NUMBER", money_format(currency))) == shown


@pytest.mark.parametrize(
    ("pattern", "value", "shown"),
    [
        ("#,##0.00", 1234.5, "1,234.50"),
        ("#,##0.00", -1234.5, "-1,234.50"),
        ("0.0%", 0.256, "25.6%"),
        ("0", 2.5, "3"),
        ("0.00;(0.00)", -3, "(3.00)"),
        ("#,##0.00;[Red]-#,##0.00", -3, "-3.00"),
        ('"$"#,##0.00', -5, "-$5.00"),
        ("yyyy-mm-dd", 45000, "2023-03-15"),
        ('[>=1000]"big";"small"', 1000, "big"),
        ('[>=1000]"big";"small"', 3, "small"),
        ('0.00;-0.00;"zero"', 0, "zero"),
        ("#,##0.00_);(#,##0.00)", 1234.5, "1,234.50 "),
        ("[Blue]#,##0", -1234.5, "-1,235"),
        ("000", 7, "007"),
        ("##\\,##\\,##0", 999, "999"),  # no stray comma before the first digit
    ],
)
def test_the_emulator_keeps_rendering_plain_patterns(pattern, value, shown):
    assert format_value(value, NumberFormat("NUMBER", pattern)) == shown


def test_the_declared_layout_carries_the_currency(schema):
    ctx = config("INR").values
    lay = declared_layout(schema["Interactions"], ctx)
    assert lay.number_formats["amount"] == INR
    assert declared_layout(schema["Campaigns"], ctx).number_formats["revenue"] == INR


def test_a_currency_change_repairs_only_money_formats(schema):
    tab = schema["Campaigns"]
    grid = TabGrid("Campaigns", [*tab.columns, "Margin"])
    have = declared_layout(tab, config("GBP").values)
    grid.layout = have
    grid.layout.number_formats["Margin"] = "0.0%"  # a teammate's own column
    op = diff_layout(grid, tab, config("INR").values)
    assert op is not None
    assert dict(op.number_formats) == {
        "budget": INR,
        "conversion_value": INR,
        "revenue": INR,
        "cpa": INR,
    }
    assert not op.validations and op.frozen_rows is None
    assert diff_layout(grid, tab, config("GBP").values) is None


def test_a_caller_without_the_currency_never_undoes_it(schema):
    """``init`` before it passes the settings, or any other caller: no flip-flop."""
    tab = schema["Interactions"]
    grid = TabGrid("Interactions", tab.columns)
    grid.layout = declared_layout(tab, config("IRT").values)
    assert diff_layout(grid, tab) is None
    grid.layout.number_formats["amount"] = "0.0"  # not one of ours: repaired
    assert dict(diff_layout(grid, tab).number_formats) == {"amount": NUMBER_FORMATS["money"]}


def money_columns(ws) -> dict[str, str]:
    header = [c.value for c in ws[1]]
    out = {}
    for name in ("amount", "budget", "revenue", "total_spent"):
        if name in header:
            letter = openpyxl.utils.get_column_letter(header.index(name) + 1)
            out[name] = ws.column_dimensions[letter].number_format
    return out


def test_xlsx_money_cells_follow_the_currency_and_a_change_is_repaired(tmp_path):
    path = tmp_path / "crm.xlsx"
    crm = CRM(backend=XlsxBackend(path), config=config("INR"))
    write_demo(crm, DAY)
    refresh(crm, DAY)
    wb = openpyxl.load_workbook(path)
    ws = wb["Interactions"]
    assert money_columns(ws) == {"amount": INR}
    col = [c.value for c in ws[1]].index("amount") + 1
    amounts = [ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)]
    assert all(c.number_format == INR for c in amounts if isinstance(c.value, (int, float)))
    assert money_columns(wb["Customers"]) == {"total_spent": INR}
    assert refresh(crm, DAY).changes.counts()["layout_changes"] == 0

    ws = wb["Campaigns"]  # a teammate formats a column of her own
    ws.cell(row=1, column=ws.max_column + 1, value="Margin")
    margin = openpyxl.utils.get_column_letter(ws.max_column)
    ws.column_dimensions[margin].number_format = "0.0%"
    wb.save(path)

    crm = CRM(backend=XlsxBackend(path), config=config("GBP"))
    result = refresh(crm, DAY)
    formats = [op for op in result.changes.ops if type(op).__name__ == "SetLayout"]
    assert {t.tab for t in formats} == {"Customers", "Leads", "Interactions", "Campaigns"}
    wb = openpyxl.load_workbook(path)
    assert money_columns(wb["Interactions"]) == {"amount": '"£"#,##0.00'}
    ws = wb["Interactions"]
    amounts = [ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)]
    assert all(c.number_format == '"£"#,##0.00' for c in amounts if c.value is not None)
    assert wb["Campaigns"].column_dimensions[margin].number_format == "0.0%"
    again = refresh(crm, DAY).changes
    assert again.counts()["layout_changes"] == 0 and again.counts()["cells_changed"] == 0


def test_sheets_money_columns_carry_the_format_and_render_it():
    emu = Emulator()
    ss = emu.create_spreadsheet()
    crm = CRM(backend=sheets_backend(emu, ss.id), config=config("INR"))
    write_demo(crm, DAY)
    refresh(crm, DAY)
    grid = crm.read(["Interactions"], layout=True)["Interactions"]
    assert grid.layout.number_formats["amount"] == INR
    sheet = ss.sheet(title="Leads")
    col = sheet.rows[0].index("value")
    shown = [
        format_value(row[col], sheet.number_format(r, col))
        for r, row in enumerate(sheet.rows)
        if r and col < len(row) and isinstance(row[col], (int, float))
    ]
    assert shown and all(s.startswith("₹") for s in shown)
    assert any(s.count(",") >= 2 for s in shown) or all(len(s) < 12 for s in shown)
    assert refresh(crm, DAY).changes.counts()["layout_changes"] == 0


def test_show_prints_money_in_the_currency_only_for_people(schema):
    codec = schema["Interactions"].field("amount").codec
    assert for_table(123456, codec, "INR") == "₹1,23,456.00"
    assert for_table(15_000_000, codec, "IRT", "fa") == "15,000,000 تومان"
    assert for_table(15_000_000, codec, "IRT") == "15,000,000 toman"
    assert as_text(123456, codec) == "123,456.00"  # CSV and JSON: no currency
    assert for_table(123456, codec) == as_text(123456, codec)
    assert for_table("ask", codec, "INR") == "ask"


def test_memory_backend_keeps_the_currency_format(schema):
    crm = CRM(backend=MemoryBackend(), config=config("BDT"))
    write_demo(crm, DAY)
    refresh(crm, DAY)
    grid = crm.read(["Interactions"], layout=True)["Interactions"]
    assert grid.layout.number_formats["amount"] == money_format("BDT")


def test_every_currency_has_a_format_recognised_as_sheetcrm_money():
    from babel.numbers import list_currencies

    for code in [*sorted(list_currencies()), "IRT"]:
        assert is_money_format(money_format(code)), code
    for teammate in ("0.0%", "#,##0", "yyyy-mm-dd", "@", "0.00", None):
        assert not is_money_format(teammate), teammate


@pytest.mark.parametrize(
    ("ours", "resaved"),
    [
        (INR, r"[<99999.995]\₹#,##0.00;[<9999999.995]\₹##\,##\,##0.00;\₹##\,##\,##\,##0.00"),
        (money_format("IRT"), '#,##0" تومان"'),
        ("yyyy-mm-dd", r"yyyy\-mm\-dd"),
        ("yyyy-mm-dd hh:mm", r"yyyy\-mm\-dd\ hh:mm"),
    ],
)
def test_a_code_libreoffice_respelled_is_the_same_format(ours, resaved):
    """LibreOffice saves literals its own way; a re-saved workbook needs no repair."""
    assert same_format(ours, resaved) and is_money_format(resaved) == is_money_format(ours)
    assert not same_format(ours, "#,##0.00")
