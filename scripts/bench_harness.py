"""The benchmark's harness: the generated data set, one emulator with the clients of every
approach (in-process or over loopback HTTP), and the measurement of one call."""

from __future__ import annotations

import datetime as dt
import gc
import random
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gspread
from google.auth.credentials import AnonymousCredentials

from sheetcrm.backends.gsheets.backend import GSheetsBackend
from sheetcrm.backends.gsheets.retry import RetryPolicy, Throttle
from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.emulator import Emulator, LoopbackServer, mount

AS_OF = dt.date(2026, 11, 21)
#: Every run stamps its audit row at this time, so request bytes repeat run after run.
STAMP = dt.datetime(2026, 11, 21, 9, 30)
TABS = ("Customers", "Leads", "Interactions", "Campaigns", "Tasks")
NAIVE_LIMIT = 1_000  # above this the naive approach would send thousands of requests

Record = dict[str, Any]
Data = dict[str, list[Record]]  # tab -> records


def no_sleep(_: float) -> None:
    """The emulator has no quota here: nothing to wait for."""


# -- data ----------------------------------------------------------------------------------


def dataset(n: int, seed: int = 1) -> Data:
    """n customers with n/2 leads, 2n purchases, 10 campaigns and n/10 tasks (deterministic)."""
    rng = random.Random(seed)
    start = dt.date(2025, 1, 1)
    cities = ["Tehran", "Dhaka", "London", "Shiraz", "Kolkata", "Leeds"]
    customers = [
        {
            "customer_id": f"C-{i:07d}",
            "name": f"Customer {i}",
            "email": f"c{i}@example.com",
            "phone": f"+4474{i:08d}",
            "city": rng.choice(cities),
            "country": "United Kingdom",
            "first_contact": start + dt.timedelta(days=rng.randrange(600)),
            "lead_source": rng.choice(["website", "instagram", "referral", "ads"]),
            "status": "active",
        }
        for i in range(n)
    ]
    campaigns = [
        {
            "campaign_id": f"K-{i:03d}",
            "name": f"Campaign {i}",
            "channel": "instagram",
            "budget": 500.0,
            "impressions": 10000,
            "clicks": 300,
            "conversions": 12,
        }
        for i in range(10)
    ]
    leads = [
        {
            "lead_id": f"L-{i:07d}",
            "name": f"Lead {i}",
            "email": f"l{i}@example.com",
            "source": rng.choice(["website", "instagram", "referral"]),
            "campaign_id": f"K-{i % 10:03d}",
            "interest": rng.choice(["low", "high"]),
            "contact_date": start + dt.timedelta(days=rng.randrange(680)),
            "status": rng.choice(["new", "contacted", "converted"]),
            "value": 100.0,
        }
        for i in range(n // 2)
    ]
    acts = [
        {
            "interaction_id": f"I-{i:08d}",
            "date": dt.datetime(2025, 1, 1) + dt.timedelta(hours=rng.randrange(16000)),
            "type": "purchase",
            "customer_id": f"C-{rng.randrange(n):07d}",
            "amount": round(rng.uniform(5, 200), 2),
            "product": f"Product {rng.randrange(50)}",
            "quantity": 1,
        }
        for i in range(2 * n)
    ]
    tasks = [
        {
            "task_id": f"T-{i:07d}",
            "title": f"Task {i}",
            "assignee": "Maryam",
            "due_date": AS_OF + dt.timedelta(days=rng.randrange(-20, 20)),
            "status": "todo",
        }
        for i in range(max(n // 10, 1))
    ]
    return {
        "Customers": customers,
        "Leads": leads,
        "Interactions": acts,
        "Campaigns": campaigns,
        "Tasks": tasks,
    }


def changed(data: Data) -> tuple[list[Record], list[Record]]:
    """1% of customers with a new city, and 0.5% new customers."""
    n = len(data["Customers"])
    edits = [{"customer_id": c["customer_id"], "city": "Isfahan"} for c in data["Customers"][::100]]
    new = [
        {
            "customer_id": f"C-N{i:06d}",
            "name": f"New {i}",
            "email": f"new{i}@example.com",
            "city": "Sylhet",
            "status": "prospect",
        }
        for i in range(max(n // 200, 1))
    ]
    return edits, new


def header(tab: str) -> list[str]:
    """A tab's schema columns: the header row every baseline writes."""
    from sheetcrm.model.tabs import build_schema

    return build_schema()[tab].columns


# -- measurement ---------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    size: int
    transport: str
    approach: str
    requests: int = 0
    writes: int = 0
    sent: int = 0
    received: int = 0
    seconds: float = 0.0
    peak_mb: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class World:
    """One emulator and the clients of every approach, in-process or over loopback HTTP."""

    def __init__(self, transport: str) -> None:
        self.emu = Emulator()
        self.transport = transport
        self.server = LoopbackServer(self.emu).start() if transport == "http" else None

    def close(self) -> None:
        if self.server:
            self.server.stop()

    def client(self) -> gspread.Client:
        client = gspread.Client(AnonymousCredentials())
        if self.server:
            from sheetcrm.backends.gsheets.endpoint import mount_endpoint

            mount_endpoint(client.http_client.session, self.server.url)
        else:
            mount(client.http_client.session, self.emu)
        return client

    def crm(self, sid: str) -> CRM:
        backend = GSheetsBackend(
            self.client(),
            sid,
            retry=RetryPolicy(sleep=no_sleep),
            throttle=Throttle(per_minute=10**9, sleep=no_sleep),
        )
        return CRM(backend=backend, config=Config(), clock=lambda: STAMP)

    def fresh(self) -> str:
        ss = self.emu.create_spreadsheet("bench")
        return ss.id


def measure(world: World, fn: Callable[[], Any], *, memory: bool) -> tuple[dict[str, Any], Any]:
    gc.collect()
    world.emu.stats.reset()
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    peak = None
    if memory:
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    s = world.emu.stats
    return {
        "requests": s.total,
        "writes": s.writes,
        "sent": s.sent,
        "received": s.received,
        "seconds": round(seconds, 3),
        "peak_mb": peak,
    }, value
