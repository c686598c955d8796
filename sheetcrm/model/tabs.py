"""The sheetcrm workbook's tabs, and the schema a configuration builds from them.

This module is the truth about columns; DESIGN.md's table is indicative. Custom fields and
extra enum values from ``sheetcrm.toml`` are added per tab by ``build_schema``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sheetcrm.errors import ConfigError
from sheetcrm.model.schema import Field, Schema, TabSchema
from sheetcrm.model.values import normalize_token
from sheetcrm.model.vocab import ALIASES, CHANNELS, SOURCES, vocabulary


def _f(name: str, type: str = "text", **kw: Any) -> Field:
    return Field(name, type, **kw)


def _computed(name: str, type: str = "number") -> Field:
    return Field(name, type, computed=True)


BASE_TABS: tuple[TabSchema, ...] = (
    TabSchema(
        "Customers",
        "C",
        (
            _f("customer_id", "id"),
            _f("name", required=True),
            _f("email", "email"),
            _f("phone", "phone"),
            _f("company"),
            _f("city"),
            _f("country"),
            _f("first_contact", "date"),
            _f("lead_source", "enum", values=SOURCES),
            _f("status", "enum", values=("prospect", "active", "inactive")),
            _f("products"),
            _f("opt_out", "bool"),
            _f("notes"),
            _computed("total_spent", "money"),
            _computed("orders", "integer"),
            _computed("avg_order_value", "money"),
            _computed("first_purchase", "date"),
            _computed("last_purchase", "date"),
            _computed("recency_days", "integer"),
            _computed("interactions", "integer"),
            _computed("last_contact", "date"),
            _computed("segment", "text"),
            _computed("rfm_score", "text"),
            _computed("rfm_segment", "text"),
        ),
    ),
    TabSchema(
        "Leads",
        "L",
        (
            _f("lead_id", "id"),
            _f("name", required=True),
            _f("email", "email"),
            _f("phone", "phone"),
            _f("company"),
            _f("source", "enum", values=SOURCES),
            _f("campaign_id", "id"),
            _f("referral_code"),
            _f("interest", "enum", values=("low", "medium", "high")),
            _f("contact_date", "date"),
            _f("status", "enum", values=("new", "contacted", "qualified", "converted", "lost")),
            _f("next_action"),
            _f("next_action_date", "date"),
            _f("owner"),
            _f("customer_id", "id"),
            _f("value", "money"),
            _f("opt_out", "bool"),
            _f("notes"),
            _computed("score", "integer"),
            _computed("urgency", "text"),
        ),
    ),
    TabSchema(
        "Interactions",
        "I",
        (
            _f("interaction_id", "id"),
            _f("date", "datetime", required=True),
            _f(
                "type",
                "enum",
                required=True,
                values=("call", "email", "meeting", "message", "purchase", "return", "note"),
            ),
            _f("customer_id", "id"),
            _f("lead_id", "id"),
            _f("summary"),
            _f("amount", "money"),
            _f("product"),
            _f("quantity", "number"),
            _f("order_id", "id"),
            _f("by"),
            _f("next_action"),
            _f("next_action_date", "date"),
        ),
    ),
    TabSchema(
        "Campaigns",
        "K",
        (
            _f("campaign_id", "id"),
            _f("name", required=True),
            _f("channel", "enum", values=CHANNELS),
            _f("start_date", "date"),
            _f("end_date", "date"),
            _f("budget", "money"),
            _f("goal"),
            _f("impressions", "integer"),
            _f("clicks", "integer"),
            _f("conversions", "integer"),
            _f("referral_code"),
            _computed("leads", "integer"),
            _computed("customers", "integer"),
            _computed("revenue", "money"),
            _computed("ctr", "percent"),
            _computed("conversion_rate", "percent"),
            _computed("cpa", "money"),
            _computed("roi", "percent"),
        ),
    ),
    TabSchema(
        "Tasks",
        "T",
        (
            _f("task_id", "id"),
            _f("title", required=True),
            _f("assignee"),
            _f("due_date", "date"),
            _f("status", "enum", values=("todo", "in_progress", "done")),
            _f("done", "bool"),
            _f("related_id", "id"),
            _f("description"),
            _computed("overdue", "bool"),
        ),
    ),
    TabSchema("_meta", "M", (_f("key", "id"), _f("value")), system=True, hidden=True),
    TabSchema(
        "_audit",
        "A",
        (
            _f("run_id", "id"),
            _f("at", "datetime"),
            _f("user"),
            _f("host"),
            _f("command"),
            _f("summary"),
        ),
        system=True,
        hidden=True,
    ),
    TabSchema(
        "_conflicts",
        "X",
        (
            _f("conflict_id", "id"),
            _f("at", "datetime"),
            _f("tab"),
            _f("record_id", "id"),
            _f("field"),
            _f("sheet_value"),
            _f("source_value"),
            _f("resolution"),
            _f("kind"),  # edit · formula · possible-duplicate
        ),
        system=True,
        hidden=True,
    ),
    TabSchema(
        "_sync",
        "S",
        (
            _f("key", "id"),
            _f("fields"),
            _f("at", "datetime"),
        ),
        system=True,
        hidden=True,
    ),
    TabSchema(
        "_quarantine",
        "Q",
        (
            _f("quarantine_id", "id"),
            _f("at", "datetime"),
            _f("source"),
            _f("row", "integer"),
            _f("column"),
            _f("value"),
            _f("reason"),
            _f("raw"),
            _f("status"),  # open · resolved (blank in rows older sheetcrm wrote: open)
            _f("kind"),  # row · cell
            _f("tab"),
            _f("last_seen", "datetime"),
            _f("spec"),  # JSON: tab, preset, map of the import (what retry re-uses)
        ),
        system=True,
        hidden=True,
    ),
)


#: The tabs that hold records, in the order sheetcrm reads them (the rest are its journal).
DATA_TABS: tuple[str, ...] = tuple(t.name for t in BASE_TABS if not t.system)


@dataclass(frozen=True)
class CustomField:
    """A column a business adds to a sheetcrm tab through the config."""

    tab: str
    name: str
    type: str
    values: tuple[str, ...] = ()
    required: bool = False


def build_schema(
    custom_fields: Iterable[CustomField] = (),
    extra_enum_values: Mapping[str, tuple[str, ...]] | None = None,
    vocab: Mapping[str, Mapping[str, str]] | None = None,
    partial_dates: Iterable[str] = (),
    vocab_values: Mapping[str, tuple[str, ...]] | None = None,
) -> Schema:
    """The base schema plus a business's custom fields and enum values (``Config.schema``),
    each choice field's vocabulary (``[vocab]``, keyed ``Tab.field`` or by a field name for
    every tab; ``vocab_values`` are the values its list form names, added when new), and
    the date fields that read partial dates against ``[dates] reference``."""
    tabs = {t.name: t for t in BASE_TABS}
    for key, extra in (extra_enum_values or {}).items():
        tab_name, field_name = key.split(".")
        tab = _data_tab(tabs, tab_name, f"[enums] {key}")
        f = tab.get(field_name)
        if f is None or f.type != "enum":
            raise ConfigError(f"[enums] {key}: {tab.name} has no enum field {field_name!r}")
        _add_values(tabs, tab, f, extra)
    for custom in custom_fields:
        tab = _data_tab(tabs, custom.tab, f"[fields.{custom.tab}]")
        if tab.get(custom.name):
            raise ConfigError(
                f"[fields.{custom.tab}.{custom.name}]: {tab.name} already has that field"
            )
        f = Field(custom.name, custom.type, custom.required, False, custom.values, True)
        tabs[tab.name] = _with_fields(tab, [*tab.fields, f])
    configured, general = _vocab_tables(tabs, vocab or {})
    for key, listed in (vocab_values or {}).items():
        _add_listed(tabs, key, listed)
    for name, words in general.items():
        _check_general(tabs, name, words)
    partial = {_field_key(tabs, key, "date", "[dates] partial") for key in partial_dates}
    for name, tab in list(tabs.items()):
        fields = []
        for f in tab.fields:
            key = f"{tab.name}.{f.name}"
            spellings = None
            if f.type == "enum":
                _check_enum(tab.name, f)
                names = dict.fromkeys((f.name, ALIASES.get(f.name, f.name)))
                by_name = [(n, general[n]) for n in names if n in general]
                spellings = vocabulary(key, f.values, configured.get(key), by_name)
            fields.append(replace(f, key=key, vocab=spellings, partial_dates=key in partial))
        tabs[name] = _with_fields(tab, fields)
    return Schema(tabs)


def _add_values(tabs: dict[str, TabSchema], tab: TabSchema, f: Field, extra: Iterable[str]) -> None:
    """Give the choice field ``f`` of ``tab`` the values of ``extra`` it lacks."""
    current = tabs[tab.name]
    f = current.field(f.name)
    new = replace(f, values=f.values + tuple(v for v in extra if v not in f.values))
    tabs[tab.name] = _with_fields(current, [new if g is f else g for g in current.fields])


def _vocab_tables(
    tabs: Mapping[str, TabSchema], vocab: Mapping[str, Mapping[str, str]]
) -> tuple[dict[str, Mapping[str, str]], dict[str, Mapping[str, str]]]:
    """``[vocab]`` split into one tab's field (``Tab.field`` as the schema spells it) and
    a field in every tab (by its name); a field given twice is an error."""
    configured: dict[str, Mapping[str, str]] = {}
    general: dict[str, Mapping[str, str]] = {}
    for key, words in vocab.items():
        if "." in key:
            name = _field_key(tabs, key, "enum", "[vocab]")
            if name in configured:  # "Leads.source" and "leads.Source": say so, not merge
                raise ConfigError(f"[vocab] {key!r}: {name} has a [vocab] table already")
            configured[name] = words
        else:
            names = {t.partition(".")[2] for t in _targets(tabs, key)}
            name = next((n for n in names if normalize_token(n) == normalize_token(key)), key)
            if name in general:
                raise ConfigError(f"[vocab] {key!r}: [vocab.{name}] is given already")
            general[name] = words
    return configured, general


def _targets(tabs: Mapping[str, TabSchema], key: str) -> list[str]:
    """The choice fields a ``[vocab]`` key names (``Tab.field``), in every tab for a field
    name (``source`` is ``Customers.lead_source`` too, ``vocab.ALIASES``)."""
    if "." in key:
        return [_field_key(tabs, key, "enum", "[vocab]")]
    wanted = normalize_token(key)
    found = [
        f"{tab.name}.{f.name}"
        for tab in tabs.values()
        if not tab.system
        for f in tab.fields
        if f.type == "enum" and wanted in {normalize_token(f.name), ALIASES.get(f.name)}
    ]
    if not found:
        names = sorted(
            {f.name for t in tabs.values() if not t.system for f in t.fields if f.type == "enum"}
        )
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.7)
        guess = f"did you mean {close[0]!r}? " if close else ""
        raise ConfigError(
            f"[vocab.{key}]: no tab has a choice field {key!r}; {guess}(they are: "
            f"{', '.join(names)}; for one tab's field write [vocab.Tab.field])"
        )
    return found


def _folded_values(tabs: Mapping[str, TabSchema], key: str) -> dict[str, str]:
    tab_name, _, field_name = key.partition(".")
    return {normalize_token(v): v for v in tabs[tab_name].field(field_name).values}


def _add_listed(tabs: dict[str, TabSchema], key: str, listed: Iterable[str]) -> None:
    """The values ``[vocab]``'s list form names (``tiktok = ["تیک تاک"]``): one that no
    field ``key`` names has becomes a value of each of them, unless it is close to a value
    they have (``instagarm``), which is a typo to fix rather than a value to add."""
    targets = _targets(tabs, key)
    where = f'[vocab."{key}"]' if "." in key else f"[vocab.{key}]"
    for value in listed:
        folded = normalize_token(value)
        if any(folded in _folded_values(tabs, t) for t in targets):
            continue
        known = {k: v for t in targets for k, v in _folded_values(tabs, t).items()}
        close = difflib.get_close_matches(folded, known, n=1, cutoff=0.8)
        if close:
            raise ConfigError(
                f"{where} {value!r}: not a value of {key}; did you mean {known[close[0]]!r}? "
                f"(to add {value!r} as a value of its own, list it under [enums])"
            )
        for t in targets:
            tab_name, _, field_name = t.partition(".")
            _add_values(tabs, tabs[tab_name], tabs[tab_name].field(field_name), (value,))


def _check_general(tabs: Mapping[str, TabSchema], name: str, words: Mapping[str, str]) -> None:
    """Each value ``[vocab.<field>]`` maps to is a value of that field in some tab."""
    targets = _targets(tabs, name)
    known = {k: v for t in targets for k, v in _folded_values(tabs, t).items()}
    for typed, value in words.items():
        if normalize_token(value) not in known:
            raise ConfigError(
                f"[vocab.{name}] {typed!r}: {value!r} is not a value of {name} in any tab "
                f"({', '.join(dict.fromkeys(known.values()))})"
            )


def _field_key(tabs: Mapping[str, TabSchema], key: str, kind: str, where: str) -> str:
    """``Tab.field`` as the schema spells it, for a field of ``kind`` (date: or datetime)."""
    tab_name, _, field_name = key.partition(".")
    tab = _data_tab(tabs, tab_name, f"{where} {key!r}")
    f = tab.get(field_name)
    kinds = ("date", "datetime") if kind == "date" else (kind,)
    if f is None or f.type not in kinds:
        names = [g.name for g in tab.fields if g.type in kinds]
        raise ConfigError(
            f"{where} {key!r}: {tab.name} has no {kind} field {field_name!r}"
            f" (its {kind} fields: {', '.join(names) or 'none'})"
        )
    return f"{tab.name}.{f.name}"


def _check_enum(tab: str, f: Field) -> None:
    """Enum values become a dropdown list: no commas, and at most 255 characters in all."""
    bad = [v for v in f.values if "," in v or '"' in v]
    if bad:
        raise ConfigError(f'{tab}.{f.name}: enum value {bad[0]!r} may not contain , or "')
    if len(",".join(f.values)) > 255:
        raise ConfigError(
            f"{tab}.{f.name}: the enum values add up to more than 255 characters, "
            "the most a spreadsheet dropdown list holds; shorten or drop some"
        )


def _data_tab(tabs: Mapping[str, TabSchema], name: str, where: str) -> TabSchema:
    for tab in tabs.values():
        if not tab.system and normalize_token(tab.name) == normalize_token(name):
            return tab
    raise ConfigError(f"{where}: no data tab named {name!r}")


def _with_fields(tab: TabSchema, fields: Iterable[Field]) -> TabSchema:
    return TabSchema(tab.name, tab.id_prefix, tuple(fields), tab.system, tab.hidden)
