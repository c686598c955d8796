"""Notifications at library level, against a real HTTP server on loopback: the bodies each
shape posts, retries on 500 and 429 (Retry-After honoured, capped), no second post of the
same notice, Trello cards with key and token in the query only, redaction of secrets."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from mail_support import WebhookServer

from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.config import parse_config
from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError, NotDelivered
from sheetcrm.outputs.i18n import LocalFormat
from sheetcrm.outputs.notify import (
    Notice,
    NotifySettings,
    Retry,
    TrelloSettings,
    WebhookSettings,
    deliver,
    notify_settings,
    remind_notice,
    shown_url,
)
from sheetcrm.outputs.notify.http import retry_after, wait_before
from sheetcrm.outputs.outbox import Outbox

FAST = Retry(timeout=5, retries=3, backoff=0.01, max_wait=0.05)
SECRET = "T0AAA/B0BBB/XyZsecretPath123"


def notice(**extra: object) -> Notice:
    fields = {
        "event": "report",
        "title": "Weekly report",
        "workbook": "crm.xlsx",
        "as_of": "2025-10-15",
        "period": {"label": "the last 7 days", "start": "2025-10-09", "end": "2025-10-15"},
        "figures": [
            {
                "key": "revenue",
                "label": "Revenue",
                "value": 1.5e5,
                "kind": "money",
                "text": "₹1,50,000",
            }
        ],
        "items": [{"kind": "top_customer", "text": "Ana <ana@example.com>: ₹50,000"}],
    }
    return Notice(**{**fields, **extra})


def hook(server: WebhookServer, shape: str) -> NotifySettings:
    return NotifySettings(WebhookSettings(f"{server.url}/services/{SECRET}", shape), retry=FAST)


def test_slack_shape_has_text_and_blocks(tmp_path):
    with WebhookServer() as server:
        posted = deliver(hook(server, "slack"), [notice()], outbox=tmp_path / "o.jsonl")
    assert posted.sent == [f"webhook {server.url}/…"]
    (got,) = server.requests
    assert got.method == "POST" and got.path == f"/services/{SECRET}"
    assert got.headers["Content-Type"].startswith("application/json")
    body = got.json()
    assert body["text"] == "Weekly report — the last 7 days"
    kinds = [b["type"] for b in body["blocks"]]
    assert kinds == ["header", "section", "section", "section", "context"]
    assert body["blocks"][2]["fields"][0]["text"] == "*Revenue*\n₹1,50,000"
    assert "Ana &lt;ana@example.com&gt;" in body["blocks"][3]["text"]["text"]  # mrkdwn escaped


def test_generic_shape_is_flat_fields(tmp_path):
    with WebhookServer() as server:
        deliver(hook(server, "generic"), [notice()], outbox=tmp_path / "o.jsonl")
    body = server.requests[0].json()
    assert body["event"] == "report" and body["workbook"] == "crm.xlsx"
    assert body["period"] == {
        "label": "the last 7 days",
        "start": "2025-10-09",
        "end": "2025-10-15",
    }
    assert body["figures"][0]["key"] == "revenue" and body["figures"][0]["value"] == 150000
    assert body["items"][0]["kind"] == "top_customer"
    assert "Revenue: ₹1,50,000" in body["text"]


def test_retries_on_500_and_429_then_posts_once(tmp_path):
    outbox = tmp_path / "o.jsonl"
    with WebhookServer(replies=[500, 429]) as server:
        posted = deliver(hook(server, "slack"), [notice()], outbox=outbox)
        assert len(server.requests) == 3 and len(posted.sent) == 1
        again = deliver(hook(server, "slack"), [notice()], outbox=outbox)
        assert len(server.requests) == 3  # the outbox remembers it
    assert again.sent == [] and len(again.already_sent) == 1
    line = json.loads(outbox.read_text(encoding="utf-8"))
    assert SECRET not in outbox.read_text(encoding="utf-8")
    assert line["to"] == f"webhook {server.url}/…"
    assert oct(outbox.stat().st_mode & 0o777) == "0o600"
    assert Outbox(outbox).entries({"ana@example.com"}) == []  # not a person's mail


def test_undelivered_after_retries_names_no_secret_and_sends_the_rest(tmp_path):
    with WebhookServer(replies=[500] * 4) as server:
        settings = hook(server, "generic")
        with pytest.raises(NotDelivered) as caught:
            deliver(settings, [notice(), notice(title="Second")], outbox=tmp_path / "o")
    assert len(server.requests) == 5  # 4 tries of the first, then the second went
    assert str(caught.value) == (
        f"1 notification not delivered (webhook {server.url}/…: answered HTTP 500 "
        "after 4 tries); 1 other sent"
    )
    assert caught.value.exit_code == 8


def test_a_4xx_is_not_retried(tmp_path):
    with WebhookServer(replies=[404]) as server:
        posted = deliver(hook(server, "slack"), [notice()], outbox=tmp_path / "o", strict=False)
    assert len(server.requests) == 1
    assert list(posted.failed.values()) == ["answered HTTP 404"]


def test_a_hung_server_times_out_and_is_not_asked_twice(tmp_path):
    patient = Retry(timeout=0.3, retries=3, backoff=0.01)
    with WebhookServer(delay=1) as server:
        settings = NotifySettings(WebhookSettings(f"{server.url}/{SECRET}", "slack"), retry=patient)
        posted = deliver(settings, [notice()], outbox=tmp_path / "o", strict=False)
        assert len(server.requests) == 1
    (why,) = posted.failed.values()
    assert why.startswith("did not answer within 0.3 s; it may have arrived")


def test_retry_after_is_honoured_and_capped():
    policy = Retry(backoff=1.0, max_wait=30)
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after("soon") is None and retry_after(None) is None
    assert wait_before(0, policy, 7.0) == 7.0
    assert wait_before(0, policy, 3600.0) == 30  # a server asking for an hour: the cap
    assert [wait_before(n, policy, None) for n in range(4)] == [1, 2, 4, 8]


def test_trello_cards_carry_key_and_token_in_the_query_only(tmp_path):
    unhappy = [
        {
            "customer_id": "C-7",
            "name": "سارا",
            "email": "sara@example.ir",
            "phone": "+98912",
            "last_satisfaction": 1,
            "last_scored": "2025-10-12",
            "by": "Maryam",
        },
    ]
    result = SimpleNamespace(digests=[], unhappy=unhappy)
    crm = CRM(backend=XlsxBackend(Path("/home/me/books/crm.xlsx")))
    made = remind_notice(crm, result, dt.date(2025, 10, 15), LocalFormat())
    assert made.workbook == "crm.xlsx"  # never the local path
    with WebhookServer() as server:
        trello = TrelloSettings("k3y-abc123", "t0ken-def456", "list-42", server.url)
        settings = NotifySettings(trello=trello, retry=FAST)
        posted = deliver(settings, [made], outbox=tmp_path / "o")
        deliver(settings, [made], outbox=tmp_path / "o")  # a re-run: no second card
    (got,) = server.requests
    assert got.path == "/1/cards?key=k3y-abc123&token=t0ken-def456"
    card = got.json()
    assert card["idList"] == "list-42"
    assert card["name"] == "Unhappy customer: سارا (last score 1)"
    assert "- last_scored: 2025-10-12" in card["desc"] and "- by: Maryam" in card["desc"]
    assert "k3y" not in json.dumps(card) and "t0ken" not in str(posted)
    assert "سارا" not in (tmp_path / "o").read_text(encoding="utf-8")  # ids only in the outbox


def config_file(tmp_path: Path, text: str, mode: int = 0o600):
    path = tmp_path / "sheetcrm.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    import tomllib

    return parse_config(tomllib.loads(text), path=path)


def test_a_readable_file_holding_a_secret_is_refused(tmp_path, monkeypatch):
    for name in ("SHEETCRM_WEBHOOK_URL", "SHEETCRM_TRELLO_KEY", "SHEETCRM_TRELLO_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    text = f'[notify.webhook]\nurl = "https://hooks.slack.com/services/{SECRET}"\n'
    with pytest.raises(ConfigError) as caught:
        notify_settings(config_file(tmp_path, text, 0o644))
    assert "holds a webhook URL but others can read it (mode 0644)" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert notify_settings(config_file(tmp_path, text)).webhook.shape == "slack"  # 0600: fine
    trello = '[notify.trello]\nkey = "abc"\ntoken = "def"\nlist = "L1"\n'
    with pytest.raises(ConfigError, match="holds a Trello key"):
        notify_settings(config_file(tmp_path, trello, 0o640))
    monkeypatch.setenv("SHEETCRM_WEBHOOK_URL", "http://127.0.0.1:1/x")  # the environment wins
    assert notify_settings(config_file(tmp_path, text, 0o644)).webhook.url == "http://127.0.0.1:1/x"


@pytest.mark.parametrize(
    "url",
    [
        f"hooks.slack.com/services/{SECRET}",
        f"ftp://example.com/{SECRET}",
        f"https:///{SECRET}",
        f"https://example.com/{SECRET} x",
        f"https://example.com:port/{SECRET}",
    ],
)
def test_a_bad_url_is_one_line_without_the_secret(tmp_path, monkeypatch, url):
    monkeypatch.setenv("SHEETCRM_WEBHOOK_URL", url)
    with pytest.raises(ConfigError) as caught:
        notify_settings(config_file(tmp_path, ""))
    message = str(caught.value)
    assert "\n" not in message and SECRET not in message and "secret" not in message.lower()
    assert message.endswith("is not a usable address: give an http:// or https:// URL with a host")


def test_shown_url_keeps_scheme_and_host_only():
    assert shown_url(f"https://user:pw@hooks.slack.com:8443/services/{SECRET}?x=1") == (
        "https://hooks.slack.com:8443/…"
    )
