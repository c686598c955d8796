"""The built-in vocabularies (``model/vocabularies/{en,fa,bn}.toml``): values as Persian,
Bengali and English sellers type them, the folding that makes one word's spellings meet,
labels per language, and checkbox words (issue #15, item 1)."""

from __future__ import annotations

import pytest

from sheetcrm.config import Config
from sheetcrm.errors import ValueParseError
from sheetcrm.model import vocab
from sheetcrm.model.codecs import CODECS
from sheetcrm.model.values import ValueContext, normalize_token

CTX = ValueContext(region="IR")
SCHEMA = Config().schema()
ENUMS = [
    f"{tab.name}.{f.name}"
    for tab in SCHEMA.tabs.values()
    if not tab.system
    for f in tab.fields
    if f.type == "enum"
]


def parse(key: str, typed: str) -> str | None:
    tab, _, name = key.partition(".")
    return SCHEMA[tab].field(name).parse(typed, CTX)


#: What the issue lists, and what sellers in Tehran, Dhaka and Kolkata type (field, typed,
#: the canonical value it means). Written out here, not read from the data files.
TYPED = [
    # Customers.status
    ("Customers.status", "فعال", "active"),
    ("Customers.status", "بالقوه", "prospect"),
    ("Customers.status", "غیرفعال", "inactive"),
    ("Customers.status", "غیر فعال", "inactive"),
    ("Customers.status", "غیر\u200cفعال", "inactive"),  # ZWNJ
    ("Customers.status", "সক্রিয়", "active"),
    ("Customers.status", "নিষ্ক্রিয়", "inactive"),
    ("Customers.status", "সম্ভাব্য", "prospect"),
    ("Customers.status", "Lead", "prospect"),
    # lead sources, in both tabs that have them
    ("Leads.source", "اینستاگرام", "instagram"),
    ("Leads.source", "اینستا", "instagram"),
    ("Customers.lead_source", "اینستاگرام", "instagram"),
    ("Leads.source", "گوگل", "search"),
    ("Leads.source", "Google search", "search"),
    ("Leads.source", "معرفی دوستان", "referral"),
    ("Leads.source", "تلگرام", "telegram"),
    ("Leads.source", "سایت", "website"),
    ("Leads.source", "وبسایت", "website"),
    ("Leads.source", "وب سایت", "website"),
    ("Leads.source", "نمایشگاه", "exhibition"),
    ("Leads.source", "تبلیغات", "ads"),
    ("Leads.source", "دیوار", "ads"),  # a classified listing is an ad the seller placed
    ("Leads.source", "واتساپ", "whatsapp"),
    ("Leads.source", "ফেসবুক", "facebook"),
    ("Leads.source", "রেফারেল", "referral"),
    ("Leads.source", "ইনস্টাগ্রাম", "instagram"),
    ("Leads.source", "হোয়াটসঅ্যাপ", "whatsapp"),
    ("Customers.lead_source", "ফেসবুক পেজ", "facebook"),
    ("Leads.source", "Friend", "referral"),
    ("Leads.source", "Word of mouth", "referral"),
    ("Leads.source", "Insta", "instagram"),
    ("Leads.source", "FB", "facebook"),
    ("Leads.source", "WhatsApp", "whatsapp"),
    ("Leads.source", "Google Ads", "ads"),
    # Interactions.type
    ("Interactions.type", "تماس", "call"),
    ("Interactions.type", "ایمیل", "email"),
    ("Interactions.type", "جلسه", "meeting"),
    ("Interactions.type", "خرید", "purchase"),
    ("Interactions.type", "مرجوعی", "return"),
    ("Interactions.type", "واتساپ", "message"),  # a WhatsApp chat is a message
    ("Interactions.type", "پیامک", "message"),
    ("Interactions.type", "تلگرام", "message"),
    ("Interactions.type", "یادداشت", "note"),
    ("Interactions.type", "কল", "call"),
    ("Interactions.type", "মিটিং", "meeting"),
    ("Interactions.type", "কেনা", "purchase"),
    ("Interactions.type", "ক্রয়", "purchase"),
    ("Interactions.type", "ডেলিভারড", "purchase"),  # delivered: the sale, as sellers log it
    ("Interactions.type", "ফেরত", "return"),
    ("Interactions.type", "হোয়াটসঅ্যাপ", "message"),
    ("Interactions.type", "WhatsApp", "message"),
    ("Interactions.type", "refund", "return"),
    # Tasks.status
    ("Tasks.status", "انجام شده", "done"),
    ("Tasks.status", "انجام\u200cشده", "done"),
    ("Tasks.status", "در حال انجام", "in_progress"),
    ("Tasks.status", "درحال انجام", "in_progress"),  # the words run together
    ("Tasks.status", "انجام نشده", "todo"),
    ("Tasks.status", "সম্পন্ন", "done"),
    ("Tasks.status", "চলছে", "in_progress"),
    ("Tasks.status", "In progress", "in_progress"),
    # Leads.status and interest
    ("Leads.status", "جدید", "new"),
    ("Leads.status", "নতুন", "new"),
    ("Leads.status", "যোগাযোগ করা হয়েছে", "contacted"),
    ("Leads.status", "হারানো", "lost"),
    ("Leads.status", "از دست رفته", "lost"),
    ("Leads.status", "won", "converted"),
    ("Leads.interest", "زیاد", "high"),
    ("Leads.interest", "মাঝারি", "medium"),
    # Campaigns.channel: a source's spellings, and its own
    ("Campaigns.channel", "اینستاگرام", "instagram"),
    ("Campaigns.channel", "پیامک", "sms"),
    ("Campaigns.channel", "Google Ads", "google_ads"),
    ("Campaigns.channel", "ইউটিউব", "youtube"),
    ("Campaigns.channel", "واتساپ", "whatsapp"),
]


@pytest.mark.parametrize(("key", "typed", "expected"), TYPED)
def test_values_as_people_type_them(key, typed, expected):
    assert parse(key, typed) == expected


#: The same word as a phone keyboard, an Arabic layout or a careful typist writes it.
VARIANTS = [
    ("Customers.status", "فعّال", "active"),  # shadda
    ("Customers.status", "فَعال", "active"),  # fatha
    ("Customers.status", "فعـــال", "active"),  # tatweel
    ("Customers.status", "\u200fفعال\u200f", "active"),  # right-to-left marks around it
    ("Customers.status", "  فعال  ", "active"),
    ("Interactions.type", "يادداشت", "note"),  # Arabic yeh
    ("Leads.source", "اينستاگرام", "instagram"),
    ("Customers.status", "غيرفعال", "inactive"),
    ("Leads.source", "معرفي دوستان", "referral"),
    ("Interactions.type", "خريد", "purchase"),
    ("Campaigns.channel", "يوتيوب", "youtube"),
    ("Interactions.type", "مرجوعى", "return"),  # alef maksura
    ("Campaigns.channel", "پيامك", "sms"),  # Arabic yeh and kaf
    ("Leads.source", "ﺍﯾﻨﺴﺘﺎﮔﺮﺍﻡ", "instagram"),  # presentation forms (a PDF copy-paste)
    ("Leads.source", "«اینستاگرام»", "instagram"),  # guillemets
    ("Customers.status", "সক্রি\u09af\u09bc", "active"),  # য় as য + nukta
    ("Interactions.type", "ক্র\u09af\u09bc", "purchase"),
    ("Interactions.type", "সাক্ষা\u09a4\u09cd\u200d", "meeting"),  # ৎ typed the old way
    ("Leads.source", "INSTAGRAM", "instagram"),
    ("Leads.source", "Word-of-Mouth", "referral"),
    ("Tasks.status", "in-progress", "in_progress"),
    ("Tasks.status", "IN_PROGRESS", "in_progress"),
    ("Tasks.status", "inprogress", "in_progress"),
]


@pytest.mark.parametrize(("key", "typed", "expected"), VARIANTS)
def test_a_words_other_spellings_read_as_it(key, typed, expected):
    assert parse(key, typed) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("مشتري", "مشتری"),
        ("إيميل", "ایمیل"),  # alef with hamza, Arabic yeh
        ("أطلاعات", "اطلاعات"),
        ("كالا", "کالا"),
        ("می\u200cخواهم", "می خواهم"),
        ("فعّال", "فعال"),
        ("بـــله", "بله"),
        ("\u09df", "\u09af\u09bc"),  # য়: one code point, or য + nukta
        ("\u09dc", "\u09a1\u09bc"),  # ড়
        ("\u09dd", "\u09a2\u09bc"),  # ঢ়
        ("\u09cb", "\u09c7\u09be"),  # ো composed or as its two halves
        ("উত্\u200dস", "উৎস"),
        ("ＩＮＳＴＡ", "insta"),  # full-width letters
        ("۱۲۳", "123"),
        ("How did you hear about us?", "how did you hear about us"),
        ("\ufeffTimestamp", "Timestamp"),
        ("از کجا با ما آشنا شدید؟", "از کجا با ما آشنا شدید"),
    ],
)
def test_normalize_token_folds_script_variants(a, b):
    assert normalize_token(a) == normalize_token(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("انجام شده", "انجام نشده"), ("فعال", "غیرفعال"), ("in progress", "progress"), ("a+", "b+")],
)
def test_normalize_token_keeps_different_words_apart(a, b):
    assert normalize_token(a) != normalize_token(b)


def test_normalize_token_keeps_the_ascii_form_it_always_had():
    assert normalize_token("In Progress") == "in_progress"
    assert normalize_token(" E-mail / address ") == "e_mail_address"
    assert normalize_token("google_ads") == "google_ads"


# -- the data files themselves -----------------------------------------------------------


@pytest.mark.parametrize("key", ENUMS)
def test_no_spelling_means_two_values_of_one_field(key):
    """Across the three languages and the tables a field reads (its own, its name's, the
    one it shares), a folded spelling means one value."""
    values = SCHEMA[key.split(".")[0]].field(key.split(".")[1]).values
    meaning: dict[str, set[str]] = {}
    for spelling, canonical in vocab.builtin_pairs(key):
        if canonical in values:
            meaning.setdefault(normalize_token(spelling), set()).add(canonical)
    clashes = {s: m for s, m in meaning.items() if len(m) > 1}
    assert clashes == {}
    assert all(normalize_token(s) for s, _ in vocab.builtin_pairs(key))


@pytest.mark.parametrize("key", ENUMS)
def test_every_built_in_spelling_reads_as_its_value(key):
    values = SCHEMA[key.split(".")[0]].field(key.split(".")[1]).values
    wrong = {
        s: (c, parse(key, s))
        for s, c in vocab.builtin_pairs(key)
        if c in values and parse(key, s) != c
    }
    assert wrong == {}


@pytest.mark.parametrize("language", vocab.LANGUAGES)
@pytest.mark.parametrize("key", ENUMS)
def test_every_value_has_a_label_that_reads_back_and_fits_a_dropdown(key, language):
    tab, _, name = key.partition(".")
    values = SCHEMA[tab].field(name).values
    labels = [vocab.label(key, v, language) for v in values]
    missing = [v for v, shown in zip(values, labels, strict=True) if shown == v]
    assert missing == []  # every built-in value has a label in every language
    assert len({normalize_token(x) for x in labels}) == len(labels)  # told apart
    assert [parse(key, x) for x in labels] == list(values)
    assert not any("," in x or '"' in x for x in labels)  # a dropdown list item
    assert len(",".join(labels)) <= 255


@pytest.mark.parametrize(
    ("key", "value", "language", "shown"),
    [
        ("Customers.status", "active", "fa", "فعال"),
        ("Customers.status", "active", "bn", "সক্রিয়"),
        ("Customers.status", "active", "en", "Active"),
        ("Tasks.status", "in_progress", "fa", "در حال انجام"),
        ("Tasks.status", "in_progress", "en", "In progress"),
        ("Leads.source", "instagram", "fa", "اینستاگرام"),
        ("Customers.lead_source", "referral", "bn", "রেফারেল"),
        ("Campaigns.channel", "instagram", "fa", "اینستاگرام"),  # shared with source
        ("Campaigns.channel", "google_ads", "en", "Google Ads"),
        ("Interactions.type", "purchase", "fa", "خرید"),
        ("Leads.source", "tiktok", "fa", "tiktok"),  # a value of the business's own
        ("Leads.source", "instagram", None, "instagram"),  # no language: canonical
        ("Leads.source", "instagram", "de", "instagram"),  # no vocabulary for it
        ("source", "instagram", "fa", "اینستاگرام"),  # the field's name alone
    ],
)
def test_label(key, value, language, shown):
    assert vocab.label(key, value, language) == shown


# -- checkboxes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("✓", True),
        ("✔", True),
        ("☑", True),
        ("✅", True),
        ("x", True),
        ("✗", False),
        ("✘", False),
        ("☐", False),
        ("بله", True),
        ("آره", True),
        ("اره", True),
        ("درسته", True),
        ("خیر", False),
        ("نه", False),
        ("هست", True),
        ("হ্যাঁ", True),
        ("হ্যা", True),
        ("না", False),
        ("Yes", True),
        ("no", False),
        ("Y", True),
        ("n", False),
        ("TRUE", True),
        ("False", False),
        ("۱", True),
        ("০", False),
        (" yes ", True),
        ("", None),
        ("  ", None),
    ],
)
def test_checkbox_words(typed, expected):
    assert CODECS["bool"].parse(typed, CTX) is expected


@pytest.mark.parametrize("typed", ["maybe", "شاید", "হয়তো", "✓✗"])
def test_other_checkbox_words_are_refused(typed):
    with pytest.raises(ValueParseError, match="TRUE or FALSE"):
        CODECS["bool"].parse(typed, CTX)


def test_no_checkbox_word_means_both():
    true, false = vocab.bool_words()
    assert true and false and not true & false


def test_the_sources_people_use_are_values_everywhere_they_matter():
    """search, whatsapp and telegram are sources of their own (not ads, not "other"), in
    both tabs that record where a person came from."""
    for key in ("Leads.source", "Customers.lead_source"):
        tab, _, name = key.partition(".")
        assert {"search", "whatsapp", "telegram"} <= set(SCHEMA[tab].field(name).values)
    assert {"whatsapp", "telegram", "sms"} <= set(SCHEMA["Campaigns"].field("channel").values)


@pytest.mark.parametrize(
    ("value", "language", "shown"),
    [("true", "fa", "بله"), ("false", "bn", "না"), ("true", "en", "Yes")],
)
def test_checkbox_labels(value, language, shown):
    assert vocab.label("bool", value, language) == shown


# -- column headers ----------------------------------------------------------------------


@pytest.mark.parametrize("tab", [t.name for t in SCHEMA.tabs.values() if not t.system])
def test_no_header_means_two_fields_of_one_tab(tab):
    """A header spelling two fields of a tab list would go to whichever comes first."""
    from sheetcrm.ingest.mapping import SYNONYMS

    names = {f.name for f in SCHEMA[tab].fields}
    claimed: dict[str, set[str]] = {}
    for name, words in SYNONYMS.items():
        if name in names:
            for word in (name, *words):
                claimed.setdefault(normalize_token(word), set()).add(name)
    assert {w: n for w, n in claimed.items() if len(n) > 1} == {}


def test_a_tabs_own_built_in_table_comes_before_the_fields_name(monkeypatch):
    """[Customers.status] in a vocabulary file is read before [status], and its first
    spelling is the label (the files have none yet; this is the shape they may use)."""
    data = {
        "Customers": {"status": {"active": ["مشتری ثابت", "ثابت"]}},
        "status": {"active": ["فعال"], "done": ["انجام شده"]},
    }
    files = {"fa": vocab.file_tables(data), "en": {}, "bn": {}}
    assert files["fa"]["Customers.status"] == (("active", ("مشتری ثابت", "ثابت")),)
    monkeypatch.setattr(vocab, "builtin", files.__getitem__)
    vocab._builtin_pairs.cache_clear()
    vocab.label.cache_clear()
    try:
        assert vocab.builtin_pairs("Customers.status")[:3] == (
            ("مشتری ثابت", "active"),
            ("ثابت", "active"),
            ("فعال", "active"),
        )
        assert vocab.label("Customers.status", "active", "fa") == "مشتری ثابت"
        assert vocab.label("Tasks.status", "done", "fa") == "انجام شده"
    finally:
        vocab._builtin_pairs.cache_clear()
        vocab.label.cache_clear()
