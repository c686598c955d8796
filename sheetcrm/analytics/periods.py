"""Time windows for KPIs: a period is ``[start, end)`` in days, in the workbook's time
zone; "week", "month" and "quarter" are the last 7, 30 and 91 days ending with the as-of
day (a day in that zone, ``CRM.as_of``). A calendar month (``2025-10``, or ``1404-07`` for
Mehr 1404) or a range of days can be typed too, in either calendar and any digits (a year
below 1600 is Jalali; ``model.calendars``). ``kpis`` documents how every KPI uses them."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import pandas as pd

from sheetcrm.analytics.frames import moment
from sheetcrm.errors import InputError
from sheetcrm.model import calendars

PERIOD_DAYS = {"week": 7, "month": 30, "quarter": 91}
_DAY = dt.timedelta(days=1)


def end_of(as_of: dt.date) -> pd.Timestamp:
    """The first moment after the as-of day: nothing at or after it counts."""
    return pd.Timestamp(as_of + _DAY)


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in days; ``end`` is the first day after the period."""

    start: dt.date
    end: dt.date
    label: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last(self) -> dt.date:
        """The period's last day."""
        return self.end - _DAY

    def previous(self) -> Period:
        """The same number of days just before."""
        return Period(self.start - dt.timedelta(days=self.days), self.start, "previous period")

    def contains(self, values: pd.Series) -> pd.Series:
        """Which dates or timestamps fall in the period."""
        when = moment(values)
        return (when >= pd.Timestamp(self.start)) & (when < pd.Timestamp(self.end))


def last_days(as_of: dt.date, days: int, label: str = "") -> Period:
    """The as-of day and the ``days - 1`` days before it."""
    return Period(as_of - dt.timedelta(days=days - 1), as_of + _DAY, label)


def this_month(as_of: dt.date, calendar: str = calendars.GREGORIAN) -> Period:
    """The calendar month of the as-of day (in ``calendar``), from its 1st to the as-of
    day: "this month" everywhere (the Dashboard, ``--period this-month``)."""
    key = calendars.month_key(as_of, calendar)
    return Period(calendars.month_start(key, calendar), as_of + _DAY, "this month")


def last_month(as_of: dt.date, calendar: str = calendars.GREGORIAN) -> Period:
    """The whole calendar month before the as-of day's (in ``calendar``)."""
    key = calendars.shift_month(calendars.month_key(as_of, calendar), -1)
    start, end = calendars.month_start(key, calendar), calendars.month_end(key, calendar)
    return Period(start, end, "last month")


#: What ``--period`` accepts, for messages.
PERIOD_FORMS = (
    "week, month, quarter (ending with the as-of day), a calendar month (2025-10, or "
    "1404-07 for Mehr 1404) or a range of days FIRST..LAST (2025-10-01..2025-10-31, "
    "1404-07-01..1404-07-30; a year below 1600 is Jalali)"
)


def _span(text: str) -> tuple[dt.date, dt.date, str]:
    """The first day, the day after the last and the calendar ("" for days) of a month
    or a range of days as typed (any digits, - or /); ``InputError`` when it is neither."""
    month = calendars.typed_month(text)
    if month is not None:
        key, calendar = month
        return calendars.month_start(key, calendar), calendars.month_end(key, calendar), calendar
    first, dots, last = text.partition("..")
    try:
        if dots:
            start, end = calendars.typed_day(first), calendars.typed_day(last)
        else:
            start = end = calendars.typed_day(text)
    except ValueError:
        raise InputError(f"period {text!r}: use {PERIOD_FORMS}") from None
    if end < start:
        raise InputError(f"period {text!r} ends before it starts")
    return start, end + _DAY, ""


def check_period(text: str) -> str:
    """``text`` if it is a period ``parse_period`` reads on some as-of day, else
    ``InputError`` naming it and the accepted forms (the CLI checks before reading)."""
    if text.strip().lower() not in PERIOD_DAYS:
        _span(text.strip())
    return text


def parse_period(text: str, as_of: dt.date, calendar: str = calendars.GREGORIAN) -> Period:
    """week / month / quarter (ending with the as-of day), a calendar month (``2025-10``,
    ``1404-07``) or a range ``FIRST..LAST`` (days in either calendar, any digits), cut
    off at the as-of day. ``calendar`` is the workbook's: how the label shows days."""
    text = text.strip()
    name = text.lower()
    day = functools.partial(calendars.format_date, calendar=calendar)
    if name in PERIOD_DAYS:
        return last_days(as_of, PERIOD_DAYS[name], f"the {name} to {day(as_of)}")
    start, end, month_calendar = _span(text)
    if start > as_of:
        raise InputError(f"period {text!r} starts after the as-of date {day(as_of)}")
    last = min(end, as_of + _DAY) - _DAY
    if month_calendar:  # "Mehr 1404", or "Mehr 1404 to 1404-07-15" while it is running
        label = calendars.month_label(calendars.month_key(start, month_calendar), month_calendar)
        label += f" to {day(last)}" if last + _DAY < end else ""
    else:
        label = day(start) if last == start else f"{day(start)} to {day(last)}"
    return Period(start, last + _DAY, label)
