"""Calendars people count days in: Gregorian, and Solar Hijri (Jalali) in Iran.

Cells always hold real (Gregorian) dates; the calendar decides how a day is shown, which
month it falls in (Mehr 1404, not October 2025) and how a date typed on the command line
is read. ``[locale] calendar`` chooses it (``Config.calendar``). This is the one place
that knows month names, month arithmetic and native digits; nothing else formats a Jalali
date.

A year from 1200 to 1599 is Jalali whatever the setting (``is_jalali_year``): no CRM has
Gregorian dates from those centuries, and ``1404-07-12`` typed anywhere means Mehr 1404.
"""

from __future__ import annotations

import datetime as dt
import re

import jdatetime

from sheetcrm.model.values import to_ascii_digits

GREGORIAN, JALALI = "gregorian", "jalali"
CALENDARS = (GREGORIAN, JALALI)

#: Jalali month names: English transliterations and Persian (Farvardin … Esfand).
JALALI_MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
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
    ),
    "fa": (
        "فروردین",
        "اردیبهشت",
        "خرداد",
        "تیر",
        "مرداد",
        "شهریور",
        "مهر",
        "آبان",
        "آذر",
        "دی",
        "بهمن",
        "اسفند",
    ),
}

#: Gregorian month names per language (fa and bn as CLDR writes them).
GREGORIAN_MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "fa": (
        "ژانویه",
        "فوریه",
        "مارس",
        "آوریل",
        "مه",
        "ژوئن",
        "ژوئیه",
        "اوت",
        "سپتامبر",
        "اکتبر",
        "نوامبر",
        "دسامبر",
    ),
    "bn": (
        "জানুয়ারি",
        "ফেব্রুয়ারি",
        "মার্চ",
        "এপ্রিল",
        "মে",
        "জুন",
        "জুলাই",
        "আগস্ট",
        "সেপ্টেম্বর",
        "অক্টোবর",
        "নভেম্বর",
        "ডিসেম্বর",
    ),
}

#: The first native digit of a language ("0" for the rest): Persian ۰–۹, Bengali ০–৯.
_ZERO = {"fa": "\u06f0", "bn": "\u09e6"}

_KEY = re.compile(r"^(\d{4})-(\d{2})$")
_TYPED_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_TYPED_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")

#: The forms ``typed_day`` accepts, for messages.
TYPED_DAY_FORMS = "YYYY-MM-DD or YYYY/MM/DD (Gregorian, or Jalali for a year below 1600)"


def _lang(language: str) -> str:
    """``fa`` for ``fa_IR`` (a Babel locale or a bare language)."""
    return language.replace("-", "_").split("_")[0].lower()


def is_jalali_year(year: int) -> bool:
    """True for a year only the Solar Hijri calendar has in a CRM (1200–1599)."""
    return 1200 <= year < 1600


def to_date(year: int, month: int, day: int, calendar: str = GREGORIAN) -> dt.date:
    """The (Gregorian) day ``year-month-day`` names in ``calendar``; ``ValueError`` for a
    day that does not exist (31 Mehr, 30 Esfand 1403)."""
    if calendar == JALALI:
        gregorian: dt.date = jdatetime.date(year, month, day).togregorian()
        return gregorian
    return dt.date(year, month, day)


def parts(day: dt.date, calendar: str = GREGORIAN) -> tuple[int, int, int]:
    """Year, month and day of ``day`` in ``calendar``."""
    if calendar == JALALI:
        j = jdatetime.date.fromgregorian(date=day)
        return j.year, j.month, j.day
    return day.year, day.month, day.day


def month_key(day: dt.date, calendar: str = GREGORIAN) -> str:
    """The month ``day`` falls in, as ``YYYY-MM`` in ``calendar`` (``1404-07``)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    year, month, _ = parts(day, calendar)
    return f"{year:04d}-{month:02d}"


def _split(key: str) -> tuple[int, int]:
    m = _KEY.match(key)
    if not m or not 1 <= int(m[2]) <= 12:
        raise ValueError(f"month {key!r}: expected YYYY-MM")
    return int(m[1]), int(m[2])


def shift_month(key: str, months: int) -> str:
    """The month ``months`` after ``key`` (before, when negative), in the same calendar."""
    year, month = _split(key)
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_keys(last: str, months: int) -> list[str]:
    """``months`` consecutive month keys ending with ``last``, oldest first."""
    return [shift_month(last, n) for n in range(1 - months, 1)]


def month_start(key: str, calendar: str = GREGORIAN) -> dt.date:
    """The first (Gregorian) day of the month ``key`` (``YYYY-MM`` in ``calendar``)."""
    year, month = _split(key)
    return to_date(year, month, 1, calendar)


def month_end(key: str, calendar: str = GREGORIAN) -> dt.date:
    """The first (Gregorian) day after the month ``key``: the month is ``[start, end)``."""
    return month_start(shift_month(key, 1), calendar)


def month_name(month: int, calendar: str = GREGORIAN, language: str = "en") -> str:
    """The name of month number ``month`` (1–12): ``Mehr``, ``مهر``, ``অক্টোবর``."""
    names = JALALI_MONTHS if calendar == JALALI else GREGORIAN_MONTHS
    return names.get(_lang(language), names["en"])[month - 1]


def native_digits(text: str, language: str = "en", digits: str = "latin") -> str:
    """``text`` with its ASCII digits in the language's script when ``digits`` is
    ``native`` (Persian ۰–۹ for fa, Bengali ০–৯ for bn); unchanged otherwise."""
    zero = _ZERO.get(_lang(language)) if digits == "native" else None
    if zero is None:
        return text
    return text.translate({ord("0") + i: chr(ord(zero) + i) for i in range(10)})


def month_label(
    key: str, calendar: str = GREGORIAN, language: str = "en", digits: str = "latin"
) -> str:
    """How the month ``key`` is named for people: ``Mehr 1404``, ``مهر ۱۴۰۴``,
    ``October 2025``, ``অক্টোবর ২০২৫``."""
    year, month = _split(key)
    label = f"{month_name(month, calendar, language)} {year}"
    return native_digits(label, language, digits)


def format_date(
    day: dt.date,
    calendar: str = GREGORIAN,
    language: str = "en",
    digits: str = "latin",
    *,
    long: bool = False,
) -> str:
    """A day as people read it in ``calendar``: ``1404-07-12`` or ``2025-10-04``; ``long``
    names the month (``12 Mehr 1404``, ``۱۲ مهر ۱۴۰۴``, ``৪ অক্টোবর ২০২৫``)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    year, month, number = parts(day, calendar)
    if long:
        text = f"{number} {month_name(month, calendar, language)} {year}"
    else:
        text = f"{year:04d}-{month:02d}-{number:02d}"
    return native_digits(text, language, digits)


def calendar_of(year: int) -> str:
    """The calendar a typed year is in: Jalali below 1600, Gregorian from then on."""
    return JALALI if is_jalali_year(year) else GREGORIAN


def typed_day(text: str) -> dt.date:
    """A day typed on the command line: ``2025-11-20``, ``1404-08-29``, ``۱۴۰۴/۰۸/۲۹``
    (any digits; a year below 1600 is Jalali). ``ValueError`` names the accepted forms."""
    m = _TYPED_DAY.match(to_ascii_digits(text).strip())
    if m:
        year, month, day = (int(g) for g in m.groups())
        try:
            return to_date(year, month, day, calendar_of(year))
        except ValueError:
            pass
    raise ValueError(f"{text!r} is not a day: use {TYPED_DAY_FORMS}")


def typed_month(text: str) -> tuple[str, str] | None:
    """A month typed on the command line (``2025-10``, ``1404-07``, ``۱۴۰۴/۷``) as its
    key and calendar; None when ``text`` is not written as a month."""
    m = _TYPED_MONTH.match(to_ascii_digits(text).strip())
    if not m or not 1 <= int(m[2]) <= 12:
        return None
    year = int(m[1])
    return f"{year:04d}-{int(m[2]):02d}", calendar_of(year)
