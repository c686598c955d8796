"""Line breaks and other control characters in an e-mail's headers (``report --email``'s
title, the addresses, the sender) are refused with exit 3 before anything is sent: they
would let sheet text or an option add recipients or headers of its own."""

from __future__ import annotations

import pytest
from support import one_line, run_sheetcrm
from test_reports import Mailbox

from sheetcrm.errors import InputError
from sheetcrm.outputs.mail import Email, SmtpSettings, send

SETTINGS = SmtpSettings("127.0.0.1", 25, "none", "Shop <shop@example.com>")


def _env(box: Mailbox, tmp_path) -> dict[str, str]:
    return {
        "SHEETCRM_SMTP_HOST": "127.0.0.1",
        "SHEETCRM_SMTP_PORT": str(box.port),
        "SHEETCRM_SMTP_SECURITY": "none",
        "SHEETCRM_SMTP_FROM": "shop@example.com",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }


@pytest.mark.parametrize(
    "args",
    [
        ("--title", "Weekly\r\nBcc: everyone@example.net"),
        ("--title", "Weekly\nreport"),
        ("--title", "Weekly\x1b[2J"),
        ("--title", "Weekly\u2028Bcc: x@example.net"),
    ],
)
def test_a_title_with_a_line_break_is_refused_and_nothing_is_sent(tmp_path, args):
    assert run_sheetcrm("init", cwd=tmp_path).returncode == 0
    with Mailbox() as box:
        done = run_sheetcrm(
            "report",
            "--format",
            "txt",
            "--email",
            "boss@example.com",
            *args,
            env=_env(box, tmp_path),
            cwd=tmp_path,
        )
        line = one_line(done, 3)
        assert "subject" in line and "control character" in line and "nothing was sent" in line
        assert box.messages == []
    assert not (tmp_path / "data" / "sheetcrm" / "outbox.jsonl").exists()


@pytest.mark.parametrize(
    "address",
    ["boss@example.com\r\nBcc: everyone@example.net", "boss@example.com, spy@example.net", "x"],
)
def test_an_address_that_is_not_one_plain_address_is_refused(tmp_path, address):
    assert run_sheetcrm("init", cwd=tmp_path).returncode == 0
    with Mailbox() as box:
        done = run_sheetcrm(
            "report",
            "--format",
            "txt",
            "--email",
            "ok@example.com",
            "--email",
            address,
            env=_env(box, tmp_path),
            cwd=tmp_path,
        )
        line = one_line(done, 3)
        assert "nothing was sent" in line
        assert box.messages == []  # not even to the good address given first


def test_the_library_checks_every_message_before_the_first_is_sent(tmp_path):
    """``send`` is the last line of defence for callers other than the CLI: a bad subject in
    the second message stops the first too (the server is never contacted)."""
    mails = [
        Email("a@example.com", "Fine", "text"),
        Email("b@example.com", "Bad\rBcc: c@example.com", "text"),
    ]
    with Mailbox() as box:
        settings = SmtpSettings("127.0.0.1", box.port, "none", "shop@example.com")
        with pytest.raises(InputError, match=r"subject .* control character"):
            send(settings, mails, outbox=tmp_path / "outbox.jsonl")
        assert box.messages == []
    bad_sender = SmtpSettings("127.0.0.1", 1, "none", "shop@example.com\nBcc: x@example.net")
    with pytest.raises(InputError, match="sender"):
        send(bad_sender, mails[:1], outbox=tmp_path / "outbox.jsonl")
    assert not (tmp_path / "outbox.jsonl").exists()


def test_a_display_name_with_a_comma_is_still_one_address(tmp_path):
    with Mailbox() as box:
        settings = SmtpSettings("127.0.0.1", box.port, "none", "shop@example.com")
        sent = send(
            settings,
            [Email('"Smith, Ana" <ana@example.com>', "Hi", "text")],
            outbox=tmp_path / "outbox.jsonl",
        )
        assert sent.sent == ['"Smith, Ana" <ana@example.com>'] and len(box.messages) == 1
