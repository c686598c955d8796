"""refresh: computed columns against independent pandas, rules, colours, idempotence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from contract.harness import HARNESSES

from sheetcrm.analytics.campaigns import campaign_metrics
from sheetcrm.analytics.customers import RFM_TABLE, quintile
from sheetcrm.analytics.kpis import sales
from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.config import Config, parse_config
from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.errors import ConfigError, InputError
from sheetcrm.ingest.importer import import_file
from sheetcrm.workbook.refresh import compute, explain, refresh

RETAIL = Path(__file__).parent / "data" / "online_retail_subset.csv"
AS_OF = dt.date(2011, 12, 10)
DEMO_DAY = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def retail_crm(tmp_path_factory):
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    crm = CRM(backend=MemoryBackend())
    crm.init()
    import_file(crm, RETAIL, preset="transactions")
    return crm


def independent_rfm() -> pd.DataFrame:
    """Recency, frequency and monetary value straight from the CSV, without sheetcrm."""
    lines = pd.read_csv(RETAIL, dtype=str, keep_default_na=False)
    lines = lines[lines["CustomerID"] != ""].copy()
    lines["value"] = lines["Quantity"].astype(int) * lines["UnitPrice"].astype(float)
    lines["day"] = pd.to_datetime(lines["InvoiceDate"]).dt.normalize()
    by_invoice = lines.groupby(["CustomerID", "InvoiceNo"])
    invoices = by_invoice.agg(value=("value", "sum"), day=("day", "min")).reset_index()
    invoices["purchase"] = ~invoices["InvoiceNo"].str.startswith("C") & (invoices["value"] >= 0)
    out = pd.DataFrame(
        {
            "monetary": invoices.groupby("CustomerID")["value"].sum().round(2),
            "frequency": invoices[invoices["purchase"]].groupby("CustomerID").size(),
            "last": invoices[invoices["purchase"]].groupby("CustomerID")["day"].max(),
        }
    )
    out["frequency"] = out["frequency"].fillna(0).astype(int)
    out["recency"] = (pd.Timestamp(AS_OF) - out["last"]).dt.days
    return out


def test_rfm_inputs_equal_an_independent_computation(retail_crm):
    ins = compute(retail_crm, retail_crm.read(), AS_OF)
    got = ins.customers
    want = independent_rfm()
    assert sorted(got.index) == sorted(want.index)
    got = got.loc[want.index]
    assert (got["orders"].astype(int).values == want["frequency"].values).all()
    assert np.allclose(got["total_spent"].astype(float), want["monetary"], atol=0.005)
    buyers = want["frequency"] > 0
    assert (
        got.loc[buyers, "recency_days"].astype(int).values == want.loc[buyers, "recency"].values
    ).all()
    assert got.loc[~buyers, "recency_days"].isna().all()


def test_rfm_scores_and_named_segments(retail_crm):
    ins = compute(retail_crm, retail_crm.read(), AS_OF)
    buyers = ins.customers[ins.customers["orders"] > 0]
    r = quintile(buyers["recency_days"], higher_is_better=False)
    f, m = quintile(buyers["orders"]), quintile(buyers["total_spent"])
    assert list(buyers["rfm_score"]) == [f"{a}{b}{c}" for a, b, c in zip(r, f, m, strict=True)]
    fm = np.ceil((f + m) / 2).astype(int)
    assert list(buyers["rfm_segment"]) == [RFM_TABLE[a][b - 1] for a, b in zip(r, fm, strict=True)]
    assert set(buyers["rfm_segment"]) == {n for row in RFM_TABLE.values() for n in row}
    assert ins.customers.loc[ins.customers["orders"] == 0, "rfm_score"].isna().all()


def test_segments_follow_the_default_rules(retail_crm):
    ins = compute(retail_crm, retail_crm.read(), AS_OF)
    c = ins.customers
    spent = c["total_spent"].astype(float)  # "top percent" ranks the whole column
    vip = c["segment"] == "VIP"
    assert (c.loc[vip, "total_spent"].astype(float) >= spent.quantile(0.9)).all()
    assert ((spent >= spent.quantile(0.9)) & (spent > 0)).sum() == vip.sum()
    inactive = c["segment"] == "inactive"
    assert (
        (pd.Timestamp(AS_OF) - pd.to_datetime(c.loc[inactive, "last_activity"])).dt.days > 180
    ).all()
    assert set(c["segment"]) <= {"VIP", "inactive", "new", "regular"}


def test_refresh_twice_changes_nothing_and_prints_segments(retail_crm):
    first = refresh(retail_crm, AS_OF)
    assert first.changes and first.breakdown["segment"]["VIP"] > 0
    second = refresh(retail_crm, AS_OF)
    assert not second.changes and second.report is None


def test_demo_dashboard_inputs(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    crm = CRM(backend=MemoryBackend())
    write_demo(crm, DEMO_DAY)
    refresh(crm, DEMO_DAY)
    customers = crm.frame("Customers").set_index("customer_id")
    acts = crm.frame("Interactions")
    sales = acts[acts["type"].isin(["purchase", "return"])]
    totals = sales.groupby("customer_id")["amount"].sum()
    for cid, total in totals.items():
        assert abs(float(customers.loc[cid, "total_spent"]) - total) < 0.005
    tasks = crm.frame("Tasks")
    late = tasks.apply(lambda t: t["status"] != "done" and t["due_date"] < DEMO_DAY, axis=1)
    assert list(tasks["overdue"]) == list(late)
    leads = crm.frame("Leads")
    assert leads["score"].between(0, 100).all()
    overdue = leads[(leads["urgency"] == "overdue")]
    assert (overdue["next_action_date"] < DEMO_DAY).all()
    score, reasons = explain(crm, leads.iloc[0]["lead_id"], DEMO_DAY)
    assert score == leads.iloc[0]["score"] and sum(p for _, p in reasons) >= score - 1


def test_campaign_ratios_never_divide_by_zero():
    campaigns = pd.DataFrame(
        [
            {"campaign_id": "K-1", "impressions": 0, "clicks": 0, "conversions": 0, "budget": 0},
            {
                "campaign_id": "K-2",
                "impressions": None,
                "clicks": None,
                "conversions": None,
                "budget": None,
            },
            {
                "campaign_id": "K-3",
                "impressions": 1000,
                "clicks": 50,
                "conversions": 5,
                "budget": 100,
            },
        ],
        dtype=object,
    )
    leads = pd.DataFrame(columns=["lead_id", "campaign_id", "status", "customer_id"])
    acts = pd.DataFrame(columns=["customer_id", "type", "amount", "date"])
    out = campaign_metrics(campaigns, leads, sales({"Interactions": acts}, DEMO_DAY))
    assert out.loc["K-1"].drop(["leads", "customers", "revenue"]).isna().all()
    assert out.loc["K-2"].drop(["leads", "customers", "revenue"]).isna().all()
    assert out.loc["K-3", "ctr"] == 0.05 and out.loc["K-3", "conversion_rate"] == 0.1
    assert out.loc["K-3", "roi"] == -1.0 and pd.isna(out.loc["K-3", "cpa"])


@pytest.mark.parametrize(
    ("segments", "message"),
    [
        (
            [{"name": "X", "when": [{"field": "colour", "op": "==", "value": 1}]}],
            "no field 'colour'",
        ),
        (
            [{"name": "X", "when": [{"field": "total_spent", "op": "~", "value": 1}]}],
            "unknown operator '~'",
        ),
        (
            [{"name": "X", "when": [{"field": "total_spent", "op": ">", "value": "lots"}]}],
            "needs a number",
        ),
        (
            [{"name": "X", "when": [{"field": "city", "op": "within days", "value": 3}]}],
            "needs a date field",
        ),
        ([{"name": "X", "color": "gold"}], "is not a colour"),
        ([{"when": []}], "needs a name"),
    ],
)
def test_bad_rules_are_clear_errors(segments, message):
    config = parse_config({"segments": segments})
    crm = CRM(backend=MemoryBackend(), config=config)
    crm.init()
    with pytest.raises(ConfigError, match=message):
        refresh(crm, DEMO_DAY)


def test_bad_scoring_config():
    crm = CRM(backend=MemoryBackend(), config=parse_config({"scoring": {"interest": "high"}}))
    crm.init()
    with pytest.raises(InputError, match="expected a table of numbers"):
        refresh(crm, DEMO_DAY)


def test_customers_without_purchases_get_empty_values(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    crm = CRM(backend=MemoryBackend(), config=Config())
    crm.init()
    crm.upsert("Customers", [{"customer_id": "C-1", "name": "No orders yet"}])
    refresh(crm, DEMO_DAY)
    row = crm.frame("Customers").iloc[0]
    assert row["total_spent"] == 0 and row["orders"] == 0
    assert row["avg_order_value"] is None and row["rfm_score"] is None
    assert row["segment"] == "regular"


@pytest.mark.parametrize("kind", ["memory", "xlsx", "gsheets"])
def test_colours_and_protection_are_installed_once(kind, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    harness = HARNESSES[kind](tmp_path)
    crm = CRM(backend=harness.backend)
    write_demo(crm, DEMO_DAY)
    refresh(crm, DEMO_DAY)
    grids = crm.read(layout=True)
    assert len(grids["Leads"].layout.styles) == 3
    assert len(grids["Customers"].layout.styles) == 4  # unhappy, VIP, inactive, new
    assert any(s.startswith("scale:") for s in grids["Leads"].layout.styles)
    protected = set(grids["Customers"].layout.protections)
    assert {"sheetcrm computes total_spent", "sheetcrm computes rfm_segment"} <= protected
    before = harness.state()
    assert not refresh(crm, DEMO_DAY).changes
    assert harness.state() == before


def test_converted_leads_link_to_their_customer_and_referral_codes_attribute(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    crm = CRM(backend=MemoryBackend())
    crm.init()
    crm.upsert("Customers", [{"customer_id": "C-1", "name": "Ana", "email": "ana@example.com"}])
    crm.upsert(
        "Campaigns",
        [{"campaign_id": "K-1", "name": "Friends", "referral_code": "FRIEND10", "budget": 100}],
    )
    crm.upsert(
        "Leads",
        [
            {
                "lead_id": "L-1",
                "name": "Ana",
                "email": "ANA@example.com",
                "status": "converted",
                "referral_code": "friend10",
            },
            {"lead_id": "L-2", "name": "Bo", "email": "bo@example.com", "status": "new"},
        ],
    )
    crm.upsert(
        "Interactions",
        [
            {
                "interaction_id": "I-1",
                "date": "2026-11-01",
                "type": "purchase",
                "customer_id": "C-1",
                "amount": 150,
            }
        ],
    )
    refresh(crm, DEMO_DAY)
    leads = crm.frame("Leads").set_index("lead_id")
    assert leads.loc["L-1", "customer_id"] == "C-1" and leads.loc["L-2", "customer_id"] is None
    camp = crm.frame("Campaigns").iloc[0]
    assert (camp["leads"], camp["customers"], camp["revenue"], camp["roi"]) == (1, 1, 150.0, 0.5)


def test_cli_segments_and_explain(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sheetcrm.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "-q", "--as-of", "2026-11-21"]).exit_code == 0
    out = runner.invoke(cli, ["segments", "--as-of", "2026-11-21"]).output
    assert out.startswith("Segments as of 2026-11-21:") and "RFM segments:" in out
    lead = CRM(backend=HARNESSES["xlsx"](tmp_path).backend).frame("Leads").iloc[0]["lead_id"]
    out = runner.invoke(cli, ["explain", lead, "--as-of", "2026-11-21"]).output
    assert out.startswith(f"{lead}: score ") and "source:" in out
    bad = runner.invoke(cli, ["explain", "L-NOPE"])
    assert bad.exit_code == 3 and "no lead with ID 'L-NOPE'" in bad.output
