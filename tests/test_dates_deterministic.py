"""Dates are a pure function of the text and the configuration (issue #14, item 6).

Every case is parsed under two frozen clocks, a year and a half apart: a complete date
gives the same value under both, a partial or relative one ("March", "5 Mar", "Friday",
"yesterday") is refused under both with the same reason — where the old fallback,
``dateutil.parser.parse(text)`` with no default, gave two different values. A column that
``[dates] partial`` lists reads them against the fixed ``[dates] reference`` day instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pytest
from contract.harness import HARNESSES
from dateutil import parser as dateparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import run_sheetcrm

from sheetcrm.config import Config, parse_config
from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError, ValueParseError
from sheetcrm.ingest.importer import import_file
from sheetcrm.model.codecs import CODECS, PARTIAL_DATE_CODECS
from sheetcrm.model.tabs import build_schema
from sheetcrm.model.values import ValueContext

CLOCKS = (dt.datetime(2025, 3, 10, 9, 30), dt.datetime(2026, 11, 20, 23, 59))
IR = ValueContext(region="IR", date_order="DMY")
US = ValueContext(region="US", date_order="MDY")
REFERENCE = dt.date(2025, 10, 1)  # a Wednesday
WITH_REF = ValueContext(region="IR", date_order="DMY", date_reference=REFERENCE)
FULL = "a full date (day, month and year)"


# -- a frozen clock: every datetime, date and time the parsers could read ----------------


def _frozen_module(now: dt.datetime) -> types.ModuleType:
    """A stand-in for the ``datetime`` module whose clock reads ``now``; its classes still
    pass ``isinstance`` for real dates, so parsing code behaves as with the real module."""
    real_date, real_datetime = dt.date, dt.datetime

    class DateMeta(type):
        def __instancecheck__(cls, obj: object) -> bool:
            return isinstance(obj, real_date)

    class DatetimeMeta(DateMeta):
        def __instancecheck__(cls, obj: object) -> bool:
            return isinstance(obj, real_datetime)

    class FrozenDate(real_date, metaclass=DateMeta):
        @classmethod
        def today(cls) -> dt.date:
            return now.date()

    class FrozenDatetime(real_datetime, metaclass=DatetimeMeta):
        @classmethod
        def now(cls, tz: Any = None) -> dt.datetime:
            return now if tz is None else now.replace(tzinfo=tz)

        @classmethod
        def today(cls) -> dt.datetime:
            return now

        @classmethod
        def utcnow(cls) -> dt.datetime:
            return now

    module = types.ModuleType("datetime")
    module.__dict__.update(vars(dt))
    module.date, module.datetime = FrozenDate, FrozenDatetime  # type: ignore[attr-defined]
    return module


@contextmanager
def frozen(now: dt.datetime) -> Iterator[None]:
    """Freeze the clock of sheetcrm's and dateutil's modules (their ``datetime`` module,
    ``date``/``datetime`` names, and ``time.time``/``time.localtime``) at ``now``."""
    with pytest.MonkeyPatch.context() as mp:
        fake = _frozen_module(now)
        for name, module in list(sys.modules.items()):
            if not name.startswith(("sheetcrm", "dateutil", "jdatetime")) or module is None:
                continue
            for attr, value in list(vars(module).items()):
                if value is dt:
                    mp.setattr(module, attr, fake)
                elif value is dt.datetime:
                    mp.setattr(module, attr, fake.datetime)
                elif value is dt.date:
                    mp.setattr(module, attr, fake.date)
        stamp = now.timestamp()
        mp.setattr(time, "time", lambda: stamp)
        mp.setattr(
            time, "localtime", lambda secs=None: time.gmtime(stamp if secs is None else secs)
        )
        yield


def under_each_clock(fn: Any, *args: Any) -> list[Any]:
    """``fn(*args)`` under each clock: its value, or the message it raised."""
    seen = []
    for now in CLOCKS:
        with frozen(now):
            try:
                seen.append(fn(*args))
            except ValueParseError as exc:
                seen.append(f"error: {exc}")
    return seen


def test_the_frozen_clock_reaches_dateutil():
    """The fixture works: what the old code did reads the frozen day."""
    with frozen(CLOCKS[0]):
        assert dateparser.parse("5 Mar") == dt.datetime(2025, 3, 5)
    with frozen(CLOCKS[1]):
        assert dateparser.parse("5 Mar") == dt.datetime(2026, 3, 5)


# -- complete dates: the same value whatever the day ------------------------------------

COMPLETE = [
    ("date", "2025-03-31", IR, dt.date(2025, 3, 31)),
    ("date", "31/03/2025", IR, dt.date(2025, 3, 31)),
    ("date", "04/03/2025", IR, dt.date(2025, 3, 4)),
    ("date", "04/03/2025", US, dt.date(2025, 4, 3)),
    ("date", "31.03.25", IR, dt.date(2025, 3, 31)),
    ("date", "۱۴۰۳/۰۷/۱۵", IR, dt.date(2024, 10, 6)),  # Solar Hijri, Persian digits
    ("date", "1404-07-12", IR, dt.date(2025, 10, 4)),
    ("date", "২০২৪-০৩-০৫", IR, dt.date(2024, 3, 5)),
    ("date", 45000, IR, dt.date(2023, 3, 15)),  # a spreadsheet serial
    ("date", "24 September 2025", IR, dt.date(2025, 9, 24)),
    ("date", "Wednesday, 5 March 2025", IR, dt.date(2025, 3, 5)),  # a weekday that agrees
    ("datetime", "Fri, 26 Sep 2025 10:00:00 +0000", IR, dt.datetime(2025, 9, 26, 10)),  # RFC 2822
    ("date", "5 Mar 25", IR, dt.date(2025, 3, 5)),  # two-digit year: fixed pivot
    ("date", "5 Mar 75", IR, dt.date(1975, 3, 5)),
    ("date", "March 5, 2024", US, dt.date(2024, 3, 5)),
    ("datetime", "Sep 24, 2025 3:15 PM", US, dt.datetime(2025, 9, 24, 15, 15)),
    ("datetime", "9/24/2025 15:04:05", IR, dt.datetime(2025, 9, 24, 15, 4, 5)),  # Forms
    ("datetime", "2025-09-24T15:04:05Z", IR, dt.datetime(2025, 9, 24, 15, 4, 5)),
    ("datetime", "2011-12-09 12:50:00", IR, dt.datetime(2011, 12, 9, 12, 50)),
    ("datetime", "۱۴۰۳/۰۱/۱۵ ۱۴:۳۰", IR, dt.datetime(2024, 4, 3, 14, 30)),
    ("datetime", dt.datetime(2024, 1, 2, 13, 0), IR, dt.datetime(2024, 1, 2, 13, 0)),
]


@pytest.mark.parametrize(("kind", "raw", "ctx", "expected"), COMPLETE)
def test_a_complete_date_reads_the_same_on_any_day(kind, raw, ctx, expected):
    assert under_each_clock(CODECS[kind].parse, raw, ctx) == [expected, expected]
    # and a column that allows partial dates reads a complete one no differently
    with_reference = dataclasses.replace(ctx, date_reference=REFERENCE)
    assert under_each_clock(PARTIAL_DATE_CODECS[kind].parse, raw, with_reference) == [
        expected,
        expected,
    ]


# -- partial and relative dates: refused, the same way on any day -----------------------

HINT = "to [dates] partial in sheetcrm.toml and set [dates] reference"

REFUSED = [
    # text, why; the old fallback (dateutil with no default) read the first five from the clock
    ("March", "it has no day or year", True),
    ("5 Mar", "it has no year", True),
    ("Mar 2025", "it has no day", True),
    ("Friday", "it names a weekday, not a date", True),
    ("Fri 3pm", "it names a weekday, not a date", True),
    ("5/3", "it has no year", True),
    ("12:30", "it has no day, month or year", True),
    ("1st", "it has no month or year", True),
    ("yesterday", "it depends on the day it was written", False),
    ("today", "it depends on the day it was written", False),
    ("3 days ago", "it depends on the day it was written", False),
    ("دیروز", "it depends on the day it was written", False),  # Persian: yesterday
    ("গতকাল", "it depends on the day it was written", False),  # Bengali: yesterday
    ("جمعه", "it names a weekday, not a date", False),  # Persian: Friday
    ("next week", "it names a period, not a day", False),
    ("last month", "it names a period, not a day", False),
]


@pytest.mark.parametrize(("raw", "why", "old_used_the_clock"), REFUSED)
def test_a_partial_or_relative_date_is_refused_with_the_reason(raw, why, old_used_the_clock):
    first, second = under_each_clock(CODECS["datetime"].parse, raw, IR)
    assert first == second  # the same refusal on both days
    assert first.startswith(f"error: {raw!r} is not {FULL}: {why}")
    fixable = "month" not in why and "period" not in why
    assert (HINT in first) is fixable
    if old_used_the_clock:
        old = [CLOCKS[0], CLOCKS[1]]
        for i, now in enumerate(CLOCKS):
            with frozen(now):
                old[i] = dateparser.parse(raw, dayfirst=True)
        assert old[0] != old[1], "the old code read this one from the clock"


def test_the_refusal_names_the_cell_once_located():
    schema = build_schema()
    with pytest.raises(ValueParseError) as info:
        try:
            schema["Leads"].field("contact_date").parse("5 Mar", IR)
        except ValueParseError as exc:
            raise exc.located(tab="Leads", row=4) from None
    assert str(info.value) == (
        f"Leads, row 4, column 'contact_date': '5 Mar' is not {FULL}: it has no year; "
        'to read such dates against a fixed day, add "Leads.contact_date" to [dates] partial '
        "in sheetcrm.toml and set [dates] reference"
    )


# -- a column that allows them reads them against the reference day ---------------------

RESOLVED = [
    # the reference is Wednesday 2025-10-01
    ("5 Mar", dt.datetime(2025, 3, 5)),  # the reference's year
    ("29 Feb 2024", dt.datetime(2024, 2, 29)),
    ("Mar 2025", dt.datetime(2025, 3, 1)),  # the 1st, as spreadsheets read it
    ("March", dt.datetime(2025, 3, 1)),
    ("today", dt.datetime(2025, 10, 1)),
    ("yesterday", dt.datetime(2025, 9, 30)),
    ("Yesterday at 9:05 am", dt.datetime(2025, 9, 30, 9, 5)),
    ("tomorrow 14:30", dt.datetime(2025, 10, 2, 14, 30)),
    ("the day before yesterday", dt.datetime(2025, 9, 29)),
    ("3 days ago", dt.datetime(2025, 9, 28)),
    ("2 weeks ago", dt.datetime(2025, 9, 17)),
    ("in 2 days", dt.datetime(2025, 10, 3)),
    ("Wednesday", dt.datetime(2025, 10, 1)),  # on or before: the reference itself
    ("Wed", dt.datetime(2025, 10, 1)),
    ("last Wednesday", dt.datetime(2025, 9, 24)),  # strictly before
    ("next Wednesday", dt.datetime(2025, 10, 8)),  # strictly after
    ("Friday", dt.datetime(2025, 9, 26)),
    ("Friday 3pm", dt.datetime(2025, 9, 26, 15, 0)),
    ("Thursday", dt.datetime(2025, 9, 25)),
    ("next Thu", dt.datetime(2025, 10, 2)),
    ("دیروز", dt.datetime(2025, 9, 30)),  # Persian: yesterday
    ("پس‌فردا", dt.datetime(2025, 10, 3)),  # Persian: the day after tomorrow (with ZWNJ)
    ("۳ روز پیش", dt.datetime(2025, 9, 28)),  # Persian: 3 days ago
    ("جمعه", dt.datetime(2025, 9, 26)),  # Persian: Friday
    ("سه‌شنبه", dt.datetime(2025, 9, 30)),  # Persian: Tuesday
    ("গতকাল", dt.datetime(2025, 9, 30)),  # Bengali: yesterday
    ("৩ দিন আগে", dt.datetime(2025, 9, 28)),  # Bengali: 3 days ago
    ("শুক্রবার", dt.datetime(2025, 9, 26)),  # Bengali: Friday
    ("24 September 2025", dt.datetime(2025, 9, 24)),  # complete: as it is
]


@pytest.mark.parametrize(("raw", "expected"), RESOLVED)
def test_an_allowed_column_reads_them_against_the_reference(raw, expected):
    assert under_each_clock(PARTIAL_DATE_CODECS["datetime"].parse, raw, WITH_REF) == [
        expected,
        expected,
    ]
    assert PARTIAL_DATE_CODECS["date"].parse(raw, WITH_REF) == expected.date()


@pytest.mark.parametrize(
    ("raw", "ctx", "message"),
    [
        ("5 Mar", IR, f"'5 Mar' is not {FULL}: it has no year, and [dates] reference is not set"),
        ("29 Feb", WITH_REF, "'29 Feb' is not a day that exists (2025 has no 29 Feb)"),
        ("next week", WITH_REF, f"'next week' is not {FULL}: it names a period, not a day"),
        ("12:30", WITH_REF, f"'12:30' is not {FULL}: it has no day, month or year"),
        ("today 25:00", WITH_REF, "'today 25:00' is not a day and a valid time of day"),
        ("Friday 13pm", WITH_REF, "'Friday 13pm' is not a day and a valid time of day"),
        ("someday", WITH_REF, "'someday' is not a date and time (e.g. 2025-03-31 14:30)"),
        (
            "Friday, 5 March 2025",
            WITH_REF,
            "'Friday, 5 March 2025' is not a date whose weekday agrees with it: "
            "2025-03-05 is a Wednesday, not a Friday",
        ),
        (
            "Sat 5 Mar",  # completed from the reference, then checked
            WITH_REF,
            "'Sat 5 Mar' is not a date whose weekday agrees with it: "
            "2025-03-05 is a Wednesday, not a Saturday",
        ),
    ],
)
def test_what_no_reference_makes_a_day(raw, ctx, message):
    with pytest.raises(ValueParseError) as info:
        PARTIAL_DATE_CODECS["datetime"].parse(raw, ctx)
    assert str(info.value).startswith(message)


# -- configuration ----------------------------------------------------------------------


def test_dates_config_reaches_the_schema_and_the_context():
    config = parse_config(
        {"dates": {"reference": dt.date(2025, 10, 1), "partial": ["interactions.date"]}}
    )
    assert config.values.date_reference == REFERENCE
    schema = config.schema()
    when = schema["Interactions"].field("date")
    assert when.partial_dates and when.parse("yesterday 3pm", config.values) == dt.datetime(
        2025, 9, 30, 15, 0
    )
    other = schema["Leads"].field("contact_date")  # not listed: still refused
    with pytest.raises(ValueParseError, match="depends on the day it was written"):
        other.parse("yesterday", config.values)
    text = parse_config({"dates": {"reference": "2025-10-01", "partial": ["Leads.contact_date"]}})
    assert text.values.date_reference == REFERENCE
    assert text.schema()["Leads"].field("contact_date").parse("5 Mar", text.values) == dt.date(
        2025, 3, 5
    )


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"partial": ["Interactions.date"]}, "partial needs a reference day"),
        ({"reference": "2025-10-01"}, "reference is only used by the columns partial lists"),
        ({"reference": "today", "partial": ["Interactions.date"]}, "'today' is not a day"),
        (
            {"reference": dt.datetime(2025, 10, 1, 9), "partial": ["Interactions.date"]},
            "is not a day such as 2025-10-01",
        ),
        ({"reference": "2025-10-01", "partial": "Interactions.date"}, "expected a list"),
        ({"reference": "2025-10-01", "partial": ["date"]}, "name it as Tab.field"),
        ({"refrence": "2025-10-01"}, "unknown key 'refrence' (known: partial, reference)"),
    ],
)
def test_bad_dates_config_is_one_clear_error(dates, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_config({"dates": dates})


@pytest.mark.parametrize(
    ("partial", "message"),
    [
        (["Leads.source"], "Leads has no date field 'source' (its date fields: contact_date,"),
        (["Leads.when"], "Leads has no date field 'when'"),
        (["Deals.date"], "no data tab named 'Deals'"),
        (["_audit.at"], "no data tab named '_audit'"),
    ],
)
def test_partial_names_a_date_field(partial, message):
    config = parse_config({"dates": {"reference": "2025-10-01", "partial": partial}})
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        config.schema()


def test_a_custom_date_field_may_allow_partial_dates():
    config = parse_config(
        {
            "fields": {"Customers": {"birthday": {"type": "date"}}},
            "dates": {"reference": "2025-10-01", "partial": ["Customers.birthday"]},
        }
    )
    birthday = config.schema()["Customers"].field("birthday")
    assert birthday.parse("14 Feb", config.values) == dt.date(2025, 2, 14)


# -- an import on two different days writes the same values -----------------------------

NOTES = (
    "Date,Type,Summary\n"
    "2025-09-24 10:00,call,asked for the price list\n"
    "yesterday,message,sent the catalogue\n"
    "Friday 3pm,meeting,visited the shop\n"
    "5 Mar,call,first call\n"
)


def _import_on(now: dt.datetime, backend_name: str, tmp_path: Any, config: Config) -> Any:
    tmp_path.mkdir()
    harness = HARNESSES[backend_name](tmp_path)
    try:
        crm = CRM(backend=harness.backend, config=config)
        with frozen(now):
            crm.init()
            path = tmp_path / "notes.csv"
            path.write_text(NOTES, encoding="utf-8")
            result = import_file(crm, path, tab="Interactions")
            frame = crm.frame("Interactions")
            quarantine = crm.frame("_quarantine")
        dates = sorted(zip(frame["summary"], frame["date"], strict=True))
        reasons = sorted(zip(quarantine["row"], quarantine["reason"], strict=True))
        return result.counts.created, dates, reasons
    finally:
        harness.close()


@pytest.mark.parametrize("backend_name", ["xlsx", "gsheets"])
def test_the_same_file_imports_the_same_on_two_days(backend_name, tmp_path):
    plain = Config(values=IR)
    first = _import_on(CLOCKS[0], backend_name, tmp_path / "a", plain)
    second = _import_on(CLOCKS[1], backend_name, tmp_path / "b", plain)
    assert first == second
    created, dates, reasons = first
    assert created == 1 and dates == [("asked for the price list", dt.datetime(2025, 9, 24, 10))]
    assert [row for row, _ in reasons] == [3, 4, 5]
    assert all(FULL in reason for _, reason in reasons)

    allowed = Config(values=WITH_REF, partial_dates=("Interactions.date",))
    first = _import_on(CLOCKS[0], backend_name, tmp_path / "c", allowed)
    second = _import_on(CLOCKS[1], backend_name, tmp_path / "d", allowed)
    assert first == second
    created, dates, reasons = first
    assert created == 4 and reasons == []
    assert dates == [
        ("asked for the price list", dt.datetime(2025, 9, 24, 10)),
        ("first call", dt.datetime(2025, 3, 5)),
        ("sent the catalogue", dt.datetime(2025, 9, 30)),
        ("visited the shop", dt.datetime(2025, 9, 26, 15)),
    ]


# -- as a person works: sheetcrm.toml read by a fresh process, on Sheets (the emulator) --


def test_a_fresh_process_reads_dates_config_from_the_toml_file(served, tmp_path):
    url, sheet = served
    env = {"SHEETCRM_API_ENDPOINT": url}
    notes = tmp_path / "notes.csv"
    notes.write_text(NOTES, encoding="utf-8")
    assert run_sheetcrm("init", "--sheet", sheet, env=env, cwd=tmp_path).returncode == 0
    refused = run_sheetcrm(
        "import", str(notes), "--tab", "Interactions", "--sheet", sheet, env=env, cwd=tmp_path
    )
    said = refused.stdout + refused.stderr
    assert refused.returncode == 8, said  # done, with rows set aside
    hint = 'to read such dates against a fixed day, add "Interactions.date" to [dates] partial'
    assert f"'yesterday' (expected {FULL}: it depends on the day it was written; {hint}" in said
    assert f"'5 Mar' (expected {FULL}: it has no year; {hint}" in said

    (tmp_path / "sheetcrm.toml").write_text(
        '[locale]\nregion = "IR"\n\n'
        '[dates]\nreference = 2025-10-01\npartial = ["Interactions.date"]\n',
        encoding="utf-8",
    )
    accepted = run_sheetcrm(
        "import", str(notes), "--tab", "Interactions", "--sheet", sheet, env=env, cwd=tmp_path
    )
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    shown = run_sheetcrm(
        "show", "Interactions", "--sheet", sheet, "--format", "json", env=env, cwd=tmp_path
    )
    assert shown.returncode == 0, shown.stderr
    rows = json.loads(shown.stdout)
    dates = sorted((r["summary"], dt.datetime.fromisoformat(r["date"])) for r in rows)
    assert dates == [
        ("asked for the price list", dt.datetime(2025, 9, 24, 10)),
        ("first call", dt.datetime(2025, 3, 5)),
        ("sent the catalogue", dt.datetime(2025, 9, 30)),
        ("visited the shop", dt.datetime(2025, 9, 26, 15)),
    ]


# -- generated date-like text: no clock in any outcome ----------------------------------

_NUMBERS = ("5", "29", "31", "1st", "2025", "25", "1403", "3")
_NAMES = ("Mar", "March", "Sept", "Friday", "Fri", "جمعه")
_RELATIVE = ("next", "last", "yesterday", "today", "days", "ago", "in", "week", "دیروز", "গতকাল")
_TIMES = ("3pm", "14:30", "9:05", "am", "PM")
_GLUE = (",", "/", "-", ".", "of", "at")
_PIECES = st.sampled_from(_NUMBERS + _NAMES + _RELATIVE + _TIMES + _GLUE)
_TEXT = st.lists(_PIECES, min_size=1, max_size=5).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT)
def test_no_text_reads_the_clock(text):
    """Whatever the text, each codec gives the same outcome under both clocks, and a
    column that allows partial dates reads a complete date exactly as one that does not."""
    plain = under_each_clock(CODECS["datetime"].parse, text, IR)
    assert plain[0] == plain[1]
    allowed = under_each_clock(PARTIAL_DATE_CODECS["datetime"].parse, text, WITH_REF)
    assert allowed[0] == allowed[1]
    if not isinstance(plain[0], str):  # accepted as a full date: the reference changes nothing
        assert allowed[0] == plain[0]


# -- what the codec refuses is no date in the figures either -----------------------------


def test_a_refused_date_in_the_sheet_is_no_date_in_the_figures():
    """crm.frame keeps a cell it cannot read as typed; pandas alone would read "5 Mar" as
    the year 1 and make it a customer's first purchase."""
    from sheetcrm.analytics.customers import customer_metrics
    from sheetcrm.analytics.frames import moment

    typed = pd.Series([dt.datetime(2025, 9, 24, 10), "5 Mar", "2025-03-05 10:00", None, "Fri"])
    assert moment(typed.astype(object)).tolist()[:3] == [
        pd.Timestamp(2025, 9, 24, 10),
        pd.NaT,
        pd.Timestamp(2025, 3, 5, 10),
    ]
    columns = ["interaction_id", "date", "type", "customer_id", "amount", "product", "quantity"]
    acts = pd.DataFrame(
        [
            ["I-1", "5 Mar", "purchase", "C-1", 10.0, "Tea", 1],
            ["I-2", dt.datetime(2025, 9, 24, 10), "purchase", "C-1", 20.0, "Tea", 1],
        ],
        columns=columns,
        dtype=object,
    )
    customers = pd.DataFrame({"customer_id": ["C-1"]}, dtype=object)
    metrics = customer_metrics(customers, acts, REFERENCE)
    assert metrics.loc["C-1", "first_purchase"] == pd.Timestamp(2025, 9, 24)


def test_a_refused_date_has_no_age_in_a_segment_rule():
    """'older than days' on a refused "5 Mar" (the year 1 to pandas) matched everyone."""
    from sheetcrm.analytics.segments import Condition, Rule, evaluate

    customers = pd.DataFrame(
        {"last_contact": [dt.date(2025, 1, 2), "5 Mar", dt.date(2025, 9, 30), None]},
        dtype=object,
    )
    inactive = Rule("inactive", (Condition("last_contact", "older than days", 180),))
    assert evaluate(inactive, customers, REFERENCE).mask.tolist() == [True, False, False, False]


def test_after_dates_config_a_quarantine_retry_takes_the_rows(tmp_path):
    """xlsx, every command a fresh process: the rows set aside for a relative date go in
    when the config names a reference day, by `sheetcrm quarantine retry`."""
    notes = tmp_path / "notes.csv"
    notes.write_text(NOTES, encoding="utf-8")
    assert run_sheetcrm("init", cwd=tmp_path).returncode == 0
    first = run_sheetcrm("import", str(notes), "--tab", "Interactions", cwd=tmp_path)
    assert first.returncode == 8, first.stdout + first.stderr
    (tmp_path / "sheetcrm.toml").write_text(
        '[dates]\nreference = "2025-10-01"\npartial = ["Interactions.date"]\n', encoding="utf-8"
    )
    retried = run_sheetcrm("quarantine", "retry", cwd=tmp_path)
    assert retried.returncode == 0, retried.stdout + retried.stderr
    shown = run_sheetcrm("show", "Interactions", "--format", "json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    rows = json.loads(shown.stdout)
    dates = sorted((r["summary"], dt.datetime.fromisoformat(r["date"])) for r in rows)
    assert dates == [
        ("asked for the price list", dt.datetime(2025, 9, 24, 10)),
        ("first call", dt.datetime(2025, 3, 5)),
        ("sent the catalogue", dt.datetime(2025, 9, 30)),
        ("visited the shop", dt.datetime(2025, 9, 26, 15)),
    ]
    again = run_sheetcrm("import", str(notes), "--tab", "Interactions", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "4 unchanged" in again.stdout, again.stdout  # the same values on a re-import
