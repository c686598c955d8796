"""Currencies: which codes a workbook may be kept in (ISO 4217, and ``IRT`` for the Iranian
toman, the unit people in Iran actually price in; one toman is ten rials), how people mark
an amount as being in one (``₹``, ``Rs.``, ``৳``, ``تومان``, ``EUR``), and how each is shown.

This is the one place for currency knowledge: the money codec asks it which currency a typed
marker names; the sheet's number formats and the reports ask it for a currency's symbol,
name, decimals and grouping. Babel (CLDR) is the source where it knows the currency; the
toman, which CLDR does not have, is described here.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from sheetcrm.errors import ConfigError

#: The Iranian toman: not an ISO 4217 code, but what Iranian shops and freelancers use.
TOMAN = "IRT"
RIAL = "IRR"

#: How many rials one unit is: the rial and the toman are one currency in two units.
_IRANIAN = {RIAL: 1, TOMAN: 10}

#: Currencies written with lakh/crore grouping (1,23,45,678) where they are used.
LAKH_GROUPING = frozenset({"INR", "BDT", "NPR", "PKR"})

#: The Babel locale a language shows a currency in, where the region matters: rupees in
#: English are grouped the Indian way, taka the Bangladeshi way.
_LOCALES = {
    ("en", "INR"): "en_IN",
    ("en", "BDT"): "en_IN",
    ("en", "NPR"): "en_IN",
    ("en", "PKR"): "en_IN",
    ("en", "GBP"): "en_GB",
    ("fa", None): "fa_IR",
    ("bn", None): "bn_BD",
    ("en", None): "en",
}

#: Symbols and names CLDR lacks or gives as a bare code where people write a sign or word.
_SHOWN: dict[tuple[str, str], tuple[str, str]] = {
    (TOMAN, "fa"): ("تومان", "تومان"),
    (TOMAN, "en"): ("toman", "toman"),
    (TOMAN, "bn"): ("তোমান", "তোমান"),
    (RIAL, "fa"): ("ریال", "ریال"),
    (RIAL, "en"): ("rial", "Iranian rial"),
    (RIAL, "bn"): ("রিয়াল", "ইরানি রিয়াল"),
    ("BDT", "en"): ("৳", "Bangladeshi taka"),
    ("BDT", "fa"): ("৳", "تاکای بنگلادش"),
}

#: What people type to say which currency an amount is in, folded (lower case), each with
#: the currencies it can mean. A marker naming several (``$``, ``Rs``) is ambiguous: it
#: fits a workbook kept in any of them and is foreign to every other.
_MARKERS: dict[str, tuple[str, ...]] = {
    "$": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "ARS", "CLP", "COP"),
    "dollar": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD"),
    "dollars": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD"),
    "us$": ("USD",),
    "دلار": ("USD",),
    "ডলার": ("USD",),
    "c$": ("CAD",),
    "ca$": ("CAD",),
    "a$": ("AUD",),
    "au$": ("AUD",),
    "nz$": ("NZD",),
    "s$": ("SGD",),
    "hk$": ("HKD",),
    "r$": ("BRL",),
    "mx$": ("MXN",),
    "nt$": ("TWD",),
    "€": ("EUR",),
    "euro": ("EUR",),
    "euros": ("EUR",),
    "یورو": ("EUR",),
    "ইউরো": ("EUR",),
    "£": ("GBP", "EGP", "GIP", "FKP", "SHP"),
    "pound": ("GBP",),
    "pounds": ("GBP",),
    "quid": ("GBP",),
    "پوند": ("GBP",),
    "পাউন্ড": ("GBP",),
    "₹": ("INR",),
    "rs": ("INR", "PKR", "LKR", "NPR"),
    "rs.": ("INR", "PKR", "LKR", "NPR"),
    "₨": ("INR", "PKR", "LKR", "NPR"),
    "rupee": ("INR", "PKR", "LKR", "NPR"),
    "rupees": ("INR", "PKR", "LKR", "NPR"),
    "রুপি": ("INR",),
    "रुपये": ("INR",),
    "रु": ("INR",),
    "रु.": ("INR",),
    "روپیه": ("INR", "PKR"),
    "৳": ("BDT",),
    "tk": ("BDT",),
    "tk.": ("BDT",),
    "taka": ("BDT",),
    "টাকা": ("BDT",),
    "تومان": (TOMAN,),
    "تومن": (TOMAN,),
    "toman": (TOMAN,),
    "tomans": (TOMAN,),
    "تومانی": (TOMAN,),
    "ریال": (RIAL,),
    "রিয়াল": (RIAL,),
    "তোমান": (TOMAN,),
    "rial": (RIAL,),
    "rials": (RIAL,),
    "﷼": (RIAL, "SAR", "OMR", "QAR", "YER"),
    "درهم": ("AED",),
    "dirham": ("AED", "MAD"),
    "dirhams": ("AED", "MAD"),
    "د.إ": ("AED",),
    "¥": ("JPY", "CNY"),
    "jp¥": ("JPY",),
    "cn¥": ("CNY",),
    "円": ("JPY",),
    "元": ("CNY",),
    "₺": ("TRY",),
    "₽": ("RUB",),
    "₩": ("KRW",),
    "₦": ("NGN",),
    "₱": ("PHP",),
    "₪": ("ILS",),
    "₫": ("VND",),
    "₴": ("UAH",),
    "₸": ("KZT",),
    "₼": ("AZN",),
    "₾": ("GEL",),
    "฿": ("THB",),
    "₵": ("GHS",),
    "zł": ("PLN",),
    "kr": ("SEK", "NOK", "DKK", "ISK"),
    "kr.": ("SEK", "NOK", "DKK", "ISK"),
    "fr.": ("CHF",),
}

#: How a message names the currencies an ambiguous marker can mean.
_FAMILY = {
    "$": "dollars",
    "dollar": "dollars",
    "dollars": "dollars",
    "£": "pounds",
    "rs": "rupees",
    "rs.": "rupees",
    "₨": "rupees",
    "rupee": "rupees",
    "rupees": "rupees",
    "روپیه": "rupees",
    "﷼": "rials or riyals",
    "dirham": "dirhams",
    "dirhams": "dirhams",
    "¥": "yen or yuan",
    "kr": "kronor or kroner",
    "kr.": "kronor or kroner",
}

# Bengali য় and ড় have two spellings; typed text is put in NFC before it is looked up.
_MARKERS = {unicodedata.normalize("NFC", k): v for k, v in _MARKERS.items()}

_LETTER = r"[^\W\d_]"
_NO_MARKER_EDGE = frozenset("0123456789()")


@functools.cache
def _iso_codes() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def check_currency(code: str, where: str = "currency") -> str:
    """``code`` upper-cased if it is an ISO 4217 currency (or ``IRT``), else the refusal."""
    text = code.strip().upper()
    if text != TOMAN and text not in _iso_codes():
        raise ConfigError(
            f"{where}: {code!r} is not an ISO 4217 currency code (e.g. USD, GBP, EUR, INR, "
            f"BDT, IRR; {TOMAN} for toman)"
        )
    return text


def marker_codes(marker: str) -> tuple[str, ...]:
    """The currencies a typed marker (folded: ``"rs."``, ``"€"``, ``"eur"``) can mean; ()
    for text that is no currency marker."""
    if marker in _MARKERS:
        return _MARKERS[marker]
    code = marker.upper()
    if len(code) == 3 and (code == TOMAN or code in _iso_codes()):
        return (code,)
    return ()


_HEAD = re.compile(r"\s*([+-]?)\s*([^\s\d(+\-][^\s\d(]*)\s*")
_TAIL = re.compile(r"\s*([^\s\d)]+)\s*$")


def strip_markers(text: str) -> tuple[str, list[str]]:
    """``text`` without the currency markers at its start and end, and the markers taken off
    (folded), e.g. ``"rs. 1,499"`` → ``("1,499", ["rs."])``, ``"1.5 crore inr"`` →
    ``("1.5 crore", ["inr"])``. A word that is no marker (``lakh``, a 3-letter word that is
    no ISO code) is left in place."""
    found: list[str] = []
    if text[:1] in _NO_MARKER_EDGE and text[-1:] in _NO_MARKER_EDGE:
        return text, found  # starts and ends with a digit: nothing to look for
    for _ in range(2):
        head = _HEAD.match(text)
        if head is None or not marker_codes(head.group(2)):
            break
        found.append(head.group(2))
        text = head.group(1) + text[head.end() :]
    for _ in range(2):
        tail = _TAIL.search(text)
        if tail is None or not marker_codes(tail.group(1)):
            break
        found.append(tail.group(1))
        text = text[: tail.start()]
    return text.strip(), found


def describe(marker: str) -> tuple[str, str]:
    """How a message names what a marker means: ("EUR", "EUR") for one currency,
    ("dollars: USD, CAD, AUD, …", "dollar") for an ambiguous one."""
    codes = marker_codes(marker)
    if len(codes) == 1:
        return codes[0], codes[0]
    family = _FAMILY.get(marker, "several currencies")
    shown = ", ".join(codes[:3]) + (", …" if len(codes) > 3 else "")
    return f"{family}: {shown}", family.split(" ")[0].rstrip("s")


def in_workbook_currency(amount: Decimal, marker: str, workbook: str) -> Decimal | None:
    """``amount`` typed with ``marker``, in the workbook's currency; None when the marker
    names another currency (toman and rial convert: they are one currency)."""
    codes = marker_codes(marker)
    if workbook in codes:
        return amount
    if workbook in _IRANIAN:
        for code in codes:
            if code in _IRANIAN:
                return amount * _IRANIAN[code] / _IRANIAN[workbook]
    return None


@functools.cache
def decimals(code: str) -> int:
    """How many decimals amounts in ``code`` have: 0 for rial, toman, yen, won; else CLDR's."""
    if code in _IRANIAN:
        return 0
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(code))


def quantize(amount: Decimal, code: str) -> Decimal:
    """``amount`` rounded (half up) to the currency's smallest unit."""
    return amount.quantize(_unit(code), rounding=ROUND_HALF_UP)


@functools.cache
def _unit(code: str) -> Decimal:
    return Decimal(1).scaleb(-decimals(code))


def lakh_grouping(code: str) -> bool:
    """True where amounts are grouped 1,23,45,678 (rupees, taka), not 12,345,678."""
    return code in LAKH_GROUPING


def _lang(language: str) -> str:
    return language.replace("-", "_").split("_")[0].lower() or "en"


def babel_locale(code: str, language: str) -> str:
    """The Babel locale to show amounts in ``code`` for a reader of ``language`` ("fa",
    "fa_IR", "en"): a full locale is kept; a bare language gets the region that groups
    and signs this currency as its users expect (``en`` + INR → ``en_IN``)."""
    if "_" in language.replace("-", "_"):
        return language.replace("-", "_")
    lang = _lang(language)
    return _LOCALES.get((lang, code)) or _LOCALES.get((lang, None)) or lang


def symbol(code: str, language: str = "en") -> str:
    """The sign or short word an amount in ``code`` is shown with (``₹``, ``৳``, ``ریال``,
    ``تومان``/``toman``), in ``language``."""
    shown = _SHOWN.get((code, _lang(language)))
    if shown is not None:
        return shown[0]
    if code == TOMAN:
        return _SHOWN[(TOMAN, "en")][0]
    from babel.numbers import get_currency_symbol

    return str(get_currency_symbol(code, locale=babel_locale(code, language)))


def name(code: str, language: str = "en") -> str:
    """The currency's name in ``language`` (``Indian rupee``, ``تومان``, ``বাংলাদেশী টাকা``)."""
    shown = _SHOWN.get((code, _lang(language)))
    if shown is not None:
        return shown[1]
    if code == TOMAN:
        return _SHOWN[(TOMAN, "en")][1]
    from babel.numbers import get_currency_name

    return str(get_currency_name(code, locale=babel_locale(code, language)))


def format_money(value: float | Decimal, code: str, language: str = "en") -> str:
    """``value`` as a reader of ``language`` expects an amount in ``code``: Babel's pattern
    for the locale (lakh grouping for rupees and taka), the currency's decimals, and the
    symbols above (``12,500,000 تومان``, ``₹1,23,456.50``, ``£1,250.00``)."""
    from babel.numbers import format_currency, format_decimal

    locale = babel_locale(code, language)
    amount = quantize(Decimal(str(value)), code)
    if code != TOMAN and (code, _lang(language)) not in _SHOWN:
        text: str = format_currency(amount, code, locale=locale, currency_digits=True)
        return text
    places = decimals(code)
    pattern = ("#,##,##0" if lakh_grouping(code) else "#,##0") + (
        "." + "0" * places if places else ""
    )
    digits = format_decimal(amount, format=pattern, locale=locale)
    sign = symbol(code, language)
    return f"{digits} {sign}" if re.match(_LETTER, sign) else f"{sign}{digits}"
