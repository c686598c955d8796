"""Customer metrics and RFM: purchase totals, first/last purchase, recency, contacts, and
the RFM score and named segment, from the one sales table (``kpis.sales``).

The sales table holds the Orders lines, their refunds and logged purchases and returns, so
a marketplace buyer made a customer by an orders import has totals and RFM as a customer
who buys in person does. ``last_activity`` is the customer's recency for everything else
(``kpis``: Recency — last contact or purchase, else first contact; segments, win-back,
the Dashboard). RFM ranks buyers only, so its recency = days from the last purchase to
the as-of date; frequency = orders (distinct order ids: an order of three lines is one);
monetary = net amount (purchases minus refunds). Each becomes a 1–5 score by rank
quintile among customers with a purchase (5 = most recent / most frequent / highest), and
the named segment follows from R and FM = ⌈(F + M) / 2⌉:

    R \\ FM   1               2                   3               4–5
    5        New             Potential Loyalist  Loyal           Champions
    4        Promising       Potential Loyalist  Loyal           Champions
    3        About to Sleep  About to Sleep      Need Attention  Loyal
    2        Hibernating     Hibernating         At Risk         At Risk
    1        Lost            Lost                At Risk         Cannot Lose Them
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sheetcrm.analytics import kpis
from sheetcrm.analytics.frames import column, day

RFM_TABLE = {
    5: ("New", "Potential Loyalist", "Loyal", "Champions", "Champions"),
    4: ("Promising", "Potential Loyalist", "Loyal", "Champions", "Champions"),
    3: ("About to Sleep", "About to Sleep", "Need Attention", "Loyal", "Loyal"),
    2: ("Hibernating", "Hibernating", "At Risk", "At Risk", "At Risk"),
    1: ("Lost", "Lost", "At Risk", "Cannot Lose Them", "Cannot Lose Them"),
}


def quintile(values: pd.Series, *, higher_is_better: bool = True) -> pd.Series:
    """1–5 by rank (ties broken by order): 5 for the best fifth."""
    ranks = values.rank(method="first", ascending=higher_is_better)
    return pd.Series(np.ceil(ranks * 5 / len(values)), index=values.index).clip(1, 5).astype(int)


def customer_metrics(
    customers: pd.DataFrame,
    interactions: pd.DataFrame,
    as_of: dt.date,
    sales: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per customer: totals, first/last purchase, recency, contacts, RFM score and segment.

    ``sales`` is the sales table when the caller has built it already (``kpis.sales``)."""
    ids = column(customers, "customer_id").dropna().astype(str)
    out = pd.DataFrame(index=pd.Index(ids.unique(), name="customer_id"))
    sold = kpis.sales({"Interactions": interactions}, as_of) if sales is None else sales
    sold = sold[sold["customer_id"].notna()]
    purchases = sold[sold["type"] == "purchase"]
    out["total_spent"] = sold.groupby("customer_id")["amount"].sum().round(2)
    out["orders"] = pd.Series(
        {cid: kpis.count_orders(group) for cid, group in purchases.groupby("customer_id")},
        dtype=float,
    )
    out[["total_spent", "orders"]] = out[["total_spent", "orders"]].fillna(0)
    out["orders"] = out["orders"].astype(int)
    aov = map(kpis.average_order_value, out["total_spent"], out["orders"])
    out["avg_order_value"] = pd.Series(list(aov), index=out.index, dtype=float)
    out["first_purchase"] = purchases.groupby("customer_id")["day"].min()
    out["last_purchase"] = purchases.groupby("customer_id")["day"].max()
    out["recency_days"] = (pd.Timestamp(as_of) - out["last_purchase"]).dt.days
    contacts = _contacts(interactions)
    contacts = contacts[contacts["day"] <= pd.Timestamp(as_of)]  # nothing after the as-of day
    out["interactions"] = contacts.groupby("customer_id").size()
    out["interactions"] = out["interactions"].fillna(0).astype(int)
    out["last_contact"] = contacts.groupby("customer_id")["day"].max()
    first = customers.drop_duplicates("customer_id").set_index("customer_id")
    out["last_activity"] = kpis.latest_activity(
        out["last_contact"],
        out["last_purchase"],
        column(first, "first_contact").reindex(out.index),
    )
    _rfm(out)
    scored = kpis.customer_satisfaction(interactions, as_of)
    out["satisfaction"] = scored["satisfaction"]
    out["last_satisfaction"] = scored["last_satisfaction"]
    return out


def _contacts(interactions: pd.DataFrame) -> pd.DataFrame:
    """Every interaction with a customer, with its day."""
    cid = column(interactions, "customer_id")
    acts = pd.DataFrame({"customer_id": cid, "day": day(column(interactions, "date"))})
    acts = acts[cid.notna()]
    acts["customer_id"] = acts["customer_id"].astype(str)
    return acts


def _rfm(out: pd.DataFrame) -> None:
    """Fill ``rfm_score`` and ``rfm_segment`` for customers who bought something."""
    buyers = out[out["orders"] > 0]
    out["rfm_score"] = None
    out["rfm_segment"] = None
    if not len(buyers):
        return
    r = quintile(buyers["recency_days"], higher_is_better=False)
    f = quintile(buyers["orders"])
    m = quintile(buyers["total_spent"])
    fm = np.ceil((f + m) / 2).astype(int)
    out.loc[buyers.index, "rfm_score"] = r.astype(str) + f.astype(str) + m.astype(str)
    out.loc[buyers.index, "rfm_segment"] = [RFM_TABLE[a][b - 1] for a, b in zip(r, fm, strict=True)]
