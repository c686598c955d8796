"""The fields sheetcrm.toml names, and what it does to them: ``Tab.field`` (or a field
name, for that field in every tab) resolved against the schema's tabs, choice values
added (``[enums]``, ``[vocab]``'s list form) and ``[vocab]`` tables sorted by what they
reach. ``tabs.build_schema`` applies them in order."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import replace

from sheetcrm.errors import ConfigError
from sheetcrm.model.schema import Field, TabSchema
from sheetcrm.model.values import normalize_token
from sheetcrm.model.vocab import ALIASES


def add_values(tabs: dict[str, TabSchema], tab: TabSchema, f: Field, extra: Iterable[str]) -> None:
    """Give the choice field ``f`` of ``tab`` the values of ``extra`` it lacks."""
    current = tabs[tab.name]
    f = current.field(f.name)
    new = replace(f, values=f.values + tuple(v for v in extra if v not in f.values))
    tabs[tab.name] = with_fields(current, [new if g is f else g for g in current.fields])


def vocab_tables(
    tabs: Mapping[str, TabSchema], vocab: Mapping[str, Mapping[str, str]]
) -> tuple[dict[str, Mapping[str, str]], dict[str, Mapping[str, str]]]:
    """``[vocab]`` split into one tab's field (``Tab.field`` as the schema spells it) and
    a field in every tab (by its name); a field given twice is an error."""
    configured: dict[str, Mapping[str, str]] = {}
    general: dict[str, Mapping[str, str]] = {}
    for key, words in vocab.items():
        if "." in key:
            name = field_key(tabs, key, "enum", "[vocab]")
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
        return [field_key(tabs, key, "enum", "[vocab]")]
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


def add_listed(tabs: dict[str, TabSchema], key: str, listed: Iterable[str]) -> None:
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
            add_values(tabs, tabs[tab_name], tabs[tab_name].field(field_name), (value,))


def check_general(tabs: Mapping[str, TabSchema], name: str, words: Mapping[str, str]) -> None:
    """Each value ``[vocab.<field>]`` maps to is a value of that field in some tab."""
    targets = _targets(tabs, name)
    known = {k: v for t in targets for k, v in _folded_values(tabs, t).items()}
    for typed, value in words.items():
        if normalize_token(value) not in known:
            raise ConfigError(
                f"[vocab.{name}] {typed!r}: {value!r} is not a value of {name} in any tab "
                f"({', '.join(dict.fromkeys(known.values()))})"
            )


def field_key(tabs: Mapping[str, TabSchema], key: str, kind: str, where: str) -> str:
    """``Tab.field`` as the schema spells it, for a field of ``kind`` (date: or datetime)."""
    tab_name, _, field_name = key.partition(".")
    tab = data_tab(tabs, tab_name, f"{where} {key!r}")
    f = tab.get(field_name)
    kinds = ("date", "datetime") if kind == "date" else (kind,)
    if f is None or f.type not in kinds:
        names = [g.name for g in tab.fields if g.type in kinds]
        raise ConfigError(
            f"{where} {key!r}: {tab.name} has no {kind} field {field_name!r}"
            f" (its {kind} fields: {', '.join(names) or 'none'})"
        )
    return f"{tab.name}.{f.name}"


def data_tab(tabs: Mapping[str, TabSchema], name: str, where: str) -> TabSchema:
    for tab in tabs.values():
        if not tab.system and normalize_token(tab.name) == normalize_token(name):
            return tab
    raise ConfigError(f"{where}: no data tab named {name!r}")


def with_fields(tab: TabSchema, fields: Iterable[Field]) -> TabSchema:
    return TabSchema(tab.name, tab.id_prefix, tuple(fields), tab.system, tab.hidden, tab.optional)
