"""analytics.earnings: each programme's pending/approved/paid/cancelled and balance
against its payout threshold, earnings per tracking id, and referral rewards owed vs paid
kept apart from income — checked against pandas arithmetic on the same exports; and the
``[earnings]`` thresholds of sheetcrm.toml, validated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sheetcrm.analytics.earnings import (
    PROGRAMME_COLUMNS,
    TRACKING_COLUMNS,
    earnings_tables,
    payout_thresholds,
)
from sheetcrm.config import load_config
from sheetcrm.errors import ConfigError

FIXTURES = Path(__file__).parent / "fixtures" / "sellers"
AS_OF = dt.date(2025, 10, 31)


def _money(col: pd.Series) -> pd.Series:
    return col.str.replace(",", "").astype(float)


def affiliate() -> pd.DataFrame:
    raw = pd.read_csv(FIXTURES / "flipkart_affiliate.csv", dtype=str)
    return pd.DataFrame(
        {
            "date": pd.to_datetime(raw["Order Date"]),
            "source": "affiliate",
            "programme": "Flipkart Affiliate",
            "reference": raw["Order Item ID"],
            "sale_amount": _money(raw["Price (INR)"]),
            "amount": _money(raw["Commission (INR)"]),
            "status": raw["Status"].str.lower(),
            "tracking_id": raw["Tracking ID (affExtParam1)"],
        }
    )


def shopsy() -> pd.DataFrame:
    raw = pd.read_csv(FIXTURES / "shopsy_margin.csv", dtype=str)
    return pd.DataFrame(
        {
            "date": pd.to_datetime(raw["Order Date"], format="%d/%m/%Y"),
            "source": "reseller",
            "programme": "Shopsy",
            "reference": raw["Order ID"],
            "sale_amount": _money(raw["Selling Price"]),
            "amount": _money(raw["Your Margin"]),
            "status": raw["Margin Status"].map({"Credited": "paid", "Pending": "pending"}),
            "tracking_id": None,
        }
    )


def referrals() -> pd.DataFrame:
    raw = pd.read_csv(FIXTURES / "referrals.csv", dtype=str)
    return pd.DataFrame(
        {
            "date": pd.to_datetime(raw["Joined on"]),
            "source": "referral",
            "programme": "Refer a friend",
            "reference": raw["Referral code"],
            "amount": _money(raw["Reward (₹)"]),
            "status": raw["Status"].map({"Credited": "paid", "Pending": "pending"}),
        }
    )


def frame() -> pd.DataFrame:
    return pd.concat([affiliate(), shopsy(), referrals()], ignore_index=True)


def sums(rows: pd.DataFrame, status: str) -> float:
    return round(float(rows.loc[rows["status"] == status, "amount"].sum()), 2)


def test_programmes_add_up_as_pandas_does():
    data = frame()
    tables = earnings_tables(data, AS_OF, {"flipkart affiliate": 1000.0})
    assert list(tables.programmes.columns) == PROGRAMME_COLUMNS
    got = tables.programmes.set_index("programme")
    # income first, referral programmes last
    assert list(got.index) == ["Flipkart Affiliate", "Shopsy", "Refer a friend"]
    for name, rows in data.groupby("programme"):
        row = got.loc[name]
        assert row["events"] == len(rows)
        for status in ("pending", "approved", "paid", "cancelled"):
            assert row[status] == pytest.approx(sums(rows, status)), (name, status)
        assert row["balance"] == pytest.approx(sums(rows, "approved"))
    fk = got.loc["Flipkart Affiliate"]
    balance = sums(affiliate(), "approved")
    assert balance > 1000  # the fixture's approved commission is past the threshold
    assert (fk["threshold"], fk["to_threshold"], fk["progress"]) == (1000.0, 0.0, 1.0)
    assert pd.isna(got.loc["Shopsy", "threshold"]) and pd.isna(got.loc["Shopsy", "progress"])
    assert got.loc["Refer a friend", "source"] == "referral"


def test_progress_below_the_threshold():
    data = affiliate()
    data = data[data["reference"] != "OI2025090512004458"]  # without the big bridal saree
    tables = earnings_tables(data, AS_OF, {"Flipkart Affiliate": 1000})
    row = tables.programmes.iloc[0]
    balance = sums(data, "approved")
    assert row["balance"] == pytest.approx(balance)
    assert row["to_threshold"] == pytest.approx(round(1000 - balance, 2))
    assert row["progress"] == pytest.approx(balance / 1000)


def test_income_and_referral_rewards_are_kept_apart():
    data = frame()
    tables = earnings_tables(data, AS_OF)
    income = data[data["source"] != "referral"]
    rewards = data[data["source"] == "referral"]
    assert tables.earned == pytest.approx(sums(income, "approved") + sums(income, "paid"))
    assert tables.pending == pytest.approx(sums(income, "pending"))
    assert tables.balance == pytest.approx(sums(income, "approved"))
    owed = sums(rewards, "pending") + sums(rewards, "approved")
    assert (tables.rewards_owed, tables.rewards_paid) == (owed, sums(rewards, "paid"))
    assert tables.rewards_owed > 0 and tables.rewards_paid > 0


def test_by_tracking_id_most_earned_first():
    data = frame()
    tables = earnings_tables(data, AS_OF)
    assert list(tables.by_tracking.columns) == TRACKING_COLUMNS
    income = data[(data["source"] != "referral") & data["tracking_id"].notna()]
    earned = (
        income[income["status"].isin(["approved", "paid"])].groupby("tracking_id")["amount"].sum()
    )
    want = earned.reindex(income["tracking_id"].unique(), fill_value=0.0).sort_values(
        ascending=False
    )
    got = tables.by_tracking.set_index("tracking_id")
    assert list(got.index) == list(want.index)
    assert got["earned"].tolist() == pytest.approx(want.round(2).tolist())
    pending = income[income["status"] == "pending"].groupby("tracking_id")["amount"].sum()
    assert got["pending"].tolist() == pytest.approx(
        pending.reindex(want.index, fill_value=0.0).tolist()
    )
    assert got["events"].tolist() == income["tracking_id"].value_counts()[want.index].tolist()
    sale = income.groupby("tracking_id")["sale_amount"].sum()
    assert got["sale_amount"].tolist() == pytest.approx(sale[want.index].tolist())


def test_events_after_the_as_of_day_are_left_out():
    data = affiliate()
    day = dt.date(2025, 9, 30)
    tables = earnings_tables(data, day)
    upto = data[data["date"] < pd.Timestamp(day) + pd.Timedelta(days=1)]
    assert tables.programmes.iloc[0]["events"] == len(upto) < len(data)
    assert tables.pending == pytest.approx(sums(upto, "pending"))


def test_blank_status_is_pending_and_names_fold():
    data = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-09-01", "2025-09-02", "2025-09-03"]),
            "source": ["affiliate", "affiliate", None],
            "programme": ["Amazon Associates", "amazon  associates", None],
            "amount": [10.0, 5.0, 2.5],
            "status": [None, "approved", "paid"],
        }
    )
    tables = earnings_tables(data, AS_OF, {"AMAZON ASSOCIATES": 50})
    got = tables.programmes.set_index("programme")
    assert list(got.index) == ["Amazon Associates", "(none)"]
    amazon = got.loc["Amazon Associates"]
    assert (amazon["events"], amazon["pending"], amazon["balance"]) == (2, 10.0, 5.0)
    assert (amazon["to_threshold"], amazon["progress"]) == (45.0, 0.1)
    assert tables.earned == 7.5  # a row without a source is income


def test_no_earnings_is_empty():
    assert earnings_tables(pd.DataFrame(), AS_OF).empty
    assert earnings_tables(pd.DataFrame({"amount": [], "status": []}), AS_OF).empty
    future = affiliate()
    assert earnings_tables(future, dt.date(2025, 1, 1)).empty


def test_payout_thresholds_from_the_fixture_config():
    config = load_config(FIXTURES / "sheetcrm.toml")
    assert payout_thresholds(config.features.get("earnings")) == {"Flipkart Affiliate": 1000.0}
    assert payout_thresholds(None) == {}
    assert payout_thresholds({"Shopsy": {}}) == {}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"Flipkart Affiliate": {"payout_threshold": 0}}, "expected a positive amount"),
        ({"Flipkart Affiliate": {"payout_threshold": -5}}, "expected a positive amount"),
        ({"Flipkart Affiliate": {"payout_threshold": "1,000"}}, "written as a number"),
        ({"Flipkart Affiliate": {"payout_threshold": True}}, "expected a positive amount"),
        ({"Flipkart Affiliate": {"payout_threshold": float("nan")}}, "positive amount"),
        ({"Flipkart Affiliate": {"payout": 1000}}, "unknown key 'payout'"),
        ({"payout_threshold": 1000}, "expected a table per programme"),
        ({"Shopsy": {"payout_threshold": 5}, "shopsy": {"payout_threshold": 6}}, "named twice"),
    ],
)
def test_payout_thresholds_refuse_bad_values(table, message):
    with pytest.raises(ConfigError, match=message) as info:
        payout_thresholds(table)
    assert info.value.exit_code == 7
    assert "\n" not in str(info.value)
