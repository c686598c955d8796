"""Typed grids: what a backend reads from one tab, and how its header maps to fields.

A grid keeps values and formulas apart: ``rows`` hold typed values (a formula cell holds
its cached value, or None), ``formulas`` hold the formula text by position. Columns are
found by header name, never by position.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.errors import HeaderError
from sheetcrm.model.numformat import PLAIN_MONEY, money_format
from sheetcrm.model.schema import TabSchema
from sheetcrm.model.values import is_blank, normalize_token

#: Number formats per field type (spreadsheet codes understood by Excel, LibreOffice, Sheets).
#: ``money`` here is the currency-less fallback; a workbook's money cells carry
#: ``money_format(currency)`` (``number_formats`` gives the whole table for one currency).
NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "money": PLAIN_MONEY,
    "percent": "0.0%",
    "integer": "0",
    "phone": "@",
    "id": "@",
}


def number_formats(currency: str | None = None) -> dict[str, str]:
    """The number format per field type in a workbook kept in ``currency``."""
    out = dict(NUMBER_FORMATS)
    if currency:
        out["money"] = money_format(currency)
    return out


@dataclass(frozen=True)
class Validation:
    """A dropdown on a column: ``kind`` is 'list' (enum values) or 'bool' (a checkbox)."""

    kind: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class AutoFilter:
    """The filter buttons on a tab: rows [first_row, end_row) and columns
    [first_col, end_col), an end of None reaching the end of the sheet. ``keep`` is the
    criteria and sort a teammate set on it (Sheets JSON text, opaque here): a repair of
    the range carries it over so nobody's "show me what is urgent" is wiped."""

    first_row: int = 0
    end_row: int | None = None
    first_col: int = 0
    end_col: int | None = None
    keep: str = ""

    def covers(self, width: int, rows: int) -> bool:
        """Whether it starts at the header row and spans ``width`` columns and ``rows``
        data rows (the header row not counted)."""
        return (
            self.first_row == 0
            and self.first_col == 0
            and (self.end_col is None or self.end_col >= width)
            and (self.end_row is None or self.end_row >= rows + 1)
        )


@dataclass
class Layout:
    """The presentation state of a tab that ``init`` declares and repairs."""

    frozen_rows: int = 0
    hidden: bool = False
    validations: dict[str, Validation] = field(default_factory=dict)  # header → rule
    number_formats: dict[str, str] = field(default_factory=dict)  # header → format code
    styles: set[str] = field(default_factory=set)  # signatures of conditional formats
    protections: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    charts: set[str] = field(default_factory=set)  # keys of the charts on the tab
    auto_filter: AutoFilter | None = None  # the filter on the header row, if any


@dataclass
class TabGrid:
    """One tab as read: header texts, typed rows, formulas by (row, column) index."""

    name: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    layout: Layout = field(default_factory=Layout)
    #: False for a seller tab the workbook does not have yet, read as its empty header
    exists: bool = True

    def cell(self, row: int, col: int) -> Any:
        r = self.rows[row] if row < len(self.rows) else []
        return r[col] if col < len(r) else None

    def column(self, col: int) -> Iterator[Any]:
        for r in self.rows:
            yield r[col] if col < len(r) else None

    @property
    def width(self) -> int:
        return max([len(self.header), *(len(r) for r in self.rows)], default=0)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass(frozen=True)
class HeaderMap:
    """Where each schema field sits in a tab, and which columns belong to teammates."""

    tab: str
    columns: dict[str, int]  # field name → 0-based column index
    missing: tuple[str, ...]
    foreign: tuple[int, ...]  # columns that are not sheetcrm fields: never touched

    def index(self, field_name: str) -> int:
        return self.columns[field_name]


def map_header(grid: TabGrid, tab: TabSchema, *, allow_missing: bool = False) -> HeaderMap:
    """Match a grid's header to the tab's fields by name, or raise ``HeaderError``.

    A blank header above data, a field named twice, or (unless ``allow_missing``) a field
    with no column are errors: writing would otherwise land in the wrong column.
    """
    columns: dict[str, int] = {}
    foreign: list[int] = []
    for i in range(grid.width):
        text = grid.header[i] if i < len(grid.header) else None
        if is_blank(text):
            if any(not is_blank(v) for v in grid.column(i)):
                raise HeaderError(
                    f"{grid.name}: column {column_letter(i)} has data but a blank header; "
                    "give it a name or delete it"
                )
            continue
        f = tab.get(str(text))
        if f is None:
            foreign.append(i)
            continue
        if f.name in columns:
            first = column_letter(columns[f.name])
            raise HeaderError(
                f"{grid.name}: header {f.name!r} appears twice "
                f"(columns {first} and {column_letter(i)}); rename or delete one"
            )
        columns[f.name] = i
    if tab.id_field not in columns and (grid.rows or not allow_missing):
        raise HeaderError(
            f"{grid.name}: the ID column {tab.id_field!r} is missing; "
            "sheetcrm finds rows by it (run `sheetcrm init` to repair an empty tab)"
        )
    missing = tuple(f.name for f in tab.fields if f.name not in columns)
    if missing and not allow_missing:
        raise HeaderError(
            f"{grid.name}: column {missing[0]!r} is missing "
            f"(run `sheetcrm init` to add missing columns)"
        )
    return HeaderMap(grid.name, columns, missing, tuple(foreign))


def header_key(text: Any) -> str:
    """The normalised form headers are compared by."""
    return normalize_token(str(text)) if not is_blank(text) else ""


def empty_grid(tab: TabSchema) -> TabGrid:
    """A tab as it reads right after ``init`` made it: its header, no rows; ``exists``
    False (a seller tab the workbook does not have yet reads as this)."""
    return TabGrid(tab.name, list(tab.columns), exists=False)
