"""The report's revenue chart is honest: straight segments through every month (an empty
month is drawn at zero, not bridged by a curve), an axis from zero in the workbook
currency with whole amounts and no ``1e7`` offset text, and month names in one piece in
the workbook's calendar and digits — checked on the drawn figure and on its SVG text."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from typing import Any

import pytest

from sheetcrm.outputs import charts
from sheetcrm.outputs.i18n import LocalFormat

MONTHS = [
    ("1404-04", "تیر ۱۴۰۴", 0),
    ("1404-05", "مرداد ۱۴۰۴", 42_500_000),
    ("1404-06", "شهریور ۱۴۰۴", 0),
    ("1404-07", "مهر ۱۴۰۴", 0),
    ("1404-08", "آبان ۱۴۰۴", 70_000_000),
]
LOCALES = {
    # the currency, and the text of the axis's 60,000,000 tick
    "en_GB": (LocalFormat("en_GB", "GBP"), "£60,000,000"),
    "fa_IR": (LocalFormat("fa_IR", "IRT", "jalali", "native"), "۶۰٬۰۰۰٬۰۰۰ تومان"),
    "bn_IN": (LocalFormat("bn_IN", "INR", digits="native"), "₹৬,০০,০০,০০০"),
    "en_IN": (LocalFormat("en_IN", "INR"), "₹6,00,00,000"),
}


def report_data(local: LocalFormat, months: list[tuple[str, str, float]] = MONTHS) -> Any:
    monthly = [{"month": k, "label": name, "revenue": v} for k, name, v in months]
    return SimpleNamespace(monthly=monthly, by_source=[], campaigns=[], local=local)


def revenue_axes(local: LocalFormat, rtl: bool = False) -> Any:
    fig = charts._revenue_chart(report_data(local), charts._Style("png", charts._same, rtl))
    fig.canvas.draw()  # tick labels and offset text exist once drawn
    (ax,) = fig.axes
    return ax


def svg_texts(uri: str) -> list[str]:
    root = ET.fromstring(base64.b64decode(uri.split(",", 1)[1]))
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def plain(text: str) -> str:
    return text.strip("\u2066\u2067\u2069")


@pytest.mark.parametrize("name", LOCALES)
def test_money_ticks_are_whole_amounts_in_the_workbook_currency(name):
    local, shown = LOCALES[name]
    texts = svg_texts(charts.render_charts(report_data(local), form="svg")["revenue"])
    ticks = [plain(t) for t in texts if t not in {m[1] for m in MONTHS}]
    assert shown in ticks, ticks
    decimals = re.compile(r"[.\u066b][0\u06f0\u09e6]+(?![\d])")  # .00 ٫۰۰ .০০
    assert not [t for t in ticks if decimals.search(t)], ticks


@pytest.mark.parametrize("name", LOCALES)
def test_no_offset_or_multiplier_text(name):
    """Seven-figure amounts would get ``1e7`` above a default axis; ours says them whole."""
    ax = revenue_axes(LOCALES[name][0])
    assert ax.yaxis.get_offset_text().get_text() == ""
    texts = svg_texts(charts.render_charts(report_data(LOCALES[name][0]), form="svg")["revenue"])
    assert not [t for t in texts if re.search(r"\de\d|1e|×10|10\^", t)], texts


def test_the_line_is_straight_and_goes_through_zero_in_empty_months():
    """One vertex per month, none added between (matplotlib never smooths; a spline would
    need more), zero where a month had no sales, and the axis from zero."""
    ax = revenue_axes(LOCALES["fa_IR"][0])
    (line,) = ax.get_lines()
    assert list(line.get_ydata()) == [v for *_, v in MONTHS]
    assert len(line.get_path().vertices) == len(MONTHS)
    assert line.get_drawstyle() == "default"  # no steps either
    assert ax.get_ylim()[0] == 0


def test_month_labels_are_one_piece_in_the_workbook_calendar():
    ax = revenue_axes(LOCALES["fa_IR"][0])
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert [plain(t) for t in labels] == [charts.label(name) for _, name, _ in MONTHS]
    assert all("\n" not in t and "/" not in t for t in labels)
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {45.0}
    texts = svg_texts(charts.render_charts(report_data(LOCALES["fa_IR"][0]), form="svg")["revenue"])
    assert {name for _, name, _ in MONTHS} <= set(texts)
    assert not [t for t in texts if re.fullmatch(r"\d{4}|-\d{2}|\d{4}-\d{2}", t)]


def test_a_right_to_left_amount_keeps_its_word_after_the_number():
    """On a right-to-left page an amount with a Persian word stays right to left (read:
    number, then تومان); a plain number is isolated left to right (the minus before it)."""
    style = charts._Style("svg", charts._same, rtl=True)
    assert style.isolated("۷۰٬۰۰۰٬۰۰۰ تومان") == "۷۰٬۰۰۰٬۰۰۰ تومان"
    assert style.isolated("\u221220") == "\u2066\u221220\u2069"


def test_whole_money_keeps_lakh_groups_and_drops_only_the_fraction():
    assert charts.whole_money(LocalFormat("en_IN", "INR"), 100_000) == "₹1,00,000"
    assert charts.whole_money(LocalFormat("en_GB", "GBP"), -2_500) == "\u2212£2,500"
    assert charts.whole_money(LocalFormat("de_DE", "EUR"), 12_000) == "12.000\xa0€"
    assert charts.whole_money(LocalFormat("fa_IR", "IRT", digits="native"), 0) == "۰ تومان"


def test_the_xlsx_axis_format_is_the_cells_format_whole():
    """The Dashboard's value axis: the money cells' format without decimals; a lakh
    format keeps its sections, bounds moved to half a rupee (as for a currency without
    decimals), and a format of no decimals stays as it is."""
    from sheetcrm.backends.xlsx.charts import whole
    from sheetcrm.model.numformat import money_format

    assert whole(money_format("GBP")) == '"£"#,##0'
    lakh = '[<99999.5]"₹"#,##0;[<9999999.5]"₹"##\\,##\\,##0;"₹"##\\,##\\,##\\,##0'
    assert whole(money_format("INR")) == lakh
    assert whole(money_format("IRT")) == money_format("IRT") == '#,##0 "تومان"'
    assert whole("#,##0.00") == "#,##0"
