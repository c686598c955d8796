"""``report --webhook``, ``remind --webhook`` and import notices, each a fresh ``sheetcrm``
process on a copy of the demo workbook (.xlsx) posting to a real HTTP server on loopback:
the bodies received for each shape, retries, a hung server, no second post on a re-run,
and no secret (the webhook URL's path, Trello's key and token) in any output or log."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mail_support import WebhookServer
from support import demo_workbook, one_line, run_sheetcrm

AS_OF = "2025-10-01"
SECRET = "T0NOTIFY/B0TEST/s3cretPathXYZ"
KEY, TOKEN = "trelloKey0123456789", "trelloToken9876543210"


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory) -> Path:
    return demo_workbook(tmp_path_factory.mktemp("demo"), AS_OF)


def setup(folder: Path, demo_book: Path, toml: str, mode: int = 0o600) -> None:
    shutil.copy(demo_book, folder / "crm.xlsx")
    (folder / "sheetcrm.toml").write_text(
        "[notify]\nbackoff = 0.01\nmax_wait = 0.05\ntimeout = 5\n" + toml, encoding="utf-8"
    )
    (folder / "sheetcrm.toml").chmod(mode)


def sheetcrm(folder: Path, *argv: str, env: dict[str, str] | None = None, log: bool = False):
    """``sheetcrm ARGV --as-of …`` with its own outbox (``log``: with ``--log-json``)."""
    return run_sheetcrm(
        *(["--log-json"] if log else []),
        *argv,
        "--as-of",
        AS_OF,
        cwd=folder,
        env={"XDG_DATA_HOME": str(folder / "data"), **(env or {})},
    )


def no_secret(done) -> None:
    said = done.stdout + done.stderr
    for secret in (SECRET, "s3cretPath", KEY, TOKEN):
        assert secret not in said, said


def webhook(server: WebhookServer, shape: str) -> str:
    return f'[notify.webhook]\nurl = "{server.url}/services/{SECRET}"\nshape = "{shape}"\n'


def test_report_posts_the_slack_shape_once(demo_book, tmp_path):
    with WebhookServer() as server:
        setup(tmp_path, demo_book, webhook(server, "slack"))
        done = sheetcrm(tmp_path, "report", "--webhook", "--format", "txt", log=True)
        again = sheetcrm(tmp_path, "report", "--webhook", "--format", "txt")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Posted 1 notice; already posted earlier: 0\n"
    assert again.stdout == "Posted 0 notices; already posted earlier: 1\n"
    (got,) = server.requests  # the re-run posted nothing
    assert got.path == f"/services/{SECRET}"
    body = got.json()
    assert body["text"].startswith("Sales and follow-up report — ")
    assert body["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Sales and follow-up report"},
    }
    fields = [f["text"] for b in body["blocks"] if "fields" in b for f in b["fields"]]
    assert any(f.startswith("*Revenue*\n") for f in fields), fields
    assert body["blocks"][-1]["elements"][0]["text"] == f"crm.xlsx · {AS_OF}"
    no_secret(done), no_secret(again)
    assert '"event": "done"' in done.stderr  # --log-json: the run's line, without the URL


def unhappy_customer(folder: Path) -> str:
    """A score of 1 (of 5) taken by Maryam for the demo's first customer, imported as a
    teammate would (a feedback interaction); that customer's id."""
    shown = run_sheetcrm("show", "Customers", "--format", "csv", "--limit", "1", cwd=folder)
    customer = shown.stdout.splitlines()[1].split(",")[0]
    (folder / "feedback.csv").write_text(
        "date,type,customer_id,summary,satisfaction,by\n"
        f"2025-09-28,feedback,{customer},Parcel arrived broken,1,Maryam\n",
        encoding="utf-8",
    )
    done = run_sheetcrm("import", "feedback.csv", "--tab", "Interactions", "-q", cwd=folder)
    assert done.returncode == 0, done.stderr
    return customer


def test_remind_posts_follow_ups_and_unhappy_customers(demo_book, tmp_path):
    with WebhookServer() as server:
        trello = f'[notify.trello]\nlist = "5f0list"\napi = "{server.url}"\n'
        setup(tmp_path, demo_book, webhook(server, "generic") + trello)
        customer = unhappy_customer(tmp_path)
        env = {"SHEETCRM_TRELLO_KEY": KEY, "SHEETCRM_TRELLO_TOKEN": TOKEN}
        done = sheetcrm(tmp_path, "remind", "--webhook", env=env, log=True)
        again = sheetcrm(tmp_path, "remind", "--webhook", env=env)
    assert done.returncode == 0, done.stderr
    hook, *cards = server.requests  # the webhook, then a Trello card per unhappy customer
    body = hook.json()
    assert body["event"] == "remind" and body["workbook"] == "crm.xlsx"
    assert body["as_of"] == AS_OF and body["title"] == f"Your follow-ups for {AS_OF}"
    overdue = next(i for i in body["items"] if i["kind"] == "overdue")
    assert overdue["person"] and overdue["text"].startswith(overdue["person"] + ": ")
    unhappy = {i["customer_id"]: i for i in body["items"] if i["kind"] == "unhappy"}
    ours = unhappy[customer]
    assert ours["last_satisfaction"] == 1 and ours["last_scored"] == "2025-09-28"
    assert ours["by"] == "Maryam"
    assert ours["text"] == f"Unhappy customer: {ours['name']} (last score 1)"
    assert len(cards) == len(unhappy)
    posted = f"Posted {1 + len(cards)} notices; already posted earlier: 0\n"
    assert done.stdout.endswith(posted)
    assert again.stdout.endswith(f"Posted 0 notices; already posted earlier: {1 + len(cards)}\n")
    card = next(c.json() for c in cards if f"- customer_id: {customer}" in c.json()["desc"])
    assert all(c.path == f"/1/cards?key={KEY}&token={TOKEN}" for c in cards)
    assert card["name"] == ours["text"] and card["idList"] == "5f0list"
    no_secret(done), no_secret(again)


def test_retries_on_500_and_429(demo_book, tmp_path):
    with WebhookServer(replies=[500, 429]) as server:
        setup(tmp_path, demo_book, webhook(server, "slack"))
        done = sheetcrm(tmp_path, "report", "--webhook", "--format", "md")
    assert done.returncode == 0, done.stderr
    assert len(server.requests) == 3
    assert server.requests[0].body == server.requests[2].body


def test_undelivered_after_retries_exits_8(demo_book, tmp_path):
    with WebhookServer(replies=[503] * 9) as server:
        setup(tmp_path, demo_book, "retries = 2\n" + webhook(server, "slack"))
        done = sheetcrm(tmp_path, "report", "--webhook", "--format", "md")
    line = one_line(done, 8)
    assert line == (
        f"sheetcrm: 1 notification not delivered (webhook {server.url}/…: answered HTTP 503 "
        "after 3 tries); 0 others sent"
    )
    assert len(server.requests) == 3
    no_secret(done)


def test_a_hung_server_times_out(demo_book, tmp_path):
    with WebhookServer(delay=1.5) as server:
        setup(tmp_path, demo_book, webhook(server, "slack"))
        toml = tmp_path / "sheetcrm.toml"
        toml.write_text(toml.read_text().replace("timeout = 5", "timeout = 0.3"))
        done = sheetcrm(tmp_path, "remind", "--webhook", "-q", log=True)
        assert len(server.requests) == 1  # it may have arrived: not posted twice
    assert done.returncode == 8, done.stderr
    assert "did not answer within 0.3 s" in done.stderr
    no_secret(done)


def test_trello_card_from_the_environment(demo_book, tmp_path):
    with WebhookServer() as server:
        setup(tmp_path, demo_book, '[notify.trello]\nlist = "5f0list"\n')
        env = {
            "SHEETCRM_TRELLO_KEY": KEY,
            "SHEETCRM_TRELLO_TOKEN": TOKEN,
            "SHEETCRM_TRELLO_API": server.url,
        }
        done = sheetcrm(tmp_path, "report", "--webhook", "--format", "txt", env=env, log=True)
    assert done.returncode == 0, done.stderr
    (got,) = server.requests
    assert got.path == f"/1/cards?key={KEY}&token={TOKEN}"
    card = got.json()
    assert card["idList"] == "5f0list" and card["name"].startswith("Sales and follow-up report")
    assert "Revenue: " in card["desc"] and card["desc"].endswith("crm.xlsx")
    no_secret(done)


def test_a_readable_config_with_a_secret_is_refused(demo_book, tmp_path):
    with WebhookServer() as server:
        setup(tmp_path, demo_book, webhook(server, "slack"), mode=0o644)
        done = sheetcrm(tmp_path, "remind", "--webhook")
    line = one_line(done, 7)
    assert "holds a webhook URL but others can read it (mode 0644); chmod 600 it" in line
    assert server.requests == []
    no_secret(done)


def test_a_bad_url_is_a_one_line_error(demo_book, tmp_path):
    setup(tmp_path, demo_book, f'[notify.webhook]\nurl = "hooks.slack.com/services/{SECRET}"\n')
    done = sheetcrm(tmp_path, "report", "--webhook")
    line = one_line(done, 7)
    assert line == (
        "sheetcrm: error: the webhook URL 'hooks.slack.com/…' is not a usable address: give "
        "an http:// or https:// URL with a host"
    )
    no_secret(done)


def test_no_webhook_configured_says_what_to_set(demo_book, tmp_path):
    setup(tmp_path, demo_book, "")
    done = sheetcrm(tmp_path, "report", "--webhook", env={"SHEETCRM_WEBHOOK_URL": ""})
    assert "set [notify.webhook] url in sheetcrm.toml or SHEETCRM_WEBHOOK_URL" in one_line(done, 7)


FORM = (
    "Timestamp,Email Address,نام,شماره تماس\n"
    "2025-10-04 10:00:00,ana@example.com,Ana Lima,+447400123456\n"
    "2025-10-04 11:00:00,not-an-email,,\n"
)


def test_import_with_rejected_rows_posts_a_notice(demo_book, tmp_path):
    helped = run_sheetcrm("import", "--help", cwd=tmp_path)
    if "--webhook" not in helped.stdout:
        pytest.skip("import --webhook is wired by the coordinator (wiring17-NOTIFY.md)")
    (tmp_path / "form.csv").write_text(FORM, encoding="utf-8")
    with WebhookServer() as server:
        setup(tmp_path, demo_book, webhook(server, "generic") + "on_rejected = true\n")
        done = run_sheetcrm(
            "import",
            str(tmp_path / "form.csv"),
            cwd=tmp_path,
            env={"XDG_DATA_HOME": str(tmp_path / "data")},
        )
    assert done.returncode == 8, done.stderr
    body = server.requests[0].json()
    assert body["event"] == "import.rejected" and body["workbook"] == "crm.xlsx"
    assert body["title"].startswith("Import of form.csv: ")
    assert body["items"] and body["items"][0]["source"] == "form.csv"
    assert str(tmp_path) not in server.requests[0].body.decode()  # names, never paths
    no_secret(done)
