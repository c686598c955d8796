"""The one rule that says which customer an order's buyer is (``ingest.buyers``): e-mail,
then phone, then name + postal code, then name + city; else a new customer whose ID the
same file gives again."""

from __future__ import annotations

import datetime as dt

import pytest

from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.ingest.buyers import (
    CustomerIndex,
    buyer_keys,
    customer_record,
    group_buyers,
    looks_like_contact,
    plan_buyers,
    resolve_reference,
)
from sheetcrm.model.values import ValueContext


@pytest.fixture
def shop(harness, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    crm = CRM(backend=harness.backend, config=Config(values=ValueContext(region="IN")))
    crm.init()
    crm.upsert(
        "Customers",
        [
            {"customer_id": "C-1", "name": "Ria Sen", "email": "Ria@Example.com"},
            {"customer_id": "C-2", "name": "Amit Das", "phone": "+919830012345"},
            {"customer_id": "C-3", "name": "Mou Roy", "city": "Kolkata"},
            {"customer_id": "C-4", "name": "Mou  Roy", "city": "Howrah"},
        ],
    )
    return crm


def index(crm):
    return CustomerIndex(crm.schema["Customers"], crm.read(["Customers"])["Customers"], crm.ctx)


def test_the_keys_come_in_the_rules_order():
    keys = buyer_keys(
        {
            "email": "A@B.in",
            "phone": "+919830012345",
            "buyer_name": "Ria  SEN",
            "postal_code": "700019",
            "city": "Kolkata",
        }
    )
    assert [k for k, _ in keys] == ["email", "phone", "name+postal", "name+city"]
    assert keys[0][1] == "a@b.in" and keys[2][1] == "ria_sen\x1f700019"
    assert buyer_keys({"city": "Kolkata"}) == []  # no name, e-mail or phone: nobody


@pytest.mark.parametrize("harness", ["memory"], indirect=True)
@pytest.mark.parametrize(
    ("buyer", "found"),
    [
        ({"email": "ria@example.COM", "buyer_name": "R. Sen"}, "C-1"),
        ({"phone": "+919830012345", "buyer_name": "Amit"}, "C-2"),
        ({"email": "new@example.com", "phone": "+919830012345"}, "C-2"),  # e-mail unknown
        ({"buyer_name": "MOU ROY", "city": "kolkata"}, "C-3"),
        ({"buyer_name": "Mou Roy", "city": "Howrah"}, "C-4"),
        ({"buyer_name": "Mou Roy", "city": "Delhi"}, None),
        ({"buyer_name": "Ria Sen"}, None),  # a name alone says nobody
    ],
)
def test_an_existing_customer_is_found_by_the_first_rule_that_fits(shop, buyer, found):
    assert index(shop).find(buyer) == found


def test_lines_of_one_buyer_make_one_buyer_with_the_earliest_date():
    lines = [
        (2, {"buyer_name": "Ria Sen", "postal_code": "700019", "date": dt.datetime(2025, 9, 5)}),
        (3, {"buyer_name": "ria sen", "postal_code": "700019", "date": dt.datetime(2025, 9, 3)}),
        (4, {"buyer_name": "Ria Sen", "postal_code": "700020", "date": dt.datetime(2025, 9, 4)}),
        (5, {"product": "Saree"}),  # Amazon: no buyer at all
    ]
    buyers, of_row = group_buyers(lines)
    assert len(buyers) == 2 and of_row == {2: 0, 3: 0, 4: 1}
    assert buyers[0].first_date == dt.date(2025, 9, 3) and buyers[0].rows == [2, 3]


@pytest.mark.parametrize("harness", ["memory"], indirect=True)
def test_a_new_buyer_without_e_mail_or_phone_gets_the_same_id_each_time(shop):
    tab = shop.schema["Customers"]
    grid = shop.read(["Customers"])["Customers"]
    lines = [
        (
            2,
            {
                "buyer_name": "Sima Pal",
                "postal_code": "700019",
                "state": "West Bengal",
                "city": "Kolkata",
                "date": dt.datetime(2025, 9, 3, 14, 22),
                "channel": "flipkart",
            },
        )
    ]
    groups, _, _ = plan_buyers(tab, grid, lines, shop.ctx)
    again, _, _ = plan_buyers(tab, grid, lines, shop.ctx)
    record = groups[0].record
    assert record["customer_id"] == again[0].record["customer_id"]
    assert record["name"] == "Sima Pal" and record["city"] == "Kolkata"
    assert record["first_contact"] == dt.date(2025, 9, 3)
    assert record["notes"] == "PIN 700019, West Bengal"  # no postal_code/state columns


@pytest.mark.parametrize("harness", ["memory"], indirect=True)
def test_a_matched_customer_keeps_its_name_and_notes(shop):
    tab = shop.schema["Customers"]
    from sheetcrm.ingest.buyers import Buyer

    buyer = Buyer({"buyer_name": "R. Sen", "email": "ria@example.com", "postal_code": "1"})
    record = customer_record(tab, buyer, "C-1")
    assert record["customer_id"] == "C-1" and "name" not in record and "notes" not in record


@pytest.mark.parametrize(
    ("value", "contact"),
    [
        ("ria@example.com", True),
        ("+91 98300 12345", True),
        ("098300-12345", True),
        ("17850", False),  # an Online Retail customer id
        ("C-1", False),
        ("", False),
    ],
)
def test_what_a_customer_id_cell_holding_a_contact_looks_like(value, contact):
    assert looks_like_contact(value) is contact


@pytest.mark.parametrize("harness", ["memory"], indirect=True)
def test_an_e_mail_or_phone_in_a_customer_id_names_the_customer(shop):
    tab, idx = shop.schema["Customers"], index(shop)
    assert resolve_reference("RIA@example.com", idx, tab, shop.ctx) == ("C-1", "")
    assert resolve_reference("098300 12345", idx, tab, shop.ctx) == ("C-2", "")
    found, why = resolve_reference("who@example.com", idx, tab, shop.ctx)
    assert found is None and "who@example.com" in why
