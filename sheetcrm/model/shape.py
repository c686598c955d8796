"""The JSON documents ``--format json`` prints: one envelope and one way of turning values
into JSON, so a script reads every command's output the same way.

Every document is an object with ``"schema"`` (``sheetcrm.run``, ``sheetcrm.summary`` …)
and ``"version"`` (1). Within a version, keys are only ever added, never renamed or
removed; a change that would break a reader bumps the version. Dates and date-times are ISO
8601 text, money and other amounts plain numbers, a blank value ``null``. The README
("Scripting") documents each shape.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Any

from sheetcrm.model.changes import ANY, ChangeSet, Op

#: The version of every document's shape (see the module doc for what may change within it).
VERSION = 1


def document(kind: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """``{"schema": "sheetcrm.<kind>", "version": 1, …body}``, every value made JSON."""
    return {"schema": f"sheetcrm.{kind}", "version": VERSION, **jsonable(dict(body))}


def dumps(doc: Mapping[str, Any]) -> str:
    """The document as printed: indented, non-ASCII kept (names in Persian stay readable)."""
    return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)


def jsonable(value: Any) -> Any:
    """``value`` as JSON data: ISO dates, plain numbers (NaN and infinity are blanks),
    paths and unknown objects as text, dataclasses and mappings as objects."""
    if value is None or value is ANY or isinstance(value, bool | str):
        return None if value is ANY else value
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else _whole(value, number)
    if isinstance(value, dt.date | dt.time):  # datetime too (pandas' NaT is one)
        return None if _is_missing(value) else value.isoformat()
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # a numpy or pandas scalar
        try:
            return jsonable(value.item())
        except (TypeError, ValueError):
            return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=lambda v: (str(type(v)), str(v)))
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if _is_missing(value):
        return None
    return str(value)


def _whole(value: float | Decimal, number: float) -> float | int:
    """A Decimal with no fraction (``Decimal('120')``) as an integer, else a float."""
    if isinstance(value, Decimal) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def _is_missing(value: Any) -> bool:
    """pandas' NaT and NA, which are neither numbers nor dates here."""
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _op_name(op: Op) -> str:
    """``SetCell`` → ``set_cell``."""
    name = type(op).__name__
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def plan(changes: ChangeSet) -> dict[str, Any]:
    """A plan as JSON: its counts (as ``ChangeSet.counts``), every operation in the order it
    is applied (``{"op": "set_cell", "tab": …, "key": …, "field": …, "value": …, "old": …}``)
    and its notes."""
    ops = []
    for op in changes.ordered():
        fields = {f.name: getattr(op, f.name) for f in dataclasses.fields(op)}
        ops.append({"op": _op_name(op), **jsonable(fields)})
    return {"counts": changes.counts(), "ops": ops, "notes": list(changes.notes)}
