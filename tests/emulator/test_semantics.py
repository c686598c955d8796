"""Value and structure semantics, instruments, faults and hooks of the emulator."""

from __future__ import annotations

import json

import gspread
import pytest
import requests

from sheetcrm.emulator import Emulator

from .conftest import gspread_client


@pytest.fixture
def ws(gc):
    return gc.create("semantics").sheet1


def test_raw_keeps_text_user_entered_parses(ws):
    ws.update([["=1+1", "00123", "2020-01-01", "TRUE", "12%"]], "A1", value_input_option="RAW")
    ws.update(
        [["=1+1", "00123", "2020-01-01", "TRUE", "12%"]], "A2", value_input_option="USER_ENTERED"
    )
    formula = ws.get("A1:E2", value_render_option="FORMULA")
    assert formula[0] == ["=1+1", "00123", "2020-01-01", "TRUE", "12%"]
    assert formula[1] == ["=1+1", 123, 43831, True, 0.12]
    formatted = ws.get("A1:E2")
    assert formatted[1] == ["2", "123", "2020-01-01", "TRUE", "12.00%"]
    unformatted = ws.get("A2:E2", value_render_option="UNFORMATTED_VALUE")
    assert unformatted == [[2, 123, 43831, True, 0.12]]
    dated = ws.get(
        "C2", value_render_option="UNFORMATTED_VALUE", date_time_render_option="FORMATTED_STRING"
    )
    assert dated == [["2020-01-01"]]


def test_leading_apostrophe_is_text(ws):
    ws.update([["'=SUM(A1)", "'123"]], "A1", value_input_option="USER_ENTERED")
    assert ws.get("A1:B1", value_render_option="FORMULA") == [["=SUM(A1)", "123"]]


def test_trailing_empties_are_trimmed_and_range_echoed(ws, emulator):
    ws.update([["a", "", ""], ["", "", ""], ["b", "", "c"]], "A1")
    res = ws.spreadsheet.values_get("Sheet1")
    assert res["range"] == "Sheet1!A1:Z1000"
    assert res["values"] == [["a"], [], ["b", "", "c"]]
    cols = ws.spreadsheet.values_get("Sheet1!A1:C3", params={"majorDimension": "COLUMNS"})
    assert cols["values"] == [["a", "", "b"], [], ["", "", "c"]]


def test_quoted_sheet_names(gc):
    sh = gc.create("quotes")
    ws = sh.add_worksheet("It's data", 10, 5)
    ws.update([["x"]], "B2")
    res = sh.values_get("'It''s data'!B2")
    assert res == {"range": "'It''s data'!B2", "majorDimension": "ROWS", "values": [["x"]]}


def test_append_finds_the_table_and_grows_the_grid(gc):
    sh = gc.create("append")
    ws = sh.add_worksheet("T", rows=3, cols=3)
    ws.update([["h1", "h2"], ["a", "b"]], "A1")
    res = ws.append_rows([["c", "d"], ["e", "f"]])
    assert res["tableRange"] == "T!A1:B2"
    assert res["updates"]["updatedRange"] == "T!A3:B4"
    assert sh.worksheet("T").row_count == 4  # (gspread's own cached count says 5)
    assert ws.get_all_values()[-1] == ["e", "f"]


def test_insert_data_option_insert_rows(gc):
    ws = gc.create("ins").sheet1
    ws.update([["h"], ["a"], [""], ["z"]], "A1")
    ws.append_row(["b"], insert_data_option="INSERT_ROWS", table_range="A1")
    assert ws.col_values(1) == ["h", "a", "b", "", "z"]


def test_batch_update_is_atomic(emulator, gc):
    sh = gc.create("atomic")
    with pytest.raises(gspread.exceptions.APIError) as info:
        sh.batch_update(
            {
                "requests": [
                    {"addSheet": {"properties": {"title": "New"}}},
                    {"deleteSheet": {"sheetId": 999}},
                ]
            }
        )
    assert "requests[1]" in str(info.value)
    assert [w.title for w in sh.worksheets()] == ["Sheet1"]


def test_inserting_rows_moves_rules_metadata_and_protection(emulator, gc):
    sh = gc.create("shift")
    ss = emulator.spreadsheets[sh.id]
    sh.batch_update(
        {
            "requests": [
                {
                    "addConditionalFormatRule": {
                        "rule": {
                            "ranges": [{"sheetId": 0, "startRowIndex": 5, "endRowIndex": 10}],
                            "booleanRule": {
                                "condition": {"type": "NOT_BLANK"},
                                "format": {"textFormat": {"bold": True}},
                            },
                        }
                    }
                },
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataKey": "k",
                            "visibility": "DOCUMENT",
                            "location": {
                                "dimensionRange": {
                                    "sheetId": 0,
                                    "dimension": "ROWS",
                                    "startIndex": 5,
                                    "endIndex": 6,
                                }
                            },
                        }
                    }
                },
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {"sheetId": 0, "startRowIndex": 5, "endRowIndex": 6},
                            "warningOnly": True,
                        }
                    }
                },
                {
                    "insertDimension": {
                        "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 2}
                    }
                },
            ]
        }
    )
    sheet = ss.sheets[0]
    assert sheet.conditional_formats[0]["ranges"][0]["startRowIndex"] == 7
    assert ss.developer_metadata[0]["location"]["dimensionRange"]["startIndex"] == 7
    assert sheet.protected_ranges[0]["range"]["startRowIndex"] == 7
    sh.batch_update(
        {
            "requests": [
                {
                    "deleteDimension": {
                        "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 7, "endIndex": 8}
                    }
                }
            ]
        }
    )
    assert ss.developer_metadata == []
    assert sheet.protected_ranges == []


def test_sort_range_keeps_blanks_last(ws):
    ws.update([["n"], ["b"], [""], ["a"], ["c"]], "A1")
    ws.sort((1, "asc"), range="A2:A5")
    assert ws.col_values(1) == ["n", "a", "b", "c"]


def test_counts_requests_and_bytes(emulator, gc):
    sh = gc.open_by_key(gc.create("count").id)
    emulator.stats.reset()
    sh.sheet1.update([["x"] * 10], "A1")
    assert emulator.stats.requests["sheets.spreadsheets.values.update"] == 1
    assert emulator.stats.writes == 1
    assert emulator.stats.sent > 50 and emulator.stats.received > 50


def test_scripted_429_carries_retry_after(emulator, gc):
    sh = gc.create("faults")
    emulator.fail("values.update", 429, retry_after=7)
    with pytest.raises(gspread.exceptions.APIError) as info:
        sh.sheet1.update([["x"]], "A1")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    sh.sheet1.update([["y"]], "A1")  # the fault was used up
    assert sh.sheet1.acell("A1").value == "y"


def test_dropped_response_still_applies_the_write(emulator, gc):
    sh = gc.create("drop")
    emulator.drop_response("values.append")
    with pytest.raises(requests.exceptions.ConnectionError):
        sh.sheet1.append_row(["once"])
    assert sh.sheet1.col_values(1) == ["once"]


def test_write_quota(emulator, gc):
    now = [0.0]
    emulator.clock = lambda: now[0]
    emulator.write_quota = 2
    ws = gc.create("quota").sheet1
    emulator.stats.reset()
    ws.update([["1"]], "A1")
    ws.update([["2"]], "A1")
    with pytest.raises(gspread.exceptions.APIError) as info:
        ws.update([["3"]], "A1")
    assert info.value.response.status_code == 429
    now[0] = 61.0
    ws.update([["4"]], "A1")
    assert ws.acell("A1").value == "4"


def test_hook_runs_before_each_request(emulator, gc):
    ws = gc.create("hook").sheet1
    seen = []
    emulator.on_request(lambda e: seen.append(e.method_id))
    ws.update([["x"]], "A1")
    assert seen == ["sheets.spreadsheets.values.update"]


def test_loopback_http_serves_the_same_state(emulator, loopback):
    sh = emulator.create_spreadsheet("http")
    url = f"{loopback.url}/v4/spreadsheets/{sh.id}/values/A1?valueInputOption=RAW"
    res = requests.put(url, json={"values": [["over http"]]}, timeout=10)
    assert res.status_code == 200
    assert sh.sheets[0].get(0, 0) == "over http"
    got = requests.get(f"{loopback.url}/v4/spreadsheets/{sh.id}/values/A1", timeout=10).json()
    assert got["values"] == [["over http"]]
    bad = requests.put(url.replace("RAW", "NOPE"), json={"values": [["x"]]}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_grid_limits_and_cell_cap(gc):
    sh = gc.create("limits")
    with pytest.raises(gspread.exceptions.APIError, match="exceeds grid limits"):
        sh.sheet1.update([["x"]], "A1001")
    with pytest.raises(gspread.exceptions.APIError, match="10,000,000"):
        sh.add_worksheet("huge", rows=500_000, cols=26)


def test_fields_mask_and_grid_data(emulator, gc):
    sh = gc.create("mask")
    sh.sheet1.update([["a", "=1+2"]], "A1", value_input_option="USER_ENTERED")
    got = sh.fetch_sheet_metadata(
        params={
            "ranges": "Sheet1!A1:B1",
            "includeGridData": "true",
            "fields": (
                "sheets(properties(title),data.rowData.values(userEnteredValue,effectiveValue))"
            ),
        }
    )
    assert got == {
        "sheets": [
            {
                "properties": {"title": "Sheet1"},
                "data": [
                    {
                        "rowData": [
                            {
                                "values": [
                                    {
                                        "userEnteredValue": {"stringValue": "a"},
                                        "effectiveValue": {"stringValue": "a"},
                                    },
                                    {
                                        "userEnteredValue": {"formulaValue": "=1+2"},
                                        "effectiveValue": {"numberValue": 3},
                                    },
                                ]
                            }
                        ]
                    }
                ],
            }
        ]
    }


def test_a_second_client_sees_the_same_spreadsheet():
    emu = Emulator()
    a, b = gspread_client(emu), gspread_client(emu)
    sh = a.create("shared")
    sh.sheet1.update([["from a"]], "A1")
    assert b.open_by_key(sh.id).sheet1.acell("A1").value == "from a"
    assert (
        json.loads(emu.handle("GET", "https://www.googleapis.com/drive/v3/files", None).body)[
            "files"
        ][0]["name"]
        == "shared"
    )
