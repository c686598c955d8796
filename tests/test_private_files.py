"""sheetcrm.files.write_private, the one writer of files only their owner may read (the
sign-in token, deletion snapshots, crash reports): private from the first byte written,
whole or absent, in a folder made 0700."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from support import watch_writes

from sheetcrm.cli import bug_report
from sheetcrm.files import write_private
from sheetcrm.model.grid import TabGrid
from sheetcrm.run.guard import read_snapshot, write_snapshot


@pytest.fixture
def loose_umask():
    """A umask that leaves a file readable by others unless it was made 0600."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_byte_lands_in_a_file_already_private(tmp_path, monkeypatch, loose_umask):
    target = tmp_path / "new" / "secret.json"
    writes = watch_writes(monkeypatch, tmp_path)
    assert write_private(target, "é" * 10) == target
    assert writes and {m for _f, m in writes} == {0o600}, writes
    assert mode(target) == 0o600 and mode(target.parent) == 0o700
    assert target.read_text(encoding="utf-8") == "é" * 10


def test_a_readable_file_is_replaced_whole_by_a_private_one(tmp_path, loose_umask):
    target = tmp_path / "secret.bin"
    target.write_text("old")
    target.chmod(0o644)
    write_private(target, b"\x00new")
    assert target.read_bytes() == b"\x00new" and mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret.bin"]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "secret.json"
    write_private(target, "old")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        write_private(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["secret.json"]


class Book:
    def describe(self) -> str:
        return "crm.xlsx"


def test_a_snapshot_is_private_from_its_first_byte(tmp_path, monkeypatch, loose_umask):
    monkeypatch.setenv("SHEETCRM_SNAPSHOTS", str(tmp_path / "snapshots"))
    writes = watch_writes(monkeypatch, tmp_path)
    grids = {"Customers": TabGrid("Customers", ["customer_id", "name"], [["C-1", "Ana"]])}
    path = write_snapshot(Book(), grids, ["Customers"])
    assert writes and {m for _f, m in writes} == {0o600}, writes
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert read_snapshot(path)["Customers"].rows == [["C-1", "Ana"]]


def test_a_crash_report_is_private_from_its_first_byte(tmp_path, monkeypatch, loose_umask):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    writes = watch_writes(monkeypatch, tmp_path)
    line = bug_report(RuntimeError("boom"))
    saved = Path(line.split("saved in ")[1].split()[0])
    assert saved.is_relative_to(tmp_path / "state"), line
    assert writes and {m for _f, m in writes} == {0o600}, writes
    assert mode(saved) == 0o600 and mode(saved.parent) == 0o700
    assert "RuntimeError: boom" in saved.read_text(encoding="utf-8")


def test_every_folder_made_on_the_way_is_private(tmp_path, loose_umask):
    target = tmp_path / "a" / "b" / "c" / "secret.txt"
    write_private(target, "x")
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert mode(folder) == 0o700, folder


def test_sheetcrms_own_folder_is_tightened_but_not_a_folder_the_user_chose(tmp_path):
    ours, theirs = tmp_path / "snapshots", tmp_path / "drafts"
    for folder in (ours, theirs):
        folder.mkdir()
        folder.chmod(0o755)  # as an older sheetcrm (or the user) made it
    write_private(ours / "s.json", "{}")
    write_private(theirs / "C-1.txt", "Dear Ana", own_folder=False)
    assert mode(ours) == 0o700 and mode(theirs) == 0o755
    assert mode(ours / "s.json") == 0o600 and mode(theirs / "C-1.txt") == 0o600


def test_the_outbox_is_appended_to_privately(tmp_path, loose_umask):
    outbox = tmp_path / "data" / "sheetcrm" / "outbox.jsonl"
    outbox.parent.mkdir(parents=True)
    outbox.write_text('{"key": "old"}\n')
    outbox.chmod(0o644)  # written by an older version
    write_private(outbox, '{"key": "new"}\n', append=True)
    assert outbox.read_text() == '{"key": "old"}\n{"key": "new"}\n'
    assert mode(outbox) == 0o600 and mode(outbox.parent) == 0o700


def test_mail_sent_is_logged_in_a_private_outbox(tmp_path, loose_umask):
    from mail_support import Mailbox

    from sheetcrm.outputs.mail import Email, SmtpSettings, send

    outbox = tmp_path / "data" / "sheetcrm" / "outbox.jsonl"
    with Mailbox() as box:
        settings = SmtpSettings("127.0.0.1", box.port, "none", "shop@example.com")
        send(settings, [Email("ana@example.com", "Hi", "text")], outbox=outbox)
        send(settings, [Email("ben@example.com", "Hi", "text")], outbox=outbox)
    assert len(outbox.read_text().splitlines()) == 2
    assert mode(outbox) == 0o600 and mode(outbox.parent) == 0o700
    assert mode(outbox.parent.parent) == 0o700  # made on the way


def test_restore_first_snapshots_what_it_overwrites(tmp_path, monkeypatch, loose_umask):
    from sheetcrm.backends.xlsx import XlsxBackend
    from sheetcrm.crm import CRM
    from sheetcrm.ingest.restore import restore

    monkeypatch.setenv("SHEETCRM_SNAPSHOTS", str(tmp_path / "snapshots"))
    crm = CRM(backend=XlsxBackend(tmp_path / "crm.xlsx"))
    crm.init()
    crm.upsert("Customers", [{"customer_id": "C-1", "name": "Ana"}])
    saved = write_snapshot(Book(), crm.backend.read(["Customers"]), ["Customers"])
    crm.upsert("Customers", [{"customer_id": "C-1", "name": "Ana Smith"}])
    done = restore(crm, saved)
    assert crm.frame("Customers").iloc[0]["name"] == "Ana"
    assert done.snapshot is not None and done.snapshot != saved
    assert mode(done.snapshot) == 0o600 and mode(done.snapshot.parent) == 0o700
    before = read_snapshot(done.snapshot)["Customers"]
    assert [r[:2] for r in before.rows] == [["C-1", "Ana Smith"]]  # the restore can be undone
    assert restore(crm, done.snapshot).snapshot is not None
    assert crm.frame("Customers").iloc[0]["name"] == "Ana Smith"


KILLED_SAVE = """
import os, signal, sys
import openpyxl
def save(wb, filename):
    with open(filename, "wb") as fh:
        fh.write(b"PK half a workbook")
    os.kill(os.getpid(), signal.SIGKILL)
openpyxl.Workbook.save = save
sys.argv = ["sheetcrm", "import", "c.csv", "--tab", "Customers"]
from sheetcrm.cli import main
main()
"""


def test_a_killed_save_leaves_a_temporary_file_the_next_run_removes(tmp_path):
    import subprocess
    import sys
    import time

    from support import run_sheetcrm

    assert run_sheetcrm("init", cwd=tmp_path).returncode == 0
    (tmp_path / "c.csv").write_text("customer_id,name\nC-1,Ana\n", encoding="utf-8")
    killed = subprocess.run([sys.executable, "-c", KILLED_SAVE], cwd=tmp_path, timeout=60)
    assert killed.returncode == -9
    left = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1 and left[0].startswith(".crm.xlsx.")
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = left[0].split(".")[3].rsplit("-", 1)[0]
        busy = tmp_path / f".crm.xlsx.{host}-{alive.pid}.abcd1234.tmp"  # a save in progress
        busy.write_bytes(b"PK")
        old = tmp_path / ".crm.xlsx.k2j4h5g6.tmp"  # an older version's name, long left
        old.write_bytes(b"PK")
        os.utime(old, (time.time() - 600, time.time() - 600))
        other = tmp_path / ".other.xlsx.q1w2e3r4.tmp"  # another workbook's: not ours
        other.write_bytes(b"PK")
        os.utime(other, (time.time() - 600, time.time() - 600))
        done = run_sheetcrm("import", "c.csv", "--tab", "Customers", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        temps = sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
        assert temps == sorted([busy.name, other.name])
    finally:
        alive.kill()
        alive.wait()
