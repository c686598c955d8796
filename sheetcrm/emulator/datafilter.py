"""DataFilters and the routes that take them: ``values:batchGetByDataFilter``,
``values:batchUpdateByDataFilter``, ``values:batchClearByDataFilter``,
``spreadsheets.getByDataFilter`` and ``developerMetadata.search``.

What a filter selects (every range bounded to its sheet's grid):

- ``a1Range``: that range; ``gridRange``: that grid range.
- ``developerMetadataLookup``: the location of every metadata entry it matches (see
  ``metadata``): a ROW entry selects its whole row (every column, so values are written
  from column A), a COLUMN entry its whole column, a SHEET entry the whole sheet. A
  SPREADSHEET entry selects no range.

Choices where Google's reference is silent, made here and relied on by tests:

- A filter that matches nothing yields no entry: batchGet returns no MatchedValueRange for
  it, batchUpdate writes nothing for it and it is absent from ``responses``, batchClear
  clears nothing. Empty lists and zero totals are left out of a response, as proto3 JSON
  leaves them out (no ``responses`` key when nothing matched).
- batchGet answers each distinct range once, in the order first matched; its
  ``dataFilters`` lists every request filter that selected it, in request order.
  ``developerMetadata.search`` does the same per metadata entry; there an a1Range or
  gridRange filter finds the metadata on every location that intersects its range (the
  sheet's own, overlapping rows and columns), as the reference says.
- An update filter that matches several ranges writes its values to each (the reference
  says so) and has one response per range, each naming the filter.
- Values are checked before anything is written: data that does not fit a matched range,
  or a cell over 50,000 characters, fails the whole request.
- ``updatedRows``/``updatedColumns``/``updatedCells`` count only cells actually written
  (a JSON ``null`` skips a cell, ``""`` clears it); ``updatedRange`` spans the values
  given, from the matched range's first cell; ``updatedData`` is the whole matched range
  after the write, read with ``responseValueRenderOption``.
"""

from __future__ import annotations

import copy
from typing import Any

from .a1 import format_range
from .getsheet import spreadsheet_json
from .metadata import location_matches, lookup_metadata
from .model import GridRange, Sheet, Spreadsheet, bad
from .valueops import check_cell_sizes, orient, read_block, write_cells

#: (sheet, r0, r1, c0, c1): a concrete, grid-bounded block of one sheet
Block = tuple[Sheet, int, int, int, int]


def _key(block: Block) -> tuple[int, int, int, int, int]:
    sheet, r0, r1, c0, c1 = block
    return sheet.id, r0, r1, c0, c1


def matched_blocks(ss: Spreadsheet, flt: dict[str, Any], where: str) -> list[Block]:
    """The blocks one DataFilter selects (in spreadsheet order for metadata)."""
    if "a1Range" in flt:
        sheet, bounds = ss.resolve(flt["a1Range"])
        return [(sheet, *bounds.clip(sheet.row_count, sheet.col_count))]
    if "gridRange" in flt:
        g = GridRange.from_json(flt["gridRange"])
        sheet = ss.sheet(sheet_id=g.sheet_id)
        return [_grid_block(sheet, g)]
    if "developerMetadataLookup" in flt:
        out: list[Block] = []
        for m in lookup_metadata(ss, flt["developerMetadataLookup"], where):
            block = _metadata_block(ss, m)
            if block is not None and _key(block) not in {_key(b) for b in out}:
                out.append(block)
        return out
    raise bad(
        f"Invalid {where}: a data filter must set a1Range, gridRange or developerMetadataLookup"
    )


def _grid_block(sheet: Sheet, g: GridRange) -> Block:
    r1 = sheet.row_count if g.r1 is None else min(g.r1, sheet.row_count)
    c1 = sheet.col_count if g.c1 is None else min(g.c1, sheet.col_count)
    r0, c0 = g.r0 or 0, g.c0 or 0
    return sheet, r0, max(r0, r1), c0, max(c0, c1)


def _metadata_block(ss: Spreadsheet, meta: dict[str, Any]) -> Block | None:
    loc = meta["location"]
    if "sheetId" in loc:
        sheet = ss.sheet(sheet_id=loc["sheetId"])
        return sheet, 0, sheet.row_count, 0, sheet.col_count
    dr = loc.get("dimensionRange")
    if dr is None:
        return None  # spreadsheet-level metadata selects no cells
    sheet = ss.sheet(sheet_id=dr.get("sheetId", 0))
    a, b = dr["startIndex"], dr["endIndex"]
    if dr.get("dimension") == "ROWS":
        return sheet, a, b, 0, sheet.col_count
    return sheet, 0, sheet.row_count, a, b


def _echo(block: Block) -> str:
    sheet, r0, r1, c0, c1 = block
    return format_range(sheet.title, r0, r1, c0, c1)


def _render_options(body: dict[str, Any], prefix: str = "") -> tuple[str, str, str]:
    def opt(name: str, default: str) -> str:
        key = prefix + (name[0].upper() + name[1:] if prefix else name)
        return str(body.get(key) or default)

    major = str(body.get("majorDimension") or "ROWS")
    if major == "DIMENSION_UNSPECIFIED":
        major = "ROWS"
    return (
        opt("valueRenderOption", "FORMATTED_VALUE"),
        opt("dateTimeRenderOption", "SERIAL_NUMBER"),
        major,
    )


def batch_get(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    option, dates, major = _render_options(body)
    found: dict[tuple[int, int, int, int, int], tuple[Block, list[dict[str, Any]]]] = {}
    for i, flt in enumerate(body.get("dataFilters", [])):
        for block in matched_blocks(ss, flt, f"dataFilters[{i}]"):
            entry = found.setdefault(_key(block), (block, []))
            entry[1].append(copy.deepcopy(flt))
    ranges = [
        {"valueRange": read_block(*block, option, dates, major), "dataFilters": filters}
        for block, filters in found.values()
    ]
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if ranges:
        out["valueRanges"] = ranges
    return out


def _input_option(body: dict[str, Any]) -> str:
    option = body.get("valueInputOption") or ""
    if option in ("", "INPUT_VALUE_OPTION_UNSPECIFIED"):
        raise bad("'valueInputOption' is required but not specified")
    return str(option)


def _fit(block: Block, values: list[list[Any]], where: str) -> None:
    _, r0, r1, c0, c1 = block
    if len(values) > r1 - r0:
        raise bad(
            f"Invalid {where}: dataFilterValueRange.dataFilter matched range {_absolute(block)} "
            "whose rows cannot fit the data described in data.values"
        )
    for i, row in enumerate(values):
        if len(row) > c1 - c0:
            raise bad(
                f"Invalid {where}: dataFilterValueRange.dataFilter matched range "
                f"{_absolute(block)} whose columns cannot fit the data described in "
                f"data.values[{i}]"
            )


def _absolute(block: Block) -> str:
    """Google names the matched range in $A$1 style in this message."""
    sheet, r0, r1, c0, c1 = block
    name, _, cells = format_range(sheet.title, r0, r1, c0, c1).rpartition("!")
    parts = []
    for ref in cells.split(":"):
        letters = "".join(ch for ch in ref if ch.isalpha())
        parts.append(f"${letters}${ref[len(letters) :]}")
    return f"{name}!{':'.join(parts)}"


def batch_update(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    input_option = _input_option(body)
    option, dates, _ = _render_options(body, "response")
    include = bool(body.get("includeValuesInResponse"))
    plan: list[tuple[dict[str, Any], Block, list[list[Any]]]] = []
    for i, item in enumerate(body.get("data", [])):
        where = f"dataFilterValueRange[{i}]"
        flt = item.get("dataFilter")
        if not flt:
            raise bad(f"Invalid data[{i}].dataFilter: must be set")
        values = orient(item.get("values", []), item.get("majorDimension"))
        check_cell_sizes(values)
        for block in matched_blocks(ss, flt, f"data[{i}].dataFilter"):
            _fit(block, values, where)
            plan.append((flt, block, values))
    responses = []
    for flt, block, values in plan:  # everything was checked: now write, in order
        sheet, r0, _, c0, _ = block
        rows, cols, cells = write_cells(sheet, r0, c0, values, input_option)
        entry: dict[str, Any] = {"dataFilter": copy.deepcopy(flt)}
        height, width = len(values), max((len(r) for r in values), default=0)
        if cells:
            entry.update(
                updatedRange=format_range(sheet.title, r0, r0 + height, c0, c0 + width),
                updatedRows=rows,
                updatedColumns=cols,
                updatedCells=cells,
            )
        responses.append((block, entry))
    if include:  # after all the writes: a later range may overlap an earlier one
        for block, entry in responses:
            entry["updatedData"] = read_block(*block, option, dates, "ROWS")
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    totals = {
        "totalUpdatedRows": sum(e.get("updatedRows", 0) for _, e in responses),
        "totalUpdatedColumns": sum(e.get("updatedColumns", 0) for _, e in responses),
        "totalUpdatedCells": sum(e.get("updatedCells", 0) for _, e in responses),
        "totalUpdatedSheets": len({b[0].id for b, e in responses if e.get("updatedCells")}),
    }
    out |= {k: v for k, v in totals.items() if v}
    if responses:
        out["responses"] = [e for _, e in responses]
    return out


def batch_clear(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    blocks: dict[tuple[int, int, int, int, int], Block] = {}
    for i, flt in enumerate(body.get("dataFilters", [])):
        for block in matched_blocks(ss, flt, f"dataFilters[{i}]"):
            blocks.setdefault(_key(block), block)
    for sheet, r0, r1, c0, c1 in blocks.values():
        for r in range(r0, min(r1, len(sheet.rows))):
            row = sheet.rows[r]
            for c in range(c0, min(c1, len(row))):
                row[c] = None
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if blocks:
        out["clearedRanges"] = [_echo(b) for b in blocks.values()]
    return out


def get_spreadsheet(
    ss: Spreadsheet, body: dict[str, Any], params: dict[str, list[str]]
) -> dict[str, Any]:
    """The spreadsheet limited to the sheets (and, with includeGridData, the cells) the
    filters select; with filters that select nothing, no sheets."""
    ranges: list[str] = []
    for i, flt in enumerate(body.get("dataFilters", [])):
        ranges += [_echo(b) for b in matched_blocks(ss, flt, f"dataFilters[{i}]")]
    query = {k: v for k, v in params.items() if k == "fields"}
    query["includeGridData"] = ["true" if body.get("includeGridData") else "false"]
    if ranges:
        query["ranges"] = list(dict.fromkeys(ranges))
    out = spreadsheet_json(ss, query)
    if body.get("dataFilters") and not ranges:
        out.pop("sheets", None)
    return out


def search_metadata(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """developerMetadata.search: each entry once, with every filter that found it."""
    found: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for i, flt in enumerate(body.get("dataFilters", [])):
        where = f"dataFilters[{i}]"
        if "developerMetadataLookup" in flt:
            metas = lookup_metadata(ss, flt["developerMetadataLookup"], where)
        else:
            metas = [m for b in matched_blocks(ss, flt, where) for m in _on_block(ss, b)]
        for m in metas:
            found.setdefault(id(m), (m, []))[1].append(copy.deepcopy(flt))
    matched = [
        {"developerMetadata": copy.deepcopy(m), "dataFilters": filters}
        for m, filters in found.values()
    ]
    return {"matchedDeveloperMetadata": matched} if matched else {}


def _on_block(ss: Spreadsheet, block: Block) -> list[dict[str, Any]]:
    """Metadata whose location shares a cell with the block."""
    sheet, r0, r1, c0, c1 = block
    rows = {"sheetId": sheet.id, "dimension": "ROWS", "startIndex": r0, "endIndex": r1}
    cols = {"sheetId": sheet.id, "dimension": "COLUMNS", "startIndex": c0, "endIndex": c1}
    out = []
    for m in ss.developer_metadata:
        loc = m["location"]
        dr = loc.get("dimensionRange")
        if dr is None:
            if loc.get("sheetId") == sheet.id and r0 < r1 and c0 < c1:
                out.append(m)
            continue
        want = rows if dr.get("dimension") == "ROWS" else cols
        if location_matches(loc, {"dimensionRange": want}, exact=False) and r0 < r1 and c0 < c1:
            out.append(m)
    return out
