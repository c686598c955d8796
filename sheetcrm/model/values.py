"""Value primitives every layer shares: blanks, spreadsheet equality, serial dates,
native-script digits, and the locale context the codecs read.

The per-type parsers live in ``model.codecs``; these helpers are what they (and the
backends, the diff and the merge) have in common.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sheetcrm.errors import ValueParseError

#: Serial day 0 of spreadsheet dates (Google Sheets, and Excel after 1900-03-01).
SERIAL_EPOCH = dt.datetime(1899, 12, 30)

_DIGITS = {
    **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian (Extended Arabic-Indic)
    **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic
    **{chr(0x09E6 + i): str(i) for i in range(10)},  # Bengali
    "\u066c": ",",  # Arabic thousands separator ٬
    "\u066b": ".",  # Arabic decimal separator ٫
    "\u060c": ",",  # Arabic comma ، (used for grouping in hand-typed Persian numbers)
    "\u2212": "-",  # minus sign
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space (French grouping)
    "\u200c": "",  # zero-width non-joiner, common in Persian text
    "\u200e": "",  # left-to-right mark
    "\u200f": "",  # right-to-left mark
}

_DIGIT_TABLE = str.maketrans(_DIGITS)

#: First characters that make a spreadsheet treat typed text as a formula: OWASP's list
#: (= + - @ tab, carriage return) and the full-width forms an input method turns into them.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet would run as a formula if it were typed in."""
    return text.startswith(FORMULA_LEADS) or text.lstrip(" \u00a0").startswith(("=", "\uff1d"))


def to_ascii_digits(text: str) -> str:
    """Replace native-script digits and separators with their ASCII equivalents."""
    return text.translate(_DIGIT_TABLE)


@dataclass(frozen=True)
class ValueContext:
    """Locale facts the codecs need; built from ``[locale]`` and ``[dates]`` in sheetcrm.toml."""

    region: str = "US"
    currency: str = "USD"
    date_order: str = "DMY"  # how to read an ambiguous 03/04/2025: DMY, MDY or YMD
    #: The fixed day "yesterday", "Friday" and "5 Mar" are read against in the columns
    #: that allow them (``[dates] reference``); never the clock, so a re-import is stable.
    date_reference: dt.date | None = None
    #: ``[locale] calendar``: gregorian or jalali (how CLI dates and shown dates read).
    calendar: str = "gregorian"
    #: ``[satisfaction] scale`` (5 or 10): the highest score a satisfaction cell takes
    #: (``ScoreCodec``); None: any score from 0 to 10 (a library caller without a config).
    score_scale: int | None = None


DEFAULT_CONTEXT = ValueContext()


def is_blank(value: Any) -> bool:
    """True for None, '', whitespace-only text, NaN and pandas' NA/NaT."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def from_serial(serial: float) -> dt.datetime:
    """Convert a spreadsheet serial number to a datetime (epoch 1899-12-30)."""
    return SERIAL_EPOCH + dt.timedelta(days=float(serial))


def to_serial(value: dt.date | dt.datetime) -> float:
    """Convert a date or datetime to a spreadsheet serial number."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value.replace(tzinfo=None) - SERIAL_EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000


#: The Arabic spellings of Persian letters (a keyboard or a form on a phone types ي ك ة ى),
#: the heh forms, and what does not change a word: tatweel, harakat and Quranic marks,
#: joiners, the zero-width space, the byte-order mark (the first header of many CSV
#: exports) and direction marks. A half-space (ZWNJ) is left to the caller.
_LETTERS = {
    "\u064a": "\u06cc",  # ي Arabic yeh → ی
    "\u0649": "\u06cc",  # ى alef maksura → ی
    "\u0643": "\u06a9",  # ك Arabic kaf → ک
    "\u0623": "\u0627",  # أ alef with hamza above → ا
    "\u0625": "\u0627",  # إ alef with hamza below → ا
    "\u0671": "\u0627",  # ٱ alef wasla → ا
    "\u0629": "\u0647",  # ة teh marbuta → ه
    "\u06c0": "\u0647",  # ۀ heh with yeh above → ه
    "\u06c1": "\u0647",  # ہ heh goal → ه
    "\u06d5": "\u0647",  # ە ae → ه
    "\u0640": "",  # ـ tatweel (kashida)
    **dict.fromkeys(map(chr, range(0x064B, 0x0660)), ""),  # harakat, hamza above/below
    **dict.fromkeys(map(chr, range(0x0610, 0x061B)), ""),  # Quranic annotation marks
    "\u0670": "",  # superscript alef
    "\u200d": "",  # ZWJ
    "\u200b": "",  # zero-width space
    "\ufeff": "",  # byte-order mark
    **dict.fromkeys(map(chr, (*range(0x202A, 0x202F), *range(0x2066, 0x206A))), ""),
    "\u200e": "",  # left-to-right mark
    "\u200f": "",  # right-to-left mark
}
_LETTER_FOLD = str.maketrans(_LETTERS)
#: What ``normalize_token`` folds: native digits, the letters above, and a half-space
#: as a space, since Persian writers use either.
_FOLD = str.maketrans({**_DIGITS, **_LETTERS, "\u200c": " "})


def fold_letters(text: str) -> str:
    """``text`` with Persian letters for their Arabic spellings and without the marks that
    do not change a word, in Unicode's composed form (Bengali য় typed either way): the
    one letter folding that words, amounts and dates are compared after. A half-space
    (ZWNJ) is kept; case and spacing are the caller's."""
    return unicodedata.normalize("NFC", text.translate(_LETTER_FOLD))


#: What separates words: space, punctuation of Latin, Persian and Bengali text (، ؛ ؟ ।).
_SEPARATORS = re.compile(
    r"[\s_\-./,:;?!()\[\]{}'\"`|\u060c\u061b\u061f\u066a\u06d4\u0964\u0965«»‘’“”–—…]+"
)
_ASCII_SEPARATORS = re.compile(r"[\s_\-./,:;?!()\[\]{}'\"`|]+")


@functools.lru_cache(maxsize=65536)
def normalize_token(text: str) -> str:
    """Fold case, spacing and punctuation so 'In Progress', 'in-progress' and 'IN_PROGRESS'
    meet, and the ways one word is written in Persian or Bengali: Arabic ي/ك for ی/ک,
    ZWNJ or space, tatweel and diacritics, native digits, and Unicode's composed and
    decomposed forms (Bengali য় as one code point or as য + ়).

    Cached, with an ASCII fast path: every enum cell and header of an import comes here."""
    text = str(text)
    if text.isascii():
        return _ASCII_SEPARATORS.sub("_", text.strip().lower()).strip("_")
    text = unicodedata.normalize("NFKC", text).replace("\u09a4\u09cd\u200d", "\u09ce")  # ৎ
    text = unicodedata.normalize("NFC", text.translate(_FOLD)).casefold()
    return _SEPARATORS.sub("_", text).strip("_")


def values_equal(a: Any, b: Any) -> bool:
    """Equality as a spreadsheet sees it: blank == None, 1 == 1.0, a date == its midnight."""
    if is_blank(a) and is_blank(b):
        return True
    if is_blank(a) or is_blank(b):
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        a2 = a if isinstance(a, dt.datetime) else dt.datetime(a.year, a.month, a.day)
        b2 = b if isinstance(b, dt.datetime) else dt.datetime(b.year, b.month, b.day)
        return a2 == b2
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    return type(a) is type(b) and a == b


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
