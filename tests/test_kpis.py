"""One KPI, one answer: ``sheetcrm summary``, the report (``--period month`` and the last
30 days as a typed range), the Dashboard and summary tabs, and the reminders give the same
figures for every KPI they share, on the demo workbook and on an Online Retail import; and
each definition of ``analytics.kpis`` pinned on hand-made frames."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from sheetcrm.analytics import kpis
from sheetcrm.analytics.periods import Period, last_days, parse_period
from sheetcrm.analytics.tasks import task_metrics
from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.errors import ConfigError, InputError
from sheetcrm.ingest.importer import import_file
from sheetcrm.outputs.reminders import Digest, digests, inactive_customers, remind
from sheetcrm.outputs.report import make_report
from sheetcrm.outputs.report_data import ReportData
from sheetcrm.outputs.summary import Summary, summarize
from sheetcrm.workbook.refresh import refresh

DEMO_DAY = dt.date(2026, 11, 21)
RETAIL_DAY = dt.date(2011, 12, 10)


def retail_csv() -> Path:
    """The Online Retail fixture: the one place that says where it lives."""
    return Path(__file__).parent / "data" / "online_retail_subset.csv"


# --- the two workbooks -------------------------------------------------------------------


def demo_workbook() -> tuple[CRM, dt.date]:
    crm = CRM(backend=MemoryBackend())
    write_demo(crm, DEMO_DAY)
    refresh(crm, DEMO_DAY)
    return crm, DEMO_DAY


#: Follow-up work next to the imported transactions, so that the lead, campaign and task
#: KPIs have something to agree on (the Online Retail data has only orders and returns).
RETAIL_EXTRA = {
    "Campaigns": [
        {"campaign_id": "K-1", "name": "Spring mailing", "channel": "email", "budget": 500},
        {"campaign_id": "K-2", "name": "Fair stand", "channel": "other", "budget": 0},
    ],
    "Leads": [
        {
            "lead_id": "L-1",
            "name": "Converted buyer",
            "source": "website",
            "campaign_id": "K-1",
            "status": "converted",
            "contact_date": "2011-03-01",
            "customer_id": "15874",
        },
        {
            "lead_id": "L-2",
            "name": "New one",
            "source": "website",
            "status": "new",
            "value": 300,
            "contact_date": "2011-12-02",
            "next_action": "Call back",
            "next_action_date": "2011-12-05",
            "owner": "Ana",
        },
        {
            "lead_id": "L-3",
            "name": "Qualified one",
            "source": "referral",
            "status": "qualified",
            "value": 1000,
            "contact_date": "2011-11-20",
        },
        {
            "lead_id": "L-4",
            "name": "No status yet",
            "contact_date": "2011-11-25",
            "next_action": "Call",
            "next_action_date": "2011-12-08",
        },
        {"lead_id": "L-5", "name": "Lost one", "source": "ads", "status": "lost"},
    ],
    "Tasks": [
        {"task_id": "T-1", "title": "Late", "assignee": "Ana", "due_date": "2011-12-01"},
        {
            "task_id": "T-2",
            "title": "Ticked only",
            "assignee": "Ana",
            "due_date": "2011-11-01",
            "status": "todo",
            "done": True,
        },
        {
            "task_id": "T-3",
            "title": "Done by status",
            "assignee": "Bo",
            "due_date": "2011-11-01",
            "status": "done",
            "done": False,
        },
        {"task_id": "T-4", "title": "Nobody's", "due_date": "2011-12-09", "status": "in_progress"},
        {"task_id": "T-5", "title": "Due today", "assignee": "Bo", "due_date": "2011-12-10"},
        {"task_id": "T-6", "title": "Some day", "assignee": "Bo"},
    ],
}


def retail_workbook() -> tuple[CRM, dt.date]:
    crm = CRM(backend=MemoryBackend())
    crm.init()
    import_file(crm, retail_csv(), preset="transactions")
    for tab, rows in RETAIL_EXTRA.items():
        crm.upsert(tab, rows)
    refresh(crm, RETAIL_DAY)
    return crm, RETAIL_DAY


@dataclass
class Book:
    """One workbook and what each of the four outputs says about it."""

    name: str
    crm: CRM
    as_of: dt.date
    frames: dict[str, pd.DataFrame]
    summary: Summary
    month: ReportData  # --period month
    last30: ReportData  # the last 30 days as a typed range
    all_time: ReportData  # from the first sale to the as-of day
    tabs: dict[str, pd.DataFrame]  # generated tabs as written
    dashboard: dict[str, list[Any]]  # Dashboard rows by their first cell (KPIs, months)
    side: dict[str, list[Any]]  # the side tables (sources, campaigns, assignees) by name
    reminders: list[Digest]
    reengage: list[dict[str, Any]]  # remind's win-back list


def _tab(crm: CRM, name: str) -> pd.DataFrame:
    grid = crm.backend.read([name])[name]
    width = len(grid.header)
    return pd.DataFrame([[*r, *[None] * (width - len(r))] for r in grid.rows], columns=grid.header)


def _report(crm: CRM, as_of: dt.date, period: str) -> ReportData:
    return make_report(crm, as_of=as_of, fmt="txt", period=period).data


@pytest.fixture(scope="module", params=["demo", "retail"])
def book(request, tmp_path_factory) -> Book:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        mp.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
        mp.setenv("SHEETCRM_SNAPSHOTS", str(tmp_path_factory.mktemp("snapshots")))
        crm, as_of = {"demo": demo_workbook, "retail": retail_workbook}[request.param]()
        frames = {
            t.name: crm.frame(t.name)
            for t in crm.schema.tabs.values()
            if not t.system and (t in crm.schema.data_tabs or t.optional)
        }  # as `summary`
        dates = [frames["Interactions"]["date"], frames["Orders"]["date"]]
        first = pd.to_datetime(pd.concat(dates)).min().date()  # the first sale, either tab
        dash = crm.backend.read(["Dashboard"])["Dashboard"]
        rows = [dash.header, *dash.rows]
        reminded = remind(crm, as_of=as_of)
        yield Book(
            request.param,
            crm,
            as_of,
            frames,
            summarize(frames, as_of),
            _report(crm, as_of, "month"),
            _report(crm, as_of, f"{as_of - dt.timedelta(days=29)}..{as_of}"),
            _report(crm, as_of, f"{first}..{as_of}"),
            {name: _tab(crm, name) for name in GENERATED_TABS},
            {str(r[0]): list(r) for r in rows if r and r[0]},
            {str(r[6]): list(r[6:]) for r in rows if len(r) > 6 and r[6]},
            reminded.digests,
            reminded.reengage,
        )


GENERATED_TABS = ("By month", "By source", "By campaign", "By segment", "By region")


def kpi(data: ReportData) -> dict[str, Any]:
    return {k.label: k.value for k in data.kpis}


def independent_sales(frames: dict[str, pd.DataFrame], start: dt.date, end: dt.date) -> float:
    """Net revenue in [start, end) with plain pandas: purchases in, returns out."""

    def inside(frame: pd.DataFrame) -> pd.Series:
        when = pd.to_datetime(frame["date"])
        return (when >= pd.Timestamp(start)) & (when < pd.Timestamp(end))

    acts = frames["Interactions"]
    amount = acts["amount"].astype(float).abs()
    sign = acts["type"].map({"purchase": 1.0, "return": -1.0}).fillna(0.0)
    total = float((amount * sign)[inside(acts)].sum())
    # Orders lines (all sold here: the Online Retail log has no statuses) and the
    # standalone returns of its cancellation invoices, each on its own date
    lines, returns = frames.get("Orders"), frames.get("Returns")
    if lines is not None and not lines.empty:
        total += float(lines["line_total"].astype(float)[inside(lines)].sum())
    if returns is not None and not returns.empty:
        total -= float(returns["amount"].astype(float)[inside(returns)].sum())
    return round(total, 2)


# --- the four outputs agree ------------------------------------------------------------


def test_summary_and_report_agree_on_revenue_orders_and_average_order_value(book):
    s, month, last30 = book.summary, kpi(book.month), kpi(book.last30)
    assert s.revenue_30d == month["Revenue"] == last30["Revenue"]
    assert month == last30  # "month" is the last 30 days, the as-of day included
    window = last_days(book.as_of, 30)
    assert s.revenue_30d == independent_sales(book.frames, window.start, window.end)
    everything = kpi(book.all_time)
    assert s.revenue_total == everything["Revenue"]
    assert s.orders == everything["Orders"]
    assert s.average_order_value == everything["Average order value"]
    assert s.revenue_total == independent_sales(
        book.frames, dt.date(1900, 1, 1), book.as_of + dt.timedelta(days=1)
    )


def test_dashboard_and_report_agree_on_the_monthly_trend(book):
    trend = book.month.monthly
    by_month = book.tabs["By month"]
    assert list(by_month["Month"]) == [m["label"] for m in trend]
    assert list(by_month["Revenue"]) == [m["revenue"] for m in trend]
    assert list(by_month["Orders"]) == [m["orders"] for m in trend]
    assert list(by_month["New leads"]) == [m["leads"] for m in trend]
    table = [book.dashboard[m["label"]] for m in trend]  # the Dashboard's month table
    assert [r[1:4] for r in table] == [[m["leads"], m["orders"], m["revenue"]] for m in trend]
    d = book.dashboard
    this, last = trend[-1], trend[-2]
    assert d["Revenue"][1:3] == [this["revenue"], last["revenue"]]
    assert d["Orders"][1:3] == [this["orders"], last["orders"]]
    assert d["New leads"][1:3] == [this["leads"], last["leads"]]
    aov = [round(m["revenue"] / m["orders"], 2) if m["orders"] else None for m in (this, last)]
    assert d["Average order value"][1:3] == aov
    month = pd.Period(book.as_of, "M")
    start = month.start_time.date()
    assert this["revenue"] == independent_sales(book.frames, start, book.as_of + dt.timedelta(1))


def test_summary_report_and_dashboard_agree_on_leads_by_source_and_conversion(book):
    sources = {r["source"]: r for r in book.month.by_source}
    assert book.summary.leads_by_source == {k: r["leads"] for k, r in sources.items()}
    tab = book.tabs["By source"].set_index("Source")
    assert tab["Leads"].to_dict() == {k: r["leads"] for k, r in sources.items()}
    assert tab["Converted"].to_dict() == {k: r["converted"] for k, r in sources.items()}
    rates = {k: round(100 * r["rate"], 1) for k, r in sources.items()}
    assert tab["Conversion rate (%)"].to_dict() == rates
    for name in list(sources)[:8]:  # the Dashboard's source table
        leads, won = tab.loc[name, ["Leads", "Converted"]]
        assert book.side[name][:4] == [name, leads, won, rates[name]]
    leads = sum(r["leads"] for r in sources.values())
    won = sum(r["converted"] for r in sources.values())
    assert leads == len(book.frames["Leads"])
    rate = round(100 * won / leads, 1) if leads else None
    assert book.dashboard["Conversion rate, all leads (%)"][1] == rate


def test_report_and_dashboard_agree_on_campaigns(book):
    report = book.month.campaigns
    tab = book.tabs["By campaign"]
    assert sorted(tab["Campaign"]) == sorted(c["name"] for c in report)
    mine = tab.set_index("Campaign")
    pct = lambda v: None if v is None else round(100 * v, 1)  # noqa: E731
    for c in report:
        row = mine.loc[c["name"]]
        assert (row["Leads"], row["Revenue"]) == (c["leads"], c["revenue"])
        assert _blank(row["ROI (%)"]) == pct(c["roi"]) and _blank(row["CTR (%)"]) == pct(c["ctr"])
        assert _blank(row["Cost per customer"]) == c["cpa"]
    best = [c for c in report if c["roi"] is not None][:5]  # the report lists by ROI
    for c in best:
        assert book.side[c["name"]][1:3] == [pct(c["roi"]), c["revenue"]]


def _blank(value: Any) -> Any:
    return None if value is None or value == "" or pd.isna(value) else value


def test_summary_report_dashboard_and_reminders_agree_on_overdue_tasks(book):
    per = book.summary.overdue_tasks
    reminded = [
        (d.person, i) for d in book.reminders for i in d.overdue_tasks if i["kind"] == "task"
    ]
    assert Counter(who for who, _ in reminded) == Counter(per)
    reported = Counter(kpis.assignee(t["assignee"]) for t in book.month.overdue_tasks)
    assert reported == Counter(per)
    assert sorted((i["what"], i["due"]) for _, i in reminded) == sorted(
        (t["title"], t["due"]) for t in book.month.overdue_tasks
    )
    assert book.dashboard["Overdue tasks"][1] == sum(per.values())
    assert {who: book.side[who][1] for who in per} == per  # the per-assignee table
    assert book.side["Assignee"][:2] == ["Assignee", "Overdue tasks"]
    written = book.frames["Tasks"].set_index("task_id")["overdue"]
    assert int(written.sum()) == sum(per.values())
    if book.name == "retail":
        assert per == {"(nobody)": 1, "Ana": 1}  # ticked and done-by-status are not late


def test_one_vocabulary_of_open_leads(book):
    leads = book.frames["Leads"]
    open_ = leads["status"].isin(["new", "contacted", "qualified"])
    assert book.summary.open_leads == int(open_.sum())
    assert leads.loc[~open_, "urgency"].isna().all()
    reminded = {
        i["id"]
        for d in book.reminders
        for items in (d.overdue_tasks, d.due_today, d.this_week, d.no_next_action)
        for i in items
        if i["kind"] == "lead"
    }
    assert reminded <= set(leads.loc[open_, "lead_id"])
    value = leads.loc[open_, "value"].astype(float).fillna(0).sum()
    assert book.dashboard["Open pipeline value"][1] == round(value, 2)


def last_purchase_days(book: Book) -> pd.Series:
    """Days from each customer's last purchase to the as-of day, with plain pandas."""
    acts = book.frames["Interactions"]
    bought = acts.loc[acts["type"] == "purchase", ["date", "customer_id"]]
    lines = book.frames.get("Orders")
    if lines is not None and not lines.empty:
        bought = pd.concat([bought, lines[["date", "customer_id"]]])
    when = pd.to_datetime(bought["date"])
    buys = when < pd.Timestamp(book.as_of + dt.timedelta(1))
    last = when[buys].dt.normalize().groupby(bought.loc[buys, "customer_id"]).max()
    known = last[last.index.isin(book.frames["Customers"]["customer_id"])]
    return (pd.Timestamp(book.as_of) - known).dt.days


def quiet_days(book: Book) -> pd.Series:
    """Days since each customer was last heard of (the later of their last interaction and
    last purchase, else their first contact), with plain pandas (``kpis``: Recency)."""
    acts = book.frames["Interactions"]
    heard = acts[["date", "customer_id"]]
    lines = book.frames.get("Orders")
    if lines is not None and not lines.empty:
        heard = pd.concat([heard, lines[["date", "customer_id"]]])
    when = pd.to_datetime(heard["date"], errors="coerce")
    seen = when < pd.Timestamp(book.as_of + dt.timedelta(1))
    last = when[seen].dt.normalize().groupby(heard.loc[seen, "customer_id"]).max()
    people = book.frames["Customers"].set_index("customer_id")
    first = pd.to_datetime(people["first_contact"], errors="coerce").dt.normalize()
    latest = last.reindex(people.index).fillna(first)
    return (pd.Timestamp(book.as_of) - latest).dt.days


def test_summary_report_dashboard_and_reminders_agree_on_active_and_inactive_customers(book):
    days, quiet = last_purchase_days(book), quiet_days(book)
    active = set(days[days <= 180].index)
    inactive = set(quiet[quiet > 180].index) - active
    assert active and inactive
    s, month = book.summary, kpi(book.month)
    assert (s.active_customers, s.inactive_customers) == (len(active), len(inactive))
    assert (month["Active customers"], month["Inactive customers"]) == (len(active), len(inactive))
    counts = {k.split(" (")[0]: v[1] for k, v in book.dashboard.items() if len(v) > 1}
    assert (counts["Active customers"], counts["Inactive customers"]) == (
        len(active),
        len(inactive),
    )
    customers = book.frames["Customers"].set_index("customer_id")
    written = customers["recency_days"].astype(float)
    assert set(written[written <= 180].index) == active  # the computed column agrees
    reachable = customers[(customers["opt_out"] != True) & customers["email"].notna()]  # noqa: E712
    assert {r["customer_id"] for r in book.reengage} == inactive & set(reachable.index)
    if book.name == "demo":  # never-bought customers not heard of for 180 days count too
        assert inactive - set(days.index)


def test_report_and_dashboard_agree_on_segments_and_regions(book):
    customers = book.frames["Customers"]
    segment = customers["segment"].fillna("(none)")
    spent = customers["total_spent"].astype(float).fillna(0.0)
    orders = customers["orders"].astype(float).fillna(0.0)
    tab = book.tabs["By segment"].set_index("Segment")
    assert tab["Customers"].to_dict() == segment.value_counts().to_dict()
    revenue = spent.groupby(segment).sum()
    assert tab["Revenue"].to_dict() == pytest.approx(revenue.to_dict(), abs=0.01)
    for name, money in revenue.items():
        count = orders[segment == name].sum()
        aov = round(round(money, 2) / count, 2) if count else None
        assert _blank(tab.loc[name, "Average order value"]) == pytest.approx(aov, abs=0.01)
        share = round(100 * money / spent.sum(), 1) if spent.sum() else None
        assert _blank(tab.loc[name, "Share of revenue (%)"]) == pytest.approx(share, abs=0.1)
    reported = {s["segment"]: (s["customers"], s["revenue"]) for s in book.month.segments}
    assert reported == {k: (r["Customers"], r["Revenue"]) for k, r in tab.iterrows()}
    region = book.tabs["By region"]
    assert region["Customers"].sum() == len(customers)
    country = customers["country"].fillna("(unknown)")
    want = spent.groupby(country).sum().to_dict()
    assert region.groupby("Country")["Revenue"].sum().to_dict() == pytest.approx(want, abs=0.05)
    bought = customers[orders > 0]  # and each customer's average order value is revenue ÷ orders
    aov = [round(t / o, 2) for t, o in zip(bought["total_spent"], bought["orders"], strict=True)]
    assert bought["avg_order_value"].astype(float).tolist() == aov
    assert customers.loc[orders == 0, "avg_order_value"].isna().all()


def test_the_commands_print_the_same_figures(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    runner = CliRunner()

    def run(*args: str) -> str:
        from sheetcrm.cli import cli

        result = runner.invoke(cli, [*args, "--as-of", "2026-11-21"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    run("demo", "-q")
    summary = run("summary")
    report = run("report", "--format", "txt")  # the default: --period last-30-days
    last30 = re.search(r"the last 30 days, 2026-10-23 to 2026-11-21: ([^)]+)\)", summary)[1]
    assert "Report for the last 30 days, 2026-10-23 to 2026-11-21" in report
    assert re.search(r"^Revenue +(\S+)", report, re.M)[1] == last30
    late = re.search(r"overdue: (.*)$", summary, re.M)[1]
    total = sum(int(n) for n in re.findall(r" (\d+)(?:,|$)", late))
    assert re.search(r"^Overdue tasks: (\d+)", report, re.M)[1] == str(total)
    dash = CRM(backend=XlsxBackend(tmp_path / "crm.xlsx")).backend.read(["Dashboard"])
    rows = {r[0]: r for r in dash["Dashboard"].rows if r and r[0]}
    assert rows["Overdue tasks"][1] == total


# --- each definition, on hand-made frames ------------------------------------------------


def frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A frame as ``CRM.frame`` returns it: object columns, blanks as None."""
    return pd.DataFrame([[r.get(c) for c in columns] for r in rows], columns=columns, dtype=object)


SALE = ["interaction_id", "date", "type", "customer_id", "amount", "product", "quantity"]


def sale(when: str, kind: str, amount: float, customer: str = "C-1", product: str = "Tea") -> dict:
    return {
        "date": dt.datetime.fromisoformat(when),
        "type": kind,
        "customer_id": customer,
        "amount": amount,
        "product": product,
        "quantity": 1,
    }


def test_returns_and_refunds_lower_revenue_whatever_their_sign():
    acts = frame(
        [
            sale("2026-11-02 10:00", "purchase", 100),
            sale("2026-11-03 10:00", "return", 30),  # typed as a positive amount
            sale("2026-11-04 10:00", "return", -20),  # typed as a negative one
            sale("2026-11-04 11:00", "call", 999),  # not a sale
        ],
        SALE,
    )
    sales = kpis.sales({"Interactions": acts}, DEMO_DAY)
    money = kpis.sales_figures(sales)
    assert (money.revenue, money.orders) == (50.0, 1)
    assert money.average_order_value == 50.0
    assert kpis.product_table(sales).to_dict("records") == [
        {"product": "Tea", "orders": 1, "quantity": 1, "revenue": 50.0, "returns": 2}
    ]
    s = summarize({"Interactions": acts}, DEMO_DAY)
    assert (s.revenue_total, s.revenue_30d, s.orders) == (50.0, 50.0, 1)
    assert kpis.monthly(sales, frame([], ["contact_date"]), DEMO_DAY).loc[
        "2026-11", ["revenue", "returns"]
    ].tolist() == [50.0, 50.0]


def test_a_sale_exactly_at_the_period_end_belongs_to_the_next_period():
    period = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 8))
    acts = frame(
        [
            sale("2026-11-01 00:00", "purchase", 1),  # the first moment: in
            sale("2026-11-07 23:59", "purchase", 10),  # the last day: in
            sale("2026-11-08 00:00", "purchase", 100),  # the end: out
            sale("2026-10-31 23:59", "purchase", 1000),  # before: out
        ],
        SALE,
    )
    sales = kpis.sales({"Interactions": acts}, DEMO_DAY)
    assert kpis.sales_figures(sales, period).revenue == 11.0
    assert kpis.sales_figures(sales, period.previous()).revenue == 1000.0
    assert period.days == 7 and period.last == dt.date(2026, 11, 7)
    assert period.previous() == Period(
        dt.date(2026, 10, 25), dt.date(2026, 11, 1), "the previous period, 2026-10-25 to 2026-10-31"
    )


def test_last_30_days_is_30_days_ending_with_the_as_of_day_and_never_the_future():
    window = last_days(DEMO_DAY, 30)
    assert (window.start, window.end, window.days) == (
        dt.date(2026, 10, 23),
        dt.date(2026, 11, 22),
        30,
    )
    acts = frame(
        [
            sale("2026-10-23 00:00", "purchase", 1),  # 30th day back: in
            sale("2026-10-22 23:59", "purchase", 10),  # 31st day back: out
            sale("2026-11-21 23:59", "purchase", 100),  # the as-of day: in
            sale("2026-11-22 00:00", "purchase", 1000),  # tomorrow: counts nowhere
        ],
        SALE,
    )
    s = summarize({"Interactions": acts}, DEMO_DAY)
    assert s.revenue_30d == 101.0 and s.revenue_total == 111.0 and s.orders == 3
    label = "the last 30 days, 2026-10-23 to 2026-11-21"
    for typed in ("month", "last-30-days"):  # the old spelling is the same window, same words
        assert parse_period(typed, DEMO_DAY) == Period(window.start, window.end, label, "days")
    trend = kpis.monthly(
        kpis.sales({"Interactions": acts}, DEMO_DAY), frame([], ["contact_date"]), DEMO_DAY
    )
    assert trend["revenue"].iloc[-1] == 100.0 and trend["revenue"].iloc[-2] == 11.0


def test_typed_periods():
    assert parse_period("week", DEMO_DAY).days == 7
    assert parse_period("quarter", DEMO_DAY).days == 91
    span = parse_period("2026-01-01..2026-03-31", DEMO_DAY)
    assert (span.start, span.end, span.days) == (dt.date(2026, 1, 1), dt.date(2026, 4, 1), 90)
    cut = parse_period("2026-11-01..2026-12-31", DEMO_DAY)  # stops with the as-of day
    assert cut.end == dt.date(2026, 11, 22) and cut.label == "2026-11-01 to 2026-11-21"
    with pytest.raises(InputError, match="ends before it starts"):
        parse_period("2026-03-01..2026-01-01", DEMO_DAY)
    with pytest.raises(InputError, match="starts after the as-of date"):
        parse_period("2026-12-01..2026-12-31", DEMO_DAY)
    with pytest.raises(InputError, match=r"use this-month .*, last-month, last-7-days"):
        parse_period("fortnight", DEMO_DAY)


def test_monthly_trend_is_calendar_months():
    acts = frame(
        [sale("2026-10-31 23:59", "purchase", 5), sale("2026-11-01 00:00", "purchase", 7)], SALE
    )
    leads = frame(
        [{"contact_date": dt.date(2026, 11, 1)}, {"contact_date": None}], ["contact_date"]
    )
    trend = kpis.monthly(kpis.sales({"Interactions": acts}, DEMO_DAY), leads, DEMO_DAY)
    assert [str(p) for p in trend.index[[0, -1]]] == ["2025-12", "2026-11"]
    assert trend.loc["2026-10", "revenue"] == 5.0
    assert trend.loc["2026-11", ["revenue", "orders", "leads"]].tolist() == [
        7,
        1,
        1,
    ]
    assert trend.loc["2026-09", "aov"] is None


TASK = ["task_id", "title", "assignee", "due_date", "status", "done"]


def test_a_task_done_by_checkbox_only_is_not_overdue():
    day = dt.date(2026, 11, 1)
    tasks = frame(
        [
            {"task_id": "T-1", "title": "ticked", "assignee": "Ana", "due_date": day, "done": True},
            {
                "task_id": "T-2",
                "title": "done",
                "assignee": "Ana",
                "due_date": day,
                "status": "done",
            },
            {
                "task_id": "T-3",
                "title": "late",
                "assignee": "Ana",
                "due_date": day,
                "status": "todo",
            },
            {"task_id": "T-4", "title": "today", "assignee": "Ana", "due_date": DEMO_DAY},
            {"task_id": "T-5", "title": "undated", "assignee": "Ana"},
            {"task_id": "T-6", "title": "nobody's", "assignee": "  ", "due_date": day},
        ],
        TASK,
    )
    assert kpis.overdue_mask(tasks, DEMO_DAY).tolist() == [False, False, True, False, False, True]
    assert task_metrics(tasks, DEMO_DAY)["overdue"].to_dict() == {
        "T-1": False,
        "T-2": False,
        "T-3": True,
        "T-4": False,
        "T-5": False,
        "T-6": True,
    }
    assert kpis.overdue_by_assignee(kpis.overdue_tasks(tasks, DEMO_DAY)) == {
        "(nobody)": 1,
        "Ana": 1,
    }
    assert summarize({"Tasks": tasks}, DEMO_DAY).overdue_tasks == {"(nobody)": 1, "Ana": 1}
    found = digests({"Tasks": tasks, "Leads": frame([], ["lead_id", "status"])}, DEMO_DAY)
    late = {d.person: [i["id"] for i in d.overdue_tasks] for d in found}
    assert late == {"(nobody)": ["T-6"], "Ana": ["T-3"]}
    assert [i["id"] for d in found for i in d.due_today] == ["T-4"]


LEAD = ["lead_id", "source", "status", "value", "next_action", "next_action_date", "owner"]


def test_open_leads_conversion_and_pipeline():
    leads = frame(
        [
            {"lead_id": "L-1", "source": "referral", "status": "new", "value": 100},
            {"lead_id": "L-2", "source": "referral", "status": "contacted", "value": 200},
            {"lead_id": "L-3", "source": "ads", "status": "qualified", "value": 400},
            {"lead_id": "L-4", "source": "ads", "status": "converted", "value": 800},
            {"lead_id": "L-5", "status": None, "value": 1600},  # no status: not open
        ],
        LEAD,
    )
    assert list(kpis.open_leads(leads)["lead_id"]) == ["L-1", "L-2", "L-3"]
    assert kpis.pipeline(leads) == kpis.Pipeline(700.0, 0.1 * 100 + 0.25 * 200 + 0.5 * 400)
    assert kpis.conversion(leads).rate == 0.2 and kpis.conversion(leads.head(0)).rate is None
    table = kpis.leads_by_source(leads)
    assert table[["source", "leads", "converted"]].values.tolist() == [
        ["ads", 2, 1],
        ["referral", 2, 0],
        ["(none)", 1, 0],
    ]
    assert table["rate"].tolist()[:2] == [0.5, 0.0]


CUSTOMER = ["customer_id", "segment", "total_spent", "orders", "country", "city"]


def test_activity_is_decided_by_the_last_purchase_whatever_the_segment():
    customers = frame(
        [
            {"customer_id": "C-1", "segment": "VIP"},  # lapsed VIP: bought 181 days ago
            {"customer_id": "C-2", "segment": "inactive"},  # bought exactly 180 days ago
            {"customer_id": "C-3", "segment": "regular"},  # only returned something lately
            {"customer_id": "C-4", "segment": "new"},  # never bought: a prospect
            {"customer_id": "C-5", "segment": "regular"},  # buys after the as-of day only
        ],
        CUSTOMER,
    )
    ago = lambda days: (DEMO_DAY - dt.timedelta(days=days)).isoformat() + " 12:00"  # noqa: E731
    acts = frame(
        [
            sale(ago(181), "purchase", 500, "C-1"),
            sale(ago(180), "purchase", 10, "C-2"),
            sale(ago(400), "purchase", 10, "C-3"),
            sale(ago(3), "return", 10, "C-3"),
            sale("2026-11-22 09:00", "purchase", 10, "C-5"),
        ],
        SALE,
    )
    sales = kpis.sales({"Interactions": acts}, DEMO_DAY)
    state = kpis.activity(customers, sales, DEMO_DAY).tolist()
    assert state == ["inactive", "active", "inactive", None, None]
    assert kpis.active_customers(customers, sales, DEMO_DAY) == 1
    assert list(kpis.inactive_customers(customers, sales, DEMO_DAY)["customer_id"]) == [
        "C-1",
        "C-3",
    ]
    s = summarize({"Customers": customers, "Interactions": acts}, DEMO_DAY)
    assert (s.active_customers, s.inactive_customers) == (1, 2)
    people = customers.assign(email=[f"c{i}@example.com" for i in range(5)], opt_out=False)
    people.loc[2, "opt_out"] = True  # opted out: never on the win-back list
    listed = inactive_customers({"Customers": people, "Interactions": acts}, DEMO_DAY)
    assert [r["customer_id"] for r in listed] == ["C-1"]


def test_segment_and_region_tables():
    customers = frame(
        [
            {"customer_id": "C-1", "segment": "VIP", "total_spent": 300.0, "orders": 2},
            {"customer_id": "C-2", "segment": "VIP", "total_spent": 100.0, "orders": 2},
            {"customer_id": "C-3", "segment": None, "total_spent": 100.0, "orders": 1},
            {"customer_id": "C-4", "segment": "new", "total_spent": None, "orders": 0},
        ],
        CUSTOMER,
    )
    customers["country"] = ["Iran", "Iran", None, "Iran"]
    customers["city"] = ["Shiraz", "Tehran", None, "Shiraz"]
    table = kpis.segment_table(customers).to_dict("records")
    assert [{k: _blank(v) for k, v in r.items()} for r in table] == [
        {
            "segment": "VIP",
            "customers": 2,
            "revenue": 400.0,
            "average_order_value": 100.0,
            "share": 0.8,
        },
        {
            "segment": "(none)",
            "customers": 1,
            "revenue": 100.0,
            "average_order_value": 100.0,
            "share": 0.2,
        },
        {
            "segment": "new",
            "customers": 1,
            "revenue": 0.0,
            "average_order_value": None,
            "share": 0.0,
        },
    ]
    assert kpis.region_table(customers).values.tolist() == [
        ["Iran", "Shiraz", 2, 300.0],
        ["(unknown)", "", 1, 100.0],
        ["Iran", "Tehran", 1, 100.0],
    ]


def test_campaign_ratios_are_blank_rather_than_errors():
    assert kpis.ctr(1000, 50) == 0.05 and kpis.ctr(0, 50) is None and kpis.ctr(None, 5) is None
    assert kpis.cpa(100, 4) == 25.0 and kpis.cpa(100, 0) is None and kpis.cpa(0, 4) is None
    assert kpis.roi(150.0, 100) == 0.5 and kpis.roi(150.0, 0) is None
    assert kpis.roi(150.0, None) is None
    assert kpis.campaign_conversion(50, 5, 1, 4) == 0.1
    assert kpis.campaign_conversion(None, None, 1, 4) == 0.25
    assert kpis.campaign_conversion(None, None, 0, 0) is None


def test_today_is_a_day_in_the_workbook_time_zone():
    # 26 hours apart: whatever the time, the two zones are on different days
    assert Config(timezone="Pacific/Kiritimati").today() > Config(timezone="Etc/GMT+12").today()
    with pytest.raises(ConfigError, match="unknown timezone 'Mars/Olympus'"):
        Config(timezone="Mars/Olympus").today()
