"""How a cell's value is shown to people, as text (tables, CSV) or as JSON: one place, so
``sheetcrm show`` and ``sheetcrm export`` print the same value the same way.

The field's type decides, as the sheet's own number formats do: a date field shows a date,
a datetime field its date and time (midnight as ``00:00``, because its cells are formatted
``yyyy-mm-dd hh:mm``). A value with no declared type (a teammate's column, a tab sheetcrm
does not own) that is a datetime at midnight is how a spreadsheet hands back a date cell,
so it shows as a date.

A table printed for people (``show``'s table) shows money in the workbook currency
(``for_table``: ``₹1,23,456.00``, ``15,000,000 تومان``); CSV and JSON keep plain numbers,
which programs and spreadsheets read back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sheetcrm.model.values import Codec, is_blank


def for_people(value: Any, codec: Codec | None = None) -> Any:
    """The value to show: None for blank, a date where the type (or its absence) says the
    time of day means nothing, else the value itself."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        kind = codec.name if codec is not None else None
        if kind == "date" or (kind is None and value.time() == dt.time()):
            return value.date()
    return value


def as_text(value: Any, codec: Codec | None = None) -> str:
    """Text for a table or a CSV cell: the codec's format (what sheetcrm writes into the
    sheet), or plain ISO dates and ``str`` for a value of no declared type. Text is shown
    as it is: ``maybe`` typed into a TRUE/FALSE column is ``maybe``, not ``TRUE``."""
    shown = for_people(value, codec)
    if shown is None:
        return ""
    if isinstance(shown, str):  # text, or a cell that did not parse: as the sheet holds it
        return shown
    if codec is not None:
        try:
            return codec.format(shown)
        except (TypeError, ValueError):  # a value of another type than the field's
            return str(shown)
    if isinstance(shown, dt.datetime):
        return shown.strftime("%Y-%m-%d %H:%M")
    if isinstance(shown, dt.date):
        return shown.isoformat()
    return str(shown)


def as_json(value: Any, codec: Codec | None = None) -> Any:
    """A JSON value: None for blank, ISO dates (``2025-10-04``) and date-times
    (``2025-10-04T14:30:00``), numpy scalars as plain numbers."""
    shown = for_people(value, codec)
    if isinstance(shown, (dt.date, dt.datetime)):
        return shown.isoformat()
    return shown.item() if hasattr(shown, "item") else shown


def for_table(
    value: Any, codec: Codec | None = None, currency: str | None = None, language: str = "en"
) -> str:
    """Text for a table people read: ``as_text``, except that an amount in a money field
    is shown in ``currency`` (``model.money.format_money``: its sign, decimals and
    grouping). Without a currency, or for text in a money column, ``as_text``."""
    shown = for_people(value, codec)
    amount = isinstance(shown, (int, float, Decimal)) and not isinstance(shown, bool)
    if currency and codec is not None and codec.name == "money" and amount:
        from sheetcrm.model.money import format_money

        return format_money(shown, currency, language)
    return as_text(value, codec)
