"""Every OSError while saving the workbook (disk full, file too large, no permission) is
one line and exit 6, with the workbook untouched, no temporary file left, and the
``--log-json`` line written. The file-size limit gives a real EFBIG ("File too large")."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys

import openpyxl
import pytest
from click.testing import CliRunner
from support import one_line, run_sheetcrm

from sheetcrm.cli import cli

#: sheetcrm in a child whose files may not grow past LIMIT bytes (RLIMIT_FSIZE): a write
#: beyond it fails with EFBIG, as on a full or size-limited disk. Python ignores SIGXFSZ.
LIMITED = """
import resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.argv = ["sheetcrm", *sys.argv[2:]]
from sheetcrm.cli import main
main()
"""


def content(path):
    """Every tab's cells but the lease in ``_meta``: the run takes and releases it in saves
    of their own, around the one that fails."""
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [r for r in ws.iter_rows(values_only=True) if "lease" not in r]
        for ws in wb.worksheets
    }


@pytest.fixture
def folder(tmp_path):
    assert run_sheetcrm("init", cwd=tmp_path).returncode == 0
    rows = "".join(f"C-{i},Customer number {i},c{i}@example.com\n" for i in range(300))
    (tmp_path / "c.csv").write_text("customer_id,name,email\n" + rows, encoding="utf-8")
    return tmp_path


def test_a_real_file_too_large_is_exit_6_with_nothing_changed(folder):
    before = content(folder / "crm.xlsx")
    limit = (folder / "crm.xlsx").stat().st_size + 2_000  # the lease fits, 300 rows do not
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            LIMITED,
            str(limit),
            "--log-json",
            "import",
            "c.csv",
            "--tab",
            "Customers",
        ],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "SHEETCRM_CONFIG"},
    )
    assert done.returncode == 6, done.stderr
    error, logged = done.stderr.splitlines()
    assert error.startswith("sheetcrm: error: file too large for this disk or account? could not")
    assert "crm.xlsx (File too large)" in error
    assert error.endswith("; nothing was changed")
    record = json.loads(logged)
    assert (
        record["event"] == "failed" and record["exit"] == 6 and "File too large" in record["error"]
    )
    assert content(folder / "crm.xlsx") == before
    assert sorted(p.name for p in folder.iterdir()) == ["c.csv", "crm.xlsx"]
    again = run_sheetcrm("import", "c.csv", "--tab", "Customers", cwd=folder)
    assert again.returncode == 0 and "300 created" in again.stdout, again.stderr


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (errno.ENOSPC, "disk full? could not save"),
        (errno.EDQUOT, "disk quota exceeded? could not save"),
        (errno.EROFS, "read-only disk? could not save"),
        (errno.EACCES, "no permission to write there? could not save"),
    ],
)
def test_each_disk_error_while_saving_is_one_line_and_exit_6(folder, monkeypatch, code, said):
    """The system call that fails is the fsync of the finished temporary file (the last
    moment before the rename); the error number is the one the disk would give."""
    monkeypatch.chdir(folder)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    before = content(folder / "crm.xlsx")
    real = os.fsync

    def failing(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
            raise OSError(code, os.strerror(code))
        real(fd)

    monkeypatch.setattr(os, "fsync", failing)
    done = CliRunner().invoke(cli, ["import", "c.csv", "--tab", "Customers"])
    assert done.exit_code == 6, done.output
    line = one_line(done.stderr)
    assert line == f"sheetcrm: error: {said} crm.xlsx ({os.strerror(code)}); nothing was changed"
    assert content(folder / "crm.xlsx") == before
    assert sorted(p.name for p in folder.iterdir()) == ["c.csv", "crm.xlsx"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder anyway")
def test_a_folder_without_write_permission(folder):
    before = content(folder / "crm.xlsx")
    folder.chmod(0o555)
    try:
        done = run_sheetcrm("import", "c.csv", "--tab", "Customers", cwd=folder)
    finally:
        folder.chmod(0o755)
    assert "could not save" in one_line(done, 6)
    assert content(folder / "crm.xlsx") == before
