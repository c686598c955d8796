"""``--quiet`` is for cron: ``demo -q`` and ``report -q`` on a machine without the Noto
fonts print nothing at all — not even the one line naming the missing font, which a run
without ``--quiet`` shows (tests/test_charts_stderr.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import run_sheetcrm
from test_charts_stderr import mpl_without_noto

BENGALI = '[locale]\nlanguage = "bn_BD"\ncurrency = "BDT"\n'  # chart titles in Bengali


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("no-noto-quiet")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETCRM_")}
    env.update(
        MPLCONFIGDIR=str(mpl_without_noto(root)),
        HOME=str(root / "home"),
        XDG_CACHE_HOME=str(root / "cache"),
        XDG_STATE_HOME=str(root / "state"),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CONFIG_HOME=str(root / "config"),
    )
    return env


def test_quiet_demo_and_report_print_nothing(machine: dict[str, str], tmp_path: Path):
    (tmp_path / "sheetcrm.toml").write_text(BENGALI, encoding="utf-8")
    done = run_sheetcrm("demo", "-q", env=machine, cwd=tmp_path, inherit=False, timeout=300)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done.stderr
    args = ("report", "-q", "--format", "pdf", "-o", "r.pdf")
    done = run_sheetcrm(*args, env=machine, cwd=tmp_path, inherit=False, timeout=300)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done.stderr
    assert (tmp_path / "r.pdf").stat().st_size > 10_000
    loud = run_sheetcrm("report", "-o", "r.html", env=machine, cwd=tmp_path, inherit=False)
    assert loud.returncode == 0
    assert loud.stderr.startswith("sheetcrm: warning: no font for ")  # the Bengali titles
