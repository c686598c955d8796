"""A seller's report: "Revenue by channel" (the period's gross sales, refunds and net
revenue per channel) and "Earnings" (balances, progress to the payout threshold, referral
rewards owed and paid, tracking ids) in every format and language — and a report of a
workbook without Orders lines or Earnings rows says nothing of them.

The channel and earnings tables are the ones ``kpis.channel_table`` and
``analytics.earnings`` compute; here they are given, so these tests check the layout."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from test_dashboard_sellers import LINES, seller_workbook

from sheetcrm.analytics import kpis
from sheetcrm.analytics.earnings import EarningsTables
from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.config import parse_config
from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.model.tabs import SELLER_TABS
from sheetcrm.outputs import report_data
from sheetcrm.outputs.report import make_report
from sheetcrm.outputs.report_data import build
from sheetcrm.outputs.summary import make_summary, summary_text

DAY = dt.date(2026, 11, 21)
CHANNELS = pd.DataFrame(
    {
        "channel": ["flipkart", "amazon"],
        "orders": [5, 3],
        "gross": [143542.0, 4300.0],
        "refunds": [599.0, 0.0],
        "revenue": [142943.0, 4300.0],
        "share": [0.9708, 0.0292],
    }
)
EARNINGS = EarningsTables(
    programmes=pd.DataFrame(
        {
            "programme": ["Flipkart Affiliate", "Refer a friend"],
            "source": ["affiliate", "referral"],
            "events": [4, 2],
            "pending": [120.0, 100.0],
            "approved": [640.0, 50.0],
            "paid": [300.0, 50.0],
            "cancelled": [45.0, 0.0],
            "balance": [340.0, 0.0],
            "threshold": [1000.0, None],
            "to_threshold": [660.0, None],
            "progress": [0.34, None],
        }
    ),
    by_tracking=pd.DataFrame(
        {
            "tracking_id": ["ig-reel-7", "yt-diwali-haul"],
            "events": [1, 3],
            "sale_amount": [1500.0, 9800.0],
            "earned": [120.0, 640.0],
            "pending": [40.0, 80.0],
        }
    ),
    earned=940.0,
    pending=120.0,
    balance=340.0,
    rewards_owed=100.0,
    rewards_paid=50.0,
)


@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def given_tables(monkeypatch):
    """The seller tables as SALES and EARN compute them; the sales of the data tabs."""
    real = kpis.sales
    seen: dict[str, object] = {}

    def channel_table(sales, period=None):
        seen["period"] = period
        return CHANNELS

    def earnings_tables(frame, as_of, thresholds=None):
        seen["thresholds"] = thresholds
        return EARNINGS

    monkeypatch.setattr(kpis, "channel_table", channel_table)
    monkeypatch.setattr(report_data, "earnings_tables", earnings_tables)
    monkeypatch.setattr("sheetcrm.outputs.summary.earnings_tables", earnings_tables)
    monkeypatch.setattr(
        kpis, "sales", lambda frames, as_of: real(core(frames), as_of), raising=True
    )
    return seen


def core(frames):
    return {k: v for k, v in frames.items() if k not in SELLER_TABS}


def workbook(**locale) -> CRM:
    config = parse_config({"locale": locale, "earnings": {}} if locale else {})
    crm = CRM(backend=MemoryBackend(), config=config)
    write_demo(crm, DAY)
    return crm


def seller_frames(crm):
    frames = dict(crm.frames())
    frames["Orders"] = pd.DataFrame({"line_id": ["OD1-1"], "order_id": ["OD1"]})
    frames["Earnings"] = pd.DataFrame({"earning_id": ["E1"], "amount": [640.0]})
    return frames


def test_a_report_without_seller_data_has_no_seller_sections():
    crm = workbook()
    frames = core(crm.frames())
    data = build(frames, _period(), DAY, title="t", currency="USD")
    assert data.channels == [] and data.earnings is None
    for fmt in ("md", "txt", "html"):
        text = make_report(crm, as_of=DAY, fmt=fmt).content
        assert "Revenue by channel" not in text and "Earnings" not in text


def _period():
    from sheetcrm.analytics.periods import parse_period

    return parse_period("month", DAY)


def test_revenue_by_channel_and_earnings_in_markdown(given_tables):
    crm = workbook()
    text = make_report(crm, as_of=DAY, fmt="md", frames=seller_frames(crm)).content
    assert "## Revenue by channel" in text
    assert "| Flipkart | 5 | $143,542.00 | $599.00 | $142,943.00 | 97.1% |" in text
    assert "## Earnings" in text
    earned = (
        r"Earned \$940.00 \(approved or paid\), \$120.00 pending; balance owed to you \$340.00."
    )
    assert earned in text  # the Markdown filter escapes $ and brackets in sentences
    assert "| Flipkart Affiliate | $340.00 | $1,000.00 | $660.00 | 34.0% |" in text
    assert "Refer a friend |" not in text  # a referral programme is not an income balance
    assert r"Referral rewards: \$100.00 owed, \$50.00 paid." in text
    tracking = text.index("| yt-diwali-haul |"), text.index("| ig-reel-7 |")
    assert tracking[0] < tracking[1]  # most earned first
    assert given_tables["period"] is not None  # the report's period, not all time
    assert text.index("## Revenue by channel") < text.index("## Leads by source")


def test_text_and_html_reports(given_tables):
    crm = workbook()
    frames = seller_frames(crm)
    txt = make_report(crm, as_of=DAY, fmt="txt", frames=frames).content
    assert "Revenue by channel:" in txt
    assert "  Flipkart: $142,943.00 net ($143,542.00 gross, $599.00 refunded), 5 orders" in txt
    assert "  Flipkart Affiliate: $340.00 of $1,000.00 payout threshold (34.0%)\n" in txt
    assert "  Referral rewards: $100.00 owed, $50.00 paid." in txt
    html = make_report(crm, as_of=DAY, fmt="html", frames=frames).content
    assert "<h2>Revenue by channel</h2>" in html and "<h2>Earnings</h2>" in html
    assert '<td class="num">$142,943.00</td>' in html
    assert "yt-diwali-haul" in html
    assert 'alt="Revenue by channel"' in html  # the channels' pie among the charts


def test_payout_thresholds_come_from_the_configuration(given_tables, monkeypatch):
    crm = workbook()
    monkeypatch.setattr(
        "sheetcrm.outputs.report.payout_thresholds", lambda table: {"Flipkart Affiliate": 1000.0}
    )
    make_report(crm, as_of=DAY, fmt="md", frames=seller_frames(crm))
    assert given_tables["thresholds"] == {"Flipkart Affiliate": 1000.0}


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fa", "درآمد به تفکیک کانال"), ("bn", "চ্যানেল অনুযায়ী আয়")],
)
def test_the_sections_in_persian_and_bengali(given_tables, language, heading):
    crm = workbook(language=language)
    text = make_report(crm, as_of=DAY, fmt="md", frames=seller_frames(crm)).content
    assert f"## {heading}" in text
    assert "Revenue by channel" not in text and "Referral rewards" not in text


def test_a_pdf_report_with_seller_sections(given_tables, tmp_path):
    pytest.importorskip("weasyprint")
    crm = workbook()
    out = tmp_path / "r.pdf"
    make_report(crm, as_of=DAY, fmt="pdf", output=out, frames=seller_frames(crm))
    assert out.read_bytes().startswith(b"%PDF")


def test_summary_lines_for_a_seller(given_tables, monkeypatch):
    crm = workbook()
    figures = make_summary(crm, as_of=DAY, frames=seller_frames(crm))
    assert figures.channels == [("flipkart", 142943.0), ("amazon", 4300.0)]
    assert figures.earnings_balance == 340.0 and figures.rewards_owed == 100.0
    text = summary_text(crm, figures)
    assert "By channel   Flipkart $142,943.00, Amazon $4,300.00" in text
    assert "Earnings     $940.00 earned, $120.00 pending, balance $340.00" in text
    assert "Referrals    $100.00 owed, $50.00 paid" in text
    plain = summary_text(crm, make_summary(crm, as_of=DAY, frames=core(crm.frames())))
    assert "By channel" not in plain and "Earnings" not in plain


@pytest.mark.parametrize(
    ("language", "channels", "earnings"),
    [("fa", "به تفکیک کانال", "درآمد کمیسیون"), ("bn", "চ্যানেল অনুযায়ী", "কমিশন আয়")],
)
def test_a_sellers_summary_in_persian_and_bengali(given_tables, language, channels, earnings):
    crm = workbook(language=language)
    figures = make_summary(crm, as_of=DAY, frames=seller_frames(crm))
    text = summary_text(crm, figures)
    assert channels in text and earnings in text
    assert "By channel" not in text and "earned" not in text


def test_a_report_from_real_orders_and_earnings_tabs():
    """With the tables computed from real tabs: cancelled lines are not revenue, a returned
    line is refunded whole (pandas over the same lines)."""
    crm = seller_workbook(MemoryBackend())
    lines = pd.DataFrame(LINES, columns=["channel", "status", "total"])
    sold = lines[lines["status"] != "cancelled"]
    net = sold[sold["status"] != "returned"].groupby("channel")["total"].sum()
    data = make_report(crm, as_of=DAY, fmt="md").data
    got = {c["channel"]: c for c in data.channels}
    for channel, amount in net.items():
        assert got[channel]["revenue"] == amount
        assert got[channel]["gross"] == sold[sold["channel"] == channel]["total"].sum()
    assert "shopify" not in got
    assert data.earnings is not None and data.earnings.balance == 80.0
    assert data.earnings.rewards_owed == 100.0
    assert [p["programme"] for p in data.earnings.programmes] == ["Flipkart Affiliate"]
    figures = make_summary(crm, as_of=DAY)
    assert dict(figures.channels)["flipkart"] == net["flipkart"]
    assert figures.earnings_balance == 80.0
