"""Which input column feeds which field: header synonyms (in English, Persian and
Bengali), presets for common exports, and ``--map src=dest`` overrides (``columnhint`` says which
unused column might feed a field no column does)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.errors import ConfigError
from sheetcrm.ingest.presets import PRESET_KINDS, PRESETS, Preset
from sheetcrm.ingest.presets import VIRTUAL as _PRESET_VIRTUAL
from sheetcrm.ingest.presets.audiences import MAILCHIMP_STOPS, TIMESTAMP_HEADERS
from sheetcrm.model.schema import TabSchema
from sheetcrm.model.values import is_blank, normalize_token
from sheetcrm.model.vocab import header_words

__all__ = [
    "MAILCHIMP_STOPS",
    "PRESETS",
    "PRESET_KINDS",
    "SYNONYMS",
    "TIMESTAMP_HEADERS",
    "VIRTUAL",
    "ColumnMap",
    "Preset",
    "describe_ignored",
    "fallback_name",
    "map_columns",
    "parse_overrides",
]

#: Fields a form's timestamp column feeds when no preset is given: a form export into
#: Leads or Customers keeps when each person wrote in.
_STAMPED = ("contact_date", "first_contact")

#: Field → header spellings seen in real exports and sheets, in every built-in language
#: (``model/vocabularies/*.toml`` [headers]); compared after ``normalize_token`` folding.
SYNONYMS: dict[str, tuple[str, ...]] = {
    name: (*words, *(TIMESTAMP_HEADERS if name in _STAMPED else ()))
    for name, words in header_words().items()
    if name != "timestamp"
}


def fallback_name(record: Mapping[str, Any]) -> str | None:
    """A name for a new record that has none: its e-mail's local part, else its phone."""
    email, phone = record.get("email"), record.get("phone")
    if not is_blank(email):
        return str(email).split("@")[0] or str(email)
    return None if is_blank(phone) else str(phone)


#: Virtual fields presets use on the way to real ones (``presets.VIRTUAL``).
VIRTUAL = set(_PRESET_VIRTUAL)


@dataclass
class ColumnMap:
    """Source column → field, plus the source columns nothing uses."""

    fields: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


def describe_ignored(columns: list[str], shown: int = 5) -> str:
    """The columns an import ignored, in one short line: the first few by name and how
    many more (a header of thousands of columns must not print thousands of names)."""
    names = ", ".join(c if len(c) <= 40 else c[:40] + "…" for c in columns[:shown])
    more = len(columns) - shown
    return f"{names} and {more:,} more" if more > 0 else names


def parse_overrides(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``--map "E-mail=email"`` pairs → {source column: field}."""
    out: dict[str, str] = {}
    for pair in pairs:
        src, sep, dest = pair.partition("=")
        if not sep or not src.strip() or not dest.strip():
            raise ConfigError(f"--map {pair!r}: expected SOURCE=FIELD, e.g. --map 'E-mail=email'")
        out[src.strip()] = dest.strip()
    return out


def _synonyms(tab: TabSchema) -> dict[str, str]:
    """Normalised header word → the field of ``tab`` it names (the field's own name too)."""
    out: dict[str, str] = {}
    for fname, words in SYNONYMS.items():
        if tab.get(fname) is not None:
            for word in (fname, *words):
                out.setdefault(normalize_token(word), fname)
    return out


def _destination(
    col: str,
    tab: TabSchema,
    overrides: Mapping[str, str],
    preset_map: Mapping[str, str],
    synonyms: Mapping[str, str],
    closed: bool = False,
) -> str | None:
    """The field one column feeds, by --map, then the preset, then (unless the preset is
    ``closed``) names and synonyms; None when nothing claims it."""
    key = normalize_token(col)
    if col in overrides:
        target = overrides[col]
        f = tab.get(target)
        if f is None and target not in VIRTUAL:
            raise ConfigError(f"--map {col}={target}: {tab.name} has no field {target!r}")
        return f.name if f else target
    if key in preset_map:
        return preset_map[key] or None  # IGNORE: listed so that nothing claims it
    if closed:
        return None
    named = tab.get(col)
    if named is not None:
        return named.name
    return synonyms.get(key) or synonyms.get(normalize_token(_loosened(col)))


#: Words that qualify a form question without changing what it asks ("approximate
#: budget"): a header that is a known one plus these still names that field.
_QUALIFIERS = re.compile(
    r"(?i)\b(?:approx(?:imate)?|estimated|optional|تقریبی|حدودی|اختیاری|আনুমানিক|ঐচ্ছিক)\b"
)
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|（[^）]*）|[*:؟?]")


def _loosened(col: str) -> str:
    """``col`` without a unit or note in brackets (``বাজেট (টাকা)``), a required-mark
    ``*`` and qualifying words (``بودجه تقریبی``): what a form's question is called."""
    return _QUALIFIERS.sub(" ", _BRACKETED.sub(" ", col)).strip()


def map_columns(
    columns: list[str],
    tab: TabSchema,
    *,
    preset: Preset | None = None,
    overrides: Mapping[str, str] | None = None,
) -> ColumnMap:
    """Decide which field each column feeds: --map, then the preset, then names/synonyms
    (not for a ``closed`` preset: a platform export's other columns are ignored)."""
    overrides = dict(overrides or {})
    unknown = [s for s in overrides if s not in columns]
    if unknown:
        raise ConfigError(f"--map names column {unknown[0]!r}, which the file does not have")
    preset_map = {normalize_token(k): v for k, v in (preset.columns if preset else {}).items()}
    synonyms = _synonyms(tab)
    closed = preset is not None and preset.closed
    result = ColumnMap()
    taken: dict[str, str] = {}
    for col in columns:
        dest = _destination(col, tab, overrides, preset_map, synonyms, closed)
        if dest is None:
            result.ignored.append(col)
            continue
        if dest in taken:
            if col in overrides:
                result.fields.pop(taken[dest])
            elif taken[dest] in overrides:
                result.ignored.append(col)
                continue
            else:
                raise ConfigError(
                    f"columns {taken[dest]!r} and {col!r} both look like {dest!r}; "
                    f"choose one with --map '{col}={dest}' (or map the other elsewhere)"
                )
        taken[dest] = col
        result.fields[col] = dest
    return result
