"""The demo data: realistic, multilingual, valid, and reproducible."""

from __future__ import annotations

import datetime as dt
import re

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.crm import CRM
from sheetcrm.demo import build_demo, plan_demo, run_demo, write_demo
from sheetcrm.outputs.summary import summarize

AS_OF = dt.date(2026, 11, 21)


def test_same_seed_same_records():
    assert build_demo(AS_OF) == build_demo(AS_OF)


def test_every_record_parses_and_links(schema):
    data = build_demo(AS_OF)
    crm = CRM(backend=MemoryBackend())
    for tab, rows in data.tabs.items():
        for i, raw in enumerate(rows, start=2):
            schema[tab].parse_record(raw, crm.ctx, row=i)
    customers = {c["customer_id"] for c in data.tabs["Customers"]}
    campaigns = {c["campaign_id"] for c in data.tabs["Campaigns"]}
    assert all(i["customer_id"] in customers for i in data.tabs["Interactions"])
    assert all(
        not lead["campaign_id"] or lead["campaign_id"] in campaigns for lead in data.tabs["Leads"]
    )
    converted = [lead for lead in data.tabs["Leads"] if lead["status"] == "converted"]
    assert converted and all(lead["customer_id"] in customers for lead in converted)


def test_shop_is_realistic_and_multilingual():
    data = build_demo(AS_OF)
    assert 200 <= len(data.tabs["Customers"]) <= 500
    names = " ".join(c["name"] for c in data.tabs["Customers"])
    assert re.search("[\u0600-\u06ff]", names), "no Persian names"
    assert re.search("[\u0980-\u09ff]", names), "no Bengali names"
    sources = {lead["source"] for lead in data.tabs["Leads"]}
    assert {"affiliate", "referral", "instagram"} <= sources
    kinds = {i["type"] for i in data.tabs["Interactions"]}
    assert "purchase" in kinds and len(kinds) >= 4
    assert len({t["assignee"] for t in data.tabs["Tasks"]}) >= 3


def test_demo_on_memory_backend_and_summary_matches_data():
    crm = CRM(backend=MemoryBackend())
    write_demo(crm, AS_OF)
    assert not plan_demo(crm, AS_OF)  # re-run: nothing to change
    frames = {t.name: crm.frame(t.name) for t in crm.schema.data_tabs}
    assert all(not df.attrs["issues"] for df in frames.values())
    s = summarize(frames, AS_OF)
    purchases = [i for i in build_demo(AS_OF).tabs["Interactions"] if i["type"] == "purchase"]
    assert s.orders == len(purchases)
    assert abs(s.revenue_total - sum(i["amount"] for i in purchases)) < 0.01
    assert s.counts["Customers"] == 300


def test_summary_of_an_empty_crm_has_no_errors():
    crm = CRM(backend=MemoryBackend())
    crm.init()
    frames = {t.name: crm.frame(t.name) for t in crm.schema.data_tabs}
    s = summarize(frames, AS_OF)
    assert s.orders == 0 and s.average_order_value is None and s.top_products == []


def test_run_demo_is_the_whole_command_in_one_call(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("SHEETCRM_SNAPSHOTS", str(tmp_path / "snapshots"))
    path = tmp_path / "shop" / "crm.xlsx"
    path.parent.mkdir()
    crm = CRM(backend=XlsxBackend(path))
    planned = run_demo(crm, AS_OF, dry_run=True)
    assert planned.written.dry_run and planned.written.changes and not path.exists()
    assert (planned.refreshed, planned.report, planned.summary) == (None, None, None)
    done = run_demo(crm, AS_OF)
    assert done.where == str(path.resolve()) and done.written.audit_id
    assert done.refreshed is not None and done.refreshed.changes
    assert done.report is not None and done.report.path == path.parent / "crm-report.html"
    assert done.report.path.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert done.summary is not None and done.summary.counts["Customers"] == 300
    assert done.summary == summarize(CRM(backend=XlsxBackend(path)).frames(), AS_OF)
    again = run_demo(crm, AS_OF, report_dir=tmp_path)
    assert not again.written.changes and not again.refreshed.changes
    assert again.report.path == tmp_path / "crm-report.html"
