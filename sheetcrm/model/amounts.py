"""How an amount is read from what people type (the number codecs' rules).

Read: local digits and separators (``۱۲۳٬۴۵۶٫۷``, ``1.234,50``, lakh grouping ``1,23,456``),
magnitude words and suffixes (``۸ میلیون``, ``۲/۵ میلیون``, ``২ লাখ ৫০ হাজার``, ``2.5 lakh``,
``₹2.5L``, ``1.5 Cr``, ``2.5 लाख``, ``12k``, ``1.2M``, ``2 bn``), Indian and Bangladeshi endings
(``Rs. 1,499/-``, ``৳১,২৫০/=``), and currency markers (``model.money``).

The rules, so a value never means two things:

- ``k`` is a thousand, ``M``/``m``/``mn`` a million (never milli-), ``b``/``bn`` a billion
  (10⁹), ``L`` a lakh (10⁵) and ``Cr`` a crore (10⁷) — letters only as a suffix right after
  a number, so ``L`` alone is not a number; ``1,250.00 Cr``, grouped with paise, is a bank
  statement's credit and refused rather than read as crores. Magnitude words in a row
  multiply (``1.5 lakh crore``); terms add up when they get smaller (``۲ میلیون و ۵۰۰
  هزار`` = 2,500,000).
  A number word (one to ten, half, ``یک``…``ده``, ``نیم``, the Persian tens and hundreds
  ``بیست``…``نهصد``, ``এক``…``দশ``, ``দেড়``, ``আড়াই``) counts only before a magnitude
  word: ``یک میلیون`` is 1,000,000, ``ten`` is not a number. ``/`` is a decimal point
  only before a magnitude word (``۲/۵ میلیون``), so ``1/2`` stays text.
- A range (``۳ تا ۵ میلیون``, ``3-5 lakh``, ``10k-20k``, ``£1,000 to £2,000``) and an
  estimate (``حدود ۵ میلیون``, ``about 2 lakh``, ``50k+``) are not one amount: the codec
  raises ``ApproximateValue`` keeping the LOWER bound (an estimate keeps its number); the
  import keeps that and the typed text in the notes. The left side of a range takes the
  right side's magnitude and currency when it has none. A bare ``a-b`` of plain numbers is
  a range only when ``a < b`` and neither has a leading zero (``10-50``), never a date
  (``2024-03-05``, ``12-05``) or a negative (``-5``, ``5-``).
- Currency markers (``₹``, ``Rs.``, ``تومان``, ``EUR``) are taken off and returned with the
  amount; what they mean in the workbook is the money codec's. For a currency without
  decimals (``whole``), ``250.000`` groups thousands, as Iranian shops write it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sheetcrm.model import money
from sheetcrm.model.values import fold_letters, to_ascii_digits

#: What plain numbers look like: they skip everything below (most cells of a large import).
PLAIN = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")

#: A plain number that in a currency without decimals groups thousands: 250.000 toman.
GROUPED = re.compile(r"-?[0-9]{1,3}\.[0-9]{3}")

_LETTER = r"[^\W\d_]"

#: ASCII digits with separators, a sign or parentheses, and a currency sign at one edge:
#: ``$1,250.00``, ``(45.00)``, ``1.250,50 €``: read without the word rules below.
_SIMPLE = re.compile(r"\s*([$€£₹৳])?\s*(\(?[+-]?[0-9][0-9.,' ]*\)?-?)\s*([$€£₹৳])?\s*", re.ASCII)


def _nfc(words: dict[str, Any]) -> dict[str, Any]:
    """Bengali ড় and য় have two spellings; NFC gives both the one the input is put in."""
    return {unicodedata.normalize("NFC", k): v for k, v in words.items()}


_MAGNITUDES: dict[str, int] = _nfc(
    {
        **dict.fromkeys(("k", "thousand", "thousands", "هزار", "হাজার", "हज़ार", "हजार"), 10**3),
        **dict.fromkeys(("l", "lakh", "lakhs", "lac", "lacs", "লাখ", "লক্ষ", "लाख"), 10**5),
        **dict.fromkeys(("m", "mn", "million", "millions", "میلیون", "ملیون", "মিলিয়ন"), 10**6),
        **dict.fromkeys(("cr", "cr.", "crore", "crores", "কোটি", "करोड़"), 10**7),
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
        **{
            w: Decimal(10 * (i + 2))
            for i, w in enumerate(("بیست", "سی", "چهل", "پنجاه", "شصت", "هفتاد", "هشتاد", "نود"))
        },
        **{
            w: Decimal(100 * (i + 1))
            for i, w in enumerate(
                ("صد", "دویست", "سیصد", "چهارصد", "پانصد", "ششصد", "هفتصد", "هشتصد", "نهصد")
            )
        },
        "پونصد": Decimal(500),  # as it is said
        "a": Decimal(1),
        "half": Decimal("0.5"),
        "نیم": Decimal("0.5"),
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
#: How a bank statement writes an amount it marks Cr (credit) or Dr: grouped, with paise.
_STATEMENT = re.compile(r"\d{1,3}(?:,\d{2,3})+\.\d\d")
_JOIN = re.compile(r"\s*(?:(?:و|and|ও)\s+|,\s*)?")

#: Words before or after an amount that say it is a guess: an import keeps the number.
_ESTIMATE_BEFORE = re.compile(
    unicodedata.normalize(
        "NFC",
        r"^(?:about|approx\.?|approximately|around|roughly|circa|~|حدود|حدودا|تقریبا"
        r"|প্রায়|আনুমানিক)\s*",
    )
)
_ESTIMATE_AFTER = re.compile(r"\s*(?:\+|plus|or more|به بالا|و بیشتر|به بالاتر)$")
#: A label in front of a price, as shops paste it: "MRP ₹499", "قیمت: ۱۵۰ هزار تومان".
_LABEL = re.compile(r"^(?:mrp|price|قیمت|দাম|মূল্য)\s*[:：]?\s*")
#: "Rs. 1,499/-", "৳১,২৫০/=", "5000 only", "১২৫০ টাকা মাত্র": how written amounts end.
_ENDING = re.compile(r"\s*(?:/-|/=|-/|only|فقط|মাত্র)\s*$")

_OPENER = re.compile(r"^(?:between|from|بین|از)\s+")
_RANGE_WORDS = re.compile(r"\s+(?:to|till|upto|تا|الی|থেকে|হতে)\s+")
_RANGE_AND = re.compile(r"\s+(?:and|و|ও)\s+")
_RANGE_DASH = re.compile(r"\s*[~–—]\s*|\s+-\s+")
_BARE_INT = re.compile(r"[1-9]\d*")


class NotANumber(ValueError):
    """Internal: the text is not a number the rules above read."""


@dataclass(frozen=True)
class _Side:
    """One amount as typed: its value, the magnitude its last term ends with (what the
    left side of a range without one takes), and the currency markers around it."""

    value: Decimal
    magnitude: int
    markers: tuple[str, ...]


_DIGITS = re.compile(r"[\d.,]+(?:[eE][+-]?\d+)?")
#: One group of thousands (``1,250``), and any grouping a locale uses (``1,23,456``).
_GROUPS = {
    ",": re.compile(r"\d{1,3},\d{3}"),
    ",+": re.compile(r"\d{1,3}(?:,\d{2,3})+"),
    ".+": re.compile(r"\d{1,3}(?:\.\d{2,3})+"),
}


def _parse_decimal(text: str, *, whole: bool = False) -> Decimal:
    """Parse a number typed with any common grouping and decimal convention; ``whole``:
    the currency has no decimals, so ``250.000`` groups thousands."""
    s = text.strip() if text.isascii() else to_ascii_digits(text).strip()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    s = s.replace(" ", "").replace("'", "").replace("_", "")
    if s.endswith("-"):
        negative, s = not negative, s[:-1]
    if s.startswith(("-", "+")):
        negative, s = (s[0] == "-") != negative, s[1:]
    if not s or not _DIGITS.fullmatch(s):
        raise NotANumber(text)
    if "," in s and "." in s:
        decimal_mark = "." if s.rfind(".") > s.rfind(",") else ","
    elif s.count(",") == 1 and not _GROUPS[","].fullmatch(s):
        decimal_mark = ","  # 12,5 — decimal comma
    elif s.count(".") > 1 or (whole and GROUPED.fullmatch(s)):
        decimal_mark = ","  # 1.234.567 — dots group thousands
    else:
        decimal_mark = "."
    group_mark = "," if decimal_mark == "." else "."
    whole_part, _, frac = s.partition(decimal_mark)
    if group_mark in frac or decimal_mark in frac:
        raise NotANumber(text)
    if group_mark in whole_part and not _GROUPS[group_mark + "+"].fullmatch(whole_part):
        raise NotANumber(text)  # 1,2,3 is not a grouping any locale uses
    try:
        number = Decimal(whole_part.replace(group_mark, "") + ("." + frac if frac else ""))
    except InvalidOperation:
        raise NotANumber(text) from None
    return -number if negative else number


def _fold(text: str) -> str:
    s = fold_letters(to_ascii_digits(text))
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
        words = re.findall(_MAG, m.group("mags"))
        if words[0].startswith("cr") and _STATEMENT.fullmatch(num):
            return None  # "1,250.00 Cr" is a bank statement's credit, not 1,250 crore
        magnitude = math.prod(_MAGNITUDES[w] for w in words)
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
class Reading:
    """What ``read`` found: the amount, the currency markers typed with it, and whether it
    was one amount or a range or an estimate (of which ``value`` is the lower bound)."""

    value: Decimal
    markers: tuple[str, ...]
    #: "" for one amount, else "range" or "estimate": an import keeps a bound and notes it.
    approximate: str = ""


def read(text: str, *, money_allowed: bool, whole: bool = False) -> Reading:
    """Read typed text as one amount, or as a range or an estimate (``approximate``)."""
    simple = _SIMPLE.fullmatch(text)
    if simple is not None and (money_allowed or not (simple.group(1) or simple.group(3))):
        signs = tuple(m for m in (simple.group(1), simple.group(3)) if m)
        return Reading(_parse_decimal(simple.group(2), whole=whole), signs)
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
            sides = tuple(
                _side(t, money_allowed=money_allowed, whole=whole) for t in (left_text, right_text)
            )
        except NotANumber:
            sides = ()  # not two amounts: "5 - 3 apples" is read (and refused) whole
        if sides:
            left, right = sides
            marked = left.magnitude or right.magnitude or left.markers or right.markers
            if not bare or marked or _plain_integers(left_text, right_text):
                return _range(left, right)
    side = _side(s, money_allowed=money_allowed, whole=whole)
    return Reading(side.value, side.markers, approximate)


def _range(left: _Side, right: _Side) -> Reading:
    low = left.value
    if not left.magnitude and right.magnitude and low * right.magnitude <= right.value:
        low *= right.magnitude  # ۳ تا ۵ میلیون: three million
    markers = tuple(dict.fromkeys(left.markers + right.markers))
    return Reading(min(low, right.value), markers, "range")
