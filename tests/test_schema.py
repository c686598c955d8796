"""The workbook schema: data and system tabs, IDs, header matching, required fields."""

from __future__ import annotations

import random

import pytest

from sheetcrm.errors import ValueParseError
from sheetcrm.model.ids import new_id
from sheetcrm.model.values import ValueContext


def test_every_tab_starts_with_its_id_column(schema):
    for tab in schema.tabs.values():
        assert tab.fields[0].type == "id" or tab.system
        assert tab.id_field == tab.fields[0].name


def test_five_data_tabs_the_seller_tabs_and_hidden_system_tabs(schema):
    assert [t.name for t in schema.core_tabs] == [
        "Customers",
        "Leads",
        "Interactions",
        "Campaigns",
        "Tasks",
    ]
    optional = [t.name for t in schema.data_tabs if t.optional]
    assert optional == ["Orders", "Returns", "Earnings"]
    assert all(t.hidden for t in schema.system_tabs)


def test_ids_are_unique_and_time_ordered():
    ids = [new_id("C") for _ in range(200_000)]  # many per millisecond, as in a bulk import
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    early = new_id("C", now=1_700_000_000)
    late = new_id("C", now=1_700_000_001)
    assert early < late
    assert early.startswith("C-") and len(early) == 18


def test_ids_reproducible_with_a_seeded_rng():
    a = new_id("L", rng=random.Random(1), now=1.0)
    b = new_id("L", rng=random.Random(1), now=1.0)
    assert a == b


def test_headers_matched_ignoring_case_and_spacing(schema):
    tab = schema["customers"]
    assert tab.get("Customer ID").name == "customer_id"
    assert tab.get(" LEAD-SOURCE ").name == "lead_source"
    assert tab.get("Favourite tea") is None


def test_required_field_must_not_be_blank(schema):
    with pytest.raises(ValueParseError) as info:
        schema["Customers"].parse_record({"name": "  "}, ValueContext(), row=4)
    assert "Customers, row 4, column 'name'" in str(info.value)
