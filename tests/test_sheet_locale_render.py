"""Render and look: workbooks kept in rupees, tomans, taka and pounds, opened by LibreOffice
(headless), show their money cells as people write them — and the Sheets emulator's
FORMATTED_VALUE of the same format codes shows the very same text."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.config import parse_config
from sheetcrm.crm import CRM
from sheetcrm.emulator.cells import NumberFormat, format_value
from sheetcrm.model.numformat import money_format
from sheetcrm.workbook.refresh import refresh

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed"),
]

DAY = dt.date(2025, 10, 4)
AMOUNTS = [999, 123456, 12345678, -123456, 15000000, 1499.5]
#: What LibreOffice shows for AMOUNTS, per workbook currency.
SHOWN = {
    "INR": [
        "₹999.00",
        "₹1,23,456.00",
        "₹1,23,45,678.00",
        "-₹123,456.00",
        "₹1,50,00,000.00",
        "₹1,499.50",
    ],
    "BDT": [
        "৳999.00",
        "৳1,23,456.00",
        "৳1,23,45,678.00",
        "-৳123,456.00",
        "৳1,50,00,000.00",
        "৳1,499.50",
    ],
    "IRT": [
        "999 تومان",
        "123,456 تومان",
        "12,345,678 تومان",
        "-123,456 تومان",
        "15,000,000 تومان",
        "1,500 تومان",
    ],
    "GBP": [
        "£999.00",
        "£123,456.00",
        "£12,345,678.00",
        "-£123,456.00",
        "£15,000,000.00",
        "£1,499.50",
    ],
}
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def soffice(tmp_path: Path, target: str, *files: Path) -> Path:
    out = tmp_path / "lo"
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


def workbook(tmp_path: Path, currency: str) -> Path:
    path = tmp_path / f"{currency}.xlsx"
    crm = CRM(backend=XlsxBackend(path), config=parse_config({"locale": {"currency": currency}}))
    crm.init()
    refresh(crm, DAY)
    rows = [
        {"interaction_id": f"I-{i}", "date": "2025-10-04", "type": "purchase", "amount": a}
        for i, a in enumerate(AMOUNTS)
    ]
    crm.upsert("Interactions", rows)
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("render")
    books = {c: workbook(tmp, c) for c in SHOWN}
    out = soffice(tmp, CSV_ALL_SHEETS, *books.values())
    return tmp, books, out


def amounts_shown(out: Path, currency: str) -> list[str]:
    with open(out / f"{currency}-Interactions.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["amount"] for r in rows]


@pytest.mark.parametrize("currency", list(SHOWN))
def test_libreoffice_shows_money_in_the_workbook_currency(rendered, currency):
    _, _, out = rendered
    assert amounts_shown(out, currency) == SHOWN[currency]


@pytest.mark.parametrize("currency", list(SHOWN))
def test_the_emulator_formats_the_same_codes_as_libreoffice_shows_them(rendered, currency):
    _, books, out = rendered
    ws = openpyxl.load_workbook(books[currency])["Interactions"]
    col = [c.value for c in ws[1]].index("amount") + 1
    codes = {ws.cell(row=r, column=col).number_format for r in range(2, ws.max_row + 1)}
    assert codes == {money_format(currency)}
    fmt = NumberFormat("NUMBER", money_format(currency))
    assert [format_value(a, fmt) for a in AMOUNTS] == amounts_shown(out, currency)


def test_a_rendered_page_reads_in_lakhs_and_tomans(rendered):
    """PDF → PNG of the money column: the text LibreOffice draws (looked at by eye when
    this was written; pdftotext checks it from then on)."""
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils are not installed")
    tmp, books, _ = rendered
    singles = []
    for currency in ("INR", "IRT"):
        wb = openpyxl.load_workbook(books[currency])
        for name in wb.sheetnames:
            if name != "Interactions":
                del wb[name]
        ws = wb["Interactions"]
        ws.sheet_state = "visible"
        for letter in "BCDEFHIJKLM":
            ws.column_dimensions[letter].hidden = True
        ws.column_dimensions["G"].width = 26
        single = tmp / f"{currency}-money.xlsx"
        wb.save(single)
        singles.append(single)
    out = soffice(tmp, "pdf", *singles)
    for currency, pdf in (("INR", "INR-money.pdf"), ("IRT", "IRT-money.pdf")):
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "110",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                str(out / pdf),
                str(out / currency),
            ],
            check=True,
            timeout=120,
        )
        assert (out / f"{currency}-1.png").stat().st_size > 5000
        text = subprocess.run(
            ["pdftotext", "-layout", str(out / pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if currency == "INR":
            assert "₹1,23,45,678.00" in text and "₹1,23,456.00" in text and "-₹123,456.00" in text
        else:
            assert "15,000,000" in text and "تومان" in text and ".00" not in text
