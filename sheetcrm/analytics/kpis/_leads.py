"""New and open leads, conversion, leads by source and the pipeline (see ``kpis``)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sheetcrm.analytics.frames import column, num
from sheetcrm.analytics.periods import Period
from sheetcrm.model.values import is_blank

OPEN_LEAD_STATUSES = ("new", "contacted", "qualified")
STAGE_WEIGHTS = {"new": 0.1, "contacted": 0.25, "qualified": 0.5}
NO_SOURCE = "(none)"


def new_leads(leads: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Leads first contacted in the period."""
    return leads[period.contains(column(leads, "contact_date"))]


@dataclass(frozen=True)
class Conversion:
    leads: int
    converted: int

    @property
    def rate(self) -> float | None:
        """Converted ÷ leads, blank without leads."""
        return self.converted / self.leads if self.leads else None


def conversion(leads: pd.DataFrame) -> Conversion:
    return Conversion(len(leads), int((column(leads, "status") == "converted").sum()))


def leads_by_source(leads: pd.DataFrame, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per lead source: leads, converted, conversion rate, and (given customers with their
    ``total_spent``) the customers from that source and their revenue. Most leads first."""
    source = column(leads, "source")
    source = source.where(~source.map(is_blank), NO_SOURCE)
    rows = []
    for name, group in leads.groupby(source):
        conv = conversion(group)
        custs, money = 0, 0.0
        if customers is not None:
            mine = customers[column(customers, "lead_source") == name]
            custs, money = len(mine), round(float(num(column(mine, "total_spent")).sum()), 2)
        rows.append((str(name), conv.leads, conv.converted, conv.rate, custs, money))
    rows.sort(key=lambda r: (-r[1], r[0]))
    names = ["source", "leads", "converted", "rate", "customers", "revenue"]
    return pd.DataFrame(rows, columns=names)


def open_leads(leads: pd.DataFrame) -> pd.DataFrame:
    return leads[column(leads, "status").isin(OPEN_LEAD_STATUSES)]


@dataclass(frozen=True)
class Pipeline:
    value: float  # open leads' value
    weighted: float  # each weighted by its stage


def pipeline(leads: pd.DataFrame) -> Pipeline:
    rows = open_leads(leads)
    value = num(column(rows, "value")).fillna(0.0)
    weight = column(rows, "status").map(STAGE_WEIGHTS).astype(float)
    return Pipeline(round(float(value.sum()), 2), round(float((value * weight).sum()), 2))
