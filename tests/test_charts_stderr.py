"""``sheetcrm demo`` and ``sheetcrm report`` on a machine without the Noto fonts: at most
one warning line on stderr, naming the script and the package — not matplotlib's
``findfont`` flood (1,551 lines a run, mailed by cron every week).

The machine is simulated for matplotlib, in fresh processes: an ``MPLCONFIGDIR`` whose font
cache (written with matplotlib's own ``json_dump``) lists every installed font but Noto,
Vazirmatn and any font with Bengali letters. The workbook is the demo's, with Persian and
Bengali campaign names. The old charts (a fixed list of families, matplotlib's loggers left
alone) are planted through a ``sitecustomize`` to show the test sees the flood.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import openpyxl
import pytest
from support import run_sheetcrm

from sheetcrm.outputs import charts

NAMES = ["جشنواره پاییز", "ফেসবুক বিজ্ঞাপন", "معرفی دوستان", "পহেলা বৈশাখ"]
OLD_FONTS = ["DejaVu Sans", "Noto Sans", "Noto Sans Arabic", "Noto Sans Bengali", "sans-serif"]
PLANT = f"""\
import contextlib
from sheetcrm.outputs import charts
charts.families_for = lambda texts, notify=None: {OLD_FONTS!r}
charts.hushed = contextlib.nullcontext
"""


def hidden(name: str, path: str) -> bool:
    bengali = next(s for s in charts.SCRIPTS if s.lang == "bn")
    return name.startswith(("Noto", "Vazirmatn")) or charts._covers(path, bengali.sample)


def mpl_without_noto(folder: Path) -> Path:
    """An ``MPLCONFIGDIR`` whose font cache lacks Noto, Vazirmatn and Bengali fonts."""
    from matplotlib import font_manager

    config = folder / "mpl"
    config.mkdir()
    fonts = copy.copy(font_manager.fontManager)
    fonts.ttflist = [f for f in fonts.ttflist if not hidden(f.name, f.fname)]
    assert len(fonts.ttflist) < len(font_manager.fontManager.ttflist)
    font_manager.json_dump(fonts, config / f"fontlist-v{font_manager.FontManager.__version__}.json")
    return config


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a fresh process that sees no Noto font."""
    root = tmp_path_factory.mktemp("no-noto")
    config = mpl_without_noto(root)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETCRM_")}
    env.update(
        MPLCONFIGDIR=str(config),
        HOME=str(root / "home"),
        XDG_CACHE_HOME=str(root / "cache"),
        XDG_STATE_HOME=str(root / "state"),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CONFIG_HOME=str(root / "config"),
    )
    return env


@pytest.fixture(scope="module")
def shop(machine: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, run on that machine, with its campaigns renamed in Persian and Bengali."""
    folder = tmp_path_factory.mktemp("shop")
    done = run_sheetcrm("demo", env=machine, cwd=folder, inherit=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "findfont" not in done.stderr
    assert len(done.stderr.splitlines()) <= 1, done.stderr
    book = openpyxl.load_workbook(folder / "crm.xlsx")
    sheet = book["Campaigns"]
    column = [c.value for c in sheet[1]].index("name") + 1
    for row, name in zip(range(2, sheet.max_row + 1), NAMES, strict=False):
        sheet.cell(row, column).value = name
    book.save(folder / "crm.xlsx")
    return folder


def report(shop: Path, env: dict[str, str], *args: str) -> str:
    done = run_sheetcrm("report", *args, env=env, cwd=shop, inherit=False, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_a_report_without_noto_fonts_says_so_in_one_line(shop, machine, fmt):
    stderr = report(shop, machine, "--format", fmt, "--output", f"report.{fmt}")
    (line,) = stderr.splitlines()
    assert line.startswith("sheetcrm: warning: no font for "), line
    assert "Bengali" in line and "fonts-noto-core (" in line and "Noto Sans Bengali" in line
    assert (shop / f"report.{fmt}").stat().st_size > 10_000


def test_the_html_report_still_has_its_charts(shop, machine):
    report(shop, machine, "--output", "charts.html")
    assert (shop / "charts.html").read_text(encoding="utf-8").count("data:image/") >= 3


def test_the_planted_fixed_font_list_floods_stderr(shop, machine, tmp_path):
    (tmp_path / "sitecustomize.py").write_text(PLANT, encoding="utf-8")
    path = os.pathsep.join(p for p in (str(tmp_path), machine.get("PYTHONPATH")) if p)
    stderr = report(shop, {**machine, "PYTHONPATH": path}, "--output", "old.html")
    assert stderr.count("findfont: Font family") > 1, stderr
