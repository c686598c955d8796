"""Reports and reminders: every template and format from the demo and an empty CRM,
e-mail through a real local SMTP server, Chromium and PDF renderings, one-round-trip reads."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import smtplib
import subprocess

import pytest
from contract.harness import sheets_backend
from mail_support import Mailbox, private_mail_dirs

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.config import Config, parse_config
from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.emulator import Emulator
from sheetcrm.errors import ConfigError, InputError, NotDelivered, TransientError
from sheetcrm.outputs.mail import Email, SmtpSettings, send
from sheetcrm.outputs.reminders import remind
from sheetcrm.outputs.report import make_report
from sheetcrm.workbook.refresh import refresh

DAY = dt.date(2026, 11, 21)


@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch):
    private_mail_dirs(tmp_path, monkeypatch)


def demo(config: Config | None = None, backend=None) -> CRM:
    crm = CRM(backend=backend or MemoryBackend(), config=config)
    write_demo(crm, DAY)
    refresh(crm, DAY)
    return crm


def empty() -> CRM:
    crm = CRM(backend=MemoryBackend())
    crm.init()
    return crm


@pytest.mark.parametrize("fmt", ["html", "md", "txt"])
@pytest.mark.parametrize("which", ["demo", "empty"])
def test_every_template_renders(which, fmt):
    crm = demo() if which == "demo" else empty()
    result = make_report(crm, as_of=DAY, fmt=fmt, period="month")
    text = result.content
    assert "Revenue" in text and "Orders" in text
    if which == "empty":
        assert result.data.empty
        assert "No purchases in this period" in text or "no purchases in this period" in text
    elif fmt == "html":
        charts = re.findall(r'<img src="data:image/(?:png|svg\+xml);base64,', text)
        assert len(charts) == 3  # revenue, sources, ROI charts
        assert 'dir="auto"' in text


def test_periods_and_bad_periods():
    crm = demo()
    week = make_report(crm, as_of=DAY, fmt="txt", period="week").data
    assert week.period.days == 7 and week.period.last == DAY  # [start, end): end is the day after
    assert week.period.end == DAY + dt.timedelta(days=1)
    span = make_report(crm, as_of=DAY, fmt="txt", period="2026-01-01..2026-03-31").data
    assert span.period.start == dt.date(2026, 1, 1) and span.period.days == 90
    with pytest.raises(InputError, match="week, month, quarter"):
        make_report(crm, as_of=DAY, fmt="txt", period="fortnight")


def test_locale_formatting_and_user_templates(tmp_path):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "mine.html").write_text(
        '{% extends "default:report.html" %}{% block header %}'
        "<h1>Our shop {{ data.kpis[0].value|money }}</h1>{% endblock %}",
        encoding="utf-8",
    )
    config = parse_config(
        {
            "locale": {"currency": "INR", "language": "en_IN"},
            "report": {"templates": str(tmp_path / "tpl")},
        }
    )
    crm = demo(config)
    html = make_report(crm, as_of=DAY, template="mine.html", period="quarter").content
    assert "<h1>Our shop ₹" in html and "Top customers in the period" in html
    big = make_report(crm, as_of=DAY, fmt="txt", period="2025-01-01..2026-11-21").content
    assert "₹" in big
    from sheetcrm.outputs.templates import environment

    env = environment(language="en_IN", currency="INR")
    assert env.filters["money"](12345678.5) == "₹1,23,45,678.50"
    (tmp_path / "tpl" / "broken.html").write_text("{{ nope }}", encoding="utf-8")
    with pytest.raises(ConfigError, match="'nope' is undefined"):
        make_report(crm, as_of=DAY, template="broken.html")


def test_html_is_escaped(tmp_path):
    crm = demo()
    crm.upsert("Customers", [{"customer_id": "C-X", "name": "<script>alert(1)</script>"}])
    crm.upsert(
        "Interactions",
        [
            {
                "interaction_id": "I-X",
                "date": "2026-11-20",
                "type": "purchase",
                "customer_id": "C-X",
                "amount": 5000,
            }
        ],
    )
    html = make_report(crm, as_of=DAY).content
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_report_and_digest_emails_arrive():
    with Mailbox() as box:
        crm = demo(
            box.smtp_config(team={"Maryam": "maryam@example.com", "Arif": "arif@example.com"})
        )
        result = make_report(crm, as_of=DAY, emails=("boss@example.com", "client@example.org"))
        assert result.delivery.sent == ["boss@example.com", "client@example.org"]
        (to, msg) = box.messages[0]
        assert to == ["boss@example.com"]
        subject = " ".join(str(msg["Subject"]).split())  # a long subject is folded
        # the period's words are i18n's (PERIODS); its last day is the as-of day
        assert subject.startswith("Sales and follow-up report: ") and "2026-11-21" in subject
        assert msg["From"] == "Shop <shop@example.com>"
        types = [part.get_content_type() for part in msg.walk()]
        assert "text/plain" in types and "text/html" in types
        html = msg.get_body(("html",)).get_content()
        assert "data:image/png;base64," in html
        box.messages.clear()
        reminded = remind(crm, as_of=DAY, email=True)
        got = sorted(r[0] for r, _ in box.messages)
        assert got == ["arif@example.com", "maryam@example.com"]
        assert set(reminded.unknown_people) == {"Reza", "Sophie"}
        body = next(m for r, m in box.messages if r == ["arif@example.com"])
        assert "Follow-ups for Arif" in body.get_body(("plain",)).get_content()
        assert "Maryam" not in body.get_body(("plain",)).get_content()


def test_persian_report_and_digest_emails():
    """Subjects, bodies and the HTML part in the workbook's language, right to left."""
    locale = {"language": "fa_IR", "currency": "IRT", "calendar": "jalali"}
    with Mailbox() as box:
        crm = demo(box.smtp_config(team={"Arif": "arif@example.com"}, locale=locale))
        make_report(crm, as_of=DAY, emails=("boss@example.ir",))
        ((_, msg),) = box.messages
        subject = " ".join(str(msg["Subject"]).split())
        assert subject.startswith("گزارش فروش و پیگیری: ") and subject.endswith(
            "\u20661405-08-30\u2069"
        )
        html = msg.get_body(("html",)).get_content()
        assert '<html lang="fa" dir="rtl">' in html and "مشتریان برتر این دوره" in html
        assert msg.get_body(("plain",)).get_content().startswith("گزارش فروش و پیگیری\n")
        box.messages.clear()
        remind(crm, as_of=DAY, email=True)
        ((to, msg),) = box.messages
        assert to == ["arif@example.com"]
        assert msg["Subject"] == "پیگیری‌های شما برای \u20661405-08-30\u2069"
        assert msg.get_body(("plain",)).get_content().startswith("پیگیری‌های Arif — ")
        assert 'dir="rtl"' in msg.get_body(("html",)).get_content()


def test_no_second_copy_when_run_again():
    with Mailbox() as box:
        crm = demo(box.smtp_config())
        make_report(crm, as_of=DAY, emails=("boss@example.com",))
        again = make_report(crm, as_of=DAY, emails=("boss@example.com",))
        assert again.delivery.already_sent == ["boss@example.com"] and not again.delivery.sent
        assert len(box.messages) == 1


def test_refused_recipient_and_refused_connection():
    with Mailbox(refuse={"nobody@example.com"}) as box:
        crm = demo(box.smtp_config())
        with pytest.raises(NotDelivered, match=r"refused nobody@example\.com .*1 other"):
            make_report(crm, as_of=DAY, emails=("boss@example.com", "nobody@example.com"))
        assert [r for r, _ in box.messages] == [["boss@example.com"]]
        box.messages.clear()
        retry = make_report(crm, as_of=DAY, emails=("boss@example.com",))
        assert retry.delivery.already_sent == ["boss@example.com"] and not box.messages
        port = box.port
    settings = SmtpSettings("127.0.0.1", port, "none", "shop@example.com")
    with pytest.raises(TransientError, match=r"could not connect .* nothing was sent"):
        send(settings, [Email("a@example.com", "s", "t")])


def test_opted_out_customers_never_get_anything(tmp_path):
    crm = demo()
    customers = crm.frame("Customers")
    out = set(customers.loc[customers["opt_out"] == True, "email"])  # noqa: E712
    bought = set(customers.loc[customers["orders"] > 0, "email"])
    assert out & bought  # the demo has opted-out buyers
    later = DAY + dt.timedelta(days=1000)  # by then every buyer is inactive, those too
    result = remind(crm, as_of=later, csv_path=tmp_path / "winback.csv", drafts_dir=tmp_path / "d")
    listed = {r["email"] for r in result.reengage}
    # every buyer who did not opt out (and, since recency, anyone else long quiet), no one out
    assert bought - out <= listed and not listed & out
    csv_text = (tmp_path / "winback.csv").read_text(encoding="utf-8")
    assert not any(address in csv_text for address in out)
    assert len(result.drafts) == len(listed)
    assert all("Hello" in p.read_text(encoding="utf-8") for p in result.drafts)


def test_smtp_settings_errors(tmp_path, monkeypatch):
    from sheetcrm.config import load_config
    from sheetcrm.outputs.mail import smtp_settings

    with pytest.raises(ConfigError, match="no SMTP server"):
        smtp_settings(Config())
    path = tmp_path / "sheetcrm.toml"
    path.write_text('[smtp]\nhost = "mail.example.com"\nfrom = "a@example.com"\npassword = "x"\n')
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        smtp_settings(load_config(path))
    path.chmod(0o600)
    assert smtp_settings(load_config(path)).port == 587
    monkeypatch.setenv("SHEETCRM_SMTP_SECURITY", "ssl")
    monkeypatch.setenv("SHEETCRM_SMTP_PASSWORD", "from-env")
    settings = smtp_settings(load_config(path))
    assert settings.port == 465 and settings.password == "from-env"
    assert "from-env" not in repr(settings)


#: A report's read on Sheets: the tab list (a workbook may or may not have the seller
#: tabs yet, and a values read naming a missing tab fails), then every tab's values.
READ_FOR_REPORT = {"sheets.spreadsheets.get": 1, "sheets.spreadsheets.values.batchGet": 1}


def test_report_and_remind_read_google_sheets_in_two_requests():
    emu = Emulator()
    ss = emu.create_spreadsheet("crm")
    crm = demo(backend=sheets_backend(emu, ss.id))
    fresh = CRM(backend=sheets_backend(emu, ss.id))
    emu.stats.reset()
    make_report(fresh, as_of=DAY, fmt="txt")
    assert dict(emu.stats.requests) == READ_FOR_REPORT
    emu.stats.reset()
    remind(CRM(backend=sheets_backend(emu, ss.id)), as_of=DAY)
    assert dict(emu.stats.requests) == READ_FOR_REPORT
    assert crm  # the same data served both


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_renders_to_png_pages(tmp_path):
    pytest.importorskip("weasyprint")
    crm = demo()
    out = tmp_path / "report.pdf"
    make_report(crm, as_of=DAY, fmt="pdf", output=out)
    assert out.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    # every page but the last is full of ink (the last may hold just the footer)
    assert len(pages) >= 2 and all(p.stat().st_size > 5_000 for p in pages[:-1])


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium not installed")
def test_chromium_screenshot_of_the_html_report(tmp_path):
    crm = demo()
    page = tmp_path / "report.html"
    make_report(crm, as_of=DAY, output=page)
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1100,1600",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    assert image.size == (1100, 1600)
    header = image.getpixel((100, 40))  # the blue title bar
    assert header[2] > 120 and header[0] < 90
    colours = image.resize((64, 64)).getcolors(maxcolors=64 * 64) or []
    assert len(colours) > 50  # charts and tables, not a blank page


def test_smtp_module_is_the_real_one():
    assert smtplib.SMTP.__module__ == "smtplib"
