"""The deletion guard: refuse plans that delete or blank too much of a tab, and keep a
local, restorable snapshot (mode 0600: it holds customer data) before any destructive
change, which ``sheetcrm restore SNAPSHOT`` puts back."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from sheetcrm.errors import InputError, PlanRefusedError
from sheetcrm.files import write_private
from sheetcrm.model.changes import ChangeSet, DeleteRow, SetCell
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.values import is_blank

MAX_DESTRUCTIVE = 0.10  # share of a tab's rows a run may delete or blank without --force


def destructive_rows(changes: ChangeSet) -> dict[str, set[str]]:
    """Per tab, the records a plan deletes or blanks a non-empty field of."""
    out: dict[str, set[str]] = defaultdict(set)
    for op in changes.ops:
        if isinstance(op, DeleteRow) or (
            isinstance(op, SetCell) and is_blank(op.value) and not is_blank(op.old)
        ):
            out[op.tab].add(op.key)
    return out


def check(changes: ChangeSet, grids: Mapping[str, TabGrid], *, force: bool) -> None:
    """Refuse to delete or blank more than MAX_DESTRUCTIVE of a tab unless forced."""
    for tab, keys in destructive_rows(changes).items():
        total = max(len(grids[tab].rows) if tab in grids else 0, 1)
        if len(keys) / total > MAX_DESTRUCTIVE and not force:
            raise PlanRefusedError(
                f"{tab}: this would delete or blank {len(keys)} of {total} rows (more than "
                f"{MAX_DESTRUCTIVE:.0%}); look at it with --dry-run, then re-run with --force"
            )


def snapshot_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(os.environ.get("SHEETCRM_SNAPSHOTS", Path(base) / "sheetcrm" / "snapshots"))


def _json(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return {"$date": value.isoformat()}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and "$date" in value:
        text = value["$date"]
        return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
    return value


class Described(Protocol):
    def describe(self) -> str: ...


def write_snapshot(crm: Described, grids: Mapping[str, TabGrid], tabs: Iterable[str]) -> Path:
    """Save the given tabs of the workbook as read; return the snapshot file's path."""
    target = crm.describe()
    folder = snapshot_dir()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", target)[-40:].strip("-")
    path = folder / f"{stamp}-{slug}.json"
    data = {
        "target": target,
        "at": dt.datetime.now().isoformat(timespec="seconds"),
        "tabs": encode_tabs(grids, tabs),
    }
    return write_private(path, json.dumps(data, ensure_ascii=False))


def encode_tabs(grids: Mapping[str, TabGrid], tabs: Iterable[str]) -> dict[str, Any]:
    """The ``tabs`` part of a snapshot file (also what ``person forget`` writes back when
    it takes a person out of one)."""
    return {
        name: {
            "header": grids[name].header,
            "rows": [[_json(v) for v in row] for row in grids[name].rows],
            "formulas": [[r, c, f] for (r, c), f in grids[name].formulas.items()],
        }
        for name in tabs
        if name in grids
    }


def read_snapshot(path: str | Path) -> dict[str, TabGrid]:
    """The tabs a snapshot holds, as grids (values typed again)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        tabs = data["tabs"]
        return {
            name: TabGrid(
                name,
                list(saved["header"]),
                [[_from_json(v) for v in row] for row in saved["rows"]],
                {(int(r), int(c)): str(f) for r, c, f in saved.get("formulas", [])},
            )
            for name, saved in tabs.items()
        }
    except FileNotFoundError:
        raise InputError(f"no such snapshot: {path}") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        raise InputError(f"{path} is not a sheetcrm snapshot") from None


def guard(
    crm: Described,
    changes: ChangeSet,
    grids: Mapping[str, TabGrid],
    *,
    force: bool,
    dry_run: bool,
    snapshot: bool = True,
) -> Path | None:
    """Check the thresholds; before a destructive apply, write a snapshot (unless the run
    says not to: ``person forget``, whose snapshot would keep the person it removes)."""
    check(changes, grids, force=force)
    tabs = sorted(destructive_rows(changes))
    if tabs and not dry_run and snapshot:
        return write_snapshot(crm, grids, tabs)
    return None
