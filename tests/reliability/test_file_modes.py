"""Snapshots of customer data are private: 0600 files in 0700 folders, whatever the
umask; and ``restore`` takes one of what it overwrites before it writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .harness import SheetsWorld, World, ok, run


def modes(root: Path) -> dict[str, int]:
    found = {}
    for folder, dirs, names in os.walk(root):
        for name in [*dirs, *names]:
            p = Path(folder) / name
            found[str(p.relative_to(root))] = stat.S_IMODE(p.stat().st_mode)
    found["."] = stat.S_IMODE(root.stat().st_mode)
    return found


def loose(found: dict[str, int], root: Path) -> dict[str, str]:
    return {p: oct(m) for p, m in found.items() if m != (0o700 if (root / p).is_dir() else 0o600)}


def test_snapshots_are_private_and_restore_takes_one_first(world: World, baselines, monkeypatch):
    from sheetcrm.config import Config
    from sheetcrm.crm import CRM, open_crm

    world.restore(baselines(world.kind, "import").pre)
    snapshots = world.root / "hosts" / "a" / "snapshots"
    old = os.umask(0o022)
    try:
        monkeypatch.setenv("SHEETCRM_SNAPSHOTS", str(snapshots))
        if isinstance(world, SheetsWorld):
            from sheetcrm.backends.gsheets.backend import GSheetsBackend

            backend = GSheetsBackend.open(world.sid, config=Config(endpoint=world.url("lib")))
            crm = CRM(backend=backend, config=Config())
        else:
            crm = open_crm(str(world.path), config=Config())  # type: ignore[attr-defined]
        first = crm.frame("Customers").iloc[0]["customer_id"]
        result = crm.upsert("Customers", [{"customer_id": first, "notes": ""}])  # destructive
        assert result.snapshot is not None
        taken = modes(snapshots)
        assert not loose(taken, snapshots), loose(taken, snapshots)
        ran = ok(run(world, "restore", str(result.snapshot)))
        after = modes(snapshots)
        assert len([p for p in after if p.endswith(".json") or "." in p]) > len(
            [p for p in taken if p.endswith(".json") or "." in p]
        ), f"restore kept no snapshot of what it overwrote: {sorted(after)}\n{ran.stdout}"
        assert not loose(after, snapshots), loose(after, snapshots)
    finally:
        os.umask(old)
