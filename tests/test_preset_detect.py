"""Which export a file is, from its header alone: every seller preset on its exact header
(and on the sample exports in tests/fixtures/sellers), Google Forms in any built-in
language, Mailchimp's three audience exports, and what an import says it recognised."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_presets import (
    AMAZON,
    FLIPKART_AFFILIATE,
    FLIPKART_ORDERS,
    FLIPKART_RETURNS,
    GOOGLE_ADS,
    REFERRALS,
    SHOPIFY,
    SHOPSY,
    TRANSACTIONS,
)

from sheetcrm.ingest.importer import ImportSpec
from sheetcrm.ingest.mapping import map_columns
from sheetcrm.ingest.presets import PRESETS, detect_preset
from sheetcrm.ingest.readers import SourceTable, read_source
from sheetcrm.model.tabs import build_schema

SELLERS = Path(__file__).parent / "fixtures" / "sellers"
SCHEMA = build_schema()

HEADERS = {
    "flipkart-orders": FLIPKART_ORDERS,
    "flipkart-returns": FLIPKART_RETURNS,
    "flipkart-affiliate": FLIPKART_AFFILIATE,
    "shopsy-margin": SHOPSY,
    "referrals": REFERRALS,
    "amazon-orders": AMAZON,
    "shopify-orders": SHOPIFY,
    "google-ads": GOOGLE_ADS,
    "transactions": TRANSACTIONS.split(","),
}

MAILCHIMP_SUBSCRIBED = [
    "Email Address",
    "First Name",
    "Last Name",
    "Address",
    "Phone Number",
    "MEMBER_RATING",
    "OPTIN_TIME",
    "OPTIN_IP",
    "CONFIRM_TIME",
    "CONFIRM_IP",
    "LATITUDE",
    "LONGITUDE",
    "GMTOFF",
    "DSTOFF",
    "TIMEZONE",
    "CC",
    "REGION",
    "LAST_CHANGED",
    "LEID",
    "EUID",
    "NOTES",
    "TAGS",
]
MAILCHIMP_UNSUBSCRIBED = [
    *MAILCHIMP_SUBSCRIBED[:18],
    "UNSUB_TIME",
    "UNSUB_CAMPAIGN_TITLE",
    "UNSUB_CAMPAIGN_ID",
    "UNSUB_REASON",
    "UNSUB_REASON_OTHER",
    *MAILCHIMP_SUBSCRIBED[18:],
]
MAILCHIMP_CLEANED = [
    *MAILCHIMP_SUBSCRIBED[:18],
    "CLEAN_TIME",
    "CLEAN_CAMPAIGN_TITLE",
    "CLEAN_CAMPAIGN_ID",
    *MAILCHIMP_SUBSCRIBED[18:],
]


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_each_export_is_recognised_by_its_header(name):
    assert detect_preset(HEADERS[name]) is PRESETS[name]


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_a_header_spelled_in_another_case_is_still_recognised(name):
    assert detect_preset([c.upper() for c in HEADERS[name]]) is PRESETS[name]


@pytest.mark.parametrize(
    ("file", "name"),
    [
        ("flipkart_orders.csv", "flipkart-orders"),
        ("flipkart_returns.csv", "flipkart-returns"),
        ("flipkart_affiliate.csv", "flipkart-affiliate"),
        ("shopsy_margin.csv", "shopsy-margin"),
        ("referrals.csv", "referrals"),
        ("amazon_all_orders.txt", "amazon-orders"),
        ("shopify_orders.csv", "shopify-orders"),
        ("google_ads_campaigns.csv", "google-ads"),
        ("google_ads_campaigns_excel.csv", "google-ads"),
        ("mailchimp_subscribed.csv", "mailchimp"),
        ("form_responses_bn.csv", "google-form"),
        ("transactions.csv", "transactions"),
    ],
)
def test_the_sample_exports_are_recognised_as_read(file, name):
    path = SELLERS / file
    if not path.exists():
        pytest.skip(f"no sample {file}")
    columns = read_source(path).columns
    assert detect_preset(columns) is PRESETS[name]
    preset = PRESETS[name]
    assert map_columns(columns, SCHEMA.tab(preset.tab), preset=preset).fields


@pytest.mark.parametrize(
    "header",
    [
        ["Timestamp", "Email Address", "Your name", "Phone number"],
        ["برچسب زمان", "نام و نام خانوادگی", "شماره موبایل", "ایمیل"],
        ["টাইমস্ট্যাম্প", "পুরো নাম", "ইমেইল", "ফোন নম্বর"],
        ["টাইমস্ট্যাম্প", "ইমেল ঠিকানা", "আপনার নাম"],
        ["Timestamp", "Name", "Which saree?"],
    ],
)
def test_a_google_form_is_recognised_in_any_built_in_language(header):
    assert detect_preset(header) is PRESETS["google-form"]


def test_a_timestamp_alone_is_no_form():
    assert detect_preset(["Timestamp", "Temperature", "Humidity"]) is None


@pytest.mark.parametrize(
    "header", [MAILCHIMP_SUBSCRIBED, MAILCHIMP_UNSUBSCRIBED, MAILCHIMP_CLEANED]
)
def test_each_mailchimp_audience_export_is_recognised(header):
    assert detect_preset(header) is PRESETS["mailchimp"]


@pytest.mark.parametrize(
    "header",
    [
        ["Name", "Email", "Phone", "City"],
        ["Order ID", "Date", "Amount", "Status"],
        ["Campaign", "Budget", "Start date"],
        ["Referral code", "Name", "Status"],
    ],
)
def test_a_plain_sheet_is_no_known_export(header):
    assert detect_preset(header) is None


def test_flipkart_orders_returns_and_affiliate_are_told_apart():
    """All three have an order item id; each is recognised by what only it has."""
    assert detect_preset(FLIPKART_ORDERS).name == "flipkart-orders"
    assert detect_preset(FLIPKART_RETURNS).name == "flipkart-returns"
    assert detect_preset(FLIPKART_AFFILIATE).name == "flipkart-affiliate"


def _table(columns):
    return SourceTable("orders.csv", list(columns))


def test_an_import_without_a_preset_says_what_it_recognised():
    spec, said = ImportSpec().detected(_table(FLIPKART_ORDERS))
    assert spec.preset == "flipkart-orders"
    assert said == "looks like a Flipkart orders report (--preset flipkart-orders)"
    ads, said = ImportSpec().detected(_table(GOOGLE_ADS))
    assert ads.preset == "google-ads"
    assert said == "looks like a Google Ads campaign report (--preset google-ads)"


def test_a_preset_or_another_tab_given_is_kept():
    spec, said = ImportSpec(preset="transactions").detected(_table(FLIPKART_ORDERS))
    assert spec.preset == "transactions" and said == ""
    spec, said = ImportSpec(tab="Customers").detected(_table(FLIPKART_ORDERS))
    assert spec.preset is None and said == ""
    spec, said = ImportSpec(tab="orders").detected(_table(FLIPKART_ORDERS))
    assert spec.preset == "flipkart-orders" and said
