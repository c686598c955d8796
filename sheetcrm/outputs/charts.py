"""Report charts, drawn with matplotlib (headless, no pyplot state) as data URIs.

Two forms. ``svg`` keeps text as text (``svg.fonttype = "none"``): the browser shapes
Persian and Bengali and orders right-to-left text itself, with the fonts of the machine
showing the page, whichever matplotlib version drew the chart — the form for HTML.
``png`` is for the PDF and e-mail: WeasyPrint draws SVG text glyph by glyph (Persian
letters come out unjoined, Bengali vowel signs misplaced), and mail clients drop SVG.
There matplotlib draws the glyphs; since 3.11 it lays text out with libraqm (shaping and
bidi), so a label is shaped and reordered here only for an older matplotlib — doing it
twice draws the word back to front.

Fonts are chosen per script in the labels, from the families matplotlib really has
(``fontManager.ttflist``); a script with no font is reported once per process, in one
line, naming what to install — and matplotlib's own ``findfont`` and missing-glyph
messages never reach stderr. ``doctor`` asks the same ``SCRIPTS`` table.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sheetcrm.model import money, vocab
from sheetcrm.outputs.i18n import LocalFormat

if TYPE_CHECKING:
    from sheetcrm.outputs.report_data import ReportData

FORMS = ("svg", "png")
PALETTE = ["#305496", "#C55A11", "#548235", "#7030A0", "#BF8F00", "#2F75B5", "#A9D18E", "#8497B0"]
#: matplotlib ships DejaVu Sans, so it is always there: Latin, digits, and the last resort.
BUNDLED = "DejaVu Sans"
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_log = logging.getLogger("sheetcrm.charts")


@dataclass(frozen=True)
class Script:
    """A writing system the data may hold: how to spot it, the families that cover it
    (best first), and what to install when none is there."""

    name: str
    lang: str  # fontconfig's language code (``fc-list :lang=fa``)
    letters: re.Pattern[str]
    sample: str  # characters a font must have to count as covering the script
    families: tuple[str, ...]
    package: str
    font: str  # the font the package brings, named in the advice

    def advice(self) -> str:
        return f"{self.package} ({self.font})"


SCRIPTS = (
    Script(
        "Persian",
        "fa",
        re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
        "\u067e\u0686\u0698\u06af\u06cc",  # پ چ ژ گ ی: Persian's letters beyond Arabic's
        ("Vazirmatn", "Noto Sans Arabic", "Noto Naskh Arabic", "DejaVu Sans"),
        "fonts-noto-core",
        "Noto Sans Arabic",
    ),
    Script(
        "Bengali",
        "bn",
        re.compile(r"[\u0980-\u09ff]"),
        "\u0995\u09be\u09cd",  # ক া ্
        ("Noto Sans Bengali", "Noto Serif Bengali", "Lohit Bengali", "Mukti", "FreeSans"),
        "fonts-noto-core",
        "Noto Sans Bengali",
    ),
)

_warned: set[str] = set()


@contextmanager
def hushed() -> Iterator[None]:
    """matplotlib quiet for the length of our calls: no ``findfont: Font family … not
    found``, no cache notices, no ``Glyph … missing from font(s)`` warnings (a missing
    script is reported once, by ``families_for``)."""
    logger = logging.getLogger("matplotlib")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")
            warnings.filterwarnings("ignore", message=r"Matplotlib currently does not support")
            yield
    finally:
        logger.setLevel(level)


#: matplotlib's own placeholder font: it "covers" every script with boxes.
_PLACEHOLDER = "Last Resort"


@functools.cache
def _installed() -> dict[str, str]:
    """Family name → the file of its regular face, the one matplotlib draws text with (the
    first nearest to normal, upright, weight 400, as ``findfont`` breaks ties)."""
    with hushed():
        from matplotlib import font_manager

        best: dict[str, tuple[tuple[bool, int, bool], str]] = {}
        for font in font_manager.fontManager.ttflist:
            if font.name.startswith(_PLACEHOLDER):
                continue
            weight = font.weight
            if isinstance(weight, str):
                weight = font_manager.weight_dict.get(weight, 400)
            rank = (font.style != "normal", abs(int(weight) - 400), font.stretch != "normal")
            if font.name not in best or rank < best[font.name][0]:
                best[font.name] = (rank, font.fname)
        return {name: fname for name, (_, fname) in best.items()}


def _covers(path: str, sample: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(path).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(c) in charmap for c in sample)


@functools.cache
def installed_families(script: Script) -> tuple[str, ...]:
    """Families matplotlib has for ``script``: the known good ones that are installed, else
    any font whose character map covers the script's sample (at most two)."""
    fonts = _installed()
    known = tuple(f for f in script.families if f in fonts and _covers(fonts[f], script.sample))
    if known:
        return known
    with hushed():
        found = sorted(name for name, path in fonts.items() if _covers(path, script.sample))
    return tuple(found[:2])


def scripts_in(texts: Iterable[str]) -> list[Script]:
    """The scripts of ``SCRIPTS`` that occur in ``texts``, in table order."""
    joined = "\n".join(texts)
    return [s for s in SCRIPTS if s.letters.search(joined)]


def missing_fonts_message(lacking: list[Script]) -> str:
    """One line: which scripts the charts cannot draw and what to install."""
    names = " or ".join(s.name for s in lacking)
    by_package: dict[str, list[str]] = {}
    for s in lacking:
        by_package.setdefault(s.package, []).append(s.font)
    install = "; ".join(f"{p} ({' and '.join(fonts)})" for p, fonts in by_package.items())
    return f"warning: no font for {names} text in the charts; install {install}"


def families_for(texts: Iterable[str], notify: Callable[[str], None] | None = None) -> list[str]:
    """The ``font.family`` list for charts holding ``texts``: installed families only (so
    matplotlib never looks for a missing one), the scripts' fonts first. A script without
    a font is told to ``notify`` (else logged) once per process, all in one line."""
    families: list[str] = []
    lacking: list[Script] = []
    for script in scripts_in(texts):
        found = installed_families(script)
        families.extend(found)
        if not found:
            lacking.append(script)
    new = [s for s in lacking if s.name not in _warned]
    if new:
        _warned.update(s.name for s in new)
        message = missing_fonts_message(new)
        if notify is not None:
            notify(message)
        else:
            _log.warning("sheetcrm: %s", message)
    return [*dict.fromkeys(f for f in families if f != BUNDLED), BUNDLED]


@functools.cache
def shapes_text() -> bool:
    """Whether this matplotlib shapes and orders complex text itself: 3.11 and later lay
    text out with libraqm (HarfBuzz shaping, bidi); older ones draw code points in order."""
    from matplotlib import ft2font

    return hasattr(ft2font, "__libraqm_version__")


def label(text: Any, form: str = "png") -> str:
    """Text ready for a chart. In SVG (text kept as text) and with a matplotlib that shapes,
    the logical string itself; else right-to-left text shaped and put in visual order."""
    shown = str(text)
    if form == "svg" or not _RTL.search(shown) or shapes_text():
        return shown
    try:
        import arabic_reshaper
        from bidi.algorithm import get_display
    except ImportError:  # pragma: no cover - optional: letters then show unjoined
        return shown
    return str(get_display(arabic_reshaper.reshape(shown)))


def _same(message: str) -> str:
    return message


def _grouped(value: float) -> str:
    """A tick's number: thousands grouped, no exponent (``1e6`` means nothing to a shop)."""
    return f"{value:,.0f}".replace("-", "\u2212")


def whole_money(local: LocalFormat, value: float) -> str:
    """An axis tick in the workbook currency, in whole units: ``£12,000``, ``₹1,20,000``,
    ``۱۲٬۰۰۰٬۰۰۰ تومان`` — ``LocalFormat.money`` (its symbol, grouping and digits) without
    the ``.00`` that only clutters a scale."""
    shown = local.money(round(value))
    places = money.decimals(local.currency.upper())
    if places:  # the fraction is the last run of digits: all zeros for a whole amount
        shown = re.sub(rf"[^\d\s][0\u06f0\u09e6]{{{places}}}(?!.*\d)", "", shown)
    return shown.replace("-", "\u2212")


@dataclass(frozen=True)
class _Style:
    form: str
    gettext: Callable[[str], str]
    rtl: bool
    number: Callable[[float], str] = _grouped
    money: Callable[[float], str] = _grouped

    def text(self, value: Any) -> str:
        return label(value, self.form)

    def ticks(self, axis: Any, *, amounts: bool = False) -> None:
        """Numbers on ``axis`` written by ``number`` (the report's digits and grouping), or
        by ``money`` for ``amounts``. A ``FuncFormatter`` has no offset or multiplier text:
        no ``1e7`` above the axis, every tick says the whole figure."""
        from matplotlib.ticker import FuncFormatter

        write = self.money if amounts else self.number
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: self.text(self.isolated(write(v)))))

    def isolated(self, shown: str) -> str:
        """A number kept left to right on a right-to-left page (a left-to-right isolate:
        the minus stays before the digits). An amount with a Persian word is left as it
        is: its first letter makes it right to left, read number first, then تومان. Only
        where text is shaped: an older matplotlib would draw the isolate's marks as
        missing glyphs."""
        if self.rtl and not _RTL.search(shown) and (self.form == "svg" or shapes_text()):
            return f"\u2066{shown}\u2069"
        return shown

    def mirror(self, ax: Any) -> None:
        """For a right-to-left page: the value axis on the right and the other axis running
        right to left, as the page reads (what spreadsheets do on a right-to-left sheet)."""
        if self.rtl:
            ax.yaxis.tick_right()
            ax.invert_xaxis()
            ax.spines[["top", "left"]].set_visible(False)
        else:
            ax.spines[["top", "right"]].set_visible(False)


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def _uri(fig: Any, form: str) -> str:
    """The figure as a data URI (PNG, or SVG with text as text)."""
    buf = io.BytesIO()
    if form == "svg":
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
        kind = "image/svg+xml"
    else:
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        kind = "image/png"
    return f"data:{kind};base64," + base64.b64encode(buf.getvalue()).decode()


def month_name(month: dict[str, Any]) -> str:
    """A month as the report names it (``label``: "آبان ۱۴۰۵", in the workbook's calendar,
    language and digits), else its key ("1405-08")."""
    return str(month.get("label") or month["month"])


def source_name(data: ReportData, source: Any) -> str:
    """A lead source as the report's tables show it: the canonical value's label in the
    report's language ("instagram" → "اینستاگرام" in Persian)."""
    return vocab.label("Leads.source", str(source), data.local.lang)


def _revenue_chart(data: ReportData, style: _Style) -> Any:
    """Revenue per month: straight segments between the months (no curve inventing sales
    in a month without any), the axis from zero in the workbook currency, each month's
    name in one piece (rotated, never wrapped or split into year and month)."""
    months = [style.text(month_name(m)) for m in data.monthly]
    revenue = [m["revenue"] for m in data.monthly]
    if not any(revenue):
        return None
    gettext = style.gettext
    fig, ax = _figure(6.4, 2.8)
    ax.plot(months, revenue, color=PALETTE[0], marker="o", linewidth=2)
    ax.fill_between(months, revenue, alpha=0.12, color=PALETTE[0])
    ax.set_title(style.text(gettext("Revenue by month")))
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")  # the label's end at its tick, below the axis
        tick.set_rotation_mode("anchor")
    ax.set_ylim(bottom=min(0.0, *revenue))
    ax.grid(axis="y", alpha=0.3)
    style.ticks(ax.yaxis, amounts=True)
    style.mirror(ax)
    return fig


def _source_chart(data: ReportData, style: _Style) -> Any:
    sources = [s for s in data.by_source if s["leads"]]
    if not sources:
        return None
    gettext = style.gettext
    fig, ax = _figure(4.2, 3.0)
    ax.pie(
        [s["leads"] for s in sources],
        labels=[style.text(source_name(data, s["source"])) for s in sources],
        colors=PALETTE[: len(sources)],
        autopct=lambda share: style.text(data.local.numerals(f"{share:.0f}%")),
        startangle=90,
        counterclock=not style.rtl,
        textprops={"fontsize": 8},
    )
    ax.set_title(style.text(gettext("Leads by source")))
    return fig


def channel_name(data: ReportData, channel: Any) -> str:
    """A sales channel as the report's tables show it ("flipkart" → "Flipkart")."""
    return vocab.label("Orders.channel", str(channel), data.local.lang)


def _channels(data: ReportData) -> list[dict[str, Any]]:
    """The report's channel rows (none on data made before reports had them)."""
    return list(getattr(data, "channels", None) or [])


def _channel_chart(data: ReportData, style: _Style) -> Any:
    """Net revenue per channel (a seller's report; channels with none left out)."""
    channels = [c for c in _channels(data) if (c.get("revenue") or 0) > 0][:8]
    if not channels:
        return None
    fig, ax = _figure(4.2, 3.0)
    ax.pie(
        [c["revenue"] for c in channels],
        labels=[style.text(channel_name(data, c["channel"])) for c in channels],
        colors=PALETTE[: len(channels)],
        autopct=lambda share: style.text(data.local.numerals(f"{share:.0f}%")),
        startangle=90,
        counterclock=not style.rtl,
        textprops={"fontsize": 8},
    )
    ax.set_title(style.text(style.gettext("Revenue by channel")))
    return fig


def _roi_chart(data: ReportData, style: _Style) -> Any:
    camps = [c for c in data.campaigns if c["roi"] is not None][:8]
    if not camps:
        return None
    gettext = style.gettext
    fig, ax = _figure(6.4, 0.45 * len(camps) + 1.0)
    values = [100 * c["roi"] for c in camps]
    ax.barh(
        [style.text(c["name"]) for c in camps],
        values,
        color=[PALETTE[2] if v >= 0 else PALETTE[1] for v in values],
    )
    ax.axvline(0, color="#555", linewidth=0.8)
    ax.invert_yaxis()
    style.ticks(ax.xaxis)
    style.mirror(ax)  # names on the right, where a right-to-left reader starts
    ax.set_xlabel(style.text(gettext("ROI (%)")))
    ax.set_title(style.text(gettext("Campaign ROI")))
    return fig


def chart_texts(data: ReportData, style: _Style) -> list[str]:
    """Every text the charts may show: the scripts among them decide the fonts."""
    titles = ("Revenue by month", "Leads by source", "Campaign ROI", "ROI (%)")
    texts = [style.gettext(t) for t in titles] + [style.number(1234567890.0)]
    texts.append(style.money(1234567890.0))
    texts += [month_name(m) for m in data.monthly]
    texts += [source_name(data, s["source"]) for s in data.by_source]
    texts += [str(c["name"]) for c in data.campaigns]
    if _channels(data):
        texts.append(style.gettext("Revenue by channel"))
        texts += [channel_name(data, c["channel"]) for c in _channels(data)]
    return texts


def render_charts(
    data: ReportData,
    *,
    form: str = "png",
    gettext: Callable[[str], str] = _same,
    rtl: bool = False,
    number: Callable[[float], str] = _grouped,
    notify: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """The report's charts as data URIs, by name (``revenue``, ``sources``, ``roi``, and
    ``channels`` in a seller's report); a
    chart with nothing to show is left out (the template says so). ``form`` is ``svg`` for
    the browser, ``png`` for PDF and e-mail; ``gettext`` translates the titles; ``rtl``
    mirrors the charts for a right-to-left page; ``number`` writes the axes' numbers (the
    report's digits; the revenue axis is in the currency of ``data.local``, whole);
    ``notify`` hears the one missing-font warning (else it is logged)."""
    if form not in FORMS:
        raise ValueError(f"chart form {form!r} is not one of {FORMS}")
    local = getattr(data, "local", None) or LocalFormat()
    style = _Style(form, gettext, rtl, number, functools.partial(whole_money, local))
    families = families_for(chart_texts(data, style), notify)
    with hushed():
        import matplotlib

        settings: dict[Any, Any] = {"font.family": families, "svg.fonttype": "none"}
        with matplotlib.rc_context({**settings, "svg.hashsalt": "sheetcrm"}):
            drawn = {
                "revenue": _revenue_chart(data, style),
                "sources": _source_chart(data, style),
                "roi": _roi_chart(data, style),
                "channels": _channel_chart(data, style),
            }
            return {name: _uri(fig, form) for name, fig in drawn.items() if fig is not None}
