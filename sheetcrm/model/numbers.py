"""Number, integer, money and percent codecs: numbers as people type them.

Read: local digits and separators (``۱۲۳٬۴۵۶٫۷``, ``1.234,50``, lakh grouping ``1,23,456``),
magnitude words and suffixes (``۸ میلیون``, ``۲/۵ میلیون``, ``২ লাখ ৫০ হাজার``, ``2.5 lakh``,
``₹2.5L``, ``1.5 Cr``, ``12k``, ``1.2M``, ``2 bn``), Indian and Bangladeshi endings
(``Rs. 1,499/-``, ``৳১,২৫০/=``), and currency markers (``model.money``).

The rules, so a value never means two things:

- ``k`` is a thousand, ``M``/``m``/``mn`` a million (never milli-), ``b``/``bn`` a billion
  (10⁹), ``L`` a lakh (10⁵) and ``Cr`` a crore (10⁷) — letters only as a suffix right after
  a number, so ``L`` alone is not a number. Magnitude words in a row multiply (``1.5 lakh
  crore``); terms add up when they get smaller (``۲ میلیون و ۵۰۰ هزار`` = 2,500,000).
  A number word (one to ten, half, ``یک``…``ده``, ``نیم``, ``এক``…``দশ``, ``দেড়``,
  ``আড়াই``) counts only before a magnitude word: ``یک میلیون`` is 1,000,000, ``ten`` is not
  a number. ``/`` is a decimal point only before a magnitude word (``۲/۵ میلیون``), so
  ``1/2`` stays text.
- A range (``۳ تا ۵ میلیون``, ``3-5 lakh``, ``10k-20k``, ``£1,000 to £2,000``) and an
  estimate (``حدود ۵ میلیون``, ``about 2 lakh``, ``50k+``) are not one amount: the codec
  raises ``ApproximateValue`` keeping the LOWER bound (an estimate keeps its number); the
  import keeps that and the typed text in the notes. The left side of a range takes the
  right side's magnitude and currency when it has none. A bare ``a-b`` of plain numbers is
  a range only when ``a < b`` and neither has a leading zero (``10-50``), never a date
  (``2024-03-05``, ``12-05``) or a negative (``-5``, ``5-``).
- Money is in the workbook's currency (``ValueContext.currency``). An amount marked with
  another currency is refused, naming both (the import sets the cell aside with that
  reason); toman and rial convert, being one currency. Amounts round half up to the
  currency's smallest unit: whole rials and tomans, cents elsewhere; in a currency without
  decimals ``250.000`` groups thousands, as Iranian shops write it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sheetcrm.errors import ApproximateValue, ValueParseError
from sheetcrm.model import money
from sheetcrm.model.values import (
    DEFAULT_CONTEXT,
    Codec,
    ValueContext,
    is_blank,
    to_ascii_digits,
)

#: What plain numbers look like: they skip everything below (most cells of a large import).
_PLAIN = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")

#: A plain number that in a currency without decimals groups thousands: 250.000 toman.
_GROUPED = re.compile(r"-?[0-9]{1,3}\.[0-9]{3}")

_LETTER = r"[^\W\d_]"

#: ASCII digits with separators, a sign or parentheses, and a currency sign at one edge:
#: ``$1,250.00``, ``(45.00)``, ``1.250,50 €``: read without the word rules below.
_SIMPLE = re.compile(r"\s*([$€£₹৳])?\s*(\(?[+-]?[0-9][0-9.,' ]*\)?-?)\s*([$€£₹৳])?\s*", re.ASCII)

#: Arabic-keyboard letters and marks folded to their Persian forms, so ميليون meets میلیون.
_FOLD = str.maketrans(
    {"ي": "ی", "ى": "ی", "ك": "ک", "\u0640": ""} | {chr(c): "" for c in range(0x064B, 0x0653)}
)


def _nfc(words: dict[str, Any]) -> dict[str, Any]:
    """Bengali ড় and য় have two spellings; NFC gives both the one the input is put in."""
    return {unicodedata.normalize("NFC", k): v for k, v in words.items()}


_MAGNITUDES: dict[str, int] = _nfc(
    {
        **dict.fromkeys(("k", "thousand", "thousands", "هزار", "হাজার"), 10**3),
        **dict.fromkeys(("l", "lakh", "lakhs", "lac", "lacs", "লাখ", "লক্ষ"), 10**5),
        **dict.fromkeys(("m", "mn", "million", "millions", "میلیون", "ملیون", "মিলিয়ন"), 10**6),
        **dict.fromkeys(("cr", "cr.", "crore", "crores", "কোটি"), 10**7),
        **dict.fromkeys(("b", "bn", "billion", "billions", "میلیارد", "ملیارد", "বিলিয়ন"), 10**9),
    }
)

_NUMBER_WORDS: dict[str, Decimal] = _nfc(
    {
        **{
            w: Decimal(i + 1)
            for words in (
                ("یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه", "ده"),
                ("এক", "দুই", "তিন", "চার", "পাঁচ", "ছয়", "সাত", "আট", "নয়", "দশ"),
                ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
            )
            for i, w in enumerate(words)
        },
        "a": Decimal(1),
        "half": Decimal("0.5"),
        "نیم": Decimal("0.5"),
        "دیڑھ": Decimal("1.5"),
        "দেড়": Decimal("1.5"),
        "আড়াই": Decimal("2.5"),
    }
)


def _alternation(words: Any) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_MAG = rf"(?:{_alternation(_MAGNITUDES)})(?!{_LETTER})"
_TERM = re.compile(
    rf"(?P<and_half_before>{unicodedata.normalize('NFC', 'সাড়ে')}\s*)?"
    rf"(?P<num>[+-]?\d[\d.,/]*|(?:{_alternation(_NUMBER_WORDS)})(?!{_LETTER}))"
    r"(?P<and_half>\s+(?:و|and\s+a)\s+(?:نیم|half))?"
    rf"\s*(?P<mags>{_MAG}(?:\s*{_MAG})*)"
)
_JOIN = re.compile(r"\s*(?:(?:و|and|ও)\s+|,\s*)?")

#: Words before or after an amount that say it is a guess: an import keeps the number.
_ESTIMATE_BEFORE = re.compile(
    r"^(?:about|approx\.?|approximately|around|roughly|circa|~|حدود|حدودا|تقریبا"
    r"|প্রায়|আনুমানিক)\s*",
)
_ESTIMATE_AFTER = re.compile(r"\s*(?:\+|plus|or more|به بالا|و بیشتر|به بالاتر)$")
#: A label in front of a price, as shops paste it: "MRP ₹499", "قیمت: ۱۵۰ هزار تومان".
_LABEL = re.compile(r"^(?:mrp|price|قیمت|দাম|মূল্য)\s*[:：]?\s*")
#: "Rs. 1,499/-", "৳১,২৫০/=", "5000 only": the endings of a written amount.
_ENDING = re.compile(r"\s*(?:/-|/=|-/|only|فقط)\s*$")

_OPENER = re.compile(r"^(?:between|from|بین|از)\s+")
_RANGE_WORDS = re.compile(r"\s+(?:to|till|upto|تا|الی|থেকে|হতে)\s+")
_RANGE_AND = re.compile(r"\s+(?:and|و|ও)\s+")
_RANGE_DASH = re.compile(r"\s*[~–—]\s*|\s+-\s+")
_BARE_INT = re.compile(r"[1-9]\d*")


class _NotANumber(ValueError):
    """Internal: the text is not a number the rules above read."""


class _Foreign(ValueError):
    """Internal: an amount marked with another currency than the workbook's."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        super().__init__(marker)


@dataclass(frozen=True)
class _Side:
    """One amount as typed: its value, the magnitude its last term ends with (what the
    left side of a range without one takes), and the currency markers around it."""

    value: Decimal
    magnitude: int
    markers: tuple[str, ...]


def _parse_decimal(text: str, *, whole: bool = False) -> Decimal:
    """Parse a number typed with any common grouping and decimal convention; ``whole``:
    the currency has no decimals, so ``250.000`` groups thousands."""
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
        raise _NotANumber(text)
    if "," in s and "." in s:
        decimal_mark = "." if s.rfind(".") > s.rfind(",") else ","
    elif s.count(",") == 1 and not re.fullmatch(r"\d{1,3},\d{3}", s):
        decimal_mark = ","  # 12,5 — decimal comma
    elif s.count(".") > 1 or (whole and re.fullmatch(r"\d{1,3}\.\d{3}", s)):
        decimal_mark = ","  # 1.234.567 — dots group thousands
    else:
        decimal_mark = "."
    group_mark = "," if decimal_mark == "." else "."
    whole_part, _, frac = s.partition(decimal_mark)
    if group_mark in frac or decimal_mark in frac:
        raise _NotANumber(text)
    if group_mark in whole_part and not re.fullmatch(
        r"\d{1,3}(?:" + re.escape(group_mark) + r"\d{2,3})+", whole_part
    ):
        raise _NotANumber(text)  # 1,2,3 is not a grouping any locale uses
    try:
        number = Decimal(whole_part.replace(group_mark, "") + ("." + frac if frac else ""))
    except InvalidOperation:
        raise _NotANumber(text) from None
    return -number if negative else number


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFC", to_ascii_digits(text)).translate(_FOLD)
    return re.sub(r"\s+", " ", s).strip().casefold()


def _terms(s: str) -> tuple[Decimal, int] | None:
    """``s`` as a sum of number-and-magnitude terms, each smaller than the one before
    (``2 lakh 50 thousand``), with the magnitude of the last; None if it is not one."""
    total, last, pos = Decimal(0), 0, 0
    while True:
        m = _TERM.match(s, pos)
        if m is None:
            return None
        num = m.group("num")
        if num in _NUMBER_WORDS:
            value = _NUMBER_WORDS[num]
        else:
            if num.count("/") > 1:
                return None
            value = _parse_decimal(num.replace("/", "."))
        if m.group("and_half") or m.group("and_half_before"):
            value += Decimal("0.5")
        magnitude = math.prod(_MAGNITUDES[w] for w in re.findall(_MAG, m.group("mags")))
        if last and magnitude >= last:
            return None  # "500 thousand 2 million" is no way to write a number
        total, last, pos = total + value * magnitude, magnitude, m.end()
        if pos == len(s):
            return total, last
        join = _JOIN.match(s, pos)
        pos = join.end() if join else pos
        if pos == len(s):
            return None


def _side(s: str, *, money_allowed: bool, whole: bool) -> _Side:
    """One amount (no range): markers, endings and labels off, then terms or a number."""
    markers: tuple[str, ...] = ()
    s = _ENDING.sub("", _LABEL.sub("", s))
    if money_allowed:
        s, found = money.strip_markers(s)
        markers = tuple(found)
        s = _ENDING.sub("", s)
    negative = s.endswith("-")  # 2.5k-: a trailing minus, as accounting exports write it
    read = _terms(s[:-1].rstrip() if negative else s)
    if read is not None:
        return _Side(-read[0] if negative else read[0], read[1], markers)
    return _Side(_parse_decimal(s, whole=whole), 0, markers)


def _split_range(s: str) -> tuple[str, str, bool] | None:
    """The two sides of a range and whether it was a bare ``a-b``; None if it is none."""
    opener = _OPENER.match(s)
    body = s[opener.end() :] if opener else s
    seps = [_RANGE_WORDS]
    if opener and opener.group().strip() in ("between", "بین"):
        seps.append(_RANGE_AND)
    seps.append(_RANGE_DASH)
    for sep in seps:
        parts = sep.split(body)
        if len(parts) == 2 and parts[0].strip() and parts[1].strip():
            return parts[0].strip(), parts[1].strip(), False
        if len(parts) > 2:
            return None  # 2024–03–05: a date, not a range
    if body.count("-") == 1:
        left, _, right = body.partition("-")
        left, right = left.strip(), right.strip()
        if left and right and not right.startswith("-") and left[-1] not in "e(":
            return left, right, True
    return None


def _plain_integers(left: str, right: str) -> bool:
    return bool(_BARE_INT.fullmatch(left) and _BARE_INT.fullmatch(right)) and int(left) < int(right)


@dataclass(frozen=True)
class _Reading:
    value: Decimal
    markers: tuple[str, ...]
    #: "" for one amount, else "range" or "estimate": an import keeps a bound and notes it.
    approximate: str = ""


def _read(text: str, *, money_allowed: bool, whole: bool = False) -> _Reading:
    """Read typed text as one amount, or as a range or an estimate (``approximate``)."""
    simple = _SIMPLE.fullmatch(text)
    if simple is not None and (money_allowed or not (simple.group(1) or simple.group(3))):
        signs = tuple(m for m in (simple.group(1), simple.group(3)) if m)
        return _Reading(_parse_decimal(simple.group(2), whole=whole), signs)
    s = _fold(text)
    approximate = ""
    before, after = _ESTIMATE_BEFORE.match(s), _ESTIMATE_AFTER.search(s)
    if before or (after and after.start() > 0):
        approximate = "estimate"
        s = s[before.end() if before else 0 : after.start() if after else len(s)].strip()
    split = _split_range(s)
    if split is not None:
        left_text, right_text, bare = split
        try:
            right = _side(right_text, money_allowed=money_allowed, whole=whole)
            left = _side(left_text, money_allowed=money_allowed, whole=whole)
        except _NotANumber:
            left = right = None  # type: ignore[assignment]
        if left is not None and right is not None:
            marked = left.magnitude or right.magnitude or left.markers or right.markers
            if not bare or marked or _plain_integers(left_text, right_text):
                return _range(left, right)
    side = _side(s, money_allowed=money_allowed, whole=whole)
    return _Reading(side.value, side.markers, approximate)


def _range(left: _Side, right: _Side) -> _Reading:
    low = left.value
    if not left.magnitude and right.magnitude and low * right.magnitude <= right.value:
        low *= right.magnitude  # ۳ تا ۵ میلیون: three million
    markers = tuple(dict.fromkeys(left.markers + right.markers))
    return _Reading(min(low, right.value), markers, "range")


class NumberCodec(Codec):
    name = "number"
    expected = "a number"

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> int | float | None:
        if isinstance(raw, str) and _PLAIN.fullmatch(raw):
            fast = self._plain(raw, ctx)
            if fast is not None:
                return fast
        if is_blank(raw):
            return None
        if isinstance(raw, bool):
            raise self.fail(raw, self.expecting(ctx))
        if isinstance(raw, (int, float)):
            if isinstance(raw, float) and math.isinf(raw):
                raise self.fail(raw, self.expecting(ctx))
            return self._result(Decimal(str(raw)), ctx)
        text = str(raw)
        percent = text.strip().endswith(("%", "٪"))
        if percent:
            text = text.strip()[:-1]
        try:
            reading = self._reading(text, ctx)
            number = self._in_currency(reading, raw, ctx)
        except (_NotANumber, InvalidOperation):
            raise self.fail(raw, self.expecting(ctx)) from None
        if percent:
            number /= 100
        if reading.approximate:
            kept = self._result(number, ctx)
            raise ApproximateValue(self._approximate(reading, kept, ctx), raw, kept=kept)
        return self._result(number, ctx)

    def _plain(self, raw: str, ctx: ValueContext) -> int | float | None:
        """A plain ``123`` or ``-12.5`` read without the rules (most cells of a large
        import); None to take the long way."""
        return int(raw) if "." not in raw else self._result(Decimal(raw), ctx)

    def expecting(self, ctx: ValueContext) -> str:
        """What the refusal says was expected (money names the workbook's currency)."""
        return self.expected

    def _reading(self, text: str, ctx: ValueContext) -> _Reading:
        return _read(text, money_allowed=False)

    def _in_currency(self, reading: _Reading, raw: Any, ctx: ValueContext) -> Decimal:
        return reading.value

    def _approximate(self, reading: _Reading, kept: Any, ctx: ValueContext) -> str:
        what = "one amount" if isinstance(self, MoneyCodec) else "one number"
        shown = self._show(kept, ctx)
        if reading.approximate == "range":
            return (
                f"{what} (a range: an import keeps its lower bound, {shown}, and the text in notes)"
            )
        return f"{what} (an estimate: an import keeps {shown} and the text in notes)"

    def _show(self, value: Any, ctx: ValueContext) -> str:
        return f"{value:,}"

    def _result(self, number: Decimal, ctx: ValueContext) -> int | float:
        return self._shape(number)

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


_EXAMPLES = {
    "IRR": "1,250,000 or ۸ میلیون",
    "IRT": "1,250,000 or ۸ میلیون تومان",
    "INR": "1,23,456.50 or 2.5 lakh",
    "BDT": "১,২৫০ or ১.২৫ লাখ",
}


class MoneyCodec(NumberCodec):
    name = "money"
    expected = "an amount of money (e.g. 1,250.50)"

    def expecting(self, ctx: ValueContext) -> str:
        example = _EXAMPLES.get(ctx.currency, "1,250.50 or 12k")
        return f"an amount of money in {ctx.currency} (e.g. {example})"

    def _plain(self, raw: str, ctx: ValueContext) -> int | float | None:
        point = raw.find(".")
        if point < 0 or len(raw) - point - 1 <= money.decimals(ctx.currency):
            return float(raw)  # nothing to round
        if _GROUPED.fullmatch(raw) and money.decimals(ctx.currency) == 0:
            return None  # 250.000 toman
        return self._result(Decimal(raw), ctx)

    def _reading(self, text: str, ctx: ValueContext) -> _Reading:
        return _read(text, money_allowed=True, whole=money.decimals(ctx.currency) == 0)

    def _in_currency(self, reading: _Reading, raw: Any, ctx: ValueContext) -> Decimal:
        shown: set[Decimal] = set()
        for marker in reading.markers:
            converted = money.in_workbook_currency(reading.value, marker, ctx.currency)
            if converted is None:
                raise self._foreign(raw, marker, ctx.currency)
            shown.add(converted)
        if len(shown) > 1:
            raise _NotANumber(str(raw))  # "۵ تومان ریال": which?
        return shown.pop() if shown else reading.value

    def _foreign(self, raw: Any, marker: str, workbook: str) -> ValueParseError:
        what, unit = money.describe(marker)
        first = money.marker_codes(marker)[0]
        return self.fail(
            raw,
            f"an amount in {workbook} (it is in {what}; convert it, or keep {unit} amounts "
            "in a column of their own; a workbook kept in "
            f'{first} says [locale] currency = "{first}")',
        )

    def _show(self, value: Any, ctx: ValueContext) -> str:
        return f"{value:,.{money.decimals(ctx.currency)}f}"

    def _result(self, number: Decimal, ctx: ValueContext) -> float:
        return float(money.quantize(number, ctx.currency))

    def _shape(self, number: Decimal) -> float:
        return float(money.quantize(number, "USD"))

    def format(self, value: Any) -> str:
        return "" if is_blank(value) else f"{float(value):,.2f}"


class PercentCodec(NumberCodec):
    name = "percent"
    expected = "a percentage (e.g. 12.5%)"

    def _shape(self, number: Decimal) -> float:
        return float(number)

    def format(self, value: Any) -> str:
        return "" if is_blank(value) else f"{float(value):.1%}"
