"""The demo shop's records: a small online shop selling tea, spices and textiles.

Customers write in English, Persian and Bengali; leads arrive from the website, Instagram,
affiliates, referrals and ads; interactions include purchases; tasks have assignees and
due dates around the as-of date. The same seed and as-of date always give the same
records (IDs included), so running ``sheetcrm demo`` twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sheetcrm.demo.feedback import feedback_scores
from sheetcrm.model.ids import new_id


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


TEAM = ("Maryam", "Arif", "Sophie", "Reza")
PRODUCTS = {
    "Saffron 5g": 14.5,
    "Earl Grey Tea 250g": 9.9,
    "Silk Scarf": 38.0,
    "Jamdani Sari": 120.0,
    "Nakshi Kantha Throw": 85.0,
    "Rose Water 250ml": 6.5,
    "Spice Box": 29.0,
    "Pistachio Pack 500g": 17.0,
    "Ceramic Tea Set": 54.0,
    "Mini Persian Rug": 149.0,
}
_ENGLISH_FIRST = _words(
    "Olivia James Amelia Noah Isla Oliver Ava George Mia Harry Grace Jack Chloe Leo "
    "Emily Thomas Sophie Daniel Lucy Samuel Hannah Ethan Zara Adam Priya Omar Aisha "
    "Lena Marco"
)
_ENGLISH_LAST = _words(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Walker Khan "
    "Evans Thompson Roberts Clarke Hughes Green Hall Wood Müller Rossi Novak Haddad"
)
_PERSIAN = (
    "سارا محمدی",
    "علی رضایی",
    "مریم حسینی",
    "رضا احمدی",
    "زهرا کریمی",
    "محمد موسوی",
    "فاطمه جعفری",
    "امیر صادقی",
    "نگار رحیمی",
    "حسین قاسمی",
    "لیلا نوری",
    "بهرام کاظمی",
    "نیلوفر تهرانی",
    "کاوه شریفی",
    "شیرین اکبری",
)
_BENGALI = (
    "রাহুল দাস",
    "ফাতেমা খাতুন",
    "তানভীর আহমেদ",
    "নুসরাত জাহান",
    "সাকিব হাসান",
    "মিতা রায়",
    "আরিফ হোসেন",
    "শর্মিলা বসু",
    "রবিউল ইসলাম",
    "সুমাইয়া আক্তার",
    "অনিক চৌধুরী",
    "পপি সরকার",
)
_PLACES = {
    "en": [
        ("United Kingdom", "London", "+44 7400 "),
        ("United Kingdom", "Manchester", "+44 7400 "),
        ("United Kingdom", "Leeds", "+44 7400 "),
        ("United States", "New York", "+1 212 555 0"),
        ("Canada", "Toronto", "+1 416 555 0"),
        ("Germany", "Berlin", "+49 151 2"),
    ],
    "fa": [
        ("Iran", "Tehran", "+98 912 "),
        ("Iran", "Shiraz", "+98 917 "),
        ("Iran", "Isfahan", "+98 913 "),
        ("Iran", "Tabriz", "+98 914 "),
        ("Germany", "Hamburg", "+49 151 2"),
    ],
    "bn": [
        ("Bangladesh", "Dhaka", "+880 17"),
        ("Bangladesh", "Chattogram", "+880 18"),
        ("Bangladesh", "Sylhet", "+880 19"),
        ("India", "Kolkata", "+91 98"),
        ("United Kingdom", "London", "+44 7400 "),
    ],
}
_SOURCES = ("website", "instagram", "facebook", "referral", "affiliate", "exhibition", "ads")


@dataclass(frozen=True)
class DemoData:
    """Raw records per tab, ready for ``CRM.upsert``."""

    tabs: dict[str, list[dict[str, Any]]]

    def counts(self) -> dict[str, int]:
        return {tab: len(rows) for tab, rows in self.tabs.items()}


def _phone(rng: random.Random, prefix: str) -> str:
    digits = {"+44 7400 ": 6, "+1 212 555 0": 3, "+1 416 555 0": 3, "+49 151 2": 7}.get(prefix)
    if digits is None:
        digits = 7 if prefix.startswith("+98") else 8
    return prefix + "".join(str(rng.randrange(10)) for _ in range(digits))


def _ts(day: dt.date, rng: random.Random) -> float:
    moment = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=rng.randrange(600))
    return moment.replace(tzinfo=dt.UTC).timestamp()


#: What one unit of the demo's prices (a tea shop's, in pounds) is roughly worth in a
#: currency where a pound buys many units, so a toman or rupee demo shows believable sums.
PRICE_SCALE = {"IRT": 50_000, "IRR": 500_000, "INR": 100, "BDT": 150, "PKR": 350, "JPY": 190}

#: The money fields of the demo records, by tab.
_MONEY = {"Interactions": "amount", "Campaigns": "budget", "Leads": "value"}


def build_demo(
    as_of: dt.date, *, customers: int = 300, seed: int = 7, currency: str = "GBP"
) -> DemoData:
    """Generate the demo records (deterministic for a given seed, as-of date and
    currency; amounts are scaled to the currency by ``PRICE_SCALE``)."""
    data = _build(as_of, customers, seed)
    scale = PRICE_SCALE.get(currency, 1)
    if scale != 1:
        for tab, name in _MONEY.items():
            for record in data.tabs[tab]:
                if isinstance(record.get(name), (int, float)):
                    record[name] = round(record[name] * scale, -2)  # whole hundreds
    return data


def _build(as_of: dt.date, customers: int, seed: int) -> DemoData:
    rng = random.Random(seed)
    today = as_of
    start = today - dt.timedelta(days=540)
    campaigns = _campaigns(rng, today)
    people = []
    for i in range(customers):
        culture = rng.choices(("en", "fa", "bn"), weights=(6, 2, 2))[0]
        if culture == "en":
            name = f"{rng.choice(_ENGLISH_FIRST)} {rng.choice(_ENGLISH_LAST)}"
        else:
            name = rng.choice(_PERSIAN if culture == "fa" else _BENGALI)
        country, city, prefix = rng.choice(_PLACES[culture])
        first = start + dt.timedelta(days=rng.randrange(480))
        handle = name.split()[0].lower() if culture == "en" else f"customer{i + 1}"
        people.append(
            {
                "customer_id": new_id("C", rng=rng, now=_ts(first, rng)),
                "name": name,
                "email": f"{handle}.{i + 1}@example.{rng.choice(('com', 'org', 'net'))}",
                "phone": _phone(rng, prefix),
                "company": rng.choice(("", "", "", "Café Nima", "Dhaka Crafts Ltd", "Leaf & Co")),
                "city": city,
                "country": country,
                "first_contact": first.isoformat(),
                "lead_source": rng.choice(_SOURCES),
                "status": "prospect",
                "products": "",
                "opt_out": rng.random() < 0.05,
                "notes": rng.choice(("", "", "Prefers WhatsApp", "Wholesale enquiry", "VIP gift")),
            }
        )
    interactions = _interactions(rng, people, today)
    leads = _leads(rng, people, campaigns, today)
    tasks = _tasks(rng, people, leads, today)
    interactions += feedback_scores(random.Random(seed + 1), interactions, today, TEAM)
    return DemoData(
        {
            "Campaigns": campaigns,
            "Customers": people,
            "Leads": leads,
            "Interactions": interactions,
            "Tasks": tasks,
        }
    )


def _campaigns(rng: random.Random, today: dt.date) -> list[dict[str, Any]]:
    specs = [
        ("Nowruz Sale", "instagram", 300, 1200.0, ""),
        ("Pohela Boishakh Collection", "facebook", 240, 800.0, ""),
        ("Tea Bloggers Affiliate", "affiliate", 200, 500.0, "TEABLOG"),
        ("Refer a Friend", "referral", 360, 250.0, "FRIEND10"),
        ("Google Ads — Saffron", "google_ads", 150, 1500.0, ""),
        ("Spring Newsletter", "email", 120, 90.0, ""),
        ("YouTube Unboxing", "youtube", 90, 600.0, ""),
        ("Brewing Guide Blog", "blog", 60, 0.0, ""),
    ]
    out = []
    for name, channel, ago, budget, code in specs:
        begin = today - dt.timedelta(days=ago)
        impressions = rng.randrange(5_000, 80_000)
        clicks = int(impressions * rng.uniform(0.008, 0.05))
        out.append(
            {
                "campaign_id": new_id("K", rng=rng, now=_ts(begin, rng)),
                "name": name,
                "channel": channel,
                "start_date": begin.isoformat(),
                "end_date": (begin + dt.timedelta(days=rng.choice((30, 45, 60)))).isoformat(),
                "budget": budget,
                "goal": rng.choice(("New customers", "Repeat orders", "Brand awareness")),
                "impressions": impressions,
                "clicks": clicks,
                "conversions": int(clicks * rng.uniform(0.02, 0.09)),
                "referral_code": code,
            }
        )
    return out


def _interactions(
    rng: random.Random, people: list[dict[str, Any]], today: dt.date
) -> list[dict[str, Any]]:
    """Each person's orders and other contacts since their first contact; a buyer's status
    follows their last order (active within 180 days)."""
    out = []
    for person in people:
        first = dt.date.fromisoformat(person["first_contact"])
        span = max((today - first).days, 1)
        orders = min(int(rng.expovariate(0.35)), 14)
        bought = [_purchase(rng, person, first + _days(rng, span)) for _ in range(orders)]
        out += bought
        for _ in range(rng.choice((0, 1, 1, 2))):
            out.append(_contact(rng, person, first + _days(rng, span)))
        person["products"] = ", ".join(sorted({i["product"] for i in bought}))
        last = max((dt.date.fromisoformat(i["date"][:10]) for i in bought), default=None)
        if last is not None:
            person["status"] = "active" if (today - last).days < 180 else "inactive"
    seen: dict[str, int] = {}  # a shop never gives two orders one id; drawn numbers may
    for order in (i for i in out if i.get("order_id")):
        seen[order["order_id"]] = n = seen.get(order["order_id"], 0) + 1
        order["order_id"] += f"-{n}" if n > 1 else ""
    return out


def _days(rng: random.Random, span: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randrange(span))


def _purchase(rng: random.Random, person: dict[str, Any], day: dt.date) -> dict[str, Any]:
    product = rng.choice(list(PRODUCTS))
    qty = rng.choice((1, 1, 1, 2, 2, 3))
    return {
        "interaction_id": new_id("I", rng=rng, now=_ts(day, rng)),
        "date": f"{day.isoformat()} {rng.randrange(8, 22):02d}:{rng.randrange(60):02d}",
        "type": "purchase",
        "customer_id": person["customer_id"],
        "summary": f"Order of {qty} × {product}",
        "amount": round(PRODUCTS[product] * qty, 2),
        "product": product,
        "quantity": qty,
        "order_id": f"SO-{rng.randrange(10_000, 99_999)}",
        "by": "shop",
    }


_CONTACT_NOTES = (
    "Asked about delivery times",
    "Feedback on last order",
    "Wholesale price question",
    "پرسش درباره ارسال",
    "অর্ডারের খোঁজ",
)


def _contact(rng: random.Random, person: dict[str, Any], day: dt.date) -> dict[str, Any]:
    kind = rng.choice(("call", "email", "message", "meeting", "note"))
    return {
        "interaction_id": new_id("I", rng=rng, now=_ts(day, rng)),
        "date": f"{day.isoformat()} {rng.randrange(9, 18):02d}:00",
        "type": kind,
        "customer_id": person["customer_id"],
        "summary": rng.choice(_CONTACT_NOTES),
        "by": rng.choice(TEAM),
    }


#: Which campaign channel a lead from each source came through.
_CHANNEL_OF = {
    "instagram": "instagram",
    "facebook": "facebook",
    "affiliate": "affiliate",
    "referral": "referral",
    "ads": "google_ads",
    "website": "blog",
}
_LEAD_NAMES = (*_PERSIAN, *_BENGALI, "Ruby Collins", "Ali Haider", "Nina Park")


def _leads(
    rng: random.Random,
    people: list[dict[str, Any]],
    campaigns: list[dict[str, Any]],
    today: dt.date,
) -> list[dict[str, Any]]:
    """Half as many leads as customers, contacted in the last 120 days; a converted one is
    one of the customers who bought."""
    by_channel = {c["channel"]: c for c in campaigns}
    converted_pool = [p for p in people if p["status"] != "prospect"]
    out = []
    for i in range(len(people) // 2):
        source = rng.choice(_SOURCES)
        campaign = by_channel.get(_CHANNEL_OF.get(source, ""))
        contact = today - dt.timedelta(days=rng.randrange(120))
        status = rng.choices(
            ("new", "contacted", "qualified", "converted", "lost"), weights=(3, 3, 2, 2, 1)
        )[0]
        customer = rng.choice(converted_pool) if status == "converted" and converted_pool else None
        person = customer or {"name": rng.choice(_LEAD_NAMES), "email": f"lead{i + 1}@example.com"}
        lead = _lead(rng, person, source, status, contact, today + _days_between(rng, -10, 15))
        lead["campaign_id"] = campaign["campaign_id"] if campaign else ""
        lead["customer_id"] = customer["customer_id"] if customer else ""
        out.append(lead)
    return out


def _days_between(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randrange(low, high))


def _lead(
    rng: random.Random,
    person: dict[str, Any],
    source: str,
    status: str,
    contact: dt.date,
    next_date: dt.date,
) -> dict[str, Any]:
    """One lead's record (its campaign and customer are filled in by the caller)."""
    open_lead = status in ("new", "contacted", "qualified")
    lead = {
        "lead_id": new_id("L", rng=rng, now=_ts(contact, rng)),
        "name": person["name"],
        "email": person["email"],
        "source": source,
        "campaign_id": "",
        "interest": rng.choice(("low", "medium", "high")),
        "contact_date": contact.isoformat(),
        "status": status,
        "next_action": "",
        "next_action_date": "",
        "owner": "",
        "customer_id": "",
        "value": 0,
        "opt_out": False,
    }
    if open_lead:
        lead["next_action"] = rng.choice(("Call back", "Send samples", "Send price list", ""))
        if rng.random() < 0.8:
            lead["next_action_date"] = next_date.isoformat()
    lead["owner"] = rng.choice(TEAM)
    lead["value"] = rng.choice((50, 120, 250, 400, 900))
    return lead


def _tasks(
    rng: random.Random,
    people: list[dict[str, Any]],
    leads: list[dict[str, Any]],
    today: dt.date,
) -> list[dict[str, Any]]:
    titles = (
        "Follow up on quote",
        "Ship replacement scarf",
        "Call about wholesale order",
        "Send Nowruz catalogue",
        "Reply to Instagram DM",
        "Update price list",
        "ফলো-আপ কল করুন",
        "ارسال نمونه چای",
    )
    out = []
    for _ in range(60):
        related = rng.choice((rng.choice(people)["customer_id"], rng.choice(leads)["lead_id"]))
        due = today + dt.timedelta(days=rng.randrange(-14, 21))
        status = rng.choices(("todo", "in_progress", "done"), weights=(4, 2, 3))[0]
        out.append(
            {
                "task_id": new_id("T", rng=rng, now=_ts(due - dt.timedelta(days=7), rng)),
                "title": rng.choice(titles),
                "assignee": rng.choice(TEAM),
                "due_date": due.isoformat(),
                "status": status,
                "done": status == "done",
                "related_id": related,
                "description": "",
            }
        )
    return out
