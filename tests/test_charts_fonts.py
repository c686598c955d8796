"""The charts' fonts: only families matplotlib has, chosen per script in the labels, one
warning line per missing script and process, and no word from matplotlib's font lookup."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from sheetcrm.outputs import charts
from sheetcrm.outputs.i18n import LocalFormat

PERSIAN, BENGALI = charts.SCRIPTS


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No font choice kept from another test, and no warning said yet."""
    monkeypatch.setattr(charts, "_warned", set())
    charts.installed_families.cache_clear()
    yield
    charts.installed_families.cache_clear()


@pytest.fixture
def no_noto(fresh: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """matplotlib's fonts as the charts see them, without Noto, Vazirmatn or Bengali."""
    real = charts._installed()
    kept = {
        name: path
        for name, path in real.items()
        if not name.startswith(("Noto", "Vazirmatn")) and not charts._covers(path, BENGALI.sample)
    }
    monkeypatch.setattr(charts, "_installed", lambda: kept)
    return kept


def test_scripts_are_told_apart():
    assert charts.scripts_in(["Google search", "12"]) == []
    assert charts.scripts_in(["اینستاگرام"]) == [PERSIAN]
    assert charts.scripts_in(["ফেসবুক", "گوگل"]) == [PERSIAN, BENGALI]


def test_only_installed_families_are_asked_for_and_each_covers_its_script(fresh):
    installed = charts._installed()
    families = charts.families_for(["اینستاگرام", "ফেসবুক", "Newsletter"])
    assert families[-1] == charts.BUNDLED and all(f in installed for f in families)
    for script in (PERSIAN, BENGALI):
        for family in charts.installed_families(script):
            assert charts._covers(installed[family], script.sample), family


def test_a_script_without_a_font_is_told_once_in_one_line(no_noto):
    heard: list[str] = []
    families = charts.families_for(["ফেসবুক", "Google"], heard.append)
    assert heard == [
        "warning: no font for Bengali text in the charts; "
        "install fonts-noto-core (Noto Sans Bengali)"
    ]
    assert all(f in no_noto for f in families) and "Noto Sans Bengali" not in families
    charts.families_for(["রেফারেল"], heard.append)
    assert len(heard) == 1  # once per process


def test_two_missing_scripts_share_the_one_line():
    both = charts.missing_fonts_message([PERSIAN, BENGALI])
    assert both == (
        "warning: no font for Persian or Bengali text in the charts; "
        "install fonts-noto-core (Noto Sans Arabic and Noto Sans Bengali)"
    )


def test_without_a_listener_the_warning_is_logged(no_noto, caplog):
    with caplog.at_level(logging.WARNING):
        charts.families_for(["ফেসবুক"])
        charts.families_for(["ফেসবুক"])
    said = [r.getMessage() for r in caplog.records if r.name == "sheetcrm.charts"]
    assert said == [
        "sheetcrm: warning: no font for Bengali text in the charts; "
        "install fonts-noto-core (Noto Sans Bengali)"
    ]


def test_charts_of_a_script_without_a_font_say_nothing_else(no_noto, caplog):
    data = SimpleNamespace(
        monthly=[{"month": "আশ্বিন", "revenue": 3}, {"month": "কার্তিক", "revenue": 5}],
        by_source=[{"source": "ফেসবুক", "leads": 2}],
        campaigns=[{"name": "রেফারেল", "roi": 0.2}],
        local=LocalFormat(language="bn_BD", currency="BDT", digits="native"),
    )
    heard: list[str] = []
    with caplog.at_level(logging.DEBUG, logger="matplotlib"), warnings.catch_warnings():
        warnings.simplefilter("error")  # a "Glyph … missing from font(s)" would raise
        drawn = charts.render_charts(data, notify=heard.append)
    assert set(drawn) == {"revenue", "sources", "roi"}
    assert len(heard) == 1
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert loud == [], [r.getMessage() for r in loud]


def test_the_hush_is_lifted_afterwards():
    logger = logging.getLogger("matplotlib")
    before = logger.level
    with charts.hushed():
        assert logger.level == logging.ERROR
    assert logger.level == before


def test_a_familys_file_is_the_one_matplotlib_draws_with():
    """Coverage is judged on the face matplotlib uses (DejaVu Sans Oblique, bundled, has no
    Persian letters; the regular face has them), and the placeholder font never counts."""
    from matplotlib import font_manager

    installed = charts._installed()
    names = [f for s in charts.SCRIPTS for f in s.families if f in installed] + [charts.BUNDLED]
    with charts.hushed():
        for name in names:
            drawn = font_manager.findfont(font_manager.FontProperties(family=[name]))
            assert installed[name] == drawn, name
    assert not any(name.startswith("Last Resort") for name in installed)
