"""One day/month order per date column.

A numeric date with the year last (``09/03/25``, ``21.09.2025``, ``۰۹/۲۱/۲۵``, a time
after it or not) reads differently day first (DMY) and month first (MDY). Each date
column of an import is read in one of the two, chosen in this order:

1. its values: a first number above 12 is a day (``21/09/25`` needs DMY), a second one
   above 12 is a day (``09/21/25`` needs MDY). One such value settles the column, so
   ``09/03/25`` next to ``09/21/25`` is 3 September, whatever ``[locale] date_order``
   says;
2. its header, when no value settles it: ``Invoice Date (mm/dd/yy)``, ``dd/mm/yyyy``,
   ``MM-DD-YYYY``, ``m/d/y``, ``d.m.y``, ``(MDY)``, ``(DMY)``, and in words
   ``تاریخ (روز/ماه/سال)``, ``তারিখ (মাস/দিন/বছর)``;
3. the workbook's ``[locale] date_order``.

A column whose values contradict each other (``09/21/25`` and ``21/09/25``) is refused
before anything is written: ``InputError`` naming the file, the column and the first
value of each order with its row number.

Only numeric dates with the year last count. ISO dates and date-times
(``2025-09-03T10:15:32+00:00``), year-first dates (``۱۴۰۳/۰۷/۱۵``), dates in words
(``Sep 03, 2025``, ``۲۰ مهر ۱۴۰۴``) and cells a spreadsheet already holds as dates read
the same in either order and are left alone. Work is per distinct value (an export
repeats its days; a date-time column is classified by its date part), and the scan of a
column stops at its first contradiction.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from sheetcrm.errors import InputError
from sheetcrm.ingest.readers import SourceTable
from sheetcrm.model.codecs import DATE_TYPES
from sheetcrm.model.dates import numeric_parts
from sheetcrm.model.schema import TabSchema
from sheetcrm.model.values import ValueContext

DMY = "DMY"
MDY = "MDY"

_WHO_FIRST = {DMY: "day first", MDY: "month first"}

#: ``mm/dd/yy``, ``dd-mm-yyyy``, ``m.d.y``: day and month letters then the year's, between
#: separators, not inside a word ("DD-MMM-YYYY" names the month in words: no order).
_HEADER_PATTERN = re.compile(
    r"(?<![a-z])(m{1,2}|d{1,2})\s*[/.\-]\s*(m{1,2}|d{1,2})\s*[/.\-]\s*y{1,4}(?![a-z])",
    re.IGNORECASE,
)
_HEADER_WORD = re.compile(r"(?<![a-z])(mdy|dmy)(?![a-z])", re.IGNORECASE)

#: The first character after a date part: a date-time is classified by its date alone.
_TIME_START = re.compile(r"[\sT,\u060c]")


#: The words for day, month and year a Persian or Bengali header spells the order with
#: (``تاریخ (روز/ماه/سال)``, ``তারিখ (দিন/মাস/বছর)``), as the letters of ``dd/mm/yyyy``.
_HEADER_WORDS = (
    ("\u0631\u0648\u0632", "d"),  # روز
    ("\u0645\u0627\u0647", "m"),  # ماه
    ("\u0633\u0627\u0644", "y"),  # سال
    ("\u09a6\u09bf\u09a8", "d"),  # দিন
    ("\u09ae\u09be\u09b8", "m"),  # মাস
    ("\u09ac\u099b\u09b0", "y"),  # বছর
)


def header_order(header: str) -> str | None:
    """The day/month order a column header names (``Invoice Date (mm/dd/yy)`` → MDY,
    ``تاریخ (روز/ماه/سال)`` → DMY), or None."""
    if not header.isascii():
        for word, letter in _HEADER_WORDS:
            header = header.replace(word, letter)
    m = _HEADER_PATTERN.search(header)
    if m:
        first, second = m[1][0].lower(), m[2][0].lower()
        if first != second:
            return MDY if first == "m" else DMY
        return None
    m = _HEADER_WORD.search(header)
    return m[1].upper() if m else None


def value_order(text: str) -> str | None:
    """The order one value needs (``21/09/25`` → DMY, ``09/21/25`` → MDY), or None when it
    reads the same either way or is no numeric year-last date."""
    parts = numeric_parts(text)
    if parts is None:
        return None
    a, b, _ = parts
    if a > 31:  # year first: 2025/09/03, 1403/07/15
        return None
    if a > 12 and 1 <= b <= 12:
        return DMY
    if 12 < b <= 31 and 1 <= a <= 12:
        return MDY
    return None  # both 12 or less, or no date in either order


def _date_part(text: str) -> str:
    """``09/21/25 14:22`` → ``09/21/25``: the key one classification is kept under."""
    text = text.strip()
    m = _TIME_START.search(text)
    return text[: m.start()] if m else text


def _column_order(table: SourceTable, column: str) -> str | None:
    """The order the values of ``column`` settle, or None; ``InputError`` when they
    contradict each other."""
    seen: set[str] = set()
    first: dict[str, tuple[int, str]] = {}  # order → (row, value) that first needed it
    for row in table.rows:
        value = row.values.get(column)
        if not isinstance(value, str):  # blank, or a date the spreadsheet already holds
            continue
        if value in seen:
            continue
        seen.add(value)
        key = _date_part(value)
        if key != value:  # a date-time: its day may have been classified already
            if key in seen:
                continue
            seen.add(key)
        order = value_order(key)
        if order is None or order in first:
            continue
        first[order] = (row.number, value.strip())
        if len(first) == 2:
            raise _contradiction(table.name, column, first)
    return next(iter(first), None)


def _contradiction(source: str, column: str, first: Mapping[str, tuple[int, str]]) -> InputError:
    (one, (row1, v1)), (two, (row2, v2)) = sorted(first.items(), key=lambda kv: kv[1][0])
    return InputError(
        f"{source}: column {column!r} mixes day/month orders: row {row1} has {v1!r}, "
        f"which is {_WHO_FIRST[one]} ({one}), and row {row2} has {v2!r}, which is "
        f"{_WHO_FIRST[two]} ({two}); a column is read in one order, so correct the rows "
        "that differ and import again (nothing was written)"
    )


def column_orders(
    table: SourceTable, fields: Mapping[str, str], tab: TabSchema, ctx: ValueContext
) -> dict[str, ValueContext]:
    """Field → the context its column is read with, for each date field whose column is
    read in another day/month order than ``ctx`` says (``fields``: source column →
    field of ``tab``). ``InputError`` when a column's values contradict each other."""
    out: dict[str, ValueContext] = {}
    for column, name in fields.items():
        f = tab.get(name)
        if f is None or f.type not in DATE_TYPES:
            continue
        order = (
            table.date_orders.get(column) or _column_order(table, column) or header_order(column)
        )
        if order is None:
            continue
        table.date_orders[column] = order  # what the import records for a retry
        if order != ctx.date_order:
            out[f.name] = dataclasses.replace(ctx, date_order=order)
    return out
