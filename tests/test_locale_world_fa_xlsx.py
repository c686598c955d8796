"""The Tehran studio's customer list as the ``.xlsx`` Excel saves, not a CSV: the same rows
as ``tests/fixtures/locale/fa/customers.csv``, with what Excel does to them — a mobile
number typed in Latin digits becomes a number without its leading 0 (``9121234567``), a
first contact typed as a Gregorian date becomes a date cell — while Persian-digit numbers
and Jalali dates stay text. Imported in a fresh process into an ``.xlsx`` workbook and
into the emulator: nothing set aside, the same customers as the CSV gives."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from locale_support import (
    BACKENDS,
    FA,
    day_of,
    e164,
    fa_customer_rows,
    fold,
    opened,
)

#: The customer whose first contact was typed in Excel as a date, and that date.
TYPED_AS_DATE = ("سارا محمدی", dt.datetime(2025, 10, 12))


def excel_copy(folder) -> None:
    """``customers.xlsx`` as Excel saves the list: all-digit phones as numbers."""
    raw = pd.read_csv(FA / "customers.csv", dtype=str, keep_default_na=False)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "مشتریان"
    sheet.append(list(raw.columns))
    for record in raw.to_dict("records"):
        row: list[object] = list(record.values())
        phone = record["تلفن"]
        if phone.isascii() and phone.isdigit():
            row[1] = int(phone)
        if record["نام"] == TYPED_AS_DATE[0]:
            row[5] = TYPED_AS_DATE[1]
        sheet.append(row)
    book.save(folder / "customers.xlsx")


@pytest.fixture(scope="module", params=BACKENDS)
def imported(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"fa-xlsx-{request.param}")
    with opened("fa", request.param, folder) as book:
        excel_copy(folder)
        init = book.run("init", "-q")
        assert init.returncode == 0, init.stderr
        yield book, book.imported("customers.xlsx", "--tab", "Customers")


def test_the_excel_list_goes_in_with_nothing_set_aside(imported):
    _, run = imported
    assert run.doc, (run.done.returncode, run.done.stderr)
    assert run.quarantine() == []
    assert run.vocabulary_trouble() == []
    assert run.done.returncode == 0, run.done.stderr


def test_the_excel_list_gives_the_customers_the_csv_does(imported):
    book, _ = imported
    raw = pd.read_csv(FA / "customers.csv", dtype=str, keep_default_na=False)
    phones = {fold(n): e164(p, "98") for n, p in zip(raw["نام"], raw["تلفن"], strict=True)}
    want = fa_customer_rows().set_index("name")
    shown = {fold(r["name"]): r for r in book.json("show", "Customers")}
    assert sorted(shown) == sorted(want.index)
    for name, row in want.iterrows():
        customer = shown[name]
        first = TYPED_AS_DATE[1].date() if name == fold(TYPED_AS_DATE[0]) else row["day"]
        assert day_of(customer["first_contact"]) == first, name
        assert customer["status"] == row["status"], name
        assert customer["phone"] == phones[name], name
