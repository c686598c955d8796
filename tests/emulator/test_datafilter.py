"""The *ByDataFilter routes, through unmodified gspread (raw requests where gspread has no
wrapper), with Google's request and response shapes."""

from __future__ import annotations

import gspread
import pytest

BASE = "https://sheets.googleapis.com/v4/spreadsheets"
TAG = "sheetcrm:id"


def call(sh: gspread.Spreadsheet, path: str, body: dict) -> dict:
    """POST through gspread's own HTTP client (it raises APIError on 4xx)."""
    return sh.client.request("post", f"{BASE}/{sh.id}{path}", json=body).json()


def row_tag(mid: int, value: str, row: int, sheet_id: int = 0) -> dict:
    """createDeveloperMetadata of a one-row tag (row is 0-based)."""
    rng = {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": row, "endIndex": row + 1}
    return {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataId": mid,
                "metadataKey": TAG,
                "metadataValue": value,
                "visibility": "DOCUMENT",
                "location": {"dimensionRange": rng},
            }
        }
    }


def by_id(mid: int) -> dict:
    return {"developerMetadataLookup": {"metadataId": mid}}


@pytest.fixture
def sh(gc):
    sh = gc.create("datafilter")
    sh.sheet1.update([["id", "name", "city"], ["C-1", "Ann", "Oslo"], ["C-2", "Bob", "Rome"]])
    sh.batch_update({"requests": [row_tag(11, "C-1", 1), row_tag(12, "C-2", 2)]})
    return sh


def test_batch_get_by_metadata_a1_and_grid_range(sh):
    got = call(
        sh,
        "/values:batchGetByDataFilter",
        {
            "dataFilters": [
                by_id(12),
                {"a1Range": "Sheet1!A1:B1"},
                {"gridRange": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 2}},
                by_id(999),  # matches nothing: no entry
            ],
            "valueRenderOption": "UNFORMATTED_VALUE",
        },
    )
    assert got == {
        "spreadsheetId": sh.id,
        "valueRanges": [
            {
                "valueRange": {
                    "range": "Sheet1!A3:Z3",
                    "majorDimension": "ROWS",
                    "values": [["C-2", "Bob", "Rome"]],
                },
                "dataFilters": [by_id(12)],
            },
            {
                "valueRange": {
                    "range": "Sheet1!A1:B1",
                    "majorDimension": "ROWS",
                    "values": [["id", "name"]],
                },
                "dataFilters": [{"a1Range": "Sheet1!A1:B1"}],
            },
            {
                "valueRange": {
                    "range": "Sheet1!A2:Z2",
                    "majorDimension": "ROWS",
                    "values": [["C-1", "Ann", "Oslo"]],
                },
                "dataFilters": [
                    {"gridRange": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 2}}
                ],
            },
        ],
    }


def test_one_range_matched_twice_is_answered_once_naming_both_filters(sh):
    got = call(
        sh,
        "/values:batchGetByDataFilter",
        {"dataFilters": [by_id(11), {"developerMetadataLookup": {"metadataValue": "C-1"}}]},
    )
    assert len(got["valueRanges"]) == 1
    assert got["valueRanges"][0]["dataFilters"] == [
        by_id(11),
        {"developerMetadataLookup": {"metadataValue": "C-1"}},
    ]


def test_nothing_matched_gives_no_value_ranges(sh):
    got = call(sh, "/values:batchGetByDataFilter", {"dataFilters": [by_id(404)]})
    assert got == {"spreadsheetId": sh.id}


def test_batch_update_by_row_tag_skips_nulls_clears_empties_and_echoes(sh):
    got = call(
        sh,
        "/values:batchUpdateByDataFilter",
        {
            "valueInputOption": "RAW",
            "includeValuesInResponse": True,
            "responseValueRenderOption": "FORMULA",
            "data": [
                {"dataFilter": by_id(12), "values": [[None, "=1+1", ""]]},
                {"dataFilter": by_id(404), "values": [["lost"]]},  # nothing written
            ],
        },
    )
    assert got == {
        "spreadsheetId": sh.id,
        "totalUpdatedRows": 1,
        "totalUpdatedColumns": 2,
        "totalUpdatedCells": 2,
        "totalUpdatedSheets": 1,
        "responses": [
            {
                "dataFilter": by_id(12),
                "updatedRange": "Sheet1!A3:C3",
                "updatedRows": 1,
                "updatedColumns": 2,
                "updatedCells": 2,
                "updatedData": {
                    "range": "Sheet1!A3:Z3",
                    "majorDimension": "ROWS",
                    "values": [["C-2", "=1+1"]],  # RAW: text; C3 cleared
                },
            }
        ],
    }
    assert sh.sheet1.get_all_values() == [
        ["id", "name", "city"],
        ["C-1", "Ann", "Oslo"],
        ["C-2", "=1+1", ""],
    ]


def test_user_entered_parses_and_a_key_lookup_writes_every_matched_row(sh):
    got = call(
        sh,
        "/values:batchUpdateByDataFilter",
        {
            "valueInputOption": "USER_ENTERED",
            "data": [
                {
                    "dataFilter": {"developerMetadataLookup": {"metadataKey": TAG}},
                    "values": [[None, None, "=1+1"]],
                }
            ],
        },
    )
    assert [r["updatedRange"] for r in got["responses"]] == ["Sheet1!A2:C2", "Sheet1!A3:C3"]
    assert "updatedData" not in got["responses"][0]
    assert sh.sheet1.col_values(3) == ["city", "2", "2"]


def test_a_write_lands_on_the_tagged_row_after_a_move(sh):
    sh.batch_update(
        {
            "requests": [
                {
                    "moveDimension": {
                        "source": {
                            "sheetId": 0,
                            "dimension": "ROWS",
                            "startIndex": 2,
                            "endIndex": 3,
                        },
                        "destinationIndex": 1,
                    }
                }
            ]
        }
    )
    got = call(
        sh,
        "/values:batchUpdateByDataFilter",
        {
            "valueInputOption": "RAW",
            "data": [{"dataFilter": by_id(12), "values": [[None, "Bobby"]]}],
        },
    )
    assert got["responses"][0]["updatedRange"] == "Sheet1!A2:B2"
    assert sh.sheet1.get_all_values()[1:] == [["C-2", "Bobby", "Rome"], ["C-1", "Ann", "Oslo"]]


def test_nothing_matched_writes_nothing_and_has_no_responses(sh):
    got = call(
        sh,
        "/values:batchUpdateByDataFilter",
        {"valueInputOption": "RAW", "data": [{"dataFilter": by_id(404), "values": [["x"]]}]},
    )
    assert got == {"spreadsheetId": sh.id}


def test_data_that_does_not_fit_the_matched_range_fails_the_whole_request(sh):
    with pytest.raises(gspread.exceptions.APIError) as info:
        call(
            sh,
            "/values:batchUpdateByDataFilter",
            {
                "valueInputOption": "RAW",
                "data": [
                    {"dataFilter": by_id(11), "values": [["written?"]]},
                    {"dataFilter": by_id(12), "values": [["a"], ["b"]]},
                ],
            },
        )
    assert info.value.response.status_code == 400
    assert info.value.response.json()["error"]["message"] == (
        "Invalid dataFilterValueRange[1]: dataFilterValueRange.dataFilter matched range "
        "Sheet1!$A$3:$Z$3 whose rows cannot fit the data described in data.values"
    )
    assert sh.sheet1.acell("A2").value == "C-1"  # the first range was not written either


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"data": [{"dataFilter": {"a1Range": "A1"}, "values": [["x"]]}]},
            "'valueInputOption' is required",
        ),
        (
            {
                "valueInputOption": "RAW",
                "data": [{"dataFilter": {"a1Range": "A1"}, "values": [["x"]]}],
                "bogus": 1,
            },
            'Unknown name "bogus"',
        ),
        (
            {"valueInputOption": "RAW", "data": [{"values": [["x"]]}]},
            "data[0].dataFilter: must be set",
        ),
        (
            {
                "valueInputOption": "RAW",
                "data": [{"dataFilter": {"a1Range": "A1", "gridRange": {}}, "values": []}],
            },
            "oneof",
        ),
        (
            {
                "valueInputOption": "RAW",
                "data": [{"dataFilter": {"a1Range": "Nope!A1"}, "values": [["x"]]}],
            },
            "Unable to parse range: Nope!A1",
        ),
        (
            {
                "valueInputOption": "RAW",
                "data": [{"dataFilter": {"a1Range": "A1"}, "values": [["x", "y"]]}],
            },
            "whose columns cannot fit",
        ),
        ({"valueInputOption": "SOMETIMES", "data": []}, "SOMETIMES"),
    ],
)
def test_update_validation(sh, body, message):
    with pytest.raises(gspread.exceptions.APIError) as info:
        call(sh, "/values:batchUpdateByDataFilter", body)
    assert info.value.response.status_code == 400
    assert message in info.value.response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("lookup", "message"),
    [
        (
            {"metadataKey": TAG, "locationMatchingStrategy": "EXACT_LOCATION"},
            "a metadataLocation must be specified",
        ),
        (
            {
                "locationType": "ROW",
                "metadataLocation": {"sheetId": 0},
                "locationMatchingStrategy": "EXACT_LOCATION",
            },
            "locationType must be left unspecified",
        ),
        (
            {"locationType": "SPREADSHEET", "metadataLocation": {"sheetId": 0}},
            "cannot be SPREADSHEET",
        ),
        ({"visibility": "EVERYONE"}, "EVERYONE"),
    ],
)
def test_lookup_validation(sh, lookup, message):
    with pytest.raises(gspread.exceptions.APIError) as info:
        call(
            sh,
            "/values:batchGetByDataFilter",
            {"dataFilters": [{"developerMetadataLookup": lookup}]},
        )
    assert info.value.response.status_code == 400
    assert message in info.value.response.json()["error"]["message"]


def test_lookup_criteria_and_location_matching(sh, emulator):
    sheet_meta = {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataId": 20,
                "metadataKey": "sheet-note",
                "visibility": "DOCUMENT",
                "location": {"sheetId": 0},
            }
        }
    }
    column_meta = {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataId": 21,
                "metadataKey": "col",
                "visibility": "PROJECT",
                "location": {
                    "dimensionRange": {
                        "sheetId": 0,
                        "dimension": "COLUMNS",
                        "startIndex": 1,
                        "endIndex": 2,
                    }
                },
            }
        }
    }
    whole = {"metadataKey": "whole", "visibility": "DOCUMENT", "metadataId": 22}
    sh.batch_update(
        {
            "requests": [
                sheet_meta,
                column_meta,
                {"createDeveloperMetadata": {"developerMetadata": whole}},
            ]
        }
    )

    def ids(lookup: dict) -> list[int]:
        got = call(
            sh, "/developerMetadata:search", {"dataFilters": [{"developerMetadataLookup": lookup}]}
        )
        return sorted(
            m["developerMetadata"]["metadataId"] for m in got.get("matchedDeveloperMetadata", [])
        )

    row2 = {"dimensionRange": {"sheetId": 0, "dimension": "ROWS", "startIndex": 2, "endIndex": 3}}
    assert ids(
        {"metadataLocation": {"sheetId": 0}, "locationMatchingStrategy": "INTERSECTING_LOCATION"}
    ) == [11, 12, 20, 21]
    assert ids(
        {"metadataLocation": {"sheetId": 0}, "locationMatchingStrategy": "EXACT_LOCATION"}
    ) == [20]
    assert ids({"metadataLocation": row2}) == [12, 20, 21]  # INTERSECTING is the default
    assert ids({"metadataLocation": row2, "locationMatchingStrategy": "EXACT_LOCATION"}) == [12]
    assert ids({"metadataLocation": {"spreadsheet": True}}) == [22]
    assert ids({"locationType": "ROW"}) == [11, 12]
    assert ids({"locationType": "COLUMN", "visibility": "PROJECT"}) == [21]
    assert ids({"metadataKey": TAG, "metadataValue": "C-2"}) == [12]
    assert ids({"metadataId": 22}) == [22]
    # a column tag selects the whole column; the spreadsheet's own metadata no cells
    got = call(sh, "/values:batchGetByDataFilter", {"dataFilters": [by_id(21), by_id(22)]})
    assert [v["valueRange"]["range"] for v in got["valueRanges"]] == ["Sheet1!B1:B1000"]
    assert emulator.spreadsheets[sh.id].developer_metadata[0]["location"]["locationType"] == "ROW"


def test_delete_stale_tags_on_one_sheet_with_an_intersecting_lookup(sh):
    other = sh.add_worksheet("Other", 5, 3)
    sh.batch_update({"requests": [row_tag(30, "X-1", 0, other.id)]})
    lookup = {
        "metadataKey": TAG,
        "metadataLocation": {"sheetId": 0},
        "locationMatchingStrategy": "INTERSECTING_LOCATION",
    }
    got = sh.batch_update(
        {
            "requests": [
                {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": lookup}}}
            ]
        }
    )
    deleted = got["replies"][0]["deleteDeveloperMetadata"]["deletedDeveloperMetadata"]
    assert sorted(m["metadataId"] for m in deleted) == [11, 12]
    left = call(
        sh,
        "/developerMetadata:search",
        {"dataFilters": [{"developerMetadataLookup": {"metadataKey": TAG}}]},
    )
    assert [m["developerMetadata"]["metadataId"] for m in left["matchedDeveloperMetadata"]] == [30]


def test_update_developer_metadata_by_lookup(sh):
    got = sh.batch_update(
        {
            "requests": [
                {
                    "updateDeveloperMetadata": {
                        "dataFilters": [by_id(11)],
                        "developerMetadata": {"metadataValue": "C-9"},
                        "fields": "metadataValue",
                    }
                }
            ]
        }
    )
    assert (
        got["replies"][0]["updateDeveloperMetadata"]["developerMetadata"][0]["metadataValue"]
        == "C-9"
    )
    found = call(
        sh,
        "/values:batchGetByDataFilter",
        {"dataFilters": [{"developerMetadataLookup": {"metadataValue": "C-9"}}]},
    )
    assert found["valueRanges"][0]["valueRange"]["values"] == [["C-1", "Ann", "Oslo"]]


def test_batch_clear_by_data_filter(sh):
    got = call(
        sh,
        "/values:batchClearByDataFilter",
        {"dataFilters": [by_id(11), {"a1Range": "Sheet1!C3"}, by_id(404)]},
    )
    assert got == {"spreadsheetId": sh.id, "clearedRanges": ["Sheet1!A2:Z2", "Sheet1!C3"]}
    assert sh.sheet1.get_all_values() == [["id", "name", "city"], ["", "", ""], ["C-2", "Bob", ""]]
    assert call(sh, "/values:batchClearByDataFilter", {"dataFilters": [by_id(404)]}) == {
        "spreadsheetId": sh.id
    }


def test_get_by_data_filter(sh):
    sh.add_worksheet("Other", 5, 3)
    got = call(sh, ":getByDataFilter", {"dataFilters": [by_id(12)], "includeGridData": True})
    assert [s["properties"]["title"] for s in got["sheets"]] == ["Sheet1"]
    cells = got["sheets"][0]["data"][0]
    assert cells["startRow"] == 2
    assert [c["formattedValue"] for c in cells["rowData"][0]["values"]] == ["C-2", "Bob", "Rome"]
    nothing = call(sh, ":getByDataFilter", {"dataFilters": [by_id(404)]})
    assert "sheets" not in nothing and nothing["spreadsheetId"] == sh.id
    masked = sh.client.request(
        "post",
        f"{BASE}/{sh.id}:getByDataFilter",
        params={"fields": "sheets.properties.title"},
        json={},
    ).json()
    assert masked == {
        "sheets": [{"properties": {"title": "Sheet1"}}, {"properties": {"title": "Other"}}]
    }


def test_the_write_routes_count_as_writes(sh, emulator):
    emulator.stats.reset()
    call(sh, "/values:batchGetByDataFilter", {"dataFilters": [by_id(11)]})
    call(sh, "/values:batchUpdateByDataFilter", {"valueInputOption": "RAW", "data": []})
    call(sh, "/values:batchClearByDataFilter", {"dataFilters": []})
    assert emulator.stats.total == 3 and emulator.stats.writes == 2


def test_search_by_range_finds_metadata_on_intersecting_locations(sh):
    sheet_meta = {"metadataId": 40, "metadataKey": "s", "visibility": "DOCUMENT"}
    sh.batch_update(
        {
            "requests": [
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": sheet_meta | {"location": {"sheetId": 0}}
                    }
                }
            ]
        }
    )
    got = call(
        sh,
        "/developerMetadata:search",
        {
            "dataFilters": [
                {"a1Range": "Sheet1!B3:C9"},
                {"developerMetadataLookup": {"metadataId": 12}},
            ]
        },
    )
    found = {
        m["developerMetadata"]["metadataId"]: m["dataFilters"]
        for m in got["matchedDeveloperMetadata"]
    }
    assert found == {
        12: [{"a1Range": "Sheet1!B3:C9"}, by_id(12)],  # once, naming both filters
        40: [{"a1Range": "Sheet1!B3:C9"}],
    }
    grid = {"gridRange": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 2}}
    got = call(sh, "/developerMetadata:search", {"dataFilters": [grid]})
    assert sorted(
        m["developerMetadata"]["metadataId"] for m in got["matchedDeveloperMetadata"]
    ) == [11, 40]
    assert call(sh, "/developerMetadata:search", {"dataFilters": [by_id(404)]}) == {}
