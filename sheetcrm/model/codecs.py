"""Value codecs: turn what people type into typed values, and typed values back into text.

One codec per field type. Every parser accepts Persian (۰–۹), Arabic-Indic (٠–٩) and
Bengali (০–৯) digits with their separators, and raises ``ValueParseError`` naming what was
expected; callers add the tab, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import email_validator
import jdatetime
import phonenumbers
from dateutil import parser as dateparser

from sheetcrm.errors import ValueParseError
from sheetcrm.model.values import (
    DEFAULT_CONTEXT,
    ValueContext,
    from_serial,
    is_blank,
    normalize_token,
    to_ascii_digits,
)


class Codec:
    """Parses raw cell or file input into one Python type and formats it for display."""

    name = "text"
    expected = "text"

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> Any:
        """Return the typed value, ``None`` for blank, or raise ``ValueParseError``."""
        raise NotImplementedError

    def format(self, value: Any) -> str:
        """Return the display text of a typed value ('' for None)."""
        return "" if is_blank(value) else str(value)

    def fail(self, raw: Any, expected: str | None = None) -> ValueParseError:
        return ValueParseError(expected or self.expected, raw)


class TextCodec(Codec):
    name = "text"
    expected = "text"

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> str | None:
        if is_blank(raw):
            return None
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, dt.datetime):
            return raw.isoformat(sep=" ")
        if isinstance(raw, dt.date):
            return raw.isoformat()
        return str(raw).strip()


class IdCodec(TextCodec):
    name = "id"
    expected = "an ID (letters, digits, '-', '_' or '.')"
    _ok = re.compile(r"^[\w.\-/#]+$")
    _canonical = re.compile(r"[A-Za-z0-9_.\-/#]+")  # ASCII only: nothing left to normalise

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> str | None:
        if isinstance(raw, str) and self._canonical.fullmatch(raw):
            return raw
        text = super().parse(raw, ctx)
        if text is None:
            return None
        text = to_ascii_digits(text).strip()
        if not self._ok.match(text):
            raise self.fail(raw)
        return text


class EmailCodec(Codec):
    name = "email"
    expected = "a valid e-mail address"

    # The form ``parse`` returns for plain ASCII addresses. Reading back what sheetcrm wrote
    # is most of the e-mail parsing on a large tab, and the validator costs ~20 µs a call.
    _canonical = re.compile(
        r"[a-z0-9_%+\-]+(?:\.[a-z0-9_%+\-]+)*@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+"
        r"([a-z]{2,63})"
    )

    def _is_canonical(self, text: str) -> bool:
        m = self._canonical.fullmatch(text)
        return bool(
            m
            and len(text) <= 254
            and text.index("@") <= 64
            and "xn--" not in text  # the validator turns IDNA labels into Unicode
            and m.group(1) not in email_validator.SPECIAL_USE_DOMAIN_NAMES
        )

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> str | None:
        if isinstance(raw, str) and self._is_canonical(raw):
            return raw
        if is_blank(raw):
            return None
        text = to_ascii_digits(str(raw)).strip().strip("<>").strip()
        if text.lower().startswith("mailto:"):
            text = text[7:]
        try:
            info = email_validator.validate_email(
                text, check_deliverability=False, allow_smtputf8=True
            )
        except email_validator.EmailNotValidError as exc:
            raise self.fail(raw, f"a valid e-mail address ({exc})") from None
        # Lower-case the whole address: CRMs match people by e-mail, and mailbox
        # providers treat the local part case-insensitively in practice.
        return info.normalized.lower()


class PhoneCodec(Codec):
    name = "phone"
    expected = "a phone number"

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> str | None:
        if is_blank(raw):
            return None
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = to_ascii_digits(str(raw)).strip()
        if text.startswith("00"):
            text = "+" + text[2:]
        region = None if text.startswith("+") else ctx.region
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException as exc:
            raise self.fail(raw, f"a phone number ({exc._msg})") from None
        if not phonenumbers.is_valid_number(number):
            where = f" for region {ctx.region}" if region else ""
            raise self.fail(raw, f"a valid phone number{where} (wrong length or prefix)")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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


_CURRENCY_WORDS = re.compile(
    r"(?i)\b(?:usd|eur|gbp|inr|bdt|irr|irt|aed|tk|rs|toman|tomans|rial|rials)\b\.?"
    r"|تومان|ریال|টাকা|৳|﷼|[$€£₹¥₺₽]"
)


def _parse_decimal(text: str) -> Decimal:
    """Parse a number typed with any common grouping and decimal convention."""
    s = to_ascii_digits(text).strip()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    s = s.replace(" ", "").replace("'", "").replace("_", "")
    if s.endswith("-"):
        negative, s = not negative, s[:-1]
    if s.startswith(("-", "+")):
        negative, s = (s[0] == "-") != negative, s[1:]
    if not s or not re.fullmatch(r"[\d.,]+(?:[eE][+-]?\d+)?", s):
        raise ValueError(text)
    if "," in s and "." in s:
        decimal_mark = "." if s.rfind(".") > s.rfind(",") else ","
    elif s.count(",") == 1 and not re.fullmatch(r"\d{1,3},\d{3}", s):
        decimal_mark = ","  # 12,5 — decimal comma
    elif s.count(".") > 1:
        decimal_mark = ","  # 1.234.567 — dots group thousands
    else:
        decimal_mark = "."
    group_mark = "," if decimal_mark == "." else "."
    whole, _, frac = s.partition(decimal_mark)
    if group_mark in frac or decimal_mark in frac:
        raise ValueError(text)
    if group_mark in whole and not re.fullmatch(
        r"\d{1,3}(?:" + re.escape(group_mark) + r"\d{2,3})+", whole
    ):
        raise ValueError(text)  # 1,2,3 is not a grouping any locale uses
    number = Decimal(whole.replace(group_mark, "") + ("." + frac if frac else ""))
    return -number if negative else number


class NumberCodec(Codec):
    name = "number"
    expected = "a number"

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> int | float | None:
        if is_blank(raw):
            return None
        if isinstance(raw, bool):
            raise self.fail(raw)
        if isinstance(raw, (int, float)):
            if isinstance(raw, float) and math.isinf(raw):
                raise self.fail(raw)
            return self._shape(Decimal(str(raw)))
        text = str(raw)
        percent = text.strip().endswith(("%", "٪"))
        if percent:
            text = text.strip()[:-1]
        try:
            number = _parse_decimal(self._strip(text))
        except (ValueError, InvalidOperation):
            raise self.fail(raw) from None
        return self._shape(number / 100 if percent else number)

    def _strip(self, text: str) -> str:
        return text

    def _shape(self, number: Decimal) -> int | float:
        whole = number == number.to_integral_value() and abs(number) < 2**53
        return int(number) if whole else float(number)


class IntegerCodec(NumberCodec):
    name = "integer"
    expected = "a whole number"

    def _shape(self, number: Decimal) -> int:
        if number != number.to_integral_value():
            raise ValueError(number)
        return int(number)

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> int | None:
        try:
            number = super().parse(raw, ctx)
        except ValueError:  # a fraction, rejected by _shape
            raise self.fail(raw) from None
        return None if number is None else int(number)


class MoneyCodec(NumberCodec):
    name = "money"
    expected = "an amount of money (e.g. 1,250.50)"

    def _strip(self, text: str) -> str:
        return _CURRENCY_WORDS.sub("", text)

    def _shape(self, number: Decimal) -> float:
        return float(number.quantize(Decimal("0.01")))

    def format(self, value: Any) -> str:
        return "" if is_blank(value) else f"{float(value):,.2f}"


class PercentCodec(NumberCodec):
    name = "percent"
    expected = "a percentage (e.g. 12.5%)"

    def _shape(self, number: Decimal) -> float:
        return float(number)

    def format(self, value: Any) -> str:
        return "" if is_blank(value) else f"{float(value):.1%}"


_TRUE = {"true", "yes", "y", "1", "x", "✓", "✔", "☑", "on", "done"}

_TRUE |= {"بله", "آره", "درست", "হ্যাঁ", "সত্য"}

_FALSE = {"false", "no", "n", "0", "", "off", "☐"}

_FALSE |= {"خیر", "نه", "نادرست", "না", "মিথ্যা"}


class BoolCodec(Codec):
    name = "bool"
    expected = "TRUE or FALSE"

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> bool | None:
        if raw is None or (isinstance(raw, float) and math.isnan(raw)):
            return None
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw)
        text = to_ascii_digits(str(raw)).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return None if text == "" else False
        raise self.fail(raw)

    def format(self, value: Any) -> str:
        return "" if value is None else ("TRUE" if value else "FALSE")


@dataclass
class EnumCodec(Codec):
    """One of a fixed list of values; matching ignores case and spacing and knows synonyms."""

    values: tuple[str, ...] = ()
    synonyms: Mapping[str, str] = field(default_factory=dict)
    name: str = "enum"

    def __post_init__(self) -> None:
        lookup = {normalize_token(v): v for v in self.values}
        for alias, target in self.synonyms.items():
            if target in self.values:
                lookup.setdefault(normalize_token(alias), target)
        self._lookup = lookup

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(self.values)

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> str | None:
        if is_blank(raw):
            return None
        found = self._lookup.get(normalize_token(str(raw)))
        if found is None:
            raise self.fail(raw)
        return found


CODECS: dict[str, Codec] = {
    c.name: c
    for c in (
        TextCodec(),
        IdCodec(),
        EmailCodec(),
        PhoneCodec(),
        DateCodec(),
        DateTimeCodec(),
        NumberCodec(),
        IntegerCodec(),
        MoneyCodec(),
        PercentCodec(),
        BoolCodec(),
    )
}

FIELD_TYPES = (*CODECS, "enum")
