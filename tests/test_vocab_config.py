"""``[vocab."Tab.field"]``: what people type for a choice field, mapped to one of its values,
and the unknown-value message that prints the line to add (issue #14, item 5)."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from pathlib import Path

import pytest
from contract.harness import HARNESSES
from support import one_line, run_sheetcrm

from sheetcrm.config import Config, parse_config
from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError, ValueParseError
from sheetcrm.model.codecs import EnumCodec
from sheetcrm.model.tabs import build_schema
from sheetcrm.model.values import ValueContext
from sheetcrm.model.vocab import SOURCES, vocabulary

IR = ValueContext(region="IR")
SOURCE_VALUES = ", ".join(SOURCES)


def leads_source(config: Config):
    return config.schema()["Leads"].field("source")


VOCAB = {
    "vocab": {
        "Leads.source": {
            "Google search": "ads",  # overrides the built-in Google search → search
            "TV show": "ads",
            "Friend of Maryam": "referral",
            "meta": "ads",  # overrides the built-in meta → facebook, for this field only
            "اینستاگرام": "instagram",
            "ইনস্টাগ্রাম": "instagram",
        }
    }
}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Google search", "ads"),
        ("  GOOGLE-search ", "ads"),  # case, spacing and - _ are folded
        ("google_search", "ads"),
        ("friend of maryam", "referral"),
        ("meta", "ads"),  # configured beats built-in
        ("اینستاگرام", "instagram"),  # Persian
        ("ইনস্টাগ্রাম", "instagram"),  # Bengali
        ("insta", "instagram"),  # built-in spellings still work
        ("word of mouth", "referral"),
        ("Website", "website"),  # the values themselves
        ("", None),
    ],
)
def test_configured_spellings_map_to_the_canonical_value(typed, expected):
    assert leads_source(parse_config(VOCAB)).parse(typed, IR) == expected


def test_the_vocabulary_is_the_fields_own():
    """Customers.lead_source has the same values as Leads.source: a [vocab] table for one
    must not reach the other, though enum codecs are cached by their values."""
    schema = parse_config(VOCAB).schema()
    assert schema["Leads"].field("source").parse("meta", IR) == "ads"
    assert schema["Customers"].field("lead_source").parse("meta", IR) == "facebook"
    with pytest.raises(ValueParseError, match="TV show"):
        schema["Customers"].field("lead_source").parse("TV show", IR)
    assert schema["Customers"].field("lead_source").parse("Google search", IR) == "search"
    # and a schema built afterwards without [vocab] is not affected by the cached codec
    assert Config().schema()["Leads"].field("source").parse("meta", IR) == "facebook"


def test_vocab_can_target_values_added_by_enums_and_custom_fields():
    config = parse_config(
        {
            "enums": {"Leads.source": ["tiktok"]},
            "fields": {"Customers": {"tier": {"type": "enum", "values": ["bronze", "gold"]}}},
            "vocab": {"Leads.source": {"TT": "tiktok"}, "Customers.tier": {"طلایی": "gold"}},
        }
    )
    schema = config.schema()
    assert schema["Leads"].field("source").parse("tt", IR) == "tiktok"
    assert schema["Customers"].field("tier").parse("طلایی", IR) == "gold"


def test_built_in_field_vocabularies_join_in_below_the_configured_ones():
    schema = build_schema(vocab={"Leads.source": {"گوگل": "ads"}})
    assert schema["Leads"].field("source").parse("گوگل", IR) == "ads"  # config wins
    assert build_schema()["Leads"].field("source").parse("گوگل", IR) == "search"
    assert build_schema()["Customers"].field("lead_source").codec.parse("site", IR) == "website"
    assert schema["Customers"].field("lead_source").parse("گوگل", IR) == "search"


@pytest.mark.parametrize(
    ("vocab", "message"),
    [
        ({"Leads.source": {"Google search": "google"}}, "'google' is not one of Leads.source's"),
        ({"Leads.source": {"Google search": 3}}, "expected one of the field's values, or a"),
        ({"Leads.source": {"x": ""}}, "expected one of the field's values, or a value"),
        ({"Leads.source": "ads"}, "expected a table"),
        ({"Leads.source.x": {"x": "ads"}}, "name it as Tab.field or a field"),
        ({"Leads.name": {"x": "ads"}}, "Leads has no enum field 'name' (its enum fields: source"),
        ({"Deals.stage": {"x": "won"}}, "no data tab named 'Deals'"),
        ({"Leads.source": {"Ads": "website"}}, "that is already the value 'ads'"),
        (
            {"Leads.source": {"Google search": "ads", "google-search": "website"}},
            "the same spelling (ignoring case and spacing) is given for both 'ads' and 'website'",
        ),
        ({"Leads.source": {"--": "ads"}}, "a spelling needs a letter or digit"),
        (
            {"Leads.source": {"a": "ads"}, "leads.Source": {"b": "ads"}},
            "'leads.Source': Leads.source has a [vocab] table already",
        ),
    ],
)
def test_a_bad_vocab_table_is_one_clear_error(vocab, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_config({"vocab": vocab}).schema()


def test_vocab_is_checked_when_the_file_is_read(tmp_path):
    path = tmp_path / "sheetcrm.toml"
    path.write_text('[vocab]\n"Leads.source" = ["ads"]\n', encoding="utf-8")
    from sheetcrm.config import load_config

    with pytest.raises(ConfigError, match=r'\[vocab\."Leads.source"\]: expected a table'):
        load_config(path)


def test_unknown_top_level_key_lists_vocab_and_dates():
    known = "known: dates, earnings, enums, fields, google, locale"
    with pytest.raises(ConfigError, match=known) as info:
        parse_config({"vocabulary": {}})
    assert "vocab" in str(info.value)


# -- the unknown-value message ----------------------------------------------------------


def _line(typed: str, value: str) -> str:
    spelled = json.dumps(typed, ensure_ascii=False)
    return f"add the line {value} = [{spelled}] under [vocab.Leads.source] in sheetcrm.toml"


UNKNOWN = (
    _line("TV show", "<value>") + ", <value> being one of the values or a new value of its own"
)


@pytest.mark.parametrize(
    ("typed", "tail"),
    [
        ("TV show", UNKNOWN),
        ("instagarm", _line("instagarm", "instagram")),  # close to a value
        ("Instagram Reels", _line("Instagram Reels", "instagram")),  # a word is a value
        ("via insta story", _line("via insta story", "instagram")),  # a word is a spelling
        ("Refferal", _line("Refferal", "referral")),
        ('the "ad" on TV', _line('the "ad" on TV', "ads")),  # TOML-escaped
        (
            "TV, radio",
            _line("TV, radio", "<value>") + ", <value> being one of the values"
            " or a new value of its own",
        ),
    ],
)
def test_an_unknown_value_says_which_values_and_the_line_to_add(typed, tail):
    field = leads_source(Config())
    with pytest.raises(ValueParseError) as info:
        try:
            field.parse(typed, IR)
        except ValueParseError as exc:
            raise exc.located(tab="Leads", row=3) from None
    assert str(info.value) == (
        f"Leads, row 3, column 'source': {typed!r} is not one of {SOURCE_VALUES}; "
        f"to accept it, {tail}"
    )
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "typed",
    ['Friend "Ali" \\ co', "tab\there", "del\x7fhere", "دوست علی", "বন্ধু মহল", "C:\\ads"],
)
@pytest.mark.parametrize("value", ["referral", "tiktok"])  # a value, or a new one
def test_the_suggested_line_is_valid_toml_that_accepts_the_value(typed, value):
    with pytest.raises(ValueParseError) as info:
        leads_source(Config()).parse(typed, IR)
    line = re.search(r"add the line (.+?) under \[vocab\.Leads\.source\]", str(info.value))
    assert line is not None
    data = tomllib.loads("[vocab.Leads.source]\n" + line[1].replace("<value>", value))
    ((named, spellings),) = data["vocab"]["Leads"]["source"].items()
    assert spellings == [typed.strip()]
    assert named == value or "<value>" not in line[1]  # the nearest value, when there is one
    assert leads_source(parse_config(data)).parse(typed, IR) == named


def test_a_codec_used_on_its_own_still_says_what_to_add():
    codec = EnumCodec(("low", "high"))
    with pytest.raises(ValueParseError, match=r"under \[vocab\.Tab\.field\]"):
        codec.parse("medium")


def test_vocabulary_keeps_configured_spellings_first():
    words = vocabulary("Leads.source", SOURCES, {"Meta": "ads"})
    assert words.synonyms[0] == ("Meta", "ads")
    assert ("meta", "facebook") not in words.synonyms  # shadowed by the configured one
    assert ("ig", "instagram") in words.synonyms
    assert all(value in SOURCES for _, value in words.synonyms)


@pytest.mark.parametrize("backend_name", ["memory", "xlsx", "gsheets"])
def test_a_teammates_typed_value_in_the_sheet_reads_through_the_vocab(backend_name, tmp_path):
    """What a teammate typed into the sheet (crm.frame) is read like an imported value."""
    harness = HARNESSES[backend_name](tmp_path)
    try:
        plain = CRM(backend=harness.backend, config=Config(values=IR))
        plain.init()
        header = harness.header("Leads")
        row = [None] * len(header)
        row[header.index("lead_id")] = "L-1"
        row[header.index("name")] = "Ana"
        row[header.index("source")] = "TV show"
        for col, value in enumerate(row, start=1):
            harness.set_cell("Leads", 2, col, value)
        issues = plain.frame("Leads").attrs["issues"]
        assert issues == [
            f"Leads, row 2, column 'source': 'TV show' is not one of {SOURCE_VALUES}; "
            f"to accept it, {UNKNOWN}"
        ]
        with_vocab = CRM(backend=harness.backend, config=parse_config(VOCAB))
        frame = with_vocab.frame("Leads")
        assert frame.attrs["issues"] == [] and list(frame["source"]) == ["ads"]
    finally:
        harness.close()


# -- as a person works: a fresh process on an xlsx workbook ----------------------------

FORM = (
    "Timestamp,Email Address,Your name,Phone number,How did you hear about us?,Message\n"
    "9/24/2025 10:00:00,ana@example.com,Ana,+447400123456,TV show,Do you ship abroad?\n"
    "9/25/2025 11:30:00,ben@example.com,Ben,,Instagram,\n"
    "9/26/2025 15:04:05,cem@example.com,Cem,,a friend,price list please\n"
)


def test_the_printed_vocab_line_makes_the_next_import_accept_it(tmp_path):
    form = tmp_path / "form.csv"
    form.write_text(FORM, encoding="utf-8")
    assert run_sheetcrm("init", cwd=tmp_path).returncode == 0
    first = run_sheetcrm("import", str(form), "--preset", "google-form", cwd=tmp_path)
    said = first.stdout + first.stderr
    assert first.returncode == 8, said  # done, with input set aside
    line = re.search(r'add the line (<value> = \["TV show"\]) under \[vocab\.Leads\.source\]', said)
    assert line is not None, said
    before = run_sheetcrm("summary", cwd=tmp_path)
    assert "leads by source: (none) 1, instagram 1, referral 1" in before.stdout.lower()

    (tmp_path / "sheetcrm.toml").write_text(
        "[vocab.Leads.source]\n" + line[1].replace("<value>", "ads") + "\n",
        encoding="utf-8",
    )
    again = run_sheetcrm("import", str(form), "--preset", "google-form", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "TV show" not in again.stdout + again.stderr
    shown = run_sheetcrm("show", "Leads", "--format", "json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    sources = {r["name"]: r["source"] for r in json.loads(shown.stdout)}
    assert sources == {"Ana": "ads", "Ben": "instagram", "Cem": "referral"}
    after = run_sheetcrm("summary", cwd=tmp_path)
    assert "leads by source: ads 1, instagram 1, referral 1" in after.stdout.lower(), after.stdout


def test_the_readme_configuration_example_is_a_valid_config():
    """The README's sheetcrm.toml example (with its [vocab] and [dates]) is what it says."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Configuration") :]
    example = re.search(r"```toml\n(.*?)```", section, re.S)
    assert example is not None
    config = parse_config(tomllib.loads(example[1]))
    schema = config.schema()
    assert schema["Leads"].field("source").parse("google search", config.values) == "ads"
    assert schema["Leads"].field("source").parse("tiktok", config.values) == "tiktok"
    when = schema["Interactions"].field("date")
    assert when.parse("Friday", config.values).date() == dt.date(2025, 9, 26)


def test_after_the_vocab_line_a_quarantine_retry_takes_the_cell(tmp_path):
    """The other way back: fix the config, then retry what was set aside (no re-import)."""
    form = tmp_path / "form.csv"
    form.write_text(FORM, encoding="utf-8")
    assert run_sheetcrm("init", cwd=tmp_path).returncode == 0
    first = run_sheetcrm("import", str(form), "--preset", "google-form", cwd=tmp_path)
    assert first.returncode == 8, first.stdout + first.stderr
    (tmp_path / "sheetcrm.toml").write_text(
        '[vocab."Leads.source"]\n"TV show" = "ads"\n', encoding="utf-8"
    )
    retried = run_sheetcrm("quarantine", "retry", cwd=tmp_path)
    assert retried.returncode == 0, retried.stdout + retried.stderr
    left = run_sheetcrm("quarantine", "list", cwd=tmp_path)
    assert "TV show" not in left.stdout, left.stdout
    after = run_sheetcrm("summary", cwd=tmp_path)
    assert "leads by source: ads 1, instagram 1, referral 1" in after.stdout.lower(), after.stdout


def test_a_bad_vocab_line_stops_a_command_with_one_line_naming_the_file(tmp_path):
    assert run_sheetcrm("init", cwd=tmp_path).returncode == 0
    (tmp_path / "sheetcrm.toml").write_text(
        '[vocab."Leads.source"]\n"Google search" = "google"\n', encoding="utf-8"
    )
    shown = run_sheetcrm("show", "Leads", cwd=tmp_path)
    line = one_line(shown, 7)  # configuration
    assert str(tmp_path / "sheetcrm.toml") in line
    assert "[vocab.\"Leads.source\"] 'Google search': 'google' is not one of" in line
