"""Cell values in and out of openpyxl: typed reads (date-only datetimes become dates, LibreOffice's
``=TRUE()`` a boolean), text written as text whatever its first character, header styling."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

from sheetcrm.backends.xlsx.layout import read_layout
from sheetcrm.model.grid import NUMBER_FORMATS, Layout, TabGrid
from sheetcrm.model.schema import Field
from sheetcrm.model.values import looks_like_formula

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="305496")
_SYSTEM_FILL = PatternFill("solid", fgColor="7F7F7F")
_BOOL_FORMULAS = {"=TRUE()": True, "=FALSE()": False, "=TRUE": True, "=FALSE": False}
_WIDTHS = {
    "id": 23,
    "email": 30,
    "phone": 17,
    "date": 12,
    "datetime": 17,
    "money": 13,
    "bool": 9,
    "enum": 13,
    "integer": 10,
    "number": 10,
    "percent": 10,
    "score": 10,
}


def needs_quote_prefix(text: str) -> bool:
    """True for text a spreadsheet would otherwise treat as a formula when edited."""
    return looks_like_formula(text)


def typed(value: Any, number_format: str | None) -> Any:
    """openpyxl's value, with date-only datetimes turned back into dates."""
    date_only = number_format and "h" not in number_format.lower()
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and date_only:
        return value.date()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def read_sheet(ws: Any, layout: bool) -> TabGrid:
    rows: list[list[Any]] = []
    formulas: dict[tuple[int, int], str] = {}
    header: list[Any] = []
    for r, row in enumerate(ws.iter_rows()):
        values: list[Any] = []
        for c, cell in enumerate(row):
            value = cell.value
            if cell.data_type == "f" or (
                not isinstance(value, (str, int, float, bool, dt.date)) and value is not None
            ):
                text = value if isinstance(value, str) else getattr(value, "text", str(value))
                literal = _BOOL_FORMULAS.get(text.replace(" ", "").upper())
                if literal is not None:  # LibreOffice saves TRUE/FALSE cells as =TRUE()
                    values.append(literal)
                    continue
                if r > 0:
                    formulas[(r - 1, c)] = text if text.startswith("=") else "=" + text
                values.append(None)
            else:
                values.append(typed(value, getattr(cell, "number_format", None)))
        if r == 0:
            header = values
        else:
            rows.append(values)
    while header and header[-1] is None:
        header.pop()
    while (
        rows
        and all(v is None or v == "" for v in rows[-1])
        and not any(k[0] == len(rows) - 1 for k in formulas)
    ):
        rows.pop()
    grid = TabGrid(ws.title, header, rows, formulas)
    grid.layout = read_layout(ws, header) if layout else Layout(hidden=ws.sheet_state != "visible")
    return grid


def column_width(header: str, f: Field | None) -> int:
    """A readable default width: by field type, never narrower than the header."""
    base = _WIDTHS.get(f.type, 22) if f else 14
    if f and f.name in ("notes", "summary", "description", "products", "title"):
        base = 34
    return max(base, len(header) + 3)


def style_header(cell: Any, *, system: bool) -> None:
    cell.font = _HEADER_FONT
    cell.fill = _SYSTEM_FILL if system else _HEADER_FILL
    cell.alignment = Alignment(vertical="center")


def set_cell(cell: Any, value: Any, field_type: str, column_format: str | None = None) -> None:
    """Type one cell; its length was checked against ``limits.XLSX`` before the apply began.
    A money cell takes its column's format (``init`` gives the column the workbook
    currency's), so a cell written later matches the cells around it."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        value = None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell.value = text
        cell.data_type = "s"  # never a formula, whatever the first character
        cell.quotePrefix = needs_quote_prefix(text)
        if "\n" in text:  # a line break shows as one, in a row tall enough for it
            if not cell.alignment.wrap_text:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            row = cell.parent.row_dimensions[cell.row]
            row.height = max(row.height or 0, 15.0 * (text.count("\n") + 1))
        if field_type in ("phone", "id"):
            cell.number_format = "@"
        return
    cell.value = value
    if cell.quotePrefix:
        cell.quotePrefix = False
    fmt = NUMBER_FORMATS.get(field_type)
    if field_type == "money" and column_format and column_format != "General":
        fmt = column_format
    if isinstance(value, dt.datetime):
        fmt = (
            NUMBER_FORMATS["datetime"]
            if value.time() != dt.time(0) or field_type == "datetime"
            else NUMBER_FORMATS["date"]
        )
    elif isinstance(value, dt.date):
        fmt = NUMBER_FORMATS["date"]
    if fmt and fmt != "@" and value is not None and not isinstance(value, bool):
        cell.number_format = fmt
