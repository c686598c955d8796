"""How long a Google request may take, the token refresh included.

google-auth refreshes a token with its own request and, unless told otherwise, waits 120 s
for the token endpoint; a captive portal or a stalled Wi-Fi would then hang a command (or
``sheetcrm doctor --timeout 2``) for two minutes before anything is said. Every refresh
goes through ``TimedRequest`` instead, which gives up after the timeout it was made with.
"""

from __future__ import annotations

from typing import Any

import requests
from google.auth.credentials import Credentials
from google.auth.transport.requests import AuthorizedSession, Request

Timeout = float | tuple[float, float]

#: Seconds to connect, and to wait for the next bytes of an answer: a connection that
#: stalls (a laptop's Wi-Fi drops mid-request) fails and is retried instead of hanging a
#: run, or a ``watch``, for ever.
TIMEOUT: Timeout = (15.0, 120.0)
#: The token endpoint answers in well under a second; a long wait means it never will.
TOKEN_TIMEOUT: Timeout = (15.0, 20.0)


class TimedRequest(Request):
    """google-auth's request for the token endpoint, with a timeout of our choosing
    (whatever timeout google-auth passes, including its 120 s default)."""

    def __init__(self, timeout: Timeout, session: requests.Session | None = None) -> None:
        super().__init__(session)
        self.timeout = timeout

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        timeout: Any = None,
        **kwargs: Any,
    ) -> Any:
        call = super().__call__
        return call(url, method, body, headers, timeout=self.timeout, **kwargs)  # type: ignore[no-untyped-call]


def token_timeout(timeout: Timeout | None) -> Timeout:
    """The token endpoint's timeout for requests that may take ``timeout``: never longer."""
    if timeout is None:
        return TOKEN_TIMEOUT
    return timeout if isinstance(timeout, int | float) else min(timeout, TOKEN_TIMEOUT)


def authorized_session(creds: Credentials, timeout: Timeout | None = None) -> AuthorizedSession:
    """A session that signs requests with ``creds`` and refreshes them within a timeout."""
    return AuthorizedSession(creds, auth_request=TimedRequest(token_timeout(timeout)))
