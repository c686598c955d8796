"""``spreadsheets.get``: metadata, optional grid data for ``ranges``, and the ``fields`` mask;
plus ``developerMetadata.get`` (``.search``: ``datafilter``)."""

from __future__ import annotations

import copy
from typing import Any

from .cells import effective, render, to_extended
from .decorations import validation_at
from .masks import apply_fields, parse_mask
from .model import ApiError, Sheet, Spreadsheet


def _with_color_styles(fmt: dict[str, Any]) -> dict[str, Any]:
    """Google mirrors the old ``*Color`` fields into their ``*ColorStyle`` twins."""
    if "backgroundColor" in fmt:
        fmt.setdefault("backgroundColorStyle", {"rgbColor": fmt["backgroundColor"]})
    text = fmt.get("textFormat")
    if isinstance(text, dict) and "foregroundColor" in text:
        text.setdefault("foregroundColorStyle", {"rgbColor": text["foregroundColor"]})
    return fmt


def _grid_data(sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> dict[str, Any]:
    row_data = []
    for r in range(r0, r1):
        values = []
        for c in range(c0, c1):
            v = sheet.get(r, c)
            fmt = sheet.number_format(r, c)
            cell: dict[str, Any] = {}
            if v is not None:
                cell["userEnteredValue"] = to_extended(v)
                eff = effective(v)
                if eff is not None:
                    cell["effectiveValue"] = to_extended(eff)
                    cell["formattedValue"] = render(v, fmt, "FORMATTED_VALUE")
            user_fmt = copy.deepcopy(sheet.cell_formats.get((r, c), {}))
            for g, f in sheet.range_formats:
                if g.contains(r, c):
                    user_fmt.update(copy.deepcopy(f))
            if user_fmt:
                cell["userEnteredFormat"] = _with_color_styles(user_fmt)
            if (r, c) in sheet.notes:
                cell["note"] = sheet.notes[(r, c)]
            rule = validation_at(sheet, r, c)
            if rule:
                cell["dataValidation"] = copy.deepcopy(rule)
            values.append(cell)
        while values and not values[-1]:
            values.pop()
        row_data.append({"values": values} if values else {})
    while row_data and not row_data[-1]:
        row_data.pop()
    out: dict[str, Any] = {"rowData": row_data}
    if r0:
        out["startRow"] = r0
    if c0:
        out["startColumn"] = c0
    return out


def _extent(sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> tuple[int, int, int, int]:
    """Shrink a requested block to what holds values, formats, notes or validation."""
    used_r, used_c = sheet.used_extent(decorated=True)
    end_r, end_c = max(used_r, r0), max(used_c, c0)
    for g, _ in [*sheet.range_formats, *sheet.validations]:
        gr1 = r1 if g.r1 is None else min(g.r1, r1)
        gc1 = c1 if g.c1 is None else min(g.c1, c1)
        if (g.r0 or 0) < gr1 and (g.c0 or 0) < gc1 and gr1 > r0 and gc1 > c0:
            end_r, end_c = max(end_r, gr1), max(end_c, gc1)
    return r0, min(r1, end_r), c0, min(c1, end_c)


def sheet_json(ss: Spreadsheet, sheet: Sheet, data: list[dict[str, Any]] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"properties": copy.deepcopy(sheet.props)}
    if data is not None:
        out["data"] = data
    if sheet.merges:
        out["merges"] = [g.as_json() for g in sheet.merges]
    if sheet.conditional_formats:
        out["conditionalFormats"] = copy.deepcopy(sheet.conditional_formats)
    if sheet.protected_ranges:
        out["protectedRanges"] = copy.deepcopy(sheet.protected_ranges)
    if sheet.basic_filter:
        out["basicFilter"] = copy.deepcopy(sheet.basic_filter)
    if sheet.charts:
        out["charts"] = copy.deepcopy(sheet.charts)
    metas = [
        m
        for m in ss.developer_metadata
        if m["location"].get("sheetId") == sheet.id
        or m["location"].get("dimensionRange", {}).get("sheetId", -1) == sheet.id
    ]
    if metas:
        out["developerMetadata"] = copy.deepcopy(metas)
    return out


def spreadsheet_json(ss: Spreadsheet, params: dict[str, list[str]]) -> dict[str, Any]:
    include = (params.get("includeGridData") or ["false"])[-1].lower() == "true"
    ranges = params.get("ranges", [])
    wanted: dict[int, list[tuple[int, int, int, int]]] = {}
    for text in ranges:
        sheet, bounds = ss.resolve(text)
        r0, r1, c0, c1 = bounds.clip(sheet.row_count, sheet.col_count)
        wanted.setdefault(sheet.id, []).append((r0, r1, c0, c1))
    mask_text = (params.get("fields") or [""])[-1]
    grid_masked = "data" in mask_text
    sheets = []
    for sheet in ss.sheets:
        if ranges and sheet.id not in wanted:
            continue
        data = None
        if include or grid_masked:
            spans = wanted.get(sheet.id) or [(0, sheet.row_count, 0, sheet.col_count)]
            data = [_grid_data(sheet, *_extent(sheet, *span)) for span in spans]
        sheets.append(sheet_json(ss, sheet, data))
    out: dict[str, Any] = {
        "spreadsheetId": ss.id,
        "properties": {
            "title": ss.title,
            "locale": "en_US",
            "autoRecalc": "ON_CHANGE",
            "timeZone": "Etc/GMT",
            **copy.deepcopy(ss.properties),
        },
        "sheets": sheets,
    }
    if ss.named_ranges:
        out["namedRanges"] = copy.deepcopy(ss.named_ranges)
    spreadsheet_meta = [m for m in ss.developer_metadata if m["location"].get("spreadsheet")]
    if spreadsheet_meta:
        out["developerMetadata"] = copy.deepcopy(spreadsheet_meta)
    out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{ss.id}/edit"
    if mask_text:
        out = apply_fields(out, parse_mask(mask_text))
    return out


def metadata_get(ss: Spreadsheet, metadata_id: str) -> dict[str, Any]:
    for m in ss.developer_metadata:
        if str(m["metadataId"]) == metadata_id:
            return copy.deepcopy(m)
    raise ApiError(404, f"No developer metadata with ID: {metadata_id}")
