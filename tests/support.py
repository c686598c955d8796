"""Plain helpers the test modules share: sheetcrm as a fresh process, the Sheets API
emulator as a process of its own (``sheetcrm emulator serve``), the one line a failure
prints, and a spy on how private files are written. Fixtures built on them are in
``conftest.py``."""

from __future__ import annotations

import builtins
import io
import os
import stat
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import pytest

#: ``sheetcrm`` as a person runs it: a fresh Python process.
SHEETCRM = (sys.executable, "-m", "sheetcrm")


def run_sheetcrm(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Any,
    stdin: str | None = None,
    inherit: bool = True,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``sheetcrm ARGS`` in a fresh process: this process's environment with ``env`` added
    and no $SHEETCRM_CONFIG of the tester's (``inherit=False``: exactly ``env``)."""
    full = {**os.environ, **(env or {})} if inherit else dict(env or {})
    if inherit:
        full.pop("SHEETCRM_CONFIG", None)
    return subprocess.run(
        [*SHEETCRM, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full,
        input=stdin,
        timeout=timeout,
    )


@contextmanager
def serving(
    cwd: Path, *argv: str, env: Mapping[str, str] | None = None, sheets: int = 1
) -> Iterator[tuple[str, list[str]]]:
    """A Python process (``-m sheetcrm emulator serve …``, or a script) that prints its URL
    and then ``sheets`` spreadsheet IDs, one a line; stopped when the caller is done."""
    server = subprocess.Popen(
        [sys.executable, *argv],
        stdout=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env={**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split()[-1]
        ids = [server.stdout.readline().split()[-1] for _ in range(sheets)]
        assert url.startswith("http://127.0.0.1:"), url
        yield url, ids
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def emulator_serve(
    cwd: Path, *options: str, env: Mapping[str, str] | None = None, sheets: int = 1
) -> Iterator[tuple[str, list[str]]]:
    """``sheetcrm emulator serve --port 0 OPTIONS`` in a process of its own: its URL and the
    IDs of the ``sheets`` spreadsheets it made (``--spreadsheets N`` makes N)."""
    argv = ("-m", "sheetcrm", "emulator", "serve", "--port", "0", *options)
    with serving(cwd, *argv, env=env, sheets=sheets) as served:
        yield served


def one_line(said: str | subprocess.CompletedProcess[str], code: int | None = None) -> str:
    """The only line a failure printed on stderr (``said``: that stderr, or the finished
    process, which then must have exited with ``code`` when one is given)."""
    if isinstance(said, subprocess.CompletedProcess):
        if code is not None:
            assert said.returncode == code, (said.returncode, said.stderr)
        said = said.stderr
    lines = said.splitlines()
    assert len(lines) == 1 and said.endswith("\n"), said
    assert "Traceback" not in said
    return lines[0]


class _Watched:
    """A file object that notes its file's mode before each write."""

    def __init__(self, fh: Any, path: str, modes: list[tuple[str, int]]) -> None:
        self._fh, self._path, self._modes = fh, path, modes

    def write(self, data: Any) -> Any:
        self._modes.append((self._path, stat.S_IMODE(os.fstat(self._fh.fileno()).st_mode)))
        return self._fh.write(data)

    def __enter__(self) -> _Watched:
        self._fh.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._fh.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)


def watch_writes(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[tuple[str, int]]:
    """Spy on every write to a file under ``folder`` (through ``open``, ``Path.open``,
    ``os.fdopen`` or ``os.write``): the file and its mode at the moment of each write, so a
    file written first and made private after shows up with its first, readable mode."""
    modes: list[tuple[str, int]] = []
    inside = str(folder.resolve())
    real_open, real_fdopen, real_write = io.open, os.fdopen, os.write

    def mine(path: Any) -> bool:
        return isinstance(path, str | os.PathLike) and os.path.realpath(path).startswith(inside)

    def spy_open(file: Any, *args: Any, **kw: Any) -> Any:
        fh = real_open(file, *args, **kw)
        return _Watched(fh, os.fspath(file), modes) if mine(file) else fh

    def spy_fdopen(fd: int, *args: Any, **kw: Any) -> Any:
        fh = real_fdopen(fd, *args, **kw)
        return _Watched(fh, _fd_path(fd), modes) if mine(_fd_path(fd)) else fh

    def spy_write(fd: int, data: Any) -> int:
        if mine(_fd_path(fd)):
            modes.append((_fd_path(fd), stat.S_IMODE(os.fstat(fd).st_mode)))
        return real_write(fd, data)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(os, "fdopen", spy_fdopen)
    monkeypatch.setattr(os, "write", spy_write)
    return modes


def _fd_path(fd: int) -> str:
    """The file an open descriptor is (Linux: /proc/self/fd); "" when it cannot be told."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return ""


def commands(
    group: click.Group | None = None, above: tuple[str, ...] = ()
) -> dict[str, click.Command]:
    """Every runnable command of the CLI (or of ``group``) by path: ``emulator serve``, not
    ``emulator``; hidden commands left out."""
    if group is None:
        from sheetcrm.cli import cli

        group = cli
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        path = (*above, name)
        if isinstance(command, click.Group):
            found.update(commands(command, path))
        elif not command.hidden:
            found[" ".join(path)] = command
    return found


def demo_workbook(folder: Path, as_of: str) -> Path:
    """``sheetcrm demo --as-of AS_OF`` made in ``folder`` by a fresh process (its own cache
    and snapshots there): the workbook a module's tests copy."""
    env = {"XDG_CACHE_HOME": str(folder / "c"), "SHEETCRM_SNAPSHOTS": str(folder / "s")}
    made = run_sheetcrm("demo", "--as-of", as_of, "-q", cwd=folder, env=env)
    assert made.returncode == 0, made.stderr
    return folder / "crm.xlsx"
