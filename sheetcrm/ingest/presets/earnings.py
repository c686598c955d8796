"""What the business earns (and pays) besides its own sales: a Flipkart affiliate
commission report, a Shopsy reseller's margins, and a referral programme's rewards — all
Earnings rows, one per event.

What the earnings planner (``ingest.earnings``) receives, per row: Earnings fields, plus
``buyer_name`` and ``phone`` (the Shopsy customer, the referred friend: a customer or lead
to link). ``source`` and ``programme`` come from the preset's ``defaults``; ``reference``
is the programme's own id of the event (order item id, order id, referral code).

- **rate**: a commission rate is a percentage however it is written (``8.00`` and
  ``8%`` are both 8 %): the preset hands it on as ``8.00%``.
- **Shopsy margin status**: ``Margin Status`` Pending/Credited is the earning's status
  (pending/paid); an order Cancelled or Returned cancels its margin whatever the margin
  status says.
- **Referral status**: the export's ``Status`` (Credited/Pending) is the reward's
  Earnings status (paid/pending), never a lead's status.
"""

from __future__ import annotations

from typing import Any

from sheetcrm.ingest.presets.base import percent_text, preset, token

Row = dict[str, Any]


def _affiliate(row: Row) -> Row:
    if "rate" in row:
        row["rate"] = percent_text(row["rate"])
    return row


FLIPKART_AFFILIATE = preset(
    "flipkart-affiliate",
    "Earnings",
    {
        "Order Date": "date",
        "Order Item ID": "reference",
        "Product Name": "product",
        "Category": "category",
        "Quantity": "quantity",
        "Price (INR)": "sale_amount",
        "Commission Rate": "rate",
        "Commission (INR)": "amount",
        "Status": "status",
        "Tracking ID (affExtParam1)": "tracking_id",
    },
    _affiliate,
    defaults={"source": "affiliate", "programme": "Flipkart Affiliate"},
    description="Flipkart Affiliate orders report → Earnings (commission, rate, status, "
    "tracking id), programme Flipkart Affiliate",
    kind="earnings",
    signature=("Order Item ID", "Commission Rate", "Commission (INR)"),
    label="a Flipkart affiliate earnings report",
    closed=True,
)

#: A Shopsy order in one of these states earns no margin.
_MARGIN_LOST = {"cancelled", "canceled", "returned", "rto"}


def _shopsy(row: Row) -> Row:
    state = row.pop("order_status", None)
    if token(state) in _MARGIN_LOST:
        row["status"] = "cancelled"
    return row


SHOPSY_MARGIN = preset(
    "shopsy-margin",
    "Earnings",
    {
        "Order ID": "reference",
        "Order Date": "date",
        "Product": "product",
        "Quantity": "quantity",
        "Customer Name": "buyer_name",
        "Customer Phone": "phone",
        "Selling Price": "sale_amount",
        "Your Margin": "amount",
        "Order Status": "order_status",
        "Margin Status": "status",
    },
    _shopsy,
    defaults={"source": "reseller", "programme": "Shopsy"},
    description="Shopsy reseller orders → Earnings (your margin per sale; a cancelled or "
    "returned order's margin is cancelled), programme Shopsy",
    kind="earnings",
    signature=("Order ID", "Your Margin", "Margin Status"),
    label="a Shopsy reseller margin report",
    closed=True,
)


def _referral(row: Row) -> Row:
    first = row.pop("first_order", None)
    if token(first) and not token(row.get("notes")):
        row["notes"] = f"first order: {first}"
    return row


REFERRALS = preset(
    "referrals",
    "Earnings",
    {
        "Referral code": "reference",
        "Referred friend": "buyer_name",
        "Phone": "phone",
        "Joined on": "date",
        "First order": "first_order",
        "Reward (₹)": "amount",
        "Reward": "amount",
        "Status": "status",
    },
    _referral,
    defaults={"source": "referral", "programme": "Refer a friend"},
    description="referral programme rewards → Earnings (source referral: owed or paid, "
    "never income)",
    kind="earnings",
    signature=("Referral code", "Referred friend", ("Reward (₹)", "Reward")),
    label="a referral programme report",
    closed=True,
)

#: Fields these presets use on the way to real ones (module docstring).
VIRTUAL = {"buyer_name", "phone", "category", "quantity", "order_status", "first_order"}

PRESETS = (FLIPKART_AFFILIATE, SHOPSY_MARGIN, REFERRALS)
