"""The saree shop's other files (``tests/fixtures/sellers``), each imported without
``--preset`` in a fresh ``sheetcrm`` process, on an ``.xlsx`` and on ``sheetcrm emulator
serve``: a Google Ads campaign report (two title lines, ``--`` blanks, ``Total:`` rows,
fractional conversions, ``Conv. value``) as a CSV and then as the UTF-16 "CSV for Excel"
(the same figures: nothing to write), a Bengali Google Form's responses, a transactions log
whose ``C…`` invoice is a return, and a transactions log whose date column has a month-first
and a day-first date: refused before anything is written, naming the file, the column and
both values with their rows."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest
from locale_support import Book, Imported
from seller_support import (
    AS_OF_ARGS,
    BACKENDS,
    FIXTURES,
    cell_number,
    detected_preset,
    google_ads_rows,
    opened,
    written,
)
from support import one_line

FILES = {
    "google_ads_campaigns.csv": "google-ads",
    "form_responses_bn.csv": "google-form",
    "transactions.csv": "transactions",
}


@dataclass
class Files:
    book: Book
    runs: dict[str, Imported]
    excel: tuple[Imported, str, str]  # the UTF-16 report after the CSV: run, before, after
    swapped: tuple[Imported, str, str]


@pytest.fixture(scope="module", params=BACKENDS)
def files(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"inputs-{request.param}")
    with opened(request.param, folder) as book:
        init = book.run("init", "-q")
        assert init.returncode == 0, init.stderr
        runs = {"google_ads_campaigns.csv": book.imported("google_ads_campaigns.csv")}
        before = written(book)
        excel = book.imported("google_ads_campaigns_excel.csv")
        excel_pass = (excel, before, written(book))
        for name in ("form_responses_bn.csv", "transactions.csv"):
            runs[name] = book.imported(name)
        before = written(book)
        swapped = book.run("import", str(folder / "transactions_swapped.csv"))
        swapped_pass = (Imported("transactions_swapped.csv", swapped, {}), before, written(book))
        yield Files(book, runs, excel_pass, swapped_pass)


@pytest.mark.parametrize("name", list(FILES))
def test_each_file_is_detected_and_goes_in_whole(files, name):
    run = files.runs[name]
    assert run.done.returncode == 0, (run.done.returncode, run.done.stderr)
    assert detected_preset(run) == FILES[name], (run.doc, run.done.stderr)
    assert run.quarantine() == []


def test_google_ads_campaigns_with_spend_and_fractional_conversions(files):
    want = google_ads_rows().set_index("name")
    shown = files.book.json("show", "Campaigns")
    assert sorted(r["name"] for r in shown) == sorted(want.index)  # no Total: rows
    for r in shown:
        row = want.loc[r["name"]]
        assert r["channel"] == "google_ads", r
        for field in ("budget", "impressions", "clicks", "conversions", "conversion_value"):
            assert cell_number(r[field]) == pytest.approx(row[field]), (field, r)
    doc = files.runs["google_ads_campaigns.csv"].doc
    assert doc["counts"]["created"] == len(want)
    assert doc["counts"]["quarantined"] == 0


def test_the_totals_rows_are_left_out_and_said_so(files):
    run = files.runs["google_ads_campaigns.csv"]
    said = " ".join(str(x) for x in (run.doc, run.done.stderr)).casefold()
    assert "total" in said, run.doc


def test_the_utf16_csv_for_excel_is_the_same_report(files):
    run, before, after = files.excel
    assert run.done.returncode == 0, run.done.stderr
    assert detected_preset(run) == "google-ads"
    assert run.doc["counts"]["created"] == 0
    assert run.doc["counts"]["updated"] == 0
    assert after == before, "the same figures wrote the workbook"


def test_the_bengali_form_is_leads_once_each(files):
    raw = pd.read_csv(FIXTURES / "form_responses_bn.csv", dtype=str, keep_default_na=False)
    emails = set(raw["ইমেল ঠিকানা"].str.casefold())
    shown = files.book.json("show", "Leads")
    assert sorted(str(r["email"]).casefold() for r in shown) == sorted(emails)


def test_the_transactions_log_is_order_lines_and_a_return(files):
    raw = pd.read_csv(FIXTURES / "transactions.csv", dtype=str, keep_default_na=False)
    raw["qty"] = raw["Quantity"].astype(float)
    raw["total"] = raw["qty"] * raw["UnitPrice"].astype(float)
    sales = raw[~raw["InvoiceNo"].str.startswith("C")]
    cancels = raw[raw["InvoiceNo"].str.startswith("C")]
    lines = files.book.json("show", "Orders")
    assert sorted(str(r["order_id"]) for r in lines) == sorted(sales["InvoiceNo"])
    assert sorted(cell_number(r["line_total"]) or 0.0 for r in lines) == sorted(sales["total"])
    returns = files.book.json("show", "Returns")
    assert len(returns) == len(cancels)
    assert [cell_number(r["quantity"]) for r in returns] == list(-cancels["qty"])
    summary = files.book.json("summary", *AS_OF_ARGS)
    assert summary["orders"] == sales["InvoiceNo"].nunique()
    refund = float(-(cancels["total"]).sum())
    assert summary["revenue_total"] == pytest.approx(float(sales["total"].sum()) - refund)


def test_a_column_with_month_first_and_day_first_dates_is_refused(files):
    run, before, after = files.swapped
    line = one_line(run.done, 3)
    raw = pd.read_csv(FIXTURES / "transactions_swapped.csv", dtype=str, keep_default_na=False)
    assert "transactions_swapped.csv" in line, line
    assert "InvoiceDate" in line, line
    month_first = raw.index[raw["InvoiceDate"].str.startswith("09/21/25")][0]
    day_first = raw.index[raw["InvoiceDate"].str.startswith("21/09/25")][0]
    assert "09/21/25" in line and "21/09/25" in line, line
    # row numbers as the file counts them: the header is row 1
    assert str(month_first + 2) in line and str(day_first + 2) in line, line
    assert after == before, "a refused file wrote the workbook"
