"""``sheetcrm show`` and ``sheetcrm export`` print a value the way its field's type says, in
every format (``model.display``): a date field shows a date, a datetime field its time
(midnight included), a column of no declared type a date cell as a date."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner

from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.cli import cli
from sheetcrm.crm import CRM
from sheetcrm.model.codecs import CODECS
from sheetcrm.model.display import as_json, as_text, for_people


@pytest.fixture
def workbook(tmp_path, monkeypatch):
    """Interactions typed with and without a time and at a real midnight, a date field held
    in a date-time cell, a teammate's date column, a raw tab."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "crm.xlsx"
    crm = CRM(backend=XlsxBackend(path))
    crm.init()
    crm.upsert(
        "Interactions",
        [
            {"interaction_id": "I-1", "date": "2025-10-04", "type": "call", "quantity": 2},
            {"interaction_id": "I-2", "date": "2025-10-05 14:30", "type": "email"},
            {"interaction_id": "I-3", "date": "2025-10-06 00:00", "type": "note"},
        ],
    )
    crm.upsert("Customers", [{"customer_id": "C-1", "name": "Sara"}])
    wb = openpyxl.load_workbook(path)
    ws = wb["Interactions"]
    col = ws.max_column + 1
    ws.cell(row=1, column=col, value="Follow-up")
    ws.cell(row=2, column=col, value=dt.datetime(2025, 11, 1))  # a date-time cell, at midnight
    ws.cell(row=3, column=col, value=dt.datetime(2025, 11, 2, 9, 15))
    customers = wb["Customers"]
    first = [c.value for c in customers[1]].index("first_contact") + 1
    customers.cell(row=2, column=first, value=dt.datetime(2025, 9, 30))  # a date as date-time
    raw = wb.create_sheet("Form Responses 1")
    raw.append(["Submitted", "Name"])
    raw.append([dt.datetime(2025, 10, 6), "Ana"])
    wb.save(path)
    return path


def sheetcrm(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def show(*args: str) -> str:
    return sheetcrm("show", *args)


def test_a_datetime_field_keeps_its_time_even_at_midnight(workbook):
    table = show("Interactions", "--columns", "interaction_id,date")
    rows = [line.split() for line in table.splitlines()[1:]]
    assert rows == [
        ["I-1", "2025-10-04", "00:00"],  # typed without a time: the cell shows 00:00 too
        ["I-2", "2025-10-05", "14:30"],
        ["I-3", "2025-10-06", "00:00"],  # a real midnight stays one
    ]
    want_csv = ["I-1,2025-10-04 00:00", "I-2,2025-10-05 14:30", "I-3,2025-10-06 00:00"]
    csv = show("Interactions", "--columns", "interaction_id,date", "--format", "csv")
    assert csv.splitlines()[1:] == want_csv
    want_json = ["2025-10-04T00:00:00", "2025-10-05T14:30:00", "2025-10-06T00:00:00"]
    records = json.loads(show("Interactions", "--columns", "date", "--format", "json"))
    assert [r["date"] for r in records] == want_json
    exported = json.loads(sheetcrm("export", "Interactions", "--format", "json"))
    assert [r["date"] for r in exported] == want_json
    lines = sheetcrm("export", "Interactions").splitlines()
    date = lines[0].split(",").index("date")
    assert [line.split(",")[date] for line in lines[1:]] == [r.split(",")[1] for r in want_csv]


def test_a_date_field_prints_a_date_even_from_a_date_time_cell(workbook):
    csv = show("Customers", "--columns", "customer_id,first_contact", "--format", "csv")
    assert csv.splitlines()[1:] == ["C-1,2025-09-30"]
    records = json.loads(show("Customers", "--format", "json"))
    exported = json.loads(sheetcrm("export", "Customers", "--format", "json"))
    assert records[0]["first_contact"] == exported[0]["first_contact"] == "2025-09-30"
    assert "C-1,Sara" in sheetcrm("export", "Customers") and "2025-09-30" in csv


def test_a_teammates_date_column_prints_as_a_date_in_show_and_export(workbook):
    csv = show("Interactions", "--columns", "interaction_id,Follow-up", "--format", "csv")
    assert csv.splitlines()[1:] == ["I-1,2025-11-01", "I-2,2025-11-02 09:15", "I-3,"]
    records = json.loads(show("Interactions", "--format", "json"))
    exported = json.loads(sheetcrm("export", "Interactions", "--format", "json"))
    want = ["2025-11-01", "2025-11-02T09:15:00", None]
    assert [r["Follow-up"] for r in records] == [r["Follow-up"] for r in exported] == want
    lines = sheetcrm("export", "Interactions").splitlines()
    column = lines[0].split(",").index("Follow-up")
    assert [line.split(",")[column] for line in lines[1:]] == ["2025-11-01", "2025-11-02 09:15", ""]


def test_a_date_in_a_tab_sheetcrm_does_not_own_prints_as_a_date(workbook):
    csv = show("Form Responses 1", "--format", "csv")
    assert csv.splitlines() == ["Submitted,Name", "2025-10-06,Ana"]


def test_whole_numbers_stay_whole_in_show_as_in_export(workbook):
    records = json.loads(show("Interactions", "--format", "json"))
    exported = json.loads(sheetcrm("export", "Interactions", "--format", "json"))
    assert records[0]["quantity"] == exported[0]["quantity"] == 2
    assert isinstance(records[0]["quantity"], int)
    table = show("Interactions", "--columns", "interaction_id,quantity")
    assert table.splitlines()[1].split() == ["I-1", "2"]


@pytest.mark.parametrize(
    ("value", "kind", "people", "text", "json_value"),
    [
        (dt.datetime(2025, 10, 4), "date", dt.date(2025, 10, 4), "2025-10-04", "2025-10-04"),
        (
            dt.datetime(2025, 10, 4),
            "datetime",
            dt.datetime(2025, 10, 4),
            "2025-10-04 00:00",
            "2025-10-04T00:00:00",
        ),
        (
            dt.datetime(2025, 10, 4, 9, 5, 7),
            "datetime",
            dt.datetime(2025, 10, 4, 9, 5, 7),
            "2025-10-04 09:05:07",
            "2025-10-04T09:05:07",
        ),
        (dt.datetime(2025, 10, 4), None, dt.date(2025, 10, 4), "2025-10-04", "2025-10-04"),
        (
            dt.datetime(2025, 10, 4, 8, 30),
            None,
            dt.datetime(2025, 10, 4, 8, 30),
            "2025-10-04 08:30",
            "2025-10-04T08:30:00",
        ),
        (None, "date", None, "", None),
        (float("nan"), None, None, "", None),
        (True, "bool", True, "TRUE", True),
        ("=SUM(A1)", "money", "=SUM(A1)", "=SUM(A1)", "=SUM(A1)"),  # a formula's text
    ],
)
def test_one_formatting_function_keyed_by_the_field_type(value, kind, people, text, json_value):
    codec = CODECS[kind] if kind else None
    assert for_people(value, codec) == people
    assert as_text(value, codec) == text
    assert as_json(value, codec) == json_value
