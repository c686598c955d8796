"""The ways sheetcrm.toml adds spellings and values (issue #15, item 1): ``[vocab.<field>]``
for a field in every tab, ``[vocab.<Tab>.<field>]`` for one tab, the list form
``value = ["typed", …]`` (which adds a new value, unless it looks like a typo), and the
one-line errors of each."""

from __future__ import annotations

import re
import tomllib

import pytest

from sheetcrm.config import parse_config
from sheetcrm.errors import ConfigError, ValueParseError
from sheetcrm.model.values import ValueContext

CTX = ValueContext(region="IR")


def schema_of(toml: str):
    return parse_config(tomllib.loads(toml)).schema()


def parse(schema, key: str, typed: str):
    tab, _, name = key.partition(".")
    return schema[tab].field(name).parse(typed, CTX)


def test_one_tabs_field_as_a_nested_table():
    schema = schema_of('[vocab.Leads.source]\ninstagram = ["IG story", "پیج"]\n')
    assert parse(schema, "Leads.source", "IG story") == "instagram"
    assert parse(schema, "Leads.source", "پیج") == "instagram"
    with pytest.raises(ValueParseError):  # only that tab's field
        parse(schema, "Customers.lead_source", "پیج")


def test_the_quoted_key_and_the_old_mapping_form_still_work():
    schema = schema_of('[vocab."Leads.source"]\n"پیج" = "instagram"\nads = ["بیلبورد"]\n')
    assert parse(schema, "Leads.source", "پیج") == "instagram"
    assert parse(schema, "Leads.source", "بیلبورد") == "ads"


def test_a_field_in_every_tab():
    """[vocab.source] is Leads.source and Customers.lead_source; [vocab.status] reaches
    each tab's status only with the values that tab has."""
    schema = schema_of(
        '[vocab.source]\ninstagram = ["پیج"]\n'
        '[vocab.status]\nactive = ["مشتری ثابت"]\ndone = ["تمام"]\n"خاتمه" = "done"\n'
    )
    assert parse(schema, "Leads.source", "پیج") == "instagram"
    assert parse(schema, "Customers.lead_source", "پیج") == "instagram"
    assert parse(schema, "Customers.status", "مشتری ثابت") == "active"
    assert parse(schema, "Tasks.status", "تمام") == "done"
    assert parse(schema, "Tasks.status", "خاتمه") == "done"
    with pytest.raises(ValueParseError):
        parse(schema, "Leads.status", "تمام")  # Leads have no "done"
    assert schema["Leads"].field("status").values == (
        "new",
        "contacted",
        "qualified",
        "converted",
        "lost",
    )


def test_the_quoted_table_and_the_nested_one_are_one_fields():
    """An older file's [vocab."Leads.source"] and the line a newer hint suggests under
    [vocab.Leads.source] add up."""
    schema = schema_of(
        '[vocab."Leads.source"]\n"پیج" = "instagram"\n[vocab.Leads.source]\nads = ["بنر"]\n'
    )
    assert parse(schema, "Leads.source", "پیج") == "instagram"
    assert parse(schema, "Leads.source", "بنر") == "ads"


def test_the_tabs_own_table_wins_over_every_tab():
    schema = schema_of('[vocab.source]\nads = ["پیج"]\n[vocab.Leads.source]\ninstagram = ["پیج"]\n')
    assert parse(schema, "Leads.source", "پیج") == "instagram"
    assert parse(schema, "Customers.lead_source", "پیج") == "ads"


def test_a_new_value_in_the_list_form_is_added():
    schema = schema_of('[vocab.Leads.source]\ntiktok = ["تیک تاک", "TikTok"]\n')
    values = schema["Leads"].field("source").values
    assert values[-1] == "tiktok" and "instagram" in values  # a dropdown value too
    assert parse(schema, "Leads.source", "تیک‌تاک") == "tiktok"
    assert parse(schema, "Leads.source", "tiktok") == "tiktok"
    assert "tiktok" not in schema["Customers"].field("lead_source").values


def test_a_new_value_for_a_field_in_every_tab_is_added_to_each():
    schema = schema_of('[vocab.source]\ntiktok = ["تیک تاک"]\n')
    assert "tiktok" in schema["Leads"].field("source").values
    assert "tiktok" in schema["Customers"].field("lead_source").values


def test_a_value_spelled_in_another_case_is_the_value():
    schema = schema_of('[vocab.Leads.source]\nInstagram = ["پیج"]\n"IG live" = "INSTAGRAM"\n')
    assert schema["Leads"].field("source").values.count("instagram") == 1
    assert "Instagram" not in schema["Leads"].field("source").values
    assert parse(schema, "Leads.source", "IG live") == "instagram"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[vocab.Leads.source]\ninstagarm = ["پیج"]\n',
            "[vocab.\"Leads.source\"] 'instagarm': not a value of Leads.source; did you mean "
            "'instagram'? (to add 'instagarm' as a value of its own, list it under [enums])",
        ),
        (
            '[vocab.source]\nrefferal = ["معرف"]\n',
            "did you mean 'referral'?",
        ),
        (
            '[vocab.Leads.source]\ninstagram = ["پیج"]\nads = ["پيج"]\n',  # Arabic yeh
            "'پيج': the same spelling (ignoring case and spacing) is given for both "
            "'instagram' and 'ads'; keep one",
        ),
        (
            '[vocab.Leads.source]\ninstagram = ["x"]\n"X" = "ads"\n',
            "is given for both 'instagram' and 'ads'",
        ),
        ('[vocab.Leads.source]\ninstagram = ["website"]\n', "that is already the value 'website'"),
        ("[vocab.Leads.source]\ninstagram = [3]\n", "expected a list of non-empty strings"),
        ('[vocab.Leads.source]\ninstagram = [""]\n', "expected a list of non-empty strings"),
        (
            '[vocab.sorce]\ninstagram = ["x"]\n',
            "no tab has a choice field 'sorce'; did you mean 'source'? (they are:",
        ),
        ('[vocab.Deals.stage]\nwon = ["x"]\n', "no data tab named 'Deals'"),
        ('[vocab.Leads.name]\nx = ["y"]\n', "Leads has no enum field 'name'"),
        (
            '[vocab.status]\n"x" = "actve"\n',
            "[vocab.status] 'x': 'actve' is not a value of status in any tab",
        ),
        (
            '[vocab.Leads]\nsource = { x = "ads" }\ninterest = "high"\n',
            "expected spellings",
        ),
        (
            '[vocab."Leads.source"]\nx = "ads"\n[vocab.Leads.source]\nwebsite = ["X"]\n',
            "'X': the same spelling (ignoring case and spacing) is given for both 'ads' and "
            "'website'",
        ),
    ],
)
def test_a_bad_vocab_line_is_one_clear_line(toml, message):
    with pytest.raises(ConfigError) as info:
        schema_of(toml)
    said = str(info.value)
    assert message in said and "\n" not in said


def test_a_near_typo_in_enums_is_still_a_value_of_its_own():
    """[enums] adds what it lists, close or not: the escape the typo error names."""
    schema = schema_of('[enums]\n"Leads.source" = ["instagarm"]\n')
    assert "instagarm" in schema["Leads"].field("source").values


def test_the_unknown_value_hint_is_the_list_form_and_one_line():
    with pytest.raises(ValueParseError) as info:
        parse(schema_of(""), "Customers.status", "VIP مشتری")
    said = str(info.value)
    assert "\n" not in said
    line = re.search(r"add the line (.+) under \[vocab\.Customers\.status\]", said)
    assert line is not None and line[1] == '<value> = ["VIP مشتری"]'
