"""The message for an import with no column for a field its new records need: the field,
the columns the import did not use that might hold it (likeliest first: a known spelling
of the field in any language, a name close to one, values that parse as the field's type)
and the exact ``--map`` to type."""

from __future__ import annotations

import contextlib
import difflib
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

from sheetcrm.errors import ValueParseError
from sheetcrm.ingest.mapping import SYNONYMS
from sheetcrm.ingest.readers import SourceTable
from sheetcrm.model.schema import Field, TabSchema
from sheetcrm.model.values import ValueContext, is_blank, normalize_token
from sheetcrm.run import plural


def _spellings(name: str) -> list[str]:
    """A field's name and every spelling ``SYNONYMS`` knows for it, normalised."""
    return [normalize_token(w) for w in (name, *SYNONYMS.get(name, ()))]


def _likeness(column: str, f: Field, values: list[Any], ctx: ValueContext) -> tuple[float, ...]:
    """How much ``column`` looks like it holds ``f``, for sorting (higher first): a known
    spelling of the field, a name close to one, then how many of its values parse as the
    field's type (nothing for text, which everything is)."""
    key = normalize_token(column)
    spelled = key in _spellings(f.name)
    close = max(
        (difflib.SequenceMatcher(None, key, s).ratio() for s in _spellings(f.name)), default=0
    )
    parsed = 0.0
    if f.type != "text" and values:
        ok = 0
        for v in values:
            with contextlib.suppress(ValueParseError):
                ok += f.parse(v, ctx) is not None
        parsed = ok / len(values)
    return (float(spelled), float(close >= 0.6 or parsed >= 0.8), parsed, close)


def likely_columns(
    columns: list[str], f: Field, rows: Iterable[Mapping[str, Any]], ctx: ValueContext
) -> list[str]:
    """``columns`` (ones the import ignored), the likeliest to hold ``f`` first (judged on
    the first 20 rows' values)."""
    sample: dict[str, list[Any]] = {c: [] for c in columns}
    for n, row in enumerate(rows):
        if n >= 20:
            break
        for c in columns:
            if not is_blank(row.get(c)):
                sample[c].append(row.get(c))
    score = {c: _likeness(c, f, sample[c], ctx) for c in columns}
    return sorted(columns, key=lambda c: score[c], reverse=True)


def map_hint(column: str, field_name: str) -> str:
    """The ``--map`` option to type, quoted for a POSIX shell."""
    pair = f"{column}={field_name}"
    return f"--map {shlex.quote(pair)}" if "'" in pair else f"--map '{pair}'"


def missing_column(
    table: SourceTable, tab: TabSchema, f: Field, ignored: list[str], rows: int, ctx: ValueContext
) -> str:
    """The one message for an input with no column for a field its new records need:
    the field, the unused columns that might hold it (likeliest first) and the ``--map``."""
    head = (
        f"{table.name}: no column maps to {f.name!r}, which every new {tab.name} record "
        f"needs ({plural(rows, 'row')}, none of them in {tab.name} yet; nothing was imported)"
    )
    if not ignored:
        return f"{head}; the file has no other column: add one named {f.name!r}"
    ranked = likely_columns(ignored, f, (r.values for r in table), ctx)
    shown = ", ".join(repr(c) for c in ranked[:5])
    more = f" and {len(ranked) - 5} more" if len(ranked) > 5 else ""
    return f"{head}. Columns not imported: {shown}{more}. If {ranked[0]!r} holds it: " + map_hint(
        ranked[0], f.name
    )
