"""Read ``sheetcrm.toml``: where the workbook lives, locale, custom fields, enum additions,
the spellings of choice values (``[vocab]``) and how partial dates are read (``[dates]``).

Every setting has a default, so sheetcrm works with no file at all. Unknown keys are errors
(a typo should not silently fall back to a default).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sheetcrm.errors import ConfigError
from sheetcrm.model import calendars, locales
from sheetcrm.model.codecs import FIELD_TYPES
from sheetcrm.model.money import check_currency
from sheetcrm.model.schema import Schema
from sheetcrm.model.tabs import CustomField, build_schema
from sheetcrm.model.values import ValueContext, normalize_token

CONFIG_FILE = "sheetcrm.toml"
DEFAULT_XLSX = "crm.xlsx"

_TOP_KEYS = {"spreadsheet", "locale", "fields", "enums", "vocab", "dates", "google"}
_GOOGLE_KEYS = {"credentials", "endpoint"}
#: Tables owned by later features; accepted here and handed over as plain dicts.
_FEATURE_TABLES = {
    "segments",
    "scoring",
    "report",
    "smtp",
    "team",
    "earnings",
    "satisfaction",
    "notify",
}
_LOCALE_KEYS = {
    "region",
    "currency",
    "timezone",
    "date_order",
    "language",
    "calendar",
    "labels",
    "digits",
}
_FIELD_KEYS = {"type", "values", "required", "after"}
_DATES_KEYS = {"reference", "partial"}


@dataclass(frozen=True)
class Config:
    """The parsed configuration; ``Config()`` is the all-defaults configuration."""

    path: Path | None = None
    spreadsheet: str | None = None
    values: ValueContext = field(default_factory=ValueContext)
    timezone: str = "UTC"
    language: str = "en"  # a Babel locale: en, en_GB, fa, fa_IR, bn, bn_IN …
    labels: str | None = None  # the language choice values are shown in (None: canonical)
    digits: str = "latin"  # latin or native digits in reports and messages
    custom_fields: tuple[CustomField, ...] = ()
    extra_enum_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: ``[vocab]``: ``Tab.field`` (or a field name, for every tab) → typed → value
    vocab: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the values ``[vocab]``'s list form names, per key (new ones become values)
    vocab_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    partial_dates: tuple[str, ...] = ()  # Tab.field of the date columns [dates] partial lists
    features: dict[str, Any] = field(default_factory=dict)
    credentials: str | None = None  # path to a service-account key or OAuth user token
    endpoint: str | None = None  # Sheets API base URL override (an emulator)

    @property
    def calendar(self) -> str:
        """``[locale] calendar`` (gregorian or jalali): how months are counted and days
        shown; the codecs read it from ``values``."""
        return self.values.calendar

    @property
    def lang(self) -> str:
        """The language part of ``language`` (``fa`` for ``fa_IR``): which built-in
        vocabulary, catalog and template set applies."""
        return self.language.replace("-", "_").split("_")[0].lower()

    @property
    def base_dir(self) -> Path:
        """Relative paths in the config are relative to the config file's folder."""
        return self.path.parent if self.path else Path.cwd()

    def schema(self) -> Schema:
        """The workbook schema this configuration describes (base tabs, custom fields,
        choice values and their spellings, partial-date columns); an error names the file."""
        try:
            return build_schema(
                self.custom_fields,
                self.extra_enum_values,
                self.vocab,
                self.partial_dates,
                self.vocab_values,
            )
        except ConfigError as exc:
            raise ConfigError(f"{self.path or CONFIG_FILE} {exc}") from None

    def today(self) -> dt.date:
        """Today in the workbook's time zone (``[locale] timezone``), whatever the machine's
        own zone: the as-of day when none is given (``CRM.as_of``)."""
        return dt.datetime.now(zone(self.timezone)).date()

    def default_target(self) -> str:
        """The spreadsheet to use when no --xlsx/--sheet option is given."""
        if self.spreadsheet:
            target = self.spreadsheet
            if target.lower().endswith(".xlsx") and not Path(target).is_absolute():
                return str(self.base_dir / target)
            return target
        return DEFAULT_XLSX


def zone(name: str, where: str = CONFIG_FILE) -> ZoneInfo:
    """The time zone called ``name`` (an IANA name such as ``Asia/Tehran``)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where} [locale]: unknown timezone {name!r}") from None


def _expect(table: Any, where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table, got {table!r}")
    return table


def _unknown(keys: set[str], allowed: set[str], where: str) -> None:
    extra = sorted(keys - allowed)
    if extra:
        raise ConfigError(
            f"{where}: unknown key {extra[0]!r} (known: {', '.join(sorted(allowed))})"
        )


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a list of non-empty strings, got {value!r}")
    return tuple(v.strip() for v in value)


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    """Validate a config mapping (as read from TOML) into a ``Config``."""
    where = str(path) if path else CONFIG_FILE
    _unknown(set(data), _TOP_KEYS | _FEATURE_TABLES, where)
    spreadsheet = data.get("spreadsheet")
    if spreadsheet is not None and (not isinstance(spreadsheet, str) or not spreadsheet.strip()):
        raise ConfigError(f"{where}: spreadsheet must be a path or a spreadsheet ID/URL")
    loc = _expect(data.get("locale", {}), f"{where} [locale]")
    _unknown(set(loc), _LOCALE_KEYS, f"{where} [locale]")
    dates = _expect(data.get("dates", {}), f"{where} [dates]")
    _unknown(set(dates), _DATES_KEYS, f"{where} [dates]")
    ctx = _values(loc, where, _reference(dates, where))
    timezone = str(loc.get("timezone", "UTC"))
    zone(timezone, where)  # a typo fails when the file is read, not at the first report
    language = locales.check_language(loc.get("language", "en"), where)
    customs = _custom_fields(_expect(data.get("fields", {}), f"{where} [fields]"), where)
    extra = _enums(_expect(data.get("enums", {}), f"{where} [enums]"), where)
    vocab, vocab_values = _vocab(_expect(data.get("vocab", {}), f"{where} [vocab]"), where)
    partial = _tab_fields(dates.get("partial", []), f"{where} [dates] partial")
    if partial and ctx.date_reference is None:
        raise ConfigError(
            f"{where} [dates]: partial needs a reference day to read its dates against, "
            'e.g. reference = "2025-10-01"'
        )
    if ctx.date_reference is not None and not partial:
        raise ConfigError(
            f"{where} [dates]: reference is only used by the columns partial lists; "
            'name them, e.g. partial = ["Interactions.date"]'
        )
    google = _expect(data.get("google", {}), f"{where} [google]")
    _unknown(set(google), _GOOGLE_KEYS, f"{where} [google]")
    creds = google.get("credentials")
    if creds is not None and path is not None and not Path(creds).is_absolute():
        creds = str(path.parent / creds)
    satisfaction = data.get("satisfaction")
    scale = satisfaction.get("scale", 5) if isinstance(satisfaction, dict) else 5
    if scale in (5, 10) and not isinstance(scale, bool):
        ctx = dataclasses.replace(ctx, score_scale=scale)
    return Config(
        credentials=creds,
        endpoint=google.get("endpoint"),
        path=path,
        spreadsheet=spreadsheet.strip() if spreadsheet else None,
        values=ctx,
        timezone=timezone,
        language=language,
        labels=locales.check_labels(loc.get("labels"), where),
        digits=locales.choice(
            loc.get("digits", "latin"), locales.DIGITS, f"{where} [locale] digits"
        ),
        custom_fields=customs,
        extra_enum_values=extra,
        vocab=vocab,
        vocab_values=vocab_values,
        partial_dates=partial,
        features={k: data[k] for k in _FEATURE_TABLES if k in data},
    )


def _values(loc: dict[str, Any], where: str, reference: dt.date | None = None) -> ValueContext:
    """How values are read: ``[locale]`` region (for phones), currency and date order, and
    the ``[dates] reference`` day."""
    order = str(loc.get("date_order", "DMY")).upper()
    if order not in ("DMY", "MDY", "YMD"):
        raise ConfigError(f"{where} [locale] date_order: {order!r} is not DMY, MDY or YMD")
    region = str(loc.get("region") or locales.language_region(loc.get("language", "en"))).upper()
    import phonenumbers  # a region must be one phonenumbers knows, or every phone fails

    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(f"{where} [locale] region: {region!r} is not a known country code")
    currency = check_currency(
        str(loc.get("currency", locales.territory_currency(region))), f"{where} [locale] currency"
    )
    calendar = locales.choice(
        loc.get("calendar", locales.default_calendar(loc.get("language", "en"))),
        calendars.CALENDARS,
        f"{where} [locale] calendar",
    )
    return ValueContext(
        region=region,
        currency=currency,
        date_order=order,
        date_reference=reference,
        calendar=calendar,
    )


def _reference(dates: dict[str, Any], where: str) -> dt.date | None:
    """``[dates] reference``: a fixed day (TOML date or ISO text), never "today" — the same
    file must read the same on any day."""
    value = dates.get("reference")
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime) and value.year < 1600:
        value = value.isoformat()  # a TOML date 1404-08-29 is a Jalali day
    if isinstance(value, str):
        with contextlib.suppress(ValueError):  # not a day: refused below, as it was typed
            value = calendars.typed_day(value)  # any digits; a year below 1600 is Jalali
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ConfigError(
            f"{where} [dates] reference: {value!r} is not a day such as 2025-10-01 "
            "(a fixed day: the same file must read the same whenever it is imported)"
        )
    return value


def _custom_fields(tables: dict[str, Any], where: str) -> tuple[CustomField, ...]:
    """``[fields.Tab]`` tables: a business's own columns, each with a known type."""
    customs: list[CustomField] = []
    for tab, table in tables.items():
        for name, spec in _expect(table, f"{where} [fields.{tab}]").items():
            at = f"{where} [fields.{tab}.{name}]"
            spec = _expect(spec, at)
            _unknown(set(spec), _FIELD_KEYS, at)
            kind = spec.get("type", "text")
            if kind not in FIELD_TYPES:
                raise ConfigError(f"{at} type: {kind!r} is not one of {', '.join(FIELD_TYPES)}")
            values = _str_list(spec["values"], f"{at} values") if "values" in spec else ()
            if kind == "enum" and not values:
                raise ConfigError(f"{at}: an enum field needs 'values'")
            customs.append(CustomField(tab, name, kind, values, bool(spec.get("required", False))))
    return tuple(customs)


def _enums(table: dict[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    """``[enums]``: values added to a choice field, keyed ``Tab.field``."""
    extra: dict[str, tuple[str, ...]] = {}
    for key, values in table.items():
        _tab_field(key, f"{where} [enums]")
        extra[key] = _str_list(values, f"{where} [enums] {key}")
    return extra


def _vocab(
    table: dict[str, Any], where: str
) -> tuple[dict[str, dict[str, str]], dict[str, tuple[str, ...]]]:
    """``[vocab]``: what people type → a choice field's canonical value, keyed ``Tab.field``
    (``[vocab."Leads.source"]`` or ``[vocab.Leads.source]``) or by a field name for that
    field in every tab (``[vocab.status]``). A line is ``"typed" = "value"`` or
    ``value = ["typed", …]``; the values the list form names come back on their own (the
    schema adds one that is not yet a value of the field, unless it looks like a typo)."""
    vocab: dict[str, dict[str, str]] = {}
    listed: dict[str, tuple[str, ...]] = {}
    for key, words in _vocab_tables(table, where):
        at = f"{where} [vocab.{_shown(key)}]"
        if key.count(".") > 1 or not all(part.strip() for part in key.split(".")):
            raise ConfigError(
                f"{where} [vocab] {key!r}: name it as Tab.field or a field, e.g. "
                "[vocab.Leads.source] or [vocab.source]"
            )
        # [vocab."Leads.source"] and [vocab.Leads.source] are one field's: read as one table
        spellings = vocab.setdefault(key, {})
        folded = {normalize_token(s): c for s, c in spellings.items()}
        values = list(listed.get(key, ()))
        for typed, value in words.items():
            if isinstance(value, list):
                canonical = typed.strip()
                pairs = (
                    [(s, canonical) for s in _str_list(value, f"{at} {typed!r}")] if value else []
                )
                if not canonical:
                    raise ConfigError(f"{at}: a value needs a name, got {typed!r}")
                values.append(canonical)
            elif isinstance(value, str) and value.strip():
                pairs = [(typed.strip(), value.strip())]
            else:
                raise ConfigError(
                    f"{at} {typed!r}: expected one of the field's values, or a value = "
                    f'["spellings"] list, got {value!r}'
                )
            for spelling, canonical in pairs:
                fold = normalize_token(spelling)
                before = folded.get(fold)
                if before is not None and normalize_token(before) != normalize_token(canonical):
                    raise ConfigError(
                        f"{at} {spelling!r}: the same spelling (ignoring case and spacing) "
                        f"is given for both {before!r} and {canonical!r}; keep one"
                    )
                folded[fold] = canonical
                spellings[spelling] = canonical
        if values:
            listed[key] = tuple(values)
    return vocab, listed


def _vocab_tables(table: dict[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
    """The (key, table) pairs under ``[vocab]``: ``[vocab.Leads.source]`` is TOML's table
    ``source`` inside ``Leads``, told from ``[vocab.source]`` by holding only tables."""
    out: list[tuple[str, dict[str, Any]]] = []
    for key, words in table.items():
        words = _expect(words, f"{where} [vocab.{_shown(key)}]")
        nested = [isinstance(v, dict) for v in words.values()]
        if nested and all(nested) and "." not in key:
            out += [(f"{key}.{name}", sub) for name, sub in words.items()]
        elif any(nested):
            raise ConfigError(
                f'{where} [vocab.{_shown(key)}]: expected spellings ("typed" = "value" or '
                'value = ["typed"]) or one table per field, not both'
            )
        else:
            out.append((key, words))
    return out


def _shown(key: str) -> str:
    """A ``[vocab]`` key as sheetcrm.toml spells it (``"Leads.source"`` quoted, as most
    files have it)."""
    return f'"{key}"' if "." in key else key


def _tab_field(key: str, where: str, example: str = "Leads.source") -> None:
    if key.count(".") != 1 or not all(part.strip() for part in key.split(".")):
        raise ConfigError(f"{where} {key!r}: name it as Tab.field, e.g. {example}")


def _tab_fields(value: Any, where: str) -> tuple[str, ...]:
    keys = _str_list(value, where)
    for key in keys:
        _tab_field(key, where, example="Interactions.date")
    return keys


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load the config at ``path``, else ``./sheetcrm.toml`` if present, else defaults."""
    if path is None:
        env = os.environ.get("SHEETCRM_CONFIG")
        candidate = Path(env) if env else Path.cwd() / CONFIG_FILE
        if not candidate.exists():
            if env:
                raise ConfigError(f"SHEETCRM_CONFIG points to {env}, which does not exist")
            return Config()
        path = candidate
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {p}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML ({exc})") from None
    return parse_config(data, p.resolve())
