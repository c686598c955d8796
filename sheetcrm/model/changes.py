"""The ChangeSet: what a run wants to change, computed before anything is sent.

Every writing command reads, diffs the desired state against what it read, and hands the
resulting ChangeSet to a backend. Edits address rows by record ID and columns by field
name, so the backend can find them again at write time even if teammates sorted or
inserted rows in between. ``render()`` is what ``--dry-run`` prints; ``model.diff``
builds ChangeSets from grids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.model.grid import AutoFilter, Validation
from sheetcrm.model.values import is_blank


class _Any:
    def __repr__(self) -> str:
        return "ANY"


#: ``SetCell.old`` when the edit does not depend on what the cell holds.
ANY: Any = _Any()


@dataclass(frozen=True)
class Expect:
    """Write nothing at all unless this field still holds ``value`` (optimistic locking)."""

    tab: str
    key: str
    field: str
    value: Any


@dataclass(frozen=True)
class AddTab:
    """Create a tab with a header row (hidden for system tabs)."""

    tab: str
    header: tuple[str, ...]
    hidden: bool = False


@dataclass(frozen=True)
class AddColumns:
    """Append missing sheetcrm columns after the last used column."""

    tab: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class SetLayout:
    """Bring a tab's presentation up to its declaration; only the parts that differ."""

    tab: str
    frozen_rows: int | None = None
    hidden: bool | None = None
    validations: tuple[tuple[str, Validation], ...] = ()
    number_formats: tuple[tuple[str, str], ...] = ()
    #: a filter over the header row and every data row (growing with the tab), set
    #: when the tab has none or one that misses rows or columns
    auto_filter: AutoFilter | None = None


@dataclass(frozen=True)
class StyleRule:
    """A conditional format over columns [first_col, last_col) of every data row: a formula
    (relative to row 2) with a fill and font colour, or a colour scale over numbers."""

    name: str
    kind: str  # "formula" or "scale"
    first_col: int
    last_col: int
    formula: str = ""
    fill: str | None = None
    font: str | None = None
    points: tuple[tuple[float, str], ...] = ()

    @property
    def signature(self) -> str:
        """What identifies the rule in a workbook (its name is not stored there)."""
        if self.kind == "scale":
            body = ";".join(f"{v:g}={c}" for v, c in self.points)
        else:
            body = f"{self.formula}|{self.fill or ''}|{self.font or ''}"
        return f"{self.kind}:{self.first_col}-{self.last_col}:{body}"


@dataclass(frozen=True)
class SetStyles:
    """Add conditional formats and remove ours that are no longer wanted (by signature)."""

    tab: str
    install: tuple[StyleRule, ...] = ()
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class Protect:
    """Warning-only protection ("you are editing a computed column") for columns
    [first_col, last_col), or the whole tab when they are None; replaces the protection
    with the same description."""

    tab: str
    description: str
    first_col: int | None = None
    last_col: int | None = None


@dataclass(frozen=True)
class Unprotect:
    tab: str
    description: str


@dataclass(frozen=True)
class CellFormula:
    """A formula for a generated cell, and the value to show where the function does not
    exist (e.g. Google's SPARKLINE in Excel or LibreOffice)."""

    text: str
    fallback: Any = None


@dataclass(frozen=True)
class Formatted:
    """A generated cell's value with the number format it is shown in (an amount in the
    workbook currency's money format)."""

    value: Any
    number_format: str


@dataclass(frozen=True)
class PutCells:
    """Write cells of a generated tab by position (row 0 is the first row); None clears.
    A value may be a ``CellFormula`` or a ``Formatted`` value."""

    tab: str
    cells: tuple[tuple[int, int, Any], ...]


@dataclass(frozen=True)
class ChartSpec:
    """A native chart drawn from ranges of its own tab (0-based, end-exclusive rows)."""

    title: str
    kind: str  # "line", "pie" or "bar"
    anchor: tuple[int, int]  # row, col of the top-left corner
    domain: tuple[int, int, int]  # col, first row, end row
    series: tuple[tuple[int, int, int], ...]  # (col, first row, end row) per series
    size: tuple[int, int] = (480, 288)  # pixels

    @property
    def key(self) -> str:
        """A stable id for the chart (also its Google Sheets chartId)."""
        import hashlib

        raw = repr((self.title, self.kind, self.anchor, self.domain, self.series, self.size))
        return str(int(hashlib.sha1(raw.encode()).hexdigest()[:7], 16))

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "anchor": list(self.anchor),
            "domain": list(self.domain),
            "series": [list(s) for s in self.series],
            "size": list(self.size),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChartSpec:
        series = tuple(tuple(s) for s in data["series"])
        size = tuple(data.get("size", (480, 288)))
        return cls(
            data["title"], data["kind"], tuple(data["anchor"]), tuple(data["domain"]), series, size
        )


@dataclass(frozen=True)
class SetCharts:
    """Add these charts and remove ours that are no longer declared (by key)."""

    tab: str
    install: tuple[ChartSpec, ...] = ()
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetCell:
    """Change one field of the record with ID ``key``.

    ``old`` is the cell's value when the change was planned; a backend skips the edit if
    the cell holds something else by the time it writes (a teammate edited it meanwhile).
    Leave it as ``ANY`` to write whatever the cell holds.
    """

    tab: str
    key: str
    field: str
    value: Any
    old: Any = ANY


@dataclass(frozen=True)
class AppendRow:
    """Add a record (field → typed value) after the last used row."""

    tab: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class DeleteRow:
    """Delete the row of the record with ID ``key``; always applied last."""

    tab: str
    key: str


Op = (
    Expect
    | AddTab
    | AddColumns
    | SetLayout
    | SetStyles
    | Protect
    | Unprotect
    | SetCell
    | AppendRow
    | DeleteRow
    | PutCells
    | SetCharts
)
_ORDER = {
    Expect: -1,
    AddTab: 0,
    AddColumns: 1,
    SetLayout: 2,
    Unprotect: 3,
    SetStyles: 4,
    Protect: 5,
    SetCell: 6,
    AppendRow: 7,
    PutCells: 7,
    SetCharts: 8,
    DeleteRow: 9,
}


@dataclass
class ChangeSet:
    """An ordered set of operations plus notes about what was deliberately left alone."""

    ops: list[Op] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *ops: Op) -> None:
        self.ops.extend(ops)

    def extend(self, ops: Iterable[Op]) -> None:
        self.ops.extend(ops)

    def ordered(self) -> list[Op]:
        """Tabs and columns first, deletions last (stable within each kind)."""
        return sorted(self.ops, key=lambda op: _ORDER[type(op)])

    def __bool__(self) -> bool:
        return any(not isinstance(op, Expect) for op in self.ops)

    def __len__(self) -> int:
        return len(self.ops)

    def tabs(self) -> list[str]:
        return list(dict.fromkeys(op.tab for op in self.ops))

    def counts(self) -> dict[str, int]:
        c = Counter(type(op).__name__ for op in self.ops)
        return {
            "tabs_added": c["AddTab"],
            "columns_added": sum(len(op.names) for op in self.ops if isinstance(op, AddColumns)),
            "layout_changes": c["SetLayout"] + c["SetStyles"] + c["Protect"] + c["Unprotect"],
            "cells_changed": c["SetCell"],
            "rows_appended": c["AppendRow"],
            "rows_deleted": c["DeleteRow"],
            "generated_cells": sum(len(op.cells) for op in self.ops if isinstance(op, PutCells)),
            "charts_changed": sum(
                len(op.install) + len(op.drop) for op in self.ops if isinstance(op, SetCharts)
            ),
        }

    def render(self, limit: int = 40) -> str:
        """A readable listing for --dry-run: one line per operation, grouped by tab."""
        if not self.ops:
            return "No changes."
        lines: list[str] = []
        counts = {k: v for k, v in self.counts().items() if v}
        lines.append("Plan: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))
        shown = 0
        for tab in self.tabs():
            ops = [op for op in self.ordered() if op.tab == tab]
            lines.append(f"{tab}:")
            for op in ops:
                if shown >= limit:
                    break
                lines.append("  " + _describe(op))
                shown += 1
        if shown < len(self.ops):
            lines.append(f"  … and {len(self.ops) - shown} more")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


def _short(value: Any) -> str:
    if value is ANY:
        return "…"
    text = repr(value.isoformat() if hasattr(value, "isoformat") else value)
    return text if len(text) <= 40 else text[:37] + "…'"


def _describe(op: Op) -> str:
    if isinstance(op, Expect):
        return f"? only if {op.key} {op.field} is still {_short(op.value)}"
    if isinstance(op, AddTab):
        return f"+ tab ({len(op.header)} columns{', hidden' if op.hidden else ''})"
    if isinstance(op, AddColumns):
        return "+ columns " + ", ".join(op.names)
    if isinstance(op, SetLayout):
        parts = []
        if op.frozen_rows is not None:
            parts.append(f"freeze {op.frozen_rows} row")
        if op.hidden is not None:
            parts.append("hide" if op.hidden else "show")
        if op.validations:
            parts.append("dropdowns on " + ", ".join(name for name, _ in op.validations))
        if op.number_formats:
            parts.append("formats on " + ", ".join(name for name, _ in op.number_formats))
        if op.auto_filter is not None:
            parts.append("filter on the header row")
        return "~ layout: " + "; ".join(parts)
    if isinstance(op, SetStyles):
        names = ", ".join(r.name for r in op.install)
        return f"~ colours: +{len(op.install)} ({names}) -{len(op.drop)}"
    if isinstance(op, Protect):
        return f"~ protect (warning only): {op.description}"
    if isinstance(op, Unprotect):
        return f"~ unprotect: {op.description}"
    if isinstance(op, PutCells):
        return f"~ {len(op.cells)} generated cells"
    if isinstance(op, SetCharts):
        return f"~ charts: +{len(op.install)} -{len(op.drop)}"
    if isinstance(op, SetCell):
        return f"~ {op.key} {op.field}: {_short(op.old)} → {_short(op.value)}"
    if isinstance(op, AppendRow):
        shown = [f"{k}={_short(v)}" for k, v in op.values.items() if not is_blank(v)][:4]
        return "+ row " + ", ".join(shown)
    return f"- row {op.key}"
