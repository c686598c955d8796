"""Persian and Bengali sheets and form exports as people have them, imported by fresh
``sheetcrm`` processes into an .xlsx workbook: no row or cell set aside for vocabulary
reasons, canonical values in the sheet, counts that do not split by language, and a
retry that applies a [vocab] line added later (issue #15, items 1, 4, 5 and 6)."""

from __future__ import annotations

import collections
import datetime as dt
import json
import subprocess
from pathlib import Path

import openpyxl
import pytest
from support import run_sheetcrm

from sheetcrm.ingest.mapping import map_columns
from sheetcrm.model.tabs import build_schema

SCHEMA = build_schema()

#: The header line of a Google Form's responses sheet with the form in Persian (Google's own
#: برچسب زمان and نشانی ایمیل, then the form's questions).
FORM_FA = (
    "برچسب زمان",
    "نشانی ایمیل",
    "نام و نام خانوادگی",
    "شماره تماس",
    "از کجا با ما آشنا شدید؟",
    "میزان علاقه",
    "توضیحات",
)
#: The same in Bengali (Google's টাইমস্ট্যাম্প and ইমেল ঠিকানা).
FORM_BN = (
    "টাইমস্ট্যাম্প",
    "ইমেল ঠিকানা",
    "আপনার নাম",
    "মোবাইল নম্বর",
    "আপনি আমাদের কথা কোথায় শুনেছেন?",
    "আগ্রহ",
    "মন্তব্য",
)
FIELDS = ("contact_date", "email", "name", "phone", "source", "interest", "notes")


@pytest.mark.parametrize("header", [FORM_FA, FORM_BN], ids=["Persian", "Bengali"])
def test_a_google_form_export_maps_without_a_preset(header):
    cmap = map_columns(list(header), SCHEMA["Leads"])
    assert cmap.fields == dict(zip(header, FIELDS, strict=True)) and cmap.ignored == []


@pytest.mark.parametrize(
    ("header", "tab", "expected"),
    [
        (
            ["نام", "تلفن", "ایمیل", "وضعیت", "منبع", "تاریخ", "شهر"],
            "Customers",
            ["name", "phone", "email", "status", "lead_source", "first_contact", "city"],
        ),
        (
            ["نام", "شماره همراه", "مبلغ", "تاریخ", "نوع", "محصول"],
            "Interactions",
            [None, None, "amount", "date", "type", "product"],
        ),
        (
            ["নাম", "মোবাইল", "তারিখ", "অবস্থা", "উৎস", "ইমেইল ঠিকানা"],
            "Leads",
            ["name", "phone", "contact_date", "status", "source", "email"],
        ),
        (["তারিখ", "টাকা", "পণ্য", "ধরন"], "Interactions", ["date", "amount", "product", "type"]),
        (["পরিমাণ"], "Interactions", ["amount"]),
        (["نام", "نشاني ايميل", "مهر زمان"], "Leads", ["name", "email", "contact_date"]),
        (["Timestamp", "Email address"], "Leads", ["contact_date", "email"]),
    ],
)
def test_common_persian_and_bengali_headers(header, tab, expected):
    cmap = map_columns(header, SCHEMA[tab])
    assert [cmap.fields.get(h) for h in header] == expected


# -- as a person works: fresh processes on an .xlsx workbook ---------------------------


def write_xlsx(path: Path, header: tuple[str, ...] | list[str], rows: list[list[object]]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(row)
    wb.save(path)


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2025, 10, day, hour, 0, 0)


FA_ROWS = [
    [at(4), "sara@example.com", "سارا محمدی", "۰۹۱۲ ۳۴۵ ۶۷۸۹", "اینستاگرام", "زیاد", "قیمت؟"],
    [at(4, 12), "reza@example.com", "رضا كريمي", "09123456780", "اینستا", "متوسط", None],
    [at(5), "mina@example.com", "مینا", None, "گوگل", "کم", None],
    [at(5, 14), "ali@example.com", "علی", None, "معرفی دوستان", "خیلی زیاد", None],
    [at(6), "nazi@example.com", "نازنین", None, "معرفي دوستان", None, None],  # Arabic yeh
    [at(6, 15), "hadi@example.com", "هادی", None, "تلگرام", "زیاد", None],
    [at(7), "omid@example.com", "امید", None, "دیوار", None, None],
    [at(7, 16), "leila@example.com", "لیلا", None, "واتس‌اپ", None, None],  # ZWNJ
]
BN_ROWS = [
    [at(4), "rahim@example.com", "রহিম", "+৮৮০ ১৭১১ ১২৩৪৫৬", "ফেসবুক", "বেশি", None],
    [at(4, 11), "karim@example.com", "করিম", None, "ফেসবুক পেজ", "মাঝারি", None],
    [at(5), "mita@example.com", "মিতা", None, "রেফারেল", "কম", None],
    [at(5, 9), "joy@example.com", "জয়", None, "হোয়াটসঅ্যাপ", None, None],
    [at(6), "tania@example.com", "তানিয়া", None, "ইনস্টাগ্রাম", None, None],
    [at(6, 8), "rupa@example.com", "রূপা", None, "গুগল", None, "দাম কত?"],
]
FA_CUSTOMERS = (
    ["نام", "تلفن", "ایمیل", "وضعیت", "منبع", "تاریخ", "خبرنامه نمی‌خواهد"],
    [
        ["سارا محمدی", "09123456789", "sara@example.com", "فعال", "اینستاگرام", at(1), "خیر"],
        ["رضا کریمی", "09123456780", "reza@example.com", "بالقوه", "گوگل", at(2), "بله"],
        ["مینا", None, "mina@example.com", "غیرفعال", "معرفی دوستان", at(3), None],
        ["علی", None, "ali@example.com", "غير فعال", "سایت", at(3), None],
    ],
)


def cli(folder: Path):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_sheetcrm(*args, cwd=folder)

    return run


def rows_of(run, tab: str) -> list[dict]:
    shown = run("show", tab, "--format", "json")
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def set_aside(run) -> list[dict]:
    listed = run("quarantine", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


@pytest.mark.parametrize(
    ("header", "rows", "region", "sources"),
    [
        (
            FORM_FA,
            FA_ROWS,
            "IR",
            {"instagram": 2, "search": 1, "referral": 2, "telegram": 1, "ads": 1, "whatsapp": 1},
        ),
        (
            FORM_BN,
            BN_ROWS,
            "BD",
            {"facebook": 2, "referral": 1, "whatsapp": 1, "instagram": 1, "search": 1},
        ),
    ],
    ids=["Persian form", "Bengali form"],
)
def test_a_form_export_imports_with_nothing_set_aside(tmp_path, header, rows, region, sources):
    run = cli(tmp_path)
    (tmp_path / "sheetcrm.toml").write_text(f'[locale]\nregion = "{region}"\n', encoding="utf-8")
    write_xlsx(tmp_path / "form.xlsx", header, rows)
    assert run("init").returncode == 0
    done = run("import", "form.xlsx", "--tab", "Leads")
    assert done.returncode == 0, done.stdout + done.stderr
    assert set_aside(run) == []
    leads = rows_of(run, "Leads")
    assert len(leads) == len(rows)
    assert dict(collections.Counter(r["source"] for r in leads)) == sources
    assert {r["interest"] for r in leads} <= {"low", "medium", "high", None}
    assert all(r["email"] and r["contact_date"] for r in leads)  # Google's own headers


def test_a_persian_customer_list_imports_with_canonical_values(tmp_path):
    run = cli(tmp_path)
    (tmp_path / "sheetcrm.toml").write_text('[locale]\nregion = "IR"\n', encoding="utf-8")
    header, rows = FA_CUSTOMERS
    write_xlsx(tmp_path / "customers.xlsx", header, rows)
    assert run("init").returncode == 0
    done = run(
        "import", "customers.xlsx", "--tab", "Customers", "--map", "خبرنامه نمی‌خواهد=opt_out"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert set_aside(run) == []
    people = {r["email"]: r for r in rows_of(run, "Customers")}
    assert {e: r["status"] for e, r in people.items()} == {
        "sara@example.com": "active",
        "reza@example.com": "prospect",
        "mina@example.com": "inactive",
        "ali@example.com": "inactive",
    }
    assert people["reza@example.com"]["lead_source"] == "search"
    assert people["reza@example.com"]["opt_out"] is True
    assert people["sara@example.com"]["opt_out"] is False


def test_a_retry_applies_a_vocabulary_added_later(tmp_path):
    """A source no vocabulary knows is set aside; the user adds it as a new value in the
    list form, runs `quarantine retry`, and the cell goes in."""
    run = cli(tmp_path)
    (tmp_path / "sheetcrm.toml").write_text('[locale]\nregion = "IR"\n', encoding="utf-8")
    write_xlsx(
        tmp_path / "form.xlsx",
        FORM_FA,
        [*FA_ROWS[:2], [at(8), "bita@example.com", "بیتا", None, "بیلبورد اتوبان", None, None]],
    )
    assert run("init").returncode == 0
    first = run("import", "form.xlsx", "--tab", "Leads")
    assert first.returncode == 8, first.stdout + first.stderr
    [entry] = set_aside(run)
    assert entry["kind"] == "cell" and entry["value"] == "بیلبورد اتوبان"
    assert '<value> = ["بیلبورد اتوبان"] under [vocab.Leads.source]' in entry["reason"]

    (tmp_path / "sheetcrm.toml").write_text(
        '[locale]\nregion = "IR"\n\n[vocab.source]\nbillboard = ["بیلبورد اتوبان", "بیلبورد"]\n',
        encoding="utf-8",
    )
    retried = run("quarantine", "retry")
    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert set_aside(run) == []
    sources = {r["email"]: r["source"] for r in rows_of(run, "Leads")}
    assert sources == {
        "sara@example.com": "instagram",
        "reza@example.com": "instagram",
        "bita@example.com": "billboard",
    }


def test_values_typed_into_the_sheet_in_persian_count_with_the_canonical_ones(tmp_path):
    """A teammate types اینستاگرام in Leads.source and فعال in Customers.status by hand:
    every command reads them as instagram and active, so counts do not split."""
    run = cli(tmp_path)
    assert run("init").returncode == 0
    book = openpyxl.load_workbook(tmp_path / "crm.xlsx")
    for tab, typed in (
        (
            "Leads",
            [("L-1", "Ana", "instagram"), ("L-2", "سارا", "اینستاگرام"), ("L-3", "Bo", "اینستا")],
        ),
        ("Customers", [("C-1", "Ana", "active"), ("C-2", "سارا", "فعال")]),
    ):
        ws = book[tab]
        header = [c.value for c in ws[1]]
        for n, (record_id, name, value) in enumerate(typed, start=2):
            ws.cell(n, header.index(header[0]) + 1, record_id)
            ws.cell(n, header.index("name") + 1, name)
            ws.cell(n, header.index("source" if tab == "Leads" else "status") + 1, value)
    book.save(tmp_path / "crm.xlsx")

    assert [r["source"] for r in rows_of(run, "Leads")] == ["instagram"] * 3
    assert [r["status"] for r in rows_of(run, "Customers")] == ["active", "active"]
    summary = run("summary")
    assert summary.returncode == 0, summary.stderr
    line = next(x for x in summary.stdout.splitlines() if x.lower().startswith("leads by source"))
    assert line.lower() == "leads by source: instagram 3", line


@pytest.mark.parametrize("header", [FORM_FA, FORM_BN, ("Timestamp", "Email Address")])
def test_a_responses_tab_is_keyed_by_googles_timestamp_in_each_language(header):
    from sheetcrm.ingest.responses import timestamp_column

    assert timestamp_column(list(header)) == header[0]
    assert timestamp_column(["submitted at", "نام", "তারিখ"]) is None  # not Google's
