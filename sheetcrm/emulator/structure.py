"""batchUpdate requests that change a sheet's shape or cells: sheets, dimensions, sorting,
updateCells, appendCells and repeatCell. Inserting or deleting rows moves everything
anchored to them (moving and sorting rows: ``moves``)."""

from __future__ import annotations

import copy
from typing import Any

from . import filters
from .cells import from_extended
from .masks import apply_mask, mask_paths
from .model import GridRange, Sheet, Spreadsheet, bad
from .valueops import CELL_CHARS, CELL_TOO_LONG

# -- sheets ------------------------------------------------------------------------------


def add_sheet(ss: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    sheet = ss.add_sheet(req.get("properties"))
    return {"addSheet": {"properties": copy.deepcopy(sheet.props)}}


def delete_sheet(ss: Spreadsheet, req: dict[str, Any]) -> None:
    sheet = ss.sheet(sheet_id=req.get("sheetId", 0))
    if len(ss.sheets) == 1:
        raise bad("Invalid requests[0].deleteSheet: You can't remove all the sheets in a document.")
    ss.sheets.remove(sheet)
    ss.developer_metadata = [m for m in ss.developer_metadata if _meta_sheet(m) != sheet.id]
    ss.reindex()


def _meta_sheet(meta: dict[str, Any]) -> int | None:
    loc = meta.get("location", {})
    if "sheetId" in loc:
        return int(loc["sheetId"])
    if "dimensionRange" in loc:
        return int(loc["dimensionRange"].get("sheetId", 0))
    return None


def update_sheet_properties(ss: Spreadsheet, req: dict[str, Any]) -> None:
    props = req.get("properties", {})
    sheet = ss.sheet(sheet_id=props.get("sheetId", 0))
    new = copy.deepcopy(sheet.props)
    apply_mask(new, props, req.get("fields", ""), "requests[0].updateSheetProperties")
    new["sheetId"] = sheet.id
    if new.get("hidden") and all(s.props.get("hidden") for s in ss.sheets if s is not sheet):
        raise bad(
            "Invalid requests[0].updateSheetProperties: You can't hide all the sheets in a "
            "document."
        )
    title = new.get("title", sheet.title)
    if any(s is not sheet and s.title.casefold() == title.casefold() for s in ss.sheets):
        raise bad(f'A sheet with the name "{title}" already exists. Please enter another name.')
    grid = new.get("gridProperties", {})
    for key in ("rowCount", "columnCount"):
        if grid.get(key, 1) < 1:
            raise bad(f"Invalid requests[0].updateSheetProperties: {key} must be positive")
    if grid.get("frozenRowCount", 0) >= grid.get("rowCount", 1 << 30):
        raise bad(
            "Invalid requests[0].updateSheetProperties: "
            "You can't freeze all visible rows on the sheet."
        )
    _truncate(
        sheet, grid.get("rowCount", sheet.row_count), grid.get("columnCount", sheet.col_count)
    )
    sheet.props = new
    if ("index" in props and "index" in req.get("fields", "")) or req.get("fields") == "*":
        ss.sheets.remove(sheet)
        ss.sheets.insert(min(int(new.get("index", 0)), len(ss.sheets)), sheet)
    ss.reindex()
    ss.check_cells()


def _truncate(sheet: Sheet, rows: int, cols: int) -> None:
    del sheet.rows[rows:]
    for row in sheet.rows:
        del row[cols:]


def update_spreadsheet_properties(ss: Spreadsheet, req: dict[str, Any]) -> None:
    props = {"title": ss.title, **ss.properties}
    apply_mask(
        props,
        req.get("properties", {}),
        req.get("fields", ""),
        "requests[0].updateSpreadsheetProperties",
    )
    ss.title = props.pop("title", ss.title)
    ss.properties = props


# -- dimensions --------------------------------------------------------------------------


def insert_dimension(ss: Spreadsheet, sheet: Sheet, dim: str, start: int, end: int) -> None:
    count = end - start
    if count <= 0:
        raise bad("Invalid requests[0].insertDimension: endIndex must be greater than startIndex")
    limit = sheet.row_count if dim == "ROWS" else sheet.col_count
    if start > limit:
        raise bad(f"Invalid requests[0].insertDimension: range start {start} is beyond the grid")
    key = "rowCount" if dim == "ROWS" else "columnCount"
    sheet.props["gridProperties"][key] += count
    ss.check_cells()
    if dim == "ROWS":
        sheet.rows[start:start] = [[] for _ in range(count)] if start <= len(sheet.rows) else []
    else:
        for row in sheet.rows:
            if len(row) > start:
                row[start:start] = [None] * count
    _rekey_cells(sheet, dim, start, count)
    _move_anchors(ss, sheet, dim, start, count)


def _rekey_cells(sheet: Sheet, dim: str, start: int, count: int) -> None:
    """Move per-cell formats and notes for an insertion (count>0) or deletion (<0)."""
    end = start - count if count < 0 else start
    axis = 0 if dim == "ROWS" else 1

    def move(key: tuple[int, int]) -> tuple[int, int] | None:
        pos = key[axis]
        if count < 0 and start <= pos < end:
            return None
        if (count > 0 and pos >= start) or (count < 0 and pos >= end):
            pos += count
        return (pos, key[1]) if axis == 0 else (key[0], pos)

    for store in ("cell_formats", "notes"):
        old = getattr(sheet, store)
        new = {}
        for key, value in old.items():
            moved = move(key)
            if moved is not None:
                new[moved] = value
        setattr(sheet, store, new)


def delete_dimension(ss: Spreadsheet, sheet: Sheet, dim: str, start: int, end: int) -> None:
    count = end - start
    limit = sheet.row_count if dim == "ROWS" else sheet.col_count
    if count <= 0 or end > limit:
        raise bad("Invalid requests[0].deleteDimension: the range is outside the grid")
    if count >= limit:
        raise bad(
            "Invalid requests[0].deleteDimension: You can't delete all the rows on the sheet."
        )
    key = "rowCount" if dim == "ROWS" else "columnCount"
    sheet.props["gridProperties"][key] -= count
    if dim == "ROWS":
        del sheet.rows[start:end]
    else:
        for row in sheet.rows:
            del row[start:end]
    _rekey_cells(sheet, dim, start, -count)
    _move_anchors(ss, sheet, dim, start, -count)


def _move_anchors(ss: Spreadsheet, sheet: Sheet, dim: str, start: int, count: int) -> None:
    sheet.range_formats = [(g, f) for g, f in sheet.range_formats if g.shift(dim, start, count)]
    sheet.validations = [(g, v) for g, v in sheet.validations if g.shift(dim, start, count)]
    sheet.merges = [g for g in sheet.merges if g.shift(dim, start, count)]
    for rule in list(sheet.conditional_formats):
        kept = []
        for rng in rule.get("ranges", []):
            g = GridRange.from_json(rng)
            if g.shift(dim, start, count):
                kept.append(g.as_json())
        rule["ranges"] = kept
        if not kept:
            sheet.conditional_formats.remove(rule)
    for pr in list(sheet.protected_ranges):
        if "range" in pr:
            g = GridRange.from_json(pr["range"])
            if g.shift(dim, start, count):
                pr["range"] = g.as_json()
            else:
                sheet.protected_ranges.remove(pr)
    filters.shift(sheet, dim, start, count)
    for meta in list(ss.developer_metadata):
        dr = meta.get("location", {}).get("dimensionRange")
        if dr and dr.get("sheetId", 0) == sheet.id and dr.get("dimension") == dim:
            a, b = dr.get("startIndex"), dr.get("endIndex")
            g = (
                GridRange(sheet.id, a, b)
                if dim == "ROWS"
                else GridRange(sheet.id, None, None, a, b)
            )
            if not g.shift(dim, start, count):
                ss.developer_metadata.remove(meta)
                continue
            lo, hi = (g.r0, g.r1) if dim == "ROWS" else (g.c0, g.c1)
            dr["startIndex"], dr["endIndex"] = lo, hi


def _dimension_range(ss: Spreadsheet, req: dict[str, Any]) -> tuple[Sheet, str, int, int]:
    rng = req.get("range", {})
    sheet = ss.sheet(sheet_id=rng.get("sheetId", 0))
    dim = rng.get("dimension", "ROWS")
    if dim not in ("ROWS", "COLUMNS"):
        raise bad("Invalid requests[0]: dimension must be ROWS or COLUMNS")
    limit = sheet.row_count if dim == "ROWS" else sheet.col_count
    return sheet, dim, rng.get("startIndex", 0), rng.get("endIndex", limit)


def insert_dimension_request(ss: Spreadsheet, req: dict[str, Any]) -> None:
    sheet, dim, start, end = _dimension_range(ss, req)
    insert_dimension(ss, sheet, dim, start, end)


def delete_dimension_request(ss: Spreadsheet, req: dict[str, Any]) -> None:
    sheet, dim, start, end = _dimension_range(ss, req)
    delete_dimension(ss, sheet, dim, start, end)


def append_dimension(ss: Spreadsheet, req: dict[str, Any]) -> None:
    sheet = ss.sheet(sheet_id=req.get("sheetId", 0))
    key = "rowCount" if req.get("dimension") == "ROWS" else "columnCount"
    old_rows = sheet.row_count
    sheet.props["gridProperties"][key] += int(req.get("length", 0))
    ss.check_cells()
    filters.grew(sheet, old_rows)


# -- cells -------------------------------------------------------------------------------


def grid_bounds(sheet: Sheet, g: GridRange) -> tuple[int, int, int, int]:
    r0, c0 = g.r0 or 0, g.c0 or 0
    r1 = sheet.row_count if g.r1 is None else g.r1
    c1 = sheet.col_count if g.c1 is None else g.c1
    if r1 > sheet.row_count or c1 > sheet.col_count or r0 < 0 or c0 < 0:
        raise bad(
            f"Invalid requests[0]: Range exceeds grid limits. Max rows: {sheet.row_count}, "
            f"max columns: {sheet.col_count}"
        )
    return r0, r1, c0, c1


def _set_cell_data(sheet: Sheet, r: int, c: int, data: dict[str, Any], fields: str) -> None:
    mask = {p[0] for p in mask_paths(fields)} if fields.strip() != "*" else None
    if mask is None or "userEnteredValue" in mask:
        sheet.set(r, c, from_extended(data.get("userEnteredValue", {})))
    if (
        mask is None
        or "userEnteredFormat" in mask
        or any(m.startswith("userEnteredFormat") for m in (mask or ()))
    ):
        fmt = sheet.cell_formats.get((r, c), {})
        new = copy.deepcopy(fmt)
        sub = ",".join(
            ".".join(p[1:])
            for p in mask_paths(fields)
            if p[0] == "userEnteredFormat" and len(p) > 1
        )
        apply_mask(new, data.get("userEnteredFormat", {}), sub or "*", "updateCells")
        if new:
            sheet.cell_formats[(r, c)] = new
        else:
            sheet.cell_formats.pop((r, c), None)
    if mask is None or "note" in mask:
        if data.get("note"):
            sheet.notes[(r, c)] = data["note"]
        else:
            sheet.notes.pop((r, c), None)
    if mask is None or "dataValidation" in mask:
        rule = data.get("dataValidation")
        g = GridRange(sheet.id, r, r + 1, c, c + 1)
        sheet.validations.append((g, rule or {}))


def update_cells(ss: Spreadsheet, req: dict[str, Any]) -> None:
    fields = req.get("fields", "")
    if not fields:
        raise bad(
            "Invalid requests[0].updateCells: At least one field must be updated, "
            "but none specified."
        )
    if "start" in req:
        start = req["start"]
        sheet = ss.sheet(sheet_id=start.get("sheetId", 0))
        r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
        r1, c1 = sheet.row_count, sheet.col_count
    else:
        g = GridRange.from_json(req.get("range", {}))
        sheet = ss.sheet(sheet_id=g.sheet_id)
        r0, r1, c0, c1 = grid_bounds(sheet, g)
    rows = req.get("rows", [])
    if r0 + len(rows) > sheet.row_count:
        raise bad("Invalid requests[0].updateCells: rows exceed the grid")
    _check_lengths(rows)
    for dr, row in enumerate(rows):
        for dc, data in enumerate(row.get("values", [])):
            if r0 + dr < r1 and c0 + dc < min(c1, sheet.col_count):
                _set_cell_data(sheet, r0 + dr, c0 + dc, data, fields)


def _check_lengths(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        for data in row.get("values", []):
            ev = data.get("userEnteredValue", {})
            text = ev.get("stringValue", ev.get("formulaValue"))
            if isinstance(text, str) and len(text) > CELL_CHARS:
                raise bad(CELL_TOO_LONG)


def append_cells(ss: Spreadsheet, req: dict[str, Any]) -> None:
    """Google's appendCells: the rows go after the last row with a value, from column A;
    the grid grows by the rows needed (a row wider than the grid is refused)."""
    fields = req.get("fields", "")
    if not fields:
        raise bad(
            "Invalid requests[0].appendCells: At least one field must be updated, "
            "but none specified."
        )
    if "tableId" in req:
        raise bad("Invalid requests[0].appendCells: tables are not emulated")
    sheet = ss.sheet(sheet_id=req.get("sheetId", 0))
    rows = req.get("rows", [])
    _check_lengths(rows)
    width = max((len(r.get("values", [])) for r in rows), default=0)
    if width > sheet.col_count:
        raise bad(
            f"Invalid requests[0].appendCells: Range exceeds grid limits. Max rows: "
            f"{sheet.row_count}, max columns: {sheet.col_count}"
        )
    start, _ = sheet.used_extent()
    grow = start + len(rows) - sheet.row_count
    if grow > 0:
        sheet.props["gridProperties"]["rowCount"] += grow
        ss.check_cells()
        filters.grew(sheet, sheet.row_count - grow)
    for dr, row in enumerate(rows):
        for dc, data in enumerate(row.get("values", [])):
            _set_cell_data(sheet, start + dr, dc, data, fields)


def repeat_cell(ss: Spreadsheet, req: dict[str, Any]) -> None:
    g = GridRange.from_json(req.get("range", {}))
    sheet = ss.sheet(sheet_id=g.sheet_id)
    grid_bounds(sheet, g)
    fields = req.get("fields", "")
    if not fields:
        raise bad(
            "Invalid requests[0].repeatCell: At least one field must be updated, "
            "but none specified."
        )
    cell = req.get("cell", {})
    paths = mask_paths(fields)
    if fields.strip() == "*" or any(p[0] == "userEnteredFormat" for p in paths):
        sub = ",".join(".".join(p[1:]) for p in paths if p[0] == "userEnteredFormat" and len(p) > 1)
        fmt: dict[str, Any] = {}
        apply_mask(fmt, cell.get("userEnteredFormat", {}), sub or "*", "repeatCell")
        sheet.range_formats.append((g, fmt))
    if fields.strip() == "*" or any(p[0] == "userEnteredValue" for p in paths):
        r0, r1, c0, c1 = grid_bounds(sheet, g)
        value = from_extended(cell.get("userEnteredValue", {}))
        for r in range(r0, r1):
            for c in range(c0, c1):
                sheet.set(r, c, value)
    if any(p[0] == "dataValidation" for p in paths):
        sheet.validations.append((g, cell.get("dataValidation") or {}))
