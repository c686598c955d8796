"""One writer at a time: a lease file that a killed run cannot hold beyond its lease.

The lease is created atomically (``O_CREAT | O_EXCL``) and records who holds it and until
when. A second run finds it and exits with "locked"; a lease past its expiry, or held by a
process that no longer exists on this host, is taken over. For a local workbook the lease
sits next to the file (so runs on any machine sharing the folder see it); for Google Sheets
it sits in the user's cache folder, keyed by the spreadsheet. A run on another machine is
stopped by the lease in the workbook itself (``_meta``'s ``lease``, taken by ``WriteRun``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sheetcrm.errors import LockedError
from sheetcrm.files import alive

DEFAULT_LEASE = 15 * 60  # seconds


def lock_path_for(target: str) -> Path:
    """Where the lease for a workbook lives."""
    if target.lower().endswith(".xlsx") and "://" not in target:
        p = Path(target)
        return p.with_name(f".{p.name}.lock")
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sheetcrm" / "locks"
    return base / (hashlib.sha1(target.encode()).hexdigest()[:16] + ".lock")


def _holder(path: Path) -> dict[str, Any] | None:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return info if isinstance(info, dict) else None  # not ours: a stale lease


def _stale(info: dict[str, Any] | None, now: float) -> bool:
    if info is None:
        return True
    if float(info.get("expires", 0)) < now:
        return True
    return info.get("host") == socket.gethostname() and not alive(int(info.get("pid", 0)))


@contextlib.contextmanager
def lease(
    target: str, command: str, *, seconds: float = DEFAULT_LEASE, path: Path | None = None
) -> Iterator[Path]:
    """Hold the workbook's lease for the duration of the block, or raise ``LockedError``."""
    path = path or lock_path_for(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    me = {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "command": command,
        "since": time.time(),
        "expires": time.time() + seconds,
    }
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            info = _holder(path)
            if _stale(info, time.time()):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()  # a crashed or expired run: take over
                continue
            assert info is not None
            left = int(float(info["expires"]) - time.time())
            raise LockedError(
                f"locked: another run ({info.get('command', '?')} on {info.get('host')}, "
                f"pid {info.get('pid')}) is writing to {target}; its lease ends in {left}s"
            ) from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(me, fh)
        break
    else:  # pragma: no cover - two takeovers raced; the other one won
        raise LockedError(f"locked: another run just took the lease on {target}")
    try:
        yield path
    finally:
        info = _holder(path)
        if info and info.get("pid") == me["pid"] and info.get("since") == me["since"]:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
