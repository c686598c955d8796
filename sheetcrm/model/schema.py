"""The schema's types: a tab, its typed fields, and the whole workbook's set of tabs.

Fields are *human* (teammates own them; sheetcrm only fills them on import) or *computed*
(sheetcrm rewrites them on refresh). The tabs themselves are declared in ``model.tabs``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.errors import ConfigError, ValueParseError
from sheetcrm.model.codecs import CODECS, PARTIAL_DATE_CODECS, EnumCodec
from sheetcrm.model.ids import new_id
from sheetcrm.model.values import Codec, ValueContext, normalize_token
from sheetcrm.model.vocab import Vocabulary, vocabulary

SCHEMA_VERSION = 1


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

    @property
    def codec(self) -> Codec:
        if self.type == "enum":
            return _enum_codec(self.values, self.vocab)
        if self.partial_dates:
            return PARTIAL_DATE_CODECS[self.type]
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


@dataclass(frozen=True)
class TabSchema:
    """A tab: its ID column first, then its fields in their default order."""

    name: str
    id_prefix: str
    fields: tuple[Field, ...]
    system: bool = False
    hidden: bool = False
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
    def system_tabs(self) -> list[TabSchema]:
        return [t for t in self.tabs.values() if t.system]
