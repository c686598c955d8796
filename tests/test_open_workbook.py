"""A workbook open in Excel or LibreOffice is not saved over (their next save would silently
undo ours), and a save by a second machine on a shared folder is never overwritten."""

from __future__ import annotations

import json

import openpyxl
import pytest
from support import one_line, run_sheetcrm

from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.crm import CRM
from sheetcrm.errors import LockedError
from sheetcrm.model.changes import AppendRow, ChangeSet

LIBREOFFICE = ",laptop,alice,17.03.2026 10:15,file:///home/alice/.config/libreoffice/4;"


def excel_owner_file(name: str) -> bytes:
    """What Excel writes to ``~$NAME``: a length byte and the name, then in UTF-16."""
    short = bytes([len(name)]) + name.encode("latin-1")
    wide = len(name).to_bytes(2, "little") + name.encode("utf-16-le")
    return (short.ljust(54, b" ") + wide).ljust(165, b"\x00")


@pytest.fixture
def folder(tmp_path):
    assert run_sheetcrm("init", cwd=tmp_path).returncode == 0
    (tmp_path / "c.csv").write_text("customer_id,name\nC-1,Ana\n", encoding="utf-8")
    return tmp_path


def names(folder) -> list[str]:
    shown = run_sheetcrm("show", "Customers", "--format", "json", cwd=folder)
    assert shown.returncode == 0, shown.stderr
    return [r["name"] for r in json.loads(shown.stdout)]


@pytest.mark.parametrize(
    ("lock", "content", "said"),
    [
        (".~lock.crm.xlsx#", LIBREOFFICE.encode(), "LibreOffice by alice on laptop since 17.03"),
        ("~$crm.xlsx", excel_owner_file("Bob Builder"), "Excel by Bob Builder"),
        (".~lock.crm.xlsx#", b"", "LibreOffice (lock file"),  # a lock file saying nothing
    ],
)
def test_an_import_into_an_open_workbook_is_refused_with_exit_5(folder, lock, content, said):
    (folder / lock).write_bytes(content)
    before = (folder / "crm.xlsx").read_bytes()
    done = run_sheetcrm("--log-json", "import", "c.csv", "--tab", "Customers", cwd=folder)
    assert done.returncode == 5, done.stderr
    error, logged = done.stderr.splitlines()
    assert error.startswith("sheetcrm: error: crm.xlsx is open in ") and said in error
    assert f"lock file {lock}" in error and "--force" in error
    assert json.loads(logged)["exit"] == 5
    assert (folder / "crm.xlsx").read_bytes() == before
    assert (folder / lock).read_bytes() == content  # not ours to remove


def test_force_saves_anyway_and_leaves_the_lock_file(folder):
    (folder / ".~lock.crm.xlsx#").write_text(LIBREOFFICE, encoding="utf-8")
    done = run_sheetcrm("import", "c.csv", "--tab", "Customers", "--force", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert names(folder) == ["Ana"]
    assert (folder / ".~lock.crm.xlsx#").exists()


@pytest.mark.parametrize("command", [("refresh",), ("demo",), ("init", "--xlsx", "new.xlsx")])
def test_every_writing_command_refuses_and_takes_force(folder, command):
    lock = "~$new.xlsx" if "new.xlsx" in command else "~$crm.xlsx"
    (folder / lock).write_bytes(excel_owner_file("Bob"))
    refused = run_sheetcrm(*command, cwd=folder)
    assert "open in Excel by Bob" in one_line(refused, 5)
    forced = run_sheetcrm(*command, "--force", cwd=folder)
    assert forced.returncode == 0, forced.stderr


def test_a_run_with_nothing_to_write_is_not_refused(folder):
    (folder / "~$crm.xlsx").write_bytes(excel_owner_file("Bob"))
    done = run_sheetcrm("init", cwd=folder)  # nothing to repair: nothing saved
    assert done.returncode == 0, done.stderr


def test_lock_files_of_other_workbooks_do_not_count(folder):
    (folder / ".~lock.other.xlsx#").write_text(LIBREOFFICE, encoding="utf-8")
    (folder / "~$other.xlsx").write_bytes(excel_owner_file("Bob"))
    done = run_sheetcrm("import", "c.csv", "--tab", "Customers", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert names(folder) == ["Ana"]


def test_a_dry_run_is_not_refused(folder):
    (folder / ".~lock.crm.xlsx#").write_text(LIBREOFFICE, encoding="utf-8")
    done = run_sheetcrm("import", "c.csv", "--tab", "Customers", "--dry-run", cwd=folder)
    assert done.returncode == 0, done.stderr


# -- a second machine saving the same file on a shared folder -------------------------------


class OtherMachine:
    """Saves ``crm.xlsx`` through a backend of its own, at the moment our save has written
    its temporary file but not yet renamed it (openpyxl's save is the hook)."""

    def __init__(self, monkeypatch, path, times: int) -> None:
        self.path, self.left, self.saved = path, times, []
        real = openpyxl.Workbook.save
        me = self

        def save(wb, filename):
            real(wb, filename)
            if me.left and not str(filename).endswith(".other.tmp"):
                me.left -= 1
                me.save_one()

        self.real = real
        monkeypatch.setattr(openpyxl.Workbook, "save", save)

    def save_one(self) -> None:
        key = f"C-9{len(self.saved)}"
        other = CRM(backend=XlsxBackend(self.path))
        left, self.left = self.left, 0  # its own save is not hooked
        other.backend.apply(
            ChangeSet([AppendRow("Customers", {"customer_id": key, "name": "theirs"})]),
            other.schema,
        )
        self.left = left
        self.saved.append(key)


def ids(path) -> list[str]:
    ws = openpyxl.load_workbook(path)["Customers"]
    return [r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]


def test_a_save_from_another_machine_meanwhile_is_kept_and_ours_applied_again(
    tmp_path, monkeypatch
):
    path = tmp_path / "crm.xlsx"
    CRM(backend=XlsxBackend(path)).init()
    crm = CRM(backend=XlsxBackend(path))
    crm.backend.read(["Customers"])
    other = OtherMachine(monkeypatch, path, times=1)
    crm.backend.apply(
        ChangeSet([AppendRow("Customers", {"customer_id": "C-1", "name": "ours"})]), crm.schema
    )
    assert other.saved == ["C-90"]
    assert sorted(ids(path)) == ["C-1", "C-90"]  # theirs kept, ours applied on top once


def test_saved_by_another_machine_again_and_again_refuses_with_nothing_lost(tmp_path, monkeypatch):
    path = tmp_path / "crm.xlsx"
    CRM(backend=XlsxBackend(path)).init()
    crm = CRM(backend=XlsxBackend(path))
    crm.backend.read(["Customers"])
    other = OtherMachine(monkeypatch, path, times=5)
    with pytest.raises(LockedError, match=r"saved by someone else .* twice; nothing was written"):
        crm.backend.apply(
            ChangeSet([AppendRow("Customers", {"customer_id": "C-1", "name": "ours"})]),
            crm.schema,
        )
    assert sorted(ids(path)) == sorted(other.saved) and len(other.saved) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["crm.xlsx"]  # no temporary file left
