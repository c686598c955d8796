"""``sheetcrm show``: a value with no time of day prints as a date, in every format."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner

from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.cli import cli
from sheetcrm.crm import CRM


@pytest.fixture
def workbook(tmp_path, monkeypatch):
    """Interactions typed with and without a time, a teammate's date column, a raw tab."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    path = tmp_path / "crm.xlsx"
    crm = CRM(backend=XlsxBackend(path))
    crm.init()
    crm.upsert(
        "Interactions",
        [
            {"interaction_id": "I-1", "date": "2025-10-04", "type": "call"},
            {"interaction_id": "I-2", "date": "2025-10-05 14:30", "type": "email"},
        ],
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["Interactions"]
    col = ws.max_column + 1
    ws.cell(row=1, column=col, value="Follow-up")
    ws.cell(row=2, column=col, value=dt.datetime(2025, 11, 1))  # a date-time cell, at midnight
    raw = wb.create_sheet("Form Responses 1")
    raw.append(["Submitted", "Name"])
    raw.append([dt.datetime(2025, 10, 6), "Ana"])
    wb.save(path)
    return path


def show(*args: str) -> str:
    result = CliRunner().invoke(cli, ["show", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_date_only_value_of_a_datetime_field_prints_as_a_date(workbook):
    table = show("Interactions", "--columns", "interaction_id,date")
    rows = [line.split() for line in table.splitlines()[1:]]
    assert rows == [["I-1", "2025-10-04"], ["I-2", "2025-10-05", "14:30"]]
    csv = show("Interactions", "--columns", "interaction_id,date", "--format", "csv")
    assert csv.splitlines()[1:] == ["I-1,2025-10-04", "I-2,2025-10-05 14:30"]
    records = json.loads(show("Interactions", "--columns", "date", "--format", "json"))
    assert [r["date"] for r in records] == ["2025-10-04", "2025-10-05T14:30:00"]


def test_a_teammates_date_column_prints_as_a_date(workbook):
    csv = show("Interactions", "--columns", "interaction_id,Follow-up", "--format", "csv")
    assert csv.splitlines()[1:] == ["I-1,2025-11-01", "I-2,"]


def test_a_date_in_a_tab_sheetcrm_does_not_own_prints_as_a_date(workbook):
    csv = show("Form Responses 1", "--format", "csv")
    assert csv.splitlines() == ["Submitted,Name", "2025-10-06,Ana"]
