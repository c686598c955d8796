"""Date and date-time codecs: ISO, day/month order, Solar Hijri (Jalali), month names,
serial numbers.

Digits in any script are folded first (``to_ascii_digits``); a year from 1200 to 1599 is
read as Solar Hijri and converted (``calendars.is_jalali_year``), so a Tehran freelancer's
``۱۴۰۳/۰۷/۱۵`` is a real date. Month and weekday names and time-of-day markers in Persian
and Bengali (``۲۰ مهر ۱۴۰۴``, ``১৫ সেপ্টেম্বর, ২০২৫``, ``3:15:20 ب.ظ.``) are translated by
``model.datewords`` into the English ``dateutil`` reads; a Jalali month is read in the
Jalali calendar, and a weekday that disagrees with the date is refused.

Parsing is a pure function of the text and the configuration, never of the day it runs:
a date that is partial ("5 Mar", "۵ مهر", "March") or relative ("yesterday", "Friday") is
refused, unless the field reads such dates against the fixed ``[dates] reference`` day
(``DateCodec(partial=True)``; see ``model.reldates`` for the rules). A partial date naming
a Jalali month takes the reference day's Jalali year; in a Jalali workbook
(``[locale] calendar = "jalali"``) so does a month/day typed in digits (``۷/۵``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from dateutil import parser as dateparser

from sheetcrm.model import calendars
from sheetcrm.model.datewords import english
from sheetcrm.model.reldates import FULL_DATE, NotADay, check_weekday, partial_hint, relative
from sheetcrm.model.values import (
    DEFAULT_CONTEXT,
    Codec,
    ValueContext,
    from_serial,
    is_blank,
    to_ascii_digits,
)

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")

#: A numeric date, and after a space, a T or a comma (CLDR's fa "2025/10/4، 15:15") a time.
_NUMERIC_DATE = re.compile(
    r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?:(?:\s*,\s*|\s+|T)(\S.*))?$"
)


def numeric_parts(text: str) -> tuple[int, int, int] | None:
    """The three numbers of a numeric date as typed, in any script (``09/21/25`` → 9, 21,
    25; ``۱۴۰۳/۰۷/۱۵`` → 1403, 7, 15; a time after it is left out), or None for text the
    day/month order does not touch (``2025-09-03``, ``Sep 03, 2025``, ``۲۰ مهر ۱۴۰۴``)."""
    m = _NUMERIC_DATE.match(text if text.isascii() else to_ascii_digits(text))
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


#: Month and day without a year (``7/5``): read in the Jalali calendar when it is chosen.
_MONTH_DAY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})\s*$")


class _FixedCentury(dateparser.parserinfo):
    """Two-digit years on a fixed pivot (00–69 → 2000s, 70–99 → 1900s), as numeric dates
    are read; dateutil's own pivot moves with the current year."""

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        if year < 100 and not century_specified:
            return year + (2000 if year < 70 else 1900)
        return year


_INFO = _FixedCentury()

#: Two defaults that differ in year, month and day (both leap years, so "29 Feb" parses):
#: whatever dateutil fills in from the default differs between the two parses.
_DEFAULTS = (dt.datetime(2000, 1, 1), dt.datetime(2004, 2, 2))


_ONE_CALENDAR = "a date whose month and year are in one calendar (September 2025, Mehr 1404)"


def _day(y: int, m: int, d: int) -> dt.date:
    """The day y-m-d names: Solar Hijri for a year only that calendar has."""
    if calendars.is_jalali_year(y):
        return calendars.to_date(y, m, d, calendars.JALALI)
    return dt.date(y, m, d)


@functools.lru_cache(maxsize=4096)  # an export repeats its days; dateutil costs ~40 µs
def _read_words(text: str, dayfirst: bool) -> tuple[dt.datetime, tuple[str, ...]]:
    """The date dateutil reads in ``text``, and the parts (day, month, year) the text leaves
    out: it is parsed against two different defaults, so a part filled in from a default
    shows as a difference instead of passing silently."""
    first, second = (dateparser.parse(text, _INFO, default=d, dayfirst=dayfirst) for d in _DEFAULTS)
    missing = tuple(
        part
        for part, a, b in (
            ("day", first.day, second.day),
            ("month", first.month, second.month),
            ("year", first.year, second.year),
        )
        if a != b
    )
    return first.replace(tzinfo=None), missing


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?$", re.IGNORECASE)


def _clock(text: str) -> dt.time:
    """The time after a numeric date ("15:15:20", "3:15:20 ب.ظ.", "৩:১৫ PM"): hours and
    minutes read directly (a form export has thousands), anything else by dateutil."""
    words = english(text).text
    m = _CLOCK.match(words)
    if m:
        hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
        if not m[4]:
            return dt.time(hour, minute, second)
        if 1 <= hour <= 12:
            return dt.time(hour % 12 + (12 if m[4].upper() == "PM" else 0), minute, second)
    return dateparser.parse(words, _INFO, default=_DEFAULTS[0]).time()


def _listed(parts: tuple[str, ...]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _ymd(a: int, b: int, c: int, order: str) -> tuple[int, int, int]:
    """Order three numeric date parts (a/b/c as typed) into year, month, day."""
    if a > 31:  # 2025/03/04 or 1403/01/15 — year first whatever the locale
        return a, b, c
    if c < 100:
        c += 2000 if c < 70 else 1900
    if order == "MDY" or (order != "MDY" and b > 12 and a <= 12):
        return c, a, b
    return c, b, a


class DateCodec(Codec):
    """A calendar day; ``partial=True`` reads partial and relative dates against
    ``ValueContext.date_reference`` instead of refusing them (``[dates] partial``)."""

    name = "date"
    expected = "a date (e.g. 2025-03-31)"

    def __init__(self, *, partial: bool = False, field_key: str = "") -> None:
        self.partial = partial
        self.field_key = field_key  # "Leads.contact_date": what to list in [dates] partial

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> dt.date | None:
        value = self._parse_datetime(raw, ctx)
        return value.date() if isinstance(value, dt.datetime) else value

    def _parse_datetime(self, raw: Any, ctx: ValueContext) -> dt.date | dt.datetime | None:
        if is_blank(raw):
            return None
        if isinstance(raw, dt.datetime):
            return raw.replace(tzinfo=None)
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, bool):
            raise self.fail(raw)
        if isinstance(raw, (int, float)):
            if 0 < raw < 2958466:  # serial numbers up to 9999-12-31
                return from_serial(raw)
            raise self.fail(raw)
        text = to_ascii_digits(str(raw)).strip()
        try:
            return self._parse_text(text, raw, ctx)
        except NotADay as exc:
            raise self.fail(raw, str(exc)) from None
        except (ValueError, OverflowError):
            raise self.fail(raw) from None

    def _parse_text(self, text: str, raw: Any, ctx: ValueContext) -> dt.date | dt.datetime:
        m = _ISO_DATE.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            return _day(y, mo, d)
        m = _NUMERIC_DATE.match(text)
        if m:
            day = _day(*_ymd(int(m[1]), int(m[2]), int(m[3]), ctx.date_order))
            if m[4]:  # "3:15:20 ب.ظ.", "৩:১৫:২০ অপরাহ্ণ" as Google Forms write them
                return dt.datetime.combine(day, _clock(m[4]))
            return day
        m = _MONTH_DAY.match(text)
        if m and ctx.calendar == calendars.JALALI:
            return self._jalali_month_day(int(m[1]), int(m[2]), raw, ctx)
        if text.isdigit():
            raise ValueError(text)
        rel = relative(text)
        if rel is None:  # "دیروز ساعت ۳ بعد از ظهر", "শুক্রবার বিকাল ৩:১৫": the time in words
            words = english(text)
            rel = relative(words.text) if words.jalali_month is None else None
        if rel is not None:
            named = rel.day(self._reference(raw, rel.why, ctx))
            return dt.datetime.combine(named, rel.clock) if rel.clock else named
        return self._parse_words(text, raw, ctx)

    def _parse_words(self, text: str, raw: Any, ctx: ValueContext) -> dt.date | dt.datetime:
        """'24 September 2025', 'Sep 24, 2025 3:15 PM', '۲۰ مهر ۱۴۰۴', '১৫ সেপ্টেম্বর,
        ২০২৫'; a partial one completed from the reference day, or refused."""
        words = english(text)
        first, missing = _read_words(words.text, ctx.date_order == "DMY")
        if words.jalali_month is not None:
            return self._jalali_words(words.text, first, words.jalali_month, missing, raw, ctx)
        if calendars.is_jalali_year(first.year) and "year" not in missing:
            if words.month_named:  # "24 September 1404"
                raise NotADay(_ONE_CALENDAR)
            # "شنبه ۱۴۰۴/۰۷/۱۹": the numbers of a Jalali date
            day = calendars.to_date(first.year, first.month, first.day, calendars.JALALI)
            check_weekday(words.text, day)
            return dt.datetime.combine(day, first.time())
        if not missing:
            check_weekday(words.text, first)
            return first
        if "month" in missing:  # "1st", "14:30": nothing a reference day could complete
            raise NotADay(f"{FULL_DATE}: it has no {_listed(missing)}")
        ref = self._reference(raw, f"it has no {_listed(missing)}", ctx)
        # A missing year is the reference's; a missing day the 1st, as spreadsheets read
        # "Mar 2025".
        try:
            completed = first.replace(
                year=ref.year if "year" in missing else first.year,
                day=1 if "day" in missing else first.day,
            )
        except ValueError:  # "29 Feb" against a reference in a common year
            raise NotADay(f"a day that exists ({ref.year} has no {text})") from None
        if "day" not in missing:
            check_weekday(words.text, completed)
        return completed

    def _jalali_words(
        self,
        text: str,
        first: dt.datetime,
        month: int,
        missing: tuple[str, ...],
        raw: Any,
        ctx: ValueContext,
    ) -> dt.datetime:
        """A date naming a Jalali month ('۲۰ مهر ۱۴۰۴', 'شنبه ۲۰ مهرماه ۱۴۰۴ ۱۵:۳۰'):
        dateutil read it with January standing in; the year is Jalali, or the Jalali year
        of the reference day when the text has none ('۵ مهر')."""
        if "year" in missing:
            ref = self._reference(raw, f"it has no {_listed(missing)}", ctx)
            year = calendars.parts(ref, calendars.JALALI)[0]
        elif calendars.is_jalali_year(first.year):
            year = first.year
        else:
            raise NotADay(_ONE_CALENDAR)
        number = 1 if "day" in missing else first.day
        try:
            day = calendars.to_date(year, month, number, calendars.JALALI)
        except ValueError:
            name = calendars.month_name(month, calendars.JALALI)
            raise NotADay(f"a day that exists ({name} {year} has no day {number})") from None
        if "day" not in missing:
            check_weekday(text, day)
        return dt.datetime.combine(day, first.time())

    def _jalali_month_day(self, a: int, b: int, raw: Any, ctx: ValueContext) -> dt.date:
        """'7/5' in a Jalali workbook: 5 Mehr of the reference day's Jalali year (day
        first when ``[locale] date_order`` is DMY and neither part is above 12)."""
        month, number = (b, a) if (ctx.date_order == "DMY" and b <= 12) or a > 12 else (a, b)
        ref = self._reference(raw, "it has no year", ctx)
        year = calendars.parts(ref, calendars.JALALI)[0]
        try:
            return calendars.to_date(year, month, number, calendars.JALALI)
        except ValueError:
            raise NotADay(f"a day that exists (Jalali {year} has no {month}/{number})") from None

    def _reference(self, raw: Any, why: str, ctx: ValueContext) -> dt.date:
        """The day partial and relative dates are read against, or the refusal."""
        if not self.partial:
            raise NotADay(f"{FULL_DATE}: {why}; {partial_hint(self.field_key)}")
        if ctx.date_reference is None:
            raise NotADay(f"{FULL_DATE}: {why}, and [dates] reference is not set")
        return ctx.date_reference

    def format(self, value: Any) -> str:
        if is_blank(value):
            return ""
        if isinstance(value, dt.datetime):
            value = value.date()
        return value.isoformat() if isinstance(value, dt.date) else str(value)


class DateTimeCodec(DateCodec):
    name = "datetime"
    expected = "a date and time (e.g. 2025-03-31 14:30)"

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> dt.datetime | None:
        value = self._parse_datetime(raw, ctx)
        if value is None or isinstance(value, dt.datetime):
            return value
        return dt.datetime(value.year, value.month, value.day)

    def format(self, value: Any) -> str:
        if is_blank(value):
            return ""
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M" if not value.second else "%Y-%m-%d %H:%M:%S")
        return DateCodec.format(self, value)
