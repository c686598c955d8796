"""Test hooks: the after-handling hook, which client a request came from, two clients
interleaved through a hook, and scripted faults over the loopback control route."""

from __future__ import annotations

import json
import threading

import gspread
import pytest
import requests

from sheetcrm.emulator import Emulator, LoopbackServer, RequestEvent
from sheetcrm.emulator.control import CONTROL_HEADER, CONTROL_PATH, control

from .conftest import gspread_client


def test_the_after_hook_sees_the_request_applied_and_can_lose_the_answer(emulator, gc):
    sh = gc.create("after")
    ws = sh.sheet1
    ss = emulator.spreadsheets[sh.id]
    seen: list[tuple[str, int, object]] = []

    def after(event: RequestEvent, status: int) -> bool:
        seen.append((event.method_id, status, ss.sheets[0].get(0, 0)))
        return event.method_id.endswith("values.update") and status == 200

    emulator.on_response(after)
    with pytest.raises(requests.exceptions.ConnectionError):
        ws.update([["applied"]], "A1")
    assert seen == [("sheets.spreadsheets.values.update", 200, "applied")]
    with pytest.raises(gspread.exceptions.APIError):
        ws.update([["x"]], "Nope!A1")  # a 400: the hook still runs, with its status
    assert seen[-1][:2] == ("sheets.spreadsheets.values.update", 400)
    emulator.clear_hooks()
    ws.update([["answered"]], "A1")
    assert ws.acell("A1").value == "answered"


def test_before_and_after_hooks_get_the_same_event(emulator, gc):
    ws = gc.create("same").sheet1
    before: list[RequestEvent] = []
    after: list[RequestEvent] = []
    emulator.on_request(before.append)
    emulator.on_response(lambda e, status: after.append(e))
    ws.update([["x"]], "A1")
    ws.get("A1")
    assert [e.method_id for e in before] == [
        "sheets.spreadsheets.values.update",
        "sheets.spreadsheets.values.get",
    ]
    assert before[1].index == before[0].index + 1
    assert all(a is b for a, b in zip(before, after, strict=True))


def test_the_event_names_its_client():
    emu = Emulator()
    a, b = gspread_client(emu), gspread_client(emu)
    a.http_client.session.headers["X-Sheetcrm-Host"] = "host-a"
    b.http_client.session.headers["Authorization"] = "Bearer ya29.b"
    seen: list[RequestEvent] = []
    emu.on_request(seen.append)
    sh = a.create("who")
    b.open_by_key(sh.id)
    assert seen[0].host == "host-a" and seen[0].client == "host-a"
    assert seen[-1].token == "ya29.b" and seen[-1].client == "ya29.b"
    assert seen[-1].host is None and seen[-1].user_agent  # requests always sends one


def test_a_hook_may_wait_for_another_clients_request(emulator, loopback):
    """Hooks run outside the emulator's lock: client A's request can wait, in a hook, for a
    whole request of client B over HTTP (as a test interleaving two runs does)."""
    sid = emulator.create_spreadsheet("interleave").id
    values = f"{loopback.url}/v4/spreadsheets/{sid}/values"

    def b_writes_first(event: RequestEvent) -> None:
        if event.client == "host-a":
            answer = requests.put(
                f"{values}/A1?valueInputOption=RAW",
                json={"values": [["from b"]]},
                headers={"X-Sheetcrm-Host": "host-b"},
                timeout=10,
            )
            assert answer.status_code == 200

    emulator.on_request(b_writes_first)
    got: list[int] = []
    thread = threading.Thread(
        target=lambda: got.append(
            requests.put(
                f"{values}/B1?valueInputOption=RAW",
                json={"values": [["from a"]]},
                headers={"X-Sheetcrm-Host": "host-a"},
                timeout=10,
            ).status_code
        )
    )
    thread.start()
    thread.join(timeout=20)
    assert got == [200]
    assert emulator.spreadsheets[sid].sheets[0].rows[0] == ["from b", "from a"]


@pytest.fixture
def controlled(emulator):
    with LoopbackServer(emulator, control_token="s3cret") as server:
        yield server


def post_faults(server: LoopbackServer, body: object, token: str = "s3cret") -> requests.Response:
    return requests.post(
        server.url + CONTROL_PATH,
        data=json.dumps(body),
        headers={CONTROL_HEADER: token},
        timeout=10,
    )


def test_faults_scripted_over_http_hit_the_next_matching_request(emulator, controlled):
    sid = emulator.create_spreadsheet("faults").id
    url = f"{controlled.url}/v4/spreadsheets/{sid}/values/A1?valueInputOption=RAW"
    answer = post_faults(
        controlled,
        [
            {"match": "values.update", "status": 503, "retry_after": 7},
            {"match": "values.update", "drop": True},
        ],
    )
    assert answer.status_code == 200
    assert [f["status"] for f in answer.json()["faults"]] == [503, 200]
    first = requests.put(url, json={"values": [["one"]]}, timeout=10)
    assert first.status_code == 503 and first.headers["Retry-After"] == "7"
    with pytest.raises(requests.exceptions.ConnectionError):  # applied, answer lost
        requests.put(url, json={"values": [["two"]]}, timeout=10)
    assert emulator.spreadsheets[sid].sheets[0].get(0, 0) == "two"
    listed = requests.get(
        controlled.url + CONTROL_PATH, headers={CONTROL_HEADER: "s3cret"}, timeout=10
    )
    assert listed.json() == {"faults": []}
    post_faults(controlled, {"match": "values.get", "status": 500, "times": 3})
    cleared = requests.delete(
        controlled.url + CONTROL_PATH, headers={CONTROL_HEADER: "s3cret"}, timeout=10
    )
    assert cleared.json() == {"faults": []} and not emulator.faults
    stats = requests.get(controlled.url + "/_emulator/stats", timeout=10).json()
    assert stats["requests"] == {"sheets.spreadsheets.values.update": 2}  # control not counted


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": 500}, "'match'"),
        ({"match": "x", "times": 0}, "'times'"),
        ({"match": "x", "status": 200}, "'status'"),
        ({"match": "x", "when": "later"}, "unknown fault field(s): when"),
        ("nope", "a fault is a JSON object"),
    ],
)
def test_a_bad_fault_is_refused_with_a_reason(emulator, controlled, body, message):
    answer = post_faults(controlled, body)
    assert answer.status_code == 400 and message in answer.json()["error"]
    assert not emulator.faults


def test_the_control_route_needs_its_token_and_a_loopback_peer(emulator, controlled, loopback):
    assert post_faults(controlled, {"match": "x"}, token="wrong").status_code == 403
    assert (
        requests.post(controlled.url + CONTROL_PATH, json={"match": "x"}, timeout=10).status_code
        == 403
    )
    assert post_faults(loopback, {"match": "x"}).status_code == 404  # served without a token
    status, _ = control(emulator, "s3cret", "POST", "192.0.2.7", {CONTROL_HEADER: "s3cret"}, b"{}")
    assert status == 403
    assert not emulator.faults
