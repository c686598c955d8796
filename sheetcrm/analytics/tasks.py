"""Tasks' computed column: ``overdue``, by the one definition in ``kpis`` (not done by
checkbox or status, and due before the as-of day)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sheetcrm.analytics import kpis
from sheetcrm.analytics.frames import column


def task_metrics(tasks: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Per task with an ID: whether it is overdue."""
    late = kpis.overdue_mask(tasks, as_of)
    ids = column(tasks, "task_id")
    known = ids.map(bool).astype(bool)
    out = pd.DataFrame({"task_id": ids[known], "overdue": late[known]})
    return out.set_index("task_id")
