"""The schema's types: a tab, its typed fields, and the whole workbook's set of tabs.

Fields are *human* (teammates own them; sheetcrm only fills them on import) or *computed*
(sheetcrm rewrites them on refresh). The tabs themselves are declared in ``model.tabs``.

Imports parse rows with ``TabSchema.parse_lenient``, which decides what one bad cell costs:

- the **whole row** when the cell is what identifies the record or is required: the ID,
  a required field, or a key of ``model.ids.KEYS`` (e-mail, phone, order id, referral
  code…) when the row has no other usable key or ID — imported without it, the row would
  match nothing and could make a second record of someone already there;
- **only the cell** otherwise: it is left out (the sheet's value stays, a new record has
  it blank) and reported, and the rest of the row is imported;
- **nothing** for consent (``CONSENT``: ``opt_out``): a value that cannot be read is taken
  as TRUE, reported, and the row's required fields do not hold it back (an unsubscribe is
  applied even when every other cell is bad). A wrongly kept opt-out costs one message
  not sent; a dropped one mails someone who asked not to be mailed.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.errors import ApproximateValue, ConfigError, ValueParseError
from sheetcrm.model.codecs import CODECS, DATE_TYPES, EnumCodec, date_codec
from sheetcrm.model.ids import KEYS, new_id
from sheetcrm.model.values import Codec, ValueContext, is_blank, normalize_token
from sheetcrm.model.vocab import Vocabulary, vocabulary

SCHEMA_VERSION = 1

#: Fields that record a person's consent: never dropped by an import (module docstring).
CONSENT = frozenset({"opt_out"})


@dataclass(frozen=True)
class Field:
    """One column of a sheetcrm tab."""

    name: str
    type: str = "text"
    required: bool = False
    computed: bool = False
    values: tuple[str, ...] = ()
    custom: bool = False
    vocab: Vocabulary | None = None  # a choice field's spellings (``build_schema`` sets it)
    partial_dates: bool = False  # "5 Mar", "yesterday" read against [dates] reference
    key: str = field(default="", compare=False)  # "Leads.source", for hints (build_schema)

    @property
    def codec(self) -> Codec:
        if self.type == "enum":
            return _enum_codec(self.values, self.vocab)
        if self.type in DATE_TYPES:
            return date_codec(self.type, partial=self.partial_dates, field_key=self.key)
        return CODECS[self.type]

    def parse(self, raw: Any, ctx: ValueContext) -> Any:
        """Parse one raw value; the error names this column."""
        try:
            return self.codec.parse(raw, ctx)
        except ValueParseError as exc:
            raise exc.located(column=self.name) from None


#: One codec per (values, vocabulary): a field's spellings and its name are part of the key,
#: so two fields with the same values but different ``[vocab]`` tables never share one.
_ENUM_CACHE: dict[tuple[tuple[str, ...], Vocabulary | None], EnumCodec] = {}


def _enum_codec(values: tuple[str, ...], vocab: Vocabulary | None) -> EnumCodec:
    codec = _ENUM_CACHE.get((values, vocab))
    if codec is None:
        words = vocab or vocabulary("", values)  # a Field built outside build_schema
        codec = EnumCodec(values, dict(words.synonyms), field_key=words.key)
        _ENUM_CACHE[(values, vocab)] = codec
    return codec


@dataclass
class Lenient:
    """A row parsed as far as it goes (``TabSchema.parse_lenient``): the record without
    its unusable cells, an error per cell left out (or, for consent, taken as TRUE), and
    ``error`` when the row as a whole cannot be used (then nothing of it is imported)."""

    record: dict[str, Any]
    cells: list[ValueParseError] = field(default_factory=list)
    error: ValueParseError | None = None


@dataclass(frozen=True)
class TabSchema:
    """A tab: its ID column first, then its fields in their default order."""

    name: str
    id_prefix: str
    fields: tuple[Field, ...]
    system: bool = False
    hidden: bool = False
    #: a seller's tab (Orders, Returns, Earnings): ``init`` adds it only when asked and the
    #: first import into it creates it; reading a workbook without it reads it as empty
    optional: bool = False
    _index: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({normalize_token(f.name): f for f in self.fields})
        self._index.update({f.name: f for f in self.fields})  # exact names: no folding needed

    @property
    def id_field(self) -> str:
        return self.fields[0].name

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def get(self, name: str) -> Field | None:
        """The field a header names (case, spaces and '_'/'-' ignored), or None."""
        found = self._index.get(name)
        return found if found is not None else self._index.get(normalize_token(name))

    def field(self, name: str) -> Field:
        found = self.get(name)
        if found is None:
            raise ConfigError(f"{self.name} has no field {name!r}")
        return found

    def new_id(self, rng: random.Random | None = None, now: float | None = None) -> str:
        return new_id(self.id_prefix, rng=rng, now=now)

    def parse_record(
        self, raw: Mapping[str, Any], ctx: ValueContext, *, row: int | None = None
    ) -> dict[str, Any]:
        """Parse a mapping of field → raw value; errors name this tab, the row and column.

        Records may be partial (an update names only what changes), but a required field
        that is given must not be blank.
        """
        out: dict[str, Any] = {}
        for name, value in raw.items():
            f = self.field(name)
            try:
                out[f.name] = f.parse(value, ctx)
            except ValueParseError as exc:
                raise exc.located(tab=self.name, row=row) from None
            if f.required and out[f.name] is None:
                raise ValueParseError(
                    "a value (the field is required)",
                    value,
                    tab=self.name,
                    row=row,
                    column=f.name,
                )
        return out

    def identity_fields(self) -> tuple[str, ...]:
        """The ID and the key fields (``KEYS``) that say which record a row is."""
        keys = KEYS.get(self.name, ())
        return keys if self.id_field in keys else (self.id_field, *keys)

    def parse_lenient(
        self,
        raw: Mapping[str, Any],
        ctx: ValueContext,
        *,
        row: int | None = None,
        keys: Collection[str] | None = None,
        complete: bool = False,
        field_ctx: Mapping[str, ValueContext] | None = None,
    ) -> Lenient:
        """Parse what can be parsed and sort out what cannot (module docstring).

        ``keys``: the identifying fields the input itself gave (default: all of
        ``identity_fields``); an ID a preset made up from the row does not make a bad
        e-mail harmless. A blank required field is left for ``check_complete`` (an update
        need not repeat it) unless ``complete``: then the row is unusable without it.
        ``field_ctx``: the context one field is read with instead of ``ctx`` (a date column
        whose day/month order differs from the workbook's: ``ingest.dateorder``).
        """
        keys = self.identity_fields() if keys is None else keys
        out: dict[str, Any] = {}
        bad: list[ValueParseError] = []
        approximate: list[str] = []
        notes = self.get("notes")
        for name, value in raw.items():
            f = self.field(name)
            try:
                out[f.name] = f.parse(value, field_ctx.get(f.name, ctx) if field_ctx else ctx)
            except ApproximateValue as exc:
                if notes is None or f is notes:  # nowhere to keep the text: set aside
                    bad.append(exc.located(tab=self.name, row=row))
                else:
                    out[f.name] = exc.kept
                    approximate.append(f"{name}: {str(value).strip()}")
            except ValueParseError as exc:
                bad.append(exc.located(tab=self.name, row=row))
                if f.name in CONSENT:
                    out[f.name] = True
        if approximate and notes is not None:
            typed = out.get(notes.name)
            kept = "" if is_blank(typed) else f"{typed}; "
            out[notes.name] = kept + "; ".join(approximate)
        failed = {exc.column for exc in bad}
        identified = any(k not in failed and not is_blank(out.get(k)) for k in keys)
        consent = any(out.get(name) is True for name in CONSENT)
        for cell in bad:
            f = self.field(cell.column or "")
            if f.name in keys and not identified:
                return Lenient(out, [], cell)
            if f.required and f.name not in keys and not consent:
                return Lenient(out, [], cell)
            if f.name not in CONSENT:
                out.pop(f.name, None)
        missing = [f for f in self.fields if complete and f.required and out.get(f.name) is None]
        if missing:
            value = raw.get(missing[0].name)
            error = ValueParseError(
                "a value (the field is required)",
                "" if is_blank(value) else value,
                tab=self.name,
                row=row,
                column=missing[0].name,
            )
            return Lenient(out, [], error)
        return Lenient(out, bad)

    def check_complete(self, record: Mapping[str, Any], *, row: int | None = None) -> None:
        """A new record must have every required field."""
        for f in self.fields:
            if f.required and record.get(f.name) is None:
                raise ValueParseError(
                    "a value (the field is required)",
                    record.get(f.name, ""),
                    tab=self.name,
                    row=row,
                    column=f.name,
                )


@dataclass(frozen=True)
class Schema:
    """All tabs of a workbook: five data tabs and the hidden system tabs."""

    tabs: dict[str, TabSchema]
    version: int = SCHEMA_VERSION

    def __getitem__(self, name: str) -> TabSchema:
        return self.tab(name)

    def tab(self, name: str) -> TabSchema:
        key = normalize_token(name)
        for tab in self.tabs.values():
            if normalize_token(tab.name) == key:
                return tab
        known = ", ".join(t.name for t in self.data_tabs)
        raise ConfigError(f"no tab named {name!r} (sheetcrm tabs: {known})")

    @property
    def data_tabs(self) -> list[TabSchema]:
        return [t for t in self.tabs.values() if not t.system]

    @property
    def core_tabs(self) -> list[TabSchema]:
        """The data tabs every workbook has (the optional seller tabs left out)."""
        return [t for t in self.tabs.values() if not t.system and not t.optional]

    @property
    def system_tabs(self) -> list[TabSchema]:
        return [t for t in self.tabs.values() if t.system]
