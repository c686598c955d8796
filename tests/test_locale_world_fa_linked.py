"""The Persian form linked to its spreadsheet (Responses → Link to Sheets), the way most
owners get responses: a tab Google names ``پاسخ‌های فرم ۱`` in the CRM's own workbook, its
timestamps real date-time cells and its all-digit phones turned into numbers (the leading 0
gone), as Sheets does with what a form writes. ``import --from-tab`` in a fresh process, on
an ``.xlsx`` (the tab written with openpyxl) and on the emulator (written over HTTP with
``USER_ENTERED``, as Forms does): the same leads as the CSV download gives."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
import urllib.request

import openpyxl
import pandas as pd
import pytest
from locale_support import BACKENDS, FA, Book, day_of, e164, fa_form_rows, fold, latin, opened

TAB = "پاسخ‌های فرم ۱"


def responses() -> list[list[object]]:
    """The header and rows of the linked tab: Gregorian timestamps as date-times."""
    raw = pd.read_csv(FA / "form_responses_gregorian.csv", dtype=str, keep_default_na=False)
    rows: list[list[object]] = [list(raw.columns)]
    for record in raw.itertuples(index=False):
        stamp = dt.datetime.strptime(latin(record[0]), "%Y/%m/%d %I:%M:%S %p")
        rows.append([stamp, *record[1:]])
    return rows


def link_xlsx(book: Book) -> None:
    workbook = openpyxl.load_workbook(book.xlsx)
    sheet = workbook.create_sheet(TAB)
    for row in responses():
        cells = [int(v) if isinstance(v, str) and v.isascii() and v.isdigit() else v for v in row]
        sheet.append(cells)
    workbook.save(book.xlsx)


def _call(book: Book, method: str, path: str, body: dict[str, object]) -> None:
    request = urllib.request.Request(
        f"{book.url}/v4/spreadsheets/{book.sheet}{path}",
        data=json.dumps(body).encode("utf-8"),
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 200


def link_sheets(book: Book) -> None:
    _call(
        book, "POST", ":batchUpdate", {"requests": [{"addSheet": {"properties": {"title": TAB}}}]}
    )
    typed = [
        [v.strftime("%m/%d/%Y %H:%M:%S") if isinstance(v, dt.datetime) else v for v in row]
        for row in responses()
    ]
    where = urllib.parse.quote(f"'{TAB}'!A1", safe="")
    _call(book, "PUT", f"/values/{where}?valueInputOption=USER_ENTERED", {"values": typed})


@pytest.fixture(scope="module", params=BACKENDS)
def linked(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"fa-linked-{request.param}")
    with opened("fa", request.param, folder) as book:
        init = book.run("init", "-q")
        assert init.returncode == 0, init.stderr
        (link_xlsx if book.backend == "xlsx" else link_sheets)(book)
        run = book.run("import", "--from-tab", TAB, "--preset", "google-form", "--format", "json")
        yield book, run, json.loads(run.stdout) if run.stdout.strip() else {}


def test_the_linked_tab_goes_in_with_only_the_mistyped_email_set_aside(linked):
    _, run, doc = linked
    assert doc, (run.returncode, run.stderr)
    assert [(q["column"], q["value"]) for q in doc["quarantine"]] == [
        ("نشانی ایمیل", "hamed.jafari@gmail,com")
    ]
    assert doc["counts"]["created"] == len(fa_form_rows())


def test_the_linked_tab_gives_the_leads_the_download_does(linked):
    book, _, _ = linked
    raw = pd.read_csv(FA / "form_responses.csv", dtype=str, keep_default_na=False)
    phones = {fold(n): e164(p, "98") for n, p in zip(raw.iloc[:, 2], raw.iloc[:, 3], strict=True)}
    leads = {fold(r["name"]): r for r in book.json("show", "Leads")}
    form = fa_form_rows()
    assert sorted(leads) == sorted(form["name"])
    for row in form.itertuples():
        assert day_of(leads[row.name]["contact_date"]) == row.day, row.name
        assert leads[row.name]["phone"] == phones[row.name], row.name
