"""Cell values of the generated tabs (the Dashboard and the summary tabs): blanks and NaN
as empty cells, shares as percentages, amounts in the workbook's money format — one set
of rules for every block, so the same figure reads the same wherever it is laid out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sheetcrm.model.changes import Formatted
from sheetcrm.model.values import is_blank
from sheetcrm.workbook.look import Look

#: Lays values out from (row, column) to the right on the grid being built.
Put = Callable[[int, int, list[Any]], None]


def pct(part: float, whole: float) -> float | None:
    """``part`` as a percentage of ``whole`` (one decimal), blank when ``whole`` is 0."""
    return round(100 * part / whole, 1) if whole else None


def number(value: Any) -> float:
    """A number for arithmetic: blank and NaN count as 0."""
    return 0.0 if is_blank(value) else float(value)


def blank(value: Any) -> Any:
    """The value, or None (an empty cell) for blank and NaN."""
    return None if is_blank(value) else value


def cash(look: Look, value: Any) -> Formatted | None:
    """An amount for a money cell, never a negative zero (a refund of nothing)."""
    return look.cash(None if is_blank(value) else float(value) + 0.0)


def percent(value: Any) -> float | None:
    """A share (0–1) as a percentage with one decimal; blank stays blank."""
    return None if is_blank(value) else round(100 * float(value), 1)


def plain(value: Any) -> Any:
    """The number inside a formatted cell (for arithmetic on what a cell shows)."""
    return value.value if isinstance(value, Formatted) else value


def rows_of(cells: dict[tuple[int, int], Any]) -> list[list[Any]]:
    """A sparse grid as rectangular rows (row 0 first), empty cells None."""
    height = max((r for r, _ in cells), default=-1) + 1
    width = max((c for _, c in cells), default=-1) + 1
    return [[cells.get((r, c)) for c in range(width)] for r in range(height)]
