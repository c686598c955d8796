"""Tokens, keys and client secrets never reach the logs: every log record is redacted as
it is made (a record factory, so a child logger's record, or one reaching a handler added
later, is covered too), and a filter on the loggers that matter does it again."""

from __future__ import annotations

import logging
import re
from typing import Any

_SECRET_KEYS = (
    r"(?:access_token|refresh_token|id_token|private_key|client_secret|assertion|code_verifier"
    r"|token|code)"
)
_SECRETS = [
    (re.compile(r"(Bearer\s+)\S+"), r"\1[redacted]"),
    (re.compile(r"\bya29\.[\w.-]+"), "[redacted]"),  # a Google access token, however quoted
    (re.compile(r'("' + _SECRET_KEYS + r'"\s*:\s*")[^"]*(")'), r"\1[redacted]\2"),
    (re.compile(r"(\b" + _SECRET_KEYS + r"=)[^&\s\"']+"), r"\1[redacted]"),
    (
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S
        ),
        "[redacted key]",
    ),
]


def redact(text: str) -> str:
    """``text`` with bearer tokens, private keys and client secrets blanked out."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def redact_record(record: logging.LogRecord) -> None:
    """Replace the record's message by its redacted text, when it holds a secret."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit the message: logging says so
        return
    redacted = redact(message)
    if redacted != message:
        record.msg, record.args = redacted, ()


class RedactingFilter(logging.Filter):
    """Replace bearer tokens, private keys and client secrets in log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def _redacting_factory() -> None:
    """Make every log record, from any logger, already redacted."""
    made = logging.getLogRecordFactory()
    if getattr(made, "redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = made(*args, **kwargs)
        redact_record(record)
        return record

    factory.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def install_redaction() -> None:
    """Redact every record as it is made; and attach the filter to the handlers of the
    root logger and of the noisy libraries."""
    _redacting_factory()
    flt = RedactingFilter()
    for name in ("", "sheetcrm", "urllib3", "google", "gspread", "requests"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(flt)
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(flt)
