"""The board's rules: snapshot, events in order, zones, highlight, and which calls are announced."""

from __future__ import annotations

import datetime as dt

import pytest

from appliance import hublink
from appliance.live import LiveOffice, Office
from appliance.records import Event, RecordError, Snapshot
from appliance.tasks import InlineTasks
from queue_display.board import Board, Zone
from queue_display.controller import DisplayController


def ticket(tid, number, service="A", counter=None, state="called"):
    return {
        "id": tid,
        "number": number,
        "service": service,
        "state": state,
        "counter": counter,
        "counter_name": f"Quầy {counter}" if counter else None,
    }


def counter(n, services=("A",), current=None, state="open"):
    return {
        "number": n,
        "name": f"Quầy {n}",
        "state": state,
        "services": list(services),
        "clerk": "Lan",
        "current": current,
    }


def service(code, waiting):
    return {"code": code, "name_vi": f"Dịch vụ {code}", "name_en": code, "waiting": waiting}


STATE = {
    "day": "2026-11-29",
    "last_event_id": 100,
    "services": [service("A", 4), service("B", 2)],
    "counters": [
        counter(1),
        counter(2, ("B",)),
        counter(3, ("A", "B")),
        counter(4, state="closed"),
    ],
    "notice": {"text_vi": "Giờ làm việc 7:30", "text_en": "Open 7:30"},
    "recent_calls": [ticket(9, "A009", counter=1), ticket(8, "B008", "B", counter=2)],
}


def loaded(*args, **kwargs):
    """A board on an office loaded from :data:`STATE`."""
    office = Office()
    office.load(Snapshot.from_wire(STATE))
    board = Board(office, *args, **kwargs)
    board.load()
    return board


def apply(board, event_id, kind, data, age_s=None):
    """An event as the live view hands it on: the office takes it, then the board."""
    event = Event.from_wire(event_id, kind, data)
    board.office.apply(event)
    return board.apply(event, age_s)


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def called(event_id, tid, number, counter_no, svc="A", kind="ticket.called", waiting=3):
    t = ticket(tid, number, svc, counter_no)
    return (
        event_id,
        kind,
        {
            "ticket": t,
            "counter": counter(counter_no, (svc,), t),
            "services": [service(svc, waiting)],
        },
    )


def test_snapshot_fills_the_board_without_announcing():
    board = loaded()
    assert board.latest.number == "A009" and board.latest.counter == 1
    assert [c.number for c in board.recent] == ["B008"]
    assert [c.number for c in board.open_counters()] == [1, 2, 3]  # closed 4 is hidden
    assert [(s.code, s.waiting) for s in board.waiting()] == [("A", 4), ("B", 2)]
    assert board.notice == ("Giờ làm việc 7:30", "Open 7:30")
    assert not board.highlighted()


def test_a_call_becomes_the_big_number_is_highlighted_then_fades_and_is_announced():
    clock = FakeClock()
    board = loaded(highlight_s=10, clock=clock)
    announcement = apply(board, *called(101, 23, "A023", 3, waiting=3))
    assert (announcement.number, announcement.counter, announcement.recall) == ("A023", 3, False)
    assert board.latest.number == "A023"
    assert [c.number for c in board.recent] == ["A009", "B008"]
    assert board.office.counters[3].current.number == "A023"
    assert board.office.services["A"].waiting == 3
    assert board.highlighted()
    clock.now += 10.1
    assert not board.highlighted()


def test_recall_is_announced_again_and_moves_the_ticket_to_the_top_once():
    board = loaded()
    apply(board, *called(101, 23, "A023", 3))
    apply(board, *called(102, 24, "A024", 1))
    again = apply(board, *called(103, 23, "A023", 3, kind="ticket.recalled"))
    assert again.recall and again.number == "A023"
    assert [c.number for c in board.calls] == ["A023", "A024", "A009", "B008"]


def test_stale_calls_update_the_board_but_are_not_announced():
    clock = FakeClock()
    board = loaded(stale_after_s=30, clock=clock)
    assert apply(board, *called(101, 23, "A023", 3), age_s=300.0) is None
    assert board.latest.number == "A023"  # shown...
    assert not board.highlighted()  # ...but not flashed as if new
    assert apply(board, *called(102, 24, "A024", 1), age_s=0.2) is not None


def test_events_up_to_the_snapshot_or_repeated_are_ignored():
    board = loaded()
    assert apply(board, *called(100, 23, "A023", 3)) is None  # already in the snapshot
    assert board.latest.number == "A009"
    assert apply(board, *called(101, 23, "A023", 3)) is not None
    assert apply(board, *called(101, 23, "A023", 3)) is None  # the same id twice


def test_zone_shows_and_announces_only_its_counters_and_services():
    board = loaded(Zone.of(counters=[2, 3]))
    assert [c.number for c in board.calls] == ["B008"]  # A009 was at counter 1
    assert [c.number for c in board.open_counters()] == [2, 3]
    assert [s.code for s in board.waiting()] == ["A", "B"]  # counter 3 serves both
    assert apply(board, *called(101, 23, "A023", 1)) is None
    assert apply(board, *called(102, 24, "A024", 3)).number == "A024"

    by_service = loaded(Zone.of(services=["B"]))
    assert [c.number for c in by_service.open_counters()] == [2, 3]
    assert [s.code for s in by_service.waiting()] == ["B"]
    assert apply(by_service, *called(101, 23, "A023", 3)) is None
    assert apply(by_service, *called(102, 30, "B030", 3, "B")).number == "B030"


def test_counter_pause_notice_and_new_day():
    board = loaded()
    version = board.version
    apply(board, 103, "counter.updated", {"counter": counter(2, ("B",), state="paused")})
    assert board.office.counters[2].state == "paused" and board.version > version
    apply(board, 104, "notice.updated", {"notice": {"text_vi": "Nghỉ trưa", "text_en": "Lunch"}})
    assert board.notice == ("Nghỉ trưa", "Lunch")
    apply(board, 105, "day.opened", {"day": "2026-11-30"})
    assert board.day == "2026-11-30" and board.calls == []
    assert all(c.current is None for c in board.office.counters.values())


def test_event_age_is_judged_on_the_hubs_clock():
    at = "2026-11-29T08:15:00+07:00"
    stamp = dt.datetime.fromisoformat(at).timestamp()
    wall = [stamp + 2.0]
    live = LiveOffice(DeadClient(), InlineTasks(), wall=lambda: wall[0])

    def event(at):
        return Event.from_wire(1, "ticket.called", {"at": at})

    assert live.age(event(at)) == 2.0
    # our clock is 120 s behind the hub's: the offset puts it right
    wall[0], live.clock_offset = stamp - 118.0, 120.0
    assert live.age(event(at)) == 2.0
    assert live.age(event(None)) is None
    assert live.age(event("2026-11-29T08:15:00")) is None  # naive: unknown
    with pytest.raises(RecordError, match="at: expected an ISO 8601 time"):
        event("yesterday")  # refused where events are read, so never judged


class RecordingAnnouncer:
    def __init__(self):
        self.heard = []

    def announce(self, announcement):
        self.heard.append(announcement.number)

    def stop(self):
        pass


class DeadClient:
    """A client for a controller test that never reaches the network."""

    base_url = "http://127.0.0.1:9"
    timeout = 0.1


def test_controller_applies_events_announces_fresh_ones_and_tells_the_screen():
    announcer = RecordingAnnouncer()
    live = LiveOffice(DeadClient(), InlineTasks())
    controller = DisplayController(live, Board(live.office, stale_after_s=30), announcer)
    live.office.load(Snapshot.from_wire(STATE))
    controller.board.load()
    live.saw(None)  # the hub answered
    changes = []
    live.subscribe(lambda update: changes.append(controller.board.version))
    now = dt.datetime.now(dt.UTC)
    fresh = called(101, 23, "A023", 3)
    fresh[2]["at"] = now.isoformat()
    old = called(102, 24, "A024", 1)
    old[2]["at"] = (now - dt.timedelta(minutes=5)).isoformat()
    for event_id, kind, data in (fresh, old):
        live._on_stream_event(hublink.Event(event_id, kind, data))
    assert announcer.heard == ["A023"]
    assert controller.board.latest.number == "A024"
    assert len(changes) == 2
    live.saw(None)
    assert controller.online is True and len(changes) == 2  # already online: no redraw
    live._stream_online(False)
    assert controller.online is False and len(changes) == 3
