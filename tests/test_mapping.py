"""Which column feeds which field, on the headers real exports have: Google Forms written in
Persian and Bengali, Mailchimp audiences, Shopify customers and orders, Flipkart orders."""

from __future__ import annotations

import datetime as dt

import pytest
from samples import MAILCHIMP_MEMBER, write

from sheetcrm.errors import ConfigError, InputError
from sheetcrm.ingest.importer import import_file
from sheetcrm.ingest.mapping import PRESETS, map_columns, parse_overrides
from sheetcrm.model.tabs import build_schema

SCHEMA = build_schema()

FORM_FA = (
    "Timestamp",
    "نام و نام خانوادگی",
    "شماره موبایل",
    "ایمیل",
    "از کجا با ما آشنا شدید؟",
    "توضیحات",
)
FORM_BN = ("Timestamp", "পুরো নাম", "ইমেইল", "ফোন নম্বর", "আপনি আমাদের কথা কোথায় শুনেছেন?", "মন্তব্য")
FORM_EN = ("Timestamp", "Email Address", "Your name", "Phone number", "How did you hear about us?")
MAILCHIMP = [*MAILCHIMP_MEMBER, "LAST_CHANGED", "LEID", "EUID", "NOTES", "TAGS"]
MAILCHIMP_UNSUBSCRIBED = [
    "Email Address",
    "First Name",
    "Last Name",
    "OPTIN_TIME",
    "CONFIRM_TIME",
    "UNSUB_TIME",
    "UNSUB_CAMPAIGN_TITLE",
    "UNSUB_REASON",
    "CC",
    "NOTES",
    "TAGS",
]
SHOPIFY_CUSTOMERS = [
    "First Name",
    "Last Name",
    "Email",
    "Accepts Email Marketing",
    "Company",
    "Address1",
    "Address2",
    "City",
    "Province",
    "Province Code",
    "Country",
    "Country Code",
    "Zip",
    "Phone",
    "Accepts SMS Marketing",
    "Total Spent",
    "Total Orders",
    "Tags",
    "Note",
    "Tax Exempt",
]
SHOPIFY_ORDERS = [
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem sku",
    "Billing Name",
    "Billing City",
    "Billing Country",
    "Billing Phone",
    "Notes",
    "Cancelled at",
    "Payment Method",
    "Refunded Amount",
    "Vendor",
    "Id",
    "Tags",
    "Risk Level",
    "Source",
    "Phone",
]
FLIPKART_ORDERS = [
    "Ordered On",
    "Shipment ID",
    "ORDER ITEM ID",
    "Order Id",
    "HSN CODE",
    "Order State",
    "Order Type",
    "FSN",
    "SKU",
    "Product",
    "Invoice No.",
    "CGST",
    "IGST",
    "SGST",
    "Invoice Date (mm/dd/yy)",
    "Invoice Amount",
    "Selling Price Per Item",
    "Shipping and Handling Charges",
    "Quantity",
    "Price inc. FKMP Contribution & Subsidy",
    "Buyer name",
    "Ship to name",
    "Address Line 1",
    "Address Line 2",
    "City",
    "State",
    "PIN Code",
    "Dispatch After date",
    "Dispatch by date",
    "Form requirement",
    "Tracking ID",
    "Package Length (cm)",
    "Package Breadth (cm)",
    "Package Height (cm)",
    "Package Weight (kg)",
    "Ready to Make",
    "With Attachment",
]
ONLINE_RETAIL = (
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
)

#: (case, header, tab, preset, --map overrides, the fields the columns feed)
EXPORTS = [
    (
        "Google Form in Persian",
        FORM_FA,
        "Leads",
        "google-form",
        {},
        {
            "Timestamp": "contact_date",
            "نام و نام خانوادگی": "name",
            "شماره موبایل": "phone",
            "ایمیل": "email",
            "از کجا با ما آشنا شدید؟": "source",  # a known question, by its words
            "توضیحات": "notes",
        },
    ),
    (
        "Google Form in Persian, the source question mapped",
        FORM_FA,
        "Leads",
        "google-form",
        {"از کجا با ما آشنا شدید؟": "source"},
        {
            "Timestamp": "contact_date",
            "نام و نام خانوادگی": "name",
            "شماره موبایل": "phone",
            "ایمیل": "email",
            "از کجا با ما آشنا شدید؟": "source",
            "توضیحات": "notes",
        },
    ),
    (
        "Google Form in Bengali",
        FORM_BN,
        "Leads",
        "google-form",
        {},
        {
            "Timestamp": "contact_date",
            "পুরো নাম": "name",
            "ইমেইল": "email",
            "ফোন নম্বর": "phone",
            "আপনি আমাদের কথা কোথায় শুনেছেন?": "source",
            "মন্তব্য": "notes",
        },
    ),
    (
        "Google Form in Bengali, no preset",
        FORM_BN,
        "Leads",
        None,
        {},
        {
            "Timestamp": "contact_date",
            "পুরো নাম": "name",
            "ইমেইল": "email",
            "ফোন নম্বর": "phone",
            "আপনি আমাদের কথা কোথায় শুনেছেন?": "source",
            "মন্তব্য": "notes",
        },
    ),
    (
        "Google Form in English",
        FORM_EN,
        "Leads",
        "google-form",
        {},
        {
            "Timestamp": "contact_date",
            "Email Address": "email",
            "Your name": "name",
            "Phone number": "phone",
            "How did you hear about us?": "source",
        },
    ),
    (
        "Mailchimp audience",
        MAILCHIMP,
        "Customers",
        "mailchimp",
        {},
        {
            "Email Address": "email",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Phone Number": "phone",
            "OPTIN_TIME": "optin_time",
            "CONFIRM_TIME": "first_contact",
            "CC": "country",
            "NOTES": "notes",
        },
    ),
    (
        "Mailchimp unsubscribed",
        MAILCHIMP_UNSUBSCRIBED,
        "Customers",
        "mailchimp",
        {},
        {
            "Email Address": "email",
            "First Name": "first_name",
            "Last Name": "last_name",
            "OPTIN_TIME": "optin_time",
            "CONFIRM_TIME": "first_contact",
            "UNSUB_TIME": "unsubscribed_at",
            "UNSUB_CAMPAIGN_TITLE": "unsub_campaign",
            "UNSUB_REASON": "unsub_reason",
            "CC": "country",
            "NOTES": "notes",
        },
    ),
    (
        "Shopify customers",
        SHOPIFY_CUSTOMERS,
        "Customers",
        None,
        {"First Name": "name"},
        {
            "First Name": "name",
            "Email": "email",
            "Company": "company",
            "City": "city",
            "Country": "country",
            "Phone": "phone",
            "Total Spent": "total_spent",
            "Note": "notes",
        },
    ),
    (
        "Shopify customers, first and last name joined",
        SHOPIFY_CUSTOMERS,
        "Customers",
        "mailchimp",
        {},
        {
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Company": "company",
            "City": "city",
            "Country": "country",
            "Phone": "phone",
            "Total Spent": "total_spent",
            "Note": "notes",
        },
    ),
    (
        "Shopify orders, the sales",
        SHOPIFY_ORDERS,
        "Interactions",
        "transactions",
        {"Name": "order_id", "Created at": "date", "Lineitem name": "product"},
        {
            "Name": "order_id",
            "Email": "email",
            "Total": "amount",
            "Created at": "date",
            "Lineitem name": "product",
        },
    ),
    (
        "Flipkart orders",
        FLIPKART_ORDERS,
        "Interactions",
        "transactions",
        {"Order Id": "order_id", "Ordered On": "date", "Invoice Amount": "amount"},
        {
            "Ordered On": "date",
            "Order Id": "order_id",
            "Product": "product",
            "Invoice Amount": "amount",
            "Quantity": "quantity",
        },
    ),
    (
        "Flipkart orders, the buyers",
        FLIPKART_ORDERS,
        "Customers",
        None,
        {"Buyer name": "name"},
        {"Buyer name": "name", "City": "city"},
    ),
    (
        "Online Retail",
        ONLINE_RETAIL,
        "Interactions",
        "transactions",
        {},
        {
            "InvoiceNo": "order_id",
            "StockCode": "sku",
            "Description": "product",
            "Quantity": "quantity",
            "InvoiceDate": "date",
            "UnitPrice": "unit_price",
            "CustomerID": "customer_id",
            "Country": "country",
        },
    ),
]


@pytest.mark.parametrize(
    ("header", "tab", "preset", "overrides", "fields"),
    [e[1:] for e in EXPORTS],
    ids=[e[0] for e in EXPORTS],
)
def test_real_export_headers(header, tab, preset, overrides, fields):
    mapped = map_columns(
        list(header), SCHEMA[tab], preset=PRESETS[preset] if preset else None, overrides=overrides
    )
    assert mapped.fields == fields
    assert mapped.ignored == [c for c in header if c not in fields]  # in file order


def test_two_columns_that_look_like_one_field_ask_for_a_choice():
    with pytest.raises(
        ConfigError, match=r"'Order Id' and 'Invoice No\.' both look like 'order_id'"
    ):
        map_columns(FLIPKART_ORDERS, SCHEMA["Interactions"], preset=PRESETS["transactions"])


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["FULL NAME", " e-mail ", "Mobile"],
            {"FULL NAME": "name", " e-mail ": "email", "Mobile": "phone"},
        ),
        (
            ["Name", "email_address", "Phone-Number"],
            {"Name": "name", "email_address": "email", "Phone-Number": "phone"},
        ),
        (
            ["نام", "آدرس ایمیل", "تلفن همراه"],
            {"نام": "name", "آدرس ایمیل": "email", "تلفن همراه": "phone"},
        ),
        (["নাম", "ই-মেইল", "মোবাইল"], {"নাম": "name", "ই-মেইল": "email", "মোবাইল": "phone"}),
    ],
    ids=["case and spaces", "punctuation", "Persian synonyms", "Bengali synonyms"],
)
def test_spellings_fold_to_one_field(header, expected):
    assert map_columns(header, SCHEMA["Customers"]).fields == expected


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (["E-mail"], "expected SOURCE=FIELD"),
        (["=email"], "expected SOURCE=FIELD"),
        (["E-mail="], "expected SOURCE=FIELD"),
    ],
)
def test_bad_overrides_are_clear(pairs, message):
    with pytest.raises(ConfigError, match=message):
        parse_overrides(pairs)


def test_overrides_name_columns_the_file_has():
    assert parse_overrides([" E-mail = email ", "a=b=c"]) == {"E-mail": "email", "a": "b=c"}
    with pytest.raises(ConfigError, match="names column 'Mail', which the file does not have"):
        map_columns(["E-mail"], SCHEMA["Customers"], overrides={"Mail": "email"})


def test_map_and_presets(crm, tmp_path):
    csv = "Customer,Electronic mail\nKaveh,kaveh@example.com\n"
    with pytest.raises(InputError, match="none of its columns"):
        import_file(crm, write(tmp_path, "a.csv", csv), tab="Customers")
    result = import_file(
        crm,
        write(tmp_path, "a.csv", csv),
        tab="Customers",
        overrides={"Customer": "name", "Electronic mail": "email"},
    )
    assert result.counts.created == 1
    with pytest.raises(ConfigError, match="no field 'mail'"):
        import_file(
            crm,
            write(tmp_path, "a.csv", csv),
            tab="Customers",
            overrides={"Electronic mail": "mail"},
        )
    chimp = (
        "Email Address,First Name,Last Name,UNSUB_TIME,OPTIN_TIME\n"
        "leila@example.com,Leila,Noori,,2024-02-01 10:00:00\n"
        "omid@example.com,Omid,,2024-05-05 09:00:00,2024-01-01 10:00:00\n"
    )
    result = import_file(crm, write(tmp_path, "chimp.csv", chimp), preset="mailchimp")
    assert result.tab == "Customers" and result.counts.created == 2
    df = crm.frame("Customers").set_index("email")
    assert df.loc["leila@example.com", "name"] == "Leila Noori"
    assert df.loc["omid@example.com", "opt_out"] is True
    assert df.loc["leila@example.com", "first_contact"] == dt.date(2024, 2, 1)
