"""The citizen-facing rating screen (second display) against a real hub: events in, rating out."""

from __future__ import annotations

import sqlite3

import pytest
from panel_support import PumpedTasks, issue

from appliance.hublink import EventStream, HubClient
from counter_panel.rating_station import RatingStation

COUNTER = 2


def station_for(hub, tasks, clock=None):
    client = HubClient(hub.url, hub.counter_tokens[COUNTER], timeout=3.0)

    def stream(url, on_event, on_online, **kwargs):
        return EventStream(url, on_event, on_online, **kwargs, backoff=(0.1, 0.5))

    kwargs = {"clock": clock} if clock else {}
    return RatingStation(client, COUNTER, tasks, timeout_s=20, stream_factory=stream, **kwargs)


def clerk_acts(hub, token, action, counter=COUNTER):
    status, body = hub.request("POST", f"/api/v1/counters/{counter}/{action}", {}, token=token)
    assert status == 200, body
    return body


def test_a_finished_ticket_is_rated_on_the_second_screen_with_counter_and_clerk(hub_process):
    tasks = PumpedTasks()
    station = station_for(hub_process, tasks)
    station.start()
    try:
        tasks.until(lambda: station.online, what="the stream")
        clerk = hub_process.clerk_token(COUNTER)
        first, _second = issue(hub_process, "A"), issue(hub_process, "A")
        clerk_acts(hub_process, clerk, "call-next")
        tasks.until(lambda: station.serving == first["number"], what="serving shown")
        assert station.rating_ticket is None
        clerk_acts(hub_process, clerk, "start")
        clerk_acts(hub_process, clerk, "finish")
        tasks.until(lambda: station.rating_ticket is not None, what="the question")
        assert station.rating_ticket.id == first["id"]
        with pytest.raises(ValueError, match=r"1\.\.5"):
            station.rate(6)
        assert station.rate(2)
        assert (
            station.rating_ticket is None and station.notice.msgid == "Thank you for your rating!"
        )
        with sqlite3.connect(hub_process.db_path) as db:
            row = db.execute(
                "SELECT level, counter, clerk FROM ratings WHERE ticket_id = ?", (first["id"],)
            ).fetchone()
        assert row == (2, COUNTER, "minh")
        # The next citizen is called before anyone rates: the question goes away by itself.
        clerk_acts(hub_process, clerk, "call-next")
        clerk_acts(hub_process, clerk, "finish")
        tasks.until(lambda: station.rating_ticket is not None, what="second question")
        third = issue(hub_process, "A")
        clerk_acts(hub_process, clerk, "call-next")
        tasks.until(lambda: station.serving == third["number"], what="third called")
        assert station.rating_ticket is None
        assert not station.rate(1)  # nothing to rate: nothing sent
        with sqlite3.connect(hub_process.db_path) as db:
            assert db.execute("SELECT count(*) FROM ratings").fetchone()[0] == 1
    finally:
        station.stop()


def test_an_unanswered_question_times_out_and_other_counters_are_ignored(hub_process):
    now = [1000.0]
    tasks = PumpedTasks()
    station = station_for(hub_process, tasks, clock=lambda: now[0])
    station.start()
    try:
        tasks.until(lambda: station.online, what="the stream")
        other = hub_process.clerk_token(4)  # counter 4 serves B and A
        issue(hub_process, "B")
        clerk_acts(hub_process, other, "call-next", counter=4)
        clerk_acts(hub_process, other, "finish", counter=4)
        clerk = hub_process.clerk_token(COUNTER)
        ours = issue(hub_process, "A")
        clerk_acts(hub_process, clerk, "call-next")
        # Events come in order: once our call is seen, counter 4's finish was seen before it.
        tasks.until(lambda: station.serving == ours["number"], what="our call")
        assert station.rating_ticket is None  # counter 4's citizen is not asked here
        clerk_acts(hub_process, clerk, "finish")
        tasks.until(lambda: station.rating_ticket is not None, what="our question")
        assert station.rating_ticket.counter == COUNTER
        now[0] += 19
        station.tick()
        assert station.rating_ticket is not None
        now[0] += 2
        station.tick()
        assert station.rating_ticket is None
    finally:
        station.stop()
