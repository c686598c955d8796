"""Dates that name a day only against another day: "yesterday", "Friday", "3 days ago".

They are never read against the clock (the same file must give the same values on any day):
``relative`` recognises them, and the date codec either refuses them or resolves them
against the fixed ``[dates] reference`` day of the configuration. The rules, for a
reference day R:

- today / yesterday / tomorrow (and the day before yesterday, the day after tomorrow) are
  R, R − 1, R + 1 (R − 2, R + 2); also in Persian (امروز, دیروز, فردا, پریروز, پس‌فردا)
  and Bengali (আজ, গতকাল, আগামীকাল).
- "N days ago", "N weeks ago", "in N days" (and ``۳ روز پیش``, ``৩ দিন আগে``) count from R.
- A weekday name ("Friday", "Fri", "جمعه", "শুক্রবার") is the last such day on or before R;
  "last Friday" the last one strictly before R; "next Friday" the first one after R.
- Any of these may be followed by a time ("yesterday 3pm", "Friday 14:30").
- A period ("next week", "last month") is not a day, and is refused even with a reference.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from sheetcrm.model.datewords import ENGLISH_WEEKDAYS, WEEKDAY_WORDS, fold, joined

FULL_DATE = "a full date (day, month and year)"


def partial_hint(field_key: str = "") -> str:
    """What to do about a partial or relative date in the field ``Tab.field``."""
    listed = json.dumps(field_key, ensure_ascii=False) if field_key else "the column as Tab.field"
    return (
        f"to read such dates against a fixed day, add {listed} to [dates] partial "
        "in sheetcrm.toml and set [dates] reference"
    )


_WORDS: dict[str, int] = {
    "today": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "the day before yesterday": -2,
    "day before yesterday": -2,
    "the day after tomorrow": 2,
    "day after tomorrow": 2,
    "امروز": 0,
    "دیروز": -1,
    "فردا": 1,
    "پریروز": -2,
    "پسفردا": 2,  # پس‌فردا once the zero-width non-joiner is folded away
    "پس فردا": 2,
    "আজ": 0,
    "গতকাল": -1,
    "আগামীকাল": 1,
}

_TIME = re.compile(
    r"(?:at\s+)?(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?", re.IGNORECASE
)

_COUNT = re.compile(
    r"(?:(?P<n>\d+|an?|one)\s+(?P<unit>day|week)s?\s+ago"
    r"|in\s+(?P<m>\d+|an?|one)\s+(?P<unit2>day|week)s?"
    r"|(?P<fa>\d+)\s*(?P<fa_unit>روز|هفته)\s*(?:پیش|قبل)"
    r"|(?P<bn>\d+)\s*(?P<bn_unit>দিন|সপ্তাহ)\s*আগে)",
    re.IGNORECASE,
)

_PERIOD = re.compile(
    r"(?:(?:last|next|this|past|coming|previous)\s+)?(?:week|month|year|quarter|weekend)"
    r"|هفته\s*(?:پیش|بعد|قبل)|ماه\s*(?:پیش|بعد|قبل)|(?:গত|আগামী)\s*(?:সপ্তাহ|মাস)",
    re.IGNORECASE,
)


class NotADay(ValueError):
    """Text that names a period or something else no reference day turns into one day."""


@dataclass(frozen=True)
class Relative:
    """A day named against a reference day, and the time of day if one was given."""

    why: str  # why it is not a full date, for the message when it is refused
    day: Callable[[dt.date], dt.date]
    clock: dt.time | None = None


def relative(text: str) -> Relative | None:
    """The relative day ``text`` names (digits already ASCII), or None if it names none.

    Raises ``NotADay`` for a period ("next week"), which no reference makes a single day.
    """
    folded = joined(" ".join(fold(text).replace(",", " ").split()))
    if _PERIOD.fullmatch(folded):
        raise NotADay(f"{FULL_DATE}: it names a period, not a day")
    head, clock = _split_time(folded)
    if head in _WORDS:
        shift = _WORDS[head]
        return Relative(_DEPENDS, lambda ref: ref + dt.timedelta(days=shift), clock)
    m = _COUNT.fullmatch(head)
    if m:
        return Relative(_DEPENDS, _counted(m), clock)
    direction, _, name = (
        head.partition(" ") if head.startswith(("last ", "next ")) else ("", "", head)
    )
    if name in WEEKDAY_WORDS:
        return Relative(
            "it names a weekday, not a date", _weekday(WEEKDAY_WORDS[name], direction), clock
        )
    return None


_DEPENDS = "it depends on the day it was written"
_NO_TIME = "a day and a valid time of day (hours 0–23, or 1–12 with am/pm)"


_DAY_NAMES = ENGLISH_WEEKDAYS


def check_weekday(text: str, day: dt.date) -> None:
    """Refuse a full date whose weekday name disagrees with it ("Friday, 5 March 2025" —
    a Wednesday): one of the two is wrong, and which one is not for sheetcrm to guess."""
    for named in _weekdays_named(text):
        if named != day.weekday():
            raise NotADay(
                f"a date whose weekday agrees with it: {day:%Y-%m-%d} is a "
                f"{_DAY_NAMES[day.weekday()]}, not a {_DAY_NAMES[named]}"
            )


@functools.lru_cache(maxsize=4096)  # the words of an export's dates repeat
def _weekdays_named(text: str) -> tuple[int, ...]:
    """The weekdays (Monday = 0) ``text`` names."""
    words = re.findall(r"[^\W\d_]+", joined(fold(text)))
    return tuple(WEEKDAY_WORDS[word] for word in words if word in WEEKDAY_WORDS)


def _split_time(text: str) -> tuple[str, dt.time | None]:
    """Split a trailing time ("3pm", "14:30", "at 9:05 am") off a relative day."""
    for m in _TIME.finditer(text):
        if m.end() != len(text) or m.start() == 0 or text[m.start() - 1] != " ":
            continue
        if not (m[2] or m[4]):  # "Friday 5" is not a time
            continue
        hour, minute, second = int(m[1]), int(m[2] or 0), int(m[3] or 0)
        if m[4]:
            if not 1 <= hour <= 12:
                raise NotADay(_NO_TIME)
            hour = hour % 12 + (12 if m[4].startswith("p") else 0)
        try:
            return text[: m.start()].strip(), dt.time(hour, minute, second)
        except ValueError:
            raise NotADay(_NO_TIME) from None
    return text, None


def _counted(m: re.Match[str]) -> Callable[[dt.date], dt.date]:
    """'3 days ago', 'in 2 weeks', '۳ روز پیش', '৩ দিন আগে' as a shift from the reference."""
    count = m["n"] or m["m"] or m["fa"] or m["bn"]
    unit = m["unit"] or m["unit2"] or m["fa_unit"] or m["bn_unit"]
    n = int(count) if count.isdigit() else 1
    days = n * (7 if unit in ("week", "هفته", "সপ্তাহ") else 1)
    sign = 1 if m["m"] else -1
    return lambda ref: ref + dt.timedelta(days=sign * days)


def _weekday(weekday: int, direction: str) -> Callable[[dt.date], dt.date]:
    """Bare: on or before the reference; 'last': strictly before; 'next': strictly after."""

    def day(ref: dt.date) -> dt.date:
        if direction == "next":
            return ref + dt.timedelta(days=(weekday - ref.weekday() - 1) % 7 + 1)
        back = (ref.weekday() - weekday) % 7
        if direction == "last" and back == 0:
            back = 7
        return ref - dt.timedelta(days=back)

    return day
