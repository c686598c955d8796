"""Record IDs: ``prefix-`` and 16 Crockford base-32 characters, made without reading the
sheet first.

Two kinds share that one format, so nothing downstream can tell them apart or needs to:

- ``new_id``: time-ordered and random, for records a person adds (``CRM.upsert`` of a
  record with no ID and no e-mail or phone) and for the journal's audit rows;
- ``derived_id``: a digest of who the record is, for records an import creates and for
  upserted records with an e-mail or phone. Two machines importing the same person at the
  same time then make the same ID, and the backends' write-time rule "a row whose ID is
  already there is not appended twice" keeps one record. Derived IDs do not sort by time.
  What "who the record is" means is ``ingest.merge``'s business (``identity``): the first
  identifying field the record has (``KEYS``: e-mail lowercased, phone in E.164, order id,
  referral code), else its content.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Mapping
from typing import Any

from sheetcrm.model.values import is_blank

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


#: Fields that identify a record, tried in this order (the tab's own ID first).
KEYS: dict[str, tuple[str, ...]] = {
    "Customers": ("customer_id", "email", "phone"),
    "Leads": ("lead_id", "email", "phone"),
    "Interactions": ("interaction_id", "order_id"),
    "Campaigns": ("campaign_id", "referral_code", "name"),  # an ads report names only that
    "Tasks": ("task_id",),
    "Orders": ("line_id",),
    "Returns": ("return_id",),
    "Earnings": ("earning_id",),
}


def key_values(tab: str, record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, normalised value) of each identifying field the record has, in ``KEYS``
    order (values as their codecs parsed them, trimmed and case-folded)."""
    out = []
    for name in KEYS.get(tab, ()):
        value = record.get(name)
        if not is_blank(value):
            out.append((name, str(value).strip().casefold()))
    return out


def derived_id(prefix: str, *parts: object) -> str:
    """An ID made from ``parts`` (80 bits of their SHA-256), in ``new_id``'s format: the
    same parts give the same ID on every machine."""
    text = "\x1f".join(str(p) for p in parts)
    bits = int.from_bytes(hashlib.sha256(text.encode()).digest()[:10], "big")
    chars = [_CROCKFORD[(bits >> (5 * i)) & 31] for i in reversed(range(16))]
    return f"{prefix}-{''.join(chars)}"


def key_id(tab: str, prefix: str, id_field: str, record: Mapping[str, Any]) -> str | None:
    """The ID derived from the record's first identifying field besides its own ID (its
    e-mail, phone, order id…), or None when it has none."""
    keys = [k for k in key_values(tab, record) if k[0] != id_field]
    return derived_id(prefix, tab, *keys[0]) if keys else None
