"""``scripts/cron-example.sh`` does what its comments promise, with the real ``sheetcrm``:
a clean night prints nothing and exits 0 (cron mails nothing); a night whose import set
rows aside still imports the rest, moves the file on, prints one line naming what to do,
and exits 8, so it is never mistaken for a clean run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "cron-example.sh"

ORDERS = (
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26,2.55,17850,"
    "United Kingdom\n"
    "536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28,1.85,17850,United Kingdom\n"
)


def nightly(folder: Path) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)  # where the sheetcrm command is installed
    env = {k: v for k, v in os.environ.items() if k != "SHEETCRM_CONFIG"}
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    return subprocess.run(
        ["bash", str(SCRIPT), "nightly"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def shop(tmp_path) -> Path:
    if not (Path(sys.executable).parent / "sheetcrm").exists():
        pytest.skip("the sheetcrm command is not installed next to this Python")
    (tmp_path / "incoming").mkdir()
    (tmp_path / "imported").mkdir()
    init = subprocess.run(
        [sys.executable, "-m", "sheetcrm", "init", "-q"], cwd=tmp_path, capture_output=True
    )
    assert init.returncode == 0, init.stderr
    return tmp_path


def test_a_clean_night_says_nothing(shop):
    (shop / "incoming" / "orders-1.csv").write_text(ORDERS, encoding="utf-8")
    customers = "name,email,city\nJosé Müller,jose@example.es,Málaga\n".encode("cp1252")
    (shop / "incoming" / "customers-1.csv").write_bytes(customers)
    done = nightly(shop)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert sorted(p.name for p in (shop / "imported").iterdir()) == [
        "customers-1.csv",
        "orders-1.csv",
    ]
    log = (shop / "sheetcrm.log").read_text(encoding="utf-8")
    assert '"event": "done"' in log and '"exit": 0' in log


def test_rows_set_aside_are_said_once_and_exit_8(shop):
    bad = "name,email,city\nJosé Müller,jose@example.es,Málaga\n,not-an-email,\n"
    (shop / "incoming" / "customers-2.csv").write_bytes(bad.encode("cp1252"))
    done = nightly(shop)
    assert done.returncode == 8, (done.stdout, done.stderr)
    assert done.stdout.splitlines() == [
        "sheetcrm import: done, but something was set aside: sheetcrm quarantine list "
        "(an import), or see sheetcrm.log (an undelivered digest)"
    ]
    assert (shop / "imported" / "customers-2.csv").exists()  # the rest went in
    assert "set aside in _quarantine" in (shop / "sheetcrm.log").read_text(encoding="utf-8")
