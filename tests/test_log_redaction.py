"""No secret reaches a log: a record from any logger (a child of google-auth's, say) is
redacted as it is made, whichever handler receives it, even one added afterwards;
google-auth's ``"token": "ya29…"`` and an OAuth ``code=`` included."""

from __future__ import annotations

import logging

import pytest

from sheetcrm.backends.gsheets.redact import install_redaction, redact


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def kept():
    factory = logging.getLogRecordFactory()
    install_redaction()
    handler = Keep()  # added after the redaction was installed
    logger = logging.getLogger("google.auth.transport.requests")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield logger, handler
    logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)
    logging.setLogRecordFactory(factory)


def test_a_child_loggers_record_with_a_token_is_redacted(kept):
    logger, handler = kept
    logger.debug("response: %s", '{"token": "ya29.a0AfH6-secret", "expiry": "2030"}')
    logger.debug("Making request: POST %s", "https://x/token?code=4/0AbCsecret&state=s")
    logger.debug("Authorization: Bearer ya29.other-secret")
    text = "\n".join(handler.lines)
    assert "secret" not in text, text
    assert '"expiry": "2030"' in text and "state=s" in text


def test_the_patterns():
    assert redact('{"token": "abc"}') == '{"token": "[redacted]"}'
    assert redact("saw ya29.c.b0Aaek-xyz_1 there") == "saw [redacted] there"
    assert redact("code=4/0Abc&scope=x") == "code=[redacted]&scope=x"
    assert redact('"token_uri": "https://oauth2.googleapis.com/token"') == (
        '"token_uri": "https://oauth2.googleapis.com/token"'
    )
