"""Feedback forms: Google Forms satisfaction surveys (→ Interactions of type ``feedback``).

A response is one interaction: its submission time (``Timestamp``, «برچسب زمان»,
«টাইমস্ট্যাম্প», Jalali or Bengali dates as the form wrote them), the customer it is from
(the e-mail, else the phone, read as the customer with that contact: ``ingest.buyers``),
the score (a 1–5 rating question, or "How likely are you to recommend us" 0–10 when the
form asks only that), and the comment as the summary. The response's ID is derived from
its time and contact, so the same export imported again changes nothing.

The score is read by ``Interactions.satisfaction`` (``ScoreCodec``: ``4``, ``۴``, ``4/5``,
``★★★★☆``) and checked against ``[satisfaction] scale``: a 9 in a 1–5 workbook is set
aside naming the row, the column, the value and ``[satisfaction] scale = 10``. When a form
asks both, the rating is the score and the recommendation is noted in the summary.

Forms word their questions freely; the common wordings in English, Persian and Bengali are
listed here, and any other is named with ``--map 'Your question=satisfaction'``.
"""

from __future__ import annotations

from sheetcrm.ingest.presets.base import Preset, Row, first_of, preset
from sheetcrm.model.values import is_blank
from sheetcrm.model.vocab import header_words
from sheetcrm.run import stable_id

_words = header_words()
#: The submission-time column Google Forms writes, in English, Persian and Bengali.
TIMESTAMP = _words["timestamp"]
EMAILS = ("Email Address", "Email", "E-mail", "Your email", *_words["email"])
PHONES = ("Phone number", "Phone", "Mobile", "Mobile number", *_words["phone"])
NAMES = ("Name", "Your name", "Full name", *_words["name"])

#: Rating questions (1–5, or 0–10 on a linear scale) as feedback forms ask them.
RATINGS = (
    "Rating",
    "Your rating",
    "Satisfaction",
    "Overall satisfaction",
    "How satisfied are you?",
    "How satisfied are you with your order?",
    "How satisfied are you with our service?",
    "Overall, how satisfied are you with us?",
    "How would you rate our service?",
    "How would you rate your experience?",
    "How would you rate your purchase?",
    "Rate your experience",
    "امتیاز",
    "امتیاز شما",
    "میزان رضایت",
    "میزان رضایت شما",
    "میزان رضایت شما از خرید چقدر است؟",
    "میزان رضایت شما از خدمات ما چقدر است؟",
    "چقدر از خرید خود راضی هستید؟",
    "چقدر از خدمات ما راضی هستید؟",
    "به خدمات ما چه امتیازی می‌دهید؟",
    "به تجربه خرید خود چه امتیازی می‌دهید؟",
    "রেটিং",
    "আপনার রেটিং",
    "সন্তুষ্টি",
    "আপনি কতটা সন্তুষ্ট?",
    "আপনি আমাদের সেবায় কতটা সন্তুষ্ট?",
    "আপনার অর্ডারে আপনি কতটা সন্তুষ্ট?",
    "আমাদের সেবাকে আপনি কত রেটিং দেবেন?",
    "কেনাকাটার অভিজ্ঞতাকে কত রেটিং দেবেন?",
)
#: "How likely are you to recommend us" (0–10, the Net Promoter question).
RECOMMEND = (
    "How likely are you to recommend us to a friend or colleague?",
    "How likely are you to recommend us to a friend?",
    "How likely are you to recommend us?",
    "How likely is it that you would recommend us to a friend or colleague?",
    "چقدر احتمال دارد ما را به دوستان یا همکاران خود پیشنهاد کنید؟",
    "چقدر احتمال دارد ما را به دوستان خود پیشنهاد کنید؟",
    "چقدر احتمال دارد ما را به دوستان خود معرفی کنید؟",
    "چقدر احتمال دارد ما را به دیگران توصیه کنید؟",
    "বন্ধু বা সহকর্মীদের কাছে আমাদের সুপারিশ করার সম্ভাবনা কতটা?",
    "আপনি বন্ধু বা সহকর্মীদের কাছে আমাদের সুপারিশ করার সম্ভাবনা কতটা?",
    "বন্ধুদের কাছে আমাদের সুপারিশ করার সম্ভাবনা কতটুকু?",
)
COMMENTS = (
    "Comments",
    "Comment",
    "Any other comments?",
    "Any other feedback?",
    "What could we do better?",
    "Tell us more",
    "Feedback",
    "نظر شما",
    "توضیحات",
    "پیشنهادات و انتقادات",
    "انتقادات و پیشنهادات",
    "چه چیزی را می‌توانیم بهتر کنیم؟",
    "মন্তব্য",
    "আপনার মতামত",
    "আর কিছু বলতে চান?",
    "আমরা কীভাবে আরও ভালো করতে পারি?",
)
ORDERS = ("Order number", "Order ID", "Order no", "شماره سفارش", "অর্ডার নম্বর", "অর্ডার আইডি")
#: Who served the customer (the score's ``by``: their digest gets the follow-up).
STAFF = (
    "Who served you?",
    "Who helped you?",
    "Staff name",
    "Salesperson",
    "نام کارشناس",
    "کارشناس فروش",
    "বিক্রয় প্রতিনিধি",
    "কে আপনাকে সাহায্য করেছেন?",
)

#: Fields this preset uses on the way to real ones.
VIRTUAL = {"contact_phone", "respondent", "recommend", "comment"}


def _feedback(row: Row) -> Row:
    """One response → one feedback interaction (module docstring)."""
    first_of(row, "customer_id", "contact_phone")
    who = row.pop("respondent", None)
    recommend, comment = row.pop("recommend", None), row.pop("comment", None)
    notes = []
    if is_blank(row.get("satisfaction")):
        row["satisfaction"] = recommend
    elif not is_blank(recommend):
        notes.append(f"would recommend us: {str(recommend).strip()} of 10")
    if not is_blank(comment):
        notes.insert(0, str(comment).strip())
    if not is_blank(who) and is_blank(row.get("customer_id")):
        notes.append(f"from {str(who).strip()}")
    if is_blank(row.get("summary")):
        row["summary"] = "; ".join(notes) or None
    if is_blank(row.get("interaction_id")) and not is_blank(row.get("date")):
        row["interaction_id"] = stable_id("I", row.get("date"), row.get("customer_id"), who)
    return row


def _columns() -> dict[str, str]:
    out: dict[str, str] = {}
    for headers, dest in (
        (TIMESTAMP, "date"),
        (EMAILS, "customer_id"),
        (PHONES, "contact_phone"),
        (NAMES, "respondent"),
        (RATINGS, "satisfaction"),
        (RECOMMEND, "recommend"),
        (COMMENTS, "comment"),
        (ORDERS, "order_id"),
        (STAFF, "by"),
    ):
        out.update(dict.fromkeys(headers, dest))
    return out


FEEDBACK: Preset = preset(
    "feedback",
    "Interactions",
    _columns(),
    _feedback,
    defaults={"type": "feedback"},
    description=(
        "Google Forms feedback responses (Timestamp, e-mail or phone, a rating or "
        '"How likely are you to recommend us" question) → Interactions of type feedback '
        "with the satisfaction score, linked to the customer by e-mail or phone"
    ),
    signature=(TIMESTAMP, (*EMAILS, *PHONES), (*RATINGS, *RECOMMEND)),
    label="Google Form feedback responses",
    closed=True,
)

PRESETS = (FEEDBACK,)


def score_columns() -> tuple[str, ...]:
    """Every header this preset reads a score from (for the reference and tests)."""
    return (*RATINGS, *RECOMMEND)
