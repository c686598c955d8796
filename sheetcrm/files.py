"""Files only their owner may read: tokens, deletion snapshots, crash reports.

They hold secrets or customer data, so the file is private from its first byte (a
temporary file created 0600, never a write followed by a chmod), and it appears whole or
not at all (written, flushed to disk, then renamed over the old one). At the bottom of
the layers, next to ``errors``, so every layer may use it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def write_private(path: str | Path, data: str | bytes) -> Path:
    """Create or replace ``path`` with ``data`` (text is UTF-8), readable only by its
    owner, atomically. A missing parent folder is created 0700."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, PRIVATE_FILE)  # mkstemp makes it 0600 already; say so, on any platform
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
