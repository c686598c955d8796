"""Number, integer, money and percent codecs: local digits, separators and currency words."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sheetcrm.model.values import (
    DEFAULT_CONTEXT,
    Codec,
    ValueContext,
    is_blank,
    to_ascii_digits,
)

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
