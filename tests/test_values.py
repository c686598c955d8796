"""Value codecs: what people type, in three scripts, and what must be refused."""

from __future__ import annotations

import datetime as dt

import pytest

from sheetcrm.errors import ValueParseError
from sheetcrm.model.codecs import CODECS, EnumCodec
from sheetcrm.model.values import (
    ValueContext,
    from_serial,
    to_ascii_digits,
    to_serial,
    values_equal,
)

IR = ValueContext(region="IR")
BD = ValueContext(region="BD")
US = ValueContext(region="US", date_order="MDY")


def parse(kind, raw, ctx=IR):
    return CODECS[kind].parse(raw, ctx)


def test_native_digits_become_ascii():
    assert to_ascii_digits("۱۲۳٬۴۵۶٫۷") == "123,456.7"
    assert to_ascii_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert to_ascii_digits("০১২৩৪৫৬৭৮৯") == "0123456789"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Bob@Example.COM ", "bob@example.com"),
        ("  <alice@example.org>", "alice@example.org"),
        ("mailto:x@example.net", "x@example.net"),
        (None, None),
        ("", None),
    ],
)
def test_email_normalised(raw, expected):
    assert parse("email", raw) == expected


@pytest.mark.parametrize(
    "raw", ["bob@", "@example.com", "bob at example.com", "a@@b.com", "a b@c.com"]
)
def test_malformed_email_names_the_value(raw):
    with pytest.raises(ValueParseError) as info:
        parse("email", raw)
    assert repr(raw) in str(info.value) and "e-mail" in str(info.value)


@pytest.mark.parametrize(
    ("raw", "ctx", "expected"),
    [
        ("0912 345 6789", IR, "+989123456789"),
        ("۰۹۱۲-۳۴۵-۶۷۸۹", IR, "+989123456789"),
        ("٠٩١٢٣٤٥٦٧٨٩", IR, "+989123456789"),
        ("0098 912 345 6789", IR, "+989123456789"),
        ("01712-345678", BD, "+8801712345678"),
        ("০১৭১২৩৪৫৬৭৮", BD, "+8801712345678"),
        ("+44 7400 123456", BD, "+447400123456"),
        ("(212) 555-0123", US, "+12125550123"),
        (9123456789, IR, "+989123456789"),
    ],
)
def test_phone_to_e164(raw, ctx, expected):
    assert parse("phone", raw, ctx) == expected


@pytest.mark.parametrize("raw", ["12345", "phone me", "+98 12", "0912345678901234"])
def test_bad_phone(raw):
    with pytest.raises(ValueParseError, match="phone"):
        parse("phone", raw)


@pytest.mark.parametrize(
    ("raw", "ctx", "expected"),
    [
        ("2025-03-31", IR, dt.date(2025, 3, 31)),
        ("31/03/2025", IR, dt.date(2025, 3, 31)),
        ("03/31/2025", IR, dt.date(2025, 3, 31)),  # day > 12 settles the order
        ("04/03/2025", IR, dt.date(2025, 3, 4)),  # DMY by config
        ("04/03/2025", US, dt.date(2025, 4, 3)),  # MDY by config
        ("31.03.25", IR, dt.date(2025, 3, 31)),
        ("2025/3/1", IR, dt.date(2025, 3, 1)),
        ("March 5, 2024", IR, dt.date(2024, 3, 5)),
        ("5 Mar 2024", IR, dt.date(2024, 3, 5)),
        ("۱۴۰۳/۰۱/۱۵", IR, dt.date(2024, 4, 3)),  # Solar Hijri, Persian digits
        ("1403-01-01", IR, dt.date(2024, 3, 20)),  # Nowruz
        ("২০২৪-০৩-০৫", BD, dt.date(2024, 3, 5)),
        (45000, IR, dt.date(2023, 3, 15)),  # spreadsheet serial number
        (dt.datetime(2024, 1, 2, 13, 0), IR, dt.date(2024, 1, 2)),
        ("2011-12-09 12:50:00", IR, dt.date(2011, 12, 9)),
    ],
)
def test_dates(raw, ctx, expected):
    assert parse("date", raw, ctx) == expected


@pytest.mark.parametrize("raw", ["2024-13-45", "31/31/2024", "tomorrow", "12345678", "0", True])
def test_bad_dates(raw):
    with pytest.raises(ValueParseError, match="date"):
        parse("date", raw)


def test_datetime_keeps_time():
    assert parse("datetime", "2011-12-09 12:50") == dt.datetime(2011, 12, 9, 12, 50)
    assert parse("datetime", "۱۴۰۳/۰۱/۱۵ ۱۴:۳۰") == dt.datetime(2024, 4, 3, 14, 30)
    assert CODECS["datetime"].format(dt.datetime(2024, 1, 2, 3, 4)) == "2024-01-02 03:04"


@pytest.mark.parametrize(
    ("raw", "currency", "expected"),
    [
        ("1,250.50", "USD", 1250.5),
        ("£1,250", "GBP", 1250.0),
        ("1.250,50 €", "EUR", 1250.5),
        ("12,5", "USD", 12.5),
        ("1,23,456.78", "INR", 123456.78),  # Indian lakh grouping
        ("۱۲۳٬۴۵۶٫۷۸ ریال", "IRR", 123457.0),  # whole rials, rounded half up
        ("৳ ১২,৫০০", "BDT", 12500.0),
        ("(45.00)", "USD", -45.0),
        ("-3", "USD", -3.0),
        ("Rs. 99", "INR", 99.0),
        ("Rs.1,499", "INR", 1499.0),
        (12, "USD", 12.0),
        (0.1 + 0.2, "USD", 0.3),
    ],
)
def test_money(raw, currency, expected):
    """Each in its own workbook currency: a marker of another one is refused
    (tests/test_money.py)."""
    assert parse("money", raw, ValueContext(region="IR", currency=currency)) == expected


@pytest.mark.parametrize(
    "raw", ["12abc", "1,2,3", "--", "1.2.3,4,5", "$", "inf", float("inf"), True]
)
def test_bad_money(raw):
    with pytest.raises(ValueParseError, match="money"):
        parse("money", raw)


def test_numbers_and_integers():
    assert parse("number", "۴۲") == 42
    assert parse("number", "12.5%") == 0.125
    assert parse("number", "1e3") == 1000
    assert parse("integer", "1,000") == 1000
    with pytest.raises(ValueParseError, match="whole number"):
        parse("integer", "2.5")
    with pytest.raises(ValueParseError, match="number"):
        parse("number", "12 apples")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yes", True),
        ("FALSE", False),
        ("✓", True),
        (1, True),
        ("بله", True),
        ("না", False),
        ("", None),
        (None, None),
    ],
)
def test_bools(raw, expected):
    assert parse("bool", raw) is expected


def test_bad_bool():
    with pytest.raises(ValueParseError, match="TRUE or FALSE"):
        parse("bool", "maybe")


def test_enum_folds_case_spacing_and_synonyms():
    codec = EnumCodec(("todo", "in_progress", "done"), {"wip": "in_progress", "closed": "done"})
    assert codec.parse("In Progress") == "in_progress"
    assert codec.parse(" IN-PROGRESS ") == "in_progress"
    assert codec.parse("WIP") == "in_progress"
    assert codec.parse("Closed") == "done"
    with pytest.raises(ValueParseError) as info:
        codec.parse("later")
    assert str(info.value) == (
        "'later' is not one of todo, in_progress, done; to accept it, add the line"
        ' <value> = ["later"] under [vocab.Tab.field] in sheetcrm.toml, <value> being one'
        " of the values or a new value of its own"
    )


def test_error_names_tab_row_and_column():
    with pytest.raises(ValueParseError) as info:
        try:
            parse("email", "nope")
        except ValueParseError as exc:
            raise exc.located(tab="Leads", row=7, column="email") from None
    assert str(info.value).startswith("Leads, row 7, column 'email': 'nope' is not a valid")


def test_text_is_kept_as_typed():
    assert parse("text", "  =1+1 ") == "=1+1"
    assert parse("text", "00123") == "00123"
    assert parse("text", 12.0) == "12"
    assert parse("id", "۰۰۱۲") == "0012"
    with pytest.raises(ValueParseError, match="ID"):
        parse("id", "has space")


def test_serial_dates_round_trip():
    day = dt.datetime(2011, 12, 9, 12, 50)
    assert from_serial(to_serial(day)) == day
    assert to_serial(dt.date(1899, 12, 31)) == 1


def test_values_equal_like_a_spreadsheet():
    assert values_equal(None, "")
    assert values_equal(1, 1.0)
    assert values_equal(dt.date(2024, 1, 1), dt.datetime(2024, 1, 1))
    assert not values_equal(True, 1)
    assert not values_equal("1", 1)
    assert not values_equal(None, 0)


def _random_address(rng):
    """Addresses near the edge of the canonical shortcut: odd characters, dots, long labels,
    IDNA labels and the special-use top-level domains the validator refuses."""
    atoms = ["a", "z9", "x_y", "%", "+tag", "-", "o'k", "é", "A", "1"]
    local = ".".join(rng.choice(atoms) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.1:
        local = local.replace(".", "..", 1) if "." in local else local + "."
    labels = ["b", "ex-ample", "xn--bcher-kva", "-bad", "a" * rng.choice([1, 63, 64]), "9"]
    domain = ".".join(rng.choice(labels) for _ in range(rng.randint(1, 3)))
    tld = rng.choice(["com", "io", "test", "local", "onion", "c", "ORG", "x" * 64])
    return f"{local}@{domain}.{tld}"


def test_email_shortcut_agrees_with_the_validator(monkeypatch):
    import random

    from sheetcrm.model.codecs import EmailCodec

    rng = random.Random(7)
    codec = EmailCodec()
    candidates = [_random_address(rng) for _ in range(10000)]
    fast = [a for a in candidates if codec._is_canonical(a)]
    assert len(fast) > 300  # the shortcut is actually exercised

    def full(text):
        monkeypatch.setattr(EmailCodec, "_is_canonical", lambda self, t: False)
        try:
            return codec.parse(text)
        except ValueParseError:
            return "refused"
        finally:
            monkeypatch.undo()

    for address in fast:
        assert full(address) == address, address
    for address in ("x@foo.test", "a..b@x.com", "u@xn--bcher-kva.com", "A@b.com"):
        assert not codec._is_canonical(address)


def test_id_shortcut_leaves_native_digits_to_the_codec():
    assert parse("id", "C-0042") == "C-0042"
    assert parse("id", "C۱۲") == "C12"  # a teammate's Persian digits still normalise
    assert parse("id", " C12 ") == "C12"
