"""Report charts, drawn with matplotlib (headless) as PNG data URIs for HTML and PDF.

Labels in Persian or Arabic are shaped and put in visual order first (matplotlib does not
do bidi); fonts fall back to Noto for Bengali and Arabic scripts when they are installed.
"""

from __future__ import annotations

import base64
import io
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sheetcrm.outputs.report_data import ReportData

_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
FONTS = ["DejaVu Sans", "Noto Sans", "Noto Sans Arabic", "Noto Sans Bengali", "sans-serif"]
PALETTE = ["#305496", "#C55A11", "#548235", "#7030A0", "#BF8F00", "#2F75B5", "#A9D18E", "#8497B0"]


def label(text: Any) -> str:
    """Text ready for matplotlib: right-to-left scripts shaped and reordered."""
    shown = str(text)
    if not _RTL.search(shown):
        return shown
    try:
        import arabic_reshaper
        from bidi.algorithm import get_display
    except ImportError:  # pragma: no cover - optional: letters then show unjoined
        return shown
    return str(get_display(arabic_reshaper.reshape(shown)))


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _done(fig: Any) -> str:
    """The figure as a PNG data URI, closed afterwards."""
    import matplotlib.pyplot as plt

    try:
        return _png(fig)
    finally:
        plt.close(fig)


def _revenue_chart(data: ReportData) -> str | None:
    import matplotlib.pyplot as plt

    months = [m["month"] for m in data.monthly]
    revenue = [m["revenue"] for m in data.monthly]
    if not any(revenue):
        return None
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    ax.plot(months, revenue, color=PALETTE[0], marker="o", linewidth=2)
    ax.fill_between(months, revenue, alpha=0.12, color=PALETTE[0])
    ax.set_title("Revenue by month")
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    return _done(fig)


def _source_chart(data: ReportData) -> str | None:
    import matplotlib.pyplot as plt

    sources = [s for s in data.by_source if s["leads"]]
    if not sources:
        return None
    fig, ax = plt.subplots(figsize=(4.2, 3.0))
    ax.pie(
        [s["leads"] for s in sources],
        labels=[label(s["source"]) for s in sources],
        colors=PALETTE[: len(sources)],
        autopct="%1.0f%%",
        startangle=90,
        textprops={"fontsize": 8},
    )
    ax.set_title("Leads by source")
    return _done(fig)


def _roi_chart(data: ReportData) -> str | None:
    import matplotlib.pyplot as plt

    camps = [c for c in data.campaigns if c["roi"] is not None][:8]
    if not camps:
        return None
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(camps) + 1.0))
    values = [100 * c["roi"] for c in camps]
    ax.barh(
        [label(c["name"]) for c in camps],
        values,
        color=[PALETTE[2] if v >= 0 else PALETTE[1] for v in values],
    )
    ax.axvline(0, color="#555", linewidth=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("ROI (%)")
    ax.set_title("Campaign ROI")
    ax.spines[["top", "right"]].set_visible(False)
    return _done(fig)


def render_charts(data: ReportData) -> dict[str, str]:
    """The report's charts; a chart with nothing to show is left out (the template says so)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = FONTS
    drawn = {
        "revenue": _revenue_chart(data),
        "sources": _source_chart(data),
        "roi": _roi_chart(data),
    }
    return {name: png for name, png in drawn.items() if png}
