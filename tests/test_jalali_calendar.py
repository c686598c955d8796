"""The Jalali calendar where it matters: days and months in ``model.calendars``, the
monthly trend's buckets (Mehr 1404, not October 2025) and typed periods."""

from __future__ import annotations

import datetime as dt

import click
import jdatetime
import pandas as pd
import pytest
from click.testing import CliRunner

from sheetcrm.analytics import kpis
from sheetcrm.analytics.periods import Period, check_period, parse_period
from sheetcrm.cli.options import period_option
from sheetcrm.errors import InputError
from sheetcrm.model import calendars
from sheetcrm.model.calendars import GREGORIAN, JALALI

#: Nowruz (1 Farvardin) as the Iranian calendar authority announced it.
NOWRUZ = {1403: dt.date(2024, 3, 20), 1404: dt.date(2025, 3, 21), 1405: dt.date(2026, 3, 21)}


def _jalali_days(first: int, last: int):
    for year in range(first, last + 1):
        for month in range(1, 13):
            length = 31 if month <= 6 else 30 if month <= 11 else 29
            if month == 12 and jdatetime.date(year, 1, 1).isleap():
                length = 30
            for day in range(1, length + 1):
                yield year, month, day


def test_every_day_of_1403_to_1405_round_trips_and_follows_the_last():
    days = list(_jalali_days(1403, 1405))
    gregorian = [calendars.to_date(y, m, d, JALALI) for y, m, d in days]
    assert gregorian[0] == NOWRUZ[1403] and len(days) == 366 + 365 + 365  # 1403 is leap
    for (y, m, d), day, after in zip(days, gregorian, [*gregorian[1:], None], strict=True):
        assert calendars.parts(day, JALALI) == (y, m, d)
        j = jdatetime.date.fromgregorian(date=day)
        assert (j.year, j.month, j.day) == (y, m, d)
        assert calendars.month_key(day, JALALI) == f"{y:04d}-{m:02d}"
        assert calendars.format_date(day, JALALI) == f"{y:04d}-{m:02d}-{d:02d}"
        assert calendars.typed_day(f"{y}/{m}/{d}") == day
        if after is not None:
            assert after - day == dt.timedelta(days=1)
    for year, nowruz in NOWRUZ.items():
        assert calendars.month_start(f"{year}-01", JALALI) == nowruz


def test_a_day_that_does_not_exist_is_refused():
    for y, m, d in ((1404, 7, 31), (1404, 12, 30), (1404, 13, 1), (1404, 0, 1)):
        with pytest.raises(ValueError):
            calendars.to_date(y, m, d, JALALI)
    assert calendars.to_date(1403, 12, 30, JALALI) == dt.date(2025, 3, 20)


def test_month_arithmetic_and_ranges():
    assert calendars.shift_month("1404-12", 1) == "1405-01"
    assert calendars.shift_month("1404-01", -1) == "1403-12"
    assert calendars.month_keys("2025-02", 3) == ["2024-12", "2025-01", "2025-02"]
    assert calendars.month_start("1404-07", JALALI) == dt.date(2025, 9, 23)
    assert calendars.month_end("1404-07", JALALI) == dt.date(2025, 10, 23)  # 30 days
    assert calendars.month_end("1403-12", JALALI) == NOWRUZ[1404]
    assert calendars.month_end("2025-12") == dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("key", "calendar", "language", "digits", "label"),
    [
        ("1404-07", JALALI, "en", "latin", "Mehr 1404"),
        ("1404-07", JALALI, "fa", "latin", "مهر 1404"),
        ("1404-07", JALALI, "fa_IR", "native", "مهر ۱۴۰۴"),
        ("1404-01", JALALI, "fa", "native", "فروردین ۱۴۰۴"),
        ("1404-12", JALALI, "en", "native", "Esfand 1404"),  # en has no native digits
        ("2025-10", GREGORIAN, "en", "latin", "October 2025"),
        ("2025-10", GREGORIAN, "fa", "native", "اکتبر ۲۰۲۵"),
        ("2025-10", GREGORIAN, "bn", "native", "অক্টোবর ২০২৫"),
        ("2025-01", GREGORIAN, "bn_BD", "latin", "জানুয়ারি 2025"),
    ],
)
def test_month_labels(key, calendar, language, digits, label):
    assert calendars.month_label(key, calendar, language, digits) == label


def test_shown_dates():
    day = dt.date(2025, 10, 4)
    assert calendars.format_date(day) == "2025-10-04"
    assert calendars.format_date(day, JALALI) == "1404-07-12"
    assert calendars.format_date(day, JALALI, "fa", "native") == "۱۴۰۴-۰۷-۱۲"
    assert calendars.format_date(day, JALALI, "fa", "native", long=True) == "۱۲ مهر ۱۴۰۴"
    assert calendars.format_date(day, JALALI, "en", long=True) == "12 Mehr 1404"
    assert calendars.format_date(day, GREGORIAN, "bn", "native", long=True) == "৪ অক্টোবর ২০২৫"
    assert calendars.format_date(day, GREGORIAN, "bn", "native") == "২০২৫-১০-০৪"
    assert calendars.format_date(dt.datetime(2025, 10, 4, 23, 59), JALALI) == "1404-07-12"


@pytest.mark.parametrize(
    "typed", ["1404-08-29", "۱۴۰۴-۰۸-۲۹", "۱۴۰۴/۰۸/۲۹", "1404/8/29", "2025-11-20", "২০২৫-১১-২০"]
)
def test_typed_days_are_jalali_below_1600(typed):
    assert calendars.typed_day(typed) == dt.date(2025, 11, 20)


@pytest.mark.parametrize("typed", ["1404-08-31", "1404-13-01", "20-11-2025", "tomorrow", ""])
def test_a_typed_day_that_is_not_one_names_the_forms(typed):
    with pytest.raises(ValueError, match=r"is not a day: use YYYY-MM-DD or YYYY/MM/DD"):
        calendars.typed_day(typed)


# -- month buckets -----------------------------------------------------------------------

SALES = ["type", "date", "amount", "customer_id", "product", "quantity"]


def _sales(*rows: tuple[str, dt.datetime, float]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [(kind, when, amount, "C1", "Tea", 1) for kind, when, amount in rows], columns=SALES
    )
    return kpis.sales({"Interactions": frame}, AS_OF)


AS_OF = dt.date(2025, 11, 20)  # 29 Aban 1404
NO_LEADS = pd.DataFrame({"contact_date": []})


def test_a_sale_on_1_mehr_is_in_mehr_and_the_day_before_in_shahrivar():
    sales = _sales(
        ("purchase", dt.datetime(2025, 9, 22, 23, 59), 10.0),  # 31 Shahrivar 1404
        ("purchase", dt.datetime(2025, 9, 23, 0, 0), 100.0),  # 1 Mehr 1404
        ("return", dt.datetime(2025, 10, 22, 12, 0), 40.0),  # 30 Mehr 1404
        ("purchase", dt.datetime(2025, 10, 23, 9, 0), 1000.0),  # 1 Aban 1404
    )
    trend = kpis.monthly(sales, NO_LEADS, AS_OF, 4, calendar=JALALI)
    assert list(trend.index) == ["1404-05", "1404-06", "1404-07", "1404-08"]
    assert trend.loc["1404-06", "revenue"] == 10.0
    assert trend.loc["1404-07", ["revenue", "orders", "returns"]].tolist() == [60.0, 1, 40.0]
    assert trend.loc["1404-08", "revenue"] == 1000.0
    assert trend.loc["1404-05", "aov"] is None
    gregorian = kpis.monthly(sales, NO_LEADS, AS_OF, 3)
    assert list(gregorian.index) == ["2025-09", "2025-10", "2025-11"]
    assert gregorian["revenue"].tolist() == [110.0, 960.0, 0.0]
    assert gregorian.loc["2025-10", "orders"] == 1


def test_leads_are_bucketed_in_the_same_calendar():
    leads = pd.DataFrame(
        {"contact_date": [dt.date(2025, 9, 23), dt.date(2025, 9, 22), None, dt.date(2025, 11, 21)]}
    )
    trend = kpis.monthly(_sales(), leads, AS_OF, 2, calendar=JALALI)
    assert trend["leads"].to_dict() == {"1404-07": 1, "1404-08": 0}
    trend = kpis.monthly(_sales(), leads, AS_OF, 3, calendar=JALALI)
    assert trend["leads"].tolist() == [1, 1, 0]  # the day after the as-of day counts nowhere


def test_month_index_ends_with_the_as_of_month_in_its_calendar():
    assert list(kpis.month_index(dt.date(2025, 3, 21), 2, JALALI)) == ["1403-12", "1404-01"]
    assert list(kpis.month_index(dt.date(2025, 3, 20), 1, JALALI)) == ["1403-12"]
    assert list(kpis.month_index(dt.date(2025, 1, 5), 2)) == ["2024-12", "2025-01"]
    assert all(isinstance(key, str) for key in kpis.month_index(AS_OF))


# -- typed periods -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "start", "end", "label"),
    [
        (
            "1404-07",
            dt.date(2025, 9, 23),
            dt.date(2025, 10, 23),
            "Mehr 1404, 1404-07-01 to 1404-07-30",
        ),
        (
            "۱۴۰۴-۰۷",
            dt.date(2025, 9, 23),
            dt.date(2025, 10, 23),
            "Mehr 1404, 1404-07-01 to 1404-07-30",
        ),
        (
            "۱۴۰۴/۰۸",
            dt.date(2025, 10, 23),
            dt.date(2025, 11, 21),
            "Aban 1404, 1404-08-01 to 1404-08-29",
        ),
        (
            "2025-10",
            dt.date(2025, 10, 1),
            dt.date(2025, 11, 1),
            "October 2025, 1404-07-09 to 1404-08-09",
        ),
        ("1404-07-01..1404-07-30", dt.date(2025, 9, 23), dt.date(2025, 10, 23), None),
        ("۱۴۰۴/۰۷/۰۱..۱۴۰۴/۰۷/۳۰", dt.date(2025, 9, 23), dt.date(2025, 10, 23), None),
        ("2025-10-01..1404-07-30", dt.date(2025, 10, 1), dt.date(2025, 10, 23), None),
        ("2025-11-01..2025-12-31", dt.date(2025, 11, 1), dt.date(2025, 11, 21), None),
        ("1404-08-29", dt.date(2025, 11, 20), dt.date(2025, 11, 21), "1404-08-29"),
    ],
)
def test_typed_periods_in_either_calendar(typed, start, end, label):
    period = parse_period(typed, AS_OF, JALALI)
    assert (period.start, period.end) == (start, end)
    if label is not None:
        assert period.label == label
    assert check_period(typed) == typed


def test_period_labels_show_days_in_the_workbook_calendar():
    assert (
        parse_period("month", AS_OF, JALALI).label == "the last 30 days, 1404-07-30 to 1404-08-29"
    )
    assert parse_period("month", AS_OF).label == "the last 30 days, 2025-10-22 to 2025-11-20"
    assert parse_period("1404-07-01..1404-07-30", AS_OF).label == "2025-09-23 to 2025-10-22"
    assert parse_period("week", AS_OF, JALALI) == Period(
        dt.date(2025, 11, 14),
        dt.date(2025, 11, 21),
        "the last 7 days, 1404-08-23 to 1404-08-29",
        "days",
    )


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("1404-13", r"use this-month .*, last-month, last-7-days"),
        (
            "1404-07-31..1404-08-05",
            r"use this-month .*, last-month, last-7-days",
        ),  # Mehr has 30 days
        ("fortnight", r"use this-month .*, last-month, last-7-days"),
        ("1404-07-30..1404-07-01", "ends before it starts"),
    ],
)
def test_a_period_that_is_not_one_is_refused_naming_it(typed, why):
    with pytest.raises(InputError, match=why) as caught:
        check_period(typed)
    assert repr(typed) in str(caught.value)
    with pytest.raises(InputError, match=why):
        parse_period(typed, AS_OF)


def test_a_period_after_the_as_of_day_is_refused():
    with pytest.raises(InputError, match="starts after the as-of date 1404-08-29"):
        parse_period("1404-09", AS_OF, JALALI)
    assert check_period("1404-09") == "1404-09"  # a fine period on a later as-of day


def test_the_period_option_checks_before_anything_is_read():
    """``options.period_option``: the text as typed reaches the command; a bad one is exit 2
    with one line naming it and the accepted forms."""

    @click.command()
    @period_option()
    def show(period: str) -> None:
        click.echo(f"period={period}")

    runner = CliRunner()
    assert runner.invoke(show, ["--period", "۱۴۰۴-۰۷"]).output == "period=۱۴۰۴-۰۷\n"
    assert runner.invoke(show, []).output == "period=last-30-days\n"
    bad = runner.invoke(show, ["--period", "1404-13"])
    assert bad.exit_code == 2
    [line] = bad.output.splitlines()
    assert line.startswith("sheetcrm: error: Invalid value for '--period': period '1404-13'")
    assert "1404-07 for Mehr 1404" in line
