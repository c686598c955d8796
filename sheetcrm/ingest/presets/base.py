"""What a preset is (``Preset``), and the small row helpers the preset families share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.model.values import is_blank, normalize_token

#: How a preset's rows are planned (``ingest.importer`` picks the planner): records of
#: its tab, order lines (Orders + Customers), returns (Returns, linked to Orders lines) or
#: commission and reward events (Earnings). ``transactions``: the Online Retail log.
PRESET_KINDS = ("records", "orders", "returns", "earnings", "transactions")

#: A preset column mapped to this is read by no field (listed so that a header synonym
#: does not claim it: a Flipkart ``Shipment ID`` is not an order id).
IGNORE = ""

Row = dict[str, Any]
#: One signature entry: a header, or several spellings any one of which will do.
SignatureEntry = str | tuple[str, ...]


@dataclass(frozen=True)
class Preset:
    """A known export layout: which tab it feeds, its columns, and a row transform."""

    name: str
    tab: str
    columns: Mapping[str, str]
    transform: Callable[[Row], Row] | None = None
    description: str = ""
    #: a new record without a name is named after its e-mail (or phone): the export
    #: has no name for many of its people (``fallback_name``)
    names_from_email: bool = False
    #: which planner reads its rows (``PRESET_KINDS``)
    kind: str = "records"
    #: field values every row gets unless it has its own (``channel = "flipkart"``);
    #: ``transform`` already fills them in (after the preset's own transform)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    #: headers that together say a file is this export (``presets.detect_preset``); an
    #: entry that is a tuple is met by any one of its spellings
    signature: tuple[SignatureEntry, ...] = ()
    #: what the import prints when it picked the preset from the header ("a Flipkart
    #: orders report")
    label: str = ""
    #: the table as the export wrote it → the table to map (title lines above the header,
    #: totals rows, ``--`` for blank: Google Ads)
    prepare: Callable[[Any], Any] | None = None
    #: only the columns listed feed fields: an unlisted column is ignored, never matched
    #: by a header synonym (a platform export's ``Status`` is not a lead's status)
    closed: bool = False


def preset(
    name: str,
    tab: str,
    columns: Mapping[str, str],
    transform: Callable[[Row], Row] | None = None,
    *,
    defaults: Mapping[str, Any] | None = None,
    **options: Any,
) -> Preset:
    """A ``Preset`` whose ``transform`` also fills in its ``defaults`` (after its own
    transform), so every planner that calls ``transform`` gets them."""
    fixed = dict(defaults or {})
    if not fixed:
        return Preset(name, tab, columns, transform, **options)

    def transformed(row: Row) -> Row:
        if transform is not None:
            row = transform(row)
        return with_defaults(row, fixed)

    return Preset(name, tab, columns, transformed, defaults=fixed, **options)


def with_defaults(row: Row, defaults: Mapping[str, Any]) -> Row:
    """``row`` with each default set where the row has no value of its own."""
    for name, value in defaults.items():
        if is_blank(row.get(name)):
            row[name] = value
    return row


def first_of(row: Row, name: str, *fallbacks: str) -> None:
    """Fill a blank ``row[name]`` from the first fallback field that has a value; the
    fallbacks (virtual fields) are taken out of the row."""
    for other in fallbacks:
        value = row.pop(other, None)
        if is_blank(row.get(name)) and not is_blank(value):
            row[name] = value


def percent_text(value: Any) -> Any:
    """A commission rate as the export writes it (``8.00`` or ``8%``: both 8 %) → text
    the percent codec reads as that percentage (``8.00%``)."""
    if is_blank(value) or isinstance(value, bool):
        return value
    text = str(value).strip()
    return text if text.endswith("%") else f"{text}%"


def in_currency(row: Row, code_field: str, *money_fields: str) -> None:
    """Write the export's currency code (a virtual field, taken out) before each amount,
    so an amount in another currency than the workbook's is set aside as that cell."""
    code = row.pop(code_field, None)
    if is_blank(code):
        return
    for name in money_fields:
        value = row.get(name)
        if not is_blank(value) and not isinstance(value, (int, float)):
            row[name] = f"{str(code).strip()} {str(value).strip()}"
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            row[name] = f"{str(code).strip()} {value}"


def token(value: Any) -> str:
    """A status or kind as a comparable word (``Customer_Return`` → ``customer return``)."""
    return normalize_token(str(value).replace("_", " ")) if not is_blank(value) else ""
