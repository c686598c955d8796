"""Reports, summaries, digests and drafts in Persian, Bengali and English: the gettext
catalogs in step with the sources, figures written the workbook's way (currency, lakh
grouping, toman, native digits, Jalali dates), the user's templates still first."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.config import parse_config
from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.outputs import i18n
from sheetcrm.outputs.i18n import LocalFormat
from sheetcrm.outputs.reminders import remind
from sheetcrm.outputs.report import make_report
from sheetcrm.outputs.summary import make_summary, summary_text
from sheetcrm.outputs.templates import environment, render
from sheetcrm.workbook.refresh import refresh

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 11, 21)  # 30 Aban 1405
LRI, PDI = "\u2066", "\u2069"


def catalog(lang: str):
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "sheetcrm.po").open("rb") as po:
        return read_po(po, locale=lang)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[object]:
    """The msgids ``pybabel extract -F babel.cfg`` finds in the sources now."""
    pybabel = shutil.which("pybabel", path=str(Path(sys.executable).parent))
    assert pybabel, "Babel's pybabel is installed with the test extras"
    pot = tmp_path_factory.mktemp("pot") / "sheetcrm.pot"
    subprocess.run(
        [pybabel, "extract", "-F", "babel.cfg", "--no-location", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


@pytest.mark.parametrize("lang", ["en", "fa", "bn"])
def test_each_catalog_holds_exactly_the_messages_in_the_sources(extracted, lang):
    """A new English string in a template or in outputs/*.py fails here until the
    catalogs are updated (README: pybabel extract / update) — and a removed one too."""
    known = {m.id for m in catalog(lang) if m.id}
    assert extracted - known == set(), "not in the catalog: run the update in the README"
    assert known - extracted == set(), "no longer in the sources: run the update"


@pytest.mark.parametrize("lang", ["fa", "bn"])
def test_every_message_is_translated_with_the_same_placeholders(lang):
    po = catalog(lang)
    assert po.plural_forms == "nplurals=2; plural=(n > 1);"
    for message in po:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms), f"{lang}: {message.id!r} has no translation"
        assert not message.fuzzy, f"{lang}: {message.id!r} is fuzzy"
        assert list(message.check(po)) == [], message.id  # %(name)s the same in both


def test_catalogs_are_read_once_from_the_po_files():
    assert i18n.translations("fa") is i18n.translations("fa_IR")
    assert i18n.gettext("Revenue", "fa_IR") == "درآمد"
    assert i18n.gettext("Orders", "fa") == "سفارش‌ها"
    assert i18n.gettext("Average order value", "fa") == "میانگین ارزش سفارش"
    assert i18n.gettext("Leads", "bn") == "লিড"
    assert i18n.gettext("Revenue", "bn_BD") == "আয়"
    assert i18n.gettext("Revenue", "de") == "Revenue"  # no catalog: English


def test_plural_forms_follow_the_language():
    one = "One customer to win back (none of them opted out):"
    many = "Customers to win back (%(num)s, none of them opted out):"
    assert i18n.ngettext(one, many, 1, "fa") == "یک مشتری برای بازگرداندن (انصراف نداده است):"
    assert i18n.ngettext(one, many, 3, "fa").startswith("%(num)s مشتری")
    assert i18n.ngettext(one, many, 1, "en") == one
    assert i18n.ngettext(one, many, 0, "en") == many
    assert "জন গ্রাহক" in i18n.ngettext(one, many, 5, "bn")


@pytest.mark.parametrize(
    ("local", "amount", "shown"),
    [
        (LocalFormat("fa_IR", "IRT"), 15_000_000, "15,000,000 تومان"),
        (LocalFormat("fa_IR", "IRT", digits="native"), 15_000_000, "۱۵٬۰۰۰٬۰۰۰ تومان"),
        (LocalFormat("fa_IR", "IRT", digits="native"), 1499.6, "۱٬۵۰۰ تومان"),  # no decimals
        (LocalFormat("fa_IR", "IRR"), 62_500_000, "62,500,000 ریال"),
        (LocalFormat("en", "IRR"), 62_500_000, "62,500,000 rial"),
        (LocalFormat("en", "IRT"), 2_500_000, "2,500,000 toman"),
        (LocalFormat("en_IN", "INR"), 12_345_678.5, "₹1,23,45,678.50"),
        (LocalFormat("bn_BD", "BDT"), 150_000, "1,50,000.00৳"),
        (LocalFormat("bn_BD", "BDT", digits="native"), 150_000, "১,৫০,০০০.০০৳"),
        (LocalFormat("en_GB", "GBP"), 1234.5, "£1,234.50"),
        (LocalFormat("en", "USD"), None, "–"),
    ],
)
def test_money_in_the_workbook_currency(local, amount, shown):
    assert local.money(amount) == shown


def test_numbers_percentages_and_dates_per_locale():
    fa = LocalFormat("fa_IR", "IRT", "jalali", "native")
    assert fa.number(1234567) == "۱٬۲۳۴٬۵۶۷"
    assert fa.percent(0.175) == "۱۷٫۵٪"
    assert fa.change(-0.24) == "▼ ۲۴٪"
    assert fa.date(DAY) == f"{LRI}۱۴۰۵-۰۸-۳۰{PDI}"  # kept left to right in Persian prose
    assert fa.date("2026-11-21") == fa.date(DAY)  # a day the digest keeps as ISO text
    assert fa.month("1405-08") == "آبان ۱۴۰۵"
    assert LocalFormat("bn", digits="native").number(12345678) == "১,২৩,৪৫,৬৭৮"
    assert LocalFormat().date(DAY) == "2026-11-21" and LocalFormat().date("soon") == "soon"
    assert LocalFormat("bn").month("2026-10") == "অক্টোবর 2026"


def _crm(**locale: str) -> CRM:
    crm = CRM(backend=MemoryBackend(), config=parse_config({"locale": locale}))
    write_demo(crm, DAY)
    refresh(crm, DAY)
    return crm


@pytest.fixture(scope="module")
def persian() -> CRM:
    return _crm(language="fa_IR", currency="IRT", calendar="jalali", digits="native")


def test_a_persian_html_report(persian):
    html = make_report(persian, as_of=DAY).content
    assert '<html lang="fa" dir="rtl">' in html
    assert "font-family: 'Noto Sans Arabic', 'Noto Naskh Arabic'" in html
    for heading in ("گزارش فروش و پیگیری", "مشتریان برتر این دوره", "سرنخ‌ها بر اساس منبع"):
        assert heading in html
    assert "درآمد" in html and "سفارش‌ها" in html and "میانگین ارزش سفارش" in html
    assert "تومان" in html and "$" not in html
    assert f"{LRI}۱۴۰۵-۰۸-۳۰{PDI}" in html  # the period's last day: Jalali, native digits
    assert "Revenue" not in html and "Top customers" not in html


def test_a_persian_summary_in_tomans(persian):
    text = summary_text(persian, make_summary(persian, as_of=DAY))
    assert "مشتریان" in text and "سفارش‌ها" in text and "تومان" in text
    assert "$" not in text and "Customers" not in text
    assert f"تا {LRI}۱۴۰۵-۰۸-۳۰{PDI}" in text.splitlines()[0]


@pytest.mark.parametrize(
    ("digits", "days", "other"),
    [("latin", ("180", "30"), "۱۸۰"), ("native", ("۱۸۰", "۳۰"), "180")],
)
def test_a_summary_writes_every_figure_in_one_kind_of_digits(digits, days, other):
    """The Persian summary had "۳۰ روز" typed into its catalog next to Latin figures."""
    crm = CRM(
        backend=MemoryBackend(),
        config=parse_config({"locale": {"language": "fa", "digits": digits}}),
    )
    crm.init()
    crm.upsert("Leads", [{"lead_id": "L-1", "name": "سارا محمدی", "email": "sara@example.ir"}])
    text = summary_text(crm, make_summary(crm, as_of=DAY))
    assert f"خرید در {days[0]} روز گذشته" in text and f"({days[1]} روز گذشته، " in text
    assert other not in text
    assert "(نامشخص) " in text and "(none)" not in text  # a lead without a source


@pytest.mark.parametrize(
    ("locale", "shown"),
    [
        ({"currency": "IRR"}, "revenue 62,500,000 rial"),
        ({"currency": "IRR", "language": "fa_IR"}, "درآمد 62,500,000 ریال"),
        ({"currency": "IRT", "language": "fa_IR", "digits": "native"}, "درآمد ۶۲٬۵۰۰٬۰۰۰ تومان"),
        ({"currency": "INR", "language": "en_IN"}, "revenue ₹6,25,00,000.00"),
    ],
)
def test_summary_shows_the_workbook_currency(locale, shown):
    """The summary of an IRR workbook said $62,500,000.00."""
    crm = CRM(backend=MemoryBackend(), config=parse_config({"locale": locale}))
    crm.init()
    crm.upsert("Customers", [{"customer_id": "C-1", "name": "سارا محمدی"}])
    purchase = {"interaction_id": "I-1", "type": "purchase", "customer_id": "C-1"}
    crm.upsert("Interactions", [{**purchase, "date": "2026-11-20", "amount": 62_500_000}])
    text = summary_text(crm, make_summary(crm, as_of=DAY))
    assert shown in text
    assert "$" not in text


def test_a_bengali_report_with_lakh_grouping():
    crm = _crm(language="bn_BD", currency="BDT", digits="native")
    report = make_report(crm, as_of=DAY, fmt="txt", period="2025-01-01..2026-11-21").content
    assert report.startswith("বিক্রি ও ফলো-আপ রিপোর্ট\n")
    assert "আয়" in report and "৳" in report and "শীর্ষ গ্রাহক:" in report
    html = make_report(crm, as_of=DAY).content
    assert '<html lang="bn" dir="ltr">' in html and "'Noto Sans Bengali'" in html
    revenue = next(k for k in make_report(crm, as_of=DAY, fmt="txt").data.kpis)
    assert revenue.label == "আয়"


def test_a_persian_digest_and_win_back_drafts(persian, tmp_path):
    result = remind(persian, as_of=DAY, drafts_dir=tmp_path / "drafts")
    assert "پیگیری‌های Arif — " in result.text and "عقب‌افتاده:" in result.text
    assert "Follow-ups" not in result.text and "Overdue" not in result.text
    letters = [p.read_text(encoding="utf-8") for p in result.drafts]
    assert letters and all(t.startswith("سلام ") for t in letters)
    assert any(t.startswith("سلام محمد موسوی،\n") for t in letters)
    assert all("Hello" not in t and "با احترام" in t for t in letters)


def test_a_users_template_for_a_language_comes_first(persian, tmp_path):
    """``fa/reengage.txt`` in the templates folder for Persian letters; the package's
    (translated) one for every other language; ``default:`` still reaches the package's."""
    folder = tmp_path / "tpl"
    (folder / "fa").mkdir(parents=True)
    (folder / "fa" / "reengage.txt").write_text(
        "درود {{ customer.name|line }} عزیز، دلمان برایتان تنگ شده است.\n", encoding="utf-8"
    )
    (folder / "mine.html").write_text(
        '{% extends "default:report.html" %}{% block header %}'
        "<h1>{{ _('Revenue') }}: {{ data.kpis[0].value|money }}</h1>{% endblock %}",
        encoding="utf-8",
    )
    local = i18n.local_format(persian.config)
    env = environment(folder, local=local)
    letter = render("reengage.txt", env, customer={"name": "سارا محمدی", "last_contact": ""})
    assert letter == "درود سارا محمدی عزیز، دلمان برایتان تنگ شده است.\n"
    english = environment(folder)
    letter = render(
        "reengage.txt", english, customer={"name": "Sara", "last_contact": "", "products": ""}
    )
    assert letter.startswith("Hello Sara,\n")
    data = make_report(persian, as_of=DAY, fmt="txt").data
    html = render("mine.html", env, data=data, source="x")
    assert "<h1>درآمد: " in html and "تومان</h1>" in html
    assert "مشتریان برتر این دوره" in html  # the rest: the package's, translated


NASTY = "<script>alert(1)</script> %(name)s {{ 7*7 }}"


def test_translated_messages_keep_sheet_text_inert():
    """A placeholder is filled after translation and escaped in HTML: a name cannot
    become markup, a format directive or template code, in any language."""
    for language in ("fa", "bn", "en"):
        env = environment(local=LocalFormat(language))
        html = env.from_string(
            "{{ _('Follow-ups for %(person)s — %(day)s', person=p, day='x') }}"
        ).render(p=NASTY)
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "%(name)s {{ 7*7 }}" in html
        text = render(
            "reengage.txt", env, customer={"name": NASTY, "last_contact": "", "products": ""}
        )
        assert NASTY in text.splitlines()[0]  # plain text: as typed, one line
