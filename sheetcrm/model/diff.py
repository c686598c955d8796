"""Diffing: what to change so a tab holds the desired records and its declared layout.

Rows are found by record ID (``index_rows``), columns by header; the result is a
``ChangeSet`` that any backend can apply. Nothing here reads or writes a workbook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from sheetcrm.errors import InputError
from sheetcrm.model import vocab
from sheetcrm.model.changes import AppendRow, ChangeSet, DeleteRow, Op, SetCell, SetLayout
from sheetcrm.model.grid import (
    AutoFilter,
    HeaderMap,
    Layout,
    TabGrid,
    Validation,
    header_key,
    map_header,
    number_formats,
)
from sheetcrm.model.numformat import is_money_format, same_format
from sheetcrm.model.schema import Schema, TabSchema
from sheetcrm.model.values import ValueContext, is_blank, values_equal
from sheetcrm.model.vocab import LANGUAGES

#: What a dropdown may show: canonical values, or the labels of one language.
LABELLINGS: tuple[str | None, ...] = (None, *LANGUAGES)


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
    holding a formula is never edited; the ChangeSet notes it instead. A cell holding a
    choice's label (or any spelling of the same value) is unchanged, so a sheet that
    shows labels (``labelled``) plans nothing on a re-run.
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


#: ``diff_layout``'s ``labels`` when the caller does not say: dropdowns of canonical values
#: or of any language's labels are all complete (no repair back and forth).
ANY_LABELS = "*"


def declared_layout(
    tab: TabSchema, ctx: ValueContext | None = None, labels: str | None = None
) -> Layout:
    """The layout ``init`` gives a tab: frozen header, dropdowns (of the choice values, or
    their ``labels`` in that language), number formats (money in ``ctx.currency``)."""
    validations: dict[str, Validation] = {}
    formats: dict[str, str] = {}
    table = number_formats(ctx.currency if ctx is not None else None)
    for f in tab.fields:
        if f.computed:  # sheetcrm writes these; a dropdown would only invite edits
            pass
        elif f.type == "enum":
            validations[f.name] = Validation("list", shown_values(tab, f.name, labels))
        elif f.type == "bool":
            validations[f.name] = Validation("bool")
        if f.type in table:
            formats[f.name] = table[f.type]
    return Layout(
        frozen_rows=1,
        hidden=tab.hidden,
        validations=validations,
        number_formats=formats,
        auto_filter=None if tab.system else AutoFilter(end_col=len(tab.columns)),
    )


def shown_values(tab: TabSchema, name: str, labels: str | None) -> tuple[str, ...]:
    """The values of a choice field as the sheet shows them: canonical, or labels."""
    f = tab.field(name)
    if not labels or labels == ANY_LABELS:
        return tuple(f.values)
    return tuple(vocab.label(f"{tab.name}.{f.name}", v, labels) for v in f.values)


def shown(tab: TabSchema, name: str, value: Any, labels: str | None) -> Any:
    """A value as sheetcrm writes it into the cell: a choice's canonical value as its
    label in ``labels`` (``[locale] labels``), anything else as it is."""
    f = tab.get(name)
    if not labels or labels == ANY_LABELS or f is None or f.type != "enum":
        return value
    if not isinstance(value, str) or value not in f.values:
        return value
    return vocab.label(f"{tab.name}.{f.name}", value, labels)


def labelled(ops: Iterable[Op], schema: Schema, labels: str | None) -> list[Op]:
    """The operations with every choice value they write shown as its label in
    ``labels`` (canonical values otherwise): what every writing run sends, so imports,
    edits and refreshes all write what the sheet shows. Idempotent."""
    if not labels:
        return list(ops)
    out: list[Op] = []
    for op in ops:
        tab = schema.tabs.get(op.tab)
        if tab is None:
            out.append(op)
        elif isinstance(op, SetCell):
            out.append(replace(op, value=shown(tab, op.field, op.value, labels)))
        elif isinstance(op, AppendRow):
            values = {k: shown(tab, k, v, labels) for k, v in op.values.items()}
            out.append(replace(op, values=values))
        else:
            out.append(op)
    return out


def diff_layout(
    grid: TabGrid | None,
    tab: TabSchema,
    ctx: ValueContext | None = None,
    labels: str | None = ANY_LABELS,
) -> SetLayout | None:
    """The parts of the declared layout a tab lacks or has stale (a money format of another
    currency, a dropdown in another language), or None when it is complete.

    Without ``ctx`` any money format sheetcrm writes is complete, and with the default
    ``labels`` any language's dropdown is: a caller that does not know the settings
    never undoes what one that does wrote."""
    want = declared_layout(tab, ctx, None if labels == ANY_LABELS else labels)
    have = grid.layout if grid else Layout()
    keyed_have_v = {header_key(k): v for k, v in have.validations.items()}
    keyed_have_f = {header_key(k): v for k, v in have.number_formats.items()}

    def format_ok(name: str, code: str) -> bool:
        current = keyed_have_f.get(header_key(name))
        if ctx is None and tab.field(name).type == "money":
            return is_money_format(current)
        return same_format(current, code)

    def dropdown_ok(name: str, rule: Validation) -> bool:
        current = keyed_have_v.get(header_key(name))
        if labels == ANY_LABELS and rule.kind == "list" and current is not None:
            return current.values in {shown_values(tab, name, lang) for lang in LABELLINGS}
        return current == rule

    op = SetLayout(
        tab.name,
        frozen_rows=want.frozen_rows if have.frozen_rows != want.frozen_rows else None,
        hidden=want.hidden if have.hidden != want.hidden else None,
        validations=tuple((k, v) for k, v in want.validations.items() if not dropdown_ok(k, v)),
        number_formats=tuple((k, v) for k, v in want.number_formats.items() if not format_ok(k, v)),
        auto_filter=filter_wanted(grid, tab),
    )
    empty = SetLayout(tab.name)
    return None if op == empty else op


def filter_wanted(grid: TabGrid | None, tab: TabSchema) -> AutoFilter | None:
    """The filter a data tab should get: None when its filter already spans the header
    row, every sheetcrm column and every data row; else one that does, keeping the
    criteria and sort someone set on the old one. System tabs get none."""
    if tab.system:
        return None
    header = grid.header if grid else []
    ours = [i + 1 for i, h in enumerate(header) if not is_blank(h) and tab.get(str(h))]
    width = max(ours, default=len(tab.columns))
    if grid is not None:  # columns a repair adds go after the last one: cover them too
        try:
            found = set(map_header(grid, tab, allow_missing=True).columns)
        except InputError:
            found = set(tab.columns)
        missing = sum(1 for name in tab.columns if name not in found)
        if missing:
            width = max(width, grid.width + missing)
    have = grid.layout.auto_filter if grid else None
    if have is not None and have.covers(width, len(grid.rows) if grid else 0):
        return None
    return AutoFilter(end_col=max(width, grid.width if grid else 0), keep=have.keep if have else "")


def relabel_cells(
    grid: TabGrid, tab: TabSchema, ctx: ValueContext, labels: str | None
) -> list[SetCell]:
    """Edits that make choice cells show ``labels`` (or the canonical value when None):
    after ``[locale] labels`` changed, every cell holding a canonical value or a label
    sheetcrm writes is rewritten, so the sheet reads in one language. Spellings people
    typed themselves (``IG``) and cells that do not parse are left as they are."""
    hm = map_header(grid, tab, allow_missing=True)
    if tab.id_field not in hm.columns:
        return []
    ids = list(grid.column(hm.index(tab.id_field)))
    out: list[SetCell] = []
    for f in tab.fields:
        if f.type != "enum" or f.computed or f.name not in hm.columns:
            continue
        for row, raw in enumerate(grid.column(hm.index(f.name))):
            key = ids[row] if row < len(ids) else None
            if (
                is_blank(key)
                or not isinstance(raw, str)
                or (row, hm.index(f.name)) in grid.formulas
            ):
                continue
            try:
                value = f.parse(raw, ctx)
            except InputError:
                continue
            if not isinstance(value, str):
                continue
            ours = {shown(tab, f.name, value, lang) for lang in LABELLINGS}
            want = shown(tab, f.name, value, labels)
            if raw in ours and raw != want:
                out.append(SetCell(tab.name, str(key).strip(), f.name, want, raw))
    return out
