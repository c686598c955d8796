"""Decoding what Google Sheets sends back: grids from ``values.batchGet``, which ``=…``
cells are real formulas, layout from ``spreadsheets.get``, and grid sizes from the ranges
Google echoes. No I/O here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sheetcrm.backends.gsheets.filters import read_filter
from sheetcrm.backends.gsheets.requests import a1, quote
from sheetcrm.model.grid import Layout, TabGrid, Validation, header_key
from sheetcrm.model.values import is_blank

_ECHOED = re.compile(r"!\$?A\$?1(?::\$?([A-Z]+)\$?(\d+))?$")


def grid_size(echoed: str | None) -> tuple[int, int] | None:
    """Rows and columns of a tab from the range a whole-tab read echoes (``'T'!A1:Z1000``:
    Google bounds it by the grid, not by the data)."""
    m = _ECHOED.search(echoed or "")
    if m is None:
        return None
    if m[1] is None:
        return 1, 1
    cols = 0
    for ch in m[1]:
        cols = cols * 26 + ord(ch) - 64
    return int(m[2]), cols


def grid_from_values(name: str, values: list[list[Any]]) -> TabGrid:
    """A tab's header and rows as read (trailing empty rows dropped)."""
    header = list(values[0]) if values else []
    rows = [list(r) for r in values[1:]]
    while rows and all(is_blank(v) for v in rows[-1]):
        rows.pop()
    return TabGrid(name, header, rows)


def header_at(grid: TabGrid, col: int) -> str:
    return header_key(grid.header[col]) if col < len(grid.header) else ""


@dataclass
class Probe:
    """The ``spreadsheets.get`` that tells formulas from literal ``=…`` text (and, with
    ``layout``, reads dropdowns, formats, colours, protection and charts)."""

    ranges: list[str]
    candidates: dict[str, list[tuple[int, int]]]
    fields: str


def probe(grids: dict[str, TabGrid], layout: bool) -> Probe:
    ranges: list[str] = []
    candidates: dict[str, list[tuple[int, int]]] = {}
    for name, grid in grids.items():
        ranges.append(a1(name, 0, 0))
        if layout:
            ranges.append(f"{quote(name)}!2:2")
        cells = [
            (r, c)
            for r, row in enumerate(grid.rows)
            for c, v in enumerate(row)
            if isinstance(v, str) and v.startswith("=")
        ]
        candidates[name] = cells
        ranges += runs(name, cells)
    cell_fields = "userEnteredValue.formulaValue"
    extra = ""
    if layout:
        cell_fields += ",dataValidation,userEnteredFormat.numberFormat"
        extra = (
            "conditionalFormats,protectedRanges(protectedRangeId,description,range),"
            "charts(chartId),basicFilter,"
        )
    fields = (
        f"sheets(properties(sheetId,title,hidden,gridProperties),{extra}"
        f"data(startRow,startColumn,rowData.values({cell_fields})))"
    )
    return Probe(ranges, candidates, fields)


def classify(
    sheet: dict[str, Any], grid: TabGrid, cells: list[tuple[int, int]], layout: bool
) -> set[tuple[str, str]]:
    """Move real formulas out of ``grid.rows`` into ``grid.formulas`` (their computed value
    is not fetched) and return the (header, text) of ``=…`` cells that are literal text."""
    formulas: set[tuple[int, int]] = set()
    for block in sheet.get("data", []):
        r0, c0 = block.get("startRow", 0), block.get("startColumn", 0)
        for i, row in enumerate(block.get("rowData", [])):
            for j, cell in enumerate(row.get("values", [])):
                if "formulaValue" in cell.get("userEnteredValue", {}):
                    formulas.add((r0 + i - 1, c0 + j))
    literals: set[tuple[str, str]] = set()
    for r, c in cells:
        text = grid.rows[r][c]
        if (r, c) in formulas:
            grid.formulas[(r, c)] = text
            grid.rows[r][c] = None
        else:
            literals.add((header_at(grid, c), text))
    if layout:
        grid.layout = layout_from_sheet(sheet, grid.header)
    grid.layout.hidden = bool(sheet.get("properties", {}).get("hidden", False))
    return literals


def runs(tab: str, cells: list[tuple[int, int]]) -> list[str]:
    """Contiguous runs of cells per column as A1 ranges (data row r is sheet row r+2)."""
    out: list[str] = []
    by_col: dict[int, list[int]] = {}
    for r, c in cells:
        by_col.setdefault(c, []).append(r)
    for col, rows in sorted(by_col.items()):
        rows.sort()
        start = prev = rows[0]
        for r in rows[1:]:
            if r != prev + 1:
                out.append(a1(tab, start + 1, col, prev + 2, col + 1))
                start = r
            prev = r
        out.append(a1(tab, start + 1, col, prev + 2, col + 1))
    if len(out) > 60:  # keep the URL short: ask for whole columns instead
        out = [a1(tab, 1, col, None, col + 1) for col in sorted(by_col)]
    return out


def rule_from_json(rule: dict[str, Any]) -> Validation | None:
    cond = rule.get("condition", {})
    if cond.get("type") == "BOOLEAN":
        return Validation("bool")
    if cond.get("type") == "ONE_OF_LIST":
        return Validation(
            "list", tuple(v.get("userEnteredValue", "") for v in cond.get("values", []))
        )
    return None


def layout_from_sheet(sheet: dict[str, Any], header: list[Any]) -> Layout:
    """Read frozen rows, visibility, dropdowns and formats (from row 2's cells)."""
    props = sheet.get("properties", {})
    lay = Layout(
        frozen_rows=props.get("gridProperties", {}).get("frozenRowCount", 0),
        hidden=bool(props.get("hidden", False)),
    )
    lay.styles = {style_signature(r) for r in sheet.get("conditionalFormats", [])}
    lay.charts = {str(c["chartId"]) for c in sheet.get("charts", []) if "chartId" in c}
    lay.auto_filter = read_filter(sheet)
    for pr in sheet.get("protectedRanges", []):
        rng = pr.get("range", {})
        span = (rng.get("startColumnIndex"), rng.get("endColumnIndex"))
        lay.protections[pr.get("description", "")] = span
    for block in sheet.get("data", []):
        if block.get("startRow", 0) != 1:
            continue
        start = block.get("startColumn", 0)
        for row in block.get("rowData", [])[:1]:
            for i, cell in enumerate(row.get("values", [])):
                col = start + i
                if col >= len(header) or not header[col]:
                    continue
                rule = rule_from_json(cell.get("dataValidation", {}))
                if rule:
                    lay.validations[str(header[col])] = rule
                fmt = cell.get("userEnteredFormat", {}).get("numberFormat")
                if fmt:
                    code = "@" if fmt.get("type") == "TEXT" else fmt.get("pattern", "")
                    if code:
                        lay.number_formats[str(header[col])] = code
    return lay


def hex_of(rgb: dict[str, Any] | None) -> str | None:
    if not rgb:
        return None
    parts = [round(float(rgb.get(k, 0)) * 255) for k in ("red", "green", "blue")]
    return "#" + "".join(f"{p:02X}" for p in parts)


def style_signature(rule: dict[str, Any]) -> str:
    """The StyleRule.signature of a conditional format read from the API."""
    rng = (rule.get("ranges") or [{}])[0]
    cols = f"{rng.get('startColumnIndex', 0)}-{rng.get('endColumnIndex', '')}"
    if "gradientRule" in rule:
        g = rule["gradientRule"]
        points = [g.get(k, {}) for k in ("minpoint", "midpoint", "maxpoint") if k in g]
        body = ";".join(f"{float(p.get('value', 0)):g}={hex_of(p.get('color'))}" for p in points)
        return f"scale:{cols}:{body}"
    boolean = rule.get("booleanRule", {})
    values = boolean.get("condition", {}).get("values", [{}])
    text = values[0].get("userEnteredValue", "") if values else ""
    fmt = boolean.get("format", {})
    fill = hex_of(fmt.get("backgroundColor"))
    font = hex_of(fmt.get("textFormat", {}).get("foregroundColor"))
    return f"formula:{cols}:{text}|{fill or ''}|{font or ''}"
