"""Developer metadata: create, update, delete, the lookups that find it, and Google's limits.

Locations are stored as Google returns them: ``{"locationType": "ROW", "dimensionRange":
{...}}`` for a row (one row or column, as the reference requires), ``SHEET`` with a
``sheetId``, ``SPREADSHEET`` with ``spreadsheet: true``. A lookup selects the entries that
match every criterion given; ``metadataLocation`` matches by ``locationMatchingStrategy``
(default INTERSECTING_LOCATION): EXACT_LOCATION only that very location; INTERSECTING also
every location that shares a cell with it (a sheet matches its sheet, row and column
metadata; a row matches its sheet, overlapping rows and every column of that sheet).
Spreadsheet metadata intersects nothing but itself.

Google stores at most 30,000 characters (key + value) of metadata per sheet (its sheet,
row and column metadata) and 30,000 for the spreadsheet's own; a batch that would go over
is rejected whole (``check_storage`` runs at the end of each batchUpdate).
"""

from __future__ import annotations

import copy
from typing import Any

from .masks import apply_mask
from .model import Spreadsheet, bad

#: Google's developer metadata storage limit (characters of keys and values)
STORAGE_LIMIT = 30_000
_UNSET = {
    None,
    "DEVELOPER_METADATA_LOCATION_TYPE_UNSPECIFIED",
    "DEVELOPER_METADATA_LOCATION_MATCHING_STRATEGY_UNSPECIFIED",
    "DEVELOPER_METADATA_VISIBILITY_UNSPECIFIED",
}


def sheet_of(meta: dict[str, Any]) -> int | None:
    """The sheet a metadata entry is on (None: the spreadsheet's own)."""
    loc = meta.get("location", {})
    if "sheetId" in loc:
        return int(loc["sheetId"])
    if "dimensionRange" in loc:
        return int(loc["dimensionRange"].get("sheetId", 0))
    return None


def _location(ss: Spreadsheet, loc: dict[str, Any], where: str) -> dict[str, Any]:
    """A request's DeveloperMetadataLocation, checked and in Google's stored shape."""
    if "sheetId" in loc:
        ss.sheet(sheet_id=loc["sheetId"])
        return {"locationType": "SHEET", "sheetId": loc["sheetId"]}
    if "dimensionRange" in loc:
        dr = dict(loc["dimensionRange"])
        sheet = ss.sheet(sheet_id=dr.get("sheetId", 0))
        dr.setdefault("sheetId", 0)
        dim = dr.get("dimension", "DIMENSION_UNSPECIFIED")
        if dim not in ("ROWS", "COLUMNS"):
            raise bad(f"Invalid {where}: the dimension range must have a dimension")
        a, b = dr.get("startIndex"), dr.get("endIndex")
        if a is None or b is None or b - a != 1:
            raise bad(
                f"Invalid {where}: The specified DimensionRange must represent a single row or "
                "column; it cannot be unbounded or span multiple rows or columns."
            )
        limit = sheet.row_count if dim == "ROWS" else sheet.col_count
        if a < 0 or b > limit:
            raise bad(f"Invalid {where}: the dimension range is outside the grid")
        return {"locationType": "ROW" if dim == "ROWS" else "COLUMN", "dimensionRange": dr}
    return {"locationType": "SPREADSHEET", "spreadsheet": True}


def create_developer_metadata(ss: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    where = "requests[0].createDeveloperMetadata"
    meta = copy.deepcopy(req.get("developerMetadata", {}))
    if meta.get("visibility") in _UNSET:
        raise bad(f"Invalid {where}: visibility must be set")
    if not meta.get("metadataKey"):
        raise bad(f"Invalid {where}: Developer metadata must always have a key specified.")
    meta["location"] = _location(ss, meta.get("location", {}), where)
    meta.setdefault("metadataId", ss.next_id())
    if any(m["metadataId"] == meta["metadataId"] for m in ss.developer_metadata):
        raise bad(
            f"Invalid {where}: Developer metadata with ID {meta['metadataId']} already exists."
        )
    ss.developer_metadata.append(meta)
    return {"createDeveloperMetadata": {"developerMetadata": copy.deepcopy(meta)}}


def update_developer_metadata(ss: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    where = "requests[0].updateDeveloperMetadata"
    found: list[dict[str, Any]] = []
    for i, f in enumerate(req.get("dataFilters", [])):
        lookup = f.get("developerMetadataLookup")
        if lookup is None:
            raise bad(f"Invalid {where}.dataFilters[{i}]: must be a developerMetadataLookup")
        found += [
            m for m in lookup_metadata(ss, lookup, f"{where}.dataFilters[{i}]") if m not in found
        ]
    new = req.get("developerMetadata", {})
    fields = req.get("fields", "")
    for m in found:
        apply_mask(m, new, fields, where)
        if "location" in new and ("location" in fields or fields.strip() == "*"):
            m["location"] = _location(ss, new["location"], where)
        if "metadataId" in fields and new.get("metadataId") != m["metadataId"]:
            raise bad(f"Invalid {where}: the metadata id cannot be changed")
    return {"updateDeveloperMetadata": {"developerMetadata": copy.deepcopy(found)}}


def delete_developer_metadata(ss: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    where = "requests[0].deleteDeveloperMetadata.dataFilter"
    lookup = req.get("dataFilter", {}).get("developerMetadataLookup")
    if lookup is None:
        raise bad(f"Invalid {where}: must be a developerMetadataLookup")
    found = lookup_metadata(ss, lookup, where)
    gone = {id(m) for m in found}
    ss.developer_metadata = [m for m in ss.developer_metadata if id(m) not in gone]
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": copy.deepcopy(found)}}


def check_lookup(lookup: dict[str, Any], where: str) -> None:
    """The combinations the reference forbids."""
    strategy = lookup.get("locationMatchingStrategy")
    kind = lookup.get("locationType")
    loc = lookup.get("metadataLocation")
    if strategy not in _UNSET and loc is None:
        raise bad(
            f"Invalid {where}.developerMetadataLookup: a metadataLocation must be specified "
            "when locationMatchingStrategy is specified"
        )
    if strategy == "EXACT_LOCATION" and kind not in _UNSET:
        raise bad(
            f"Invalid {where}.developerMetadataLookup: locationType must be left unspecified "
            "when locationMatchingStrategy is EXACT_LOCATION"
        )
    if kind == "SPREADSHEET" and (
        strategy == "INTERSECTING_LOCATION" or (loc is not None and not loc.get("spreadsheet"))
    ):
        raise bad(
            f"Invalid {where}.developerMetadataLookup: locationType cannot be SPREADSHEET with "
            "an intersecting or non-spreadsheet location: spreadsheet metadata cannot "
            "intersect any other developer metadata location"
        )


def lookup_metadata(ss: Spreadsheet, lookup: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """DeveloperMetadataLookup: every entry that matches all the criteria given."""
    check_lookup(lookup, where)
    want: dict[str, Any] = {
        k: lookup[k]
        for k in ("metadataId", "metadataKey", "metadataValue", "visibility", "locationType")
        if lookup.get(k) not in _UNSET
    }
    loc = lookup.get("metadataLocation")
    exact = lookup.get("locationMatchingStrategy") == "EXACT_LOCATION"
    out = []
    for m in ss.developer_metadata:
        if "metadataId" in want and m["metadataId"] != int(want["metadataId"]):
            continue
        if "metadataKey" in want and m.get("metadataKey") != want["metadataKey"]:
            continue
        if "metadataValue" in want and m.get("metadataValue") != want["metadataValue"]:
            continue
        if "visibility" in want and m.get("visibility") != want["visibility"]:
            continue
        if "locationType" in want and m["location"]["locationType"] != want["locationType"]:
            continue
        if loc is not None and not location_matches(m["location"], loc, exact):
            continue
        out.append(m)
    return out


def location_matches(have: dict[str, Any], want: dict[str, Any], exact: bool) -> bool:
    """Whether a stored location matches a lookup's location (EXACT or INTERSECTING)."""
    if want.get("spreadsheet"):
        return bool(have.get("spreadsheet"))
    if have.get("spreadsheet"):
        return False
    have_sheet = have.get("sheetId", have.get("dimensionRange", {}).get("sheetId", 0))
    if "sheetId" in want:
        if exact:
            return "sheetId" in have and have["sheetId"] == want["sheetId"]
        return bool(have_sheet == want["sheetId"])
    dr = want.get("dimensionRange")
    if dr is None:
        return True  # an empty location: no restriction
    if have_sheet != dr.get("sheetId", 0):
        return False
    mine = have.get("dimensionRange")
    if mine is None:  # the sheet holds the row or column
        return not exact
    a, b = dr.get("startIndex"), dr.get("endIndex")
    if exact:
        return bool(
            mine.get("dimension") == dr.get("dimension")
            and mine.get("startIndex") == a
            and mine.get("endIndex") == b
        )
    if mine.get("dimension") != dr.get("dimension"):
        return True  # a row and a column always share a cell
    lo, hi = a if a is not None else 0, b if b is not None else 1 << 62
    return bool(mine["startIndex"] < hi and lo < mine["endIndex"])


def storage(ss: Spreadsheet) -> dict[int | None, int]:
    """Characters of key + value per sheet id (None: the spreadsheet's own metadata)."""
    out: dict[int | None, int] = {}
    for m in ss.developer_metadata:
        bucket = sheet_of(m)
        out[bucket] = (
            out.get(bucket, 0) + len(m.get("metadataKey", "")) + len(m.get("metadataValue", ""))
        )
    return out


def check_storage(ss: Spreadsheet, before: dict[int | None, int], kinds: list[str]) -> None:
    """400 when a batch leaves any sheet (or the spreadsheet) over the 30,000 characters it
    may hold, unless it was already there and did not grow; names the first request that
    wrote metadata there."""
    after = storage(ss)
    for bucket, total in after.items():
        if total <= STORAGE_LIMIT or total <= before.get(bucket, 0):
            continue
        index = next(
            (
                i
                for i, k in enumerate(kinds)
                if k in ("createDeveloperMetadata", "updateDeveloperMetadata")
            ),
            0,
        )
        what = "the spreadsheet" if bucket is None else f"the sheet with id {bucket}"
        raise bad(
            f"Invalid requests[{index}].{kinds[index] if kinds else 'createDeveloperMetadata'}: "
            f"Developer metadata storage limit exceeded for {what}: {total} characters of "
            f"metadata keys and values would be associated with it, above the limit of "
            f"{STORAGE_LIMIT}."
        )
