"""Commission, reseller margin and referral rewards: what each programme has paid, owes and
still holds back, how near its payout threshold the approved balance is, and which
tracking id (a video, a post) earned most — from the Earnings tab's frame alone.

Referral rewards are money the business pays out, so they are kept apart from income:
``referrals`` says what is owed and what has been paid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: ``EarningsTables.programmes`` columns.
PROGRAMME_COLUMNS = [
    "programme",
    "source",
    "events",
    "pending",
    "approved",
    "paid",
    "cancelled",
    "balance",  # approved and not yet paid
    "threshold",  # the programme's minimum payout (blank: none configured)
    "to_threshold",  # what the balance still lacks to reach it (0 once reached)
    "progress",  # balance ÷ threshold, at most 1 (blank without a threshold)
]
#: ``EarningsTables.by_tracking`` columns.
TRACKING_COLUMNS = ["tracking_id", "events", "sale_amount", "earned", "pending"]


@dataclass(frozen=True)
class EarningsTables:
    """What the Earnings tab adds up to on one day (all empty without earnings)."""

    programmes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({c: [] for c in PROGRAMME_COLUMNS})
    )
    by_tracking: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({c: [] for c in TRACKING_COLUMNS})
    )
    earned: float = 0.0  # income (not referral rewards) approved or paid, all time
    pending: float = 0.0  # income still pending
    balance: float = 0.0  # income approved, not yet paid, over all programmes
    rewards_owed: float = 0.0  # referral rewards pending or approved, not yet paid
    rewards_paid: float = 0.0

    @property
    def empty(self) -> bool:
        return self.programmes.empty


def payout_thresholds(table: Mapping[str, Any] | None) -> dict[str, float]:
    """``[earnings]`` of sheetcrm.toml → programme name → minimum payout
    (``[earnings."Flipkart Affiliate"] payout_threshold = 1000``); ConfigError for a
    value that is not a positive amount or an unknown key."""
    return {}


def earnings_tables(
    earnings: pd.DataFrame, as_of: dt.date, thresholds: Mapping[str, float] | None = None
) -> EarningsTables:
    """The tables of ``EarningsTables`` from the Earnings frame, events up to the end of
    the as-of day."""
    return EarningsTables()
