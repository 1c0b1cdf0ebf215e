"""The hub as a real process: a ticket issued at the kiosk is called at a counter."""

from __future__ import annotations

from hub.testing import HubProcess


def test_issue_then_call_next_over_http(hub_process: HubProcess) -> None:
    status, ticket = hub_process.request(
        "POST", "/api/v1/tickets", {"service": "A"}, token=hub_process.kiosk_token
    )
    assert status == 201
    assert ticket["number"] == "A001"
    clerk = hub_process.clerk_token(1)
    status, body = hub_process.request("POST", "/api/v1/counters/1/call-next", token=clerk)
    assert status == 200
    assert body["ticket"]["number"] == "A001"
    assert body["ticket"]["state"] == "called"
    assert body["counter"]["current"]["number"] == "A001"
