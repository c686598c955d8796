"""The spreadsheet number format of money cells, per workbook currency.

One code serves Excel, LibreOffice and Google Sheets: ``"£"#,##0.00``, ``"€"#,##0.00``,
``"$"#,##0.00``; ``#,##0 "ریال"`` and ``#,##0 "تومان"`` (no decimals: rials and tomans
have no minor unit in use); ``₹`` and ``৳`` with lakh grouping (``1,23,45,678.00``).

None of the three applications groups digits in twos natively (``#,##,##0`` means plain
thousands grouping to all of them), so lakh grouping is spelled with conditional
sections and escaped commas::

    [<99999.995]"₹"#,##0.00;[<9999999.995]"₹"##\\,##\\,##0.00;"₹"##\\,##\\,##\\,##0.00

Why this order: LibreOffice shows the value without its minus sign in the last
(condition-less) section, so negatives must fall into a conditioned section, which shows
the sign; the last section only ever gets amounts of a crore and more. The bounds sit half
a minor unit below a lakh and a crore so that 99,999.999 rounds into the lakh section.
Limits (checked by rendering in LibreOffice): a negative amount of a lakh or more is
grouped in thousands (``-₹1,23,456.00`` shows as ``-₹123,456.00``), and a hundred crore
and more keeps two-digit groups only up to the crore (``₹123,45,67,890.00``).

The currency facts (symbol, decimals, lakh grouping) are ``model.money``'s; this module
only spells them as a format code.
"""

from __future__ import annotations

import functools
import unicodedata

from sheetcrm.model import money

#: Money with no currency known: what sheetcrm wrote before cells carried currencies.
PLAIN_MONEY = "#,##0.00"
#: Thresholds of the lakh sections: a lakh and a crore.
LAKH, CRORE = 100_000, 10_000_000
#: Digit placeholders with literal commas for two-digit groups (lakhs, crores).
LAKH_DIGITS, CRORE_DIGITS = r"##\,##\,##0", r"##\,##\,##\,##0"


@functools.cache
def money_format(currency: str) -> str:
    """The number format code for money cells kept in ``currency``."""
    symbol, decimals, lakh = _facts(currency.strip().upper())
    return _build(symbol, decimals, lakh)


def _build(symbol: str, decimals: int, lakh: bool) -> str:
    frac = "." + "0" * decimals if decimals else ""

    def section(digits: str) -> str:
        if _right_to_left(symbol):
            return f'{digits}{frac} "{symbol}"'
        gap = " " if unicodedata.category(symbol[-1]).startswith("L") else ""
        return f'"{symbol}{gap}"{digits}{frac}'

    if not lakh:
        return section("#,##0")
    half = 0.5 / 10**decimals
    low, high = _bound(LAKH - half, decimals), _bound(CRORE - half, decimals)
    lakhs, crores = section(LAKH_DIGITS), section(CRORE_DIGITS)
    return f"[<{low}]{section('#,##0')};[<{high}]{lakhs};{crores}"


def is_money_format(code: str | None) -> bool:
    """True for a code sheetcrm writes on money cells, in any currency (or none): to tell
    ours from a format a teammate chose, by its shape, whatever the symbol."""
    return code is not None and _shape(code) in _money_shapes()


@functools.cache
def _money_shapes() -> frozenset[tuple[tuple[bool, str], ...]]:
    built = [
        _build(symbol, decimals, lakh)
        for symbol in ("$", "ریال")  # a sign before the digits, a right-to-left word after
        for decimals in range(5)
        for lakh in (False, True)
    ]
    return frozenset(_shape(code) for code in (PLAIN_MONEY, *built))


def _shape(code: str) -> tuple[tuple[bool, str], ...]:
    """The canonical code with every literal run as one mark (any symbol, any spacing)."""
    return tuple((True, "¤") if literal else (False, text) for literal, text in _canonical(code))


#: Characters that mean something in a format code when not quoted or escaped.
_CODE = frozenset("0#?.,%@;[]*_:/Ee+") | frozenset(
    "ABCDFGHIJKLMNOPQRSTUVWXYZabcdfghijklmnopqrstuvwxyz"
)


def same_format(a: str | None, b: str | None) -> bool:
    """True when two format codes show numbers alike, however literals are spelled:
    LibreOffice saves ``"₹"#,##0`` as ``\\₹#,##0``, ``yyyy-mm-dd`` as ``yyyy\\-mm\\-dd`` and
    ``#,##0 "تومان"`` as ``#,##0" تومان"``."""
    if a is None or b is None:
        return a == b
    return _canonical(a) == _canonical(b)


@functools.cache
def _canonical(code: str) -> tuple[tuple[bool, str], ...]:
    """The code as runs of (literal?, text): quoted, escaped and inert characters are
    literal text, whatever way they were written."""
    out: list[tuple[bool, str]] = []
    i, quoted = 0, False
    while i < len(code):
        ch = code[i]
        if ch == '"':
            quoted = not quoted
            i += 1
            continue
        if ch == "\\" and not quoted and i + 1 < len(code):
            literal, ch = True, code[i + 1]
            i += 2
        elif ch in ("_", "*") and not quoted and i + 1 < len(code):
            literal, ch = False, code[i : i + 2]
            i += 2
        else:
            literal = quoted or ch not in _CODE
            i += 1
        if out and out[-1][0] == literal and literal:
            out[-1] = (True, out[-1][1] + ch)
        else:
            out.append((literal, ch))
    return tuple(out)


def _bound(value: float, decimals: int) -> str:
    return f"{value:.{decimals + 1}f}"


def _right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def _facts(code: str) -> tuple[str, int, bool]:
    """(symbol, decimals, lakh grouping) of a currency, from ``model.money``. Rials and
    tomans are written in Persian (``ریال``, ``تومان``), as Iranian sheets write them;
    every other currency with its sign (``₹``, ``৳``, ``£``)."""
    language = "fa" if code in (money.RIAL, money.TOMAN) else "en"
    return _clean(money.symbol(code, language)), money.decimals(code), money.lakh_grouping(code)


def _clean(symbol: str) -> str:
    """Without the direction marks CLDR puts around some symbols, and no quote inside."""
    return "".join(ch for ch in symbol if unicodedata.category(ch) != "Cf").replace('"', "")
