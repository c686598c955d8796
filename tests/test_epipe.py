"""Piping into a reader that stops early (``sheetcrm show Customers | head -1``) is how
people look at big tabs: sheetcrm exits 0 and prints nothing more — no traceback, no
"internal error" line — whichever printing command it was. Real pipes, fresh processes,
and a tab far larger than a pipe's buffer, so the write really fails."""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys

import pytest
from support import SHEETCRM

from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.cli import stdout_closed
from sheetcrm.crm import CRM
from sheetcrm.ingest.importer import import_table
from sheetcrm.ingest.readers import read_csv_text

#: Customers enough that every format is several times a pipe's 64 KiB buffer.
PEOPLE = 3000


def environment(big) -> dict[str, str]:
    """As a person's shell has it: buffered output (with PYTHONUNBUFFERED a write cut short
    by the closed pipe returns a partial count instead of failing, so nothing would be
    tested)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return {**env, "XDG_CACHE_HOME": str(big / "cache")}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    crm = CRM(backend=XlsxBackend(folder / "crm.xlsx"))
    crm.init()
    lines = ["name,email,phone,city,notes"]
    for i in range(PEOPLE):
        note = "دوست دارد تماس عصرها; prefers evening calls " * 2
        lines.append(f"Customer {i},c{i}@example.com,+4474{i:08d},Tehran,{note}")
    import_table(crm, read_csv_text("\n".join(lines) + "\n", "big.csv"), tab="Customers")
    return folder


COMMANDS = [
    ("show", "Customers"),
    ("show", "Customers", "--format", "json"),
    ("show", "Customers", "--format", "csv"),
    ("show", "Customers", "--format", "ndjson"),
    ("export", "Customers"),
    ("export", "Customers", "--format", "json"),
    ("export", "_audit", "--format", "ndjson"),
    ("show", "_sync"),
]


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_a_reader_that_stops_after_one_line(big, argv):
    proc = subprocess.Popen(
        [*SHEETCRM, *argv],
        cwd=big,
        env=environment(big),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # like head -1: the reader goes away while sheetcrm still writes
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert first and err == ""


def test_head_in_a_shell_pipeline(big):
    """The pipeline people type, with bash reporting sheetcrm's own exit status."""
    me = " ".join(shlex.quote(p) for p in SHEETCRM)
    script = f'{me} show Customers | head -1; echo "status=${{PIPESTATUS[0]}}" >&2'
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=big,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(big),
    )
    assert done.stderr == "status=0\n", done.stderr
    assert done.stdout.count("\n") == 1 and "name" in done.stdout


def test_the_run_log_says_the_reader_left_and_the_run_succeeded(big):
    """sheetcrm's own handler (not only click's, which exits 1 in click 8.1) saw the pipe
    close: the --log-json record of the run is "done", exit 0."""
    me = " ".join(shlex.quote(p) for p in SHEETCRM)
    script = f"{me} --log-json export Customers --format json | head -c 100 >/dev/null"
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=big,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(big),
    )
    [record] = [json.loads(line) for line in done.stderr.splitlines()]
    assert record["event"] == "done" and record["exit"] == 0, record
    assert record["stdout"] == "closed by the reader"


def test_the_whole_output_still_arrives_when_it_is_read(big):
    done = subprocess.run(
        [*SHEETCRM, "export", "Customers"], cwd=big, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout.count("\n") == PEOPLE + 1


def test_only_a_closed_stdout_counts_as_one(monkeypatch):
    """A broken pipe elsewhere (a socket) is not the reader leaving: still a bug report."""
    read, write = os.pipe()
    with os.fdopen(write, "w") as out:
        monkeypatch.setattr(sys, "stdout", out)
        assert stdout_closed() is False  # the reader is still there
        os.close(read)
        assert stdout_closed() is True
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # no descriptor (a test runner)
    assert stdout_closed() is False
