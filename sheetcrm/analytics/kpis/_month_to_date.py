"""This month so far against the same days of last month (see ``kpis``, "Month to date"):
a change that compares like with like, since a month two weeks old would otherwise be
compared with a whole month."""

from __future__ import annotations

import datetime as dt

from sheetcrm.analytics.periods import Period, last_month, this_month
from sheetcrm.model import calendars


def same_days_last_month(as_of: dt.date, calendar: str = calendars.GREGORIAN) -> Period:
    """Last month (in ``calendar``) from its 1st for as many days as this month has had
    (``periods.this_month``), cut at last month's end (31 March → all of February)."""
    now, before = this_month(as_of, calendar), last_month(as_of, calendar)
    end = min(before.start + dt.timedelta(days=now.days), before.end)
    return Period(before.start, end, "same days last month")
