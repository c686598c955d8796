"""Which input column feeds which field: header synonyms (in English, Persian and
Bengali), presets for common exports, and ``--map src=dest`` overrides (``columnhint`` says which
unused column might feed a field no column does)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.errors import ConfigError
from sheetcrm.model.schema import TabSchema
from sheetcrm.model.values import is_blank, normalize_token
from sheetcrm.model.vocab import header_words
from sheetcrm.run import stable_id

#: The submission-time column Google Forms writes, in English, Persian and Bengali.
TIMESTAMP_HEADERS: tuple[str, ...] = header_words()["timestamp"]

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


#: How a preset's rows are planned (``ingest.importer`` picks the planner): records of
#: its tab, order lines (Orders + Customers), returns (Returns, linked to Orders lines) or
#: commission and reward events (Earnings).
PRESET_KINDS = ("records", "orders", "returns", "earnings")


@dataclass(frozen=True)
class Preset:
    """A known export layout: which tab it feeds, its columns, and a row transform."""

    name: str
    tab: str
    columns: Mapping[str, str]
    transform: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    description: str = ""
    #: a new record without a name is named after its e-mail (or phone): the export
    #: has no name for many of its people (``fallback_name``)
    names_from_email: bool = False
    #: which planner reads its rows (``PRESET_KINDS``)
    kind: str = "records"
    #: field values every row gets unless it has its own (``channel = "flipkart"``)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    #: headers that together say a file is this export (``presets.detect_preset``)
    signature: tuple[str, ...] = ()
    #: what the import prints when it picked the preset from the header ("a Flipkart
    #: orders report")
    label: str = ""
    #: the table as the export wrote it → the table to map (title lines above the header,
    #: totals rows, ``--`` for blank: Google Ads)
    prepare: Callable[[Any], Any] | None = None


def _google_form(row: dict[str, Any]) -> dict[str, Any]:
    if row.get("contact_date") and row.get("lead_id") in (None, ""):
        row["lead_id"] = stable_id("L", row.get("contact_date"), row.get("email"), row.get("name"))
    row.setdefault("status", "new")
    if is_blank(row.get("source")):
        row["source"] = "website"
    return row


#: Mailchimp's columns that say a contact may not be mailed: the unsubscribed export's
#: ``UNSUB_*`` and the cleaned (bounced) export's ``CLEAN_*``. Any of them filled in is
#: an opt-out, whether or not its value parses: Mailchimp itself no longer mails them.
MAILCHIMP_STOPS = {
    "UNSUB_TIME": "unsubscribed_at",
    "UNSUB_CAMPAIGN_TITLE": "unsub_campaign",
    "UNSUB_CAMPAIGN_ID": "unsub_campaign_id",
    "UNSUB_REASON": "unsub_reason",
    "UNSUB_REASON_OTHER": "unsub_reason_other",
    "CLEAN_TIME": "cleaned_at",
    "CLEAN_CAMPAIGN_TITLE": "clean_campaign",
    "CLEAN_CAMPAIGN_ID": "clean_campaign_id",
}


def _mailchimp(row: dict[str, Any]) -> dict[str, Any]:
    first, last = row.pop("first_name", None), row.pop("last_name", None)
    if is_blank(row.get("name")):
        full = " ".join(str(p).strip() for p in (first, last) if not is_blank(p))
        row["name"] = full or None  # a new record is named by fallback_name
    stops = [row.pop(virtual, None) for virtual in MAILCHIMP_STOPS.values()]
    if any(not is_blank(v) for v in stops):
        row["opt_out"] = True
    optin = row.pop("optin_time", None)
    if is_blank(row.get("first_contact")):
        row["first_contact"] = optin
    row.setdefault("status", "prospect")
    if is_blank(row.get("lead_source")):
        row["lead_source"] = "website"
    return row


def fallback_name(record: Mapping[str, Any]) -> str | None:
    """A name for a new record that has none: its e-mail's local part, else its phone."""
    email, phone = record.get("email"), record.get("phone")
    if not is_blank(email):
        return str(email).split("@")[0] or str(email)
    return None if is_blank(phone) else str(phone)


PRESETS: dict[str, Preset] = {
    "google-form": Preset(
        "google-form",
        "Leads",
        {
            **dict.fromkeys(TIMESTAMP_HEADERS, "contact_date"),
            "Email Address": "email",
            "Email": "email",
            "Name": "name",
            "Full name": "name",
            "Your name": "name",
            "Phone number": "phone",
            "Phone": "phone",
            "Company": "company",
            "How did you hear about us?": "source",
            "Message": "notes",
            "Interest": "interest",
        },
        _google_form,
        "Google Form responses (Timestamp, Email Address, …) → Leads",
    ),
    "mailchimp": Preset(
        "mailchimp",
        "Customers",
        {
            "Email Address": "email",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Phone Number": "phone",
            "Company": "company",
            "CONFIRM_TIME": "first_contact",
            "OPTIN_TIME": "optin_time",
            **MAILCHIMP_STOPS,
            "CC": "country",
            "COUNTRY": "country",
            "City": "city",
            "NOTES": "notes",
        },
        _mailchimp,
        "Mailchimp audience export → Customers (unsubscribed or cleaned → opt_out)",
        names_from_email=True,
    ),
    "transactions": Preset(
        "transactions",
        "Interactions",
        {
            "InvoiceNo": "order_id",
            "Invoice": "order_id",
            "Order ID": "order_id",
            "StockCode": "sku",
            "Description": "product",
            "Product": "product",
            "Quantity": "quantity",
            "Qty": "quantity",
            "InvoiceDate": "date",
            "Date": "date",
            "UnitPrice": "unit_price",
            "Price": "unit_price",
            "CustomerID": "customer_id",
            "Customer ID": "customer_id",
            "Country": "country",
            "Email": "email",
        },
        None,
        "order lines (invoice, product, quantity, unit price, date, customer, country)"
        " → Customers and one purchase Interaction per order",
        kind="transactions",
    ),
}

#: Virtual fields presets use on the way to real ones.
VIRTUAL = {
    "first_name",
    "last_name",
    "optin_time",
    *MAILCHIMP_STOPS.values(),
    "sku",
    "unit_price",
    "country",
}


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
) -> str | None:
    """The field one column feeds, by --map, then the preset, then names and synonyms;
    None when nothing claims it."""
    key = normalize_token(col)
    if col in overrides:
        target = overrides[col]
        f = tab.get(target)
        if f is None and target not in VIRTUAL:
            raise ConfigError(f"--map {col}={target}: {tab.name} has no field {target!r}")
        return f.name if f else target
    if key in preset_map:
        return preset_map[key]
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
    """Decide which field each column feeds: --map, then the preset, then names/synonyms."""
    overrides = dict(overrides or {})
    unknown = [s for s in overrides if s not in columns]
    if unknown:
        raise ConfigError(f"--map names column {unknown[0]!r}, which the file does not have")
    preset_map = {normalize_token(k): v for k, v in (preset.columns if preset else {}).items()}
    synonyms = _synonyms(tab)
    result = ColumnMap()
    taken: dict[str, str] = {}
    for col in columns:
        dest = _destination(col, tab, overrides, preset_map, synonyms)
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
