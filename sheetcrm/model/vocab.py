"""The canonical values of choice fields and the spellings people use for them.

Formulas, colours and metrics use the canonical value; whatever a person types or a form
exports is folded onto it through ``ENUM_SYNONYMS`` (matched after case/space folding).
"""

from __future__ import annotations

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
