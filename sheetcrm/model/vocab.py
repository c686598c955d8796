"""The canonical values of choice fields and the spellings people use for them.

Formulas, colours and metrics use the canonical value; whatever a person types or a form
exports is folded onto it (matched after case/space folding) through the field's
``Vocabulary``: the built-in ``ENUM_SYNONYMS`` (and ``FIELD_SYNONYMS`` for one field),
then the business's own ``[vocab."Tab.field"]`` table in sheetcrm.toml, which wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sheetcrm.errors import ConfigError
from sheetcrm.model.values import normalize_token

#: Languages with built-in spellings, labels, catalogs and templates.
LANGUAGES = ("en", "fa", "bn")

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

#: Built-in spellings that belong to one field only, keyed ``Tab.field`` (tried after the
#: configured ones, before ``ENUM_SYNONYMS``).
FIELD_SYNONYMS: dict[str, dict[str, str]] = {}


@dataclass(frozen=True)
class Vocabulary:
    """What people type for one choice field, each spelling with its canonical value.

    ``key`` names the field (``Leads.source``) for the ``[vocab]`` line an unknown value's
    message suggests. Hashable, so the codec built from it can be cached.
    """

    key: str = ""
    synonyms: tuple[tuple[str, str], ...] = ()  # (spelling, canonical), first wins

    def __hash__(self) -> int:  # a field's codec is looked up by it at every cell parsed
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash((self.key, self.synonyms))
            object.__setattr__(self, "_hash", cached)
        return cached


def vocabulary(
    key: str, values: tuple[str, ...], configured: Mapping[str, str] | None = None
) -> Vocabulary:
    """The vocabulary of the choice field ``key`` with ``values``: the configured spellings
    (checked: each maps to one of ``values``, and none is another value), then the built-in
    ones that map to one of ``values``."""
    canonical = {normalize_token(v): v for v in values}
    pairs: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for alias, target in (configured or {}).items():
        where = f'[vocab."{key}"] {alias!r}'
        folded = normalize_token(alias)
        if target not in values:
            raise ConfigError(
                f"{where}: {target!r} is not one of {key}'s values ({', '.join(values)})"
            )
        if not folded:
            raise ConfigError(f"{where}: a spelling needs a letter or digit")
        if canonical.get(folded, target) != target:
            raise ConfigError(f"{where}: that is already the value {canonical[folded]!r}")
        if seen.get(folded, target) != target:
            raise ConfigError(
                f"{where}: the same spelling (ignoring case and spacing) already "
                f"means {seen[folded]!r}"
            )
        seen[folded] = target
        pairs.append((alias, target))
    builtin = [*FIELD_SYNONYMS.get(key, {}).items(), *ENUM_SYNONYMS.items()]
    pairs += [(a, t) for a, t in builtin if t in values and normalize_token(a) not in seen]
    return Vocabulary(key, tuple(pairs))


def label(key: str, value: str, language: str | None) -> str:
    """How the choice ``value`` of field ``key`` (``Customers.status``) is shown in
    ``language`` (``[locale] labels``); the canonical value itself when there is no label."""
    return value
