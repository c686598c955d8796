"""A1 notation: parse ``'My Sheet'!A1:B``-style ranges and format them the way Google does."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^([A-Za-z]{0,3})(\d*)$")
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_]+$")


class RangeError(ValueError):
    """A range Google would answer with 'Unable to parse range: …'."""


@dataclass(frozen=True)
class Bounds:
    """0-based, end-exclusive bounds; None means open (to the edge of the grid)."""

    start_row: int | None
    end_row: int | None
    start_col: int | None
    end_col: int | None

    def clip(self, rows: int, cols: int) -> tuple[int, int, int, int]:
        """Concrete bounds within a grid of ``rows`` × ``cols``."""
        r0 = self.start_row or 0
        c0 = self.start_col or 0
        r1 = rows if self.end_row is None else self.end_row
        c1 = cols if self.end_col is None else self.end_col
        return r0, max(r0, r1), c0, max(c0, c1)


def col_to_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def index_to_col(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def split_sheet(text: str) -> tuple[str | None, str]:
    """Split ``'It''s'!A1`` into ("It's", "A1"); a bare name is a whole sheet."""
    text = text.strip()
    if text.startswith("'"):
        i, name = 1, []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    name.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest and not rest.startswith("!"):
                    raise RangeError(text)
                return "".join(name), rest[1:]
            name.append(ch)
            i += 1
        raise RangeError(text)
    if "!" in text:
        sheet, _, cells = text.rpartition("!")
        return sheet, cells
    return None, text


def _point(text: str) -> tuple[int | None, int | None]:
    m = _CELL.match(text.strip())
    if not m or not (m.group(1) or m.group(2)):
        raise RangeError(text)
    col = col_to_index(m.group(1)) if m.group(1) else None
    row = int(m.group(2)) - 1 if m.group(2) else None
    if row is not None and row < 0:
        raise RangeError(text)
    return row, col


def parse_cells(text: str) -> Bounds:
    """Parse the part after '!': A1, A1:B2, A:B, 2:5, A2:B (open end)."""
    if not text:
        return Bounds(None, None, None, None)
    first, sep, second = text.partition(":")
    r0, c0 = _point(first)
    if not sep:
        if r0 is None or c0 is None:  # "A" alone or "5" alone is not a range
            raise RangeError(text)
        return Bounds(r0, r0 + 1, c0, c0 + 1)
    r1, c1 = _point(second)
    if (r0 is None) != (r1 is None) and r0 is None:
        raise RangeError(text)
    if c0 is None and c1 is not None:
        raise RangeError(text)
    start_row = r0 if r0 is not None else None
    end_row = r1 + 1 if r1 is not None else None
    start_col = c0
    end_col = c1 + 1 if c1 is not None else None
    if start_row is not None and end_row is not None and end_row <= start_row:
        start_row, end_row = end_row - 1, start_row + 1
    if start_col is not None and end_col is not None and end_col <= start_col:
        start_col, end_col = end_col - 1, start_col + 1
    if start_col is None and r0 is not None:  # 2:5 — whole rows
        return Bounds(start_row, end_row, None, None)
    return Bounds(start_row, end_row, start_col, end_col)


def quote_sheet(name: str) -> str:
    """Quote a sheet name when Google would: anything but letters, digits and '_'."""
    if _PLAIN_NAME.match(name) and not re.match(r"^[A-Za-z]{1,3}\d+$", name):
        return name
    return "'" + name.replace("'", "''") + "'"


def format_range(sheet: str, r0: int, r1: int, c0: int, c1: int) -> str:
    """``Sheet1!A1:D6`` (or ``Sheet1!D4`` for one cell), as Google echoes ranges."""
    first = f"{index_to_col(c0)}{r0 + 1}"
    last = f"{index_to_col(max(c1 - 1, c0))}{max(r1, r0 + 1)}"
    cells = first if first == last else f"{first}:{last}"
    return f"{quote_sheet(sheet)}!{cells}"
