"""Lead scoring (every point explained), follow-up urgency, and attribution of leads to the
campaign they came from."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sheetcrm.analytics.leads import ScoreWeights, attribute_leads, score_lead, urgency
from sheetcrm.errors import InputError

AS_OF = dt.date(2026, 11, 21)


def ago(days: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days)


#: (case, lead, interactions with the lead, score, reasons)
SCORES = [
    ("nothing known", {}, 0, 0, []),
    ("referral", {"source": "referral"}, 0, 25, [("source: referral", 25)]),
    ("affiliate", {"source": "affiliate"}, 0, 20, [("source: affiliate", 20)]),
    ("website", {"source": "website"}, 0, 15, [("source: website", 15)]),
    ("instagram", {"source": "instagram"}, 0, 10, [("source: instagram", 10)]),
    ("other", {"source": "other"}, 0, 5, [("source: other", 5)]),
    ("a source without weight", {"source": "tiktok"}, 0, 0, []),
    ("high interest", {"interest": "high"}, 0, 30, [("interest: high", 30)]),
    ("medium interest", {"interest": "medium"}, 0, 15, [("interest: medium", 15)]),
    ("low interest", {"interest": "low"}, 0, 5, [("interest: low", 5)]),
    ("two interactions", {}, 2, 10, [("2 interaction(s)", 10)]),
    ("interactions are capped", {}, 9, 20, [("9 interaction(s)", 20)]),
    ("contacted today", {"contact_date": AS_OF}, 0, 15, [("contacted 0 days ago", 15)]),
    ("contacted 14 days ago", {"contact_date": ago(14)}, 0, 15, [("contacted 14 days ago", 15)]),
    ("contacted 37 days ago", {"contact_date": ago(37)}, 0, 8, [("contacted 37 days ago", 7.5)]),
    ("contacted 59 days ago", {"contact_date": ago(59)}, 0, 0, [("contacted 59 days ago", 0.3)]),
    ("contacted 60 days ago", {"contact_date": ago(60)}, 0, 0, []),
    (
        "a contact time, not a date",
        {"contact_date": dt.datetime(2026, 11, 20, 18, 30)},
        0,
        15,
        [("contacted 1 days ago", 15)],
    ),
    ("from a campaign", {"campaign_id": "K-1"}, 0, 10, [("from a campaign", 10)]),
    (
        "everything at once",
        {"source": "referral", "interest": "high", "contact_date": ago(1), "campaign_id": "K-1"},
        4,
        100,
        [
            ("source: referral", 25),
            ("interest: high", 30),
            ("4 interaction(s)", 20),
            ("contacted 1 days ago", 15),
            ("from a campaign", 10),
        ],
    ),
]


@pytest.mark.parametrize(
    ("lead", "contacts", "score", "reasons"), [s[1:] for s in SCORES], ids=[s[0] for s in SCORES]
)
def test_lead_score_and_its_reasons(lead, contacts, score, reasons):
    assert score_lead(lead, contacts, AS_OF, ScoreWeights()) == (score, reasons)
    assert score == round(sum(p for _, p in reasons))


def test_scores_stay_within_0_and_100():
    heavy = ScoreWeights.from_config({"campaign": 95, "source": {"other": -40}})
    assert score_lead({"campaign_id": "K-1", "interest": "high"}, 0, AS_OF, heavy)[0] == 100
    assert score_lead({"source": "other"}, 0, AS_OF, heavy)[0] == 0


def test_configured_weights_replace_the_defaults_they_name():
    w = ScoreWeights.from_config({"source": {"tiktok": 12}, "per_interaction": 2, "stale_days": 30})
    assert w.source["tiktok"] == 12 and w.source["referral"] == 25  # the others stay
    assert score_lead({"source": "tiktok"}, 3, AS_OF, w) == (
        18,
        [("source: tiktok", 12), ("3 interaction(s)", 6)],
    )
    assert score_lead({"contact_date": ago(30)}, 0, AS_OF, w) == (0, [])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"bonus": 5}, "unknown key 'bonus'"),
        ({"campaign": "ten"}, "'ten' is not a number"),
        ({"campaign": True}, "True is not a number"),
        ({"source": {"referral": "lots"}}, "source: expected a table of numbers"),
        ({"interest": "high"}, "interest: expected a table of numbers"),
    ],
)
def test_bad_weights_are_clear(spec, message):
    with pytest.raises(InputError, match=message):
        ScoreWeights.from_config(spec)


@pytest.mark.parametrize(
    ("due", "status", "expected"),
    [
        (ago(1), "new", "overdue"),
        (ago(30), "contacted", "overdue"),
        (AS_OF, "qualified", "due today"),
        (ago(-1), "new", "this week"),
        (ago(-7), "new", "this week"),
        (ago(-8), "new", None),
        (dt.datetime(2026, 11, 20, 9, 0), "new", "overdue"),
        (ago(1), "converted", None),
        (ago(1), "lost", None),
        (None, "new", None),
    ],
)
def test_follow_up_urgency(due, status, expected):
    assert urgency(due, status, AS_OF) == expected


def tab_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """A frame as ``CRM.frame`` returns it: object columns, blanks as None."""
    return pd.DataFrame(
        [[row.get(c) for c in columns] for row in rows], columns=columns, dtype=object
    )


LEAD_COLUMNS = ["lead_id", "campaign_id", "source", "referral_code", "contact_date"]
CAMPAIGN_COLUMNS = ["campaign_id", "channel", "start_date", "end_date", "referral_code"]
CAMPAIGNS = tab_frame(
    [
        dict(zip(CAMPAIGN_COLUMNS, row, strict=True))
        for row in [
            ("K-1", "instagram", dt.date(2026, 10, 1), dt.date(2026, 10, 31), "INSTA10"),
            ("K-2", "instagram", dt.date(2026, 11, 1), None, None),
            ("K-3", "referral", None, None, "FRIEND"),
            ("K-4", "google_ads", dt.date(2026, 1, 1), dt.date(2026, 12, 31), None),
            ("K-5", "google_ads", dt.date(2026, 6, 1), dt.date(2026, 6, 30), None),
        ]
    ],
    CAMPAIGN_COLUMNS,
)

#: (case, lead, the campaign it is attributed to, or None)
ATTRIBUTION = [
    ("its own campaign wins", {"campaign_id": "K-3", "source": "instagram"}, "K-3"),
    (
        "an unknown campaign falls back to the code",
        {"campaign_id": "K-99", "referral_code": " friend "},
        "K-3",
    ),
    (
        "the code beats the channel",
        {"referral_code": "INSTA10", "source": "facebook", "contact_date": dt.date(2026, 3, 1)},
        "K-1",
    ),
    ("channel and dates", {"source": "instagram", "contact_date": dt.date(2026, 10, 15)}, "K-1"),
    ("the first day", {"source": "instagram", "contact_date": dt.date(2026, 10, 1)}, "K-1"),
    ("the last day", {"source": "instagram", "contact_date": dt.date(2026, 10, 31)}, "K-1"),
    ("an open end", {"source": "instagram", "contact_date": dt.date(2027, 2, 1)}, "K-2"),
    ("before any campaign", {"source": "instagram", "contact_date": dt.date(2026, 9, 1)}, None),
    ("no contact date", {"source": "instagram"}, None),
    ("undated campaign", {"source": "referral", "contact_date": dt.date(2026, 5, 5)}, "K-3"),
    ("ads means Google Ads", {"source": "ads", "contact_date": dt.date(2026, 3, 3)}, "K-4"),
    ("two campaigns match: neither", {"source": "ads", "contact_date": dt.date(2026, 6, 15)}, None),
    ("no campaign channel", {"source": "website", "contact_date": dt.date(2026, 10, 15)}, None),
    ("an unknown code", {"referral_code": "NOPE"}, None),
]


@pytest.mark.parametrize(
    ("lead", "campaign"), [a[1:] for a in ATTRIBUTION], ids=[a[0] for a in ATTRIBUTION]
)
def test_attribution(lead, campaign):
    leads = tab_frame([{"lead_id": "L-1"} | lead], LEAD_COLUMNS)
    got = attribute_leads(leads, CAMPAIGNS)
    assert got.get("L-1") == campaign


def test_attribution_of_many_leads_at_once_skips_rows_without_an_id():
    leads = tab_frame(
        [{"lead_id": f"L-{i}"} | lead for i, (_, lead, _) in enumerate(ATTRIBUTION)]
        + [{"lead_id": None, "campaign_id": "K-1"}],
        LEAD_COLUMNS,
    )
    got = attribute_leads(leads, CAMPAIGNS)
    want = {f"L-{i}": c for i, (_, _, c) in enumerate(ATTRIBUTION) if c}
    assert got.to_dict() == want
