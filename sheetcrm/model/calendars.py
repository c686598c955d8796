"""Calendars people count days in: Gregorian, and Solar Hijri (Jalali) in Iran.

Cells always hold real (Gregorian) dates; the calendar decides how a day is shown, which
month it falls in (Mehr 1404, not October 2025) and how a date typed on the command line
is read. ``[locale] calendar`` chooses it (``Config.calendar``).
"""

from __future__ import annotations

import datetime as dt

import jdatetime

GREGORIAN, JALALI = "gregorian", "jalali"

_JALALI_EN = (
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
)


def month_key(day: dt.date, calendar: str = GREGORIAN) -> str:
    """The month ``day`` falls in, as ``YYYY-MM`` in ``calendar`` (``1404-07``)."""
    if calendar == JALALI:
        j = jdatetime.date.fromgregorian(date=day)
        return f"{j.year:04d}-{j.month:02d}"
    return f"{day.year:04d}-{day.month:02d}"


def month_start(key: str, calendar: str = GREGORIAN) -> dt.date:
    """The first (Gregorian) day of the month ``key`` (``YYYY-MM`` in ``calendar``)."""
    year, month = (int(part) for part in key.split("-"))
    if calendar == JALALI:
        first: dt.date = jdatetime.date(year, month, 1).togregorian()
        return first
    return dt.date(year, month, 1)


def month_label(key: str, calendar: str = GREGORIAN, language: str = "en") -> str:
    """How the month ``key`` is named for people: ``Mehr 1404``, ``October 2025``."""
    year, month = (int(part) for part in key.split("-"))
    if calendar == JALALI:
        return f"{_JALALI_EN[month - 1]} {year}"
    return dt.date(year, month, 1).strftime("%B %Y")


def format_date(
    day: dt.date, calendar: str = GREGORIAN, language: str = "en", digits: str = "latin"
) -> str:
    """A day as people read it in ``calendar``: ``1404-07-12`` or ``2025-10-04``."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if calendar == JALALI:
        j = jdatetime.date.fromgregorian(date=day)
        return f"{j.year:04d}-{j.month:02d}-{j.day:02d}"
    return day.isoformat()
