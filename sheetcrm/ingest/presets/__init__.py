"""The exports people have, as presets: which columns a platform's report has, which field
each feeds and what its rows become; and which preset a file's header says it is.

One module per family: ``marketplaces`` (Flipkart orders and returns, Amazon, Shopify, a
transactions log), ``earnings`` (Flipkart affiliate, Shopsy margins, referral rewards),
``ads`` (Google Ads), ``audiences`` (Google Forms, Mailchimp), ``feedback`` (Google Forms
satisfaction surveys). ``PRESETS`` holds every
preset by name (the CLI's ``--preset`` values); ``detect_preset`` picks one from a header
when ``--preset`` is absent; ``reference_markdown`` is the README's preset reference.
"""

from __future__ import annotations

from collections.abc import Iterable

from sheetcrm.ingest.presets import ads, audiences, earnings, feedback, marketplaces
from sheetcrm.ingest.presets.base import IGNORE, PRESET_KINDS, Preset, SignatureEntry
from sheetcrm.model.schema import TabSchema
from sheetcrm.model.tabs import build_schema
from sheetcrm.model.values import normalize_token

__all__ = [
    "IGNORE",
    "PRESETS",
    "PRESET_KINDS",
    "VIRTUAL",
    "Preset",
    "detect_preset",
    "reference_markdown",
]

_FAMILIES = (marketplaces, earnings, ads, audiences, feedback)

#: Every preset, by its ``--preset`` name, in the order the reference lists them.
PRESETS: dict[str, Preset] = {p.name: p for family in _FAMILIES for p in family.PRESETS}

#: Virtual fields presets use on the way to real ones (each family's docstring says
#: which planner reads which).
VIRTUAL: frozenset[str] = frozenset(v for family in _FAMILIES for v in family.VIRTUAL)


def _met(entry: SignatureEntry, have: set[str]) -> bool:
    spellings = (entry,) if isinstance(entry, str) else entry
    return any(normalize_token(s) in have for s in spellings)


def detect_preset(columns: Iterable[str]) -> Preset | None:
    """The preset whose signature headers the file has, all of them (the one with the
    longest signature when several match), or None. Headers are compared after
    ``normalize_token`` folding (case, spacing, punctuation)."""
    have = {normalize_token(c) for c in columns}
    best: Preset | None = None
    for preset in PRESETS.values():
        sig = preset.signature
        matches = bool(sig) and all(_met(entry, have) for entry in sig)
        if matches and (best is None or len(sig) > len(best.signature)):
            best = preset
    return best


#: What a virtual field becomes, for the reference (a real field is named as it is).
MEANINGS = {
    "buyer_name": "the person's name (matched to a customer, or created)",
    "ship_name": "the person's name, when the billing/buyer name is blank",
    "email": "the person's e-mail (matches a customer)",
    "phone": "the person's phone (matches a customer or lead)",
    "order_phone": "the person's phone, when no other is given",
    "ship_phone": "the person's phone, when the billing phone is blank",
    "city": "the person's city",
    "ship_city": "the person's city, when the billing city is blank",
    "state": "the person's state",
    "ship_province": "the person's state, when the billing one is blank",
    "postal_code": "the person's postal code",
    "ship_zip": "the person's postal code, when the billing one is blank",
    "country": "the person's country",
    "ship_country": "the person's country, when the billing one is blank",
    "order_refund": "one Returns record (kind refund) for the order, when above 0",
    "invoice_date": "the date, when the order date is blank",
    "item_status": "the status, when the item is cancelled",
    "currency": "the currency of the amounts (another currency than the workbook's is set aside)",
    "reason_detail": "added to the reason",
    "order_status": "a cancelled or returned order cancels the margin",
    "first_order": "noted (notes)",
    "first_name": "the name, with the last name",
    "last_name": "the name, after the first name",
    "optin_time": "first contact, when no confirm time",
    "contact_phone": "the customer, by phone, when no e-mail is given",
    "respondent": "noted (summary) when no customer is found",
    "recommend": "the score when no rating is asked, else noted (summary)",
    "comment": "the summary",
}


def _becomes(dest: str, tab: TabSchema) -> str:
    if tab.get(dest) is not None:
        return f"`{dest}`"
    meaning = MEANINGS.get(dest)
    if meaning is not None:
        return meaning
    return "opted out (opt_out)" if dest in audiences.VIRTUAL else f"`{dest}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def reference_markdown(names: Iterable[str] | None = None) -> str:
    """The preset reference as Markdown (for the README): per preset, what it is, the tab
    it feeds, how it is recognised, and each column it reads with the field it becomes."""
    schema = build_schema()
    out: list[str] = []
    for name in names or PRESETS:
        p = PRESETS[name]
        out.append(f"#### `--preset {p.name}`")
        out.append("")
        what = p.description or p.label
        out.append(f"{what[:1].upper()}{what[1:]}.")
        out.append("")
        facts = [f"Tab: **{p.tab}**"]
        if p.defaults:
            given = ", ".join(f"`{k}` = `{v}`" for k, v in p.defaults.items())
            facts.append(f"every row: {given}")
        if p.signature:
            heads = " + ".join(
                f"`{e}`" if isinstance(e, str) else " or ".join(f"`{s}`" for s in e[:3])
                for e in p.signature
            )
            facts.append(f"recognised by {heads}")
        out.append("; ".join(facts) + ".")
        out.append("")
        out.append("| Column | Becomes |")
        out.append("|---|---|")
        seen: set[str] = set()
        for column, dest in p.columns.items():
            if dest == IGNORE or column in seen:
                continue
            seen.add(column)
            out.append(f"| `{_cell(column)}` | {_becomes(dest, schema.tab(p.tab))} |")
        skipped = [c for c, d in p.columns.items() if d == IGNORE]
        if skipped:
            out.append("")
            out.append("Not read: " + ", ".join(f"`{_cell(c)}`" for c in skipped) + ".")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
