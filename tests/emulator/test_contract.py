"""Malformed requests are rejected exactly as Google rejects them."""

from __future__ import annotations

import json

import gspread
import pytest


@pytest.fixture
def sheet(emulator):
    return emulator.create_spreadsheet("contract")


def post(emulator, path, body, query=""):
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{path}{query}"
    res = emulator.handle("POST", url, json.dumps(body).encode())
    return res.status, json.loads(res.body)


def test_misspelled_field(emulator, sheet):
    status, body = post(
        emulator,
        f"{sheet.id}:batchUpdate",
        {"requests": [{"addSheet": {"properties": {"titel": "X"}}}]},
    )
    assert status == 400
    assert body["error"]["status"] == "INVALID_ARGUMENT"
    assert body["error"]["message"] == (
        'Invalid JSON payload received. Unknown name "titel" at '
        "'requests[0].add_sheet.properties': Cannot find field."
    )
    assert len(sheet.sheets) == 1


def test_bad_enum(emulator, sheet):
    rng = {"sheetId": 0, "dimension": "ROWZ", "startIndex": 0, "endIndex": 1}
    status, body = post(
        emulator, f"{sheet.id}:batchUpdate", {"requests": [{"insertDimension": {"range": rng}}]}
    )
    assert status == 400
    assert "ROWZ" in body["error"]["message"]
    assert "insert_dimension.range.dimension" in body["error"]["message"]


def test_two_kinds_in_one_request(emulator, sheet):
    status, body = post(
        emulator,
        f"{sheet.id}:batchUpdate",
        {"requests": [{"addSheet": {}, "deleteSheet": {"sheetId": 0}}]},
    )
    assert status == 400 and "oneof" in body["error"]["message"]


def test_empty_request(emulator, sheet):
    status, body = post(emulator, f"{sheet.id}:batchUpdate", {"requests": [{}]})
    assert status == 400 and "No request set" in body["error"]["message"]


def test_missing_value_input_option(emulator, sheet, gc):
    status, body = post(
        emulator, f"{sheet.id}/values:batchUpdate", {"data": [{"range": "A1", "values": [["x"]]}]}
    )
    assert status == 400
    assert body["error"]["message"] == "'valueInputOption' is required but not specified"
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{sheet.id}/values/A1"
    res = emulator.handle("PUT", url, b'{"values": [["x"]]}')
    assert res.status == 400
    assert sheet.sheets[0].get(0, 0) is None


def test_bad_query_enum(emulator, sheet):
    url = (
        f"https://sheets.googleapis.com/v4/spreadsheets/{sheet.id}/values/A1?valueInputOption=RAWW"
    )
    res = emulator.handle("PUT", url, b'{"values": [["x"]]}')
    assert res.status == 400 and '"RAWW"' in json.loads(res.body)["error"]["message"]


def test_int32_bounds(emulator, sheet):
    status, body = post(
        emulator,
        f"{sheet.id}:batchUpdate",
        {"requests": [{"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 2**31}}]},
    )
    assert status == 400 and "TYPE_INT32" in body["error"]["message"]


def test_values_must_be_a_list(emulator, sheet):
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{sheet.id}/values/A1?valueInputOption=RAW"
    res = emulator.handle("PUT", url, b'{"values": "X", "majorDimension": null}')
    assert json.loads(res.body)["error"]["message"] == (
        "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    )


def test_unknown_sheet_id_and_spreadsheet(emulator, sheet, gc):
    status, body = post(
        emulator, f"{sheet.id}:batchUpdate", {"requests": [{"deleteSheet": {"sheetId": 42}}]}
    )
    assert status == 400 and "No grid with id: 42" in body["error"]["message"]
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open_by_key("nope")


def test_gspread_sends_schema_valid_bodies(emulator, gc):
    emulator.keep_log = True
    sh = gc.create("valid")
    ws = sh.sheet1
    ws.update([["a", 1], ["b", 2]], "A1")
    ws.format("A1:B1", {"textFormat": {"bold": True}})
    ws.freeze(rows=1)
    ws.append_rows([["c", 3]])
    ws.sort((2, "des"), range="A2:B3")  # gspread miscounts rows after an append
    ws.add_protected_range("A1:B1", warning_only=True)
    ws.insert_rows([["x", 0]], 2)
    ws.delete_rows(3)
    assert ws.get_all_values()[0] == ["a", "1"]
    assert len(emulator.log) >= 9  # every one of them passed validation
