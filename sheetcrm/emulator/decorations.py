"""batchUpdate requests that decorate ranges: validation, conditional formats, charts,
protection, filters, merges and named ranges (developer metadata: ``metadata``)."""

from __future__ import annotations

import copy
from typing import Any

from .masks import apply_mask
from .model import GridRange, Sheet, Spreadsheet, bad


def _sheet_of(ss: Spreadsheet, rng: dict[str, Any]) -> tuple[Sheet, GridRange]:
    g = GridRange.from_json(rng)
    sheet = ss.sheet(sheet_id=g.sheet_id)
    r1 = sheet.row_count if g.r1 is None else g.r1
    c1 = sheet.col_count if g.c1 is None else g.c1
    if r1 > sheet.row_count or c1 > sheet.col_count:
        raise bad(
            f"Invalid requests[0]: Range exceeds grid limits. Max rows: {sheet.row_count}, "
            f"max columns: {sheet.col_count}"
        )
    return sheet, g


def set_data_validation(ss: Spreadsheet, req: dict[str, Any]) -> None:
    sheet, g = _sheet_of(ss, req.get("range", {}))
    rule = req.get("rule")
    if rule:
        cond = rule.get("condition", {})
        if cond.get("type") == "ONE_OF_LIST" and not cond.get("values"):
            raise bad("Invalid requests[0].setDataValidation: ONE_OF_LIST needs at least one value")
    sheet.validations.append((g, copy.deepcopy(rule) if rule else {}))


def validation_at(sheet: Sheet, r: int, c: int) -> dict[str, Any] | None:
    for g, rule in reversed(sheet.validations):
        if g.contains(r, c):
            return rule or None
    return None


def _rule_sheet(ss: Spreadsheet, rule: dict[str, Any]) -> Sheet:
    ranges = rule.get("ranges") or []
    if not ranges:
        raise bad("Invalid requests[0].addConditionalFormatRule: rule must have a range")
    ids = {r.get("sheetId", 0) for r in ranges}
    if len(ids) != 1:
        raise bad("Invalid requests[0]: all ranges of a rule must be on the same sheet")
    for rng in ranges:
        _sheet_of(ss, rng)
    return ss.sheet(sheet_id=ids.pop())


def add_conditional_format_rule(ss: Spreadsheet, req: dict[str, Any]) -> None:
    rule = copy.deepcopy(req.get("rule", {}))
    if not rule.get("booleanRule") and not rule.get("gradientRule"):
        raise bad("Invalid requests[0].addConditionalFormatRule: rule must be boolean or gradient")
    sheet = _rule_sheet(ss, rule)
    index = req.get("index", 0)
    sheet.conditional_formats.insert(min(index, len(sheet.conditional_formats)), rule)


def update_conditional_format_rule(ss: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    sheet = ss.sheet(sheet_id=req.get("sheetId", 0))
    index = req.get("index", 0)
    if index >= len(sheet.conditional_formats):
        raise bad(
            "Invalid requests[0].updateConditionalFormatRule: "
            f"No conditional format on sheet: {sheet.id} at index: {index}"
        )
    old = sheet.conditional_formats[index]
    if "rule" in req:
        sheet.conditional_formats[index] = copy.deepcopy(req["rule"])
    if "newIndex" in req:
        rule = sheet.conditional_formats.pop(index)
        sheet.conditional_formats.insert(req["newIndex"], rule)
    return {
        "updateConditionalFormatRule": {
            "oldIndex": index,
            "oldRule": old,
            "newIndex": req.get("newIndex", index),
            "newRule": req.get("rule", old),
        }
    }


def delete_conditional_format_rule(ss: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    sheet = ss.sheet(sheet_id=req.get("sheetId", 0))
    index = req.get("index", 0)
    if index >= len(sheet.conditional_formats):
        raise bad(
            "Invalid requests[0].deleteConditionalFormatRule: "
            f"No conditional format on sheet: {sheet.id} at index: {index}"
        )
    rule = sheet.conditional_formats.pop(index)
    return {"deleteConditionalFormatRule": {"rule": rule}}


def add_chart(ss: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    chart = copy.deepcopy(req.get("chart", {}))
    chart.setdefault("chartId", ss.next_id())
    if any(c["chartId"] == chart["chartId"] for s in ss.sheets for c in s.charts):
        raise bad(
            f"Invalid requests[0].addChart: An object with id {chart['chartId']} already exists."
        )
    pos = chart.get("position", {})
    if "newSheet" in pos:
        sheet = ss.add_sheet({"title": f"Chart{len(ss.sheets) + 1}"})
        sheet.props["sheetType"] = "OBJECT"
        chart["position"] = {"sheetId": sheet.id}
    elif "overlayPosition" in pos:
        sheet = ss.sheet(sheet_id=pos["overlayPosition"].get("anchorCell", {}).get("sheetId", 0))
    else:
        sheet = ss.sheet(sheet_id=pos.get("sheetId", 0))
    sheet.charts.append(chart)
    return {"addChart": {"chart": chart}}


def _find_chart(ss: Spreadsheet, chart_id: int) -> tuple[Sheet, dict[str, Any]]:
    for s in ss.sheets:
        for c in s.charts:
            if c["chartId"] == chart_id:
                return s, c
    raise bad(f"Invalid requests[0]: No chart with id: {chart_id}")


def update_chart_spec(ss: Spreadsheet, req: dict[str, Any]) -> None:
    _, chart = _find_chart(ss, req.get("chartId", -1))
    chart["spec"] = copy.deepcopy(req.get("spec", {}))


def delete_embedded_object(ss: Spreadsheet, req: dict[str, Any]) -> None:
    sheet, chart = _find_chart(ss, req.get("objectId", -1))
    sheet.charts.remove(chart)


def add_protected_range(ss: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    pr = copy.deepcopy(req.get("protectedRange", {}))
    if "range" in pr:
        sheet, _ = _sheet_of(ss, pr["range"])
    elif "namedRangeId" in pr:
        raise bad("Invalid requests[0].addProtectedRange: named range protection is not emulated")
    else:
        raise bad("Invalid requests[0].addProtectedRange: range must be set")
    pr.setdefault("protectedRangeId", ss.next_id())
    pr.setdefault("requestingUserCanEdit", True)
    pr.setdefault("editors", {"users": ["emulator@example.com"]})
    sheet.protected_ranges.append(pr)
    return {"addProtectedRange": {"protectedRange": pr}}


def _find_protected(ss: Spreadsheet, pid: int) -> tuple[Sheet, dict[str, Any]]:
    for s in ss.sheets:
        for pr in s.protected_ranges:
            if pr["protectedRangeId"] == pid:
                return s, pr
    raise bad(f"Invalid requests[0]: No protected range with id: {pid}")


def update_protected_range(ss: Spreadsheet, req: dict[str, Any]) -> None:
    new = req.get("protectedRange", {})
    _, pr = _find_protected(ss, new.get("protectedRangeId", -1))
    apply_mask(pr, new, req.get("fields", ""), "requests[0].updateProtectedRange")


def delete_protected_range(ss: Spreadsheet, req: dict[str, Any]) -> None:
    sheet, pr = _find_protected(ss, req.get("protectedRangeId", -1))
    sheet.protected_ranges.remove(pr)


def merge_cells(ss: Spreadsheet, req: dict[str, Any]) -> None:
    sheet, g = _sheet_of(ss, req.get("range", {}))
    sheet.merges.append(g)


def unmerge_cells(ss: Spreadsheet, req: dict[str, Any]) -> None:
    sheet, g = _sheet_of(ss, req.get("range", {}))
    sheet.merges = [m for m in sheet.merges if m.as_json() != g.as_json()]


def add_named_range(ss: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    nr = copy.deepcopy(req.get("namedRange", {}))
    _sheet_of(ss, nr.get("range", {}))
    nr.setdefault("namedRangeId", f"nr{ss.next_id()}")
    ss.named_ranges.append(nr)
    return {"addNamedRange": {"namedRange": nr}}


def delete_named_range(ss: Spreadsheet, req: dict[str, Any]) -> None:
    before = len(ss.named_ranges)
    ss.named_ranges = [n for n in ss.named_ranges if n["namedRangeId"] != req.get("namedRangeId")]
    if len(ss.named_ranges) == before:
        raise bad(
            "Invalid requests[0].deleteNamedRange: "
            f"No named range with id {req.get('namedRangeId')}"
        )
