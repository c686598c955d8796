"""A Kolkata saree and jewellery seller who takes orders on WhatsApp and keeps them in one
Bengali sheet (``tests/fixtures/locale/bn_in``): Bengali dates (``১৫ সেপ্টেম্বর ২০২৫``,
``3 November, 2025``), amounts in lakh and rupees as typed (``১.২৫ লাখ``, ``2.5 lakh``,
``₹2.5L``, ``Rs. 1,499/-``), phones with and without +91 in either script, a cancelled
order and repeat buyers. Imported as customers and as interactions, each command a fresh
process, on an ``.xlsx`` and on the emulator over HTTP: nothing set aside for want of
vocabulary, canonical values in the sheet, and figures equal to the test's own pandas
computation, in rupees with lakh grouping."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from locale_support import (
    BACKENDS,
    BN_AS_OF,
    BN_IN_IGNORABLE,
    BN_SOURCES,
    BN_SOURCES_OPEN,
    assert_sales_figures,
    bn_in_build,
    bn_in_expected_summary,
    bn_in_rows,
    day_of,
    fold,
    latin,
    learn_values,
    numbers_in,
    opened,
)

AS_OF = ("--as-of", "2025-11-20")


@pytest.fixture(scope="module", params=BACKENDS)
def seller(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"bn-in-{request.param}")
    with opened("bn_in", request.param, folder) as book:
        yield bn_in_build(book)


@pytest.mark.parametrize("name", BN_IN_IGNORABLE)
def test_the_order_list_goes_in_with_nothing_set_aside(seller, name):
    run = seller.runs[name]
    assert run.doc, (run.done.returncode, run.done.stderr)
    assert run.vocabulary_trouble(BN_IN_IGNORABLE[name]) == []
    assert run.quarantine() == []
    assert run.done.returncode == 0, run.done.stderr
    assert [q for q in seller.book.cells("_quarantine") if q["status"] == "open"] == []


def test_repeat_buyers_are_one_customer_each(seller):
    rows = bn_in_rows()
    shown = seller.book.json("show", "Customers")
    assert sorted(r["phone"] for r in shown) == sorted(set(rows["phone"]))
    names = dict(zip(rows["phone"], rows["name"], strict=False))
    assert {r["phone"]: fold(r["name"]) for r in shown} == names


def test_the_sheet_holds_canonical_values(seller):
    rows = bn_in_rows()
    typed = dict(zip(rows["phone"], rows["typed_source"], strict=False))
    cells = seller.book.cells("Customers")
    pairs = [(typed[_phone(c["phone"])], c["lead_source"]) for c in cells]
    learn_values(pairs, BN_SOURCES, BN_SOURCES_OPEN)
    held = Counter(str(c["type"]) for c in seller.book.cells("Interactions"))
    assert held == Counter(rows["type"])


def _phone(cell: object) -> str:
    """A phone cell as E.164 text (a sheet may hold it as +91… text)."""
    return "+" + re.sub(r"\D", "", latin(str(cell)))


def test_dates_and_amounts_read_as_typed(seller):
    shown = seller.book.json("show", "Interactions")
    got = sorted((day_of(r["date"]), r["type"], r["amount"], r["product"]) for r in shown)
    want = sorted((r.day, r.type, r.amount, r.product) for r in bn_in_rows().itertuples())
    assert got == want


def test_summary_figures_equal_a_pandas_computation(seller):
    want = bn_in_expected_summary()
    assert_sales_figures(seller.book.json("summary", *AS_OF), want)


def test_summary_shows_rupees_in_lakh_grouping(seller):
    said = seller.book.said("summary", *AS_OF)
    assert said.returncode == 0, said.stderr
    assert "₹" in said.stdout and "$" not in said.stdout, said.stdout
    assert "4,82,549" in latin(said.stdout), said.stdout  # ₹4,82,549, not 482,549


def test_report_figures_in_rupees_equal_a_pandas_computation(seller):
    """The 30 days to 20 November against the 30 days before: each one's revenue."""
    rows = bn_in_rows()
    start = BN_AS_OF - dt.timedelta(days=29)
    before = start - dt.timedelta(days=30)
    now = float(rows[(rows["day"] >= start) & (rows["day"] <= BN_AS_OF)]["net"].sum())
    then = float(rows[(rows["day"] >= before) & (rows["day"] < start)]["net"].sum())
    report = seller.book.said("report", "--format", "md", *AS_OF)
    assert report.returncode == 0, report.stderr
    assert "₹" in report.stdout and "$" not in report.stdout, report.stdout
    printed = numbers_in(report.stdout)
    assert now in printed and then in printed, (now, then, report.stdout)
    assert "2,73,449" in latin(report.stdout), report.stdout  # lakh grouping


def test_bengali_report_is_left_to_right_in_rupees(seller):
    page = seller.book.said("report", "--format", "html", *AS_OF)
    assert page.returncode == 0, page.stderr
    opening = re.search(r"<html[^>]*>", page.stdout)
    assert opening and 'dir="rtl"' not in opening.group(), page.stdout[:300]
    assert "₹" in page.stdout and not re.search(r"\$\s?\d", page.stdout)
