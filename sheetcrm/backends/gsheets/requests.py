"""Pure helpers for the Google Sheets backend: A1 ranges, RAW cell encoding, and the
``spreadsheets.batchUpdate`` requests that realise tabs and layout (cells, tags and
markers are ``anchors``'). No I/O here."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from typing import Any

from sheetcrm.backends.gsheets import filters
from sheetcrm.model.changes import ChartSpec, SetLayout, StyleRule
from sheetcrm.model.grid import HeaderMap, Validation, column_letter
from sheetcrm.model.values import to_serial

MAX_BODY = 2_000_000  # bytes per request, kept under Google's ~2 MB recommendation
HEADER_BG = {"red": 0.188, "green": 0.329, "blue": 0.588}
SYSTEM_BG = {"red": 0.5, "green": 0.5, "blue": 0.5}
TEXT_FORMATS = {"@": {"type": "TEXT"}}


def quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def a1(title: str, row0: int, col0: int, row1: int | None = None, col1: int | None = None) -> str:
    """0-based, end-exclusive bounds → ``'Tab'!B3:D9``."""
    first = f"{column_letter(col0)}{row0 + 1}"
    if row1 is None and col1 is None:
        return f"{quote(title)}!{first}"
    last = f"{column_letter((col1 or col0 + 1) - 1)}{row1 if row1 is not None else ''}"
    return f"{quote(title)}!{first}:{last}"


def encode(value: Any) -> Any:
    """A typed value as a RAW cell: dates become serial numbers, blanks become ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime | dt.date):
        serial = to_serial(value)
        return int(serial) if float(serial).is_integer() else serial
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, int):
        return value
    return str(value)


def new_sheet_id(title: str, taken: set[int]) -> int:
    """A sheetId chosen by us (so later requests in the same batch can use it): derived from
    the tab's name, so runs are reproducible, and always ten digits."""
    digest = int(hashlib.sha1(title.encode()).hexdigest()[:8], 16)
    candidate = 1_000_000_000 + digest % 1_000_000_000
    while candidate in taken:
        candidate = 1_000_000_000 + (candidate + 1) % 1_000_000_000
    return candidate


#: Empty columns a new tab gets after its own, so a teammate can add a column of theirs
#: without first growing the grid (a tab is never narrower than Sheets' 26, A–Z).
SPARE_COLUMNS = 6


def add_sheet(title: str, sheet_id: int, columns: int, hidden: bool) -> list[dict[str, Any]]:
    """addSheet with a styled, frozen header row."""
    props: dict[str, Any] = {
        "sheetId": sheet_id,
        "title": title,
        "gridProperties": {"rowCount": 1000, "columnCount": max(26, columns + SPARE_COLUMNS)},
    }
    if hidden:
        props["hidden"] = True
    return [{"addSheet": {"properties": props}}, header_style(sheet_id, title.startswith("_"))]


def header_style(sheet_id: int, system: bool) -> dict[str, Any]:
    return {
        "repeatCell": {
            "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1},
            "cell": {
                "userEnteredFormat": {
                    "backgroundColor": SYSTEM_BG if system else HEADER_BG,
                    "textFormat": {
                        "bold": True,
                        "foregroundColor": {"red": 1, "green": 1, "blue": 1},
                    },
                }
            },
            "fields": "userEnteredFormat(backgroundColor,textFormat)",
        }
    }


def number_format(code: str) -> dict[str, Any]:
    if code in TEXT_FORMATS:
        return TEXT_FORMATS[code]
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)  # not quoted text or conditions
    kind = (
        "DATE_TIME"
        if "h" in bare
        else "DATE"
        if "y" in bare
        else ("PERCENT" if bare.endswith("%") else "NUMBER")
    )
    return {"type": kind, "pattern": code}


def layout_requests(op: SetLayout, sheet_id: int, hm: HeaderMap) -> list[dict[str, Any]]:
    """The batchUpdate requests for the parts of a layout declaration that are missing."""
    out: list[dict[str, Any]] = []
    props: dict[str, Any] = {"sheetId": sheet_id}
    fields = []
    if op.frozen_rows is not None:
        props["gridProperties"] = {"frozenRowCount": op.frozen_rows}
        fields.append("gridProperties.frozenRowCount")
    if op.hidden is not None:
        props["hidden"] = op.hidden
        fields.append("hidden")
    if fields:
        out.append({"updateSheetProperties": {"properties": props, "fields": ",".join(fields)}})
    if op.auto_filter is not None:
        out.append(filters.filter_request(op.auto_filter, sheet_id, hm))
    for name, rule in op.validations:
        if name in hm.columns:
            out.append(
                {
                    "setDataValidation": {
                        "range": _column(sheet_id, hm.index(name)),
                        "rule": validation_rule(rule),
                    }
                }
            )
    for name, code in op.number_formats:
        if name in hm.columns:
            out.append(
                {
                    "repeatCell": {
                        "range": _column(sheet_id, hm.index(name)),
                        "cell": {"userEnteredFormat": {"numberFormat": number_format(code)}},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                }
            )
    return out


def _column(sheet_id: int, col: int) -> dict[str, Any]:
    """Every data row of one column (no end row, so inserted rows stay covered)."""
    return {
        "sheetId": sheet_id,
        "startRowIndex": 1,
        "startColumnIndex": col,
        "endColumnIndex": col + 1,
    }


def validation_rule(rule: Validation) -> dict[str, Any]:
    if rule.kind == "bool":
        return {"condition": {"type": "BOOLEAN"}}
    return {
        "condition": {
            "type": "ONE_OF_LIST",
            "values": [{"userEnteredValue": v} for v in rule.values],
        },
        "strict": True,
        "showCustomUi": True,
        "inputMessage": "Choose one of: " + ", ".join(rule.values),
    }


def color(hex_color: str) -> dict[str, float]:
    value = int(hex_color.lstrip("#"), 16)
    parts = ((value >> 16) & 255, (value >> 8) & 255, value & 255)
    return {k: round(v / 255, 4) for k, v in zip(("red", "green", "blue"), parts, strict=True)}


def style_request(rule: StyleRule, sheet_id: int) -> dict[str, Any]:
    """addConditionalFormatRule for a StyleRule over whole columns from row 2."""
    rng = {
        "sheetId": sheet_id,
        "startRowIndex": 1,
        "startColumnIndex": rule.first_col,
        "endColumnIndex": max(rule.last_col, rule.first_col + 1),
    }
    if rule.kind == "scale":
        names = ("minpoint", "midpoint", "maxpoint")
        body: dict[str, Any] = {
            "gradientRule": {
                name: {"color": color(c), "type": "NUMBER", "value": f"{v:g}"}
                for name, (v, c) in zip(names, rule.points, strict=True)
            }
        }
    else:
        fmt: dict[str, Any] = {}
        if rule.fill:
            fmt["backgroundColor"] = color(rule.fill)
        if rule.font:
            fmt["textFormat"] = {"foregroundColor": color(rule.font)}
        body = {
            "booleanRule": {
                "condition": {
                    "type": "CUSTOM_FORMULA",
                    "values": [{"userEnteredValue": rule.formula}],
                },
                "format": fmt,
            }
        }
    return {"addConditionalFormatRule": {"rule": {"ranges": [rng], **body}, "index": 0}}


def protect_request(
    sheet_id: int, description: str, first: int | None, last: int | None
) -> dict[str, Any]:
    rng: dict[str, Any] = {"sheetId": sheet_id}
    if first is not None:
        rng |= {"startRowIndex": 1, "startColumnIndex": first, "endColumnIndex": last}
    return {
        "addProtectedRange": {
            "protectedRange": {"range": rng, "description": description, "warningOnly": True}
        }
    }


def _source(sheet_id: int, col: int, r0: int, r1: int) -> dict[str, Any]:
    return {
        "sourceRange": {
            "sources": [
                {
                    "sheetId": sheet_id,
                    "startRowIndex": r0,
                    "endRowIndex": r1,
                    "startColumnIndex": col,
                    "endColumnIndex": col + 1,
                }
            ]
        }
    }


def chart_request(spec: ChartSpec, sheet_id: int) -> dict[str, Any]:
    """addChart for a declared chart; its chartId is the declaration's stable key. A line
    is never smoothed: a curve between two months would draw revenue nobody made."""
    col, r0, r1 = spec.domain
    if spec.kind == "pie":
        body: dict[str, Any] = {
            "pieChart": {
                "legendPosition": "RIGHT_LEGEND",
                "domain": _source(sheet_id, col, r0, r1),
                "series": _source(sheet_id, *spec.series[0]),
            }
        }
    else:
        body = {
            "basicChart": {
                "chartType": "LINE" if spec.kind == "line" else "COLUMN",
                "legendPosition": "NO_LEGEND",
                "headerCount": 0,
                "domains": [{"domain": _source(sheet_id, col, r0, r1)}],
                "series": [
                    {"series": _source(sheet_id, *s), "targetAxis": "LEFT_AXIS"}
                    for s in spec.series
                ],
            }
        }
        if spec.kind == "line":
            # straight lines between the months, said outright; the value axis shows the
            # series cells' own number format (the workbook currency), Sheets has no other
            body["basicChart"]["lineSmoothing"] = False
    position = {
        "overlayPosition": {
            "anchorCell": {
                "sheetId": sheet_id,
                "rowIndex": spec.anchor[0],
                "columnIndex": spec.anchor[1],
            },
            "widthPixels": spec.size[0],
            "heightPixels": spec.size[1],
        }
    }
    return {
        "addChart": {
            "chart": {
                "chartId": int(spec.key),
                "position": position,
                "spec": {"title": spec.title, **body},
            }
        }
    }
