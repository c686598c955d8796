"""Files only their owner may read: tokens, snapshots, the mail outbox and drafts, crash
reports.

They hold secrets or customer data, so the file is private from its first byte (created
0600, never a write followed by a chmod), and a replaced file appears whole or not at all
(written, flushed to disk, then renamed over the old one). Every folder created on the way
is 0700, and sheetcrm's own folder for such files is made 0700 even if an older version
left it readable. At the bottom of the layers, next to ``errors``, so every layer may use it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def private_folder(folder: Path, *, own: bool = True) -> None:
    """Create ``folder`` and any missing parents 0700 (``mkdir``'s mode alone is cut by the
    umask, and it never applies to the parents). ``own``: the folder is sheetcrm's (not,
    say, a folder the user named for drafts), so an existing one is tightened to 0700."""
    missing: list[Path] = []
    at = folder
    while not at.exists() and at != at.parent:
        missing.append(at)
        at = at.parent
    for made in reversed(missing):
        try:
            made.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:  # made meanwhile by another run: not ours to change
            continue
        os.chmod(made, PRIVATE_FOLDER)
    if own and not missing and folder.resolve() != Path.home().resolve():
        st = folder.stat()
        if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) & 0o077:
            with contextlib.suppress(OSError):
                os.chmod(folder, stat.S_IMODE(st.st_mode) & ~0o077)


def write_private(
    path: str | Path, data: str | bytes, *, append: bool = False, own_folder: bool = True
) -> Path:
    """Create or replace ``path`` with ``data`` (text is UTF-8), readable only by its
    owner, atomically; with ``append``, add ``data`` at its end (a journal such as the mail
    outbox, where each line must be on disk before the next step). Folders as in
    ``private_folder``; ``own_folder=False`` for a folder the user chose."""
    path = Path(path)
    private_folder(path.parent, own=own_folder)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if append:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
        try:
            os.fchmod(fd, PRIVATE_FILE)  # an outbox written by an older version was 0644
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        return path
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, PRIVATE_FILE)  # mkstemp makes it 0600 already; say so, on any platform
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host: the local lock, the ``_meta``
    lease and an xlsx save's temporary file each ask it of the run that left them."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
