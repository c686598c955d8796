"""Unhappy customers out: who scored us low last time, and who should call them back.

A customer is unhappy when their last score is at or below ``[satisfaction] unhappy_at``
(``kpis.unhappy_customers``' rule, read from the Interactions as of the day, so the list
does not wait for a ``refresh``). The follow-up goes to the digest of the person who took
that score (the interaction's ``by``), else to ``[satisfaction] owner``, else to nobody in
particular ("(nobody)", as an unassigned task). Customers who opted out are left out, as
everywhere in ``remind``.

    [satisfaction]
    scale = 5          # 1–5 ratings (10: 0–10, NPS)
    unhappy_at = 2     # a last score of 2 or less is unhappy
    owner = "Maryam"   # who calls back when nobody is named in the score's `by`
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sheetcrm.analytics import kpis
from sheetcrm.analytics.frames import column, records
from sheetcrm.model.values import is_blank

#: The keys of one follow-up (``RemindResult.unhappy``).
FOLLOWUP_KEYS = (
    "customer_id",
    "name",
    "email",
    "phone",
    "last_satisfaction",
    "last_scored",
    "by",
    "said",
)


def _last_scores(interactions: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Per customer ID: their last score up to the as-of day (``kpis.scores``: its day,
    ``by`` and what the customer said with it)."""
    found = kpis.scores(interactions, as_of)
    found = found[found["customer_id"].notna()]
    found = found.assign(customer_id=found["customer_id"].astype(str).str.strip())
    return found.groupby("customer_id").last()


def unhappy_followups(
    frames: Mapping[str, pd.DataFrame],
    as_of: dt.date,
    settings: kpis.SatisfactionSettings,
) -> list[dict[str, Any]]:
    """The follow-up list (``FOLLOWUP_KEYS``, and ``scale``), lowest score first, then
    longest waiting; ``by`` is who gets it (the score's taker, else ``owner``), ``said``
    what the customer wrote with the score (for whoever calls back)."""
    owner = settings.owner
    last = _last_scores(frames["Interactions"], as_of)
    low = last[last["score"] <= settings.unhappy_at]
    if low.empty:
        return []
    customers = frames["Customers"]
    ids = column(customers, "customer_id").astype(str).str.strip()
    people = dict(zip(ids, records(customers), strict=True))
    out = []
    for cid, row in low.iterrows():
        person = people.get(str(cid))
        if person is None or person.get("opt_out") is True:
            continue
        taker = row["by"]
        out.append(
            {
                "customer_id": str(cid),
                "name": _text(person.get("name")) or str(cid),
                "email": _text(person.get("email")),
                "phone": _text(person.get("phone")),
                "last_satisfaction": _score(row["score"]),
                "last_scored": row["when"].date(),
                "by": kpis.assignee(owner if is_blank(taker) else taker),
                "said": _text(row["said"]),
                "scale": settings.scale,
            }
        )
    return sorted(out, key=lambda u: (u["last_satisfaction"], u["last_scored"], u["name"]))


def _score(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _text(value: Any) -> str:
    return "" if is_blank(value) else str(value).strip()
