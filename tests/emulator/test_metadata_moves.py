"""Row developer metadata travels with its row (moves, sorts, inserts, deletes, a teammate's
sort), and Google's metadata rules: single-row locations, unique ids, 30,000 characters."""

from __future__ import annotations

import gspread
import pytest

from sheetcrm.emulator.teammate import Teammate

from .test_datafilter import TAG, by_id, call, row_tag


@pytest.fixture
def sh(gc):
    sh = gc.create("moves")
    sh.sheet1.update([["id", "n"], ["C-1", "3"], ["C-2", "1"], ["C-3", "2"]])
    sh.batch_update({"requests": [row_tag(100 + i, f"C-{i}", i) for i in (1, 2, 3)]})
    return sh


def tagged(sh) -> dict[str, list[str]]:
    """Each tag's value → the row it now selects (read through batchGetByDataFilter)."""
    got = call(
        sh,
        "/values:batchGetByDataFilter",
        {"dataFilters": [by_id(100 + i) for i in (1, 2, 3)], "valueRenderOption": "FORMULA"},
    )
    out = {}
    for v in got.get("valueRanges", []):
        mid = v["dataFilters"][0]["developerMetadataLookup"]["metadataId"]
        out[f"C-{mid - 100}"] = v["valueRange"].get("values", [[]])[0]
    return out


def dims(start: int, end: int, dim: str = "ROWS") -> dict:
    return {"sheetId": 0, "dimension": dim, "startIndex": start, "endIndex": end}


def test_every_tag_starts_on_its_row(sh):
    assert tagged(sh) == {"C-1": ["C-1", "3"], "C-2": ["C-2", "1"], "C-3": ["C-3", "2"]}


def test_sort_range_of_whole_rows_carries_the_tags(sh):
    sh.batch_update(
        {
            "requests": [
                {
                    "sortRange": {
                        "range": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 4},
                        "sortSpecs": [{"dimensionIndex": 1, "sortOrder": "ASCENDING"}],
                    }
                }
            ]
        }
    )
    assert sh.sheet1.col_values(1) == ["id", "C-2", "C-3", "C-1"]
    assert tagged(sh) == {"C-1": ["C-1", "3"], "C-2": ["C-2", "1"], "C-3": ["C-3", "2"]}


def test_a_partial_width_sort_moves_cells_and_leaves_row_tags_on_their_rows(sh):
    sh.sheet1.sort((2, "asc"), range="B2:B4")  # only column B moves
    assert sh.sheet1.col_values(2) == ["n", "1", "2", "3"]
    assert sh.sheet1.col_values(1) == ["id", "C-1", "C-2", "C-3"]
    assert tagged(sh) == {"C-1": ["C-1", "1"], "C-2": ["C-2", "2"], "C-3": ["C-3", "3"]}


def test_a_teammates_sort_carries_the_tags(sh, emulator):
    Teammate(emulator, sh.id).sort("Sheet1", 2, descending=True)
    assert sh.sheet1.col_values(1) == ["id", "C-1", "C-3", "C-2"]
    assert tagged(sh) == {"C-1": ["C-1", "3"], "C-2": ["C-2", "1"], "C-3": ["C-3", "2"]}


@pytest.mark.parametrize(
    ("source", "destination", "ids"),
    [
        ((3, 4), 1, ["id", "C-3", "C-1", "C-2"]),  # up
        ((1, 3), 4, ["id", "C-3", "C-1", "C-2"]),  # two rows down, past the last
        ((2, 3), 2, ["id", "C-1", "C-2", "C-3"]),  # onto itself: nothing moves
    ],
)
def test_move_dimension_carries_the_tags(sh, source, destination, ids):
    move = {"source": dims(*source), "destinationIndex": destination}
    sh.batch_update({"requests": [{"moveDimension": move}]})
    assert sh.sheet1.col_values(1) == ids
    assert tagged(sh) == {"C-1": ["C-1", "3"], "C-2": ["C-2", "1"], "C-3": ["C-3", "2"]}


def test_moving_a_column_carries_its_values_and_column_metadata(sh, emulator):
    col = {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataId": 7,
                "metadataKey": "col",
                "visibility": "DOCUMENT",
                "location": {"dimensionRange": dims(1, 2, "COLUMNS")},
            }
        }
    }
    move = {"moveDimension": {"source": dims(1, 2, "COLUMNS"), "destinationIndex": 0}}
    sh.batch_update({"requests": [col, move]})
    assert sh.sheet1.row_values(1) == ["n", "id"]
    got = call(sh, "/values:batchGetByDataFilter", {"dataFilters": [by_id(7)]})
    assert got["valueRanges"][0]["valueRange"]["range"] == "Sheet1!A1:A1000"


def test_insert_and_delete_rows_shift_the_tags_and_a_deleted_row_loses_its_tag(sh, emulator):
    mate = Teammate(emulator, sh.id)
    mate.insert_rows("Sheet1", 2, 2)  # two blank rows above C-1
    assert tagged(sh) == {"C-1": ["C-1", "3"], "C-2": ["C-2", "1"], "C-3": ["C-3", "2"]}
    mate.delete_rows("Sheet1", 5)  # C-2's row
    assert tagged(sh) == {"C-1": ["C-1", "3"], "C-3": ["C-3", "2"]}


def test_a_tag_must_be_one_row(sh):
    bad = row_tag(9, "x", 1)
    bad["createDeveloperMetadata"]["developerMetadata"]["location"]["dimensionRange"][
        "endIndex"
    ] = 3
    with pytest.raises(gspread.exceptions.APIError, match="single row or column"):
        sh.batch_update({"requests": [bad]})


def test_an_explicit_id_that_exists_is_refused_and_the_batch_undone(sh, emulator):
    with pytest.raises(gspread.exceptions.APIError) as info:
        sh.batch_update({"requests": [row_tag(50, "new", 1), row_tag(101, "again", 2)]})
    assert info.value.response.status_code == 400
    assert info.value.response.json()["error"]["message"] == (
        "Invalid requests[1].createDeveloperMetadata: "
        "Developer metadata with ID 101 already exists."
    )
    assert 50 not in {m["metadataId"] for m in emulator.spreadsheets[sh.id].developer_metadata}


def _tags(start_id: int, count: int, value_len: int, sheet_id: int = 0) -> list[dict]:
    return [row_tag(start_id + i, "v" * value_len, 10 + i, sheet_id) for i in range(count)]


def test_storage_limit_per_sheet_rejects_the_whole_batch(gc, emulator):
    sh = gc.create("storage")
    ss = emulator.spreadsheets[sh.id]
    per = len(TAG) + 89  # 100 characters a tag (key + value)
    sh.batch_update({"requests": _tags(1, 299, per - len(TAG))})  # 29,900: fits
    with pytest.raises(gspread.exceptions.APIError) as info:
        sh.batch_update(
            {
                "requests": [
                    {
                        "updateSpreadsheetProperties": {
                            "properties": {"title": "t"},
                            "fields": "title",
                        }
                    },
                    *_tags(500, 2, per - len(TAG)),  # 30,100
                ]
            }
        )
    assert info.value.response.status_code == 400
    message = info.value.response.json()["error"]["message"]
    assert message.startswith("Invalid requests[1].createDeveloperMetadata: ")
    assert "30000" in message and "sheet with id 0" in message
    assert len(ss.developer_metadata) == 299 and ss.title == "storage"  # nothing applied
    sh.batch_update({"requests": _tags(600, 1, per - len(TAG))})  # exactly 30,000: fits
    other = sh.add_worksheet("Other", 400, 3)  # another sheet has its own 30,000
    sh.batch_update({"requests": _tags(700, 200, per - len(TAG), other.id)})


def test_storage_limit_for_the_spreadsheets_own_metadata(gc, emulator):
    sh = gc.create("storage2")

    def marker(mid: int, size: int) -> dict:
        meta = {"metadataId": mid, "metadataKey": "k", "metadataValue": "v" * (size - 1)}
        return {"createDeveloperMetadata": {"developerMetadata": meta | {"visibility": "DOCUMENT"}}}

    sh.batch_update({"requests": [marker(1, 20_000)]})
    with pytest.raises(gspread.exceptions.APIError, match="the spreadsheet"):
        sh.batch_update({"requests": [marker(2, 10_001)]})
    update = {
        "updateDeveloperMetadata": {
            "dataFilters": [by_id(1)],
            "developerMetadata": {"metadataValue": "v" * 30_000},
            "fields": "metadataValue",
        }
    }
    with pytest.raises(gspread.exceptions.APIError, match="storage limit"):
        sh.batch_update({"requests": [update]})
    # deleting in the same batch makes room
    delete = {"deleteDeveloperMetadata": {"dataFilter": by_id(1)}}
    sh.batch_update({"requests": [delete, marker(2, 30_000)]})
    assert [m["metadataId"] for m in emulator.spreadsheets[sh.id].developer_metadata] == [2]
