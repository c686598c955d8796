"""What the tests of Persian and Bengali files (``tests/test_locale_world*.py``) share: a
workbook driven as a user drives it (each command a fresh ``sheetcrm`` process, against an
``.xlsx`` or ``sheetcrm emulator serve`` over HTTP), the cells of a tab as the sheet holds
them, and the test's own plain reading of the few typed values it needs (digits, amounts,
Jalali and Bengali dates) — written out here, never through sheetcrm's codecs, so a
figure sheetcrm prints is checked against an independent computation."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
import subprocess
import unicodedata
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from support import emulator_serve, run_sheetcrm

FIXTURES = Path(__file__).parent / "fixtures" / "locale"
BACKENDS = ("xlsx", "sheets")


@dataclass(frozen=True)
class Book:
    """A user's folder (the fixture files and its ``sheetcrm.toml``) and the workbook the
    commands run on: ``crm.xlsx`` in that folder, or a spreadsheet on a served emulator."""

    folder: Path
    backend: str
    url: str = ""
    sheet: str = ""

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``sheetcrm ARGS --xlsx …|--sheet … --config …`` in a fresh process."""
        where = ("--xlsx", str(self.xlsx)) if self.backend == "xlsx" else ("--sheet", self.sheet)
        config = ("--config", str(self.folder / "sheetcrm.toml"))
        env = {"SHEETCRM_API_ENDPOINT": self.url} if self.url else {}
        return run_sheetcrm(*args, *where, *config, env=env, cwd=self.folder)

    @property
    def xlsx(self) -> Path:
        return self.folder / "crm.xlsx"

    def imported(self, file: str, *options: str) -> Imported:
        """``sheetcrm import FILE OPTIONS --format json``: the process and its document."""
        done = self.run("import", str(self.folder / file), *options, "--format", "json")
        doc = json.loads(done.stdout) if done.stdout.strip() else {}
        return Imported(file, done, doc)

    def json(self, *args: str) -> Any:
        """A command's ``--format json`` document (the command must succeed); a read-only
        command run once per workbook, as the tests only read after the imports."""
        if (self, args) not in _READ:
            done = self.run(*args, "--format", "json")
            assert done.returncode == 0, (args, done.returncode, done.stderr)
            _READ[self, args] = json.loads(done.stdout)
        return copy.deepcopy(_READ[self, args])

    def said(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A read-only command's finished process, run once per workbook."""
        if (self, args) not in _SAID:
            _SAID[self, args] = self.run(*args)
        return _SAID[self, args]

    def cells(self, tab: str) -> list[dict[str, Any]]:
        """The rows of ``tab`` as the sheet holds them (header → cell), read straight from
        the file with openpyxl or from the emulator's values API — not through sheetcrm."""
        if self.backend == "xlsx":
            book = openpyxl.load_workbook(self.xlsx)
            grid = [list(r) for r in book[tab].iter_rows(values_only=True)]
        else:
            rng = urllib.parse.quote(f"'{tab}'", safe="")
            address = f"{self.url}/v4/spreadsheets/{self.sheet}/values/{rng}"
            with urllib.request.urlopen(address, timeout=30) as answer:
                grid = json.loads(answer.read().decode("utf-8")).get("values", [])
        if not grid:
            return []
        header = [str(h) if h is not None else "" for h in grid[0]]
        rows = []
        for raw in grid[1:]:
            row = {h: (raw[i] if i < len(raw) else None) for i, h in enumerate(header) if h}
            if any(v not in (None, "") for v in row.values()):
                rows.append(row)
        return rows


_READ: dict[tuple[Book, tuple[str, ...]], Any] = {}
_SAID: dict[tuple[Book, tuple[str, ...]], subprocess.CompletedProcess[str]] = {}


@dataclass(frozen=True)
class Imported:
    """One ``import --format json`` run."""

    file: str
    done: subprocess.CompletedProcess[str]
    doc: dict[str, Any]

    def quarantine(self) -> list[dict[str, Any]]:
        assert self.doc, (self.file, self.done.returncode, self.done.stderr)
        return list(self.doc["quarantine"])

    def vocabulary_trouble(self, may_ignore: Iterable[str] = ()) -> list[str]:
        """What this import set aside or dropped for want of vocabulary: entries whose reason
        is an unknown choice value, and columns ignored that a field should have taken (all
        but ``may_ignore``, the file's columns the tab has no field for)."""
        found = [
            f"{q['kind']} row {q['row']} {q['column']}={q['value']!r}: {q['reason']}"
            for q in self.quarantine()
            if is_vocabulary_reason(str(q["reason"]))
        ]
        allowed = set(may_ignore)
        found += [f"column {c!r} ignored" for c in self.doc["ignored_columns"] if c not in allowed]
        return found


def is_vocabulary_reason(reason: str) -> bool:
    """A set-aside reason that says a value or header was not known (not that it was bad)."""
    text = reason.lower()
    return any(s in text for s in ("[vocab", "expected one of", "unknown value", "not one of"))


@contextmanager
def opened(fixture: str, backend: str, folder: Path, *, locale_extra: str = "") -> Iterator[Book]:
    """The fixture's files copied into ``folder`` (``locale_extra``: lines added to its
    ``[locale]`` table) and a blank workbook there or on an emulator of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in (FIXTURES / fixture).iterdir():
        shutil.copy(path, folder / path.name)
    if locale_extra:
        toml = folder / "sheetcrm.toml"
        text = toml.read_text(encoding="utf-8")
        toml.write_text(text.replace("[locale]\n", f"[locale]\n{locale_extra}\n", 1), "utf-8")
    if backend == "xlsx":
        yield Book(folder, "xlsx")
    else:
        with emulator_serve(folder) as (url, [sheet]):
            yield Book(folder, "sheets", url, sheet)


# --- the test's own reading of typed values -------------------------------------------

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩০১২৩৪৫৬৭৮৯", "0123456789" * 3)
_BIDI = dict.fromkeys(
    map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def latin(text: str) -> str:
    """Persian, Arabic-Indic and Bengali digits as 0–9."""
    return text.translate(_DIGITS)


def fold(text: Any) -> str:
    """A typed word as this test compares it: Arabic ي/ك as Persian ی/ک, no ZWNJ, spaces,
    case or bidi marks (Bengali composed the one way)."""
    t = unicodedata.normalize("NFC", "" if text is None else str(text)).translate(_BIDI)
    t = t.replace("ي", "ی").replace("ك", "ک").replace("\u200c", "")
    return re.sub(r"\s+", "", t).lower()


#: Words for a multiple of the amount before them.
_SCALES = {
    "هزار": 1e3,
    "میلیون": 1e6,
    "میلیارد": 1e9,
    "হাজার": 1e3,
    "লাখ": 1e5,
    "lakh": 1e5,
    "l": 1e5,
    "কোটি": 1e7,
    "crore": 1e7,
    "cr": 1e7,
    "k": 1e3,
}


def amount(text: str) -> float | None:
    """An amount as people type it: digits of any script, `,`/`٬` grouping (lakh too),
    `.`/`٫` decimals, a scale word (میلیون, লাখ, L, Cr …), currency words and signs around
    it; a range (``۳ تا ۵ میلیون``, ``১০-১৫ হাজার``) is its lower bound. Blank: None."""
    t = unicodedata.normalize("NFC", latin(text)).strip().lower()
    if not t:
        return None
    t = t.replace("٬", "").replace(",", "").replace("٫", ".").replace("/-", "")
    t = re.sub(r"(rs\.?|₹|৳|تومان|ریال|টাকা)", " ", t)
    match = re.match(r"\s*(\d+(?:\.\d+)?)\s*(?:(?:تا|-|–)\s*\d+(?:\.\d+)?)?\s*([^\d\s.]*)", t)
    assert match, text
    scale = _SCALES[match.group(2)] if match.group(2) else 1.0
    return round(float(match.group(1)) * scale, 2)


#: 1 Farvardin (Nowruz) of the Jalali years the fixtures use.
_NOWRUZ = {1403: dt.date(2024, 3, 20), 1404: dt.date(2025, 3, 21)}
FA_MONTHS = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)


def jalali(year: int, month: int, day: int) -> dt.date:
    """A Jalali date as a Gregorian one: months 1–6 have 31 days, 7–11 have 30."""
    before = sum(31 if m <= 6 else 30 for m in range(1, month))
    return _NOWRUZ[year] + dt.timedelta(days=before + day - 1)


def fa_date(text: str) -> dt.date:
    """``1404/07/12 …`` (any digits, a time after it) or ``۲۰ مهر ۱۴۰۴``."""
    t = latin(text).strip()
    numeric = re.match(r"(\d{4})/(\d{1,2})/(\d{1,2})", t)
    if numeric:
        y, m, d = (int(g) for g in numeric.groups())
        return jalali(y, m, d) if y < 1600 else dt.date(y, m, d)
    day, month, year = t.split()[:3]
    return jalali(int(year), FA_MONTHS.index(month) + 1, int(day))


_BN_MONTHS = {"সেপ্টেম্বর": 9, "অক্টোবর": 10, "নভেম্বর": 11, "ডিসেম্বর": 12}
_EN_MONTHS = {"september": 9, "october": 10, "november": 11, "december": 12}


def bn_date(text: str) -> dt.date:
    """``১৫ সেপ্টেম্বর ২০২৫``, ``3 November, 2025`` or ``2025/10/04 3:15:20 PM GMT+6``."""
    t = latin(text).replace(",", " ").strip()
    numeric = re.match(r"(\d{4})/(\d{1,2})/(\d{1,2})", t)
    if numeric:
        return dt.date(*(int(g) for g in numeric.groups()))
    day, month, year = t.split()[:3]
    number = _BN_MONTHS.get(unicodedata.normalize("NFC", month)) or _EN_MONTHS[month.lower()]
    return dt.date(int(year), number, int(day))


def day_of(value: Any) -> dt.date | None:
    """The day of an ISO date or datetime as ``show --format json`` prints it."""
    return None if value in (None, "") else dt.date.fromisoformat(str(value)[:10])


# --- what reports print -----------------------------------------------------------------


def numbers_in(text: str) -> list[float]:
    """Every number printed in ``text``, in any digits, grouped (`,`, `٬`, lakh) or not."""
    t = latin(text).translate(_BIDI)
    found = re.findall(r"\d{1,3}(?:[,٬]\d{2,3})+(?:[.٫]\d+)?|\d+(?:[.٫]\d+)?", t)
    return [float(n.replace(",", "").replace("٬", "").replace("٫", ".")) for n in found]


def markdown_tables(text: str) -> list[list[list[str]]]:
    """The body rows (cells stripped) of each Markdown table in ``text``."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.strip().startswith("|"):
            current.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif current:
            body = [r for r in current[1:] if not all(set(c) <= set("-: ") for c in r)]
            tables.append(body)
            current = []
    return tables


def counts_tables(text: str) -> list[list[int]]:
    """Each Markdown table's second column, where it is all whole numbers (sorted)."""
    out = []
    for table in markdown_tables(text):
        column = [latin(r[1]).replace(",", "").replace("٬", "") for r in table if len(r) > 1]
        if column and all(c.isdigit() for c in column):
            out.append(sorted(int(c) for c in column))
    return out


def learn_values(
    pairs: Iterable[tuple[str, Any]], fixed: dict[str, str], open_: Iterable[str] = ()
) -> dict[str, str]:
    """Typed value → the canonical value the sheet holds for it: the ones this test knows
    must be as it knows them; the ``open_`` ones are the vocabulary's
    choice, but one canonical token for every row that typed them."""
    seen: dict[str, set[str]] = {}
    for typed, held in pairs:
        seen.setdefault(typed, set()).add(str(held))
    learned = dict(fixed)
    for typed, held in seen.items():
        assert len(held) == 1, f"{typed!r} became {sorted(held)}: one spelling, one value"
        (value,) = held
        if typed in fixed:
            assert value == fixed[typed], (typed, value)
        else:
            assert typed in set(open_), (typed, value)
            assert re.fullmatch(r"[a-z_]+", value), f"{typed!r} is held as {value!r}"
            learned[typed] = value
    return learned


# --- the Persian studio (fixtures/locale/fa), read by the test ------------------------------

FA_AS_OF = dt.date(2025, 11, 20)  # 29 Aban 1404
FA = FIXTURES / "fa"

#: Columns of each file the target tab has no field for (every other column must map).
FA_IGNORABLE = {
    "form": (),
    "customers": (),
    # the customer's name: Interactions link a customer by ID, which a hand-kept log lacks
    "interactions": ("مشتری",),
}

#: What the studio types → the canonical value (folded as ``fold`` does).
FA_STATUSES = {"فعال": "active", "بالقوه": "prospect", "غیرفعال": "inactive"}
FA_SOURCES = {"اینستاگرام": "instagram", "معرفیدوستان": "referral", "دیوار": "ads"}
#: Typed sources whose canonical value is the vocabulary's choice (Google: ads or search?)
FA_SOURCES_OPEN = {"گوگل"}
FA_TYPES = {
    "تماس": "call",
    "ایمیل": "email",
    "جلسه": "meeting",
    "خرید": "purchase",
    "واتساپ": "message",
    "مرجوعی": "return",  # the studio's [vocab] line
}


@dataclass(frozen=True)
class Opened:
    book: Book
    runs: dict[str, Imported]


def fa_build(book: Book, form: str = "form_responses.csv") -> Opened:
    """``init`` and the three imports, each a fresh process."""
    init = book.run("init", "-q")
    assert init.returncode == 0, init.stderr
    runs = {
        "form": book.imported(form, "--preset", "google-form"),
        "customers": book.imported("customers.csv", "--tab", "Customers"),
        "interactions": book.imported("interactions.csv", "--tab", "Interactions"),
    }
    return Opened(book, runs)


def fa_form_rows() -> pd.DataFrame:
    """One row per lead the form makes: the double submission (same e-mail, minutes
    apart) counted once; the row with the mistyped e-mail is still a lead (its phone and
    name are good)."""
    raw = pd.read_csv(FA / "form_responses.csv", dtype=str, keep_default_na=False)
    df = pd.DataFrame(
        {
            "name": raw["نام و نام خانوادگی"].map(fold),
            "email": raw["نشانی ایمیل"].str.strip().str.lower(),
            "day": raw["برچسب زمان"].map(fa_date),
            "typed_source": raw["از کجا با ما آشنا شدید؟"].map(fold),
            "value": raw["بودجه تقریبی"].map(amount),
            "budget": raw["بودجه تقریبی"],
        }
    )
    first = ~df["email"].duplicated() | (df["email"] == "")
    return df[first].reset_index(drop=True)


def fa_customer_rows() -> pd.DataFrame:
    raw = pd.read_csv(FA / "customers.csv", dtype=str, keep_default_na=False)
    return pd.DataFrame(
        {
            "name": raw["نام"].map(fold),
            "status": raw["وضعیت"].map(lambda s: FA_STATUSES[fold(s)]),
            "typed_source": raw["منبع"].map(fold),
            "day": raw["تاریخ اولین تماس"].map(fa_date),
        }
    )


def fa_interaction_rows() -> pd.DataFrame:
    raw = pd.read_csv(FA / "interactions.csv", dtype=str, keep_default_na=False)
    df = pd.DataFrame(
        {
            "day": raw["تاریخ"].map(fa_date),
            "type": raw["نوع"].map(lambda s: FA_TYPES[fold(s)]),
            "amount": raw["مبلغ"].map(amount),
            "product": raw["محصول"].replace("", None),
        }
    )
    sign = df["type"].map({"purchase": 1.0, "return": -1.0}).fillna(0.0)
    df["net"] = sign * df["amount"].fillna(0.0)
    return df


def fa_lead_sources(leads: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Typed source → canonical, learned from the Leads rows (``name``, ``source``) and
    checked: the known ones as ``FA_SOURCES`` says, an open one consistent."""
    form = fa_form_rows().set_index("name")
    pairs = [(form.loc[fold(r["name"]), "typed_source"], r["source"]) for r in leads]
    return learn_values(pairs, {**FA_SOURCES, "": "website"}, FA_SOURCES_OPEN)


def fa_expected_summary(source_of: dict[str, str]) -> dict[str, Any]:
    """``summary --as-of 2025-11-20``'s figures, computed from the files with pandas
    (``source_of``: typed source → canonical, for the ones the vocabulary chooses)."""
    leads, customers, sales = fa_form_rows(), fa_customer_rows(), fa_interaction_rows()
    counted = sales[sales["day"] <= FA_AS_OF]
    recent = counted[counted["day"] > FA_AS_OF - dt.timedelta(days=30)]
    purchases = counted[counted["type"] == "purchase"]
    revenue = float(counted["net"].sum())
    return {
        "currency": "IRT",
        "records": {
            "Customers": len(customers),
            "Leads": len(leads),
            "Interactions": len(sales),
            "Campaigns": 0,
            "Tasks": 0,
        },
        "customers_by_status": dict(Counter(customers["status"])),
        "open_leads": len(leads),  # every form lead is new
        "leads_by_source": dict(Counter(leads["typed_source"].map(source_of))),
        "orders": len(purchases),
        "revenue_total": revenue,
        "revenue_30d": float(recent["net"].sum()),
        "average_order_value": revenue / len(purchases),
        "products": counted.groupby("product")["net"].sum().to_dict(),
    }


def e164(typed: str, country_code: str) -> str:
    """A phone as the test reads it: digits of any script, a leading 0 the trunk prefix."""
    digits = re.sub(r"\D", "", latin(typed))
    if typed.strip().startswith("+"):
        return "+" + digits
    if digits.startswith(country_code) and len(digits) > 11:
        return "+" + digits
    return "+" + country_code + digits.lstrip("0")


# --- the Kolkata seller (fixtures/locale/bn_in), read by the test -----------------------------

BN_AS_OF = dt.date(2025, 11, 20)
BN_IN = FIXTURES / "bn_in"
#: The order list's columns each tab has no field for (address, price … on Customers).
BN_IN_IGNORABLE = {
    "customers": ("ঠিকানা", "পণ্য", "দাম", "অর্ডারের অবস্থা"),
    "orders": ("নাম", "মোবাইল", "ঠিকানা", "উৎস"),
}
BN_SOURCES = {
    "ফেসবুক": "facebook",
    "রেফারেল": "referral",
    "ইনস্টাগ্রাম": "instagram",
    "ফেসবুকলাইভ": "facebook",  # the seller's [vocab] line
}
#: WhatsApp as a source: the vocabulary's choice which value it is.
BN_SOURCES_OPEN = {fold("হোয়াটসঅ্যাপ")}
#: The order status imported as the interaction's type (the seller's [vocab] lines).
BN_ORDER_TYPES = {"ডেলিভারড": "purchase", "বাতিল": "note"}


def bn_in_build(book: Book) -> Opened:
    """``init``, then the one order list imported as customers and as interactions (its
    status column as the type), each a fresh process."""
    init = book.run("init", "-q")
    assert init.returncode == 0, init.stderr
    runs = {
        "customers": book.imported("orders.csv", "--tab", "Customers"),
        "orders": book.imported("orders.csv", "--tab", "Interactions", "--map", "অর্ডারের অবস্থা=type"),
    }
    return Opened(book, runs)


def bn_in_rows() -> pd.DataFrame:
    raw = pd.read_csv(BN_IN / "orders.csv", dtype=str, keep_default_na=False)
    df = pd.DataFrame(
        {
            "day": raw["তারিখ"].map(bn_date),
            "name": raw["নাম"].map(fold),
            "phone": raw["মোবাইল"].map(lambda p: e164(p, "91")),
            "typed_source": raw["উৎস"].map(fold),
            "product": raw["পণ্য"],
            "amount": raw["দাম"].map(amount),
            "type": raw["অর্ডারের অবস্থা"].map(lambda s: BN_ORDER_TYPES[s.strip()]),
            "price": raw["দাম"],
        }
    )
    df["net"] = df["amount"].where(df["type"] == "purchase", 0.0)
    return df


def bn_in_expected_summary() -> dict[str, Any]:
    """``summary --as-of 2025-11-20``'s figures, computed from the order list with pandas:
    a customer is a phone number (the repeat buyers typed theirs differently); a cancelled
    order brought nothing; the order after the as-of day does not count yet."""
    rows = bn_in_rows()
    counted = rows[rows["day"] <= BN_AS_OF]
    recent = counted[counted["day"] > BN_AS_OF - dt.timedelta(days=30)]
    purchases = counted[counted["type"] == "purchase"]
    revenue = float(purchases["net"].sum())
    return {
        "currency": "INR",
        "records": {
            "Customers": rows["phone"].nunique(),
            "Leads": 0,
            "Interactions": len(rows),
            "Campaigns": 0,
            "Tasks": 0,
        },
        "orders": len(purchases),
        "revenue_total": revenue,
        "revenue_30d": float(recent["net"].sum()),
        "average_order_value": revenue / len(purchases),
        "products": purchases.groupby("product")["net"].sum().to_dict(),
    }


# --- the Dhaka shop's form (fixtures/locale/bn_bd), read by the test --------------------------

BN_BD = FIXTURES / "bn_bd"
BN_BD_SOURCES = {
    "ফেসবুক": "facebook",
    "রেফারেল": "referral",
    "ইনস্টাগ্রাম": "instagram",
    "দারাজ": "website",  # the shop's [vocab] line
    "": "website",  # an unanswered question: the google-form preset's default
}


def bn_bd_rows() -> pd.DataFrame:
    """One row per lead: the double submission counted once; the mistyped e-mail's row
    is still a lead."""
    raw = pd.read_csv(BN_BD / "form_responses.csv", dtype=str, keep_default_na=False)
    df = pd.DataFrame(
        {
            "day": raw["টাইমস্ট্যাম্প"].map(bn_date),
            "email": raw["ইমেল ঠিকানা"].str.strip().str.lower(),
            "name": raw["আপনার নাম"].map(fold),
            "phone": raw["ফোন নম্বর"].map(lambda p: e164(p, "880")),
            "typed_source": raw["আমাদের কথা কীভাবে জানলেন?"].map(fold),
            "value": raw["বাজেট (টাকা)"].map(amount),
            "budget": raw["বাজেট (টাকা)"],
        }
    )
    first = ~df["email"].duplicated() | (df["email"] == "")
    return df[first].reset_index(drop=True)


def assert_sales_figures(got: dict, want: dict) -> None:
    """``summary --format json`` against the pandas computation: currency, records, orders,
    revenue (all time and 30 days), average order and the top products' revenue."""
    import pytest

    assert got["currency"] == want["currency"]
    assert got["records"] == want["records"]
    assert got["orders"] == want["orders"]
    assert got["revenue_total"] == pytest.approx(want["revenue_total"])
    assert got["revenue_30d"] == pytest.approx(want["revenue_30d"])
    assert got["average_order_value"] == pytest.approx(want["average_order_value"])
    top = got["top_products"]
    assert top, got
    for item in top:
        assert item["revenue"] == pytest.approx(want["products"][item["product"]]), item
    assert top[0]["product"] == max(want["products"], key=want["products"].get)
