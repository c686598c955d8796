"""Time windows for KPIs, and the one place period words are defined. A period is
``[start, end)`` in days, in the workbook's time zone, ending at the latest with the as-of
day (a day in that zone, ``CRM.as_of``):

- "this month" (``this-month``): the calendar month to date, its 1st to the as-of day, in
  the workbook's calendar (Jalali for a Persian workbook);
- "last month" (``last-month``): the whole calendar month before;
- "the last 7 / 30 / 90 days" (``last-7-days``, ``last-30-days``, ``last-90-days``):
  rolling windows of that many days ending with the as-of day. The old ``week``, ``month``
  and ``quarter`` are kept as spellings of the last 7, 30 and 91 days (cron jobs type
  them) and labelled with the rolling words;
- a calendar month (``2025-10``, or ``1404-07`` for Mehr 1404) or a range of days
  ``FIRST..LAST``, in either calendar and any digits (a year below 1600 is Jalali;
  ``model.calendars``), cut off at the as-of day.

Every label names the period's exact first and last day ("the last 30 days, 2025-09-16 to
2025-10-15"); ``Period.kind`` lets outputs say the same in the reader's language
(``outputs.i18n.LocalFormat.period``). ``kpis`` documents how every KPI uses them."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import pandas as pd

from sheetcrm.analytics.frames import moment
from sheetcrm.errors import InputError
from sheetcrm.model import calendars

#: The rolling windows ``--period`` names, in days; ``week``, ``month`` and ``quarter``
#: are the old spellings (kept for cron jobs, labelled with the rolling words).
PERIOD_DAYS = {
    "last-7-days": 7,
    "last-30-days": 30,
    "last-90-days": 90,
    "week": 7,
    "month": 30,
    "quarter": 91,
}
THIS_MONTH, LAST_MONTH = "this-month", "last-month"
#: ``Period.kind``: a rolling window of days, this month to date, last month, a calendar
#: month as typed (cut off at the as-of day), or plain days ("").
DAYS, MONTH = "days", "month"
DEFAULT_PERIOD = "last-30-days"
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
    kind: str = ""  # DAYS, THIS_MONTH, LAST_MONTH, MONTH or "" (see the module docstring)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last(self) -> dt.date:
        """The period's last day."""
        return self.end - _DAY

    def previous(self) -> Period:
        """The same number of days just before."""
        start = self.start - dt.timedelta(days=self.days)
        return Period(start, self.start, f"the previous period, {start} to {self.start - _DAY}")

    def contains(self, values: pd.Series) -> pd.Series:
        """Which dates or timestamps fall in the period."""
        when = moment(values)
        return (when >= pd.Timestamp(self.start)) & (when < pd.Timestamp(self.end))


def _day(calendar: str) -> functools.partial[str]:
    return functools.partial(calendars.format_date, calendar=calendar)


def _dates(start: dt.date, last: dt.date, calendar: str) -> str:
    """``2025-09-16 to 2025-10-15`` (one day alone when they are the same)."""
    day = _day(calendar)
    return day(start) if start == last else f"{day(start)} to {day(last)}"


def last_days(
    as_of: dt.date, days: int, label: str = "", calendar: str = calendars.GREGORIAN
) -> Period:
    """The as-of day and the ``days - 1`` days before it: "the last 30 days"."""
    start = as_of - dt.timedelta(days=days - 1)
    words = label or f"the last {days} days, {_dates(start, as_of, calendar)}"
    return Period(start, as_of + _DAY, words, DAYS)


def this_month(as_of: dt.date, calendar: str = calendars.GREGORIAN) -> Period:
    """The calendar month of the as-of day (in ``calendar``), from its 1st to the as-of
    day: "this month" everywhere (the Dashboard, ``--period this-month``)."""
    key = calendars.month_key(as_of, calendar)
    start = calendars.month_start(key, calendar)
    month = calendars.month_label(key, calendar)
    label = f"this month ({month}), {_dates(start, as_of, calendar)}"
    return Period(start, as_of + _DAY, label, THIS_MONTH)


def last_month(as_of: dt.date, calendar: str = calendars.GREGORIAN) -> Period:
    """The whole calendar month before the as-of day's (in ``calendar``)."""
    key = calendars.shift_month(calendars.month_key(as_of, calendar), -1)
    start, end = calendars.month_start(key, calendar), calendars.month_end(key, calendar)
    month = calendars.month_label(key, calendar)
    label = f"last month ({month}), {_dates(start, end - _DAY, calendar)}"
    return Period(start, end, label, LAST_MONTH)


#: What ``--period`` accepts, for messages and ``--help``.
PERIOD_FORMS = (
    "this-month (the calendar month to date), last-month, last-7-days, last-30-days, "
    "last-90-days (ending with the as-of day; week, month, quarter: the last 7, 30, 91 "
    "days), a calendar month (2025-10, or 1404-07 for Mehr 1404) or a range of days "
    "FIRST..LAST (2025-10-01..2025-10-31, 1404-07-01..1404-07-30; a year below 1600 is "
    "Jalali)"
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


def _named(name: str) -> bool:
    return name in PERIOD_DAYS or name in (THIS_MONTH, LAST_MONTH)


def check_period(text: str) -> str:
    """``text`` if it is a period ``parse_period`` reads on some as-of day, else
    ``InputError`` naming it and the accepted forms (the CLI checks before reading)."""
    if not _named(text.strip().lower()):
        _span(text.strip())
    return text


def parse_period(text: str, as_of: dt.date, calendar: str = calendars.GREGORIAN) -> Period:
    """A period as typed (the module docstring's words, a calendar month such as
    ``2025-10`` or ``1404-07``, or a range ``FIRST..LAST`` in either calendar and any
    digits), cut off at the as-of day. ``calendar`` is the workbook's: the calendar of
    "this month" and "last month", and how the label shows days."""
    text = text.strip()
    name = text.lower()
    day = _day(calendar)
    if name in PERIOD_DAYS:
        return last_days(as_of, PERIOD_DAYS[name], calendar=calendar)
    if name == THIS_MONTH:
        return this_month(as_of, calendar)
    if name == LAST_MONTH:
        return last_month(as_of, calendar)
    start, end, month_calendar = _span(text)
    if start > as_of:
        raise InputError(f"period {text!r} starts after the as-of date {day(as_of)}")
    last = min(end, as_of + _DAY) - _DAY
    dates = _dates(start, last, calendar)
    if month_calendar:  # "Mehr 1404, 1404-07-01 to 1404-07-30" (to the as-of day if running)
        month = calendars.month_label(calendars.month_key(start, month_calendar), month_calendar)
        return Period(start, last + _DAY, f"{month}, {dates}", MONTH)
    return Period(start, last + _DAY, dates)
