"""Tokens, keys and client secrets never reach the logs: a filter on every logger that
matters (ours, urllib3's, google-auth's, gspread's, requests') blanks them out."""

from __future__ import annotations

import logging
import re

_SECRET_KEYS = (
    r"(?:access_token|refresh_token|id_token|private_key|client_secret|assertion|code_verifier)"
)
_SECRETS = [
    (re.compile(r"(Bearer\s+)\S+"), r"\1[redacted]"),
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


class RedactingFilter(logging.Filter):
    """Replace bearer tokens, private keys and client secrets in log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def install_redaction() -> None:
    """Attach the filter to every handler of the root logger and the noisy libraries."""
    flt = RedactingFilter()
    for name in ("", "sheetcrm", "urllib3", "google", "gspread", "requests"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(flt)
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(flt)
