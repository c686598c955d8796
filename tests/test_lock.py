"""The lease and the writer claim: one writer at a time, no stale lock after a killed run,
and a run stops when another machine wrote after it read."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest
from samples import MESSY, write

from sheetcrm.errors import LockedError
from sheetcrm.ingest.importer import import_file
from sheetcrm.lock import lease, lock_path_for


def test_a_second_run_is_refused_with_a_clear_message(tmp_path):
    target = str(tmp_path / "crm.xlsx")
    with lease(target, "import a.csv"):
        with pytest.raises(LockedError) as info, lease(target, "refresh"):
            pass
        assert "locked: another run (import a.csv" in str(info.value)
        assert info.value.exit_code == 5
    with lease(target, "refresh"):  # released
        pass
    assert not lock_path_for(target).exists()


def test_a_killed_run_leaves_no_stale_lock(tmp_path):
    target = str(tmp_path / "crm.xlsx")
    code = (
        "import time; from sheetcrm.lock import lease\n"
        f"with lease({target!r}, 'cron'):\n"
        "    print('held', flush=True); time.sleep(60)"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    with pytest.raises(LockedError), lease(target, "refresh"):
        pass
    child.kill()
    child.wait()
    with lease(target, "refresh"):  # the holder is gone: its lease is taken over
        pass


def test_an_expired_lease_from_another_host_is_taken_over(tmp_path):
    target = str(tmp_path / "crm.xlsx")
    path = lock_path_for(target)
    path.write_text(
        json.dumps({"host": "laptop-2", "pid": 1, "command": "import", "expires": time.time() - 1})
    )
    with lease(target, "refresh"):
        assert json.loads(path.read_text())["host"] == socket.gethostname()
    path.write_text(
        json.dumps(
            {"host": "laptop-2", "pid": 1, "command": "import", "expires": time.time() + 600}
        )
    )
    with pytest.raises(LockedError, match="laptop-2"), lease(target, "refresh"):
        pass
    os.unlink(path)


def test_a_second_concurrent_run_is_refused(crm, tmp_path):
    path = write(tmp_path, "p.csv", MESSY)
    with lease(crm.describe(), "import (another run)"), pytest.raises(LockedError) as info:
        import_file(crm, path, tab="Customers")
    assert info.value.exit_code == 5 and "locked" in str(info.value)
    assert import_file(crm, path, tab="Customers").counts.created == 5  # lease released


def test_a_run_stops_if_another_machine_wrote_since_it_read(harness, crm, tmp_path, monkeypatch):
    import_file(crm, write(tmp_path, "v1.csv", "name,email\nA,a@example.com\n"), tab="Customers")
    meta = next(r for r in range(2, 6) if harness.get_cell("_meta", r, 1) == "writer")
    original = crm.backend.apply

    def another_machine_writes_first(changes, schema):
        harness.set_cell("_meta", meta, 2, "import on laptop-2")  # their run got in first
        monkeypatch.setattr(crm.backend, "apply", original)
        return original(changes, schema)

    monkeypatch.setattr(crm.backend, "apply", another_machine_writes_first)
    before = list(crm.frame("Customers")["email"])
    with pytest.raises(LockedError, match="wrote to the workbook after this run read it"):
        import_file(
            crm, write(tmp_path, "v2.csv", "name,email\nB,b@example.com\n"), tab="Customers"
        )
    assert list(crm.frame("Customers")["email"]) == before  # nothing of ours was written
    assert import_file(crm, tmp_path / "v2.csv", tab="Customers").counts.created == 1
