"""The seller presets on the exact headers the platforms export: which column feeds which
field (and which are ignored, never guessed), and what each row becomes before planning
(defaults, commission rates, Shopsy margin status, referral status, currencies)."""

from __future__ import annotations

import pytest

from sheetcrm.errors import ConfigError, ValueParseError
from sheetcrm.ingest.mapping import PRESETS, VIRTUAL, map_columns
from sheetcrm.ingest.presets import PRESET_KINDS, reference_markdown
from sheetcrm.model.tabs import build_schema
from sheetcrm.model.values import ValueContext

SCHEMA = build_schema()


def columns(header: str, sep: str = ",") -> list[str]:
    """An export's header line as its column names."""
    return header.split(sep)


FLIPKART_ORDERS = columns(
    "Ordered On,Shipment ID,ORDER ITEM ID,Order Id,HSN CODE,Order State,Order Type,FSN,SKU,"
    "Product,Invoice No.,Invoice Date (mm/dd/yy),Invoice Amount,Selling Price Per Item,"
    "Shipping Charge per item,Quantity,Buyer name,Ship to name,Address Line 1,Address Line 2,"
    "City,State,PIN Code,Dispatch After date,Dispatch by date,Tracking ID"
)
FLIPKART_RETURNS = columns(
    "Return ID,Order ID,ORDER ITEM ID,Return Type,Return Status,Return Reason,"
    "Return Sub-reason,Return Requested Date,Return Completion Date,SKU,FSN,Product Title,"
    "Quantity,Refund Amount,Tracking ID"
)
FLIPKART_AFFILIATE = columns(
    "Order Date,Order Item ID,Product Name,Category,Quantity,Price (INR),Commission Rate,"
    "Commission (INR),Status,Tracking ID (affExtParam1)"
)
SHOPSY = columns(
    "Order ID,Order Date,Product,Quantity,Customer Name,Customer Phone,Selling Price,"
    "Your Margin,Order Status,Margin Status"
)
REFERRALS = columns("Referral code,Referred friend,Phone,Joined on,First order,Reward (₹),Status")
AMAZON = columns(
    "amazon-order-id	merchant-order-id	purchase-date	last-updated-date	order-status	"
    "fulfillment-channel	sales-channel	order-channel	url	ship-service-level	"
    "product-name	"
    "sku	asin	item-status	quantity	currency	item-price	item-tax	shipping-price	"
    "shipping-tax	gift-wrap-price	gift-wrap-tax	item-promotion-discount	"
    "ship-promotion-discount	ship-city	ship-state	ship-postal-code	ship-country	"
    "promotion-ids	is-business-order	purchase-order-number	price-designation",
    "\t",
)
SHOPIFY = columns(
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"
    "Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,"
    "Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
    "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,"
    "Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,"
    "Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,"
    "Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,"
    "Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,"
    "Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Phone"
)
GOOGLE_ADS = columns(
    "Campaign status,Campaign,Budget,Budget type,Campaign type,Impr.,Clicks,Interactions,"
    "Interaction rate,Avg. cost,Cost,Conv. rate,Conversions,Cost / conv.,Conv. value,"
    "Currency code"
)
TRANSACTIONS = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"

#: preset → (its export's header, the fields it must feed: column → field)
EXPECTED = {
    "flipkart-orders": (
        FLIPKART_ORDERS,
        {
            "Ordered On": "date",
            "ORDER ITEM ID": "line_id",
            "Order Id": "order_id",
            "Order State": "status",
            "SKU": "sku",
            "Product": "product",
            "Invoice Amount": "line_total",
            "Selling Price Per Item": "unit_price",
            "Quantity": "quantity",
            "Buyer name": "buyer_name",
            "City": "city",
            "State": "state",
            "PIN Code": "postal_code",
            "Invoice Date (mm/dd/yy)": "invoice_date",
        },
    ),
    "flipkart-returns": (
        FLIPKART_RETURNS,
        {
            "Return ID": "return_id",
            "Order ID": "order_id",
            "ORDER ITEM ID": "line_id",
            "Return Type": "kind",
            "Return Status": "status",
            "Return Reason": "reason",
            "Return Requested Date": "date",
            "Product Title": "product",
            "Quantity": "quantity",
            "Refund Amount": "amount",
        },
    ),
    "flipkart-affiliate": (
        FLIPKART_AFFILIATE,
        {
            "Order Date": "date",
            "Order Item ID": "reference",
            "Product Name": "product",
            "Price (INR)": "sale_amount",
            "Commission Rate": "rate",
            "Commission (INR)": "amount",
            "Status": "status",
            "Tracking ID (affExtParam1)": "tracking_id",
        },
    ),
    "shopsy-margin": (
        SHOPSY,
        {
            "Order ID": "reference",
            "Order Date": "date",
            "Customer Name": "buyer_name",
            "Customer Phone": "phone",
            "Selling Price": "sale_amount",
            "Your Margin": "amount",
            "Margin Status": "status",
        },
    ),
    "referrals": (
        REFERRALS,
        {
            "Referral code": "reference",
            "Referred friend": "buyer_name",
            "Phone": "phone",
            "Joined on": "date",
            "Reward (₹)": "amount",
            "Status": "status",
        },
    ),
    "amazon-orders": (
        AMAZON,
        {
            "amazon-order-id": "order_id",
            "purchase-date": "date",
            "order-status": "status",
            "product-name": "product",
            "sku": "sku",
            "quantity": "quantity",
            "item-price": "line_total",
            "ship-city": "city",
            "ship-state": "state",
            "ship-postal-code": "postal_code",
            "ship-country": "country",
        },
    ),
    "shopify-orders": (
        SHOPIFY,
        {
            "Name": "order_id",
            "Email": "email",
            "Financial Status": "status",
            "Created at": "date",
            "Lineitem quantity": "quantity",
            "Lineitem name": "product",
            "Lineitem price": "unit_price",
            "Lineitem sku": "sku",
            "Billing Name": "buyer_name",
            "Billing City": "city",
            "Billing Zip": "postal_code",
            "Billing Province": "state",
            "Billing Country": "country",
            "Billing Phone": "phone",
            "Refunded Amount": "order_refund",
            "Notes": "notes",
        },
    ),
    "google-ads": (
        GOOGLE_ADS,
        {
            "Campaign": "name",
            "Impr.": "impressions",
            "Clicks": "clicks",
            "Cost": "budget",
            "Conversions": "conversions",
            "Conv. value": "conversion_value",
        },
    ),
    "transactions": (
        TRANSACTIONS.split(","),
        {"InvoiceNo": "order_id", "UnitPrice": "unit_price", "CustomerID": "customer_id"},
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_preset_maps_its_export_header(name):
    header, expected = EXPECTED[name]
    preset = PRESETS[name]
    cmap = map_columns(header, SCHEMA.tab(preset.tab), preset=preset)
    for column, dest in expected.items():
        assert cmap.fields.get(column) == dest, column
    tab = SCHEMA.tab(preset.tab)
    for column, dest in cmap.fields.items():
        assert tab.get(dest) is not None or dest in VIRTUAL, (column, dest)
    assert set(cmap.fields) | set(cmap.ignored) == set(header)


def test_every_preset_of_the_cli_is_there_with_a_kind_and_a_label():
    assert set(PRESETS) == {
        "flipkart-orders",
        "flipkart-returns",
        "flipkart-affiliate",
        "shopsy-margin",
        "referrals",
        "amazon-orders",
        "shopify-orders",
        "google-ads",
        "mailchimp",
        "google-form",
        "feedback",
        "transactions",
    }
    for preset in PRESETS.values():
        assert preset.kind in PRESET_KINDS
        assert preset.label and preset.signature
        assert SCHEMA.tab(preset.tab) is not None
    kinds = {name: p.kind for name, p in PRESETS.items()}
    assert kinds["flipkart-orders"] == kinds["amazon-orders"] == kinds["shopify-orders"] == "orders"
    assert kinds["flipkart-returns"] == "returns"
    assert {kinds[n] for n in ("flipkart-affiliate", "shopsy-margin", "referrals")} == {"earnings"}
    assert kinds["google-ads"] == kinds["mailchimp"] == kinds["google-form"] == "records"


def test_a_closed_preset_ignores_columns_it_does_not_list():
    """A platform adding a column ``Status`` or ``Email`` to its export does not make it a
    field: only the listed columns are read."""
    preset = PRESETS["flipkart-affiliate"]
    cmap = map_columns(
        [*FLIPKART_AFFILIATE, "Email", "Notes"], SCHEMA.tab("Earnings"), preset=preset
    )
    assert "Email" in cmap.ignored and "Notes" in cmap.ignored
    ads = map_columns(
        [*GOOGLE_ADS, "Start date"], SCHEMA.tab("Campaigns"), preset=PRESETS["google-ads"]
    )
    assert "Start date" in ads.ignored and "Campaign status" in ads.ignored


def test_map_still_overrides_a_closed_preset():
    preset = PRESETS["referrals"]
    cmap = map_columns(
        REFERRALS, SCHEMA.tab("Earnings"), preset=preset, overrides={"First order": "notes"}
    )
    assert cmap.fields["First order"] == "notes"
    with pytest.raises(ConfigError, match="no field 'bogus'"):
        map_columns(REFERRALS, SCHEMA.tab("Earnings"), preset=preset, overrides={"Phone": "bogus"})


def test_the_referral_status_is_the_reward_status_never_a_lead_status():
    preset = PRESETS["referrals"]
    cmap = map_columns(REFERRALS, SCHEMA.tab("Earnings"), preset=preset)
    assert preset.tab == "Earnings" and cmap.fields["Status"] == "status"
    ctx = ValueContext(currency="INR")
    status = SCHEMA.tab("Earnings").field("status")
    row = preset.transform({"reference": "TANTUJA-ANANYA", "status": "Credited", "amount": "150"})
    assert status.parse(row["status"], ctx) == "paid"
    assert row["source"] == "referral" and row["programme"] == "Refer a friend"
    pending = preset.transform({"status": "Pending", "first_order": "2025-09-07"})
    assert status.parse(pending["status"], ctx) == "pending"
    assert pending["notes"] == "first order: 2025-09-07" and "first_order" not in pending


@pytest.mark.parametrize(
    ("written", "percent"), [("8.00", 0.08), ("8%", 0.08), ("5.00", 0.05), ("12.5", 0.125)]
)
def test_an_affiliate_rate_is_a_percentage_however_written(written, percent):
    row = PRESETS["flipkart-affiliate"].transform({"rate": written, "amount": "388.00"})
    rate = SCHEMA.tab("Earnings").field("rate").parse(row["rate"], ValueContext())
    assert rate == pytest.approx(percent)
    assert row["source"] == "affiliate" and row["programme"] == "Flipkart Affiliate"


@pytest.mark.parametrize(
    ("order", "margin", "status"),
    [
        ("Delivered", "Credited", "paid"),
        ("Shipped", "Pending", "pending"),
        ("Cancelled", "Pending", "cancelled"),
        ("Returned", "Credited", "cancelled"),
    ],
)
def test_a_shopsy_margin_takes_the_order_state_into_account(order, margin, status):
    row = PRESETS["shopsy-margin"].transform(
        {"order_status": order, "status": margin, "amount": "45.00"}
    )
    parsed = SCHEMA.tab("Earnings").field("status").parse(row["status"], ValueContext())
    assert parsed == status and "order_status" not in row
    assert row["source"] == "reseller" and row["programme"] == "Shopsy"


def test_a_row_keeps_its_own_value_over_a_default():
    row = PRESETS["flipkart-orders"].transform({"channel": "shopsy", "order_id": "OD1"})
    assert row["channel"] == "shopsy"
    assert PRESETS["flipkart-orders"].transform({"order_id": "OD1"})["channel"] == "flipkart"


def test_flipkart_falls_back_to_the_invoice_date_and_the_ship_to_name():
    row = PRESETS["flipkart-orders"].transform(
        {"date": "", "invoice_date": "09/03/25", "buyer_name": "", "ship_name": "Ananya Sen"}
    )
    assert row["date"] == "09/03/25" and row["buyer_name"] == "Ananya Sen"
    assert "invoice_date" not in row and "ship_name" not in row
    kept = PRESETS["flipkart-orders"].transform(
        {"date": "2025-09-03 14:22:10", "invoice_date": "09/03/25"}
    )
    assert kept["date"] == "2025-09-03 14:22:10"


def test_amazon_amounts_carry_their_currency_and_a_cancelled_item_cancels_its_line():
    preset = PRESETS["amazon-orders"]
    row = preset.transform(
        {"status": "Shipped", "item_status": "Cancelled", "currency": "INR", "line_total": "108.00"}
    )
    assert row["status"] == "Cancelled" and row["channel"] == "amazon"
    money = SCHEMA.tab("Orders").field("line_total")
    assert money.parse(row["line_total"], ValueContext(currency="INR")) == 108.0
    with pytest.raises(ValueParseError, match="INR"):
        money.parse(row["line_total"], ValueContext(currency="GBP"))
    shipped = preset.transform({"status": "Shipped", "item_status": "Shipped", "currency": ""})
    assert shipped["status"] == "Shipped" and "currency" not in shipped


def test_shopify_buyer_fields_fall_back_to_the_shipping_address():
    row = PRESETS["shopify-orders"].transform(
        {
            "buyer_name": "",
            "ship_name": "Rituparna Ghosh",
            "phone": "",
            "ship_phone": "",
            "order_phone": "+91 98300 12345",
            "city": "",
            "ship_city": "Kolkata",
            "postal_code": "700029",
            "ship_zip": "700001",
            "currency": "INR",
            "unit_price": "1,299.00",
            "order_refund": "",
        }
    )
    assert row["buyer_name"] == "Rituparna Ghosh" and row["phone"] == "+91 98300 12345"
    assert row["city"] == "Kolkata" and row["postal_code"] == "700029"
    assert row["unit_price"] == "INR 1,299.00" and row["order_refund"] == ""
    assert row["channel"] == "shopify"
    assert not {"ship_name", "ship_phone", "order_phone", "ship_city", "ship_zip"} & set(row)


def test_a_flipkart_return_reason_keeps_its_sub_reason():
    row = PRESETS["flipkart-returns"].transform(
        {"reason": "QUALITY_ISSUE", "reason_detail": "Colour faded after first wash"}
    )
    assert row["reason"] == "QUALITY_ISSUE: Colour faded after first wash"
    kind = SCHEMA.tab("Returns").field("kind")
    assert kind.parse("customer_return", ValueContext()) == "return"
    assert kind.parse("courier_return", ValueContext()) == "return"


def test_the_preset_reference_lists_every_preset_and_the_columns_it_reads():
    text = reference_markdown()
    for name in PRESETS:
        assert f"#### `--preset {name}`" in text
    assert "| `Conv. value` | `conversion_value` |" in text
    assert "| `Invoice Amount` | `line_total` |" in text
    assert "`channel` = `flipkart`" in text
    assert "`Shipment ID`" in text.split("#### `--preset flipkart-returns`")[0]
    one = reference_markdown(["google-ads"])
    assert one.startswith("#### `--preset google-ads`") and "flipkart" not in one
