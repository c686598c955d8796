"""``spreadsheets.batchUpdate``: dispatch each request kind, all or nothing (a failing
request, or a batch that leaves more developer metadata than Google stores, undoes them
all)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from . import decorations as d
from . import filters
from . import metadata as m
from . import moves as mv
from . import structure as s
from .model import ApiError, Sheet, Spreadsheet, bad

Handler = Callable[[Spreadsheet, dict[str, Any]], Any]

HANDLERS: dict[str, Handler] = {
    "addSheet": s.add_sheet,
    "deleteSheet": s.delete_sheet,
    "updateSheetProperties": s.update_sheet_properties,
    "updateSpreadsheetProperties": s.update_spreadsheet_properties,
    "insertDimension": s.insert_dimension_request,
    "deleteDimension": s.delete_dimension_request,
    "appendDimension": s.append_dimension,
    "moveDimension": mv.move_dimension,
    "appendCells": s.append_cells,
    "updateCells": s.update_cells,
    "repeatCell": s.repeat_cell,
    "sortRange": mv.sort_range,
    "setDataValidation": d.set_data_validation,
    "addConditionalFormatRule": d.add_conditional_format_rule,
    "updateConditionalFormatRule": d.update_conditional_format_rule,
    "deleteConditionalFormatRule": d.delete_conditional_format_rule,
    "addChart": d.add_chart,
    "updateChartSpec": d.update_chart_spec,
    "deleteEmbeddedObject": d.delete_embedded_object,
    "addProtectedRange": d.add_protected_range,
    "updateProtectedRange": d.update_protected_range,
    "deleteProtectedRange": d.delete_protected_range,
    "createDeveloperMetadata": m.create_developer_metadata,
    "updateDeveloperMetadata": m.update_developer_metadata,
    "deleteDeveloperMetadata": m.delete_developer_metadata,
    "setBasicFilter": filters.set_basic_filter,
    "clearBasicFilter": filters.clear_basic_filter,
    "mergeCells": d.merge_cells,
    "unmergeCells": d.unmerge_cells,
    "addNamedRange": d.add_named_range,
    "deleteNamedRange": d.delete_named_range,
}
#: Requests that only change presentation the emulator does not model (widths, borders…).
ACCEPTED_NO_OP = {
    "updateDimensionProperties",
    "autoResizeDimensions",
    "updateBorders",
    "updateEmbeddedObjectPosition",
    "addBanding",
    "deleteBanding",
}
#: Requests that move or rewrite cell values (the rows need a snapshot for rollback).
TOUCHES_ROWS = {
    "insertDimension",
    "deleteDimension",
    "updateCells",
    "appendCells",
    "moveDimension",
    "repeatCell",
    "sortRange",
    "updateSheetProperties",
    "deleteSheet",
}

#: Requests that may add developer metadata characters (the storage limit is checked after)
WRITES_METADATA = {"createDeveloperMetadata", "updateDeveloperMetadata"}


def _snapshot(ss: Spreadsheet, rows: bool) -> Any:
    """Enough state to undo a failed batch; row lists are copied only when needed."""
    saved = []
    for sheet in ss.sheets:
        fields = {k: copy.deepcopy(v) for k, v in sheet.__dict__.items() if k != "rows"}
        saved.append((sheet, fields, [list(r) for r in sheet.rows] if rows else None))
    top = {k: copy.deepcopy(v) for k, v in ss.__dict__.items() if k not in ("sheets", "_ids")}
    return list(ss.sheets), saved, top


def _restore(ss: Spreadsheet, snap: Any) -> None:
    sheets, saved, top = snap
    ss.sheets = sheets
    for sheet, fields, rows in saved:
        sheet.__dict__.update(fields)
        if rows is not None:
            sheet.rows = rows
    ss.__dict__.update(top)


def batch_update(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """Apply every request in order; on any error, undo them all and report which failed."""
    requests = body.get("requests", [])
    kinds = [next(iter(r)) for r in requests]
    snap = _snapshot(ss, any(k in TOUCHES_ROWS for k in kinds))
    metadata = any(k in WRITES_METADATA for k in kinds)
    stored = m.storage(ss) if metadata else {}
    replies: list[dict[str, Any]] = []
    try:
        for i, (kind, req) in enumerate(zip(kinds, requests, strict=True)):
            try:
                if kind in ACCEPTED_NO_OP:
                    _check_sheet(ss, req[kind])
                    reply = None
                elif kind in HANDLERS:
                    reply = HANDLERS[kind](ss, req[kind])
                else:
                    raise bad(f"Invalid requests[{i}]: the emulator does not implement {kind}")
            except ApiError as exc:
                exc.message = exc.message.replace("requests[0]", f"requests[{i}]")
                raise
            replies.append(reply or {})
        if metadata:
            m.check_storage(ss, stored, kinds)
    except Exception:
        _restore(ss, snap)
        raise
    ss.applied.update(kinds)
    out: dict[str, Any] = {"spreadsheetId": ss.id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        from .getsheet import spreadsheet_json

        out["updatedSpreadsheet"] = spreadsheet_json(ss, {})
    return out


def _check_sheet(ss: Spreadsheet, req: dict[str, Any]) -> Sheet | None:
    rng = req.get("range") or req.get("dimensions") or {}
    if isinstance(rng, dict) and "sheetId" in rng:
        return ss.sheet(sheet_id=rng["sheetId"])
    return None
