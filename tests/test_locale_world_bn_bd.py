"""A Dhaka home-decor shop's enquiry form in Bengali (``tests/fixtures/locale/bn_bd``):
Google's Bengali headers (``টাইমস্ট্যাম্প``, ``ইমেল ঠিকানা``), the Forms CSV download's
timestamps (``2025/10/04 3:15:20 PM GMT+6``), budgets in taka as typed (``৳ ১৫,০০০``,
``২০ হাজার টাকা``, ``১ লাখ টাকা``, the range ``১০-১৫ হাজার``), Bangladeshi phones in
either script, a double submission and a mistyped e-mail. Imported with the google-form
preset, each command a fresh process, on an ``.xlsx`` and on the emulator over HTTP."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest
from locale_support import (
    BACKENDS,
    BN_BD_SOURCES,
    BN_SOURCES_OPEN,
    bn_bd_rows,
    counts_tables,
    day_of,
    fold,
    learn_values,
    opened,
)

AS_OF = ("--as-of", "2025-11-20")


@pytest.fixture(scope="module", params=BACKENDS)
def shop(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"bn-bd-{request.param}")
    with opened("bn_bd", request.param, folder) as book:
        init = book.run("init", "-q")
        assert init.returncode == 0, init.stderr
        yield book, book.imported("form_responses.csv", "--preset", "google-form")


def test_the_form_goes_in_with_nothing_set_aside_for_vocabulary(shop):
    _, run = shop
    assert run.doc, (run.done.returncode, run.done.stderr)
    assert run.vocabulary_trouble() == []
    assert run.doc["counts"]["quarantined"] == 0, run.quarantine()
    assert run.doc["counts"]["created"] == len(bn_bd_rows())


def test_only_the_mistyped_email_is_set_aside(shop):
    book, run = shop
    assert [(q["kind"], q["column"], q["value"]) for q in run.quarantine()] == [
        ("cell", "ইমেল ঠিকানা", "tanvir.hasan@gmail..com")
    ]
    assert "e-mail" in run.quarantine()[0]["reason"]
    assert run.done.returncode == 8
    held = [q for q in book.cells("_quarantine") if q["status"] == "open"]
    assert [(q["tab"], q["value"]) for q in held] == [("Leads", "tanvir.hasan@gmail..com")]


def _sources(book) -> dict[str, str]:
    rows = bn_bd_rows().set_index("name")
    pairs = [(rows.loc[fold(c["name"]), "typed_source"], c["source"]) for c in book.cells("Leads")]
    return learn_values(pairs, BN_BD_SOURCES, BN_SOURCES_OPEN)


def test_the_sheet_holds_canonical_sources(shop):
    book, _ = shop
    _sources(book)


def test_timestamps_budgets_and_phones_read_as_typed(shop):
    book, _ = shop
    leads = {fold(r["name"]): r for r in book.json("show", "Leads")}
    assert sorted(leads) == sorted(bn_bd_rows()["name"])
    for row in bn_bd_rows().itertuples():
        lead = leads[row.name]
        assert day_of(lead["contact_date"]) == row.day, row.name
        assert lead["phone"] == row.phone, row.name
        value = None if pd.isna(row.value) else row.value
        assert lead["value"] == value, (row.name, row.budget, lead["value"])
    assert "১০-১৫ হাজার" in str(leads[fold("সাকিব হোসেন")]["notes"])


def test_summary_counts_leads_by_source_as_pandas_does(shop):
    book, _ = shop
    rows = bn_bd_rows()
    got = book.json("summary", *AS_OF)
    assert got["currency"] == "BDT"
    assert got["records"]["Leads"] == len(rows)
    assert got["open_leads"] == len(rows)
    assert got["leads_by_source"] == dict(Counter(rows["typed_source"].map(_sources(book))))


def test_summary_and_report_show_taka(shop):
    book, _ = shop
    said = book.said("summary", *AS_OF)
    assert said.returncode == 0, said.stderr
    assert "৳" in said.stdout and "$" not in said.stdout, said.stdout
    report = book.said("report", "--format", "md", *AS_OF)
    assert report.returncode == 0, report.stderr
    assert "৳" in report.stdout and not re.search(r"\$\s?\d", report.stdout), report.stdout
    by_source = sorted(Counter(bn_bd_rows()["typed_source"].map(_sources(book))).values())
    assert by_source in counts_tables(report.stdout), report.stdout
