"""A Persian report (fa_IR, tomans, Jalali, Persian digits) reads right to left in a
browser and in the PDF: headings and table cells start at the right edge, the page is
``dir="rtl"``, and the Persian text comes back from the PDF as it was written (glyphs in
logical order, not drawn back to front). PNGs of both are written for a person to look at
(``SHEETCRM_KEEP_SCREENSHOTS=folder`` keeps them)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.config import parse_config
from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.outputs.report import make_report
from sheetcrm.workbook.refresh import refresh

DAY = dt.date(2026, 11, 21)
TITLE = "گزارش فروش و پیگیری"
HEADINGS = ["مشتریان برتر این دوره", "کارهای عقب‌افتاده", "روندها"]
CUSTOMER = "سارا محمدی"
#: Bidi embeddings and marks pdftotext puts around right-to-left runs, and the
#: zero-width non-joiner it drops: not part of what a reader sees.
_INVISIBLE = re.compile("[\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def persian_crm() -> CRM:
    config = parse_config(
        {
            "locale": {
                "language": "fa_IR",
                "currency": "IRT",
                "calendar": "jalali",
                "digits": "native",
            }
        }
    )
    crm = CRM(backend=MemoryBackend(), config=config)
    write_demo(crm, DAY)
    crm.upsert("Customers", [{"customer_id": "C-FA", "name": CUSTOMER, "email": "sara@example.ir"}])
    purchase = {"interaction_id": "I-FA", "type": "purchase", "customer_id": "C-FA"}
    crm.upsert("Interactions", [{**purchase, "date": "2026-11-20", "amount": 15_000_000}])
    refresh(crm, DAY)
    return crm


@pytest.fixture(scope="module")
def persian_html(persian_crm: CRM) -> str:
    html = make_report(persian_crm, as_of=DAY).content
    assert isinstance(html, str)
    return html


def _keep(path: Path) -> None:
    folder = os.environ.get("SHEETCRM_KEEP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


#: Put into a copy of the page: where each heading's text and its first table cells are
#: drawn, against the box they sit in, written into the DOM for --dump-dom to print.
PROBE = """<script>
function span(el) {
  const range = document.createRange(); range.selectNodeContents(el);
  const text = range.getBoundingClientRect(), box = el.getBoundingClientRect();
  const pad = parseFloat(getComputedStyle(el).paddingRight) || 0;
  return {text: el.textContent.trim(), left: text.left, right: text.right,
          boxLeft: box.left, boxRight: box.right - pad};
}
const out = {direction: getComputedStyle(document.documentElement).direction,
             lang: document.documentElement.lang,
             headings: [...document.querySelectorAll('h1, h2')].map(span),
             cells: [...document.querySelectorAll('td:first-child')].slice(0, 5).map(span),
             numbers: [...document.querySelectorAll('td.num')].slice(0, 5).map(span)};
const pre = document.createElement('pre'); pre.id = 'layout';
pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
</script>"""


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    return subprocess.run(
        ["chromium", *flags, *args], capture_output=True, text=True, timeout=120, check=True
    )


def _starts_right(item: dict[str, float], slack: float = 4.0) -> bool:
    """The text ends at its box's right edge and leaves room on the left."""
    return abs(item["boxRight"] - item["right"]) <= slack and item["left"] > item["boxLeft"]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium not installed")
def test_chromium_lays_the_persian_report_out_right_to_left(persian_html, tmp_path):
    probed = tmp_path / "probe.html"
    probed.write_text(persian_html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _chromium("--window-size=1000,1400", "--dump-dom", probed.as_uri()).stdout
    found = re.search(r'<pre id="layout">(.*?)</pre>', dom, re.S)
    assert found, dom[-500:]
    layout = json.loads(found.group(1).replace("&amp;", "&").replace("&quot;", '"'))
    assert layout["direction"] == "rtl" and layout["lang"] == "fa"
    headings = {h["text"]: h for h in layout["headings"]}
    for text in [TITLE, *HEADINGS]:
        assert text in headings, sorted(headings)
        assert _starts_right(headings[text]), headings[text]
    assert layout["cells"] and all(_starts_right(c) for c in layout["cells"]), layout["cells"]
    for number in layout["numbers"]:  # amounts line up at the other (end) side
        assert abs(number["left"] - number["boxLeft"]) < 12, number
    shot = tmp_path / "report-fa-chromium.png"
    page = tmp_path / "report.html"
    page.write_text(persian_html, encoding="utf-8")
    _chromium("--window-size=1000,2400", f"--screenshot={shot}", page.as_uri())
    assert shot.stat().st_size > 50_000
    _keep(shot)


def _text_boxes(box):  # WeasyPrint's layout tree
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_persian_pdf_is_right_to_left_with_glyphs_in_order(persian_crm, persian_html, tmp_path):
    weasyprint = pytest.importorskip("weasyprint")
    document = weasyprint.HTML(string=persian_html).render()
    lines = {}
    for page in document.pages:
        for box in _text_boxes(page._page_box):
            lines.setdefault(box.text.strip(), box)
    page_width = document.pages[0].width
    for text in [TITLE, *HEADINGS]:
        box = lines[text]
        block = box.element  # the heading; its content box is where a line may start
        assert block is not None
        assert box.position_x > page_width / 2, (text, box.position_x)  # not at the left
        right = box.position_x + box.width
        assert right > page_width * 0.85, (text, right, page_width)  # at the right margin
    pdf = tmp_path / "report-fa.pdf"
    made = make_report(persian_crm, as_of=DAY, fmt="pdf").content  # PNG charts, as sent
    assert isinstance(made, bytes)
    pdf.write_bytes(made)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    seen = _INVISIBLE.sub("", text)
    for written in [TITLE, *HEADINGS, CUSTOMER, "میانگین ارزش سفارش"]:
        assert _INVISIBLE.sub("", written) in seen, written
    assert "محمدی سارا" not in seen  # words not put back to front
    # An amount: pdftotext may give its number and its word in either order, on one line.
    (amount,) = [line for line in seen.splitlines() if "۱۵٬۰۰۰٬۰۰۰" in line]
    assert "تومان" in amount and "۰۰۰٫" not in amount
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "pdf")],
            check=True,
        )
        pages = sorted(tmp_path.glob("pdf-*.png"))
        assert pages and all(p.stat().st_size > 10_000 for p in pages)
        for p in pages:
            _keep(p)
