"""Date and date-time codecs: ISO, day/month order, Solar Hijri (Jalali), serial numbers.

Digits in any script are folded first (``to_ascii_digits``); a year below 1700 is read as
Solar Hijri and converted, so a Tehran freelancer's ``۱۴۰۳/۰۷/۱۵`` is a real date.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import jdatetime
from dateutil import parser as dateparser

from sheetcrm.model.values import (
    DEFAULT_CONTEXT,
    Codec,
    ValueContext,
    from_serial,
    is_blank,
    to_ascii_digits,
)

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")

_NUMERIC_DATE = re.compile(r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?:[ T](.*))?$")


def _jalali(y: int, m: int, d: int) -> dt.date:
    day: dt.date = jdatetime.date(y, m, d).togregorian()
    return day


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
    name = "date"
    expected = "a date (e.g. 2025-03-31)"

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
            return self._parse_text(text, ctx)
        except (ValueError, OverflowError):
            raise self.fail(raw) from None

    def _parse_text(self, text: str, ctx: ValueContext) -> dt.date | dt.datetime:
        m = _ISO_DATE.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            return _jalali(y, mo, d) if 1200 <= y < 1600 else dt.date(y, mo, d)
        m = _NUMERIC_DATE.match(text)
        if m:
            y, mo, d = _ymd(int(m[1]), int(m[2]), int(m[3]), ctx.date_order)
            day = _jalali(y, mo, d) if 1200 <= y < 1600 else dt.date(y, mo, d)
            if m[4]:
                clock = dateparser.parse(m[4], default=dt.datetime(2000, 1, 1))
                return dt.datetime.combine(day, clock.time())
            return day
        if text.isdigit():
            raise ValueError(text)
        parsed = dateparser.parse(text, dayfirst=ctx.date_order == "DMY")
        return parsed.replace(tzinfo=None) if parsed.tzinfo else parsed

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
