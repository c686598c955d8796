"""The workbook as a file among other people's programs: which version of it a run loaded,
whether Excel or LibreOffice has it open, the temporary files of killed saves, and the
atomic save itself.

A save never overwrites what it has not seen: the file's version (mtime, size, inode and
a SHA-256 of its bytes) is taken when it is loaded and checked again just before the
rename, so a save from a second machine on a shared folder in between is never lost.
Every ``OSError`` of a save becomes ``DiskError`` (exit 6) with the workbook untouched and
the temporary file removed.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import os
import re
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetcrm.errors import DiskError, LockedError
from sheetcrm.files import alive

#: A temporary file of ours this old (not written to for a minute) is left by a killed save.
STALE_AFTER = 60.0


@dataclass(frozen=True)
class Version:
    """Which bytes of the file a run loaded."""

    mtime_ns: int
    size: int
    inode: int
    sha256: str

    def stamp(self) -> tuple[int, int, int]:
        return self.mtime_ns, self.size, self.inode


def load_bytes(path: Path) -> tuple[bytes, Version]:
    """The file's bytes and their version (both from one open file)."""
    with open(path, "rb") as fh:
        data = fh.read()
        st = os.fstat(fh.fileno())
    return data, Version(st.st_mtime_ns, st.st_size, st.st_ino, hashlib.sha256(data).hexdigest())


def unchanged(path: Path, version: Version | None) -> bool:
    """True while the file is the one loaded (``None``: it did not exist then)."""
    if version is None:
        return not path.exists()
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    if (st.st_mtime_ns, st.st_size, st.st_ino) != version.stamp():
        return False
    with open(path, "rb") as fh:  # same stamp: a coarse clock on a shared folder can hide a save
        return hashlib.sha256(fh.read()).hexdigest() == version.sha256


# -- open in Excel or LibreOffice ---------------------------------------------------------


def _libreoffice_holder(text: str) -> str | None:
    """``Name,HOST,USER,DD.MM.YYYY HH:MM,config;`` (LibreOffice's lock file) → who, where."""
    parts = text.strip().rstrip(";").split(",")
    if len(parts) < 3:
        return None
    name, host, user = (p.strip() for p in parts[:3])
    since = parts[3].strip() if len(parts) > 3 else ""
    who = user or name
    if not who:
        return None
    return f"{who} on {host}" + (f" since {since}" if since else "") if host else who


def _excel_holder(data: bytes) -> str | None:
    """Excel's owner file: a length byte and the user's name, then the name in UTF-16."""
    with contextlib.suppress(IndexError, UnicodeDecodeError):
        if len(data) >= 56:
            count = int.from_bytes(data[54:56], "little")
            name = data[56 : 56 + 2 * count].decode("utf-16-le").strip("\x00 ")
            if name and name.isprintable():
                return name
        name = data[1 : 1 + data[0]].decode("latin-1").strip("\x00 ")
        return name if name and name.isprintable() else None
    return None


def office_lock(path: Path) -> str | None:
    """A one-line description of who has the workbook open, if a lock file says it is."""
    libre = path.with_name(f".~lock.{path.name}#")
    excel = path.with_name(f"~${path.name}")
    for lock, app, holder in (
        (libre, "LibreOffice", lambda b: _libreoffice_holder(b.decode("utf-8", "replace"))),
        (excel, "Excel", _excel_holder),
    ):
        try:
            data = lock.read_bytes()
        except FileNotFoundError:
            continue
        except OSError:
            data = b""
        who = holder(data[:4096])
        by = f" by {who}" if who else ""
        return f"{path.name} is open in {app}{by} (lock file {lock.name})"
    return None


def refuse_if_open(path: Path, *, force: bool) -> None:
    """``LockedError`` (exit 5) while Excel or LibreOffice has the file open: its next save
    there would silently overwrite ours."""
    found = None if force else office_lock(path)
    if found:
        raise LockedError(
            f"{found}; nothing was written — close it there and run again "
            "(or --force if it is not really open)"
        )


# -- temporary files ----------------------------------------------------------------------


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"


def temp_prefix(path: Path) -> str:
    """``.crm.xlsx.HOST-PID.``: whose temporary file it is, for ``clean_stale``."""
    return f".{path.name}.{_host()}-{os.getpid()}."


def clean_stale(path: Path, *, now: Callable[[], float] = time.time) -> list[Path]:
    """Remove the temporary files killed saves of this workbook left beside it: ours only
    (``.NAME.*.tmp``), and only stale (its writer on this host is dead, or nothing wrote
    to it for ``STALE_AFTER`` seconds: a save from another machine in progress is kept)."""
    folder = path.parent
    pattern = re.compile(
        rf"^\.{re.escape(path.name)}\.(?:(?P<host>[A-Za-z0-9-]+)-(?P<pid>\d+)\.)?.+\.tmp$"
    )
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        found = pattern.match(entry.name)
        if not found or not entry.is_file(follow_symlinks=False):
            continue
        try:
            age = now() - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        pid = int(found["pid"]) if found["pid"] else None
        if pid == os.getpid() and found["host"] == _host():
            continue
        dead = pid is not None and found["host"] == _host() and not alive(pid)
        if dead or age > STALE_AFTER:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


# -- saving --------------------------------------------------------------------------------

_WHY = {
    errno.ENOSPC: "disk full?",
    errno.EDQUOT: "disk quota exceeded?",
    errno.EFBIG: "file too large for this disk or account?",
    errno.EACCES: "no permission to write there?",
    errno.EPERM: "no permission to write there?",
    errno.EROFS: "read-only disk?",
    errno.EIO: "disk or network error?",
}


def disk_error(path: Path, exc: OSError) -> DiskError:
    """One line for a failed save: the likely cause, the path, the system's words."""
    why = _WHY.get(exc.errno or 0)
    said = exc.strerror or str(exc) or type(exc).__name__
    lead = f"{why} could not" if why else "could not"
    return DiskError(f"{lead} save {path} ({said}); nothing was changed")


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_atomically(path: Path, write: Callable[[str], None], *, still: Callable[[], bool]) -> bool:
    """``write`` a temporary file in the same folder, fsync it, and rename it over ``path``
    if ``still()`` says the file is the one the run loaded; False (nothing replaced) if it
    is not. Any ``OSError`` → ``DiskError``; the temporary file never stays behind."""
    folder = path.parent if str(path.parent) else Path(".")
    tmp: str | None = None
    failed: DiskError | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=folder)
        os.close(fd)
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644 & ~umask())
        if not still():
            return False
        os.replace(tmp, path)
        tmp = None
        with contextlib.suppress(OSError):
            dfd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
    except OSError as exc:
        failed = disk_error(path, exc)
        with _quietly():  # its frames hold openpyxl's half-written writers: let them go now
            exc.__traceback__ = None
            del exc
            gc.collect()
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    if failed is not None:
        raise failed
    return True


@contextlib.contextmanager
def _quietly() -> Iterator[None]:
    """openpyxl writes through generators; one dropped half-way raises the disk's OSError
    again as it is closed, which Python would print ("Exception ignored in …") under the
    one line the user gets. Those, and only those, are not printed."""
    hook = sys.unraisablehook

    def quiet(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, OSError):
            hook(unraisable)

    sys.unraisablehook = quiet
    try:
        yield
    finally:
        sys.unraisablehook = hook
