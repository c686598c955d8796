"""The few Drive v3 routes gspread uses: create, get, list, copy, delete, permissions, export."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import re
from typing import TYPE_CHECKING, Any

from .model import ApiError, bad, new_spreadsheet_id

if TYPE_CHECKING:
    from .server import Emulator

SHEET_MIME = "application/vnd.google-apps.spreadsheet"
_CLAUSE = re.compile(
    r"""^\s*(\w+)\s*(=|!=|contains)\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*$"""
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def file_json(emu: Emulator, file_id: str, fields: str | None) -> dict[str, Any]:
    meta = emu.files[file_id]
    full = {
        "kind": "drive#file",
        "id": file_id,
        "name": emu.spreadsheets[file_id].title,
        "mimeType": SHEET_MIME,
        **meta,
    }
    if not fields:
        return {k: full[k] for k in ("kind", "id", "name", "mimeType")}
    wanted = [f.strip() for f in re.sub(r"files\((.*)\)", r"\1", fields).split(",")]
    return {k: full[k] for k in wanted if k in full}


def _matches(emu: Emulator, file_id: str, query: str) -> bool:
    if not query:
        return True
    for clause in re.split(r"\s+and\s+", query.strip()):
        if clause.replace(" ", "") in ("trashed=false",):
            continue
        m = _CLAUSE.match(clause)
        if not m:
            raise bad(f"Invalid Value: q={query}")
        field, op, single, double = m.groups()
        value = (single if single is not None else double).replace("\\'", "'")
        actual = {"mimeType": SHEET_MIME, "name": emu.spreadsheets[file_id].title}.get(field)
        if actual is None:
            raise bad(f"Invalid Value: q={query}")
        ok = (
            (actual == value) if op == "=" else (actual != value) if op == "!=" else value in actual
        )
        if not ok:
            return False
    return True


def handle(
    emu: Emulator, method: str, parts: list[str], params: dict[str, list[str]], body: dict[str, Any]
) -> tuple[int, Any]:
    fields = params["fields"][-1] if params.get("fields") else None
    if not parts:
        if method == "GET":
            query = (params.get("q") or [""])[-1]
            files = [
                file_json(emu, fid, fields or "id,name,mimeType,kind")
                for fid in emu.files
                if _matches(emu, fid, query)
            ]
            return 200, {"kind": "drive#fileList", "incompleteSearch": False, "files": files}
        if method == "POST":
            if body.get("mimeType") != SHEET_MIME:
                raise bad("The emulator only creates Google Sheets files")
            ss = emu.create_spreadsheet(body.get("name", "Untitled spreadsheet"))
            return 200, file_json(emu, ss.id, None)
    file_id = parts[0]
    if file_id not in emu.files:
        raise ApiError(404, f"File not found: {file_id}.", "notFound")
    emu.check_access(file_id)
    rest = parts[1:]
    if not rest:
        if method == "GET":
            return 200, file_json(emu, file_id, fields)
        if method == "DELETE":
            emu.delete_spreadsheet(file_id)
            return 204, None
        if method == "PATCH":
            if "name" in body:
                emu.spreadsheets[file_id].title = body["name"]
            emu.touch(file_id)
            return 200, file_json(emu, file_id, None)
    if rest == ["copy"] and method == "POST":
        source = emu.spreadsheets[file_id]
        new_id = new_spreadsheet_id()
        clone = copy.deepcopy(source)
        clone.id = new_id
        clone.title = body.get("name", f"Copy of {source.title}")
        emu.spreadsheets[new_id] = clone
        emu.files[new_id] = {"createdTime": _now(), "modifiedTime": _now()}
        return 200, file_json(emu, new_id, None)
    if rest == ["permissions"]:
        perms = emu.permissions.setdefault(file_id, [_owner()])
        if method == "GET":
            return 200, {"kind": "drive#permissionList", "permissions": copy.deepcopy(perms)}
        if method == "POST":
            perm = {
                "kind": "drive#permission",
                "id": str(len(perms) + 1),
                "type": body.get("type"),
                "role": body.get("role"),
                "emailAddress": body.get("emailAddress"),
            }
            perms.append(perm)
            return 200, perm
    if rest == ["export"] and method == "GET":
        return 200, _export_csv(emu, file_id)
    if rest == ["comments"] and method == "GET":
        return 200, {"kind": "drive#commentList", "comments": []}
    raise ApiError(404, f"Not found: {method} /drive/v3/files/{'/'.join(parts)}")


def _owner() -> dict[str, Any]:
    return {
        "kind": "drive#permission",
        "id": "0",
        "type": "user",
        "role": "owner",
        "emailAddress": "emulator@example.com",
    }


def _export_csv(emu: Emulator, file_id: str) -> bytes:
    from .cells import render

    sheet = emu.spreadsheets[file_id].sheets[0]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for r, row in enumerate(sheet.rows):
        writer.writerow(
            [render(v, sheet.number_format(r, c), "FORMATTED_VALUE") for c, v in enumerate(row)]
        )
    return buf.getvalue().encode()
