"""What needs doing on the as-of day — the Dashboard's "Today" block (see ``kpis``):

Follow-ups due today
    Open leads (``OPEN_LEAD_STATUSES``) whose ``next_action_date`` is the as-of day, and
    tasks not done whose ``due_date`` is the as-of day: what ``remind`` lists as "due
    today". Leads first, then tasks, each by name.
Overdue tasks
    ``overdue_tasks()``: not done and due before the as-of day, longest overdue first.
Hot leads
    Open leads with a score (``analytics.leads``, 0–100) of at least ``HOT_SCORE`` (70),
    or with ``interest`` high and a next action due today or overdue (a warm lead waiting
    on us). Highest score first.

Each comes as a count and the first few names (``NAMES``), so a busy owner sees who.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from sheetcrm.analytics.frames import column, num, records
from sheetcrm.analytics.kpis._leads import open_leads
from sheetcrm.analytics.kpis._tasks import OVERDUE, due_bucket, overdue_tasks, task_done
from sheetcrm.model.values import is_blank

#: A lead scoring at least this is hot whatever its next action.
HOT_SCORE = 70
#: How many names each line of the Today block shows.
NAMES = 3
DUE_TODAY = "due today"


@dataclass(frozen=True)
class TodayList:
    """How many, and the names of the first ``NAMES`` of them."""

    count: int
    names: tuple[str, ...]


@dataclass(frozen=True)
class Today:
    """The Today block's three lists on one day."""

    follow_ups: TodayList
    overdue_tasks: TodayList
    hot_leads: TodayList


def _listed(names: list[str]) -> TodayList:
    return TodayList(len(names), tuple(names[:NAMES]))


def _name(value: object, fallback: object) -> str:
    return str(fallback if is_blank(value) else value).strip()


def follow_ups_due(leads: pd.DataFrame, tasks: pd.DataFrame, as_of: dt.date) -> list[str]:
    """Open leads' next actions and open tasks due on the as-of day: leads, then tasks."""
    lead_names = [
        _name(r.get("name"), r.get("lead_id"))
        for r in records(open_leads(leads))
        if due_bucket(r.get("next_action_date"), as_of) == DUE_TODAY
    ]
    task_names = [
        _name(t.get("title"), t.get("task_id"))
        for t in records(tasks)
        if due_bucket(t.get("due_date"), as_of) == DUE_TODAY
        and not task_done(t.get("status"), t.get("done"))
    ]
    return sorted(lead_names) + sorted(task_names)


def hot_leads(leads: pd.DataFrame, scores: pd.Series, as_of: dt.date) -> pd.DataFrame:
    """The open leads that are hot (see above), highest score first; ``scores``: each
    lead's score by lead ID (``Insights.leads["score"]``)."""
    rows = open_leads(leads)
    ids = column(rows, "lead_id")
    score = num(ids.map(lambda lid: scores.get(lid) if isinstance(lid, str) else None))
    waiting = column(rows, "next_action_date").map(
        lambda d: due_bucket(d, as_of) in (OVERDUE, DUE_TODAY)
    )
    high = column(rows, "interest") == "high"
    hot = (score >= HOT_SCORE) | (high & waiting.astype(bool))
    found = rows[hot.to_numpy()].assign(score=score[hot.to_numpy()].to_numpy())
    return found.sort_values("score", ascending=False, kind="stable", na_position="last")


def today(leads: pd.DataFrame, scores: pd.Series, tasks: pd.DataFrame, as_of: dt.date) -> Today:
    """Follow-ups due today, overdue tasks and hot leads on the as-of day."""
    late = [_name(t.get("title"), t.get("task_id")) for t in records(overdue_tasks(tasks, as_of))]
    hot = [_name(r.get("name"), r.get("lead_id")) for r in records(hot_leads(leads, scores, as_of))]
    return Today(
        follow_ups=_listed(follow_ups_due(leads, tasks, as_of)),
        overdue_tasks=_listed(late),
        hot_leads=_listed(hot),
    )
