"""A Tehran design studio's CRM in Persian, imported as its owner imports it: each command a
fresh ``sheetcrm`` process, on an ``.xlsx`` and on Google Sheets (the emulator over HTTP).

The files (``tests/fixtures/locale/fa``) are what such a studio has: a Google Form's
responses with Google's Persian headers and Jalali timestamps (``ب.ظ.``/``ق.ظ.``), a
hand-kept customer list (Persian statuses, Jalali month names, Arabic ي/ك, ZWNJ) and an
interactions log (Persian types, toman amounts typed as ``۸۰۰ هزار تومان``). Done means:
nothing set aside or dropped for want of vocabulary, only the mistyped e-mail set aside,
and canonical values in the sheet. The figures are in ``test_locale_world_fa_figures``.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest
from locale_support import (
    BACKENDS,
    FA,
    FA_IGNORABLE,
    FA_SOURCES,
    FA_SOURCES_OPEN,
    day_of,
    fa_build,
    fa_customer_rows,
    fa_form_rows,
    fa_interaction_rows,
    fa_lead_sources,
    fold,
    latin,
    learn_values,
    opened,
)


@pytest.fixture(scope="module", params=BACKENDS)
def studio(request, tmp_path_factory):
    with opened("fa", request.param, tmp_path_factory.mktemp(f"fa-{request.param}")) as book:
        yield fa_build(book)


@pytest.mark.parametrize("name", FA_IGNORABLE)
def test_each_file_goes_in_with_nothing_set_aside_for_vocabulary(studio, name):
    run = studio.runs[name]
    assert run.doc, (run.done.returncode, run.done.stderr)
    assert run.vocabulary_trouble(FA_IGNORABLE[name]) == []
    assert run.doc["counts"]["quarantined"] == 0, run.quarantine()
    assert run.done.returncode == (8 if name == "form" else 0), run.done.stderr


def test_only_the_mistyped_email_is_set_aside(studio):
    entries = [(name, q) for name, run in studio.runs.items() for q in run.quarantine()]
    assert [(n, q["kind"], q["column"], q["value"]) for n, q in entries] == [
        ("form", "cell", "نشانی ایمیل", "hamed.jafari@gmail,com")
    ]
    assert "e-mail" in entries[0][1]["reason"]
    held = [q for q in studio.book.cells("_quarantine") if q["status"] == "open"]
    assert [(q["tab"], q["column"], q["value"]) for q in held] == [
        ("Leads", "نشانی ایمیل", "hamed.jafari@gmail,com")
    ]


def test_the_double_submission_makes_one_lead(studio):
    counts = studio.runs["form"].doc["counts"]
    assert counts["rows"] == 10
    assert counts["created"] == len(fa_form_rows()) == 9
    assert counts["merged"] + counts["duplicates"] == 1


def test_the_sheet_holds_canonical_values(studio):
    """``active`` not ``فعال``, ``purchase`` not ``خرید``: what formulas and metrics use."""
    customers = fa_customer_rows().set_index("name")
    cells = studio.book.cells("Customers")
    assert sorted(fold(c["name"]) for c in cells) == sorted(customers.index)
    assert {fold(c["name"]): c["status"] for c in cells} == customers["status"].to_dict()
    typed = customers["typed_source"]
    learn_values(
        ((typed[fold(c["name"])], c["lead_source"]) for c in cells), FA_SOURCES, FA_SOURCES_OPEN
    )
    fa_lead_sources(studio.book.cells("Leads"))  # Leads.source: the same check on the form's leads
    held = Counter(str(c["type"]) for c in studio.book.cells("Interactions"))
    assert held == Counter(fa_interaction_rows()["type"])


def test_dates_and_amounts_read_as_typed(studio):
    """Jalali timestamps with ب.ظ./ق.ظ., ``۸ میلیون``, ``۲٫۵ میلیون``, ``۱۵ میلیون تومان``;
    the range ``۳ تا ۵ میلیون`` keeps its lower bound and the text in the lead's notes."""
    leads = {fold(r["name"]): r for r in studio.book.json("show", "Leads")}
    for row in fa_form_rows().itertuples():
        lead = leads[row.name]
        assert day_of(lead["contact_date"]) == row.day, (row.name, lead["contact_date"])
        value = None if pd.isna(row.value) else row.value
        assert lead["value"] == value, (row.name, row.budget, lead["value"])
    assert "۳ تا ۵ میلیون" in str(leads[fold("مریم حسینی")]["notes"])


def test_jalali_month_names_read_as_dates(studio):
    customers = {fold(r["name"]): r for r in studio.book.json("show", "Customers")}
    for row in fa_customer_rows().itertuples():
        assert day_of(customers[row.name]["first_contact"]) == row.day, row.name


def test_interactions_read_as_typed(studio):
    shown = studio.book.json("show", "Interactions")
    got = [(day_of(r["date"]), r["type"], r["amount"], r["product"]) for r in shown]
    rows = fa_interaction_rows().astype(object).where(pd.notna, None)
    want = [(r.day, r.type, r.amount, r.product) for r in rows.itertuples()]
    assert sorted(got, key=repr) == sorted(want, key=repr)


def test_phones_are_iranian_numbers_in_e164(studio):
    def e164(typed: str) -> str:
        digits = re.sub(r"\D", "", latin(typed))
        return "+98" + (digits[1:] if digits.startswith("0") else digits[2:])

    raw = pd.read_csv(FA / "customers.csv", dtype=str, keep_default_na=False)
    want = {fold(n): e164(p) for n, p in zip(raw["نام"], raw["تلفن"], strict=True)}
    assert {fold(r["name"]): r["phone"] for r in studio.book.json("show", "Customers")} == want


@pytest.fixture(scope="module", params=BACKENDS)
def gregorian_form(request, tmp_path_factory):
    """The same form exported with Gregorian timestamps (``2025/10/04 3:15:20 PM``)."""
    folder = tmp_path_factory.mktemp(f"fa-gregorian-{request.param}")
    with opened("fa", request.param, folder) as book:
        init = book.run("init", "-q")
        assert init.returncode == 0, init.stderr
        yield book, book.imported("form_responses_gregorian.csv", "--preset", "google-form")


def test_a_form_with_gregorian_timestamps_gives_the_same_leads(gregorian_form):
    book, run = gregorian_form
    assert run.vocabulary_trouble() == []
    assert [(q["column"], q["value"]) for q in run.quarantine()] == [
        ("نشانی ایمیل", "hamed.jafari@gmail,com")
    ]
    leads = {fold(r["name"]): day_of(r["contact_date"]) for r in book.json("show", "Leads")}
    form = fa_form_rows()
    assert leads == dict(zip(form["name"], form["day"], strict=True))
