"""Reports render on any workbook, not just the demo: an empty one, a shop that imported
only a transactions log, one with only leads, campaigns without a budget, 100,000
customers, and the demo, in HTML, Markdown, text and PDF, and ``report --email`` reaches
a real local SMTP server for each (fresh ``sheetcrm`` processes on .xlsx, one on a served
emulator). Every section is there; one with nothing to show says so and what would fill
it. The footer names the workbook by file name or spreadsheet title, never its path."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from contract.harness import sheets_backend
from mail_support import Mailbox, private_mail_dirs
from support import emulator_serve, run_sheetcrm

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.config import Config, parse_config
from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.emulator import Emulator
from sheetcrm.ingest.importer import import_file
from sheetcrm.outputs.report import make_report
from sheetcrm.workbook.refresh import refresh

AS_OF = dt.date(2025, 10, 15)
TRANSACTIONS = Path(__file__).parent / "fixtures" / "sellers" / "transactions.csv"
FORMATS = ("html", "md", "txt", "pdf")
#: Headings every report has, whatever the workbook holds.
SECTIONS = ("Top customers", "Customer satisfaction", "Leads by source", "Campaigns")
#: Each section's "nothing here yet — this is what fills it" line.
HINTS = {
    "nothing": "This workbook has no customers, leads, sales or campaigns yet",
    "sales": "Sales are the purchases in the Interactions tab",
    "leads": "Add one in the Leads tab",
    "campaigns": "Add one in the Campaigns tab",
    "budget": "no budget, so no ROI",
    "scores": "No satisfaction scores yet.",
    "customers": "Add one in the Customers tab",
}
#: Which hints each workbook's report shows (all others must be absent).
EXPECTED = {
    "empty": {"nothing", "sales", "leads", "campaigns", "scores", "customers"},
    "transactions": {"leads", "campaigns", "scores"},
    "leads": {"sales", "campaigns", "scores", "customers"},
    "campaigns": {"sales", "budget", "scores", "customers"},
    "customers_100k": {"leads", "campaigns", "scores"},
    "demo": set(),
}
#: Hints a workbook's report may or may not show (the demo's scores and budgets are the
#: demo's business).
EITHER = {"demo": {"scores", "budget"}}


@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch):
    private_mail_dirs(tmp_path, monkeypatch)


# -- the six workbooks ---------------------------------------------------------------


def _empty(crm: CRM) -> None:
    crm.init()


def _transactions(crm: CRM) -> None:
    crm.init()
    import_file(crm, TRANSACTIONS)


def _leads(crm: CRM) -> None:
    crm.init()
    crm.upsert(
        "Leads",
        [
            {
                "name": "Nasrin Karimi",
                "email": "nasrin@example.com",
                "source": "instagram",
                "contact_date": "2025-10-02",
                "status": "new",
            },
            {"name": "রিনা দাস", "source": "referral", "contact_date": "2025-09-20"},
        ],
    )


def _campaigns(crm: CRM) -> None:
    crm.init()
    crm.upsert(
        "Campaigns",
        [
            {"campaign_id": "CMP-1", "name": "Diwali stories", "channel": "instagram"},
            {"campaign_id": "CMP-2", "name": "Puja mailer", "channel": "email", "budget": ""},
        ],
    )
    crm.upsert(
        "Leads",
        [{"name": "Rina Das", "source": "instagram", "campaign_id": "CMP-1", "status": "new"}],
    )


def _demo(crm: CRM) -> None:
    write_demo(crm, AS_OF)
    refresh(crm, AS_OF)


BUILD: dict[str, Callable[[CRM], None]] = {
    "empty": _empty,
    "transactions": _transactions,
    "leads": _leads,
    "campaigns": _campaigns,
    "demo": _demo,
}
SMALL = tuple(BUILD)


def _blank(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    return pd.DataFrame({c: [None] * n for c in frame.columns}, dtype=object)


def hundred_thousand(crm: CRM) -> dict[str, pd.DataFrame]:
    """100,000 customers who each bought once this year, as the typed frames a read gives
    (built in memory: writing them to a workbook is not what this test is about)."""
    crm.init()
    frames = crm.frames()
    n, rng = 100_000, np.random.default_rng(17)
    ids = [f"CUS-{i:06d}" for i in range(n)]
    start = dt.date(2024, 1, 1)
    customers = _blank(frames["Customers"], n)
    customers["customer_id"] = ids
    customers["name"] = [f"Customer {i}" for i in range(n)]
    customers["first_contact"] = [
        start + dt.timedelta(days=int(d)) for d in rng.integers(0, 640, n)
    ]
    customers["segment"] = rng.choice(["regular", "VIP", "inactive"], n)
    buys = _blank(frames["Interactions"], n)
    buys["interaction_id"] = [f"INT-{i:06d}" for i in range(n)]
    buys["date"] = [
        dt.datetime(2025, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 288, n)
    ]
    buys["type"] = "purchase"
    buys["customer_id"] = ids
    buys["amount"] = rng.integers(200, 9_000, n).astype(float)
    return {**frames, "Customers": customers, "Interactions": buys}


@pytest.fixture(scope="module")
def mailbox():
    with Mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def books(mailbox) -> dict[str, tuple[CRM, dict[str, pd.DataFrame] | None]]:
    """Each workbook once for the module (memory backend; the 100k one as frames)."""
    out: dict[str, tuple[CRM, dict[str, pd.DataFrame] | None]] = {}
    for name, build in BUILD.items():
        crm = CRM(backend=MemoryBackend(), config=mailbox.smtp_config())
        build(crm)
        out[name] = (crm, None)
    crm = CRM(backend=MemoryBackend(), config=mailbox.smtp_config())
    out["customers_100k"] = (crm, hundred_thousand(crm))
    return out


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """What a reader sees in the PDF (poppler's pdftotext), to check it was laid out."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def assert_sections(text: str, which: str, source: str) -> None:
    """Every section heading; exactly the hints this workbook calls for; the footer."""
    flat = " ".join(text.replace("\\", "").split())
    for heading in SECTIONS:
        assert heading.lower() in flat.lower(), (which, heading)
    shown = {key for key, hint in HINTS.items() if hint in flat} - EITHER.get(which, set())
    assert shown == EXPECTED[which], (which, shown ^ EXPECTED[which])
    assert f"Made by sheetcrm on 2025-10-15 from {source}" in flat, which


# -- every workbook × every format, and e-mail, in the library ------------------------


ALL = (*SMALL[:4], "customers_100k", "demo")
#: The 100k workbook's HTML and text are the e-mail's two parts in the next test (each
#: report of it works the figures out again: a couple of seconds saved per format).
BY_MAIL = {("customers_100k", "html"), ("customers_100k", "txt")}
CASES = [(w, f) for w in ALL for f in FORMATS if (w, f) not in BY_MAIL]


@pytest.mark.parametrize(("which", "fmt"), CASES)
def test_every_workbook_renders_in_every_format(books, which, fmt, tmp_path):
    if fmt == "pdf":
        pytest.importorskip("weasyprint")
        if shutil.which("pdftotext") is None:
            pytest.skip("poppler-utils not installed")
    crm, frames = books[which]
    result = make_report(crm, as_of=AS_OF, fmt=fmt, period="month", frames=frames)
    content = result.content
    if fmt == "pdf":
        assert isinstance(content, bytes) and content.startswith(b"%PDF")
        text = pdf_text(content, tmp_path)
    else:
        assert isinstance(content, str)
        text = content
    assert_sections(text, which, "memory workbook")
    if which == "customers_100k":
        assert len(result.data.top_customers) == 10
        assert result.data.has == {
            "customers": True,
            "leads": False,
            "sales": True,
            "campaigns": False,
            "tasks": False,
        }


@pytest.mark.parametrize("which", ALL)
def test_every_workbook_reaches_the_smtp_server(books, mailbox, which):
    """The report as e-mail (HTML with PNG charts, and text) for each workbook."""
    crm, frames = books[which]
    before = len(mailbox.messages)
    to = f"{which}@example.com"
    result = make_report(crm, as_of=AS_OF, fmt="md", emails=(to,), frames=frames)
    assert result.delivery is not None
    assert_sections(str(result.content), which, "memory workbook")
    (rcpts, msg), *more = mailbox.messages[before:]
    assert rcpts == [to] and not more
    html = msg.get_body(("html",)).get_content()
    plain = msg.get_body(("plain",)).get_content()
    assert_sections(html, which, "memory workbook")
    assert_sections(plain, which, "memory workbook")
    assert "data:image/png;base64," in html or result.data.empty  # charts mail clients show


# -- satisfaction ----------------------------------------------------------------------


def scored(config: Config | None = None) -> CRM:
    """Three customers scored in the period (5, 4 and 2 of 5), one before it (1, then 5
    now: happy again), so the period, the one before and the unhappy list all differ."""
    crm = CRM(backend=MemoryBackend(), config=config)
    crm.init()
    crm.upsert(
        "Customers",
        [
            {"customer_id": "CUS-1", "name": "Sara Mohammadi", "email": "sara@example.com"},
            {"customer_id": "CUS-2", "name": "রাহুল দাস", "phone": "+8801712345678"},
            {"customer_id": "CUS-3", "name": "Alice Brown", "email": "alice@example.org"},
        ],
    )
    rows = [
        ("I-1", "2025-09-01", "CUS-1", 1),  # the period before (2025-08-17 – 2025-09-15)
        ("I-2", "2025-10-01", "CUS-1", 5),
        ("I-3", "2025-10-05", "CUS-2", 2),
        ("I-4", "2025-10-10", "CUS-3", 4),
    ]
    crm.upsert(
        "Interactions",
        [
            {"interaction_id": i, "date": d, "type": "call", "customer_id": c, "satisfaction": s}
            for i, d, c, s in rows
        ],
    )
    return crm


def test_the_satisfaction_section_on_a_five_point_scale():
    data = make_report(scored(), as_of=AS_OF, fmt="md", period="month")
    s = data.data.satisfaction
    assert s is not None and s.scale == 5
    assert (s.now.responses, s.now.average, s.now.nps) == (3, 3.67, None)
    assert s.now.happy_share == pytest.approx(2 / 3)
    assert (s.before.responses, s.before.average) == (1, 1.0)
    assert [(u["name"], u["last_satisfaction"]) for u in s.unhappy] == [("রাহুল দাস", 2.0)]
    assert s.unhappy[0]["last_scored"] == dt.date(2025, 10, 5)
    text = data.content
    assert "| Responses | 3 | 1 |" in text
    assert "| Average score \\(of 5\\) | 3.7 | 1.0 |" in text
    assert "| Happy \\(4–5\\) | 66.7% | 0.0% |" in text
    assert "Net Promoter Score" not in text
    assert "| রাহুল দাস | 2 | 2025-10-05 | \\+8801712345678 |" in text
    assert "All scores so far: 4, average 3.0." in text


def test_the_satisfaction_section_on_the_nps_scale_in_every_format():
    config = parse_config({"satisfaction": {"scale": 10}})
    crm = scored(config)  # the same scores read on 0–10: 5, 4 and 2 are all detractors
    for fmt in ("html", "md", "txt"):
        result = make_report(crm, as_of=AS_OF, fmt=fmt, period="month")
        s = result.data.satisfaction
        assert s is not None and s.now.nps == -100.0 and s.unhappy_count == 3
        text = str(result.content)
        assert "Net Promoter Score" in text and "Happy (9–10)" in text.replace("\\", "")
        assert "Unhappy customers (last score 6 or lower)" in text.replace("\\", "")


# -- footers: a file name or a spreadsheet title ------------------------------------------


def test_the_footer_names_a_google_sheet_by_its_title():
    emu = Emulator()
    sheet = emu.create_spreadsheet("Handloom shop CRM")
    _empty(CRM(backend=sheets_backend(emu, sheet.id)))
    emu.stats.reset()
    crm = CRM(backend=sheets_backend(emu, sheet.id))
    text = str(make_report(crm, as_of=AS_OF, fmt="txt").content)
    assert "Made by sheetcrm on 2025-10-15 from Handloom shop CRM" in text
    assert sheet.id not in text
    # the title came with the tab listing the read sends anyway: no request more
    assert dict(emu.stats.requests) == {
        "sheets.spreadsheets.get": 1,
        "sheets.spreadsheets.values.batchGet": 1,
    }


# -- fresh processes: .xlsx and a served emulator -------------------------------------------


def smtp_env(box: Mailbox, tmp_path: Path) -> dict[str, str]:
    return {
        "SHEETCRM_SMTP_HOST": "127.0.0.1",
        "SHEETCRM_SMTP_PORT": str(box.port),
        "SHEETCRM_SMTP_SECURITY": "none",
        "SHEETCRM_SMTP_FROM": "Shop <shop@example.com>",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }


def assert_mail(box: Mailbox, before: int, to: str, which: str, source: str, hidden: str) -> Any:
    (rcpts, msg), *more = box.messages[before:]
    assert rcpts == [to] and not more
    for part in ("html", "plain"):
        body = msg.get_body((part,)).get_content()
        assert_sections(body, which, source)
        assert hidden not in body  # no local path, no spreadsheet ID
    return msg


@pytest.mark.parametrize("which", SMALL)
def test_report_email_from_a_fresh_process_on_xlsx(mailbox, which, tmp_path):
    """``sheetcrm report --format html|pdf -o … --email …`` as a person runs it: the file
    saved, the e-mail (HTML, text; the PDF attached) at the SMTP server, footed "from
    crm.xlsx". PDF for the shop whose PDF crashed (transactions only), HTML for the rest
    (the library test above lays every workbook out as PDF)."""
    fmt = "pdf" if which == "transactions" else "html"
    if fmt == "pdf":
        pytest.importorskip("weasyprint")
    book = tmp_path / "shop" / "crm.xlsx"
    book.parent.mkdir()
    env = smtp_env(mailbox, tmp_path)
    if which == "transactions":  # as the shop did it: init, then import the log
        for args in (("init",), ("import", str(TRANSACTIONS))):
            done = run_sheetcrm(*args, "--xlsx", str(book), env=env, cwd=book.parent)
            assert done.returncode == 0, done.stderr
    else:
        BUILD[which](CRM(backend=XlsxBackend(book)))
    before = len(mailbox.messages)
    to = f"{which}@example.com"
    done = run_sheetcrm(
        "report",
        *("--xlsx", str(book), "--as-of", "2025-10-15", "--period", "month"),
        *("--format", fmt, "-o", f"report.{fmt}", "--email", to),
        env=env,
        cwd=book.parent,
    )
    assert done.returncode == 0, done.stderr
    saved = (book.parent / f"report.{fmt}").read_bytes()
    if fmt == "pdf":
        assert saved.startswith(b"%PDF")
    else:
        assert_sections(saved.decode("utf-8"), which, "crm.xlsx")
        assert str(tmp_path) not in saved.decode("utf-8")
    msg = assert_mail(mailbox, before, to, which, "crm.xlsx", str(tmp_path))
    attached = [p.get_filename() for p in msg.iter_attachments()]
    assert attached == (["report.pdf"] if fmt == "pdf" else [])


def test_report_email_from_a_fresh_process_on_a_served_emulator(mailbox, tmp_path):
    """The demo built and reported on ``sheetcrm emulator serve`` over HTTP, in processes
    of their own: the footer says the spreadsheet's title."""
    pytest.importorskip("weasyprint")
    env = smtp_env(mailbox, tmp_path)
    with emulator_serve(tmp_path) as (url, [sheet]):
        env["SHEETCRM_API_ENDPOINT"] = url
        where = ("--sheet", sheet, "--as-of", "2025-10-15")
        done = run_sheetcrm("demo", *where, "--quiet", env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        before = len(mailbox.messages)
        done = run_sheetcrm(
            "report",
            *where,
            *("--format", "md", "-o", "report.md", "--email", "demo@example.com"),
            env=env,
            cwd=tmp_path,
        )
    assert done.returncode == 0, done.stderr
    saved = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert_sections(saved, "demo", "Spreadsheet 1")
    assert sheet not in saved
    assert_mail(mailbox, before, "demo@example.com", "demo", "Spreadsheet 1", sheet)
