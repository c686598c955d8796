"""How generated tabs (the Dashboard and the summary tabs) show amounts, months and days
in the workbook's locale: money in ``[locale] currency``'s number format, months named in
``[locale] calendar`` (``Mehr 1404``), the as-of day in it, choice values (sources,
channels) as ``[locale] labels`` shows them in the data tabs.

Sheets has no Jalali number format, so a Jalali day or month is shown as a text label;
the figures stay numbers (and dates in data tabs stay real dates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sheetcrm.model import calendars, vocab
from sheetcrm.model.changes import Formatted
from sheetcrm.model.numformat import PLAIN_MONEY, money_format
from sheetcrm.model.values import is_blank

if TYPE_CHECKING:
    from sheetcrm.crm import CRM


def money(value: Any) -> float:
    """An amount rounded to cents; blank and NaN count as 0."""
    return 0.0 if is_blank(value) else round(float(value), 2)


@dataclass(frozen=True)
class Look:
    """The locale settings a generated tab is laid out in (``PLAIN``: none)."""

    currency: str | None = None
    calendar: str = calendars.GREGORIAN
    language: str = "en"
    digits: str = "latin"
    labels: str | None = None

    @classmethod
    def of(cls, crm: CRM) -> Look:
        c = crm.config
        return cls(crm.ctx.currency, c.calendar, c.lang, c.digits, c.labels)

    @property
    def money_format(self) -> str:
        return money_format(self.currency) if self.currency else PLAIN_MONEY

    def cash(self, value: Any) -> Formatted | None:
        """An amount for a money cell: rounded to cents, in the currency's format."""
        return None if is_blank(value) else Formatted(money(value), self.money_format)

    def month(self, key: Any) -> str:
        """A month bucket (``YYYY-MM`` text, or a pandas Period) named for people."""
        text = key if isinstance(key, str) else f"{key.year:04d}-{key.month:02d}"
        return calendars.month_label(text, self.calendar, self.language, self.digits)

    def choice(self, key: str, value: Any) -> Any:
        """A choice value (``Leads.source`` ``instagram``) as the data tabs show it:
        its ``[locale] labels`` label, else itself."""
        if not self.labels or not isinstance(value, str):
            return value
        return vocab.label(key, value, self.labels)

    def day(self, day: dt.date) -> str:
        return calendars.format_date(day, self.calendar, self.language, self.digits)

    @property
    def marker(self) -> str:
        """Row 1's note of the currency: when it changes, every amount is rewritten in
        the new format (a cell's format is not read back)."""
        return f"amounts in {self.currency}" if self.currency else ""


PLAIN = Look()
