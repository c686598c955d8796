"""Commission, reseller margin and referral rewards: what each programme has paid, owes and
still holds back, how near its payout threshold the approved balance is, and which
tracking id (a video, a post) earned most — from the Earnings tab's frame alone.

Referral rewards are money the business pays out, so they are kept apart from income:
``rewards_owed`` and ``rewards_paid`` say what is owed and what has been paid.

The rules, one place for every surface that shows them:

- **income** is every row whose source is ``affiliate``, ``reseller``, ``other`` or blank;
  ``referral`` rows are rewards and are never added to it;
- a row's **programme** is its ``programme`` (else its source, else "(none)"); programme
  names are compared case-folded, so "Flipkart Affiliate" and "flipkart affiliate" are one;
- a row's **status** sorts its ``amount`` into pending, approved, paid or cancelled; a blank
  status is pending (nothing has confirmed it yet);
- **balance** = approved and not yet paid (``approved`` rows); ``to_threshold`` is what the
  balance lacks to reach the programme's minimum payout (``[earnings."Name"]
  payout_threshold``), ``progress`` the balance ÷ that minimum, at most 1;
- **earned** = approved + paid (cancelled never counts); rows dated after the as-of day
  are left out, rows without a usable date are kept;
- ``by_tracking``: income rows with a tracking id (the ``affExtParam1`` of a link: a
  video, a post), most earned first.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sheetcrm.errors import ConfigError

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
        """No earnings at all (seller surfaces show nothing: decision 9)."""
        return self.programmes.empty


#: The one key a programme's table in ``[earnings]`` may hold.
_THRESHOLD_KEY = "payout_threshold"


def payout_thresholds(table: Mapping[str, Any] | None) -> dict[str, float]:
    """``[earnings]`` of sheetcrm.toml → programme name → minimum payout
    (``[earnings."Flipkart Affiliate"] payout_threshold = 1000``); ConfigError for a
    value that is not a positive amount or an unknown key."""
    out: dict[str, float] = {}
    for name, entry in (table or {}).items():
        where = f'[earnings."{name}"]'
        if not isinstance(entry, Mapping):
            raise ConfigError(
                f"[earnings] {name} = {entry!r}: expected a table per programme, e.g. "
                f'[earnings."{name}"] {_THRESHOLD_KEY} = 1000'
            )
        unknown = [k for k in entry if k != _THRESHOLD_KEY]
        if unknown:
            raise ConfigError(
                f"{where}: unknown key {unknown[0]!r} (a programme's table takes {_THRESHOLD_KEY})"
            )
        if _THRESHOLD_KEY not in entry:
            continue
        value = entry[_THRESHOLD_KEY]
        good = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not good or not math.isfinite(value) or value <= 0:
            raise ConfigError(
                f"{where} {_THRESHOLD_KEY} = {value!r}: expected a positive amount in the "
                "workbook currency, written as a number (e.g. 1000)"
            )
        key = _fold(str(name))
        if key in {_fold(k) for k in out}:
            raise ConfigError(f"{where}: the programme is named twice in [earnings]")
        out[str(name).strip()] = float(value)
    return out


INCOME_SOURCES = ("affiliate", "reseller", "other")
_NO_PROGRAMME = "(none)"


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    """A text column, blank (``""``) where missing or empty."""
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    col = frame[name]
    return col.where(col.notna(), "").astype(str).str.strip()


def _money(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(0.0, index=frame.index)
    return pd.to_numeric(frame[name], errors="coerce").fillna(0.0).astype(float)


def earnings_tables(
    earnings: pd.DataFrame, as_of: dt.date, thresholds: Mapping[str, float] | None = None
) -> EarningsTables:
    """The tables of ``EarningsTables`` from the Earnings frame, events up to the end of
    the as-of day (the rules: module docstring)."""
    if earnings is None or earnings.empty:
        return EarningsTables()
    frame = earnings
    if "date" in frame.columns:
        when = pd.to_datetime(frame["date"], errors="coerce")
        if getattr(when.dt, "tz", None) is not None:
            when = when.dt.tz_localize(None)
        end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
        frame = frame[~(when >= end)]
    if frame.empty:
        return EarningsTables()
    source = _text(frame, "source").str.casefold()
    status = _text(frame, "status").str.casefold().replace("", "pending")
    named = _text(frame, "programme")
    programme = named.where(named != "", source.where(source != "", _NO_PROGRAMME))
    amount = _money(frame, "amount")
    work = pd.DataFrame(
        {
            "key": programme.map(_fold),
            "programme": programme,
            "source": source,
            "status": status,
            "amount": amount,
            "sale_amount": _money(frame, "sale_amount"),
            "tracking_id": _text(frame, "tracking_id"),
        }
    )
    for state in ("pending", "approved", "paid", "cancelled"):
        work[state] = work["amount"].where(work["status"] == state, 0.0)
    limits = {_fold(k): float(v) for k, v in (thresholds or {}).items()}
    rows = []
    for _key, group in work.groupby("key", sort=False):
        sources = group["source"][group["source"] != ""]
        balance = round(float(group["approved"].sum()), 2)
        threshold = limits.get(str(_key))
        rows.append(
            {
                "programme": group["programme"].iloc[0],
                "source": sources.mode().iloc[0] if not sources.empty else "",
                "events": len(group),
                "pending": round(float(group["pending"].sum()), 2),
                "approved": balance,
                "paid": round(float(group["paid"].sum()), 2),
                "cancelled": round(float(group["cancelled"].sum()), 2),
                "balance": balance,
                "threshold": threshold,
                "to_threshold": None
                if threshold is None
                else round(max(threshold - balance, 0.0), 2),
                "progress": None if threshold is None else min(balance / threshold, 1.0),
            }
        )
    programmes = pd.DataFrame(rows, columns=PROGRAMME_COLUMNS)
    referral = programmes["source"] == "referral"
    programmes = pd.concat([programmes[~referral], programmes[referral]], ignore_index=True)
    income = work[work["source"] != "referral"]
    rewards = work[work["source"] == "referral"]
    tracked = income[income["tracking_id"] != ""]
    by_tracking = pd.DataFrame({c: [] for c in TRACKING_COLUMNS})
    if not tracked.empty:
        sums = tracked.groupby("tracking_id", sort=False).agg(
            events=("amount", "size"),
            sale_amount=("sale_amount", "sum"),
            approved=("approved", "sum"),
            paid=("paid", "sum"),
            pending=("pending", "sum"),
        )
        sums["earned"] = sums["approved"] + sums["paid"]
        by_tracking = (
            sums.reset_index()[TRACKING_COLUMNS]
            .sort_values(["earned", "tracking_id"], ascending=[False, True], kind="stable")
            .round({"sale_amount": 2, "earned": 2, "pending": 2})
            .reset_index(drop=True)
        )
    return EarningsTables(
        programmes=programmes,
        by_tracking=by_tracking,
        earned=round(float(income["approved"].sum() + income["paid"].sum()), 2),
        pending=round(float(income["pending"].sum()), 2),
        balance=round(float(income["approved"].sum()), 2),
        rewards_owed=round(float(rewards["pending"].sum() + rewards["approved"].sum()), 2),
        rewards_paid=round(float(rewards["paid"].sum()), 2),
    )
