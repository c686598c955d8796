"""The Dashboard's charts are honest where people open them: straight lines (no smoothing
curve inventing revenue in empty months), money axes in the workbook currency without
decimals, month labels in one piece — read from the saved .xlsx chart XML, from the
Sheets emulator's spreadsheets.get, and from a LibreOffice render of the Dashboard.

The workbook: a shop's Online Retail log with sales in January and September 2025 only,
refreshed as of 2025-10-15 (each command a fresh ``sheetcrm`` process). The pixel test
is shown to fail on the planted smoothed chart (``<c:smooth val="1"/>``).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
from locale_support import Book
from PIL import Image
from support import emulator_serve

from sheetcrm.backends.xlsx.charts import LINE

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
SVG = "{http://www.w3.org/2000/svg}"
AS_OF = ("--as-of", "2025-10-15")
#: An Online Retail export (the ``transactions`` preset): invented invoices, sales in two
#: months of the Dashboard's twelve (November 2024 – October 2025).
LOG = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2025-01-09 08:26:00,2.55,17850,United Kingdom
536366,22633,HAND WARMER UNION JACK,400,2025-01-21 08:28:00,1.85,17851,United Kingdom
536367,84879,ASSORTED COLOUR BIRD ORNAMENT,320,2025-09-04 08:34:00,1.69,13047,United Kingdom
536368,22960,JAM MAKING SET WITH JARS,240,2025-09-18 08:34:00,4.25,13048,United Kingdom
"""
#: Index of the months with sales among the twelve the chart shows.
SALES_MONTHS = {2, 10}
LOCALES = {
    "GBP": ('language = "en"\nregion = "GB"\ncurrency = "GBP"\n', '"£"#,##0'),
    "IRT": (
        'language = "fa_IR"\nregion = "IR"\ncurrency = "IRT"\n'
        'calendar = "jalali"\ndigits = "native"\n',
        '#,##0 "تومان"',
    ),
}
LINE_RGB = tuple(int(LINE[i : i + 2], 16) for i in (0, 2, 4))
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="no LibreOffice")


def shop(
    folder: Path, currency: str, backend: str = "xlsx", url: str = "", sheet: str = ""
) -> Book:
    """``init``, ``import`` the log, ``refresh``: a user's three commands."""
    folder.mkdir(parents=True, exist_ok=True)
    locale = LOCALES[currency][0]
    (folder / "sheetcrm.toml").write_text(f"[locale]\n{locale}", encoding="utf-8")
    (folder / "online_retail.csv").write_text(LOG, encoding="utf-8")
    book = Book(folder, backend, url, sheet)
    for args in (("init",), ("import", str(folder / "online_retail.csv")), ("refresh", *AS_OF)):
        done = book.run(*args)
        assert done.returncode == 0, (args, done.stderr)
    return book


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Book]:
    root = tmp_path_factory.mktemp("shops")
    return {currency: shop(root / currency, currency) for currency in LOCALES}


def charts_xml(xlsx: Path) -> dict[str, ET.Element]:
    """The saved workbook's charts by title (xl/charts/chart*.xml)."""
    out = {}
    with zipfile.ZipFile(xlsx) as z:
        for name in z.namelist():
            if name.startswith("xl/charts/chart") and name.endswith(".xml"):
                root = ET.fromstring(z.read(name))
                title = "".join(t.text or "" for t in root.iter(f"{_A}t"))
                out[title] = root
    return out


_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@pytest.mark.parametrize("currency", LOCALES)
def test_every_line_series_is_straight_and_the_money_axis_whole(books, currency):
    revenue = charts_xml(books[currency].xlsx)["Revenue by month"]
    series = list(revenue.iter(f"{C}ser"))
    assert series and all(
        s.find(f"{C}smooth") is not None and s.find(f"{C}smooth").get("val") == "0" for s in series
    )
    (fmt,) = revenue.iter(f"{C}valAx")
    number = fmt.find(f"{C}numFmt")
    assert number is not None and number.get("sourceLinked") == "0"
    assert number.get("formatCode") == LOCALES[currency][1]
    assert fmt.find(f"{C}delete").get("val") == "0"  # Excel shows the axis too


@pytest.mark.parametrize("currency", LOCALES)
def test_no_chart_of_the_workbook_has_a_smoothed_series(books, currency):
    for title, root in charts_xml(books[currency].xlsx).items():
        for smooth in root.iter(f"{C}smooth"):
            assert smooth.get("val") == "0", title


@pytest.mark.parametrize("currency", ["GBP", "IRT"])
def test_months_are_text_categories_named_in_the_workbook_calendar(books, currency):
    """A month label is text (strRef), so no application reads "2025-10" as a number or a
    date and splits it; the cells it points at hold the calendar's month names."""
    book = books[currency]
    revenue = charts_xml(book.xlsx)["Revenue by month"]
    (cat,) = revenue.iter(f"{C}cat")
    ref = cat.find(f"{C}strRef")
    assert ref is not None and cat.find(f"{C}numRef") is None
    sheet, cells = ref.find(f"{C}f").text.split("!")
    first, last = (c.replace("$", "") for c in cells.split(":"))
    ws = openpyxl.load_workbook(book.xlsx)[sheet.strip("'")]
    months = [row[0].value for row in ws[first:last]]
    assert all(isinstance(m, str) and " " in m for m in months), months
    expected = {"GBP": ("November 2024", "October 2025"), "IRT": ("آبان ۱۴۰۳", "مهر ۱۴۰۴")}
    assert (months[0], months[-1]) == expected[currency]


def test_sheets_charts_are_straight_lines(tmp_path):
    """On the emulator (over HTTP, fresh processes) the line chart says lineSmoothing false
    (Sheets' axis follows the series cells' number format, the workbook currency)."""
    with emulator_serve(tmp_path) as (url, [sheet]):
        shop(tmp_path / "shop", "GBP", "sheets", url, sheet)
        with urllib.request.urlopen(f"{url}/v4/spreadsheets/{sheet}", timeout=30) as answer:
            spreadsheet = json.load(answer)
    charts = [c for s in spreadsheet["sheets"] for c in s.get("charts", [])]
    lines = [c for c in charts if c["spec"].get("basicChart", {}).get("chartType") == "LINE"]
    assert [c["spec"]["title"] for c in lines] == ["Revenue by month"]
    assert lines[0]["spec"]["basicChart"]["lineSmoothing"] is False


# -- LibreOffice: render the Dashboard and look ----------------------------------------------


def soffice_pdf(xlsx: Path, out: Path) -> Path:
    """The workbook as PDF, one page per sheet (LibreOffice, headless, own profile)."""
    options = '{"SinglePageSheets":{"type":"boolean","value":"true"}}'
    command = ["soffice", "--headless", "--norestore", f"-env:UserInstallation={out.as_uri()}"]
    command += ["--convert-to", f"pdf:calc_pdf_Export:{options}", "--outdir", str(out), str(xlsx)]
    subprocess.run(command, capture_output=True, timeout=180, check=True)
    return out / f"{xlsx.stem}.pdf"


def dashboard_png(xlsx: Path, out: Path) -> Path:
    """The Dashboard's page of the render, as PNG (pdftoppm, 110 dpi)."""
    out.mkdir(parents=True, exist_ok=True)
    pdf = soffice_pdf(xlsx, out)
    pages = int(
        next(x for x in _run("pdfinfo", str(pdf)).splitlines() if x.startswith("Pages:")).split()[1]
    )
    for page in range(1, pages + 1):
        if _run("pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-").startswith(
            "Dashboard"
        ):
            _run(
                "pdftoppm",
                "-r",
                "110",
                "-f",
                str(page),
                "-l",
                str(page),
                "-png",
                "-singlefile",
                str(pdf),
                str(out / "dashboard"),
            )
            return out / "dashboard.png"
    raise AssertionError("no Dashboard page in the render")


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout


def revenue_line(png: Path) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """The revenue line's pixels: its colour (``LINE``, the report's blue) in the topmost
    chart (the revenue chart is above the others; tables and titles are black)."""
    rgb = np.asarray(Image.open(png).convert("RGB")).astype(int)
    blue = (np.abs(rgb - np.array(LINE_RGB)) < 40).all(axis=2)
    rows = np.nonzero(blue.any(axis=1))[0]
    assert rows.size, "no chart line in the render"
    end = rows[0]
    for y in rows[1:]:
        if y - end > 40:  # the next chart
            break
        end = y
    return blue[rows[0] : end + 1]


def empty_month_stretches(line: np.ndarray[Any, Any]) -> list[tuple[int, int, list[int]]]:
    """For each stretch between two consecutive months without sales: its months and the
    top row of the line in each column of its middle half (-1 where nothing is drawn)."""
    cols = np.nonzero(line.any(axis=0))[0]
    # the first and last markers' outer edges: a marker's radius is small beside a month's
    # width, and only the middle half of each stretch is looked at
    left, right = cols[0], cols[-1]
    step = (right - left) / 11
    out = []
    for i in range(11):
        if i in SALES_MONTHS or i + 1 in SALES_MONTHS:
            continue
        a, b = left + (i + 0.25) * step, left + (i + 0.75) * step
        tops = [
            int(np.nonzero(line[:, x])[0].min()) if line[:, x].any() else -1
            for x in range(int(np.ceil(a)), int(b) + 1)
        ]
        out.append((i, i + 1, tops))
    return out


def assert_flat_at_zero(png: Path) -> None:
    """Between two months without sales the line is drawn, and flat on the zero line: the
    same top row in every column, the lowest the line reaches."""
    line = revenue_line(png)
    lowest = max(int(np.nonzero(line[:, x])[0].min()) for x in np.nonzero(line.any(axis=0))[0])
    for a, b, tops in empty_month_stretches(line):
        assert tops and -1 not in tops, f"months {a}–{b}: the line dips out of the chart"
        assert max(tops) - min(tops) <= 1 and min(tops) >= lowest - 1, (
            f"months {a}–{b}: the line bumps above zero (rows {min(tops)}…{max(tops)}, "
            f"zero at {lowest})"
        )


@pytest.fixture(scope="module")
def rendered(books, tmp_path_factory) -> Path:
    return dashboard_png(books["GBP"].xlsx, tmp_path_factory.mktemp("render"))


@pytest.mark.libreoffice
@needs_soffice
def test_the_rendered_revenue_line_is_flat_at_zero_in_empty_months(rendered):
    """Looked at by eye too (the PNG): straight segments, £0 … £2,000 on the axis, the
    months rotated in one piece."""
    assert_flat_at_zero(rendered)


@pytest.mark.libreoffice
@needs_soffice
def test_the_planted_smoothed_line_is_caught(books, tmp_path):
    planted = tmp_path / "smoothed.xlsx"
    with zipfile.ZipFile(books["GBP"].xlsx) as src, zipfile.ZipFile(planted, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/charts/"):
                data = data.replace(b'<smooth val="0" />', b'<smooth val="1" />')
            dst.writestr(item, data)
    with pytest.raises(AssertionError, match=r"dips out|bumps above"):
        assert_flat_at_zero(dashboard_png(planted, tmp_path / "render"))


# -- the report of the same workbook -------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "ticks", "months"),
    [
        ("GBP", {"£0", "£1,500"}, ("November 2024", "October 2025")),
        ("IRT", {"۰ تومان", "۱٬۵۰۰ تومان"}, ("آبان ۱۴۰۳", "مهر ۱۴۰۴")),
    ],
)
def test_the_reports_revenue_chart_speaks_the_workbook_currency(books, currency, ticks, months):
    """``report`` (a fresh process) on the same workbook: the HTML's revenue chart has whole
    amounts in the workbook currency on its axis and the months of its calendar."""
    book = books[currency]
    page = book.folder / "report.html"
    done = book.run("report", *AS_OF, "--output", str(page))
    assert done.returncode == 0, done.stderr
    uri = re.search(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+", page.read_text("utf-8"))
    assert uri is not None
    root = ET.fromstring(base64.b64decode(uri.group().split(",", 1)[1]))
    texts = ["".join(t.itertext()).strip("\u2066\u2069") for t in root.iter(f"{SVG}text")]
    assert ticks <= set(texts), texts
    assert (texts[0], texts[11]) == months
    assert not [t for t in texts if re.search(r"[.٫][0۰]{2}\b|1e\d", t)], texts
