"""Posting notices to every configured place once: each post is logged in the shared
outbox (``outputs.outbox``) before the next, so a re-run posts only what did not go."""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from sheetcrm.errors import NotDelivered
from sheetcrm.outputs.notify.http import Undelivered, post_json
from sheetcrm.outputs.notify.settings import NotifySettings, redact
from sheetcrm.outputs.notify.shapes import Notice, body, trello_cards
from sheetcrm.outputs.outbox import record, sent_keys


@dataclass
class Posted:
    """What a delivery did, by destination shown without secrets (``webhook
    https://host/…``, ``Trello card 'name'``)."""

    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        """``Posted 2 notices; already posted earlier: 1`` (and how many failed)."""
        text = f"Posted {plural(len(self.sent), 'notice')}"
        text += f"; already posted earlier: {len(self.already_sent)}"
        return text + (f"; not delivered: {len(self.failed)}" if self.failed else "")

    def error(self) -> NotDelivered | None:
        """Exit 8 naming what did not go, when something did not; the others were sent."""
        if not self.failed:
            return None
        who = "; ".join(f"{k}: {v}" for k, v in list(self.failed.items())[:3])
        more = f" (and {len(self.failed) - 3} more)" if len(self.failed) > 3 else ""
        return NotDelivered(
            f"{plural(len(self.failed), 'notification')} not delivered ({who}){more}; "
            f"{plural(len(self.sent), 'other')} sent"
        )


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 notice``, ``2 notices``."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def _key(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


def deliver(
    settings: NotifySettings,
    notices: list[Notice],
    *,
    outbox: Path | None = None,
    strict: bool = True,
) -> Posted:
    """Post each notice to the webhook and make its Trello cards, each once ever (the
    outbox), in order; one that fails after its retries does not stop the rest. Then
    ``NotDelivered`` (exit 8) names what failed — with ``strict=False`` only in
    ``Posted.failed``. No message carries a secret (``settings.secrets``)."""
    done = sent_keys(outbox)
    result = Posted()
    jobs: list[tuple[str, str, str, dict[str, object], str]] = []  # key, shown, url, body, title
    hook = settings.webhook
    for notice in notices:
        if hook is not None:
            payload = body(notice, hook.shape)
            key = _key("webhook", hook.url, json.dumps(payload, sort_keys=True))
            jobs.append((key, f"webhook {hook.shown}", hook.url, payload, notice.title))
        trello = settings.trello
        if trello is not None:
            query = urllib.parse.urlencode({"key": trello.key, "token": trello.token})
            url = f"{trello.api}/1/cards?{query}"
            for ident, name, desc in trello_cards(notice):
                card: dict[str, object] = {
                    "idList": trello.list_id,
                    "name": name,
                    "desc": desc,
                    "pos": "top",
                }
                key = _key("trello", trello.list_id, notice.event, ident, name, desc)
                jobs.append((key, f"Trello card {ident!r}", url, card, notice.title))
    for key, shown, url, payload, title in jobs:
        if key in done:
            result.already_sent.append(shown)
            continue
        try:
            post_json(url, payload, settings.retry)
        except Undelivered as exc:
            result.failed[shown] = redact(str(exc), settings.secrets)
            continue
        record(key, shown, title[:80], outbox)  # no card text: it may name customers
        done.add(key)
        result.sent.append(shown)
    error = result.error()
    if error is not None and strict:
        raise error
    return result
