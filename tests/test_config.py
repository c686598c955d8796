"""Configuration: sheetcrm.toml, custom fields and enum values, and clear errors."""

from __future__ import annotations

import pytest

from sheetcrm.config import Config, load_config, parse_config
from sheetcrm.errors import ConfigError


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
        ({"fields": {"Invoices": {"x": {"type": "text"}}}}, "no data tab named 'Invoices'"),
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
