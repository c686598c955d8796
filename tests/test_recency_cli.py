"""Recency everywhere (``kpis``: Recency): a customer never contacted since a first visit
two years ago is inactive — in the segments, the win-back list (``remind --csv``), the
Dashboard count and ``summary`` — as a person sees it, in fresh ``sheetcrm`` processes on
a local .xlsx. A customer called last week is not, however long ago they first came."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from support import run_sheetcrm

from sheetcrm.analytics import kpis

AS_OF = "2025-10-15"
CUSTOMERS = """\
customer_id,name,email,phone,first_contact,city,country
C-1,Nasrin Karimi,nasrin@example.ir,+989121112233,2023-10-12,Tehran,Iran
C-2,Rahim Uddin,rahim@example.com,+8801711000222,2025-06-01,Dhaka,Bangladesh
C-3,Amelia Hart,amelia@example.co.uk,+447911123456,2023-10-20,Leeds,United Kingdom
C-4,Tanvir Hossain,tanvir@example.com,+8801811000333,2025-09-30,Khulna,Bangladesh
"""
INTERACTIONS = """\
interaction_id,date,type,customer_id,summary,amount,product,by
I-1,2025-10-05,purchase,C-2,Order of tea,1200,Tea,Sara
I-2,2025-10-08,call,C-3,Asked about delivery,,,Sara
"""


@pytest.fixture(autouse=True)
def _own_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def sheetcrm(folder: Path, *args: str) -> str:
    done = run_sheetcrm(*args, "--xlsx", str(folder / "crm.xlsx"), cwd=folder)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_customer_never_contacted_since_a_first_visit_two_years_ago_is_inactive(tmp_path):
    (tmp_path / "customers.csv").write_text(CUSTOMERS, encoding="utf-8")
    (tmp_path / "interactions.csv").write_text(INTERACTIONS, encoding="utf-8")
    sheetcrm(tmp_path, "init")
    sheetcrm(tmp_path, "import", "customers.csv", "--tab", "Customers")
    sheetcrm(tmp_path, "import", "interactions.csv", "--tab", "Interactions")
    sheetcrm(tmp_path, "refresh", "--as-of", AS_OF)

    shown = sheetcrm(tmp_path, "show", "Customers", "--format", "csv")
    rows = {r["customer_id"]: r for r in csv.DictReader(shown.splitlines())}
    assert rows["C-1"]["last_contact"] == "" and rows["C-1"]["last_activity"] == "2023-10-12"
    assert rows["C-1"]["segment"] == "inactive"  # was "regular": no fallback to first contact
    assert rows["C-3"]["last_activity"] == "2025-10-08" and rows["C-3"]["segment"] != "inactive"
    assert rows["C-2"]["last_activity"] == "2025-10-05"

    said = sheetcrm(tmp_path, "remind", "--as-of", AS_OF, "--csv", "winback.csv")
    assert "Nasrin Karimi" in said and "Amelia Hart" not in said
    with (tmp_path / "winback.csv").open(encoding="utf-8-sig") as f:
        assert [r["customer_id"] for r in csv.DictReader(f)] == ["C-1"]

    dashboard = openpyxl.load_workbook(tmp_path / "crm.xlsx")["Dashboard"]
    counts = {
        str(r[0]).split(" (")[0]: r[1]
        for r in dashboard.iter_rows(values_only=True)
        if isinstance(r[0], str)
    }
    assert (counts["Active customers"], counts["Inactive customers"]) == (1, 1)

    summary = sheetcrm(tmp_path, "summary", "--as-of", AS_OF)
    assert "1 active (bought in 180 days), 1 inactive (not heard of in 180 days)" in summary
    assert "the last 30 days, 2025-09-16 to 2025-10-15: $1,200.00" in summary


DAY = dt.date(2025, 10, 15)


def _ago(days: int) -> str:
    return (DAY - dt.timedelta(days=days)).isoformat()


def test_recency_is_the_latest_of_contact_and_purchase_else_the_first_contact():
    """Library level: what ``activity`` decides from each kind of trace, the as-of day
    cutting off what comes later (``--as-of`` reproduces an earlier day)."""
    customers = pd.DataFrame(
        {
            "customer_id": ["C-1", "C-2", "C-3", "C-4", "C-5", "C-6", "C-7"],
            "first_contact": [
                _ago(730),
                _ago(730),
                _ago(400),
                _ago(30),
                None,
                _ago(730),
                _ago(181),
            ],
            "last_contact": [None, _ago(10), None, None, None, "2025-11-01", None],
        }
    )
    acts = pd.DataFrame(
        {
            "interaction_id": ["I-1", "I-2", "I-3"],
            "date": [_ago(200), _ago(100), "2025-11-02"],
            "type": ["purchase", "purchase", "purchase"],
            "customer_id": ["C-3", "C-2", "C-6"],
            "amount": [10.0, 10.0, 10.0],
        }
    )
    sales = kpis.sales({"Interactions": acts}, DAY)
    days = (pd.Timestamp(DAY) - kpis.recency(customers, sales, DAY)).dt.days
    assert days[:4].tolist() == [730, 10, 200, 30] and pd.isna(days[4])
    assert days[5] == 730  # a contact and a purchase after the as-of day do not count
    state = kpis.activity(customers, sales, DAY).tolist()
    # never contacted since the first visit: inactive; recent buyer: active; bought 200 days
    # ago and nothing since: inactive; new: neither; nothing dated: neither; exactly 180
    # days is not yet "more than 180"
    assert state == ["inactive", "active", "inactive", None, None, "inactive", "inactive"]
    customers.loc[6, "first_contact"] = _ago(180)
    assert kpis.activity(customers, sales, DAY)[6] is None
    # from the Interactions tab itself (a workbook not refreshed yet): the call counts
    calls = pd.DataFrame({"customer_id": ["C-1"], "date": [_ago(5)], "type": ["call"]})
    assert kpis.activity(customers, sales, DAY, interactions=calls)[0] is None
    inactive = kpis.inactive_customers(customers, sales, DAY)
    assert inactive["customer_id"].tolist() == ["C-1", "C-3", "C-6"]
