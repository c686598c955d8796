"""Satisfaction scores in and unhappy customers out, at the library level: how a score is
read (``ScoreCodec``), which header says a file is a feedback form (``--preset
feedback``), the default "unhappy" segment, and who gets the call-back (``remind``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sheetcrm.analytics import kpis
from sheetcrm.analytics.segments import DEFAULT_SEGMENTS, assign_segments, segment_rules
from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.config import parse_config
from sheetcrm.crm import CRM
from sheetcrm.errors import ValueParseError
from sheetcrm.ingest.importer import import_file
from sheetcrm.ingest.mapping import map_columns
from sheetcrm.ingest.presets import PRESETS, detect_preset
from sheetcrm.ingest.readers import read_source
from sheetcrm.model.numbers import ScoreCodec
from sheetcrm.model.tabs import build_schema
from sheetcrm.model.values import DEFAULT_CONTEXT, ValueContext
from sheetcrm.outputs.reminders import digests
from sheetcrm.outputs.satisfaction_followup import unhappy_followups

FEEDBACK = Path(__file__).parent / "fixtures" / "feedback"
LOCALE = Path(__file__).parent / "fixtures" / "locale"
SCHEMA = build_schema()
CODEC = ScoreCodec()


def on_scale(scale: int) -> ValueContext:
    """A context that knows the workbook's ``[satisfaction] scale``."""
    if "score_scale" in {f.name for f in dataclasses.fields(ValueContext)}:
        return dataclasses.replace(DEFAULT_CONTEXT, score_scale=scale)
    ctx = ValueContext()
    object.__setattr__(ctx, "score_scale", scale)  # before ValueContext has the field
    return ctx


@pytest.mark.parametrize(
    ("typed", "score"),
    [
        ("4", 4),
        ("۴", 4),
        ("৪", 4),
        ("3.5", 3.5),
        ("4/5", 4),
        ("4 / 5", 4),
        ("4 out of 5", 4),
        ("۴ از ۵", 4),
        ("৫-এর মধ্যে ৪", 4),
        ("★★★★☆", 4),
        ("⭐⭐⭐", 3),
        ("9/10", 9),
        ("0", 0),
        (7, 7),
        ("Very satisfied", 5),
        ("Dissatisfied", 2),
        ("خیلی راضی", 5),
        ("ناراضی", 2),
        ("খুব অসন্তুষ্ট", 1),
        ("মোটামুটি", 3),
    ],
)
def test_a_score_is_read_as_people_and_forms_write_it(typed, score):
    assert CODEC.parse(typed) == score


@pytest.mark.parametrize("typed", ["very", "11", "6/5", "4/7", "-1", "★★★★★★★★★★★"])
def test_what_is_no_score_is_refused(typed):
    with pytest.raises(ValueParseError, match="a score from 0 to 10"):
        CODEC.parse(typed)


def test_a_score_above_the_workbook_scale_names_the_setting_that_takes_it():
    with pytest.raises(ValueParseError) as caught:
        CODEC.parse("9", on_scale(5))
    message = str(caught.value)
    assert "'9'" in message and "[satisfaction] scale = 10" in message
    assert "\n" not in message
    with pytest.raises(ValueParseError, match=r"out of 10.*\[satisfaction\] scale = 10"):
        CODEC.parse("8/10", on_scale(5))
    with pytest.raises(ValueParseError, match=r"\[satisfaction\] scale = 5"):
        CODEC.parse("4/5", on_scale(10))
    assert CODEC.parse("5", on_scale(5)) == 5 and CODEC.parse("9", on_scale(10)) == 9


def test_feedback_is_an_interaction_type_in_every_built_in_language():
    kind = SCHEMA["Interactions"].field("type")
    for word in ("feedback", "Survey", "بازخورد", "نظرسنجی", "ফিডব্যাক", "মতামত"):
        assert kind.parse(word, DEFAULT_CONTEXT) == "feedback", word


@pytest.mark.parametrize("name", ["feedback_en.csv", "feedback_fa.csv", "feedback_bn.csv"])
def test_a_feedback_form_is_recognised_by_its_header(name):
    table = read_source(FEEDBACK / name)
    assert detect_preset(table.columns) is PRESETS["feedback"]


@pytest.mark.parametrize(
    "form",
    [
        LOCALE / "fa" / "form_responses.csv",
        LOCALE / "bn_bd" / "form_responses.csv",
        Path(__file__).parent / "fixtures" / "sellers" / "form_responses_bn.csv",
    ],
)
def test_an_enquiry_form_without_a_rating_stays_a_lead_form(form):
    assert detect_preset(read_source(form).columns) is PRESETS["google-form"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "feedback_en.csv",
            {
                "Timestamp": "date",
                "Email Address": "customer_id",
                "Phone number": "contact_phone",
                "Who served you?": "by",
                "How satisfied are you with your order?": "satisfaction",
                "How likely are you to recommend us to a friend or colleague?": "recommend",
                "Any other comments?": "comment",
            },
        ),
        (
            "feedback_fa.csv",
            {
                "برچسب زمان": "date",
                "نشانی ایمیل": "customer_id",
                "شماره تماس": "contact_phone",
                "میزان رضایت شما از خرید چقدر است؟": "satisfaction",
                "نظر شما": "comment",
            },
        ),
        (
            "feedback_bn.csv",
            {
                "টাইমস্ট্যাম্প": "date",
                "ইমেল ঠিকানা": "customer_id",
                "ফোন নম্বর": "contact_phone",
                "বন্ধু বা সহকর্মীদের কাছে আমাদের সুপারিশ করার সম্ভাবনা কতটা?": "recommend",
                "মন্তব্য": "comment",
            },
        ),
    ],
)
def test_each_form_column_feeds_its_field(name, expected):
    table = read_source(FEEDBACK / name)
    cmap = map_columns(table.columns, SCHEMA["Interactions"], preset=PRESETS["feedback"])
    assert cmap.fields == expected


def test_a_response_becomes_one_feedback_interaction():
    transform = PRESETS["feedback"].transform
    assert transform is not None
    row = transform(
        {
            "date": "15/10/2025 08:03:17",
            "customer_id": None,
            "contact_phone": "07911 123403",
            "satisfaction": "1",
            "recommend": "2",
            "comment": "Parcel arrived damaged",
        }
    )
    assert row["type"] == "feedback" and row["customer_id"] == "07911 123403"
    assert row["satisfaction"] == "1"
    assert row["summary"] == "Parcel arrived damaged; would recommend us: 2 of 10"
    assert row["interaction_id"].startswith("I-F")
    assert transform({"date": "x", "recommend": "9"})["satisfaction"] == "9"  # NPS only


AS_OF = dt.date(2025, 10, 20)


def customers_frame(**extra: list[object]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C-1", "C-2", "C-3", "C-4"],
            "name": ["Olivia Hart", "Tom Rowe", "Priya Shah", "Callum Reid"],
            "email": ["o@example.com", "t@example.com", "p@example.com", "c@example.com"],
            "phone": ["", "", "+447911123403", ""],
            "opt_out": [False, False, False, True],
            **extra,
        }
    )


def interactions_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "interaction_id": ["I-1", "I-2", "I-3", "I-4", "I-5"],
            "date": [
                "2025-09-01 10:00",
                "2025-10-14 18:22",
                "2025-10-15 08:03",
                "2025-10-15 09:15",
                "2025-10-21 09:00",  # after the as-of day: not yet
            ],
            "type": ["feedback"] * 5,
            "customer_id": ["C-1", "C-1", "C-3", "C-4", "C-2"],
            "satisfaction": [5, 2, 1, 1, 1],
            "by": ["Arif", "Sophie", None, "Arif", "Arif"],
        }
    )


def test_the_unhappy_list_names_who_took_the_score_else_the_owner():
    frames = {"Customers": customers_frame(), "Interactions": interactions_frame()}
    settings = kpis.satisfaction_settings({"scale": 5, "owner": "Maryam"})
    assert settings.owner == "Maryam" and settings.unhappy_at == 2
    found = unhappy_followups(frames, AS_OF, settings)
    assert [(u["customer_id"], u["last_satisfaction"], u["by"]) for u in found] == [
        ("C-3", 1, "Maryam"),  # nobody named on the score: the owner
        ("C-1", 2, "Sophie"),  # the last score counts (a 5 before it)
    ]  # C-4 opted out; C-2's score is after the as-of day
    assert found[0]["last_scored"] == dt.date(2025, 10, 15)
    assert found[0]["phone"] == "+447911123403" and found[0]["email"] == "p@example.com"
    empty = {"Tasks": pd.DataFrame(columns=["task_id"]), "Leads": pd.DataFrame()}
    people = digests({**frames, **empty}, AS_OF, unhappy=found)
    assert {d.person: [u["customer_id"] for u in d.unhappy] for d in people} == {
        "Maryam": ["C-3"],
        "Sophie": ["C-1"],
    }


def test_without_an_owner_an_unclaimed_follow_up_is_nobody_in_particular():
    frames = {"Customers": customers_frame(), "Interactions": interactions_frame()}
    settings = kpis.satisfaction_settings(None)
    found = unhappy_followups(frames, AS_OF, settings)
    assert [u["by"] for u in found] == [kpis.assignee(None), "Sophie"]


def test_unhappy_is_the_first_default_segment_even_for_a_vip():
    assert DEFAULT_SEGMENTS[0]["name"] == "unhappy"
    frame = customers_frame(
        total_spent=[9000.0, 10.0, 20.0, 30.0],
        last_satisfaction=[1, 4, None, 3],
        first_contact=["2024-01-01"] * 4,
        last_activity=["2025-10-01"] * 4,
    )
    rules = segment_rules(None, SCHEMA["Customers"])
    named, _ = assign_segments(rules, frame, AS_OF)
    assert list(named) == ["unhappy", "regular", "regular", "regular"]  # the VIP included
    ten = segment_rules(None, SCHEMA["Customers"], unhappy_at=3)  # [satisfaction] unhappy_at
    named, _ = assign_segments(ten, frame, AS_OF)
    assert list(named)[3] == "unhappy"


def test_an_nps_form_in_bengali_keeps_its_0_to_10_scores_linked_by_email_or_phone():
    config = parse_config(
        {
            "locale": {"language": "bn_BD", "region": "BD", "currency": "BDT"},
            "satisfaction": {"scale": 10},
        }
    )
    crm = CRM(backend=MemoryBackend(), config=config)
    crm.init()
    import_file(crm, FEEDBACK / "customers_bn.csv", tab="Customers")
    result = import_file(crm, FEEDBACK / "feedback_bn.csv", preset="feedback")
    assert result.counts.created == 3 and not result.quarantine
    shown = crm.frame("Interactions")
    got = [(str(d)[:10], s, c) for d, s, c in shown[["date", "satisfaction", "customer_id"]].values]
    assert got == [
        ("2025-10-05", 10, "C-BN1"),  # ০৫/১০/২০২৫, Bengali digits
        ("2025-10-06", 3, "C-BN2"),  # by phone, GMT+6 as Google Forms writes it
        ("2025-10-07", 8, "C-BN3"),
    ]
    assert set(shown["type"]) == {"feedback"}
