"""The words of dates as people type them in Persian, Bengali and English: month names
(Jalali and Gregorian), weekdays and the time of day, and the one translation of a typed
date into the English words ``dateutil`` reads.

The canonical month names are ``model.calendars``'; this module adds the spellings people
type besides them: Arabic letters (ي ك), a month with ``ماه`` (``مهرماه``, ``دی ماه``),
spellings without the madda (ابان), the Afghan names of the Jalali months (میزان for
Mehr), Afghan and colloquial Persian names of Gregorian months (جولای, آگوست), Bengali
spelling variants (জানুয়ারী, সেপ্টেম্বার, অগাস্ট) and CLDR's abbreviations (সেপ্টেঃ,
অক্টো), Bengali ordinals (১৫ই, ১লা), and the markers Google Sheets writes in fa and bn
timestamps (CLDR: ``ق.ظ.``/``ب.ظ.``; older ``পূর্বাহ্ণ``/``অপরাহ্ণ``; ``AM``/``PM``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from sheetcrm.model.calendars import GREGORIAN_MONTHS, JALALI_MONTHS
from sheetcrm.model.values import fold_letters

_ENGLISH_MONTHS = GREGORIAN_MONTHS["en"]
ENGLISH_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def fold(text: str) -> str:
    """``text`` as month and weekday words are looked up: ``values.fold_letters``, without
    half-spaces, case folded."""
    return _fold(text).casefold()


def _fold(text: str) -> str:
    return fold_letters(text).replace("\u200c", "")  # سه‌شنبه is one word


def _table(*groups: dict[int, tuple[str, ...]]) -> dict[str, int]:
    """Word → number, from the canonical names and the variants of each number."""
    return {fold(w): n for group in groups for n, words in group.items() for w in words}


#: Jalali months: number by word (canonical Persian and English names, and variants).
JALALI_WORDS = _table(
    {
        n + 1: (fa, en)
        for n, (fa, en) in enumerate(zip(JALALI_MONTHS["fa"], JALALI_MONTHS["en"], strict=True))
    },
    {
        2: ("Ordibehest",),
        5: ("امرداد", "Amordad"),
        6: ("Shahrivar",),
        8: ("ابان", "Aabaan"),
        9: ("اذر", "Aazar"),
        10: ("Dei",),
        12: ("Esfand",),
    },
    {  # the same months by their Afghan (Dari) names: حمل … حوت
        n + 1: (name,)
        for n, name in enumerate(
            (
                "حمل",
                "ثور",
                "جوزا",
                "سرطان",
                "اسد",
                "سنبله",
                "میزان",
                "عقرب",
                "قوس",
                "جدی",
                "دلو",
                "حوت",
            )
        )
    },
)

#: Gregorian months in Persian and Bengali (and English, to know one was named).
GREGORIAN_WORDS = _table(
    {n + 1: tuple(names[n] for names in GREGORIAN_MONTHS.values()) for n in range(12)},
    {n + 1: (name[:3],) for n, name in enumerate(_ENGLISH_MONTHS)},
    {  # Afghan and colloquial Persian; Bengali variants and CLDR's abbreviations
        1: ("جنوری", "জানুয়ারী", "জানুআরি", "জানু"),
        2: ("فبروری", "ফেব্রুয়ারী", "ফেব্রুআরি", "ফেব"),
        3: ("مارچ",),
        4: ("آپریل", "اپریل", "এপ্রি"),
        5: ("می",),
        6: ("جون",),
        7: ("جولای", "জুল"),
        8: ("آگوست", "اگوست", "اگست", "আগষ্ট", "অগাস্ট", "অগস্ট", "আগ"),
        9: ("Sept", "سپتمبر", "সেপ্টেম্বার", "সেপ্টে", "সেপ"),
        10: ("اکتوبر", "অক্টোবার", "অক্টো"),
        11: ("نومبر", "নভেম্বার", "নভে"),
        12: ("دسمبر", "ডিসেম্বার", "ডিসে"),
    },
)

#: Weekdays (Monday = 0, as ``datetime.weekday()``) in English, Persian and Bengali.
WEEKDAY_WORDS = _table(
    {
        0: ("monday", "mon", "دوشنبه", "সোমবার", "সোম"),
        1: ("tuesday", "tue", "tues", "سهشنبه", "মঙ্গলবার", "মঙ্গল"),
        2: ("wednesday", "wed", "چهارشنبه", "বুধবার", "বুধ"),
        3: ("thursday", "thu", "thur", "thurs", "پنجشنبه", "বৃহস্পতিবার", "বিষ্যুদবার", "বৃহস্পতি"),
        4: ("friday", "fri", "جمعه", "آدینه", "শুক্রবার", "শুক্র"),
        5: ("saturday", "sat", "شنبه", "শনিবার", "শনি"),
        6: ("sunday", "sun", "یکشنبه", "রবিবার", "রোববার", "রবি"),
    }
)

#: Before noon (False) or after (True): Persian and Bengali markers, dots and spaces
#: removed (``ب.ظ.`` → ``بظ``); English am/pm ``dateutil`` reads itself.
MERIDIEM_WORDS: dict[str, bool] = {
    fold(word): pm
    for words, pm in (
        (("قظ", "قبلازظهر", "صبح", "পূর্বাহ্ণ", "পূর্বাহ্ন", "এএম", "সকাল"), False),
        (("بظ", "بعدازظهر", "عصر", "পিএম", "অপরাহ্ণ", "অপরাহ্ন", "বিকাল", "বিকেল"), True),
    )
    for word in words
}

#: Words a date may carry that say nothing more: "ساعت" (o'clock), "ماه" after a month,
#: "সাল"/"سال" (year), "তারিখ"/"تاریخ" (date).
_FILLER = {fold(w) for w in ("ساعت", "ماه", "سال", "সাল", "তারিখ", "تاریخ")}

_SPACED = re.compile(r"(یک|دو|سه|چهار|پنج)\s+شنبه|(قبل|بعد)\s*از\s*ظهر|[قب]\.?\s+ظ")
#: A marker written onto its clock ("۱۲:۱۰بظ", "10:22ب.ظ."), as some Jalali date pickers do.
_STUCK = re.compile(r"(\d)(?=[قب]\.?\s*ظ)")
_ORDINAL = re.compile(r"^(\d{1,2})(?:ই|লা|রা|ঠা|শে|ام|م|টা)$")
_CLOCK = re.compile(r"^\d{1,2}(?::\d{2}){0,2}$")
_OFFSET = re.compile(r"^(?:gmt|utc)(?:[+-]\d{1,2}(?::?\d{2})?)?$")


def joined(folded: str) -> str:
    """Two-word spellings as one (``سه شنبه`` → ``سهشنبه``, ``بعد از ظهر`` → ``بعدازظهر``)."""
    return _SPACED.sub(lambda m: m[0].replace(" ", ""), _STUCK.sub(r"\1 ", folded))


@dataclass(frozen=True)
class Words:
    """A typed date in the English ``dateutil`` reads, and what its words said."""

    text: str
    jalali_month: int | None = None  # the Jalali month named (the text says January)
    month_named: bool = False  # a Gregorian month was named in words


def _token(word: str) -> tuple[str, int | None, bool]:
    """One word in English (or unchanged), the Jalali month it names, whether it names
    a Gregorian month."""
    key = word.casefold().strip(".ঃ:")
    key = key.replace(".", "").replace("ঃ", "")
    m = _ORDINAL.match(key)
    if m:
        return m[1], None, False
    if _OFFSET.match(key):  # the wall clock is kept; dateutil knows GMT in capitals only
        return word.upper(), None, False
    if key in _FILLER:
        return "", None, False
    for candidate in (key, key[:-3] if key.endswith("ماه") else ""):
        if candidate in JALALI_WORDS:
            return "January", JALALI_WORDS[candidate], False  # a 31-day stand-in month
    if key in GREGORIAN_WORDS:
        return _ENGLISH_MONTHS[GREGORIAN_WORDS[key] - 1], None, True
    if key in WEEKDAY_WORDS:
        return ENGLISH_WEEKDAYS[WEEKDAY_WORDS[key]], None, False
    if key in MERIDIEM_WORDS:
        return "PM" if MERIDIEM_WORDS[key] else "AM", None, False
    return word, None, False


@functools.lru_cache(maxsize=4096)  # an export repeats its timestamps' words
def english(text: str) -> Words:
    """``text`` (digits already ASCII) with its Persian and Bengali date words in English;
    a Jalali month becomes "January" and is returned apart, to be read as Jalali. Other
    words pass as typed ("GMT+6" in a Forms download keeps the case dateutil needs)."""
    folded = joined(_fold(text).replace(",", " , "))
    out: list[str] = []
    jalali: int | None = None
    named = False
    for word in folded.split():
        english_word, month, gregorian = _token(word)
        if month is not None:
            if jalali is not None:
                raise ValueError(f"two months in {text!r}")
            jalali = month
        named = named or gregorian
        if english_word:
            out.append(english_word)
    return Words(" ".join(_after_clock(out)).replace(" ,", ","), jalali, named)


def _after_clock(words: list[str]) -> list[str]:
    """A marker written before its clock ("সকাল ১০:৩০", "PM 3:15") moved after it."""
    out = list(words)
    for i in range(len(out) - 1):
        before = i > 0 and _CLOCK.match(out[i - 1])
        if out[i] in ("AM", "PM") and _CLOCK.match(out[i + 1]) and not before:
            out[i], out[i + 1] = out[i + 1], out[i]
    return out
