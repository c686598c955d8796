"""The canonical values of choice fields and the spellings people use for them.

Formulas, colours and metrics use the canonical value (an English token: ``active``,
``in_progress``); whatever a person types or a form exports is folded onto it
(``normalize_token``) through the field's ``Vocabulary``: the business's own ``[vocab]``
tables in sheetcrm.toml first (one tab's field, then the field in every tab), then the
built-in spellings of ``vocabularies/{en,fa,bn}.toml`` (the tab's field, the field's
name, then the field it shares spellings with). The same files give each value its
label per language (``label``), the words checkbox columns read (``bool_words``) and
the column headers each field is known by (``header_words``).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sheetcrm.errors import ConfigError
from sheetcrm.model.values import normalize_token

#: Languages with built-in spellings, labels, catalogs and templates.
LANGUAGES = ("en", "fa", "bn")

SOURCES = (
    "website",
    "instagram",
    "facebook",
    "referral",
    "affiliate",
    "exhibition",
    "ads",
    "other",
    "search",  # found by searching (organic Google); paid search is ads
    "whatsapp",
    "telegram",
)
CHANNELS = (
    "email",
    "instagram",
    "facebook",
    "google_ads",
    "affiliate",
    "referral",
    "youtube",
    "blog",
    "other",
    "whatsapp",
    "telegram",
    "sms",
)

#: A field that ``[vocab.<field>]`` reaches under another name too: ``[vocab.source]`` is a
#: customer's ``lead_source`` as well as a lead's ``source`` (they hold the same values).
ALIASES = {"lead_source": "source"}

#: A field whose built-in spellings are another's too, after its own: a customer's
#: lead source is a lead's source, and a campaign channel is named like a source.
SHARES = {**ALIASES, "channel": "source"}

#: Tables of the vocabulary files that are not choice fields.
_BOOL, _HEADERS = "bool", "headers"

Entries = tuple[tuple[str, tuple[str, ...]], ...]  # (canonical, spellings), file order


@functools.cache
def builtin(language: str) -> dict[str, Entries]:
    """One language's file: table (``source``, ``Customers.status``, ``bool``, ``headers``)
    → its (canonical value, spellings) entries, in file order."""
    text = resources.files("sheetcrm.model").joinpath(f"vocabularies/{language}.toml")
    return file_tables(tomllib.loads(text.read_text(encoding="utf-8")))


def file_tables(data: Mapping[str, Mapping[str, Any]]) -> dict[str, Entries]:
    """A vocabulary file's TOML as its tables: ``[status]`` stays ``status``, and
    ``[Customers.status]`` (TOML's table ``status`` in ``Customers``) is ``Customers.status``."""
    out: dict[str, Entries] = {}
    for name, table in data.items():
        if all(isinstance(v, dict) for v in table.values()) and table:  # [Tab.field]
            for field_name, sub in table.items():
                out[f"{name}.{field_name}"] = tuple((k, tuple(v)) for k, v in sub.items())
        else:
            out[name] = tuple((k, tuple(v)) for k, v in table.items())
    return out


def _tables_of(key: str) -> tuple[str, ...]:
    """The built-in tables field ``key`` (``Tab.field`` or a field name) reads, first wins."""
    _, _, name = key.rpartition(".")
    own = (key, name) if key != name else (name,)
    shared = SHARES.get(name)
    return (*own, shared) if shared else own


def builtin_pairs(key: str) -> tuple[tuple[str, str], ...]:
    """Every built-in (spelling, canonical) of field ``key``, the most specific table first,
    each language in ``LANGUAGES`` order within it (a label is its value's first spelling)."""
    return _builtin_pairs(key)


@functools.cache
def _builtin_pairs(key: str) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for table in _tables_of(key):
        for language in LANGUAGES:
            for canonical, spellings in builtin(language).get(table, ()):
                pairs += [(s, canonical) for s in spellings]
    return tuple(pairs)


@functools.cache
def label(key: str, value: str, language: str | None) -> str:
    """How the choice ``value`` of field ``key`` (``Customers.status``) is shown in
    ``language`` (``[locale] labels``): the first spelling of the value in that language's
    vocabulary, the field's own table before a shared one; the canonical value itself
    when there is none (no language, or a value the business added)."""
    if not language or language not in LANGUAGES:
        return value
    tables = builtin(language)
    for table in _tables_of(key):
        for canonical, spellings in tables.get(table, ()):
            if canonical == value and spellings:
                return spellings[0]
    return value


@functools.cache
def bool_words() -> tuple[frozenset[str], frozenset[str]]:
    """The folded words that mean ticked and not ticked, in every language."""
    true: set[str] = set()
    false: set[str] = set()
    for language in LANGUAGES:
        entries = dict(builtin(language).get(_BOOL, ()))
        true |= {normalize_token(w) for w in entries.get("true", ())}
        false |= {normalize_token(w) for w in entries.get("false", ())}
    return frozenset(true), frozenset(false - true)


@functools.cache
def header_words() -> dict[str, tuple[str, ...]]:
    """Field name (or ``timestamp``) → the column headers that mean it, in every language."""
    out: dict[str, list[str]] = {}
    for language in LANGUAGES:
        for name, words in builtin(language).get(_HEADERS, ()):
            out.setdefault(name, []).extend(w for w in words if w not in out[name])
    return {name: tuple(words) for name, words in out.items()}


@dataclass(frozen=True)
class Vocabulary:
    """What people type for one choice field, each spelling with its canonical value.

    ``key`` names the field (``Leads.source``) for the ``[vocab]`` line an unknown value's
    message suggests. Hashable, so the codec built from it can be cached.
    """

    key: str = ""
    synonyms: tuple[tuple[str, str], ...] = ()  # (spelling, canonical), first wins

    def __hash__(self) -> int:  # a field's codec is looked up by it at every cell parsed
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash((self.key, self.synonyms))
            object.__setattr__(self, "_hash", cached)
        return cached


def vocabulary(
    key: str,
    values: tuple[str, ...],
    configured: Mapping[str, str] | None = None,
    general: Iterable[tuple[str, Mapping[str, str]]] = (),
) -> Vocabulary:
    """The vocabulary of the choice field ``key`` (``Tab.field``) with ``values``.

    First the spellings configured for this field (``[vocab."Tab.field"]``, checked: each
    maps to one of ``values``, matched ignoring case), then those for the field's name in
    every tab (``[vocab.field]``; a spelling of a value this field lacks is another tab's),
    then the built-in ones. A spelling may not be another value of the field, nor mean two
    values in one table."""
    canonical = {normalize_token(v): v for v in values}
    pairs: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    tables = [(f'[vocab."{key}"]', configured, True)]
    tables += [(f"[vocab.{name}]", words, False) for name, words in general]
    for table, words, strict in tables:
        mine: dict[str, str] = {}
        for alias, typed_target in (words or {}).items():
            where = f"{table} {alias!r}"
            target = canonical.get(normalize_token(typed_target))
            if target is None:
                if not strict:
                    continue
                raise ConfigError(
                    f"{where}: {typed_target!r} is not one of {key}'s values ({', '.join(values)})"
                )
            folded = normalize_token(alias)
            if not folded:
                raise ConfigError(f"{where}: a spelling needs a letter or digit")
            if canonical.get(folded, target) != target:
                raise ConfigError(f"{where}: that is already the value {canonical[folded]!r}")
            if mine.get(folded, target) != target:
                raise ConfigError(
                    f"{where}: the same spelling (ignoring case and spacing) already "
                    f"means {mine[folded]!r}"
                )
            mine[folded] = target
            if folded not in seen:  # the field's own table wins over the field in every tab
                seen[folded] = target
                pairs.append((alias, target))
    pairs += [
        (a, t) for a, t in builtin_pairs(key) if t in values and normalize_token(a) not in seen
    ]
    return Vocabulary(key, tuple(pairs))
