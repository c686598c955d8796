"""The workbook's schema: tabs, typed fields, enums, ID columns, and how IDs are made.

This module is the truth about columns; DESIGN.md's table is indicative. Fields are
*human* (teammates own them; sheetcrm only fills them on import) or *computed* (sheetcrm
rewrites them on refresh). Custom fields from ``sheetcrm.toml`` are appended per tab.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sheetcrm.errors import ConfigError, ValueParseError
from sheetcrm.model.codecs import CODECS, Codec, EnumCodec
from sheetcrm.model.values import ValueContext, normalize_token

SCHEMA_VERSION = 1

SOURCES = (
    "website",
    "instagram",
    "facebook",
    "referral",
    "affiliate",
    "exhibition",
    "ads",
    "other",
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
)

#: Spellings people use for enum values; matched after case/space folding.
ENUM_SYNONYMS: dict[str, str] = {
    "web": "website",
    "site": "website",
    "ig": "instagram",
    "insta": "instagram",
    "fb": "facebook",
    "meta": "facebook",
    "ref": "referral",
    "word of mouth": "referral",
    "friend": "referral",
    "a friend": "referral",
    "friends": "referral",
    "referred": "referral",
    "affiliates": "affiliate",
    "fair": "exhibition",
    "trade show": "exhibition",
    "expo": "exhibition",
    "ad": "ads",
    "paid": "ads",
    "google ads": "google_ads",
    "adwords": "google_ads",
    "yt": "youtube",
    "phone": "call",
    "e-mail": "email",
    "mail": "email",
    "sms": "message",
    "whatsapp": "message",
    "telegram": "message",
    "dm": "message",
    "order": "purchase",
    "sale": "purchase",
    "refund": "return",
    "to do": "todo",
    "open": "todo",
    "doing": "in_progress",
    "wip": "in_progress",
    "started": "in_progress",
    "completed": "done",
    "closed": "done",
    "won": "converted",
    "customer": "converted",
    "lead": "prospect",
    "dead": "lost",
    "unqualified": "lost",
}


@dataclass(frozen=True)
class Field:
    """One column of a sheetcrm tab."""

    name: str
    type: str = "text"
    required: bool = False
    computed: bool = False
    values: tuple[str, ...] = ()
    custom: bool = False

    @property
    def codec(self) -> Codec:
        if self.type == "enum":
            return _enum_codec(self.values)
        return CODECS[self.type]

    def parse(self, raw: Any, ctx: ValueContext) -> Any:
        """Parse one raw value; the error names this column."""
        try:
            return self.codec.parse(raw, ctx)
        except ValueParseError as exc:
            raise exc.located(column=self.name) from None


_ENUM_CACHE: dict[tuple[str, ...], EnumCodec] = {}


def _enum_codec(values: tuple[str, ...]) -> EnumCodec:
    codec = _ENUM_CACHE.get(values)
    if codec is None:
        codec = _ENUM_CACHE[values] = EnumCodec(values=values, synonyms=ENUM_SYNONYMS)
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


# -- IDs ---------------------------------------------------------------------------------

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SYSRANDOM = random.SystemRandom()


_last = [0, 0]  # (ms, random) of the previous ID made by this process
_lock = threading.Lock()


def new_id(prefix: str, *, rng: random.Random | None = None, now: float | None = None) -> str:
    """A time-ordered, collision-resistant ID such as ``C-01JD3X8K2M7QF4TZ``.

    48 bits of milliseconds (10 Crockford base-32 characters, so IDs sort by creation
    time) and 30 random bits (6 characters). Within one process IDs are strictly
    increasing (in the same millisecond the random part counts up, as ULIDs do), so a bulk
    import never collides with itself; two machines in the same millisecond collide with
    probability ~1e-9, and nothing needs to read the sheet first.
    """
    ms = int((time.time() if now is None else now) * 1000)
    bits = (rng or _SYSRANDOM).getrandbits(30)
    if rng is None and now is None:
        with _lock:
            if ms <= _last[0]:
                ms, bits = _last[0], _last[1] + 1
                if bits >= 1 << 30:
                    ms, bits = ms + 1, 0
            _last[:] = [ms, bits]
    chars = [_CROCKFORD[(ms >> (5 * i)) & 31] for i in reversed(range(10))]
    chars += [_CROCKFORD[(bits >> (5 * i)) & 31] for i in reversed(range(6))]
    return f"{prefix}-{''.join(chars)}"


# -- the tabs ----------------------------------------------------------------------------


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
        ),
        system=True,
        hidden=True,
    ),
)


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
) -> Schema:
    """The base schema plus a business's custom fields and enum values (``Config.schema``)."""
    tabs = {t.name: t for t in BASE_TABS}
    for key, extra in (extra_enum_values or {}).items():
        tab_name, field_name = key.split(".")
        tab = _data_tab(tabs, tab_name, f"[enums] {key}")
        f = tab.get(field_name)
        if f is None or f.type != "enum":
            raise ConfigError(f"[enums] {key}: {tab.name} has no enum field {field_name!r}")
        new = replace(f, values=f.values + tuple(v for v in extra if v not in f.values))
        tabs[tab.name] = _with_fields(tab, [new if g is f else g for g in tab.fields])
    for custom in custom_fields:
        tab = _data_tab(tabs, custom.tab, f"[fields.{custom.tab}]")
        if tab.get(custom.name):
            raise ConfigError(
                f"[fields.{custom.tab}.{custom.name}]: {tab.name} already has that field"
            )
        f = Field(custom.name, custom.type, custom.required, False, custom.values, True)
        tabs[tab.name] = _with_fields(tab, [*tab.fields, f])
    for tab in tabs.values():
        for f in tab.fields:
            if f.type == "enum":
                _check_enum(tab.name, f)
    return Schema(tabs)


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
