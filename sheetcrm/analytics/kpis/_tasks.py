"""Done and overdue tasks, due buckets and assignees (see ``kpis``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from sheetcrm.analytics.frames import as_date, column, day
from sheetcrm.model.values import is_blank

OVERDUE = "overdue"
NOBODY = "(nobody)"


def task_done(status: Any, done: Any) -> bool:
    """Done by status or by the checkbox, whichever a teammate used."""
    return status == "done" or (isinstance(done, (bool, np.bool_)) and bool(done))


def due_bucket(due: Any, as_of: dt.date) -> str | None:
    """How soon something is due: "overdue" (before the as-of day), "due today", "this week"
    (within 7 days), else None (later, or no date)."""
    when = as_date(due)
    if when is None:
        return None
    days = (when - as_of).days
    if days < 0:
        return OVERDUE
    if days == 0:
        return "due today"
    return "this week" if days <= 7 else None


def task_overdue(status: Any, done: Any, due: Any, as_of: dt.date) -> bool:
    return not task_done(status, done) and due_bucket(due, as_of) == OVERDUE


def overdue_mask(tasks: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Which tasks are overdue on the as-of date."""
    parts = (column(tasks, name) for name in ("status", "done", "due_date"))
    late = [task_overdue(s, d, due, as_of) for s, d, due in zip(*parts, strict=True)]
    return pd.Series(late, index=tasks.index, dtype=bool)


def overdue_tasks(
    tasks: pd.DataFrame, as_of: dt.date, mask: pd.Series | None = None
) -> pd.DataFrame:
    """The overdue tasks, longest overdue first (``mask``: ``overdue_mask``, when the caller
    has it already)."""
    late = tasks[overdue_mask(tasks, as_of) if mask is None else mask]
    due = day(column(late, "due_date"))
    return late.iloc[due.argsort(kind="stable").to_numpy()]


def assignee(name: Any) -> str:
    """Who a task or lead belongs to, "(nobody)" when blank."""
    return NOBODY if is_blank(name) else str(name).strip() or NOBODY


def overdue_by_assignee(overdue: pd.DataFrame) -> dict[str, int]:
    """Overdue task counts per assignee, most first."""
    counts = Counter(assignee(a) for a in column(overdue, "assignee"))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
