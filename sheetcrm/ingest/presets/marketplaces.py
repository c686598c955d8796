"""Orders and returns from the platforms people sell on: Flipkart Seller Hub orders and
returns, Amazon Seller Central *All Orders* (tab separated), the Shopify orders export,
and a transactions log of the Online Retail shape.

What the order and return planners (``ingest.orders``) receive, per row: the fields of
the Orders or Returns tab, plus these virtual fields —

- ``buyer_name``, ``email``, ``phone``, ``city``, ``state``, ``postal_code``,
  ``country``: who bought, for ``ingest.buyers`` (Amazon has none of them but the
  address; Flipkart no e-mail or phone);
- ``order_refund``: Shopify's order-level ``Refunded Amount`` (one Returns record, kind
  refund, for the order when > 0);
- ``sku`` on a return (the Returns tab keeps none: it finds the line by ``line_id``);
- ``invoice_date``: Flipkart's ``Invoice Date (mm/dd/yy)``, a date column whose header
  names its day/month order; it is the line's ``date`` when ``Ordered On`` is blank.

Every row also carries the preset's ``defaults`` (``channel``). Money cells of an export
that names its currency (Amazon ``currency``, Shopify ``Currency``) come prefixed with
the code (``INR 108.00``), so an amount in another currency is set aside as that cell.
"""

from __future__ import annotations

from typing import Any

from sheetcrm.ingest.presets.base import IGNORE, first_of, in_currency, preset, token

Row = dict[str, Any]


def _flipkart_orders(row: Row) -> Row:
    first_of(row, "date", "invoice_date")
    first_of(row, "buyer_name", "ship_name")
    return row


FLIPKART_ORDERS = preset(
    "flipkart-orders",
    "Orders",
    {
        "Ordered On": "date",
        "Shipment ID": IGNORE,
        "ORDER ITEM ID": "line_id",
        "Order Id": "order_id",
        "HSN CODE": IGNORE,
        "Order State": "status",
        "Order Type": IGNORE,
        "FSN": IGNORE,
        "SKU": "sku",
        "Product": "product",
        "Invoice No.": IGNORE,
        "Invoice Date (mm/dd/yy)": "invoice_date",
        "Invoice Amount": "line_total",
        "Selling Price Per Item": "unit_price",
        "Shipping Charge per item": IGNORE,
        "Quantity": "quantity",
        "Buyer name": "buyer_name",
        "Ship to name": "ship_name",
        "Address Line 1": IGNORE,
        "Address Line 2": IGNORE,
        "City": "city",
        "State": "state",
        "PIN Code": "postal_code",
        "Dispatch After date": IGNORE,
        "Dispatch by date": IGNORE,
        "Tracking ID": IGNORE,
    },
    _flipkart_orders,
    defaults={"channel": "flipkart"},
    description="Flipkart Seller Hub orders report → Orders lines (ORDER ITEM ID) and the "
    "buyers as Customers (name + PIN code)",
    kind="orders",
    signature=("ORDER ITEM ID", "Order State", "FSN", "Invoice Amount", "Selling Price Per Item"),
    label="a Flipkart orders report",
    closed=True,
)


def _flipkart_returns(row: Row) -> Row:
    sub = row.pop("reason_detail", None)
    if sub is not None and token(sub) and token(sub) != token(row.get("reason")):
        reason = row.get("reason")
        row["reason"] = f"{reason}: {sub}" if token(reason) else sub
    return row


FLIPKART_RETURNS = preset(
    "flipkart-returns",
    "Returns",
    {
        "Return ID": "return_id",
        "Order ID": "order_id",
        "ORDER ITEM ID": "line_id",
        "Return Type": "kind",
        "Return Status": "status",
        "Return Reason": "reason",
        "Return Sub-reason": "reason_detail",
        "Return Requested Date": "date",
        "Return Completion Date": IGNORE,
        "SKU": "sku",
        "FSN": IGNORE,
        "Product Title": "product",
        "Quantity": "quantity",
        "Refund Amount": "amount",
        "Tracking ID": IGNORE,
    },
    _flipkart_returns,
    description="Flipkart returns report → Returns records linked to the Orders line "
    "(ORDER ITEM ID); the sale stays as it was",
    kind="returns",
    signature=("Return ID", "ORDER ITEM ID", "Return Type", "Return Status", "Refund Amount"),
    label="a Flipkart returns report",
    closed=True,
)

#: Amazon's per-item states that undo a line whatever the order's state says.
_AMAZON_ITEM_UNDONE = {"cancelled", "canceled"}


def _amazon(row: Row) -> Row:
    item = row.pop("item_status", None)
    if token(item) in _AMAZON_ITEM_UNDONE:
        row["status"] = item
    in_currency(row, "currency", "line_total")
    return row


AMAZON_ORDERS = preset(
    "amazon-orders",
    "Orders",
    {
        "amazon-order-id": "order_id",
        "merchant-order-id": IGNORE,
        "purchase-date": "date",
        "last-updated-date": IGNORE,
        "order-status": "status",
        "fulfillment-channel": IGNORE,
        "sales-channel": IGNORE,
        "order-channel": IGNORE,
        "url": IGNORE,
        "ship-service-level": IGNORE,
        "product-name": "product",
        "sku": "sku",
        "asin": IGNORE,
        "item-status": "item_status",
        "quantity": "quantity",
        "currency": "currency",
        "item-price": "line_total",
        "item-tax": IGNORE,
        "shipping-price": IGNORE,
        "shipping-tax": IGNORE,
        "gift-wrap-price": IGNORE,
        "gift-wrap-tax": IGNORE,
        "item-promotion-discount": IGNORE,
        "ship-promotion-discount": IGNORE,
        "ship-city": "city",
        "ship-state": "state",
        "ship-postal-code": "postal_code",
        "ship-country": "country",
        "promotion-ids": IGNORE,
        "is-business-order": IGNORE,
        "purchase-order-number": IGNORE,
        "price-designation": IGNORE,
    },
    _amazon,
    defaults={"channel": "amazon"},
    description="Amazon Seller Central All Orders report (tab separated) → Orders lines; "
    "item-price is the line total; Amazon names no buyer",
    kind="orders",
    signature=("amazon-order-id", "purchase-date", "order-status", "asin", "item-price"),
    label="an Amazon All Orders report",
    closed=True,
)


def _shopify(row: Row) -> Row:
    first_of(row, "buyer_name", "ship_name")
    first_of(row, "phone", "ship_phone", "order_phone")
    first_of(row, "city", "ship_city")
    first_of(row, "postal_code", "ship_zip")
    first_of(row, "state", "ship_province")
    first_of(row, "country", "ship_country")
    in_currency(row, "currency", "unit_price", "order_refund")
    return row


SHOPIFY_ORDERS = preset(
    "shopify-orders",
    "Orders",
    {
        "Name": "order_id",
        "Email": "email",
        "Financial Status": "status",
        "Paid at": IGNORE,
        "Fulfillment Status": IGNORE,
        "Fulfilled at": IGNORE,
        "Accepts Marketing": IGNORE,
        "Currency": "currency",
        "Subtotal": IGNORE,
        "Shipping": IGNORE,
        "Taxes": IGNORE,
        "Total": IGNORE,
        "Discount Code": IGNORE,
        "Discount Amount": IGNORE,
        "Shipping Method": IGNORE,
        "Created at": "date",
        "Lineitem quantity": "quantity",
        "Lineitem name": "product",
        "Lineitem price": "unit_price",
        "Lineitem compare at price": IGNORE,
        "Lineitem sku": "sku",
        "Lineitem requires shipping": IGNORE,
        "Lineitem taxable": IGNORE,
        "Lineitem fulfillment status": IGNORE,
        "Billing Name": "buyer_name",
        "Billing Street": IGNORE,
        "Billing Address1": IGNORE,
        "Billing Address2": IGNORE,
        "Billing Company": IGNORE,
        "Billing City": "city",
        "Billing Zip": "postal_code",
        "Billing Province": "state",
        "Billing Country": "country",
        "Billing Phone": "phone",
        "Shipping Name": "ship_name",
        "Shipping Street": IGNORE,
        "Shipping Address1": IGNORE,
        "Shipping Address2": IGNORE,
        "Shipping Company": IGNORE,
        "Shipping City": "ship_city",
        "Shipping Zip": "ship_zip",
        "Shipping Province": "ship_province",
        "Shipping Country": "ship_country",
        "Shipping Phone": "ship_phone",
        "Notes": "notes",
        "Note Attributes": IGNORE,
        "Cancelled at": IGNORE,
        "Payment Method": IGNORE,
        "Payment Reference": IGNORE,
        "Refunded Amount": "order_refund",
        "Vendor": IGNORE,
        "Outstanding Balance": IGNORE,
        "Employee": IGNORE,
        "Location": IGNORE,
        "Device ID": IGNORE,
        "Id": IGNORE,
        "Tags": IGNORE,
        "Risk Level": IGNORE,
        "Source": IGNORE,
        "Lineitem discount": IGNORE,
        "Phone": "order_phone",
    },
    _shopify,
    defaults={"channel": "shopify"},
    description="Shopify orders export → Orders lines (Name + line number), buyers as "
    "Customers, Refunded Amount as a refund of the order",
    kind="orders",
    signature=("Name", "Financial Status", "Lineitem name", "Lineitem price", "Lineitem quantity"),
    label="a Shopify orders export",
    closed=True,
)

TRANSACTIONS = preset(
    "transactions",
    "Orders",
    {
        "InvoiceNo": "order_id",
        "Invoice": "order_id",
        "Order ID": "order_id",
        "StockCode": "sku",
        "Description": "product",
        "Product": "product",
        "Quantity": "quantity",
        "Qty": "quantity",
        "InvoiceDate": "date",
        "Date": "date",
        "UnitPrice": "unit_price",
        "Price": "unit_price",
        "CustomerID": "customer_id",
        "Customer ID": "customer_id",
        "Country": "country",
        "Email": "email",
    },
    None,
    description="invoice lines (invoice, product, quantity, unit price, date, customer, "
    "country) → Orders lines, Returns for C (cancellation) invoices, and Customers",
    kind="transactions",
    signature=("InvoiceNo", "StockCode", "InvoiceDate", "UnitPrice"),
    label="a transactions log (invoice lines)",
)

#: Fields these presets use on the way to real ones (module docstring).
VIRTUAL = {
    "buyer_name",
    "email",
    "phone",
    "city",
    "state",
    "postal_code",
    "country",
    "order_refund",
    "sku",
    "unit_price",
    "invoice_date",
    "ship_name",
    "ship_phone",
    "order_phone",
    "ship_city",
    "ship_zip",
    "ship_province",
    "ship_country",
    "item_status",
    "currency",
    "reason_detail",
}

PRESETS = (FLIPKART_ORDERS, FLIPKART_RETURNS, AMAZON_ORDERS, SHOPIFY_ORDERS, TRANSACTIONS)
