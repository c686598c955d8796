"""Send Google API traffic somewhere else (an emulator) without touching gspread."""

from __future__ import annotations

import os

import requests
from requests.adapters import HTTPAdapter

from sheetcrm.config import Config

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")


def endpoint_of(config: Config | None = None) -> str | None:
    """The Sheets API base URL override: $SHEETCRM_API_ENDPOINT, else the config's."""
    return os.environ.get("SHEETCRM_API_ENDPOINT") or (config.endpoint if config else None)


class EndpointAdapter(HTTPAdapter):
    """Send Google API traffic to another base URL (an emulator) without touching gspread."""

    def __init__(self, endpoint: str) -> None:
        super().__init__()
        self.endpoint = endpoint.rstrip("/")

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        for host in GOOGLE_HOSTS:
            if request.url and request.url.startswith(host):
                request.url = self.endpoint + request.url[len(host) :]
                break
        return super().send(request, stream, timeout, verify, cert, proxies)


def mount_endpoint(session: requests.Session, endpoint: str) -> None:
    """Route a session's Google API requests to ``endpoint`` (e.g. http://127.0.0.1:8765)."""
    adapter = EndpointAdapter(endpoint)
    for host in GOOGLE_HOSTS:
        session.mount(host + "/", adapter)
