"""Customer satisfaction from the scores on Interactions (``satisfaction``; see ``kpis``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sheetcrm.analytics.frames import column, moment, num
from sheetcrm.analytics.periods import Period, end_of
from sheetcrm.errors import ConfigError

#: The scales a workbook may keep scores on: 1–5 stars or 0–10 (Net Promoter Score).
SCALES = (5, 10)
DEFAULT_SCALE = 5
#: A score at or above this is a happy one: 4–5 on 1–5, 9–10 (promoters) on 0–10.
HAPPY_FROM = {5: 4, 10: 9}
#: A score at or below this is an unhappy one: 1–2 on 1–5, 0–6 (detractors) on 0–10.
UNHAPPY_TO = {5: 2, 10: 6}
SCORE_COLUMNS = ("customer_id", "lead_id", "when", "score", "by", "said")


@dataclass(frozen=True)
class SatisfactionSettings:
    """``[satisfaction]``: the scale, and the last score at or below which a customer is
    unhappy (segment, reminder)."""

    scale: int = DEFAULT_SCALE
    unhappy_at: float = UNHAPPY_TO[DEFAULT_SCALE]
    #: Who follows up on an unhappy customer when no one is named in the score's ``by``.
    owner: str | None = None

    @property
    def happy_from(self) -> int:
        return HAPPY_FROM[self.scale]


def satisfaction_settings(table: Any) -> SatisfactionSettings:
    """``[satisfaction]`` validated (one clear error), defaults without it."""
    if table is None:
        return SatisfactionSettings()
    if not isinstance(table, Mapping):
        raise ConfigError("sheetcrm.toml [satisfaction] must be a table")
    unknown = set(table) - {"scale", "unhappy_at", "owner"}
    if unknown:
        raise ConfigError(f"sheetcrm.toml [satisfaction]: unknown key {sorted(unknown)[0]!r}")
    scale = table.get("scale", DEFAULT_SCALE)
    if scale not in SCALES or isinstance(scale, bool):
        raise ConfigError(
            f"sheetcrm.toml [satisfaction] scale = {scale!r}: use 5 (scores 1–5) or 10 (0–10, NPS)"
        )
    at = table.get("unhappy_at", UNHAPPY_TO[scale])
    if isinstance(at, bool) or not isinstance(at, (int, float)) or not 0 <= at <= scale:
        raise ConfigError(
            f"sheetcrm.toml [satisfaction] unhappy_at = {at!r}: a score from 0 to {scale}"
        )
    owner = table.get("owner")
    if owner is not None and (not isinstance(owner, str) or not owner.strip()):
        raise ConfigError(
            'sheetcrm.toml [satisfaction] owner: a team member\'s name, like "Maryam"'
        )
    return SatisfactionSettings(int(scale), at, owner.strip() if owner else None)


@dataclass(frozen=True)
class Satisfaction:
    """Scores in a period (or all time): how many, their average, the share that are happy
    (``HAPPY_FROM``) and, on the 0–10 scale, the Net Promoter Score (% promoters −
    % detractors, −100 to 100). Blank (None) without scores."""

    responses: int
    average: float | None
    happy_share: float | None
    nps: float | None
    scale: int


def scores(interactions: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Every scored interaction up to the as-of day: customer_id, lead_id, when, score,
    who took it (``by``) and what was said with it (``said``, the summary), oldest first
    (a score that is not a number, or has no readable date, counts nowhere)."""
    frame = pd.DataFrame(
        {
            "customer_id": column(interactions, "customer_id"),
            "lead_id": column(interactions, "lead_id"),
            "when": moment(column(interactions, "date")),
            "score": num(column(interactions, "satisfaction")),
            "by": column(interactions, "by"),
            "said": column(interactions, "summary"),
        }
    )
    kept = frame["score"].notna() & frame["when"].notna() & (frame["when"] < end_of(as_of))
    return frame[kept].sort_values("when", kind="stable").reset_index(drop=True)


def satisfaction(
    interactions: pd.DataFrame,
    as_of: dt.date,
    period: Period | None = None,
    settings: SatisfactionSettings | None = None,
) -> Satisfaction:
    """The satisfaction figures of the scores given in ``period`` (all time when None)."""
    settings = settings or SatisfactionSettings()
    found = scores(interactions, as_of)
    if period is not None:
        found = found[period.contains(found["when"])]
    values = found["score"]
    if values.empty:
        return Satisfaction(0, None, None, None, settings.scale)
    happy = float((values >= settings.happy_from).mean())
    nps = None
    if settings.scale == 10:
        nps = round(100 * (happy - float((values <= UNHAPPY_TO[10]).mean())), 1)
    return Satisfaction(len(values), round(float(values.mean()), 2), happy, nps, settings.scale)


def customer_satisfaction(interactions: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Per customer ID with a score: ``satisfaction`` (the average of their scores),
    ``last_satisfaction`` (the latest) and ``last_scored`` (its day)."""
    found = scores(interactions, as_of)
    found = found[found["customer_id"].notna()]
    found = found.assign(customer_id=found["customer_id"].astype(str))
    groups = found.groupby("customer_id")
    return pd.DataFrame(
        {
            "satisfaction": groups["score"].mean().round(2),
            "last_satisfaction": groups["score"].last(),
            "last_scored": groups["when"].last().dt.normalize(),
        }
    )


def unhappy_customers(
    customers: pd.DataFrame, settings: SatisfactionSettings | None = None
) -> pd.DataFrame:
    """Customers whose last score is at or below ``unhappy_at`` (the follow-up list; needs
    the computed ``last_satisfaction``)."""
    settings = settings or SatisfactionSettings()
    last = num(column(customers, "last_satisfaction"))
    return customers[last.notna() & (last <= settings.unhappy_at)]
