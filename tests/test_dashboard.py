"""The dashboard and summary tabs: figures against independent pandas, charts that
survive saves, state checked through the Sheets API, idempotent regeneration."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from contract.harness import HARNESSES, sheets_backend

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.config import parse_config
from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.emulator import Emulator
from sheetcrm.ingest.importer import import_file
from sheetcrm.model.numformat import money_format
from sheetcrm.workbook.dashboard import GENERATED, spark
from sheetcrm.workbook.refresh import refresh

DAY = dt.date(2026, 11, 21)
RETAIL = Path(__file__).parent / "data" / "online_retail_subset.csv"


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def demo_crm(backend=None):
    crm = CRM(backend=backend or MemoryBackend())
    write_demo(crm, DAY)
    refresh(crm, DAY)
    return crm


def tab(crm, name):
    grid = crm.backend.read([name])[name]
    return pd.DataFrame(grid.rows, columns=grid.header)


def sales(crm):
    acts = crm.frame("Interactions")
    out = acts[acts["type"].isin(["purchase", "return"])].copy()
    out["amount"] = out["amount"].astype(float)
    out["month"] = pd.to_datetime(out["date"]).dt.strftime("%B %Y")  # as the tabs name months
    return out


def test_monthly_figures_equal_pandas():
    crm = demo_crm()
    by_month = tab(crm, "By month").set_index("Month")
    s = sales(crm)
    revenue = s.groupby("month")["amount"].sum()
    orders = s[s["type"] == "purchase"].groupby("month").size()
    for month, row in by_month.iterrows():
        assert abs(row["Revenue"] - revenue.get(month, 0.0)) < 0.005
        assert row["Orders"] == orders.get(month, 0)
    assert len(by_month) == 12 and by_month.index[-1] == "November 2026"
    dash = crm.backend.read(["Dashboard"])["Dashboard"]
    kpi = {r[0]: r for r in dash.rows if r and r[0]}
    assert abs(kpi["Revenue"][1] - revenue.get("November 2026", 0)) < 0.005
    assert abs(kpi["Revenue"][2] - revenue.get("October 2026", 0)) < 0.005
    leads = crm.frame("Leads")
    rate = round(100 * (leads["status"] == "converted").sum() / len(leads), 1)
    assert kpi["Conversion rate, all leads (%)"][1] == rate
    open_ = leads[leads["status"].isin(["new", "contacted", "qualified"])]
    assert kpi["Open pipeline value"][1] == round(open_["value"].astype(float).sum(), 2)


def test_summary_tabs_equal_pandas():
    crm = demo_crm()
    customers = crm.frame("Customers")
    seg = tab(crm, "By segment").set_index("Segment")
    assert seg["Customers"].to_dict() == customers["segment"].value_counts().to_dict()
    region = tab(crm, "By region")
    assert region["Customers"].sum() == len(customers)
    product = tab(crm, "By product").set_index("Product")
    s = sales(crm)
    for name, total in s.groupby("product")["amount"].sum().items():
        assert abs(product.loc[name, "Revenue"] - total) < 0.005
    source = tab(crm, "By source").set_index("Source")
    leads = crm.frame("Leads")
    assert source["Leads"].to_dict() == leads["source"].value_counts().to_dict()


def test_online_retail_dashboard():
    crm = CRM(backend=MemoryBackend())
    crm.init()
    import_file(crm, RETAIL, preset="transactions")
    refresh(crm, dt.date(2011, 12, 10))
    lines = pd.read_csv(RETAIL, dtype=str, keep_default_na=False)
    lines["value"] = lines["Quantity"].astype(int) * lines["UnitPrice"].astype(float)
    lines["month"] = pd.to_datetime(lines["InvoiceDate"]).dt.strftime("%B %Y")
    want = lines.groupby("month")["value"].sum()
    got = tab(crm, "By month").set_index("Month")["Revenue"]
    for month, value in got.items():
        assert abs(value - want.get(month, 0.0)) < 0.01, month


def test_regenerating_changes_nothing_and_never_touches_teammate_tabs(tmp_path):
    harness = HARNESSES["xlsx"](tmp_path)
    crm = demo_crm(harness.backend)
    import openpyxl

    wb = openpyxl.load_workbook(harness.path)
    wb.create_sheet("My notes")["A1"] = "=SUM(1,2)"
    wb.save(harness.path)
    before = harness.state()
    assert not refresh(crm, DAY).changes
    assert harness.state() == before
    later = refresh(crm, DAY + dt.timedelta(days=40))  # a new month: the figures move
    assert later.changes and openpyxl.load_workbook(harness.path)["My notes"]["A1"].value == (
        "=SUM(1,2)"
    )


def chart_parts(path):
    with zipfile.ZipFile(path) as z:
        return sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))


def test_xlsx_charts_survive_other_writes(tmp_path):
    path = tmp_path / "crm.xlsx"
    crm = demo_crm(XlsxBackend(path))
    assert len(chart_parts(path)) == 3
    csv = tmp_path / "more.csv"
    csv.write_text("name,email\nNew Person,new@example.com\n", encoding="utf-8")
    import_file(crm, csv, tab="Customers")  # another command loads and saves the file
    assert len(chart_parts(path)) == 3
    with zipfile.ZipFile(path) as z:
        xml = z.read(chart_parts(path)[0]).decode()
    assert "'Dashboard'!$D$16:$D$27" in xml and "lineChart" in xml


def test_dashboard_state_through_the_sheets_api(tmp_path):
    emu = Emulator()
    ss = emu.create_spreadsheet("crm")
    crm = demo_crm(sheets_backend(emu, ss.id))
    meta = emu.handle(
        "GET",
        f"https://sheets.googleapis.com/v4/spreadsheets/{ss.id}?fields="
        "sheets(properties.title,charts(chartId,spec.title),conditionalFormats,"
        "protectedRanges(description,warningOnly))",
        None,
    )
    import json

    sheets = {s["properties"]["title"]: s for s in json.loads(meta.body)["sheets"]}
    assert {c["spec"]["title"] for c in sheets["Dashboard"]["charts"]} == {
        "Revenue by month",
        "Leads by source",
        "Campaign ROI (%)",
    }
    assert len(sheets["Leads"]["conditionalFormats"]) == 3
    assert any("gradientRule" in r for r in sheets["Leads"]["conditionalFormats"])
    assert all(p["warningOnly"] for s in sheets.values() for p in s.get("protectedRanges", []))
    assert set(GENERATED) <= set(sheets)
    # the Trend column comes after the three period columns and the change
    spark_cell = ss.sheet(title="Dashboard").get(3, 5)
    assert getattr(spark_cell, "text", "").startswith("=SPARKLINE(B16:B27")
    emu.stats.reset()
    assert not refresh(crm, DAY).changes
    assert emu.stats.writes == 0


def test_text_sparkline():
    assert spark([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█"
    assert spark([5, 5]) == "▁▁" and spark([]) == ""
    assert spark([None, float("nan"), 3]) == "▁▁█"


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_renders_the_dashboard(tmp_path):
    path = tmp_path / "crm.xlsx"
    demo_crm(XlsxBackend(path))
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/p",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "lo"),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    import openpyxl

    resaved = tmp_path / "lo" / "crm.xlsx"
    assert len(chart_parts(resaved)) == 3  # LibreOffice read the charts and kept them
    wb = openpyxl.load_workbook(resaved)
    assert wb["Dashboard"]["A1"].value == "Dashboard"
    rules = [r for cf in wb["Leads"].conditional_formatting for r in cf.rules]
    assert any(r.type == "colorScale" for r in rules) and len(rules) == 3


def localized_crm(backend, **locale):
    crm = CRM(backend=backend, config=parse_config({"locale": locale}))
    write_demo(crm, DAY)
    refresh(crm, DAY)
    return crm


def money_cells(ws) -> dict[str, str]:
    """The Dashboard's headline amounts and By month's revenue: cell → number format."""
    rows = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    out = {}
    for label in ("Revenue", "Average order value", "Open pipeline value"):
        out[f"B{rows[label]}"] = ws.cell(row=rows[label], column=2).number_format
    return out


def test_dashboard_amounts_carry_the_workbook_currency_and_follow_a_change(tmp_path):
    import openpyxl

    path = tmp_path / "crm.xlsx"
    localized_crm(XlsxBackend(path), currency="INR")
    wb = openpyxl.load_workbook(path)
    inr = money_format("INR")
    assert set(money_cells(wb["Dashboard"]).values()) == {inr}
    assert wb["Dashboard"]["C1"].value == "amounts in INR"
    by_month = wb["By month"]
    assert {by_month.cell(row=r, column=4).number_format for r in range(2, 14)} == {inr}
    assert {by_month.cell(row=r, column=3).number_format for r in range(2, 14)} == {"#,##0"}
    assert by_month["A13"].value == "November 2026"

    crm = CRM(backend=XlsxBackend(path), config=parse_config({"locale": {"currency": "GBP"}}))
    counts = refresh(crm, DAY).changes.counts()
    assert counts["generated_cells"] > 100 and counts["cells_changed"] == 0
    wb = openpyxl.load_workbook(path)
    assert set(money_cells(wb["Dashboard"]).values()) == {'"£"#,##0.00'}
    assert {wb["By month"].cell(row=r, column=4).number_format for r in range(2, 14)} == {
        '"£"#,##0.00'
    }
    assert not refresh(crm, DAY).changes


def test_a_jalali_workbook_names_its_months_in_its_calendar():
    """Month rows are Jalali months (``مهر 1404``), their figures equal pandas grouped by
    the Jalali month of each sale (jdatetime, independently of sheetcrm's calendars)."""
    import jdatetime

    crm = localized_crm(MemoryBackend(), language="fa_IR", currency="IRT")
    s = sales(crm)
    s["jmonth"] = [
        jdatetime.date.fromgregorian(date=pd.Timestamp(d).date()).strftime("%Y-%m")
        for d in s["date"]
    ]
    revenue = s.groupby("jmonth")["amount"].sum()
    by_month = tab(crm, "By month").set_index("Month")
    names = dict(zip(calendars_month_labels(revenue.index), revenue.index, strict=True))
    assert by_month.index[-1] == "آبان 1405"  # 21 November 2026 is 30 Aban 1405
    for label, row in by_month.iterrows():
        assert abs(row["Revenue"] - revenue.get(names.get(label, ""), 0.0)) < 0.005, label
    dash = crm.read(["Dashboard"])["Dashboard"]
    assert dash.header[:3] == ["Dashboard", "as of 1405-08-30", "amounts in IRT"]
    assert not refresh(crm, DAY).changes


def calendars_month_labels(keys):
    """Persian month names with the year, as a Persian reader writes a month."""
    names = [
        "فروردین",
        "اردیبهشت",
        "خرداد",
        "تیر",
        "مرداد",
        "شهریور",
        "مهر",
        "آبان",
        "آذر",
        "دی",
        "بهمن",
        "اسفند",
    ]
    return [f"{names[int(k[5:]) - 1]} {k[:4]}" for k in keys]


def test_dashboard_amounts_render_in_the_currency_through_the_sheets_api():
    import json

    emu = Emulator()
    ss = emu.create_spreadsheet("crm")
    localized_crm(sheets_backend(emu, ss.id), currency="INR")
    got = emu.handle(
        "GET",
        f"https://sheets.googleapis.com/v4/spreadsheets/{ss.id}/values/Dashboard!A1:E13",
        None,
    )
    rows = json.loads(got.body)["values"]
    shown = {r[0]: r for r in rows if r}
    assert shown["Revenue"][1].startswith("₹") and shown["Revenue"][1].endswith(".00")
    assert shown["Orders"][1].isdigit()
    dash = ss.sheet(title="Dashboard")
    r = next(i for i, row in enumerate(dash.rows) if row and row[0] == "Revenue")
    assert dash.number_format(r, 1).pattern == money_format("INR")
