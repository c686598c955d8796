"""The sheetcrm workbook's tabs, and the schema a configuration builds from them.

This module is the truth about columns; DESIGN.md's table is indicative. Custom fields and
extra enum values from ``sheetcrm.toml`` are added per tab by ``build_schema``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sheetcrm.errors import ConfigError
from sheetcrm.model.commerce import (
    EARNING_SOURCES,
    EARNING_STATUSES,
    ORDER_STATUSES,
    RETURN_KINDS,
    RETURN_STATUSES,
    SALE_CHANNELS,
)
from sheetcrm.model.fieldrefs import (
    add_listed,
    add_values,
    check_general,
    data_tab,
    field_key,
    vocab_tables,
    with_fields,
)
from sheetcrm.model.schema import Field, Schema, TabSchema
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
            _computed("last_activity", "date"),  # kpis.last_activity: recency's one source
            _computed("segment", "text"),
            _computed("rfm_score", "text"),
            _computed("rfm_segment", "text"),
            _computed("satisfaction", "number"),  # the average of their scores
            _computed("last_satisfaction", "score"),
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
                values=(
                    "call",
                    "email",
                    "meeting",
                    "message",
                    "purchase",
                    "return",
                    "note",
                    "feedback",  # a form response with a score (presets.feedback)
                ),
            ),
            _f("customer_id", "id"),
            _f("lead_id", "id"),
            _f("summary"),
            _f("amount", "money"),
            _f("product"),
            _f("quantity", "number"),
            _f("order_id", "id"),
            _f("satisfaction", "score"),  # 1–5, or 0–10: [satisfaction] scale
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
            _f("conversions", "number"),  # Google Ads counts fractions (22.50)
            _f("conversion_value", "money"),  # what the ads platform says they were worth
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
    TabSchema(
        "Orders",
        "O",
        (
            _f("line_id", "id"),  # the platform's order item id, else order id + line
            _f("order_id", "id", required=True),
            _f("date", "datetime", required=True),
            _f("channel", "enum", values=SALE_CHANNELS),
            _f("status", "enum", values=ORDER_STATUSES),
            _f("customer_id", "id"),
            _f("product"),
            _f("sku"),
            _f("quantity", "number"),
            _f("unit_price", "money"),
            _f("line_total", "money"),  # what the line sold for: quantity × unit price
            _f("campaign_id", "id"),
            _f("notes"),
            _computed("refunded", "money"),
            _computed("net", "money"),
        ),
        optional=True,
    ),
    TabSchema(
        "Returns",
        "R",
        (
            _f("return_id", "id"),
            _f("date", "datetime", required=True),
            _f("line_id", "id"),  # the order line it undoes
            _f("order_id", "id"),
            _f("kind", "enum", values=RETURN_KINDS),
            _f("status", "enum", values=RETURN_STATUSES),
            _f("customer_id", "id"),
            _f("product"),
            _f("quantity", "number"),
            _f("amount", "money"),  # the money given back
            _f("reason"),
            _f("notes"),
        ),
        optional=True,
    ),
    TabSchema(
        "Earnings",
        "E",
        (
            _f("earning_id", "id"),
            _f("date", "datetime", required=True),
            _f("source", "enum", values=EARNING_SOURCES),
            _f("programme"),  # "Flipkart Affiliate", "Shopsy", "Refer a friend"
            _f("reference"),  # the programme's order item id or referral code
            _f("customer_id", "id"),
            _f("lead_id", "id"),
            _f("product"),
            _f("sale_amount", "money"),
            _f("rate", "percent"),
            _f("amount", "money", required=True),
            _f("status", "enum", values=EARNING_STATUSES),
            _f("payout_id"),
            _f("tracking_id"),  # affExtParam1, a video or post the link was in
            _f("campaign_id", "id"),
            _f("notes"),
        ),
        optional=True,
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


#: The tabs that hold records in every workbook, in the order sheetcrm reads them (the rest
#: are the seller tabs and sheetcrm's journal).
DATA_TABS: tuple[str, ...] = tuple(t.name for t in BASE_TABS if not t.system and not t.optional)

#: A seller's tabs: order lines, returns and refunds, commission and rewards. A workbook
#: gets them with its first import of orders or earnings (or ``init --seller``); one
#: without them reads them as empty.
SELLER_TABS: tuple[str, ...] = tuple(t.name for t in BASE_TABS if t.optional)


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
        tab = data_tab(tabs, tab_name, f"[enums] {key}")
        f = tab.get(field_name)
        if f is None or f.type != "enum":
            raise ConfigError(f"[enums] {key}: {tab.name} has no enum field {field_name!r}")
        add_values(tabs, tab, f, extra)
    for custom in custom_fields:
        tab = data_tab(tabs, custom.tab, f"[fields.{custom.tab}]")
        if tab.get(custom.name):
            raise ConfigError(
                f"[fields.{custom.tab}.{custom.name}]: {tab.name} already has that field"
            )
        f = Field(custom.name, custom.type, custom.required, False, custom.values, True)
        tabs[tab.name] = with_fields(tab, [*tab.fields, f])
    configured, general = vocab_tables(tabs, vocab or {})
    for key, listed in (vocab_values or {}).items():
        add_listed(tabs, key, listed)
    for name, words in general.items():
        check_general(tabs, name, words)
    partial = {field_key(tabs, key, "date", "[dates] partial") for key in partial_dates}
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
        tabs[name] = with_fields(tab, fields)
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
