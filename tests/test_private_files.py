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
