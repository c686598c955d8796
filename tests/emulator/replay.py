"""Replay gspread's recorded sessions with the real Google APIs against the emulator."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetcrm.emulator import Emulator

#: Response keys the emulator leaves out on purpose (cosmetic metadata of real Sheets).
COSMETIC = {
    "defaultFormat",
    "spreadsheetTheme",
    "iterativeCalculationSettings",
    "kind",
    "createdTime",
    "modifiedTime",
    "importFunctionsExternalUrlAccessAllowed",
    "details",
    "etag",
    "owners",
    "lastModifyingUser",
    "capabilities",
    "permissionIds",
}


@dataclass
class Outcome:
    name: str
    requests: int = 0
    external: int = 0  # requests about files the recorded session did not create
    status_mismatch: list[str] = field(default_factory=list)
    shape_mismatch: list[str] = field(default_factory=list)
    value_mismatch: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.status_mismatch or self.shape_mismatch or self.value_mismatch)


def _shape(value: Any, path: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k in COSMETIC:
                continue
            out.add(f"{path}.{k}")
            out |= _shape(v, f"{path}.{k}")
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        out |= _shape(value[0], path + "[]")
    return out


def _learn_ids(want: Any, have: Any, ids: dict[str, str], key: str = "") -> None:
    """Map IDs Google assigned to the ones the emulator assigned, wherever they sit."""
    if isinstance(want, dict) and isinstance(have, dict):
        for k, v in want.items():
            if k in have:
                _learn_ids(v, have[k], ids, k)
    elif isinstance(want, list) and isinstance(have, list):
        for a, b in zip(want, have, strict=False):
            _learn_ids(a, b, ids, key)
    elif (
        (key in ("id", "spreadsheetId") or key.endswith("Id"))
        and want != have
        and str(want) not in ids
        and len(str(want)) > 3
    ):
        ids[str(want)] = str(have)


_FILE_ID = re.compile(r"(?:spreadsheets|files)/([A-Za-z0-9_-]{25,})")


def load(path: Path) -> Any:
    """A cassette as recorded (``.json``) or as stored in tests/data (``.json.gz``)."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return json.loads(raw)


def cassettes(root: Path) -> list[Path]:
    return sorted([*root.glob("*.json"), *root.glob("*.json.gz")])


def replay(path: Path) -> Outcome:
    data = load(path)
    emu = Emulator()
    ids: dict[str, str] = {}
    created: set[str] = set()
    outcome = Outcome(path.name.removesuffix(".gz").removesuffix(".json"))
    for it in data["interactions"]:
        req, resp = it["request"], it["response"]
        url, body = req["uri"], req["body"] or ""
        for real, fake in ids.items():
            url, body = url.replace(real, fake), body.replace(real, fake)
        if "upload/drive" in url or "/export" in url or "/comments" in url:
            continue  # binary uploads and exports are out of the emulator's scope
        m = _FILE_ID.search(url)
        if m and m.group(1) not in created:
            outcome.external += 1  # a file that existed before the recording started
            continue
        got = emu.handle(req["method"], url, body.encode() if body else None)
        outcome.requests += 1
        want_status = resp["status"]["code"]
        text = resp["body"]["string"]
        want = json.loads(text) if text and text.lstrip().startswith("{") else None
        have = json.loads(got.body) if got.body and got.body.lstrip().startswith(b"{") else None
        if isinstance(have, dict):
            _learn_ids(want, have, ids)
            for key in ("id", "spreadsheetId"):
                if isinstance(have.get(key), str):
                    created.add(have[key])
        where = f"{req['method']} {re.sub(r'[?].*', '', url)[-70:]}"
        if got.status != want_status:
            detail = (have or {}).get("error", {}).get("message", "")
            outcome.status_mismatch.append(f"{where}: {got.status} != {want_status} {detail[:120]}")
            continue
        if isinstance(want, dict) and isinstance(have, dict):
            missing = _shape(want) - _shape(have)
            if missing:
                outcome.shape_mismatch.append(f"{where}: missing {sorted(missing)[:4]}")
            want_values = want.get("values") or [
                v.get("values") for v in want.get("valueRanges", [])
            ]
            have_values = have.get("values") or [
                v.get("values") for v in have.get("valueRanges", [])
            ]
            if ("values" in want or "valueRanges" in want) and want_values != have_values:
                outcome.value_mismatch.append(
                    f"{where}: {json.dumps(want_values)[:100]} != {json.dumps(have_values)[:100]}"
                )
    return outcome


if __name__ == "__main__":
    import sys

    root = Path(sys.argv[1])
    results = [replay(p) for p in cassettes(root)]
    for r in results:
        if not r.ok:
            print(f"== {r.name} ({r.requests} requests)")
            for line in r.status_mismatch + r.shape_mismatch + r.value_mismatch:
                print("   ", line)
    print(sum(r.ok for r in results), "of", len(results), "match")
