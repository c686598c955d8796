"""Google's limits (50,000 characters a cell, 18,278 columns, 10 million cells) and
batchUpdate's appendCells (after the last row with data, growing the grid, atomic)."""

from __future__ import annotations

import gspread
import pytest

from .test_datafilter import by_id, call, row_tag

TOO_LONG = "Your input contains more than the maximum of 50000 characters in a single cell."
BIG = "x" * 50_001


def error(info: pytest.ExceptionInfo[gspread.exceptions.APIError]) -> tuple[int, str]:
    return info.value.response.status_code, info.value.response.json()["error"]["message"]


@pytest.fixture
def sh(gc):
    sh = gc.create("limits")
    sh.sheet1.update([["id", "name"], ["C-1", "Ann"]])
    sh.batch_update({"requests": [row_tag(1, "C-1", 1)]})
    return sh


def cells(*values: object) -> dict:
    kinds = {str: "stringValue", int: "numberValue", float: "numberValue", bool: "boolValue"}
    return {"values": [{"userEnteredValue": {kinds[type(v)]: v}} for v in values]}


@pytest.mark.parametrize(
    "write",
    [
        lambda sh: sh.sheet1.update([["ok", BIG]], "A3"),
        lambda sh: sh.values_batch_update(
            {
                "valueInputOption": "RAW",
                "data": [{"range": "A3", "values": [["ok"]]}, {"range": "A4", "values": [[BIG]]}],
            }
        ),
        lambda sh: sh.sheet1.append_row(["ok", BIG]),
        lambda sh: call(
            sh,
            "/values:batchUpdateByDataFilter",
            {
                "valueInputOption": "USER_ENTERED",
                "data": [{"dataFilter": by_id(1), "values": [[None, BIG]]}],
            },
        ),
        lambda sh: sh.batch_update(
            {
                "requests": [
                    {
                        "updateCells": {
                            "start": {"sheetId": 0, "rowIndex": 2},
                            "rows": [cells("ok", BIG)],
                            "fields": "userEnteredValue",
                        }
                    }
                ]
            }
        ),
        lambda sh: sh.batch_update(
            {
                "requests": [
                    {
                        "appendCells": {
                            "sheetId": 0,
                            "rows": [cells("ok", BIG)],
                            "fields": "userEnteredValue",
                        }
                    }
                ]
            }
        ),
    ],
    ids=[
        "values.update",
        "values.batchUpdate",
        "values.append",
        "byDataFilter",
        "updateCells",
        "appendCells",
    ],
)
def test_a_cell_over_50000_characters_is_refused_and_nothing_written(sh, write):
    with pytest.raises(gspread.exceptions.APIError) as info:
        write(sh)
    assert error(info) == (400, TOO_LONG)
    assert sh.sheet1.get_all_values() == [["id", "name"], ["C-1", "Ann"]]


def test_exactly_50000_characters_fit(sh):
    sh.sheet1.update([["y" * 50_000]], "A3")
    assert len(sh.sheet1.acell("A3").value) == 50_000


def test_more_than_18278_columns_is_refused(sh):
    with pytest.raises(gspread.exceptions.APIError) as info:
        sh.batch_update(
            {
                "requests": [
                    {
                        "appendDimension": {
                            "sheetId": 0,
                            "dimension": "COLUMNS",
                            "length": 18_278 - 25,
                        }
                    }
                ]
            }
        )
    assert error(info) == (
        400,
        "This action would increase the number of columns in the sheet above the limit of "
        "18,278 columns.",
    )
    with pytest.raises(gspread.exceptions.APIError, match="18,278"):
        sh.add_worksheet("wide", rows=10, cols=18_279)
    sh.add_worksheet("widest", rows=10, cols=18_278)


def test_more_than_10_million_cells_is_refused(sh):
    sh.add_worksheet("big", rows=9_000, cols=1_000)  # 9,000,000 + 26,000
    with pytest.raises(gspread.exceptions.APIError, match="above the limit of 10,000,000 cells"):
        sh.batch_update(
            {
                "requests": [
                    {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 40_000}}
                ]
            }
        )


def test_append_cells_goes_after_the_last_row_with_data_and_grows_the_grid(gc):
    sh = gc.create("append-cells")
    ws = sh.add_worksheet("T", rows=3, cols=3)
    ws.update([["id", "n"], ["", ""], ["C-1", "1"]])  # a gap in the middle stays a gap
    sh.batch_update(
        {
            "requests": [
                {
                    "appendCells": {
                        "sheetId": ws.id,
                        "rows": [cells("C-2", 2), cells("007", True)],
                        "fields": "userEnteredValue",
                    }
                }
            ]
        }
    )
    assert sh.worksheet("T").row_count == 5
    got = sh.values_get("T", params={"valueRenderOption": "UNFORMATTED_VALUE"})["values"]
    assert got == [
        ["id", "n"],
        [],
        ["C-1", "1"],
        ["C-2", 2],
        ["007", True],
    ]  # typed: text stays text


def test_append_cells_on_an_empty_sheet_starts_at_row_1_and_honours_the_fields_mask(gc):
    sh = gc.create("append-empty")
    bold = {
        "userEnteredValue": {"stringValue": "h"},
        "userEnteredFormat": {"textFormat": {"bold": True}},
    }
    sh.batch_update(
        {
            "requests": [
                {
                    "appendCells": {
                        "sheetId": 0,
                        "rows": [{"values": [bold]}],
                        "fields": "userEnteredFormat",
                    }
                }
            ]
        }
    )
    assert "values" not in sh.values_get("Sheet1")  # only the format was asked for
    sh.batch_update(
        {"requests": [{"appendCells": {"sheetId": 0, "rows": [{"values": [bold]}], "fields": "*"}}]}
    )
    assert sh.sheet1.get_all_values() == [["h"]]


def test_append_cells_is_atomic_with_a_later_failing_request(sh, emulator):
    ss = emulator.spreadsheets[sh.id]
    rows_before = ss.sheets[0].row_count
    with pytest.raises(gspread.exceptions.APIError) as info:
        sh.batch_update(
            {
                "requests": [
                    {
                        "appendCells": {
                            "sheetId": 0,
                            "rows": [cells("C-2", "Bob")],
                            "fields": "userEnteredValue",
                        }
                    },
                    row_tag(1, "dup", 2),  # the id exists: fails
                ]
            }
        )
    assert error(info)[0] == 400 and "requests[1]" in error(info)[1]
    assert sh.sheet1.get_all_values() == [["id", "name"], ["C-1", "Ann"]]
    assert ss.sheets[0].row_count == rows_before


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"sheetId": 0, "rows": [cells("x")]}, "At least one field must be updated"),
        ({"sheetId": 99, "rows": [cells("x")], "fields": "*"}, "No grid with id: 99"),
        ({"sheetId": 0, "rows": [cells(*range(27))], "fields": "*"}, "exceeds grid limits"),
        (
            {
                "sheetId": 0,
                "rows": [{"values": [{"userEnteredValue": {"textValue": "x"}}]}],
                "fields": "*",
            },
            'Unknown name "textValue"',
        ),
    ],
)
def test_append_cells_validation(sh, request_, message):
    with pytest.raises(gspread.exceptions.APIError) as info:
        sh.batch_update({"requests": [{"appendCells": request_}]})
    status, text = error(info)
    assert status == 400 and message in text
