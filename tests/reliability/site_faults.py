"""Test-only faults inside a ``sheetcrm`` child process, installed as its ``sitecustomize``.

The harness copies this file as ``sitecustomize.py`` into a folder on the child's
PYTHONPATH and describes what to do in ``$SHEETCRM_REL`` (JSON). It numbers the child's
boundaries with the workbook file in order (``load``: the workbook is opened for reading;
``tmp``: a temp file beside it was created; ``zip``: one member written into that temp
file; ``replace``: just before the temp file is renamed over the workbook; ``replaced``:
just after) and logs each one, one a line, to ``log``. At boundary ``kill`` it SIGKILLs
itself; at each boundary in ``gates`` it waits until the test lets it go on (a teammate
edits, or another host runs, meanwhile). ``host`` is the machine name the child reports,
so two children on one machine play two hosts. Nothing here is product code.
"""

from __future__ import annotations

import json
import os
import signal
import time

_SPEC = json.loads(os.environ.get("SHEETCRM_REL") or "{}")


def _install() -> None:
    host = _SPEC.get("host")
    if host:
        import socket

        socket.gethostname = lambda: host  # type: ignore[assignment]
    workbook = _SPEC.get("workbook")
    if not workbook:
        return
    workbook = os.path.realpath(workbook)
    folder, name = os.path.split(workbook)
    state = {"n": 0}
    log = _SPEC.get("log")
    kill = _SPEC.get("kill")
    gates = set(_SPEC.get("gates") or ())
    gate_dir = _SPEC.get("gate_dir")

    def boundary(kind: str) -> None:
        state["n"] += 1
        n = state["n"]
        if log:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(f"{n} {kind}\n")
        if n == kill:
            os.kill(os.getpid(), signal.SIGKILL)
        if n in gates and gate_dir:
            waiting = os.path.join(gate_dir, f"waiting-{n}")
            go = os.path.join(gate_dir, f"go-{n}")
            with open(waiting, "w", encoding="utf-8") as fh:
                fh.write(kind)
            while not os.path.exists(go):
                time.sleep(0.01)

    def ours(path: object) -> bool:
        try:
            return os.path.realpath(os.fspath(path)) == workbook  # type: ignore[arg-type]
        except TypeError:
            return False

    def our_temp(path: object) -> bool:
        try:
            p = os.path.realpath(os.fspath(path))  # type: ignore[arg-type]
        except TypeError:
            return False
        d, base = os.path.split(p)
        return d == folder and base.startswith(f".{name}.") and base.endswith(".tmp")

    import tempfile

    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args, **kw):  # type: ignore[no-untyped-def]
        made = real_mkstemp(*args, **kw)
        if our_temp(made[1]):
            boundary("tmp")
        return made

    tempfile.mkstemp = mkstemp  # type: ignore[assignment]

    real_replace = os.replace

    def replace(src, dst, *args, **kw):  # type: ignore[no-untyped-def]
        mine = ours(dst)
        if mine:
            boundary("replace")
        real_replace(src, dst, *args, **kw)
        if mine:
            boundary("replaced")

    os.replace = replace  # type: ignore[assignment]

    import zipfile

    real_writestr = zipfile.ZipFile.writestr

    def writestr(self, *args, **kw):  # type: ignore[no-untyped-def]
        if our_temp(getattr(self, "filename", None) or ""):
            boundary("zip")
        return real_writestr(self, *args, **kw)

    real_write = zipfile.ZipFile.write

    def write(self, *args, **kw):  # type: ignore[no-untyped-def]
        if our_temp(getattr(self, "filename", None) or ""):
            boundary("zip")
        return real_write(self, *args, **kw)

    zipfile.ZipFile.writestr = writestr  # type: ignore[method-assign]
    zipfile.ZipFile.write = write  # type: ignore[method-assign]

    import openpyxl

    real_load = openpyxl.load_workbook

    def load_workbook(filename, *args, **kw):  # type: ignore[no-untyped-def]
        if ours(filename):
            boundary("load")
        return real_load(filename, *args, **kw)

    openpyxl.load_workbook = load_workbook  # type: ignore[assignment]


_install()
