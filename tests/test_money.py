"""Amounts as people type them in Iran, India, Bangladesh and the UK (Divar and Instagram
shop prices, Flipkart and WhatsApp orders, bKash receipts, UK invoices), in the workbook's
currency; another currency's amount is refused by name, a range keeps its lower bound."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetcrm.errors import ApproximateValue, ValueParseError
from sheetcrm.model import money
from sheetcrm.model.codecs import CODECS
from sheetcrm.model.values import ValueContext


def parse(raw, currency, kind="money"):
    return CODECS[kind].parse(raw, ValueContext(currency=currency))


@pytest.mark.parametrize(
    ("raw", "currency", "expected"),
    [
        # Iran: Divar ads, Instagram shops, a freelancer's invoice sheet
        ("۸ میلیون", "IRT", 8_000_000),
        ("۱۵ میلیون تومان", "IRT", 15_000_000),
        ("۱۵ میلیون تومان", "IRR", 150_000_000),  # toman → rial: one currency
        ("۱۵۰۰۰۰ ریال", "IRT", 15_000),  # rial → toman
        ("۲.۵ میلیون", "IRT", 2_500_000),
        ("۲٫۵ میلیون تومان", "IRT", 2_500_000),  # the Arabic decimal separator
        ("۲/۵ میلیون", "IRT", 2_500_000),  # "/" as a decimal point before a magnitude
        ("۸۰۰ هزار تومان", "IRT", 800_000),
        ("۸۰۰ هزار تومن", "IRT", 800_000),  # the spoken spelling
        ("یک میلیون", "IRT", 1_000_000),
        ("یک و نیم میلیون تومان", "IRT", 1_500_000),
        ("۲ و نیم میلیون", "IRT", 2_500_000),
        ("نیم میلیون", "IRT", 500_000),
        ("صد هزار تومان", "IRT", 100_000),
        ("پانصد هزار تومان", "IRT", 500_000),
        ("بیست میلیون", "IRT", 20_000_000),
        ("۲ میلیون و ۵۰۰ هزار تومان", "IRT", 2_500_000),
        ("۱ میلیارد و ۲۰۰ میلیون", "IRR", 1_200_000_000),
        ("قیمت: ۱۵۰ هزار تومان", "IRT", 150_000),
        ("۲۵۰.۰۰۰ تومان", "IRT", 250_000),  # dots group thousands where there are no cents
        ("250.000", "IRR", 250_000),
        ("۱٬۲۵۰٬۰۰۰ ریال", "IRR", 1_250_000),
        ("۸ ميليون", "IRT", 8_000_000),  # typed on an Arabic keyboard
        ("۱۲۵۰۰۰۰ ﷼", "IRR", 1_250_000),
        # India: Flipkart listings, WhatsApp orders, property ads
        ("2.5 lakh", "INR", 250_000),
        ("2.5 lakhs", "INR", 250_000),
        ("2.5 lac", "INR", 250_000),
        ("₹2.5L", "INR", 250_000),
        ("1.5 Cr", "INR", 15_000_000),
        ("1.5 crore", "INR", 15_000_000),
        ("1.5 lakh crore", "INR", 1_500_000_000_000),
        ("₹1,000 crore", "INR", 10_000_000_000),
        ("1.25 Cr", "INR", 12_500_000),
        ("Rs. 1,499/-", "INR", 1499),
        ("Rs 1499", "INR", 1499),
        ("INR 1,23,456.50", "INR", 123_456.5),
        ("1,23,456", "INR", 123_456),
        ("₹ 12k", "INR", 12_000),
        ("12K", "INR", 12_000),
        ("MRP ₹499", "INR", 499),
        ("₹1,299.00 only", "INR", 1299),
        ("a lakh", "INR", 100_000),
        ("Rs 500", "PKR", 500),  # "Rs" is every rupee's
        ("2.5 लाख", "INR", 250_000),  # Hindi words, Latin digits
        ("1.5 करोड़ रुपये", "INR", 15_000_000),
        # Bangladesh: bKash receipts, Facebook shop posts
        ("৳১,২৫০", "BDT", 1250),
        ("৳১,২৫০/=", "BDT", 1250),
        ("১.২৫ লাখ টাকা", "BDT", 125_000),
        ("২ লাখ ৫০ হাজার টাকা", "BDT", 250_000),
        ("দেড় লাখ", "BDT", 150_000),
        ("দে\u09dc লাখ", "BDT", 150_000),  # ড় typed as one character
        ("আড়াই লাখ", "BDT", 250_000),
        ("সাড়ে তিন লাখ", "BDT", 350_000),
        ("৫ কোটি", "BDT", 50_000_000),
        ("Tk. 500", "BDT", 500),
        ("500tk", "BDT", 500),
        ("১,২৫,০০০ টাকা মাত্র", "BDT", 125_000),  # "only", as a receipt writes it
        # UK and the rest
        ("£1,250.00", "GBP", 1250),
        ("GBP 12.50", "GBP", 12.5),
        ("12.50 gbp", "GBP", 12.5),
        ("1.2M", "USD", 1_200_000),
        ("1.2 million", "USD", 1_200_000),
        ("2 bn", "USD", 2_000_000_000),
        ("$20", "CAD", 20),  # "$" is every dollar's
        ("C$20", "CAD", 20),
        ("12.345", "USD", 12.35),  # cents, half up
        ("-2.5k", "USD", -2500),
        ("2.5k-", "USD", -2500),  # a trailing minus, as accounting exports write it
    ],
)
def test_amounts_as_typed(raw, currency, expected):
    assert parse(raw, currency) == expected


@pytest.mark.parametrize(
    ("raw", "workbook", "named"),
    [
        ("€1.250,00", "IRR", "EUR"),
        ("€1.250,00", money.TOMAN, "EUR"),
        ("$20", "INR", "dollars: USD, CAD, AUD"),
        ("£1,250", "USD", "pounds: GBP"),
        ("Rs. 1,499/-", "BDT", "rupees: INR, PKR, LKR"),
        ("৳১,২৫০", "INR", "BDT"),
        ("۱۵ میلیون تومان", "USD", "IRT"),
        ("12 EUR", "GBP", "EUR"),
        ("1.5 crore INR", "GBP", "INR"),
        ("€1,000 to €2,000", "GBP", "EUR"),  # a range in another currency too
    ],
)
def test_an_amount_in_another_currency_is_refused_naming_both(raw, workbook, named):
    with pytest.raises(ValueParseError) as info:
        parse(raw, workbook)
    assert not isinstance(info.value, ApproximateValue)
    message = str(info.value)
    assert len(message.splitlines()) == 1
    assert message.startswith(f"{raw!r} is not an amount in {workbook} (it is in {named}")
    assert "a column of their own" in message


def test_the_euro_message_in_full():
    with pytest.raises(ValueParseError) as info:
        parse("€1.250,00", "IRR")
    assert str(info.value) == (
        "'€1.250,00' is not an amount in IRR (it is in EUR; convert it, or keep EUR amounts "
        'in a column of their own; a workbook kept in EUR says [locale] currency = "EUR")'
    )


@pytest.mark.parametrize(
    ("raw", "currency", "kept"),
    [
        ("۳ تا ۵ میلیون", "IRR", 3_000_000),  # the left side takes the right's magnitude
        ("۳ تا ۵ میلیون تومان", "IRR", 30_000_000),  # ... and its currency
        ("از ۳ تا ۵ میلیون", "IRT", 3_000_000),
        ("بین ۳ و ۵ میلیون", "IRT", 3_000_000),
        ("۵۰۰ هزار تا ۱ میلیون", "IRT", 500_000),
        ("3-5 lakh", "INR", 300_000),
        ("₹3-5L", "INR", 300_000),
        ("৩–৫ লাখ", "BDT", 300_000),
        ("৩ থেকে ৫ লাখ টাকা", "BDT", 300_000),
        ("10k-20k", "USD", 10_000),
        ("10k - 20k", "USD", 10_000),
        ("between 3 and 5 million", "USD", 3_000_000),
        ("£1,000 to £2,000", "GBP", 1000),
        ("£2,000 – £1,000", "GBP", 1000),  # the lower bound, whichever side
        ("10-50", "USD", 10),  # bare plain numbers: a range when ascending
        ("Rs. 10,000 - 15,000", "INR", 10_000),
        ("১০,০০০-১৫,০০০ টাকা", "BDT", 10_000),
        ("۱۰۰ الی ۲۰۰ هزار تومان", "IRT", 100_000),
        ("20 lakh to 1 crore", "INR", 2_000_000),
        ("حدود ۵ میلیون", "IRT", 5_000_000),  # an estimate keeps its number
        ("about 2 lakh", "INR", 200_000),
        ("প্রায় ৫ লাখ", "BDT", 500_000),
        ("প্রা\u09df ৫ লাখ", "BDT", 500_000),  # য় typed as one character
        ("~1.2M", "USD", 1_200_000),
        ("50k+", "USD", 50_000),
    ],
)
def test_a_range_or_an_estimate_keeps_its_lower_bound(raw, currency, kept):
    with pytest.raises(ApproximateValue) as info:
        parse(raw, currency)
    assert info.value.kept == kept and isinstance(info.value.kept, float)
    assert len(str(info.value).splitlines()) == 1 and "an import keeps" in str(info.value)


def test_a_range_message_shows_the_kept_amount_in_the_currency():
    with pytest.raises(ApproximateValue, match=r"keeps ₹3,00,000\.00 and notes"):
        parse("about 3 lakh", "INR")
    with pytest.raises(ApproximateValue) as info:
        parse("۳ تا ۵ میلیون", "IRR")
    assert str(info.value) == (
        "'۳ تا ۵ میلیون' is not one amount (a range: an import keeps its lower bound, "
        "3,000,000 rial, and notes the text)"
    )


@pytest.mark.parametrize(
    "raw",
    [
        "2024-03-05",  # a date, not a range
        "1403-07-12",
        "12-05",  # a leading zero: a date's
        "5-3",  # descending bare numbers: not a range
        "1/2",  # "/" is a decimal point only before a magnitude word
        "L",  # a suffix needs a number
        "lakh",
        "ten",  # number words only before a magnitude
        "پانصد",
        "500 هزار ۲ میلیون",  # terms must get smaller
        "۲ میلیون و ۵۰۰",  # a bare number after a magnitude means nothing sure
        "توافقی",  # Divar's "negotiable"
        "12 abc",
        "1,2,3",
        "تا ۵ میلیون",  # "up to": no lower bound
        "۵ تومان ریال",
        "1e30",  # no amount has that many digits
        "1,250.00 Cr",  # a bank statement's credit: 1,250, or 1,250 crore?
    ],
)
def test_refusals_are_one_line_and_say_what_was_expected(raw):
    with pytest.raises(ValueParseError) as info:
        parse(raw, money.TOMAN)
    assert not isinstance(info.value, ApproximateValue)
    message = str(info.value)
    assert message == f"{raw!r} is not an amount of money in IRT (e.g. 1,250,000 or ۸ میلیون تومان)"


@pytest.mark.parametrize(
    ("raw", "number"),
    [("-5", -5), ("5-", -5), ("(45)", -45), ("- 5", -5), ("1e-3", 0.001)],
)
def test_negatives_are_not_ranges(raw, number):
    assert parse(raw, "USD", "number") == number


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("number", "۸ میلیون", 8_000_000),
        ("number", "2.5 lakh", 250_000),
        ("number", "1.5k", 1500),
        ("number", "12.5%", 0.125),
        ("integer", "2.5 lakh", 250_000),
        ("integer", "১২ হাজার", 12_000),
        ("integer", "1,000", 1000),
    ],
)
def test_numbers_and_integers_read_magnitudes_too(kind, raw, expected):
    value = parse(raw, "USD", kind)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [("integer", "2.5", "a whole number"), ("number", "$5", "a number")],
)
def test_numbers_refuse_fractions_and_currencies(kind, raw, expected):
    with pytest.raises(ValueParseError, match=f"is not {expected}$"):
        parse(raw, "USD", kind)


def test_an_integer_range_keeps_its_lower_bound():
    with pytest.raises(ApproximateValue) as info:
        parse("10-50", "USD", "integer")  # "company size" in a form
    assert info.value.kept == 10 and "one number" in str(info.value)


def test_precision_is_exact():
    assert parse("2.5 lakh", "INR") == 250_000.0
    assert parse("0.1 crore", "INR") == 1_000_000.0
    assert parse("1.15 lakh", "INR") == 115_000.0  # 1.15 × 100000 in binary would not be


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_formatting_and_parsing_back_is_stable(amount):
    codec = CODECS["money"]
    value = codec.parse(str(amount), ValueContext(currency="INR"))
    assert codec.parse(codec.format(value), ValueContext(currency="INR")) == value


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_whole_amounts_survive_a_round_trip_in_rials(amount):
    codec = CODECS["money"]
    ctx = ValueContext(currency="IRR")
    assert codec.parse(codec.format(codec.parse(amount, ctx)), ctx) == amount


TYPED = st.sampled_from(
    [
        *"0123456789۰۱۲۵৫.,/-–~+() $€£₹৳kKmMLlb%e",
        *("lakh", " تا ", "میلیون", "هزار", "تومان", "ریال", "লাখ", "টাকা", "Rs.", "/-"),
        *(" to ", "between ", " و ", "یک", "নয়", " and "),
    ]
)


@settings(max_examples=300)
@given(
    st.lists(TYPED, max_size=8).map("".join),
    st.sampled_from(["IRR", "IRT", "INR", "BDT", "GBP"]),
    st.sampled_from(["money", "number", "integer", "percent"]),
)
def test_whatever_is_typed_the_answer_is_a_number_or_a_refusal(typed, currency, kind):
    try:
        value = parse(typed, currency, kind)
    except ValueParseError as exc:
        assert len(str(exc).splitlines()) == 1
    else:
        assert value is None or isinstance(value, (int, float))


@pytest.mark.parametrize(
    ("code", "value", "shown"),
    [("IRR", 1_250_000.0, "1,250,000"), ("IRT", 15_000.0, "15,000"), ("GBP", 12.5, "12.50")],
)
def test_a_codec_for_a_currency_writes_its_decimals_and_reads_them_back(code, value, shown):
    from sheetcrm.model.numbers import MoneyCodec

    codec = MoneyCodec.for_currency(code)
    assert codec.format(value) == shown
    assert codec.parse(shown, ValueContext(currency=code)) == value
    assert CODECS["money"].format(value) == f"{value:,.2f}"  # the shared codec: unchanged


# --- what other areas show money with --------------------------------------------------


@pytest.mark.parametrize(
    ("code", "places", "lakh"),
    [("IRR", 0, False), ("IRT", 0, False), ("INR", 2, True), ("BDT", 2, True), ("GBP", 2, False)],
)
def test_currency_facts(code, places, lakh):
    assert money.decimals(code) == places and money.lakh_grouping(code) is lakh


@pytest.mark.parametrize(
    ("code", "language", "sign", "name"),
    [
        ("IRT", "fa", "تومان", "تومان"),
        ("IRT", "en", "toman", "toman"),
        ("IRT", "fa_IR", "تومان", "تومان"),
        ("IRR", "fa", "ریال", "ریال"),
        ("INR", "en", "₹", "Indian Rupee"),
        ("BDT", "bn", "৳", "বাংলাদেশী টাকা"),
        ("BDT", "en", "৳", "Bangladeshi taka"),
        ("GBP", "en", "£", "British Pound"),
    ],
)
def test_symbols_and_names(code, language, sign, name):
    assert money.symbol(code, language) == sign
    assert money.name(code, language).casefold() == name.casefold()


@pytest.mark.parametrize(
    ("value", "code", "language", "shown"),
    [
        (12_500_000, "IRT", "fa", "12,500,000 تومان"),
        (12_500_000, "IRT", "en", "12,500,000 toman"),
        (1_250_000.4, "IRR", "fa", "1,250,000 ریال"),
        (123_456.5, "INR", "en", "₹1,23,456.50"),
        (1_250, "GBP", "en", "£1,250.00"),
        (12_34_567, "BDT", "en", "৳12,34,567.00"),
    ],
)
def test_format_money(value, code, language, shown):
    assert money.format_money(value, code, language) == shown


@pytest.mark.parametrize("code", ["IRR", "IRT", "INR", "BDT", "GBP", "USD", "EUR", "PKR", "JPY"])
@pytest.mark.parametrize("language", ["en", "fa", "bn"])
def test_what_format_money_writes_reads_back_in_its_currency(code, language):
    """A report's or a formatted cell's text pasted back into the sheet is the same amount."""
    shown = money.format_money(1_234_567.5, code, language)
    expected = 1_234_567.5 if money.decimals(code) else 1_234_568
    assert parse(shown, code) == expected, shown


def test_every_marker_names_currencies_babel_knows():
    for marker in money._MARKERS:
        for code in money.marker_codes(marker):
            assert money.check_currency(code) == code
