"""People lists: Google Forms responses (→ Leads) and Mailchimp audience exports
(subscribed, unsubscribed and cleaned → Customers, the last two as opted out)."""

from __future__ import annotations

from typing import Any

from sheetcrm.ingest.presets.base import Preset
from sheetcrm.model.values import is_blank
from sheetcrm.model.vocab import header_words
from sheetcrm.run import stable_id

#: The submission-time column Google Forms writes, in English, Persian and Bengali.
TIMESTAMP_HEADERS: tuple[str, ...] = header_words()["timestamp"]

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


def _google_form(row: dict[str, Any]) -> dict[str, Any]:
    if row.get("contact_date") and row.get("lead_id") in (None, ""):
        row["lead_id"] = stable_id("L", row.get("contact_date"), row.get("email"), row.get("name"))
    row.setdefault("status", "new")
    if is_blank(row.get("source")):
        row["source"] = "website"
    return row


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


_words = header_words()
#: A form's column that says who wrote: an e-mail or a name, in any built-in language.
_WHO = ("Email", "Email Address", "Name", *_words["email"], *_words["name"])

GOOGLE_FORM = Preset(
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
    signature=(TIMESTAMP_HEADERS, _WHO),
    label="Google Form responses",
)

MAILCHIMP = Preset(
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
    signature=("Email Address", "MEMBER_RATING", "OPTIN_TIME", "LEID", "EUID"),
    label="a Mailchimp audience export",
)

#: Fields these presets use on the way to real ones.
VIRTUAL = {"first_name", "last_name", "optin_time", *MAILCHIMP_STOPS.values()}

PRESETS = (GOOGLE_FORM, MAILCHIMP)
