"""What a notification says (``Notice``) and the JSON bodies it is posted as: Slack's
incoming-webhook shape (``text`` for the notification line, ``blocks`` for the message), a
generic shape for Zapier, Make or n8n (flat fields a zap maps without parsing text), and
Trello cards (``name`` + Markdown ``desc``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Slack's limits: header text 150 characters, section text 3000, 10 fields, 50 blocks.
_HEADER, _SECTION, _FIELDS, _ITEMS = 150, 3000, 10, 20


@dataclass
class Notice:
    """One notification: ``event`` (``report``, ``remind``, ``import.rejected``), its
    ``title``, the workbook's name (never a local path), the period (``label``, ``start``,
    ``end``, ISO days), ``figures`` (``key``, ``label``, ``value``, ``text``) and
    ``items`` (each with ``kind`` and a one-line ``text``)."""

    event: str
    title: str
    workbook: str
    as_of: str
    summary: str = ""
    period: dict[str, str] | None = None
    figures: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        """The whole notice as plain lines (a Trello description, Slack's fallback)."""
        lines = [self.title]
        if self.period:
            lines.append(self.period["label"])
        if self.summary:
            lines.append(self.summary)
        lines += [f"{f['label']}: {f['text']}" for f in self.figures]
        lines += [f"- {i['text']}" for i in self.items]
        return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(text: str) -> str:
    """Slack mrkdwn's three control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(notice: Notice) -> dict[str, Any]:
    """Slack incoming-webhook JSON: a header, the period and summary, the figures as
    fields, the items as a list (the first 20; how many more), the workbook as context."""
    head = notice.title + (f" — {notice.period['label']}" if notice.period else "")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(notice.title, _HEADER)}}
    ]
    intro = [_escape(notice.period["label"])] if notice.period else []
    intro += [_escape(notice.summary)] if notice.summary else []
    if intro:
        text = _cut("\n".join(intro), _SECTION)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    if notice.figures:
        fields = [
            {"type": "mrkdwn", "text": _cut(f"*{_escape(f['label'])}*\n{_escape(f['text'])}", 2000)}
            for f in notice.figures[:_FIELDS]
        ]
        blocks.append({"type": "section", "fields": fields})
    if notice.items:
        shown = [f"• {_escape(i['text'])}" for i in notice.items[:_ITEMS]]
        if len(notice.items) > _ITEMS:
            shown.append(f"… {len(notice.items) - _ITEMS} more")
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _cut("\n".join(shown), _SECTION)},
            }
        )
    context = f"{_escape(notice.workbook)} · {notice.as_of}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    return {"text": _cut(head, _SECTION), "blocks": blocks}


def generic(notice: Notice) -> dict[str, Any]:
    """The generic JSON: every field of the notice, plus ``text`` (the notice in lines)."""
    return {
        "event": notice.event,
        "title": notice.title,
        "workbook": notice.workbook,
        "as_of": notice.as_of,
        "period": notice.period,
        "summary": notice.summary,
        "figures": notice.figures,
        "items": notice.items,
        "text": notice.text(),
        "source": "sheetcrm",
    }


def body(notice: Notice, shape: str) -> dict[str, Any]:
    return slack(notice) if shape == "slack" else generic(notice)


def trello_cards(notice: Notice) -> list[tuple[str, str, str]]:
    """The cards a notice makes: (dedup id, name, description). A reminder run makes one
    card per unhappy customer to follow up (the digests' tasks live in the sheet already);
    a report or an import notice makes one card."""
    if notice.event == "remind":
        return [
            (f"{i.get('customer_id')}:{i.get('last_scored')}", i["text"], _card_desc(notice, i))
            for i in notice.items
            if i.get("kind") == "unhappy"
        ]
    name = notice.title + (f" — {notice.period['label']}" if notice.period else "")
    return [(notice.event, _cut(name, 500), notice.text() + f"\n\n{notice.workbook}")]


def _card_desc(notice: Notice, item: dict[str, Any]) -> str:
    lines = [item["text"], ""]
    for key in ("customer_id", "email", "phone", "last_satisfaction", "last_scored", "by"):
        if item.get(key) not in (None, ""):
            lines.append(f"- {key}: {item[key]}")
    lines += ["", f"{notice.workbook} · {notice.as_of}"]
    return "\n".join(lines)
