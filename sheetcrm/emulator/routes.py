"""Which API method a request is: Sheets v4's URL patterns, and the methods that write."""

from __future__ import annotations

import re

WRITE_METHODS = {
    "sheets.spreadsheets.create",
    "sheets.spreadsheets.batchUpdate",
    "sheets.spreadsheets.values.update",
    "sheets.spreadsheets.values.batchUpdate",
    "sheets.spreadsheets.values.append",
    "sheets.spreadsheets.values.clear",
    "sheets.spreadsheets.values.batchClear",
    "sheets.spreadsheets.values.batchUpdateByDataFilter",
    "sheets.spreadsheets.values.batchClearByDataFilter",
}

_SS = r"^/v4/spreadsheets/(?P<id>[^/:]+)"
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"^/v4/spreadsheets$"), "sheets.spreadsheets.create"),
    ("GET", re.compile(_SS + r"$"), "sheets.spreadsheets.get"),
    ("POST", re.compile(_SS + r":batchUpdate$"), "sheets.spreadsheets.batchUpdate"),
    ("POST", re.compile(_SS + r":getByDataFilter$"), "sheets.spreadsheets.getByDataFilter"),
    (
        "POST",
        re.compile(_SS + r"/values:batchGetByDataFilter$"),
        "sheets.spreadsheets.values.batchGetByDataFilter",
    ),
    (
        "POST",
        re.compile(_SS + r"/values:batchUpdateByDataFilter$"),
        "sheets.spreadsheets.values.batchUpdateByDataFilter",
    ),
    (
        "POST",
        re.compile(_SS + r"/values:batchClearByDataFilter$"),
        "sheets.spreadsheets.values.batchClearByDataFilter",
    ),
    ("GET", re.compile(_SS + r"/values:batchGet$"), "sheets.spreadsheets.values.batchGet"),
    ("POST", re.compile(_SS + r"/values:batchUpdate$"), "sheets.spreadsheets.values.batchUpdate"),
    ("POST", re.compile(_SS + r"/values:batchClear$"), "sheets.spreadsheets.values.batchClear"),
    (
        "POST",
        re.compile(_SS + r"/values/(?P<range>.+):append$"),
        "sheets.spreadsheets.values.append",
    ),
    ("POST", re.compile(_SS + r"/values/(?P<range>.+):clear$"), "sheets.spreadsheets.values.clear"),
    ("GET", re.compile(_SS + r"/values/(?P<range>.+)$"), "sheets.spreadsheets.values.get"),
    ("PUT", re.compile(_SS + r"/values/(?P<range>.+)$"), "sheets.spreadsheets.values.update"),
    (
        "GET",
        re.compile(_SS + r"/developerMetadata/(?P<mid>\d+)$"),
        "sheets.spreadsheets.developerMetadata.get",
    ),
    (
        "POST",
        re.compile(_SS + r"/developerMetadata:search$"),
        "sheets.spreadsheets.developerMetadata.search",
    ),
]


def route(method: str, path: str) -> tuple[str, dict[str, str] | None]:
    """The method id for an HTTP method and path, and the path's parts (id, range, …)."""
    if path.startswith(("/drive/v3/files", "/upload/drive")):
        return f"drive.files.{method.lower()}", {}
    for verb, pattern, method_id in ROUTES:
        m = pattern.match(path)
        if m and verb == method:
            return method_id, m.groupdict()
    return f"unknown {method} {path}", None
