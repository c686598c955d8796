"""The lease: one writer at a time, and no stale lock after a killed run."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from sheetcrm.errors import LockedError
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
