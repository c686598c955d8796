"""The emulator's state: spreadsheets, sheets, cells and everything anchored to ranges.

Cell values live in per-row lists (compact enough for the 10-million-cell limit);
formats, validations, conditional formats, protections, charts, filters and developer
metadata keep their ranges and move when rows or columns are inserted or deleted, as
they do in Google Sheets.
"""

from __future__ import annotations

import copy
import itertools
import secrets
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .a1 import Bounds, RangeError, format_range, parse_cells, split_sheet
from .cells import NumberFormat

DEFAULT_ROWS = 1000
DEFAULT_COLS = 26
MAX_CELLS = 10_000_000
MAX_COLUMNS = 18_278  # column ZZZ


class ApiError(Exception):
    """An error response in Google's envelope."""

    STATUS: ClassVar[dict[int, str]] = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        409: "ABORTED",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
        503: "UNAVAILABLE",
    }

    def __init__(self, code: int, message: str, status: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or self.STATUS.get(code, "UNKNOWN")

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.code == 400 and self.message.startswith("Invalid"):
            field_name = self.message.split("'")[1] if "'" in self.message else ""
            err["details"] = [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": field_name, "description": self.message}],
                }
            ]
        return {"error": err}


def bad(message: str) -> ApiError:
    return ApiError(400, message)


@dataclass
class GridRange:
    """A range of one sheet; None ends are unbounded (GridRange JSON semantics)."""

    sheet_id: int
    r0: int | None = None
    r1: int | None = None
    c0: int | None = None
    c1: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GridRange:
        return cls(
            int(data.get("sheetId", 0)),
            data.get("startRowIndex"),
            data.get("endRowIndex"),
            data.get("startColumnIndex"),
            data.get("endColumnIndex"),
        )

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sheetId": self.sheet_id}
        for key, v in (
            ("startRowIndex", self.r0),
            ("endRowIndex", self.r1),
            ("startColumnIndex", self.c0),
            ("endColumnIndex", self.c1),
        ):
            if v is not None:
                out[key] = v
        return out

    def contains(self, r: int, c: int) -> bool:
        r1 = self.r1 if self.r1 is not None else 1 << 62
        c1 = self.c1 if self.c1 is not None else 1 << 62
        return (self.r0 or 0) <= r < r1 and (self.c0 or 0) <= c < c1

    def shift(self, dim: str, start: int, count: int) -> bool:
        """Move for ``count`` rows/cols inserted (count>0) or deleted (<0) at ``start``.

        Returns False when a deletion removed the whole range.
        """
        lo, hi = ("r0", "r1") if dim == "ROWS" else ("c0", "c1")
        a, b = getattr(self, lo), getattr(self, hi)
        a, b, alive = _shift_span(a, b, start, count)
        setattr(self, lo, a)
        setattr(self, hi, b)
        return alive


def _shift_span(a: int | None, b: int | None, start: int, count: int) -> tuple[Any, Any, bool]:
    if count > 0:
        if a is not None and a >= start:
            a += count
        if b is not None and b > start:
            b += count
        return a, b, True
    end = start - count  # deleted span [start, end)

    def move(x: int | None) -> int | None:
        if x is None:
            return None
        if x >= end:
            return x + count
        return min(x, start)

    na, nb = move(a), move(b)
    alive = na is None or nb is None or nb > na
    return na, nb, alive


@dataclass
class Sheet:
    """One tab: properties, values by row, and everything anchored to ranges."""

    props: dict[str, Any]
    rows: list[list[Any]] = field(default_factory=list)
    cell_formats: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    notes: dict[tuple[int, int], str] = field(default_factory=dict)
    range_formats: list[tuple[GridRange, dict[str, Any]]] = field(default_factory=list)
    validations: list[tuple[GridRange, dict[str, Any]]] = field(default_factory=list)
    conditional_formats: list[dict[str, Any]] = field(default_factory=list)
    protected_ranges: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    merges: list[GridRange] = field(default_factory=list)
    basic_filter: dict[str, Any] | None = None

    @property
    def id(self) -> int:
        return int(self.props["sheetId"])

    @property
    def title(self) -> str:
        return str(self.props["title"])

    @property
    def row_count(self) -> int:
        return int(self.props["gridProperties"]["rowCount"])

    @property
    def col_count(self) -> int:
        return int(self.props["gridProperties"]["columnCount"])

    def get(self, r: int, c: int) -> Any:
        if r < len(self.rows):
            row = self.rows[r]
            if c < len(row):
                return row[c]
        return None

    def set(self, r: int, c: int, value: Any) -> None:
        rows = self.rows
        if r >= len(rows):
            if value is None:
                return
            rows.extend([] for _ in range(r + 1 - len(rows)))
        row = rows[r]
        if c >= len(row):
            if value is None:
                return
            row.extend([None] * (c + 1 - len(row)))
        row[c] = value

    def number_format(self, r: int, c: int) -> NumberFormat | None:
        fmt = self.cell_formats.get((r, c), {}).get("numberFormat")
        if fmt is None:
            for rng, f in reversed(self.range_formats):
                if "numberFormat" in f and rng.contains(r, c):
                    fmt = f["numberFormat"]
                    break
        return NumberFormat(fmt.get("type", "NUMBER"), fmt.get("pattern", "")) if fmt else None

    def used_extent(self, *, decorated: bool = False) -> tuple[int, int]:
        """(rows, columns) up to the last non-empty cell (or formatted/noted cell)."""
        last_row, last_col = 0, 0
        if decorated:
            for r, c in [*self.cell_formats, *self.notes]:
                last_row, last_col = max(last_row, r + 1), max(last_col, c + 1)
            for g, _ in self.range_formats:
                if g.r1 is not None and g.c1 is not None:
                    last_row, last_col = max(last_row, g.r1), max(last_col, g.c1)
        for i, row in enumerate(self.rows):
            width = len(row)
            while width and row[width - 1] is None:
                width -= 1
            if width:
                last_row = i + 1
                last_col = max(last_col, width)
        return last_row, last_col


@dataclass
class Spreadsheet:
    """A spreadsheet: properties, sheets in order, developer metadata."""

    id: str
    title: str
    sheets: list[Sheet] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    developer_metadata: list[dict[str, Any]] = field(default_factory=list)
    named_ranges: list[dict[str, Any]] = field(default_factory=list)
    #: batchUpdate requests applied, by kind (``setBasicFilter`` …): what a test counts
    applied: Counter[str] = field(default_factory=Counter)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1_000_000), repr=False)

    def next_id(self) -> int:
        return next(self._ids)

    def sheet(self, *, sheet_id: int | None = None, title: str | None = None) -> Sheet:
        for s in self.sheets:
            if sheet_id is not None and s.id == sheet_id:
                return s
            if title is not None and s.title.casefold() == title.casefold():
                return s
        if sheet_id is not None:
            raise bad(f"Invalid requests[0]: No grid with id: {sheet_id}")
        raise bad(f"Unable to parse range: {title}")

    def add_sheet(self, props: dict[str, Any] | None = None) -> Sheet:
        props = copy.deepcopy(props or {})
        sheet_id = props.get("sheetId")
        if sheet_id is None:
            sheet_id = self.next_id() if self.sheets else 0
        if any(s.id == sheet_id for s in self.sheets):
            raise bad(f"Invalid requests[0].addSheet: A sheet with id {sheet_id} already exists.")
        title = props.get("title") or f"Sheet{len(self.sheets) + 1}"
        if any(s.title.casefold() == title.casefold() for s in self.sheets):
            raise bad(
                f'Invalid requests[0].addSheet: A sheet with the name "{title}" already '
                "exists. Please enter another name."
            )
        grid = {"rowCount": DEFAULT_ROWS, "columnCount": DEFAULT_COLS}
        grid.update(props.get("gridProperties", {}))
        index = props.get("index", len(self.sheets))
        full = {
            "sheetId": sheet_id,
            "title": title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        for key in ("hidden", "tabColor", "tabColorStyle", "rightToLeft"):
            if key in props:
                full[key] = props[key]
        sheet = Sheet(full)
        self.sheets.insert(min(index, len(self.sheets)), sheet)
        self.reindex()
        self.check_cells()
        return sheet

    def reindex(self) -> None:
        for i, s in enumerate(self.sheets):
            s.props["index"] = i

    def check_cells(self) -> None:
        """Google's limits: 10 million cells a spreadsheet, 18,278 columns a sheet."""
        if any(s.col_count > MAX_COLUMNS for s in self.sheets):
            raise bad(
                "This action would increase the number of columns in the sheet above the "
                f"limit of {MAX_COLUMNS:,} columns."
            )
        total = sum(s.row_count * s.col_count for s in self.sheets)
        if total > MAX_CELLS:
            raise bad(
                "This action would increase the number of cells in the workbook above the "
                f"limit of {MAX_CELLS:,} cells."
            )

    def resolve(self, text: str) -> tuple[Sheet, Bounds]:
        """An A1 range → (sheet, bounds); a bare name is a whole sheet or a named range."""
        try:
            name, cells = split_sheet(text)
            if name is None:
                try:
                    bounds = parse_cells(cells)
                    return self.sheets[0], bounds
                except RangeError:
                    for nr in self.named_ranges:
                        if nr["name"] == cells:
                            g = GridRange.from_json(nr["range"])
                            return self.sheet(sheet_id=g.sheet_id), Bounds(g.r0, g.r1, g.c0, g.c1)
                    name, cells = cells, ""
            sheet = self.sheet(title=name)
            return sheet, parse_cells(cells)
        except (RangeError, ApiError):
            raise bad(f"Unable to parse range: {text}") from None

    def echo(self, sheet: Sheet, bounds: Bounds) -> str:
        r0, r1, c0, c1 = bounds.clip(sheet.row_count, sheet.col_count)
        return format_range(sheet.title, r0, r1, c0, c1)


def new_spreadsheet_id() -> str:
    return "1" + secrets.token_urlsafe(32)[:43]
