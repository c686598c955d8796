"""Diffing: what to change so a tab holds the desired records and its declared layout.

Rows are found by record ID (``index_rows``), columns by header; the result is a
``ChangeSet`` that any backend can apply. Nothing here reads or writes a workbook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sheetcrm.errors import InputError
from sheetcrm.model.changes import AppendRow, ChangeSet, DeleteRow, SetCell, SetLayout
from sheetcrm.model.grid import (
    NUMBER_FORMATS,
    HeaderMap,
    Layout,
    TabGrid,
    Validation,
    header_key,
    map_header,
)
from sheetcrm.model.schema import TabSchema
from sheetcrm.model.values import ValueContext, is_blank, values_equal


def index_rows(grid: TabGrid, hm: HeaderMap, tab: TabSchema) -> dict[str, int]:
    """Map record ID → row index; a duplicated ID is an error (writes would be ambiguous)."""
    col = hm.index(tab.id_field)
    seen: dict[str, int] = {}
    for i, raw in enumerate(grid.column(col)):
        if is_blank(raw):
            continue
        key = str(raw).strip()
        if key in seen:
            raise InputError(
                f"{grid.name}: ID {key!r} appears in rows {seen[key] + 2} and {i + 2}; "
                "remove or re-ID the copy"
            )
        seen[key] = i
    return seen


def diff_tab(
    grid: TabGrid,
    tab: TabSchema,
    desired: Iterable[Mapping[str, Any]],
    ctx: ValueContext,
    *,
    delete_missing: bool = False,
) -> ChangeSet:
    """Cell edits for changed fields, appends for new IDs, deletions if asked.

    ``desired`` records may be partial: only the fields they name are compared. A cell
    holding a formula is never edited; the ChangeSet notes it instead.
    """
    hm = map_header(grid, tab)
    where = index_rows(grid, hm, tab)
    out = ChangeSet()
    wanted: set[str] = set()
    for record in desired:
        key = record.get(tab.id_field)
        if is_blank(key):
            raise InputError(f"{tab.name}: a record to write has no {tab.id_field}")
        key = str(key)
        wanted.add(key)
        row = where.get(key)
        if row is None:
            out.add(AppendRow(tab.name, dict(record)))
            continue
        for name, value in record.items():
            col = hm.index(tab.field(name).name)
            if (row, col) in grid.formulas:
                current = grid.cell(row, col)
                if not values_equal(current, value):
                    out.notes.append(f"{tab.name} {key} {name}: kept the formula in the cell")
                continue
            raw = grid.cell(row, col)
            if values_equal(raw, value):
                continue  # already there as typed: no need to parse it
            try:
                current = tab.field(name).parse(raw, ctx)
            except InputError:
                current = raw
            if not values_equal(current, value):
                out.add(SetCell(tab.name, key, tab.field(name).name, value, raw))
    if delete_missing:
        out.extend(DeleteRow(tab.name, key) for key in where if key not in wanted)
    return out


def declared_layout(tab: TabSchema) -> Layout:
    """The layout ``init`` gives a tab: frozen header, dropdowns, number formats."""
    validations: dict[str, Validation] = {}
    formats: dict[str, str] = {}
    for f in tab.fields:
        if f.computed:  # sheetcrm writes these; a dropdown would only invite edits
            pass
        elif f.type == "enum":
            validations[f.name] = Validation("list", f.values)
        elif f.type == "bool":
            validations[f.name] = Validation("bool")
        if f.type in NUMBER_FORMATS:
            formats[f.name] = NUMBER_FORMATS[f.type]
    return Layout(frozen_rows=1, hidden=tab.hidden, validations=validations, number_formats=formats)


def diff_layout(grid: TabGrid | None, tab: TabSchema) -> SetLayout | None:
    """The parts of the declared layout a tab lacks, or None when it is complete."""
    want = declared_layout(tab)
    have = grid.layout if grid else Layout()
    keyed_have_v = {header_key(k): v for k, v in have.validations.items()}
    keyed_have_f = {header_key(k): v for k, v in have.number_formats.items()}
    op = SetLayout(
        tab.name,
        frozen_rows=want.frozen_rows if have.frozen_rows != want.frozen_rows else None,
        hidden=want.hidden if have.hidden != want.hidden else None,
        validations=tuple(
            (k, v) for k, v in want.validations.items() if keyed_have_v.get(header_key(k)) != v
        ),
        number_formats=tuple(
            (k, v) for k, v in want.number_formats.items() if keyed_have_f.get(header_key(k)) != v
        ),
    )
    empty = SetLayout(tab.name)
    return None if op == empty else op
