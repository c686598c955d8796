"""The basic filter of a tab on Google Sheets: read from ``spreadsheets.get`` into an
``AutoFilter``, and the ``setBasicFilter`` request that puts one over the header row and
every data row.

The range has no end row, so rows appended later are inside it; Google may report it
bounded by the grid, which ``AutoFilter.covers`` accepts while it reaches the last data
row. ``setBasicFilter`` replaces a whole filter, so the criteria and sort a teammate set
travel in ``AutoFilter.keep`` and are sent again with the new range."""

from __future__ import annotations

import json
from typing import Any

from sheetcrm.model.grid import AutoFilter, HeaderMap

#: The parts of a basic filter that are a person's choices, not its place.
_CHOICES = ("filterSpecs", "criteria", "sortSpecs")


def read_filter(sheet: dict[str, Any]) -> AutoFilter | None:
    flt = sheet.get("basicFilter")
    if not flt:
        return None
    rng = flt.get("range", {})
    choices = {k: flt[k] for k in _CHOICES if flt.get(k)}
    return AutoFilter(
        rng.get("startRowIndex", 0),
        rng.get("endRowIndex"),
        rng.get("startColumnIndex", 0),
        rng.get("endColumnIndex"),
        json.dumps(choices, sort_keys=True) if choices else "",
    )


def filter_request(flt: AutoFilter, sheet_id: int, hm: HeaderMap) -> dict[str, Any]:
    """``setBasicFilter`` over row 1 down and every column of the header (including
    columns this apply adds), with the kept criteria and sort."""
    width = max(
        [flt.end_col or 0, *(i + 1 for i in hm.columns.values()), *(i + 1 for i in hm.foreign)]
    )
    body: dict[str, Any] = {
        "range": {
            "sheetId": sheet_id,
            "startRowIndex": 0,
            "startColumnIndex": 0,
            "endColumnIndex": width,
        }
    }
    if flt.keep:
        kept = json.loads(flt.keep)
        if "filterSpecs" in kept:
            kept.pop("criteria", None)  # the same choices twice: filterSpecs wins anyway
        body.update(kept)
    return {"setBasicFilter": {"filter": body}}
