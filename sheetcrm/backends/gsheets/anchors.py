"""Requests that anchor a write to record IDs on Google Sheets: transient row tags
(developer metadata ``sheetcrm:id`` on each row a run edits), request markers
(``sheetcrm:request``, one per ``spreadsheets.batchUpdate`` chunk, so a lost response can
be looked up instead of guessed), typed cells for ``updateCells`` and ``appendCells``, the
data-filtered re-read and write, and splitting every body under ``MAX_BODY``. No I/O here.

Tags and markers carry explicit metadata ids from one per-run ``Tokens``: a chunk sent
again after a dropped response is byte-for-byte the same request, and its marker says
whether the first one was applied (``spreadsheets.batchUpdate`` is atomic).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sheetcrm.backends.gsheets import requests as rq
from sheetcrm.model.changes import CellFormula, Formatted

TAG_KEY = "sheetcrm:id"
MARKER_KEY = "sheetcrm:request"

#: Characters (key + value) of row tags made on one sheet in one round. Google keeps at
#: most 30,000 characters of developer metadata per sheet (and 30,000 of the
#: spreadsheet's own, where the markers go); the rest is left for anyone else's.
TAG_BUDGET = 27_000

#: Bytes of one ``updateCells``/``appendCells`` request before its rows are split in two
#: requests, so that any chunk of requests fits in ``MAX_BODY``.
PIECE = 500_000

#: Room kept in each chunk for its marker and the JSON around the requests.
_SLACK = 2_000


class Tokens:
    """One run's metadata ids (ten digits, so bodies have the same size every run) and
    its marker token."""

    def __init__(self, rng: random.Random | None = None) -> None:
        pick = rng or random.SystemRandom()
        self.token = f"{pick.getrandbits(32):08x}"
        self._next = 1_000_000_000 + pick.randrange(0, 1_000_000_000)
        self._n = 0

    def metadata_id(self) -> int:
        self._n += 1
        return self._next + self._n

    def marker_value(self) -> str:
        return f"{self.token}:{self._n}"


@dataclass(frozen=True)
class Tag:
    """A row tag: record ``key`` of ``tab`` at sheet row ``row`` (0-based) when made."""

    tab: str
    key: str
    row: int
    metadata_id: int

    @property
    def chars(self) -> int:
        return len(TAG_KEY) + len(self.key)


def tag_request(tag: Tag, sheet_id: int) -> dict[str, Any]:
    return {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataId": tag.metadata_id,
                "metadataKey": TAG_KEY,
                "metadataValue": tag.key,
                "visibility": "DOCUMENT",
                "location": {
                    "dimensionRange": {
                        "sheetId": sheet_id,
                        "dimension": "ROWS",
                        "startIndex": tag.row,
                        "endIndex": tag.row + 1,
                    }
                },
            }
        }
    }


def clear_tags(sheet_id: int) -> dict[str, Any]:
    """Delete every ``sheetcrm:id`` tag on one sheet (left by a killed run, or by this
    run's previous round), before new ones are made there."""
    return {
        "deleteDeveloperMetadata": {
            "dataFilter": {
                "developerMetadataLookup": {
                    "metadataKey": TAG_KEY,
                    "metadataLocation": {"sheetId": sheet_id},
                    "locationMatchingStrategy": "INTERSECTING_LOCATION",
                }
            }
        }
    }


def clear_markers() -> dict[str, Any]:
    """Delete markers earlier runs left (each run's last one stays until the next run)."""
    return {
        "deleteDeveloperMetadata": {
            "dataFilter": {
                "developerMetadataLookup": {
                    "metadataKey": MARKER_KEY,
                    "metadataLocation": {"spreadsheet": True},
                    "locationMatchingStrategy": "EXACT_LOCATION",
                }
            }
        }
    }


def delete_metadata(metadata_id: int) -> dict[str, Any]:
    return {
        "deleteDeveloperMetadata": {
            "dataFilter": {"developerMetadataLookup": {"metadataId": metadata_id}}
        }
    }


def marker_request(metadata_id: int, value: str) -> dict[str, Any]:
    return {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataId": metadata_id,
                "metadataKey": MARKER_KEY,
                "metadataValue": value,
                "visibility": "DOCUMENT",
                "location": {"spreadsheet": True},
            }
        }
    }


def marker_search(metadata_id: int) -> dict[str, Any]:
    """The ``developerMetadata.search`` body that finds one marker (or nothing)."""
    return {"dataFilters": [{"developerMetadataLookup": {"metadataId": metadata_id}}]}


def cell(value: Any) -> dict[str, Any]:
    """CellData with a typed ``userEnteredValue``: RAW semantics (text stays text, a date
    is its serial number); a blank clears the cell."""
    if isinstance(value, CellFormula):
        return {"userEnteredValue": {"formulaValue": value.text}}
    if isinstance(value, Formatted):
        out = cell(value.value)
        if out:
            out["userEnteredFormat"] = {"numberFormat": rq.number_format(value.number_format)}
        return out
    raw = rq.encode(value)
    if isinstance(raw, bool):
        return {"userEnteredValue": {"boolValue": raw}}
    if isinstance(raw, int | float):
        return {"userEnteredValue": {"numberValue": raw}}
    if raw == "":
        return {}
    return {"userEnteredValue": {"stringValue": str(raw)}}


def _split_rows(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows in runs of at most ``PIECE`` bytes (a single larger row stays whole)."""
    out: list[list[dict[str, Any]]] = [[]]
    total = 0
    for row in rows:
        n = len(json.dumps(row)) + 1
        if out[-1] and total + n > PIECE:
            out.append([])
            total = 0
        out[-1].append(row)
        total += n
    return [part for part in out if part]


def put_cells(sheet_id: int, cells: Iterable[tuple[int, int, Any]]) -> list[dict[str, Any]]:
    """``updateCells`` for positioned cells (0-based sheet rows and columns): neighbours in
    a row share a run, rows whose runs span the same columns stack into one request, and a
    block of more than ``PIECE`` bytes is split by rows."""
    blocks: list[tuple[int, int, int, list[dict[str, Any]]]] = []  # row0, col0, col1, rows
    runs: list[tuple[int, int, list[dict[str, Any]]]] = []
    for r, c, v in sorted(cells, key=lambda t: (t[0], t[1])):
        if runs and runs[-1][0] == r and runs[-1][1] + len(runs[-1][2]) == c:
            runs[-1][2].append(cell(v))
        else:
            runs.append((r, c, [cell(v)]))
    for r, c, values in runs:
        if blocks:
            row0, col0, col1, rows = blocks[-1]
            if row0 + len(rows) == r and col0 == c and col1 == c + len(values):
                rows.append({"values": values})
                continue
        blocks.append((r, c, c + len(values), [{"values": values}]))
    out: list[dict[str, Any]] = []
    formatted = any(isinstance(v, Formatted) for _, _, v in cells)
    fields = "userEnteredValue,userEnteredFormat.numberFormat" if formatted else "userEnteredValue"
    for row0, col0, _, rows in blocks:
        at = row0
        for part in _split_rows(rows):
            start = {"sheetId": sheet_id, "rowIndex": at, "columnIndex": col0}
            out.append({"updateCells": {"start": start, "rows": part, "fields": fields}})
            at += len(part)
    return out


def append_cells(sheet_id: int, lines: list[list[Any]]) -> list[dict[str, Any]]:
    """``appendCells`` after the last row with data (position-free, so two writers never
    overwrite each other), split by rows; None cells are left empty."""
    rows = [{"values": [cell(v) if v is not None else {} for v in line]} for line in lines]
    return [
        {"appendCells": {"sheetId": sheet_id, "rows": part, "fields": "userEnteredValue"}}
        for part in _split_rows(rows)
    ]


def chunks(requests: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Requests packed in chunks whose body, marker included, stays under ``MAX_BODY``."""
    out: list[list[dict[str, Any]]] = [[]]
    total = 0
    for request in requests:
        n = len(json.dumps(request)) + 2
        if out[-1] and total + n > rq.MAX_BODY - _SLACK:
            out.append([])
            total = 0
        out[-1].append(request)
        total += n
    return [c for c in out if c]


def reread_body(tabs: list[str], tags: Iterable[Tag]) -> dict[str, Any]:
    """``values:batchGetByDataFilter``: whole tabs (the fresh state) and each tag's row."""
    filters: list[dict[str, Any]] = [{"a1Range": rq.quote(t)} for t in tabs]
    filters += [{"developerMetadataLookup": {"metadataId": t.metadata_id}} for t in tags]
    return {
        "dataFilters": filters,
        "majorDimension": "ROWS",
        "valueRenderOption": "FORMULA",
        "dateTimeRenderOption": "SERIAL_NUMBER",
    }


_ROW = re.compile(r"!\$?[A-Z]*\$?(\d+)")


def row_of(echoed: str | None) -> int | None:
    """The first sheet row (0-based) of an echoed A1 range."""
    m = _ROW.search(echoed or "")
    return int(m[1]) - 1 if m else None


@dataclass
class Reread:
    """What one ``values:batchGetByDataFilter`` said: each tab's values (and echoed range),
    and where each tag's row is now (absent: the row, or the tag, is gone)."""

    tabs: dict[str, dict[str, Any]]
    rows: dict[int, int]


def parse_reread(data: dict[str, Any], tabs: list[str]) -> Reread:
    by_filter = {rq.quote(t): t for t in tabs}
    out = Reread({}, {})
    for matched in data.get("valueRanges", []):
        vr = matched.get("valueRange", {})
        for f in matched.get("dataFilters", []):
            if "a1Range" in f and f["a1Range"] in by_filter:
                out.tabs[by_filter[f["a1Range"]]] = vr
            lookup = f.get("developerMetadataLookup", {})
            row = row_of(vr.get("range"))
            if "metadataId" in lookup and row is not None:
                out.rows[int(lookup["metadataId"])] = row
    return out


def row_write(tag: Tag, line: list[Any]) -> dict[str, Any]:
    """One DataFilterValueRange: the tagged row's values from column A, None where a cell
    is left alone (Google skips nulls)."""
    while line and line[-1] is None:
        line = line[:-1]
    return {
        "dataFilter": {"developerMetadataLookup": {"metadataId": tag.metadata_id}},
        "majorDimension": "ROWS",
        "values": [line],
    }


def write_body(data: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "valueInputOption": "RAW",
        "data": data,
        "includeValuesInResponse": True,
        "responseValueRenderOption": "FORMULA",
        "responseDateTimeRenderOption": "SERIAL_NUMBER",
    }


def written_rows(data: dict[str, Any]) -> dict[int, list[Any]]:
    """Each tag's row as the write left it (from ``updatedData``)."""
    out: dict[int, list[Any]] = {}
    for response in data.get("responses", []):
        lookup = response.get("dataFilter", {}).get("developerMetadataLookup", {})
        if "metadataId" not in lookup:
            continue
        values = response.get("updatedData", {}).get("values") or [[]]
        out[int(lookup["metadataId"])] = list(values[0])
    return out
