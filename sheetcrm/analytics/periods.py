"""Time windows for KPIs: a period is ``[start, end)`` in days, in the workbook's time
zone; "week", "month" and "quarter" are the last 7, 30 and 91 days ending with the as-of
day (a day in that zone, ``CRM.as_of``). ``kpis`` documents how every KPI uses them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from sheetcrm.analytics.frames import moment
from sheetcrm.errors import InputError

PERIOD_DAYS = {"week": 7, "month": 30, "quarter": 91}
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_DAY = dt.timedelta(days=1)


def end_of(as_of: dt.date) -> pd.Timestamp:
    """The first moment after the as-of day: nothing at or after it counts."""
    return pd.Timestamp(as_of + _DAY)


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in days; ``end`` is the first day after the period."""

    start: dt.date
    end: dt.date
    label: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last(self) -> dt.date:
        """The period's last day."""
        return self.end - _DAY

    def previous(self) -> Period:
        """The same number of days just before."""
        return Period(self.start - dt.timedelta(days=self.days), self.start, "previous period")

    def contains(self, values: pd.Series) -> pd.Series:
        """Which dates or timestamps fall in the period."""
        when = moment(values)
        return (when >= pd.Timestamp(self.start)) & (when < pd.Timestamp(self.end))


def last_days(as_of: dt.date, days: int, label: str = "") -> Period:
    """The as-of day and the ``days - 1`` days before it."""
    return Period(as_of - dt.timedelta(days=days - 1), as_of + _DAY, label)


def parse_period(text: str, as_of: dt.date) -> Period:
    """week / month / quarter (ending with the as-of day) or YYYY-MM-DD..YYYY-MM-DD."""
    text = text.strip().lower()
    if text in PERIOD_DAYS:
        return last_days(as_of, PERIOD_DAYS[text], f"the {text} to {as_of.isoformat()}")
    m = _RANGE.match(text)
    if not m:
        raise InputError(f"period {text!r}: use week, month, quarter or YYYY-MM-DD..YYYY-MM-DD")
    start, last = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
    if last < start:
        raise InputError(f"period {text!r} ends before it starts")
    if start > as_of:
        raise InputError(f"period {text!r} starts after the as-of date {as_of.isoformat()}")
    label = f"{start.isoformat()} to {min(last, as_of).isoformat()}"
    return Period(start, min(last, as_of) + _DAY, label)
