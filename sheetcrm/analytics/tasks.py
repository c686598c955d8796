"""Tasks' computed column: ``overdue``, by the one definition in ``kpis`` (not done by
checkbox or status, and due before the as-of day)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sheetcrm.analytics import kpis
from sheetcrm.analytics.frames import column


def task_metrics(
    tasks: pd.DataFrame, as_of: dt.date, mask: pd.Series | None = None
) -> pd.DataFrame:
    """Per task with an ID: whether it is overdue (``mask``: ``kpis.overdue_mask``, when the
    caller has it already)."""
    late = kpis.overdue_mask(tasks, as_of) if mask is None else mask
    ids = column(tasks, "task_id")
    known = ids.map(bool).astype(bool)
    out = pd.DataFrame({"task_id": ids[known], "overdue": late[known]})
    return out.set_index("task_id")
