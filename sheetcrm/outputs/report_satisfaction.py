"""The report's Satisfaction section: the scores given in the period against the period
before (``kpis.satisfaction``: responses, average, share happy, NPS on 0–10) and the
customers whose last score is an unhappy one, to follow up.

Per-customer scores are taken from the Interactions frame itself (``kpis.
customer_satisfaction``), not from the computed Customers columns, so a report on a workbook
that has not been refreshed since the scores came in still lists who is unhappy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sheetcrm.analytics import kpis
from sheetcrm.analytics.frames import column, records
from sheetcrm.analytics.periods import Period

#: Unhappy customers a report lists (lowest, then oldest, last score first).
TOP_UNHAPPY = 15


@dataclass
class SatisfactionReport:
    """``now``: the period's scores; ``before``: the period before's; ``overall``: every
    score up to the as-of day; ``unhappy``: customer_id, name, email, phone,
    last_satisfaction, last_scored (a date) of each unhappy customer, ``unhappy_count`` of
    them in all (the list is cut at ``TOP_UNHAPPY``)."""

    now: kpis.Satisfaction
    before: kpis.Satisfaction
    overall: kpis.Satisfaction
    unhappy: list[dict[str, Any]]
    unhappy_count: int
    unhappy_at: float

    @property
    def scale(self) -> int:
        return self.now.scale

    @property
    def lowest(self) -> int:
        """The lowest score of the scale (1 of 1–5, 0 of 0–10), for the "what to do" line."""
        return 1 if self.scale == 5 else 0

    @property
    def happy_from(self) -> int:
        return kpis.HAPPY_FROM[self.scale]

    @property
    def empty(self) -> bool:
        return self.overall.responses == 0

    @staticmethod
    def decimals(value: float | None) -> int:
        """Decimals to show a score with: none for a whole one (2, not 2.0)."""
        return 0 if value is None or float(value).is_integer() else 1


def _unhappy(
    customers: pd.DataFrame, interactions: pd.DataFrame, as_of: dt.date, settings: Any
) -> pd.DataFrame:
    """Customers whose latest score up to ``as_of`` is at or below ``unhappy_at``."""
    scored = kpis.customer_satisfaction(interactions, as_of)
    if scored.empty or customers.empty:
        return customers.iloc[0:0]
    ids = column(customers, "customer_id").astype(str)
    last = scored["last_satisfaction"].reindex(ids.to_numpy()).to_numpy()
    when = scored["last_scored"].reindex(ids.to_numpy()).to_numpy()
    frame = customers.assign(last_satisfaction=last, last_scored=when)
    found = kpis.unhappy_customers(frame, settings)
    return found.sort_values(["last_satisfaction", "last_scored"], kind="stable")


def _row(record: Mapping[str, Any]) -> dict[str, Any]:
    scored = record.get("last_scored")
    return {
        "customer_id": record.get("customer_id"),
        "name": record.get("name") or record.get("customer_id"),
        "email": record.get("email"),
        "phone": record.get("phone"),
        "last_satisfaction": float(record["last_satisfaction"]),
        "last_scored": None if pd.isna(scored) else pd.Timestamp(scored).date(),
    }


def satisfaction_report(
    frames: Mapping[str, pd.DataFrame],
    period: Period,
    as_of: dt.date,
    settings: kpis.SatisfactionSettings | None = None,
) -> SatisfactionReport:
    """The Satisfaction section's figures (all blank, no customers, without scores)."""
    settings = settings or kpis.SatisfactionSettings()
    interactions = frames["Interactions"]
    unhappy = _unhappy(frames["Customers"], interactions, as_of, settings)
    rows = [_row(r) for r in records(unhappy.head(TOP_UNHAPPY))]
    return SatisfactionReport(
        now=kpis.satisfaction(interactions, as_of, period, settings),
        before=kpis.satisfaction(interactions, as_of, period.previous(), settings),
        overall=kpis.satisfaction(interactions, as_of, None, settings),
        unhappy=rows,
        unhappy_count=len(unhappy),
        unhappy_at=settings.unhappy_at,
    )
