"""The demo shop's feedback form answers: a few scores so satisfaction has something to show."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from sheetcrm.model.ids import new_id


def _moment(day: dt.date, rng: random.Random) -> float:
    """A time stamp on ``day`` for an ID (as the other demo records get theirs)."""
    moment = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=rng.randrange(600))
    return moment.replace(tzinfo=dt.UTC).timestamp()


#: Feedback form answers: (score of 5, comment). Mostly happy, a few not.
_FEEDBACK = (
    (5, "Lovely packaging, arrived quickly"),
    (5, "چای عالی بود، ممنون"),
    (4, "Good tea, delivery a day late"),
    (4, "শাড়িটা খুব সুন্দর"),
    (5, ""),
    (4, ""),
    (3, "Scarf smaller than in the photo"),
    (2, "ارسال خیلی طول کشید"),
    (1, "Parcel arrived damaged, no reply to my email"),
)


def feedback_scores(
    rng: random.Random,
    interactions: list[dict[str, Any]],
    today: dt.date,
    team: Sequence[str],
) -> list[dict[str, Any]]:
    """A feedback score (type feedback) two days after the last order of a few recent
    buyers, taken by a teammate, so the Dashboard, report and the "unhappy" segment have
    something to show. Its own random stream: the other demo records stay as they were."""
    last: dict[str, dt.date] = {}
    for i in interactions:
        if i["type"] == "purchase":
            day = dt.date.fromisoformat(i["date"][:10])
            last[i["customer_id"]] = max(day, last.get(i["customer_id"], day))
    recent = sorted(c for c, day in last.items() if 3 <= (today - day).days <= 120)
    chosen = rng.sample(recent, min(len(_FEEDBACK), len(recent)))
    out = []
    for customer, (score, comment) in zip(chosen, _FEEDBACK, strict=False):
        day = last[customer] + dt.timedelta(days=2)
        out.append(
            {
                "interaction_id": new_id("I", rng=rng, now=_moment(day, rng)),
                "date": f"{day.isoformat()} {rng.randrange(9, 18):02d}:30",
                "type": "feedback",
                "customer_id": customer,
                "summary": comment or None,
                "satisfaction": score,
                "by": rng.choice(team),
            }
        )
    return out
