"""What a sale, a return and an earning can be: the canonical values of the seller tabs'
choice fields (``Orders``, ``Returns``, ``Earnings``) and what each means for the money.

The spellings each platform exports (Flipkart's ``Order State``, Shopify's ``Financial
Status``, Amazon's ``order-status`` …) are the ``[Orders.status]`` table of
``vocabularies/en.toml``: that file is the one table of platform states, and the README's
reference is generated from it. This module says which canonical states are revenue.
"""

from __future__ import annotations

#: An order line's state, in the order a sale moves through them.
ORDER_STATUSES = (
    "pending",  # not paid yet (Shopify pending/authorized, Amazon Pending, COD not collected)
    "placed",  # accepted by the platform, not yet paid or shipped (Flipkart Approved)
    "paid",
    "shipped",
    "delivered",
    "cancelled",  # never happened: cancelled, voided, failed
    "returned",  # the goods came back (a Returns record says how much was refunded)
    "refunded",  # the money went back without a return
    "partially_refunded",  # part of the money went back (the Returns tab says how much)
)

#: States of a sale that happened: the line's total is gross revenue.
SOLD = ("paid", "shipped", "delivered", "returned", "refunded", "partially_refunded")

#: Sold, then undone in full: a line in one of these states is refunded whole unless a
#: Returns record linked to it says how much went back.
UNDONE = ("returned", "refunded")

#: Not (or not yet) a sale: never revenue.
NOT_SOLD = ("pending", "placed", "cancelled")

#: Where an order was taken (``Orders.channel``).
SALE_CHANNELS = (
    "direct",  # in person, by phone, an invoice of your own
    "website",  # your own shop
    "flipkart",
    "amazon",
    "shopify",
    "shopsy",
    "meesho",
    "etsy",
    "ebay",
    "whatsapp",
    "instagram",
    "facebook",
    "other",
)

#: What a Returns record is.
RETURN_KINDS = ("return", "refund")

#: Where a return stands; ``REFUND_VOID`` ones give nothing back.
RETURN_STATUSES = ("requested", "approved", "received", "refunded", "rejected", "cancelled")
REFUND_VOID = ("rejected", "cancelled")

#: What an Earnings row is: commission from an affiliate programme, a reseller's margin on
#: a sale, or a reward the business pays (or is paid) for a referral.
EARNING_SOURCES = ("affiliate", "reseller", "referral", "other")

#: Where an earning stands. ``approved`` and not ``paid`` is the balance owed.
EARNING_STATUSES = ("pending", "approved", "paid", "cancelled")


def is_sold(status: object) -> bool:
    """Whether a line in this state is a sale that happened (a blank state is: a hand-typed
    line without one is a sale, as a purchase interaction is)."""
    return status is None or status == "" or status in SOLD


def is_undone(status: object) -> bool:
    return status in UNDONE


def state_table() -> str:
    """The order states as a Markdown table (README "Order states"): each canonical state,
    whether it is revenue, and the platform spellings that read as it (``[Orders.status]``
    of the vocabulary files)."""
    from sheetcrm.model.vocab import builtin

    meaning = {
        **dict.fromkeys(NOT_SOLD, "not revenue"),
        **dict.fromkeys(SOLD, "revenue"),
        **dict.fromkeys(UNDONE, "revenue, refunded in full unless a return says how much"),
        "partially_refunded": "revenue, less its Returns records",
    }
    lines = ["| state | counts as | spellings read as it |", "|---|---|---|"]
    spellings = dict(builtin("en")["Orders.status"])
    for state in ORDER_STATUSES:
        words = ", ".join(f"`{w}`" for w in spellings.get(state, ()))
        lines.append(f"| `{state}` | {meaning[state]} | {words} |")
    return "\n".join(lines)
