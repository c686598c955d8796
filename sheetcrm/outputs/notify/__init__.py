"""Notifications beyond e-mail: a JSON webhook (Slack's incoming-webhook shape, or a
generic one for Zapier, Make and n8n) and Trello cards, from ``[notify]`` in
sheetcrm.toml (``settings``). Each post is tried again with backoff (``http``) and made
once ever (the shared outbox, ``deliver``); secrets never reach a message.

Exit codes as for e-mail: a configuration problem (no URL, a bad URL, a readable file
holding a secret) is ``ConfigError`` (7) before anything is sent; a notification not
delivered after its retries is ``NotDelivered`` (8) after the others went out.
"""

from sheetcrm.outputs.notify.deliver import Posted, deliver
from sheetcrm.outputs.notify.notices import (
    rejected_notice,
    remind_notice,
    report_notice,
    workbook_name,
)
from sheetcrm.outputs.notify.settings import (
    NotifySettings,
    Retry,
    TrelloSettings,
    WebhookSettings,
    notify_settings,
    redact,
    require,
    shown_url,
)
from sheetcrm.outputs.notify.shapes import Notice, generic, slack, trello_cards

__all__ = [
    "Notice",
    "NotifySettings",
    "Posted",
    "Retry",
    "TrelloSettings",
    "WebhookSettings",
    "deliver",
    "generic",
    "notify_settings",
    "redact",
    "rejected_notice",
    "remind_notice",
    "report_notice",
    "require",
    "shown_url",
    "slack",
    "trello_cards",
    "workbook_name",
]
