"""The saree shop's earnings (``tests/fixtures/sellers``): its Flipkart Affiliate report
(commission per order item, rates as ``8.00`` and ``8%``, per video tracking id), its
Shopsy reseller margins (₹20–100 a sale) and its referral programme's rewards, each
imported without ``--preset`` in a fresh ``sheetcrm`` process, on an ``.xlsx`` and on
``sheetcrm emulator serve``. The balance owed per programme (approved, not paid) and its
progress to the payout threshold in ``sheetcrm.toml``, the referral rewards owed against
paid, and earnings per tracking id are checked against the test's own pandas reading."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from locale_support import Book, Imported
from seller_support import (
    AS_OF_ARGS,
    BACKENDS,
    affiliate_rows,
    cell_number,
    detected_preset,
    expected_sales,
    numbers_in,
    opened,
    referral_rows,
    shopify_lines,
    shopify_refunds,
    shopsy_rows,
)

FILES = {
    "flipkart_affiliate.csv": "flipkart-affiliate",
    "shopsy_margin.csv": "shopsy-margin",
    "referrals.csv": "referrals",
}
THRESHOLD = 1000.0  # sheetcrm.toml: [earnings."Flipkart Affiliate"] payout_threshold


@dataclass
class Earner:
    book: Book
    runs: dict[str, Imported]


@pytest.fixture(scope="module", params=BACKENDS)
def earner(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"earner-{request.param}")
    with opened(request.param, folder) as book:
        init = book.run("init", "-q")
        assert init.returncode == 0, init.stderr
        # the shop's own buyers first: a reseller's customer or a referred friend who is
        # one of them is matched (an earnings report makes nobody a customer)
        shopify = book.imported("shopify_orders.csv")
        assert shopify.done.returncode == 0, shopify.done.stderr
        runs = {name: book.imported(name) for name in FILES}
        refreshed = book.run("refresh", *AS_OF_ARGS, "-q")
        assert refreshed.returncode == 0, refreshed.stderr
        yield Earner(book, runs)


@pytest.mark.parametrize("name", list(FILES))
def test_each_report_is_detected_and_goes_in_whole(earner, name):
    run = earner.runs[name]
    assert run.done.returncode == 0, (run.done.returncode, run.done.stderr)
    assert detected_preset(run) == FILES[name], (run.doc, run.done.stderr)
    assert run.quarantine() == []
    # the export's Status is the earning's state, never a lead status
    assert "Status" not in run.doc["ignored_columns"] or name == "shopsy_margin.csv"


def _shown(earner: Earner) -> list[dict]:
    return earner.book.json("show", "Earnings")


def test_one_earnings_row_per_commission_margin_and_reward(earner):
    shown = _shown(earner)
    assert len(shown) == len(affiliate_rows()) + len(shopsy_rows()) + len(referral_rows())
    assert sorted(r["source"] for r in shown) == sorted(
        ["affiliate"] * len(affiliate_rows())
        + ["reseller"] * len(shopsy_rows())
        + ["referral"] * len(referral_rows())
    )


def test_affiliate_commission_rate_amount_and_state_as_reported(earner):
    want = affiliate_rows().set_index("reference")
    shown = [r for r in _shown(earner) if r["source"] == "affiliate"]
    assert sorted(str(r["reference"]) for r in shown) == sorted(want.index)
    for r in shown:
        row = want.loc[str(r["reference"])]
        assert r["programme"] == "Flipkart Affiliate"
        # 8.00 and 8% are both 8 %: a percent cell holds the fraction 0.08
        assert cell_number(r["rate"]) == pytest.approx(row["rate"] / 100), r
        assert cell_number(r["amount"]) == pytest.approx(row["amount"]), r
        assert cell_number(r["sale_amount"]) == pytest.approx(row["sale_amount"]), r
        assert r["status"] == row["status"], r
        assert r["tracking_id"] == row["tracking_id"], r


def test_reseller_margins_name_the_customers_they_match(earner):
    """Sreya Pal (a Shopify buyer, phone typed without +91 on Shopsy) is matched on both
    of her Shopsy sales; the Shopsy customers who are nobody's customer stay unnamed."""
    want = shopsy_rows()
    shown = {str(r["reference"]): r for r in _shown(earner) if r["source"] == "reseller"}
    assert sorted(shown) == sorted(want["reference"])
    paid = sum(cell_number(r["amount"]) or 0.0 for r in shown.values() if r["status"] == "paid")
    assert paid == pytest.approx(want[want["margin_status"] == "paid"]["amount"].sum())
    buyers = shopify_lines()
    known = dict(zip(buyers["phone"], buyers["name"], strict=True))
    customers = {c["customer_id"]: c for c in earner.book.json("show", "Customers")}
    assert len(customers) == buyers.drop_duplicates("email")["email"].nunique()
    for row in want.itertuples():
        held = shown[row.reference].get("customer_id") or ""
        if row.phone in known:
            assert held and customers[held]["name"] == known[row.phone], row
        else:
            assert held == "", row


def test_affiliate_balance_and_payout_progress_in_the_report(earner):
    rows = affiliate_rows()
    balance = float(rows[rows["status"] == "approved"]["amount"].sum())
    report = earner.book.said("report", "--format", "md", *AS_OF_ARGS)
    assert report.returncode == 0, report.stderr
    assert "Earnings" in report.stdout, report.stdout
    section = report.stdout.split("Earnings", 1)[1]
    printed = numbers_in(section)
    assert "Flipkart Affiliate" in section
    assert balance in printed, (balance, section)
    assert THRESHOLD in printed, section
    assert balance >= THRESHOLD  # the fixture's balance has reached the payout


def test_referral_rewards_owed_and_paid_are_not_income(earner):
    rows = referral_rows()
    owed = float(rows[rows["status"].isin(["pending", "approved"])]["amount"].sum())
    paid = float(rows[rows["status"] == "paid"]["amount"].sum())
    report = earner.book.said("report", "--format", "md", *AS_OF_ARGS)
    section = report.stdout.split("Earnings", 1)[1]
    printed = numbers_in(section)
    assert owed in printed and paid in printed, (owed, paid, section)
    summary = earner.book.json("summary", *AS_OF_ARGS)
    sales = expected_sales(shopify_lines(), shopify_refunds())
    # commission, margins and rewards are not sales: revenue is the Shopify orders' alone
    assert summary["revenue_total"] == pytest.approx(sales["revenue_total"])


def test_earnings_per_tracking_id_are_a_summary_tab(earner):
    """Per video or reel: what it earned (approved or paid) and what is still pending."""
    rows = affiliate_rows()
    earned = rows[rows["status"].isin(["approved", "paid"])].groupby("tracking_id")["amount"]
    pending = rows[rows["status"] == "pending"].groupby("tracking_id")["amount"]
    tab = {str(r["Tracking id"]): r for r in earner.book.cells("By tracking id")}
    assert sorted(tab) == sorted(set(rows["tracking_id"]))
    for tracking_id, amount in earned.sum().items():
        assert cell_number(tab[tracking_id]["Earned"]) == pytest.approx(amount), tracking_id
    for tracking_id, amount in pending.sum().items():
        assert cell_number(tab[tracking_id]["Pending"]) == pytest.approx(amount), tracking_id
    top = max(tab, key=lambda k: cell_number(tab[k]["Earned"]) or 0.0)
    assert top == earned.sum().idxmax() == "yt-bridal-sarees"


def test_balance_and_payout_progress_per_programme_on_the_dashboard(earner):
    aff, shopsy, referrals = affiliate_rows(), shopsy_rows(), referral_rows()
    tab = {str(r["Programme"]): r for r in earner.book.cells("By programme")}
    flipkart = tab["Flipkart Affiliate"]
    by_state = aff.groupby("status")["amount"].sum()
    for state, column in (("pending", "Pending"), ("approved", "Approved"), ("paid", "Paid")):
        assert cell_number(flipkart[column]) == pytest.approx(by_state[state]), column
    balance = by_state["approved"]
    assert cell_number(flipkart["Balance (approved, unpaid)"]) == pytest.approx(balance)
    assert cell_number(flipkart["Payout threshold"]) == THRESHOLD
    assert cell_number(flipkart["Progress to payout (%)"]) == pytest.approx(
        min(100.0, 100 * balance / THRESHOLD)
    )
    reseller = next(r for r in tab.values() if r["Source"] == "reseller")
    paid = shopsy[shopsy["margin_status"] == "paid"]["amount"].sum()
    assert cell_number(reseller["Paid"]) == pytest.approx(paid)
    referral = next(r for r in tab.values() if r["Source"] == "referral")
    owed = referrals[referrals["status"] == "pending"]["amount"].sum()
    assert cell_number(referral["Pending"]) == pytest.approx(owed)
    assert cell_number(referral["Paid"]) == pytest.approx(
        referrals[referrals["status"] == "paid"]["amount"].sum()
    )
