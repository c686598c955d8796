"""Ad platform reports into Campaigns: the Google Ads campaign report, as a CSV or as
"CSV for Excel" (UTF-16, tab separated).

The report has two title lines above its header (``readers`` skips them), ``--`` for a
blank cell, and totals rows at the end (``Total: Account``, ``Total: Search`` …): those
are left out before mapping, never imported or set aside, and the import says so
(``SourceTable.left_out``). Each row updates the campaign of its name (``Campaign`` →
``name``): ``Cost`` is what was spent (``budget``), ``Impr.`` impressions, ``Clicks``,
``Conversions`` (fractional: 22.50), ``Conv. value`` what Google Ads says they were worth
(``conversion_value``, the campaign's revenue when no sale is attributed to it:
``analytics.campaigns``), ``channel`` google_ads. The daily ``Budget`` is not what was
spent and is not read.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sheetcrm.ingest.presets.base import IGNORE, in_currency, preset
from sheetcrm.ingest.readers import SourceRow, SourceTable
from sheetcrm.model.values import is_blank

Row = dict[str, Any]

#: What Google Ads writes in a cell that has no value.
BLANK = "--"
#: How a totals row's first filled cell starts.
TOTAL = "total:"


def _totals_row(row: SourceRow) -> str | None:
    """The label of a totals row (``Total: Account``), else None."""
    for value in row.values.values():
        if is_blank(value):
            continue
        text = str(value).strip()
        return text if text.casefold().startswith(TOTAL) else None
    return None


def prepare_google_ads(table: SourceTable) -> SourceTable:
    """The report without its totals rows (each noted in ``left_out``) and with ``--``
    read as blank."""
    rows: list[SourceRow] = []
    left_out = list(table.left_out)
    for row in table.rows:
        label = _totals_row(row)
        if label is not None:
            left_out.append(f"row {row.number}, a totals row ({label})")
            continue
        values = {
            c: "" if isinstance(v, str) and v.strip() == BLANK else v for c, v in row.values.items()
        }
        rows.append(SourceRow(row.number, values))
    return replace(table, rows=rows, left_out=left_out)


def _google_ads(row: Row) -> Row:
    in_currency(row, "currency", "budget", "conversion_value")
    return row


GOOGLE_ADS = preset(
    "google-ads",
    "Campaigns",
    {
        "Campaign status": IGNORE,
        "Campaign state": IGNORE,
        "Campaign": "name",
        "Budget": IGNORE,
        "Budget type": IGNORE,
        "Campaign type": IGNORE,
        "Impr.": "impressions",
        "Impressions": "impressions",
        "Clicks": "clicks",
        "Interactions": IGNORE,
        "Interaction rate": IGNORE,
        "Avg. cost": IGNORE,
        "Avg. CPC": IGNORE,
        "CTR": IGNORE,
        "Cost": "budget",
        "Conv. rate": IGNORE,
        "Conversions": "conversions",
        "Cost / conv.": IGNORE,
        "Conv. value": "conversion_value",
        "Conversion value": "conversion_value",
        "Currency code": "currency",
    },
    _google_ads,
    defaults={"channel": "google_ads"},
    description="Google Ads campaign report (CSV or CSV for Excel) → Campaigns by name: "
    "Cost → budget, Impr. → impressions, Clicks, Conversions, Conv. value → "
    "conversion_value",
    signature=("Campaign", ("Impr.", "Impressions"), "Clicks", "Cost", "Conversions"),
    label="a Google Ads campaign report",
    prepare=prepare_google_ads,
    closed=True,
)

#: Fields these presets use on the way to real ones.
VIRTUAL = {"currency"}

PRESETS = (GOOGLE_ADS,)
