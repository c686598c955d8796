"""The Tehran studio's figures (``tests/fixtures/locale/fa``, imported as in
``test_locale_world_fa``): ``summary`` and ``report`` equal the test's own pandas
computation from the files, in toman not dollars, ``--as-of`` and ``--period`` typed in
Jalali dates and Persian digits give the same day, and the HTML report is right-to-left.
Each command is a fresh process, on an ``.xlsx`` and on the emulator over HTTP."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from locale_support import (
    BACKENDS,
    FA_AS_OF,
    assert_sales_figures,
    counts_tables,
    fa_build,
    fa_expected_summary,
    fa_interaction_rows,
    fa_lead_sources,
    numbers_in,
    opened,
)

AS_OF = ("--as-of", "2025-11-20")


@pytest.fixture(scope="module", params=BACKENDS)
def studio(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"fa-figures-{request.param}")
    with opened("fa", request.param, folder) as book:
        yield fa_build(book)


@pytest.mark.parametrize("name", ["form", "customers", "interactions"])
def test_the_imports_the_figures_stand_on_went_in(studio, name):
    run = studio.runs[name]
    assert run.done.returncode in (0, 8), (run.done.returncode, run.done.stderr)
    assert run.doc["counts"]["created"] > 0, run.doc["counts"]


def test_summary_figures_equal_a_pandas_computation(studio):
    want = fa_expected_summary(fa_lead_sources(studio.book.cells("Leads")))
    got = studio.book.json("summary", *AS_OF)
    assert got["as_of"] == "2025-11-20"
    assert_sales_figures(got, want)
    assert got["customers_by_status"] == want["customers_by_status"]
    assert got["open_leads"] == want["open_leads"]
    assert got["leads_by_source"] == want["leads_by_source"]


def test_as_of_in_jalali_and_persian_digits_is_the_same_day(studio):
    gregorian = studio.book.json("summary", *AS_OF)
    assert studio.book.json("summary", "--as-of", "۱۴۰۴-۰۸-۲۹") == gregorian
    assert studio.book.json("summary", "--as-of", "1404-08-29") == gregorian


def test_summary_shows_toman_not_dollars(studio):
    said = studio.book.said("summary", *AS_OF)
    assert said.returncode == 0, said.stderr
    assert "تومان" in said.stdout and "$" not in said.stdout, said.stdout


def test_report_shows_toman_not_dollars(studio):
    report = studio.book.said("report", "--format", "md", *AS_OF)
    assert report.returncode == 0, report.stderr
    assert "تومان" in report.stdout and "$" not in report.stdout, report.stdout


def period_revenue() -> tuple[float, float]:
    """Revenue of the month to 29 Aban 1404 (30 days) and of the 30 days before it."""
    sales = fa_interaction_rows()
    start = FA_AS_OF - dt.timedelta(days=29)
    before = start - dt.timedelta(days=30)
    now = float(sales[(sales["day"] >= start) & (sales["day"] <= FA_AS_OF)]["net"].sum())
    then = float(sales[(sales["day"] >= before) & (sales["day"] < start)]["net"].sum())
    return now, then


def test_report_figures_equal_a_pandas_computation(studio):
    """The period's and the period before's revenue, and the leads-by-source counts."""
    now, then = period_revenue()
    report = studio.book.said("report", "--format", "md", *AS_OF)
    assert report.returncode == 0, report.stderr
    printed = numbers_in(report.stdout)
    assert now in printed and then in printed, (now, then, report.stdout)
    by_source = sorted(
        fa_expected_summary(fa_lead_sources(studio.book.cells("Leads")))["leads_by_source"].values()
    )
    assert by_source in counts_tables(report.stdout), report.stdout


def test_report_period_in_jalali_dates_equals_the_gregorian_one(studio):
    jalali = studio.book.said(
        "report", "--period", "۱۴۰۴-۰۷-۰۱..۱۴۰۴-۰۸-۲۹", "--format", "md", *AS_OF
    )
    gregorian = studio.book.said(
        "report", "--period", "2025-09-23..2025-11-20", "--format", "md", *AS_OF
    )
    assert jalali.returncode == 0, jalali.stderr
    assert gregorian.returncode == 0, gregorian.stderr
    assert jalali.stdout == gregorian.stdout


def test_persian_report_is_right_to_left_in_toman(studio):
    page = studio.book.said("report", "--format", "html", *AS_OF)
    assert page.returncode == 0, page.stderr
    assert re.search(r"<(html|body)[^>]*\sdir=\"rtl\"", page.stdout), page.stdout[:300]
    assert "تومان" in page.stdout
    assert not re.search(r"\$\s?\d", page.stdout)
    sales = fa_interaction_rows()
    orders = len(
        sales[
            (sales["type"] == "purchase")
            & (sales["day"] > FA_AS_OF - dt.timedelta(days=30))
            & (sales["day"] <= FA_AS_OF)
        ]
    )
    now, then = period_revenue()
    text = re.sub(r"<style.*?</style>|<script.*?</script>", "", page.stdout, flags=re.S)
    printed = numbers_in(text)
    # the KPI cards: the period's revenue, its change on the period before, the average order
    assert now in printed and round(100 * (now / then - 1)) in printed, (now, then)
    assert now / orders in printed, now / orders
