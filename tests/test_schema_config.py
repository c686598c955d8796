"""Schema, IDs and configuration."""

from __future__ import annotations

import random

import pytest

from sheetcrm.config import Config, load_config, parse_config
from sheetcrm.errors import ConfigError, ValueParseError
from sheetcrm.model.schema import new_id
from sheetcrm.model.values import ValueContext


def test_every_tab_starts_with_its_id_column(schema):
    for tab in schema.tabs.values():
        assert tab.fields[0].type == "id" or tab.system
        assert tab.id_field == tab.fields[0].name


def test_five_data_tabs_and_hidden_system_tabs(schema):
    assert [t.name for t in schema.data_tabs] == [
        "Customers",
        "Leads",
        "Interactions",
        "Campaigns",
        "Tasks",
    ]
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


def test_custom_fields_and_enum_additions():
    config = parse_config(
        {
            "locale": {"region": "bd", "currency": "BDT", "date_order": "dmy"},
            "fields": {"Customers": {"loyalty": {"type": "enum", "values": ["bronze", "gold"]}}},
            "enums": {"Leads.source": ["tiktok"]},
        }
    )
    schema = config.schema()
    assert schema["Customers"].columns[-1] == "loyalty"
    assert schema["Customers"].field("loyalty").parse("Gold", config.values) == "gold"
    assert "tiktok" in schema["Leads"].field("source").values
    assert config.values.region == "BD"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"locale": {"regoin": "IR"}}, "unknown key 'regoin'"),
        ({"locale": {"region": "XX"}}, "not a known country code"),
        ({"locale": {"date_order": "DDMM"}}, "date_order"),
        ({"fields": {"Customers": {"x": {"type": "colour"}}}}, "type: 'colour'"),
        ({"fields": {"Customers": {"x": {"type": "enum"}}}}, "needs 'values'"),
        ({"fields": {"Customers": {"name": {"type": "text"}}}}, "already has that field"),
        ({"fields": {"Orders": {"x": {"type": "text"}}}}, "no data tab named 'Orders'"),
        ({"enums": {"source": ["x"]}}, "Tab.field"),
        ({"enums": {"Leads.name": ["x"]}}, "no enum field"),
        ({"enums": {"Leads.source": ["a,b"]}}, "may not contain"),
        ({"enums": {"Leads.source": [f"source{i}" for i in range(40)]}}, "255 characters"),
    ],
)
def test_config_errors_are_clear(data, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(data).schema()


def test_load_config_from_file(tmp_path, monkeypatch):
    (tmp_path / "sheetcrm.toml").write_text(
        'spreadsheet = "books/crm.xlsx"\n[locale]\nregion = "IR"\n'
    )
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.values.region == "IR"
    assert config.default_target() == str(tmp_path / "books" / "crm.xlsx")


def test_bad_toml_is_a_config_error(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text("[locale\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    assert load_config() == Config()
    assert Config().default_target() == "crm.xlsx"
