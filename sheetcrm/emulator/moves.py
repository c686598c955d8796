"""Reordering rows or columns: ``moveDimension``, ``sortRange``, a teammate's sort.

A row that moves takes its values, its per-cell formats and notes with it, and, when the
whole row moves (not a few of its columns), its developer metadata: a row tagged
``sheetcrm:id`` stays tagged wherever a sort or a move puts it, as in Google Sheets.
Range-anchored decorations (conditional formats, protections, validations, merges) stay
where they are on a move; the emulator does not split them.
"""

from __future__ import annotations

import functools
from typing import Any

from . import filters
from .cells import effective
from .model import GridRange, Sheet, Spreadsheet, bad
from .structure import grid_bounds


def permute(
    ss: Spreadsheet,
    sheet: Sheet,
    dim: str,
    start: int,
    order: list[int],
    *,
    span: tuple[int, int] | None = None,
) -> None:
    """Put old line ``order[i]`` at position ``start + i`` (lines are rows or columns).

    ``span``: only these columns of the rows move (a partial-width sort); their metadata,
    which belongs to the whole row, stays put.
    """
    if not order:
        return
    where = {old: start + i for i, old in enumerate(order)}
    end = start + len(order)
    if dim == "ROWS":
        _permute_rows(sheet, start, end, order, span)
    else:
        filters.moved_columns(sheet, where)
        for row in sheet.rows:
            if len(row) > min(order):
                row.extend([None] * (end - len(row)))
                moved = [row[o] for o in order]
                row[start:end] = moved
    axis = 0 if dim == "ROWS" else 1
    lo, hi = span if span is not None else (0, 1 << 62)
    for store in ("cell_formats", "notes"):
        old: dict[tuple[int, int], Any] = getattr(sheet, store)
        new: dict[tuple[int, int], Any] = {}
        for key, value in old.items():
            pos, other = key[axis], key[1 - axis]
            if pos in where and lo <= other < hi:
                pos = where[pos]
            new[(pos, other) if axis == 0 else (other, pos)] = value
        setattr(sheet, store, new)
    if span is not None:
        return
    for meta in ss.developer_metadata:
        dr = meta.get("location", {}).get("dimensionRange")
        if not dr or dr.get("sheetId", 0) != sheet.id or dr.get("dimension") != dim:
            continue
        first = dr.get("startIndex")
        if first in where:
            length = dr["endIndex"] - first
            dr["startIndex"], dr["endIndex"] = where[first], where[first] + length


def _permute_rows(
    sheet: Sheet, start: int, end: int, order: list[int], span: tuple[int, int] | None
) -> None:
    rows = sheet.rows
    if len(rows) < end:
        rows.extend([] for _ in range(end - len(rows)))
    if span is None:
        rows[start:end] = [rows[o] for o in order]
        return
    c0, c1 = span
    blocks = [list(rows[o][c0:c1]) for o in order]
    for i, block in enumerate(blocks):
        for j in range(c1 - c0):
            sheet.set(start + i, c0 + j, block[j] if j < len(block) else None)


def move_dimension(ss: Spreadsheet, req: dict[str, Any]) -> None:
    """Google's moveDimension: ``destinationIndex`` counts positions before the source is
    taken out."""
    src = req.get("source", {})
    sheet = ss.sheet(sheet_id=src.get("sheetId", 0))
    dim = src.get("dimension", "ROWS")
    limit = sheet.row_count if dim == "ROWS" else sheet.col_count
    a, b = src.get("startIndex", 0), src.get("endIndex", limit)
    d = req.get("destinationIndex", 0)
    if dim not in ("ROWS", "COLUMNS") or not 0 <= a < b <= limit or not 0 <= d <= limit:
        raise bad("Invalid requests[0].moveDimension: the range or destination is outside the grid")
    if a <= d <= b:
        return  # already there
    if d < a:
        permute(ss, sheet, dim, d, [*range(a, b), *range(d, a)])
    else:
        permute(ss, sheet, dim, a, [*range(b, d), *range(a, b)])


def sort_key(value: Any) -> tuple[int, Any]:
    """Google's sort order: numbers, text (case-blind), booleans, then blanks."""
    v = effective(value)
    if v is None or v == "":
        return (3, "")
    if isinstance(v, bool):
        return (2, v)
    if isinstance(v, (int, float)):
        return (0, v)
    return (1, str(v).casefold())


def sort_range(ss: Spreadsheet, req: dict[str, Any]) -> None:
    """Sort the range's rows. A range as wide as the sheet moves whole rows (their formats,
    notes and developer metadata go with them); a narrower one moves only its cells, and
    row metadata stays with the row index, since the rest of the row did not move."""
    g = GridRange.from_json(req.get("range", {}))
    sheet = ss.sheet(sheet_id=g.sheet_id)
    r0, r1, c0, c1 = grid_bounds(sheet, g)
    r1 = min(r1, len(sheet.rows))
    specs = req.get("sortSpecs", [])

    def compare(a: int, b: int) -> int:
        for spec in specs:
            i = spec.get("dimensionIndex", 0)
            ka, kb = sort_key(sheet.get(a, i)), sort_key(sheet.get(b, i))
            if ka == kb:
                continue
            desc = spec.get("sortOrder") == "DESCENDING"
            if ka[0] == 3 or kb[0] == 3:  # blanks always last
                return 1 if ka[0] == 3 else -1
            return (-1 if ka < kb else 1) * (-1 if desc else 1)
        return 0

    for spec in specs:
        if not c0 <= spec.get("dimensionIndex", 0) < c1:
            raise bad("Invalid requests[0].sortRange: the sort column is outside the range")
    order = sorted(range(r0, r1), key=functools.cmp_to_key(compare))
    whole = c0 == 0 and c1 >= sheet.col_count
    permute(ss, sheet, "ROWS", r0, order, span=None if whole else (c0, c1))
