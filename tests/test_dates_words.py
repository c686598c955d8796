"""Dates as people type them and as Google Forms write them in Persian and Bengali: month
names (Jalali and Gregorian), weekdays, ordinals and the time-of-day markers.

The fa and bn timestamp shapes follow CLDR (Babel's locale data, which Google Sheets also
follows): fa writes ``y/M/d H:mm:ss`` (24-hour; 12-hour with ``ق.ظ.``/``ب.ظ.``, joined to
the date with ``،``), bn ``d/M/yy h:mm:ss a`` with ``AM``/``PM`` (older CLDR data and
hand-typed sheets use ``পূর্বাহ্ণ``/``অপরাহ্ণ``), and ``d MMM, y`` with abbreviations such as
``অক্টো`` / ``সেপ্টেঃ`` (bn_IN). The tests check these shapes against Babel's own output too.
The Forms "Download responses (.csv)" writes ``YYYY/MM/DD h:mm:ss AM GMT+H`` whatever the
form's language (``2025/10/04 3:15:20 PM GMT+6``); a Persian user's sheet may hold Jalali
stamps (``1404/07/12 3:15:20 ب.ظ.``). Google itself could not be asked here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from babel.dates import format_date, format_datetime

from sheetcrm.errors import ValueParseError
from sheetcrm.model.dates import DateCodec, DateTimeCodec
from sheetcrm.model.values import ValueContext

DAY = DateCodec()
MOMENT = DateTimeCodec()
PARTIAL = DateCodec(partial=True, field_key="Leads.contact_date")
REFERENCE = dt.date(2025, 11, 20)  # 29 Aban 1404


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        # Jalali month names (12 Mehr 1404 = 2025-10-04; 1 Mehr = 2025-09-23)
        ("۲۰ مهر ۱۴۰۴", dt.date(2025, 10, 12)),
        ("مهر ۲۰, ۱۴۰۴", dt.date(2025, 10, 12)),
        ("مهر ۲۰، ۱۴۰۴", dt.date(2025, 10, 12)),
        ("۲۰ مهرماه ۱۴۰۴", dt.date(2025, 10, 12)),
        ("۲۰ مهر ماه ۱۴۰۴", dt.date(2025, 10, 12)),
        ("شنبه ۱۹ مهر ۱۴۰۴", dt.date(2025, 10, 11)),
        ("سه‌شنبه ۲۲ مهر ۱۴۰۴", dt.date(2025, 10, 14)),
        ("سه شنبه ۲۲ مهر ۱۴۰۴", dt.date(2025, 10, 14)),
        ("۱ فروردين ۱۴۰۴", dt.date(2025, 3, 21)),  # Arabic yeh, as some keyboards type it
        ("۳۱ اردیبهشت ۱۴۰۴", dt.date(2025, 5, 21)),  # a 31-day month
        ("۱۰ دی‌ماه ۱۴۰۳", dt.date(2024, 12, 30)),
        ("۳۰ اسفند ۱۴۰۳", dt.date(2025, 3, 20)),  # 1403 is a leap year
        ("۵ ابان ۱۴۰۴", dt.date(2025, 10, 27)),  # no madda
        ("20 Mehr 1404", dt.date(2025, 10, 12)),
        ("۱۵ میزان ۱۴۰۴", dt.date(2025, 10, 7)),  # Afghan (Dari) name of Mehr
        ("12 Farvardin 1404", dt.date(2025, 4, 1)),
        # Gregorian months in Persian
        ("۲۴ سپتامبر ۲۰۲۵", dt.date(2025, 9, 24)),
        ("۴ اکتبر ۲۰۲۵", dt.date(2025, 10, 4)),
        ("۴ اکتبر ۲۰۲۵،‏ ۱۵:۱۵:۲۰", dt.date(2025, 10, 4)),  # CLDR fa medium date-time
        ("۱۵ ژوئیه ۲۰۲۵", dt.date(2025, 7, 15)),
        ("۱۵ جولای ۲۰۲۵", dt.date(2025, 7, 15)),
        # Bengali Gregorian months, ordinals and weekdays
        ("১৫ সেপ্টেম্বর ২০২৫", dt.date(2025, 9, 15)),
        ("১৫ সেপ্টেম্বর, ২০২৫", dt.date(2025, 9, 15)),
        ("১৫ই সেপ্টেম্বর ২০২৫", dt.date(2025, 9, 15)),
        ("১লা জানুয়ারি ২০২৫", dt.date(2025, 1, 1)),
        ("২রা জানুয়ারী ২০২৫", dt.date(2025, 1, 2)),
        ("৫ ফেব্রুয়ারি ২০২৫", dt.date(2025, 2, 5)),
        ("৫ ফেব্রুয়ারী ২০২৫", dt.date(2025, 2, 5)),
        ("২১শে ফেব্রুয়ারি ২০২৫", dt.date(2025, 2, 21)),
        ("১৫ অগাস্ট ২০২৫", dt.date(2025, 8, 15)),
        ("৪ অক্টো, ২০২৫", dt.date(2025, 10, 4)),
        ("৪ সেপ্টেঃ, ২০২৫", dt.date(2025, 9, 4)),
        ("সোমবার, ১৫ সেপ্টেম্বর ২০২৫", dt.date(2025, 9, 15)),
        ("শনিবার ৪ অক্টোবর ২০২৫", dt.date(2025, 10, 4)),
        # English (kept working)
        ("24 September, 2025", dt.date(2025, 9, 24)),
        ("Sep 24, 2025", dt.date(2025, 9, 24)),
        ("24th Sept 2025", dt.date(2025, 9, 24)),
        ("Wednesday, 24 September 2025", dt.date(2025, 9, 24)),
    ],
)
def test_dates_with_month_names(typed, day):
    assert DAY.parse(typed) == day


MDY = ValueContext(date_order="MDY")


@pytest.mark.parametrize(
    ("typed", "ctx", "moment"),
    [
        # Google Forms' Timestamp column in a Persian spreadsheet, and as people retype it
        ("1404/07/12 3:15:20 ب.ظ.", None, dt.datetime(2025, 10, 4, 15, 15, 20)),
        ("۱۴۰۴/۰۷/۱۲ ۱۵:۱۵:۲۰", None, dt.datetime(2025, 10, 4, 15, 15, 20)),
        ("۱۴۰۴/۰۷/۱۲ ۳:۱۵:۲۰ ب.ظ", None, dt.datetime(2025, 10, 4, 15, 15, 20)),
        ("1404/07/12 03:15 بعد از ظهر", None, dt.datetime(2025, 10, 4, 15, 15)),
        ("2025/10/04 10:05:00 ق.ظ.", None, dt.datetime(2025, 10, 4, 10, 5)),
        ("2025/10/04 10:05:00 ق.ظ", None, dt.datetime(2025, 10, 4, 10, 5)),
        ("1397/02/25 09:35 ق.ظ.", None, dt.datetime(2018, 5, 15, 9, 35)),  # Jalali pickers
        ("۱۴۰۴/۰۷/۱۲ ۱۲:۱۰ بظ", None, dt.datetime(2025, 10, 4, 12, 10)),
        ("۱۴۰۴/۰۷/۱۲ ۱۲:۱۰بظ", None, dt.datetime(2025, 10, 4, 12, 10)),
        ("۱۴۰۴/۰۷/۱۲ ۱۰:۲۲ب.ظ.", None, dt.datetime(2025, 10, 4, 22, 22)),
        ("۱۴۰۴/۰۷/۱۲ ۱۰:۲۲ ب. ظ.", None, dt.datetime(2025, 10, 4, 22, 22)),
        ("2025/10/04 12:05:00 ق.ظ.", None, dt.datetime(2025, 10, 4, 0, 5)),
        ("2025/10/04 10:05 قبل‌از‌ظهر", None, dt.datetime(2025, 10, 4, 10, 5)),
        ("۲۰۲۵/۱۰/۴،‏ ۱۵:۱۵", None, dt.datetime(2025, 10, 4, 15, 15)),  # CLDR fa short
        ("۲۰ مهر ۱۴۰۴ ساعت ۱۵:۳۰", None, dt.datetime(2025, 10, 12, 15, 30)),
        ("۲۰ مهر ۱۴۰۴ ۳:۳۰ ب.ظ.", None, dt.datetime(2025, 10, 12, 15, 30)),
        # Bengali spreadsheets: AM/PM in Latin (CLDR), or the Bengali words
        ("১০/৪/২০২৫ ৩:১৫:২০ PM", MDY, dt.datetime(2025, 10, 4, 15, 15, 20)),
        ("৪/১০/২০২৫ ৩:১৫:২০ PM", None, dt.datetime(2025, 10, 4, 15, 15, 20)),
        ("৪/১০/২০২৫ ৩:১৫:২০ অপরাহ্ণ", None, dt.datetime(2025, 10, 4, 15, 15, 20)),
        ("৪/১০/২০২৫ ১০:০৫:০০ পূর্বাহ্ণ", None, dt.datetime(2025, 10, 4, 10, 5)),
        ("৪/১০/২০২৫ ৩:১৫ অপরাহ্ন", None, dt.datetime(2025, 10, 4, 15, 15)),  # dental na
        ("৪/১০/২০২৫ ৩:১৫:২০ পিএম", None, dt.datetime(2025, 10, 4, 15, 15, 20)),
        ("৪/১০/২০২৫ ৯:০৫ এএম", None, dt.datetime(2025, 10, 4, 9, 5)),
        ("৪/১০/২৫ ৩:১৫:২০ PM", None, dt.datetime(2025, 10, 4, 15, 15, 20)),  # CLDR d/M/yy
        ("১৫ সেপ্টেম্বর ২০২৫ বিকাল ৩:১৫", None, dt.datetime(2025, 9, 15, 15, 15)),
        ("১৫ সেপ্টেম্বর ২০২৫ সকাল ১০:৩০", None, dt.datetime(2025, 9, 15, 10, 30)),
        ("Sep 24, 2025 3:15 PM", None, dt.datetime(2025, 9, 24, 15, 15)),
        # the Forms "Download responses (.csv)" adds the form's offset: the wall clock is kept
        ("2025/10/04 3:15:20 PM GMT+6", None, dt.datetime(2025, 10, 4, 15, 15, 20)),
        ("2025/10/04 3:15:20 PM GMT+5:30", None, dt.datetime(2025, 10, 4, 15, 15, 20)),
        ("2025/10/04 3:15:20 pm gmt+3:30", None, dt.datetime(2025, 10, 4, 15, 15, 20)),
        ("1404/07/12 3:15:20 ب.ظ. GMT+3:30", None, dt.datetime(2025, 10, 4, 15, 15, 20)),
        ("২০২৫/১০/০৪ ৩:১৫:২০ অপরাহ্ণ GMT+6", None, dt.datetime(2025, 10, 4, 15, 15, 20)),
    ],
)
def test_timestamps_as_fa_and_bn_spreadsheets_write_them(typed, ctx, moment):
    assert (MOMENT.parse(typed, ctx) if ctx else MOMENT.parse(typed)) == moment


def test_the_shapes_match_what_babel_writes_for_fa_and_bn():
    """Round trip: what CLDR (Babel) writes for a fa or bn spreadsheet reads back."""
    moment = dt.datetime(2025, 10, 4, 15, 15, 20)
    for locale in ("fa", "fa_IR", "bn", "bn_BD", "bn_IN", "en_US", "en_GB"):
        for style in ("short", "medium", "long"):
            day = format_date(moment, style, locale=locale)
            ctx = MDY if locale == "en_US" else ValueContext()
            assert DAY.parse(day, ctx) == moment.date(), (
                locale,
                style,
                day,
            )
        for style in ("short", "medium"):
            text = format_datetime(moment, style, locale=locale)
            read = MOMENT.parse(text, MDY if locale == "en_US" else ValueContext())
            assert read.date() == moment.date() and read.hour == 15, (locale, style, text)


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("یکشنبه ۱۹ مهر ۱۴۰۴", "a Saturday, not a Sunday"),  # 19 Mehr 1404 is a Saturday
        ("রবিবার, ১৫ সেপ্টেম্বর ২০২৫", "a Monday, not a Sunday"),
        ("Friday, 24 September 2025", "a Wednesday, not a Friday"),
        ("۳۱ مهر ۱۴۰۴", "Mehr 1404 has no day 31"),
        ("۳۰ اسفند ۱۴۰۴", "Esfand 1404 has no day 30"),
        ("۲۴ سپتامبر ۱۴۰۴", "month and year are in one calendar"),
        ("۲۰ مهر ۲۰۲۵", "month and year are in one calendar"),
        ("۲۰ مهر آبان ۱۴۰۴", "not a date"),
        ("۱۴۰۴/۰۷/۱۲ ۱۵:۱۵:۲۰ ب.ظ.", "not a date"),  # 15 o'clock after noon
    ],
)
def test_wrong_dates_are_refused_saying_why(typed, why):
    with pytest.raises(ValueParseError, match=why):
        MOMENT.parse(typed)


def test_a_jalali_day_without_a_year_reads_against_the_reference_in_jalali():
    ctx = ValueContext(date_reference=REFERENCE)
    assert PARTIAL.parse("۵ مهر", ctx) == dt.date(2025, 9, 27)  # 5 Mehr 1404
    assert PARTIAL.parse("۵ مهرماه", ctx) == dt.date(2025, 9, 27)
    assert PARTIAL.parse("۲۹ اسفند", ctx) == dt.date(2026, 3, 20)  # Esfand of Jalali 1404
    assert PARTIAL.parse("مهر ۱۴۰۳", ctx) == dt.date(2024, 9, 22)  # no day: the 1st
    assert PARTIAL.parse("شنبه ۱۹ مهر", ctx) == dt.date(2025, 10, 11)
    with pytest.raises(ValueParseError, match="a Saturday, not a Friday"):
        PARTIAL.parse("جمعه ۱۹ مهر", ctx)
    with pytest.raises(ValueParseError, match=r"\[dates\] partial"):
        DAY.parse("۵ مهر", ctx)  # not a partial column: refused, saying what to do
    with pytest.raises(ValueParseError, match=r"\[dates\] reference is not set"):
        PARTIAL.parse("۵ مهر")


def test_month_and_day_digits_are_jalali_in_a_jalali_workbook():
    jalali = ValueContext(date_reference=REFERENCE, calendar="jalali", date_order="YMD")
    assert PARTIAL.parse("۷/۵", jalali) == dt.date(2025, 9, 27)  # 5 Mehr 1404
    assert PARTIAL.parse("07/05", jalali) == dt.date(2025, 9, 27)
    dmy = ValueContext(date_reference=REFERENCE, calendar="jalali", date_order="DMY")
    assert PARTIAL.parse("۵/۷", dmy) == dt.date(2025, 9, 27)
    assert PARTIAL.parse("۲۰/۷", jalali) == dt.date(2025, 10, 12)  # 20 cannot be a month
    gregorian = ValueContext(date_reference=REFERENCE, date_order="DMY")
    assert PARTIAL.parse("5/7", gregorian) == dt.date(2025, 7, 5)
    with pytest.raises(ValueParseError, match="has no 7/31"):
        PARTIAL.parse("۷/۳۱", jalali)


def test_a_jalali_word_never_leaks_into_the_next_parse():
    """The translations are cached by text alone: "January" stands in for Mehr only in
    the parse of a text that named Mehr."""
    assert DAY.parse("۲۰ مهر ۱۴۰۴") == dt.date(2025, 10, 12)
    with pytest.raises(ValueParseError, match="one calendar"):
        DAY.parse("20 January 1404")
    assert DAY.parse("20 January 2025") == dt.date(2025, 1, 20)
    assert DAY.parse("۲۰ مهر ۱۴۰۴") == dt.date(2025, 10, 12)


@pytest.mark.parametrize(
    ("typed", "moment"),
    [
        ("دیروز ساعت ۳ بعد از ظهر", dt.datetime(2025, 11, 19, 15, 0)),
        ("جمعه ۳:۱۵ ب.ظ.", dt.datetime(2025, 11, 14, 15, 15)),  # 2025-11-20 is a Thursday
        ("শুক্রবার বিকাল ৩:১৫", dt.datetime(2025, 11, 14, 15, 15)),
        ("গতকাল ১০:৩০ পূর্বাহ্ণ", dt.datetime(2025, 11, 19, 10, 30)),
        ("۳ روز پیش", dt.datetime(2025, 11, 17)),
    ],
)
def test_relative_days_with_a_time_in_words_read_against_the_reference(typed, moment):
    ctx = ValueContext(date_reference=REFERENCE)
    assert DateTimeCodec(partial=True).parse(typed, ctx) == moment
    with pytest.raises(ValueParseError, match=r"\[dates\] partial"):
        MOMENT.parse(typed, ctx)  # a column not listed: refused, as before
