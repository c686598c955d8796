"""Chart labels in Persian and Bengali read right with the installed matplotlib.

A PNG label is compared, as ink, with an independent rendering of the raw string by
Pillow's libraqm layout (shaping and bidi) in the same font file, and with the rendering of
the word drawn back to front (the double-reshaping bug); an SVG chart keeps the logical
string as text, which Chromium then draws like the same text in an HTML page. Each check is
shown to fail on the planted double reshaping.
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont, features

from sheetcrm.outputs import charts
from sheetcrm.outputs.i18n import LocalFormat

PERSIAN = ["معرفی دوستان", "اینستاگرام", "جشنواره پاییز"]
BENGALI = ["ফেসবুক বিজ্ঞাপন", "রেফারেল"]
needs_raqm = pytest.mark.skipif(not features.check("raqm"), reason="Pillow without libraqm")
needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None, reason="no Chromium")


def font_of(text: str) -> tuple[str, str]:
    """The family the charts pick for ``text``'s script, and its file."""
    (script,) = charts.scripts_in([text])
    families = charts.installed_families(script)
    if not families:
        pytest.skip(f"no {script.name} font installed ({script.advice()})")
    return families[0], charts._installed()[families[0]]


def double_shaped(text: str) -> str:
    """What the old ``label()`` handed to a matplotlib that shapes by itself."""
    import arabic_reshaper
    from bidi.algorithm import get_display

    return str(get_display(arabic_reshaper.reshape(text)))


def ink(image: Image.Image) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """The dark pixels, cropped to their box and scaled to one size."""
    dark = np.asarray(image.convert("L")) < 128
    ys, xs = np.nonzero(dark)
    assert ys.size, "nothing was drawn"
    box = dark[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.uint8) * 255
    return np.asarray(Image.fromarray(box).resize((120, 24), Image.Resampling.BILINEAR)) > 64


def overlap(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    return float((a & b).sum() / (a | b).sum())


def raqm(text: str, path: str, *, shaped: bool = True) -> Image.Image:
    """``text`` laid out by Pillow (libraqm: shaped, bidi-ordered; or code points in order)."""
    layout = ImageFont.Layout.RAQM if shaped else ImageFont.Layout.BASIC
    font = ImageFont.truetype(path, 48, layout_engine=layout)
    image = Image.new("L", (60 * len(text) + 100, 150), 255)
    ImageDraw.Draw(image).text((20, 30), text, font=font, fill=0)
    return image


def drawn(text: str, form: str = "png") -> bytes:
    """One label as the charts draw it: ``charts.label`` in the charts' fonts."""
    import matplotlib
    from matplotlib.figure import Figure

    with charts.hushed(), matplotlib.rc_context({"font.family": charts.families_for([text])}):
        fig = Figure(figsize=(8, 1.5), dpi=100)
        fig.text(0.05, 0.3, charts.label(text, form), fontsize=36)
        return base64.b64decode(charts._uri(fig, form).split(",", 1)[1])


def reads_right(text: str) -> tuple[float, float]:
    """How much the charts' PNG of ``text`` overlaps the right rendering and the reversed one."""
    _, path = font_of(text)
    ours = ink(Image.open(io.BytesIO(drawn(text))))
    return overlap(ours, ink(raqm(text, path))), overlap(ours, ink(raqm(double_shaped(text), path)))


def old_label(text: Any, form: str = "png") -> str:
    """The label of the bug: shaped and reordered whatever draws it."""
    shown = str(text)
    return double_shaped(shown) if charts._RTL.search(shown) else shown


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "label", old_label)


# -- PNG: matplotlib draws the glyphs ------------------------------------------------------


@needs_raqm
@pytest.mark.parametrize("text", PERSIAN)
def test_a_persian_png_label_matches_the_raw_strings_rendering(text):
    right, reversed_ = reads_right(text)
    assert right > 0.4 and right > reversed_ + 0.2, (right, reversed_)


@needs_raqm
@pytest.mark.parametrize("text", PERSIAN)
def test_the_planted_double_reshaping_is_caught(text, planted):
    right, reversed_ = reads_right(text)
    assert reversed_ > right + 0.2, (right, reversed_)


def test_labels_are_shaped_here_only_for_a_matplotlib_that_does_not_shape(monkeypatch):
    monkeypatch.setattr(charts, "shapes_text", lambda: True)
    assert charts.label("معرفی دوستان") == "معرفی دوستان"
    assert charts.label("معرفی دوستان", "svg") == "معرفی دوستان"
    monkeypatch.setattr(charts, "shapes_text", lambda: False)
    assert charts.label("معرفی دوستان") == double_shaped("معرفی دوستان")
    assert charts.label("معرفی دوستان", "svg") == "معرفی دوستان"  # the browser shapes
    assert charts.label("Google search") == "Google search"


@needs_raqm
@pytest.mark.skipif(not charts.shapes_text(), reason="matplotlib < 3.11 does not shape Bengali")
@pytest.mark.parametrize("text", BENGALI)
def test_a_bengali_png_label_is_shaped(text):
    _, path = font_of(text)
    ours = ink(Image.open(io.BytesIO(drawn(text))))
    shaped = overlap(ours, ink(raqm(text, path)))
    unshaped = overlap(ours, ink(raqm(text, path, shaped=False)))
    assert shaped > 0.4 and shaped > unshaped + 0.1, (shaped, unshaped)


# -- SVG: text stays text, the browser shapes it -------------------------------------------


def report_data(**extra: Any) -> Any:
    """What the charts read of a ReportData, with Persian and Bengali labels."""
    values = {
        "monthly": [
            {"month": "1404-07", "label": "مهر ۱۴۰۴", "revenue": 12_000_000},
            {"month": "আশ্বিন ১৪৩২", "revenue": 8_000_000},
        ],
        "by_source": [
            {"source": "اینستاگرام", "leads": 5},
            {"source": "معرفی دوستان", "leads": 3},
            {"source": "ফেসবুক", "leads": 2},
        ],
        "campaigns": [
            {"name": "جشنواره پاییز", "roi": 0.4},
            {"name": "ফেসবুক বিজ্ঞাপন", "roi": -0.25},
            {"name": "Newsletter", "roi": 0.1},
        ],
        "local": LocalFormat(),
    }
    return SimpleNamespace(**{**values, **extra})


def svg_texts(uri: str) -> set[str]:
    assert uri.startswith("data:image/svg+xml;base64,")
    root = ET.fromstring(base64.b64decode(uri.split(",", 1)[1]))
    return {"".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")}


def test_svg_charts_keep_the_logical_strings_as_text():
    drawn_charts = charts.render_charts(report_data(), form="svg")
    assert set(drawn_charts) == {"revenue", "sources", "roi"}
    texts = set().union(*(svg_texts(uri) for uri in drawn_charts.values()))
    labels = {"مهر ۱۴۰۴", "আশ্বিন ১৪৩২", "اینستاگرام", "معرفی دوستان", "ফেসবুক"}
    assert labels | {"جشنواره پاییز", "ফেসবুক বিজ্ঞাপন", "Newsletter"} <= texts
    presentation_forms = [t for t in texts if any("\ufb50" <= c <= "\ufeff" for c in t)]
    assert presentation_forms == []


def test_the_planted_double_reshaping_shows_in_the_svg_text(planted):
    texts = svg_texts(charts.render_charts(report_data(), form="svg")["sources"])
    assert "اینستاگرام" not in texts
    assert double_shaped("اینستاگرام") in texts


def screenshot(tmp_path: Path, name: str, body: str) -> Image.Image:
    page = tmp_path / f"{name}.html"
    page.write_text(
        f'<!doctype html><html><head><meta charset="utf-8"></head>'
        f'<body style="margin:20px;background:#fff">{body}</body></html>',
        encoding="utf-8",
    )
    shot = tmp_path / f"{name}.png"
    command = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    command += [f"--screenshot={shot}", "--window-size=900,200", page.as_uri()]
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    return Image.open(shot)


def html_text(text: str, family: str) -> str:
    return f"<span style=\"font-family:'{family}';font-size:48px\">{text}</span>"


@needs_chromium
@pytest.mark.parametrize("text", ["معرفی دوستان", "ফেসবুক বিজ্ঞাপন"])
def test_chromium_draws_an_svg_label_like_the_same_text_in_html(tmp_path, text):
    family, _ = font_of(text)
    uri = "data:image/svg+xml;base64," + base64.b64encode(drawn(text, "svg")).decode()
    ours = ink(screenshot(tmp_path, "svg", f'<img src="{uri}">'))
    right = overlap(ours, ink(screenshot(tmp_path, "right", html_text(text, family))))
    wrong = overlap(ours, ink(screenshot(tmp_path, "wrong", html_text(text[::-1], family))))
    assert right > 0.45 and right > wrong + 0.15, (right, wrong)


@needs_chromium
def test_chromium_shows_the_planted_double_reshaping_reversed(tmp_path, planted):
    text = "معرفی دوستان"
    family, _ = font_of(text)
    uri = "data:image/svg+xml;base64," + base64.b64encode(drawn(text, "svg")).decode()
    ours = ink(screenshot(tmp_path, "svg", f'<img src="{uri}">'))
    right = overlap(ours, ink(screenshot(tmp_path, "right", html_text(text, family))))
    wrong = html_text(double_shaped(text), family)
    assert overlap(ours, ink(screenshot(tmp_path, "wrong", wrong))) > right + 0.15


# -- the charts themselves -----------------------------------------------------------------


def test_both_forms_are_data_uris_and_an_unknown_form_is_refused():
    assert all(
        u.startswith("data:image/png;base64,") for u in charts.render_charts(report_data()).values()
    )
    with pytest.raises(ValueError, match="'gif'"):
        charts.render_charts(report_data(), form="gif")


def test_titles_go_through_the_callers_gettext():
    titles = {"Revenue by month": "درآمد ماهانه", "Campaign ROI": "بازده کمپین‌ها"}
    drawn_charts = charts.render_charts(
        report_data(), form="svg", gettext=lambda m: titles.get(m, m)
    )
    assert "درآمد ماهانه" in svg_texts(drawn_charts["revenue"])
    assert {"بازده کمپین‌ها", "ROI (%)"} <= svg_texts(drawn_charts["roi"])


@pytest.mark.parametrize("chart", [charts._roi_chart, charts._revenue_chart])
def test_right_to_left_charts_are_mirrored(chart):
    """Bar names and the value axis on the right, where a right-to-left reader starts."""
    (ax,) = chart(report_data(), charts._Style("png", charts._same, rtl=True)).axes
    assert ax.yaxis.get_ticks_position() == "right" and ax.xaxis_inverted()
    (ax,) = chart(report_data(), charts._Style("png", charts._same, rtl=False)).axes
    assert ax.yaxis.get_ticks_position() == "left" and not ax.xaxis_inverted()


def test_axis_numbers_are_grouped_or_written_by_the_caller():
    """The ROI axis's numbers are the caller's (the report's digits); the revenue axis is
    money in the report's currency (tests/test_charts_axes.py)."""
    texts = svg_texts(charts.render_charts(report_data(), form="svg")["revenue"])
    assert "$12,000,000" in texts and not any("e6" in t or "1e" in t for t in texts)
    persian = str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")
    drawn_charts = charts.render_charts(
        report_data(), form="svg", number=lambda v: f"{v:,.0f}".translate(persian)
    )
    assert "۲۰" in svg_texts(drawn_charts["roi"])


def test_a_chart_with_nothing_to_show_is_left_out():
    empty = report_data(monthly=[{"month": "مهر ۱۴۰۴", "revenue": 0}], by_source=[], campaigns=[])
    assert charts.render_charts(empty) == {}


def test_sources_are_shown_as_the_reports_tables_show_them():
    """Canonical sources ("instagram") get the label of the report's language; a month its
    name in the workbook's calendar; pie shares the report's digits."""
    local = LocalFormat(language="fa_IR", currency="IRT", digits="native")
    sources = [{"source": "instagram", "leads": 3}, {"source": "referral", "leads": 1}]
    data = report_data(by_source=sources, local=local)
    texts = svg_texts(charts.render_charts(data, form="svg")["sources"])
    assert {"اینستاگرام", "معرفی دوستان", "۷۵٪", "۲۵٪"} <= texts
    assert "instagram" not in texts
    months = svg_texts(charts.render_charts(data, form="svg")["revenue"])
    assert "مهر ۱۴۰۴" in months and "1404-07" not in months


def test_right_to_left_numbers_keep_the_minus_before_the_digits():
    """A left-to-right isolate around each axis number of a right-to-left chart."""
    rtl = svg_texts(charts.render_charts(report_data(), form="svg", rtl=True)["roi"])
    assert "\u2066\u221220\u2069" in rtl
    ltr = svg_texts(charts.render_charts(report_data(), form="svg")["roi"])
    assert "\u221220" in ltr and not any("\u2066" in t for t in ltr)
