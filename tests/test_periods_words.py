"""Period words mean one thing everywhere (``analytics.periods``): "this month" is the
calendar month to date (Jalali in a Persian workbook), "last month" the whole month
before, "the last 7/30/90 days" rolling windows ending with the as-of day; the old
``week``/``month``/``quarter`` are the last 7/30/91 days and say so; every label names the
exact first and last day, in English, Persian and Bengali."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from sheetcrm.analytics import periods
from sheetcrm.analytics.periods import Period, check_period, parse_period
from sheetcrm.errors import InputError
from sheetcrm.model.calendars import JALALI
from sheetcrm.outputs.i18n import LocalFormat

DAY = dt.date(2025, 10, 15)  # 23 Mehr 1404


@pytest.mark.parametrize(
    ("typed", "first", "last", "label"),
    [
        (
            "this-month",
            "2025-10-01",
            "2025-10-15",
            "this month (October 2025), 2025-10-01 to 2025-10-15",
        ),
        (
            "last-month",
            "2025-09-01",
            "2025-09-30",
            "last month (September 2025), 2025-09-01 to 2025-09-30",
        ),
        ("last-7-days", "2025-10-09", "2025-10-15", "the last 7 days, 2025-10-09 to 2025-10-15"),
        ("last-30-days", "2025-09-16", "2025-10-15", "the last 30 days, 2025-09-16 to 2025-10-15"),
        ("last-90-days", "2025-07-18", "2025-10-15", "the last 90 days, 2025-07-18 to 2025-10-15"),
        ("week", "2025-10-09", "2025-10-15", "the last 7 days, 2025-10-09 to 2025-10-15"),
        ("month", "2025-09-16", "2025-10-15", "the last 30 days, 2025-09-16 to 2025-10-15"),
        ("quarter", "2025-07-17", "2025-10-15", "the last 91 days, 2025-07-17 to 2025-10-15"),
        ("2025-09", "2025-09-01", "2025-09-30", "September 2025, 2025-09-01 to 2025-09-30"),
        ("2025-10", "2025-10-01", "2025-10-15", "October 2025, 2025-10-01 to 2025-10-15"),
        ("2025-10-02..2025-10-04", "2025-10-02", "2025-10-04", "2025-10-02 to 2025-10-04"),
    ],
)
def test_each_period_word_is_its_days_and_its_label_names_them(typed, first, last, label):
    period = parse_period(typed, DAY)
    assert (period.start.isoformat(), period.last.isoformat(), period.label) == (first, last, label)
    assert check_period(typed) == typed and check_period(typed.upper()) == typed.upper()


def test_the_old_spellings_are_the_rolling_windows():
    assert parse_period("month", DAY) == parse_period("last-30-days", DAY)
    assert parse_period("week", DAY) == parse_period("last-7-days", DAY)
    assert parse_period("quarter", DAY).days == 91  # kept: cron jobs typed it


def test_this_month_and_last_month_are_the_workbook_calendar_s():
    mehr = parse_period("this-month", DAY, JALALI)  # Mehr 1404 began on 2025-09-23
    assert (mehr.start, mehr.last) == (dt.date(2025, 9, 23), DAY)
    assert mehr.label == "this month (Mehr 1404), 1404-07-01 to 1404-07-23"
    shahrivar = parse_period("last-month", DAY, JALALI)
    assert (shahrivar.start, shahrivar.last) == (dt.date(2025, 8, 23), dt.date(2025, 9, 22))
    assert periods.this_month(dt.date(2025, 10, 1)).days == 1  # the 1st: one day so far
    march = periods.last_month(dt.date(2025, 3, 31))
    assert (march.start, march.last) == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))


@pytest.mark.parametrize(
    ("local", "typed", "shown"),
    [
        (LocalFormat(), "last-30-days", "the last 30 days, 2025-09-16 to 2025-10-15"),
        (LocalFormat(), "2025-10-03", "2025-10-03"),
        (
            LocalFormat("fa_IR", "IRT", JALALI, "native"),
            "this-month",
            "این ماه (مهر ۱۴۰۴)، \u2066۱۴۰۴-۰۷-۰۱\u2069 تا \u2066۱۴۰۴-۰۷-۲۳\u2069",
        ),
        (
            LocalFormat("fa_IR", "IRT", JALALI, "native"),
            "month",
            "۳۰ روز گذشته، \u2066۱۴۰۴-۰۶-۲۵\u2069 تا \u2066۱۴۰۴-۰۷-۲۳\u2069",
        ),
        (
            LocalFormat("fa_IR", "IRT", JALALI),
            "1404-06",
            "شهریور 1404، \u20661404-06-01\u2069 تا \u20661404-06-31\u2069",
        ),
        (
            LocalFormat("bn_BD", "BDT", digits="native"),
            "last-month",
            "গত মাস (সেপ্টেম্বর ২০২৫), ২০২৫-০৯-০১ থেকে ২০২৫-০৯-৩০",
        ),
        (LocalFormat("bn_BD", "BDT"), "last-7-days", "গত 7 দিন, 2025-10-09 থেকে 2025-10-15"),
    ],
)
def test_labels_are_translated_and_name_the_first_and_last_day(local, typed, shown):
    assert local.period(parse_period(typed, DAY, local.calendar)) == shown


def test_the_previous_period_is_labelled_by_its_days():
    before = parse_period("last-30-days", DAY).previous()
    assert LocalFormat().period(before) == "2025-08-17 to 2025-09-15"
    assert LocalFormat().period(Period(dt.date(2025, 9, 1), dt.date(2025, 10, 1))) == (
        "September 2025, 2025-09-01 to 2025-09-30"
    )


def test_a_word_that_is_not_a_period_is_refused_with_the_words_that_are():
    with pytest.raises(InputError, match=r"'fortnight': use this-month .* last-30-days"):
        check_period("fortnight")


def test_period_option_defaults_to_the_last_30_days_and_lists_the_words():
    from sheetcrm.cli import cli

    runner = CliRunner()
    shown = runner.invoke(cli, ["report", "--help"], terminal_width=200).output
    text = " ".join(shown.split())
    assert "[default: last-30-days]" in text
    for word in ("this-month", "last-month", "last-7-days", "last-90-days", "quarter"):
        assert word in text
    bad = runner.invoke(cli, ["report", "--period", "last-31-days"])
    assert bad.exit_code == 2 and "last-31-days" in bad.output
