"""Presentation in openpyxl: frozen rows, dropdowns, number formats, conditional formats
(read back as ``StyleRule`` signatures) and the "computed by sheetcrm" notes that stand in
for warning-only protection."""

from __future__ import annotations

from typing import Any

import openpyxl
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from sheetcrm.backends.xlsx.filters import read_filter
from sheetcrm.model.changes import StyleRule
from sheetcrm.model.grid import Layout, Validation

MAX_ROW = 1_048_576
PROMPT_TITLE = "Computed by sheetcrm"


def read_layout(ws: Worksheet, header: list[Any]) -> Layout:
    by_letter = {get_column_letter(i + 1): h for i, h in enumerate(header) if h}
    lay = Layout(hidden=ws.sheet_state != "visible", auto_filter=read_filter(ws))
    if ws.freeze_panes:
        lay.frozen_rows = CellRange(ws.freeze_panes).min_row - 1
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            lay.styles.add(rule_signature(cf.sqref, rule))
    for dv in ws.data_validations.dataValidation:
        if dv.promptTitle == PROMPT_TITLE and dv.prompt:
            rng = next(iter(dv.sqref.ranges))
            whole = rng.min_row == rng.max_row == 1
            lay.protections[dv.prompt] = (None, None) if whole else (rng.min_col - 1, rng.max_col)
            continue
        if dv.type != "list" or not dv.formula1:
            continue
        rule = rule_from_formula(dv.formula1)
        for rng in dv.sqref.ranges:
            if rng.min_col == rng.max_col and rng.min_row <= 2 and rng.max_row >= MAX_ROW // 2:
                h = by_letter.get(get_column_letter(rng.min_col))
                if h:
                    lay.validations[str(h)] = rule
    for dim in ws.column_dimensions.values():
        fmt = (dim.number_format or "").replace("\\-", "-")  # LibreOffice writes yyyy\-mm\-dd
        if not fmt or fmt == "General" or not dim.min:
            continue
        for col in range(dim.min, (dim.max or dim.min) + 1):
            h = by_letter.get(get_column_letter(col))
            if h:
                lay.number_formats[str(h)] = fmt
    return lay


def _hex(color: Any) -> str | None:
    rgb = getattr(color, "rgb", None)
    return "#" + rgb[-6:].upper() if isinstance(rgb, str) and len(rgb) >= 6 else None


def rule_signature(sqref: Any, rule: Any) -> str:
    """The ``StyleRule.signature`` of a conditional format read from a workbook."""
    rng = next(iter(sqref.ranges)) if hasattr(sqref, "ranges") else CellRange(str(sqref))
    cols = f"{rng.min_col - 1}-{rng.max_col}"
    if rule.type == "colorScale" and rule.colorScale is not None:
        values = [float(c.val) for c in rule.colorScale.cfvo]
        colors = [_hex(c) for c in rule.colorScale.color]
        body = ";".join(f"{v:g}={c}" for v, c in zip(values, colors, strict=False))
        return f"scale:{cols}:{body}"
    dxf = rule.dxf
    fill = _hex(dxf.fill.fgColor) if dxf is not None and dxf.fill is not None else None
    font = _hex(dxf.font.color) if dxf is not None and dxf.font is not None else None
    text = "=" + (rule.formula[0] if rule.formula else "")
    return f"formula:{cols}:{text}|{fill or ''}|{font or ''}"


def openpyxl_rule(rule: StyleRule) -> Any:
    if rule.kind == "scale":
        (v0, c0), (v1, c1), (v2, c2) = rule.points
        return ColorScaleRule(
            start_type="num",
            start_value=v0,
            start_color=c0[1:],
            mid_type="num",
            mid_value=v1,
            mid_color=c1[1:],
            end_type="num",
            end_value=v2,
            end_color=c2[1:],
        )
    fill = (
        PatternFill(start_color=rule.fill[1:], end_color=rule.fill[1:], fill_type="solid")
        if rule.fill
        else None
    )
    font = Font(color=rule.font[1:]) if rule.font else None
    return FormulaRule(formula=[rule.formula.lstrip("=")], fill=fill, font=font)


def rule_from_formula(formula: str) -> Validation:
    items = tuple(v.strip() for v in formula.strip('"').split(","))
    if items == ("TRUE", "FALSE"):
        return Validation("bool")
    return Validation("list", items)


def formula_for(rule: Validation) -> str:
    values = ("TRUE", "FALSE") if rule.kind == "bool" else rule.values
    return '"' + ",".join(values) + '"'


def drop_validations(ws: Worksheet, col: int) -> None:
    """Remove the parts of existing dropdowns that cover column ``col`` (ours or stale)."""
    keep = []
    for dv in ws.data_validations.dataValidation:
        ranges = [r for r in dv.sqref.ranges if not (r.min_col <= col <= r.max_col)]
        if len(ranges) == len(dv.sqref.ranges):
            keep.append(dv)
        elif ranges:
            dv.sqref = " ".join(r.coord for r in ranges)
            keep.append(dv)
    ws.data_validations.dataValidation = keep


def ensure_visible_active(wb: openpyxl.Workbook) -> None:
    visible = [i for i, ws in enumerate(wb.worksheets) if ws.sheet_state == "visible"]
    if not visible:
        wb.worksheets[0].sheet_state = "visible"
        visible = [0]
    if wb.active is None or wb.active.sheet_state != "visible":
        wb.active = visible[0]
    for ws in wb.worksheets:  # a hidden tab must not stay selected, or Excel shows it
        ws.sheet_view.tabSelected = ws is wb.active
