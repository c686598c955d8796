"""Declarative segment rules: parsed from ``sheetcrm.toml``, evaluated in pandas, and
emitted as spreadsheet formulas for live conditional formatting.

A rule is a list of conditions ``{field, op, value}`` joined by ``match = "all"`` or
``"any"``. Nothing from the config or the sheet is ever passed to ``eval``/``exec`` or
``DataFrame.query``: operators come from a fixed table. The first segment whose rule
matches a customer names it; a segment with no conditions matches everyone left.

    [[segments]]
    name = "VIP"
    color = "#FFE599"
    when = [{ field = "total_spent", op = "top percent", value = 10 }]
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sheetcrm.analytics.frames import moment
from sheetcrm.errors import ConfigError
from sheetcrm.model.schema import TabSchema

NUMERIC_OPS = {
    ">",
    ">=",
    "<",
    "<=",
    "top percent",
    "bottom percent",
    "within days",
    "older than days",
}
OPS = NUMERIC_OPS | {"==", "!=", "in", "not in", "contains", "is blank", "not blank"}

#: The default "unhappy" rule's threshold: a last score of 2 or less (of 5). With
#: ``[satisfaction]`` the threshold is its ``unhappy_at`` (``segment_rules``).
UNHAPPY_AT = 2

#: The segments without ``[[segments]]``. "unhappy" comes first: a VIP whose last score
#: was 1 must be seen as unhappy before anything else.
DEFAULT_SEGMENTS: list[dict[str, Any]] = [
    {
        "name": "unhappy",
        "color": "#F4CCCC",
        "font": "#990000",
        "when": [{"field": "last_satisfaction", "op": "<=", "value": UNHAPPY_AT}],
    },
    {
        "name": "VIP",
        "color": "#FFE599",
        "when": [
            {"field": "total_spent", "op": "top percent", "value": 10},
            {"field": "total_spent", "op": ">", "value": 0},
        ],
    },
    {
        "name": "inactive",
        "color": "#D9D9D9",
        "font": "#7F7F7F",
        "when": [{"field": "last_activity", "op": "older than days", "value": 180}],
    },
    {
        "name": "new",
        "color": "#DDEBF7",
        "when": [{"field": "first_contact", "op": "within days", "value": 30}],
    },
    {"name": "regular", "when": []},
]


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class Rule:
    """A named rule: its conditions, how they combine, and how matching rows look."""

    name: str
    conditions: tuple[Condition, ...] = ()
    match: str = "all"
    color: str | None = None
    font: str | None = None


@dataclass
class Evaluation:
    """Which rows a rule matched, and the numbers (e.g. a percentile) it compared with."""

    mask: pd.Series
    thresholds: dict[int, float] = field(default_factory=dict)


def _color(value: Any, where: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if len(text) == 7 and text.startswith("#"):
        try:
            int(text[1:], 16)
            return text.upper()
        except ValueError:
            pass
    raise ConfigError(f"{where}: {value!r} is not a colour like '#FFE599'")


def parse_rules(specs: Any, tab: TabSchema, where: str) -> list[Rule]:
    """Validate rule tables from the config against the tab's fields; one clear error."""
    if not isinstance(specs, list) or not all(isinstance(s, Mapping) for s in specs):
        raise ConfigError(f"{where}: expected a list of tables ([[segments]] blocks)")
    rules = []
    for i, spec in enumerate(specs):
        at = f"{where}[{i}]"
        unknown = set(spec) - {"name", "when", "match", "color", "font"}
        if unknown:
            raise ConfigError(f"{at}: unknown key {sorted(unknown)[0]!r}")
        name = spec.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{at}: every rule needs a name")
        match = spec.get("match", "all")
        if match not in ("all", "any"):
            raise ConfigError(f"{at} ({name}): match must be 'all' or 'any', not {match!r}")
        conditions = []
        for j, cond in enumerate(spec.get("when", [])):
            conditions.append(_condition(cond, tab, f"{at} ({name}) when[{j}]"))
        rules.append(
            Rule(
                name.strip(),
                tuple(conditions),
                match,
                _color(spec.get("color"), at),
                _color(spec.get("font"), at),
            )
        )
    return rules


def _condition(cond: Any, tab: TabSchema, at: str) -> Condition:
    if not isinstance(cond, Mapping):
        raise ConfigError(f"{at}: expected {{ field = …, op = …, value = … }}")
    name, op, value = cond.get("field"), cond.get("op"), cond.get("value")
    f = tab.get(str(name)) if name else None
    if f is None:
        raise ConfigError(f"{at}: {tab.name} has no field {name!r}")
    if op not in OPS:
        raise ConfigError(f"{at}: unknown operator {op!r} (use one of: {', '.join(sorted(OPS))})")
    if op in NUMERIC_OPS:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise ConfigError(f"{at}: {op!r} needs a number, got {value!r}")
        if op in ("within days", "older than days") and f.type not in ("date", "datetime"):
            raise ConfigError(f"{at}: {op!r} needs a date field; {f.name} is {f.type}")
    if op in ("in", "not in") and not isinstance(value, list):
        raise ConfigError(f"{at}: {op!r} needs a list of values")
    return Condition(f.name, op, value)


def evaluate(rule: Rule, frame: pd.DataFrame, as_of: dt.date) -> Evaluation:
    """Rows of ``frame`` the rule matches (vectorised; blank values never match a test)."""
    result = Evaluation(pd.Series(True, index=frame.index))
    if not rule.conditions:
        return result
    masks = []
    for i, cond in enumerate(rule.conditions):
        column = frame[cond.field] if cond.field in frame else pd.Series(None, index=frame.index)
        mask, threshold = _test(cond, column, as_of)
        if threshold is not None:
            result.thresholds[i] = threshold
        masks.append(mask.fillna(False).astype(bool))
    combined = np.logical_and.reduce(masks) if rule.match == "all" else np.logical_or.reduce(masks)
    result.mask = pd.Series(combined, index=frame.index)
    return result


def _test(cond: Condition, column: pd.Series, as_of: dt.date) -> tuple[pd.Series, float | None]:
    op, value = cond.op, cond.value
    blank = column.isna() | (column.astype(str).str.strip() == "")
    if op == "is blank":
        return blank, None
    if op == "not blank":
        return ~blank, None
    if op in ("within days", "older than days"):
        days = (pd.Timestamp(as_of) - moment(column)).dt.days  # a refused date: no age
        return (days <= value) if op == "within days" else (days > value), None
    if op in NUMERIC_OPS:
        numbers = pd.to_numeric(column, errors="coerce")
        if op in ("top percent", "bottom percent"):
            present = numbers.dropna()
            if present.empty:
                return pd.Series(False, index=column.index), None
            q = 1 - value / 100 if op == "top percent" else value / 100
            threshold = float(present.quantile(min(max(q, 0.0), 1.0)))
            mask = numbers >= threshold if op == "top percent" else numbers <= threshold
            return mask, threshold
        compare = {">": numbers.gt, ">=": numbers.ge, "<": numbers.lt, "<=": numbers.le}[op]
        return compare(value), None
    text = column.astype(str).str.strip().str.casefold().where(~blank, None)
    if op in ("==", "!="):
        hit = text == str(value).strip().casefold()
        return (hit if op == "==" else ~hit & ~blank), None
    if op in ("in", "not in"):
        hit = text.isin([str(v).strip().casefold() for v in value])
        return (hit if op == "in" else ~hit & ~blank), None
    return text.str.contains(str(value).casefold(), regex=False), None  # contains


def _quote(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    return '"' + str(value).replace('"', '""') + '"'


def formula(rule: Rule, letters: Mapping[str, str], evaluation: Evaluation | None = None) -> str:
    """The rule as a spreadsheet formula for row 2 (relative rows, absolute columns)."""
    parts = []
    for i, cond in enumerate(rule.conditions):
        ref = f"${letters[cond.field]}2"
        op, value = cond.op, cond.value
        if op == "is blank":
            parts.append(f'{ref}=""')
        elif op == "not blank":
            parts.append(f'{ref}<>""')
        elif op == "within days":
            parts.append(f'AND({ref}<>"",TODAY()-{ref}<={value})')
        elif op == "older than days":
            parts.append(f'AND({ref}<>"",TODAY()-{ref}>{value})')
        elif op in ("top percent", "bottom percent"):
            threshold = evaluation.thresholds.get(i) if evaluation else None
            if threshold is None:
                parts.append("FALSE")
            else:
                sign = ">=" if op == "top percent" else "<="
                parts.append(f'AND({ref}<>"",{ref}{sign}{round(threshold, 4)})')
        elif op in (">", ">=", "<", "<="):
            parts.append(f'AND({ref}<>"",{ref}{op}{_quote(value)})')
        elif op == "==":
            parts.append(f"{ref}={_quote(value)}")
        elif op == "!=":
            parts.append(f'AND({ref}<>"",{ref}<>{_quote(value)})')
        elif op in ("in", "not in"):
            any_of = "OR(" + ",".join(f"{ref}={_quote(v)}" for v in value) + ")"
            parts.append(any_of if op == "in" else f'AND({ref}<>"",NOT({any_of}))')
        else:  # contains
            parts.append(f"ISNUMBER(SEARCH({_quote(value)},{ref}))")
    if not parts:
        return "=TRUE"
    if len(parts) == 1:
        return "=" + parts[0]
    return "=" + ("AND(" if rule.match == "all" else "OR(") + ",".join(parts) + ")"


def default_segments(unhappy_at: float = UNHAPPY_AT) -> list[dict[str, Any]]:
    """The default segments, "unhappy" at or below ``unhappy_at`` (``[satisfaction]``)."""
    out = [dict(spec) for spec in DEFAULT_SEGMENTS]
    out[0]["when"] = [{"field": "last_satisfaction", "op": "<=", "value": unhappy_at}]
    return out


def segment_rules(config_value: Any, tab: TabSchema, unhappy_at: float | None = None) -> list[Rule]:
    """The configured segments (or the defaults, "unhappy" at ``unhappy_at`` — the
    ``[satisfaction]`` threshold — when given), validated."""
    if config_value is not None:
        specs = config_value
    else:
        specs = default_segments(UNHAPPY_AT if unhappy_at is None else unhappy_at)
    return parse_rules(specs, tab, "sheetcrm.toml [[segments]]")


def assign_segments(
    rules: list[Rule], frame: pd.DataFrame, as_of: dt.date
) -> tuple[pd.Series, dict[str, Evaluation]]:
    """The first matching segment per row (None when no rule matches)."""
    out = pd.Series(None, index=frame.index, dtype=object)
    evaluations = {}
    for rule in rules:
        ev = evaluate(rule, frame, as_of)
        evaluations[rule.name] = ev
        out = out.where(out.notna() | ~ev.mask, rule.name)
    return out, evaluations
