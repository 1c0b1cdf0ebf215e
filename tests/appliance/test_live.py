"""The live view of the office: typed records, snapshot then events, held events, a restored hub,
the hub's clock. Plain tests with a stub hub where the network is not the point; a real hub
where it is, served from the test's process (``inprocess_hub``: real HTTP and event streams on
127.0.0.1, stopped and started again on its database as a hub process is)."""

from __future__ import annotations

import contextlib
import queue
import shutil
import time
from typing import Any

import pytest

from appliance import hublink
from appliance.hublink import HubClient, HubUnreachable
from appliance.live import LiveOffice, Office, Update
from appliance.records import Counter, Event, RecordError, Service, Snapshot, Ticket
from appliance.tasks import InlineTasks


def ticket(tid=1, number="A001", state="waiting", **extra):
    return {"id": tid, "number": number, "service": "A", "state": state, **extra}


def state(last_event_id=10, waiting=0, **extra):
    return {
        "day": "2026-11-29",
        "services": [{"code": "A", "name_vi": "Đất đai", "waiting": waiting, "state": "open"}],
        "counters": [
            {
                "number": 1,
                "name": "Quầy 1",
                "state": "open",
                "services": ["A"],
                "clerk": None,
                "current": None,
            }
        ],
        "last_event_id": last_event_id,
        "notice": {"text_vi": "Chào", "text_en": "Hello"},
        "recent_calls": [],
        **extra,
    }


def issued(event_id, tid, waiting, at="2026-11-29T08:00:00+07:00"):
    data = {"at": at, "ticket": ticket(tid, f"A{tid:03d}", issued_at=at),
            "services": [{"code": "A", "waiting": waiting, "state": "open"}]}  # fmt: skip
    return hublink.Event(event_id, "ticket.issued", data)


# -- records ---------------------------------------------------------------------------------


def test_records_are_typed_and_fields_added_by_a_newer_hub_are_ignored():
    record = Ticket.from_wire(
        ticket(
            counter=3,
            issued_at="2026-11-29T08:15:02+07:00",
            estimated_wait_s=540,
            hologram="a field from the future",
        )
    )
    assert (record.id, record.number, record.counter, record.estimated_wait_s) == (
        1, "A001", 3, 540.0,
    )  # fmt: skip
    assert record.issued_at.isoformat() == "2026-11-29T08:15:02+07:00"
    assert record.called_at is None and record.counter_name == ""
    counter = Counter.from_wire({"number": 2, "services": ["A", "B"], "current": ticket(),
                                 "mood": "sunny"})  # fmt: skip
    assert counter.services == ("A", "B") and counter.current.number == "A001"
    snapshot = Snapshot.from_wire(state(rooms=3))
    assert snapshot.services[0] == Service("A", name_vi="Đất đai", state="open")
    assert snapshot.notice.text_en == "Hello" and snapshot.last_event_id == 10


@pytest.mark.parametrize(
    ("parse", "data", "message"),
    [
        (Ticket.from_wire, ticket(id="7"), r"ticket\.id: expected an integer, got '7'"),
        (Ticket.from_wire, ticket(issued_at="yesterday"), r"ticket\.issued_at: .*ISO 8601"),
        (Ticket.from_wire, {"id": 1, "service": "A", "state": "new"}, r"ticket\.number: missing"),
        (Ticket.from_wire, ticket(priority="yes"), r"ticket\.priority: expected true or false"),
        (Service.from_wire, {"code": "A", "waiting": "many"}, r"service\.waiting"),
        (Counter.from_wire, {"number": 1, "services": "A"}, r"counter\.services: .*list"),
        (Counter.from_wire, {"number": 1, "current": "A001"}, r"ticket: expected an object"),
        (Snapshot.from_wire, state(counters={"1": {}}), r"state\.counters: expected a list"),
        (Snapshot.from_wire, [], r"state: expected an object, got list"),
    ],
)
def test_a_malformed_record_is_refused_naming_the_field(parse, data, message):
    with pytest.raises(RecordError, match=message):
        parse(data)


def test_an_event_payload_is_typed_in_one_place():
    event = Event.from_wire(5, "counter.updated", {
        "at": "2026-11-29T08:00:00+07:00", "reason": "pause", "by": {"user": "lan"},
        "counter": {"number": 1, "state": "paused"}, "services": [{"code": "A"}]})  # fmt: skip
    assert event.topic == "counter" and event.reason == "pause"
    assert event.counter.state == "paused" and event.services[0].code == "A"
    assert event.ticket is None


# -- the office, fed by hand -----------------------------------------------------------------


def test_the_office_applies_events_in_order_once_and_a_new_day_empties_the_counters():
    office = Office()
    office.load(Snapshot.from_wire(state(
        counters=[{"number": 1, "state": "open", "current": ticket(state="called")}])))  # fmt: skip
    assert office.counters[1].current.number == "A001"
    event = Event.from_wire(11, "ticket.issued", issued(11, 2, 1).data)
    assert office.apply(event) and office.services["A"].waiting == 1
    assert not office.apply(event)  # the same id again: nothing changes
    assert not office.apply(Event.from_wire(10, "ticket.issued", issued(10, 3, 9).data))
    assert office.services["A"].waiting == 1
    assert office.apply(Event.from_wire(12, "day.opened", {"day": "2026-11-30"}))
    assert office.day == "2026-11-30" and office.counters[1].current is None


# -- the live view with a stub hub -----------------------------------------------------------


class StubClient:
    """Answers ``GET /api/v1/state`` from a list (an exception in it is raised instead)."""

    base_url = "http://127.0.0.1:9"
    timeout = 1.0

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.asked = 0

    def get(self, path: str) -> Any:
        assert path == "/api/v1/state"
        self.asked += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class StubStream:
    """Stands in for :class:`EventStream`: the test plays the hub's side through its callbacks."""

    def __init__(self, base_url, on_event, on_online, *, on_reset, topics, last_event_id):
        self.on_event, self.on_online, self.on_reset = on_event, on_online, on_reset
        self.topics, self.last_event_id = topics, last_event_id
        self.online = False
        self.started = self.stopped = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.stopped = True


class HeldTasks(InlineTasks):
    """Work waits until :meth:`release` when ``hold`` is set: a snapshot still on its way."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = False
        self.held: list[Any] = []

    def run(self, work, done, failed) -> None:
        if self.hold:
            self.held.append((work, done, failed))
        else:
            super().run(work, done, failed)

    def release(self) -> None:
        self.hold = False
        while self.held:
            super().run(*self.held.pop(0))


def live_with(*answers: Any, tasks=None, offset=0.0, wall=time.time) -> tuple[LiveOffice, list]:
    live = LiveOffice(
        StubClient(*answers),
        tasks or InlineTasks(),
        stream_factory=StubStream,
        wall=wall,
        clock_probe=lambda url, timeout, wall: offset,
    )
    updates: list[Update] = []
    live.subscribe(updates.append)
    return live, updates


def test_snapshot_then_the_stream_from_its_id_and_one_update_per_change():
    live, updates = live_with(state(last_event_id=10))
    live.start()
    assert live.loaded and live.online is True
    assert live.stream.started and live.stream.last_event_id == 10  # nothing falls between
    assert live.stream.topics == ["ticket", "counter", "day", "notice", "office"]
    live.stream.on_event(issued(11, 1, waiting=1))
    assert live.office.services["A"].waiting == 1
    assert [u.kind for u in updates] == ["snapshot", "online", "event"]
    assert updates[-1].event.ticket.number == "A001" and not updates[-1].known
    live.stream.on_online(False)
    assert live.online is False and updates[-1].kind == "online"
    live.stop()
    assert live.stream is None


def test_events_arriving_during_a_reload_are_held_then_applied_on_top_of_it():
    tasks = HeldTasks()
    live, updates = live_with(state(10), state(11, waiting=1), tasks=tasks)
    live.start()
    tasks.hold = True
    live.reload()
    live.stream.on_event(issued(11, 1, waiting=1))  # already in the coming snapshot
    live.stream.on_event(issued(12, 2, waiting=2))  # newer than it
    assert live.office.services["A"].waiting == 0  # nothing applied before the snapshot
    tasks.release()
    assert live.office.services["A"].waiting == 2
    events = [(u.event.id, u.known) for u in updates if u.kind == "event"]
    assert events == [(11, True), (12, False)]  # the known one still told, marked


def test_a_change_to_the_office_in_the_console_loads_the_office_again():
    renamed = state(11)
    renamed["services"][0]["name_vi"] = "Đất đai – cấp sổ"
    live, updates = live_with(state(10), renamed)
    live.start()
    data = {"id": 11, "type": "office.updated", "by": {"name": "Quản trị"}}
    live.stream.on_event(hublink.Event(11, "office.updated", data))
    assert live.office.services["A"].name_vi == "Đất đai – cấp sổ"
    assert [u.kind for u in updates].count("snapshot") == 2
    assert live.client.asked == 2


def test_a_restored_hub_drops_what_was_built_from_lost_events_and_reloads():
    live, updates = live_with(state(10), state(4, waiting=3))
    live.start()
    live.stream.on_event(issued(11, 1, waiting=1))
    live.stream.on_event(issued(12, 2, waiting=2))
    live.stream.on_reset(4)  # the hub's log is at 4 now: 5..12 were lost
    assert live.office.last_event_id == 4 and live.office.services["A"].waiting == 3
    live.stream.on_event(issued(5, 9, waiting=4))  # a new event reusing a seen id
    assert live.office.services["A"].waiting == 4
    assert [u.kind for u in updates].count("snapshot") == 2


def test_a_failed_load_is_said_and_the_stream_loads_once_it_connects():
    live, updates = live_with(HubUnreachable("down"), state(10))
    live.start()
    assert live.online is False and not live.loaded
    assert [u.kind for u in updates] == ["online", "failed"]
    assert live.stream.last_event_id is None  # the hub's newest, once it answers
    live.stream.online = True
    live.stream.on_online(True)
    assert live.loaded and live.online is True


def test_a_malformed_state_or_event_is_refused_not_half_applied(caplog):
    live, updates = live_with(state(counters=[{"number": "one"}]), state(10))
    live.start()
    assert not live.loaded and updates[-1].kind == "failed"
    assert isinstance(updates[-1].error, RecordError)
    assert "counter.number" in caplog.text
    live.reload()
    live.stream.on_event(hublink.Event(11, "ticket.issued", {"ticket": {"id": 1}}))
    assert "event 11 refused: ticket.number: missing" in caplog.text
    assert [u.kind for u in updates].count("event") == 0


def test_times_are_read_on_the_hubs_clock():
    now = 1_800_000_000.0  # 2027-01-15T08:00:00+00:00
    live, updates = live_with(state(10), offset=-7200.0, wall=lambda: now + 7200)
    live.start()  # this device's clock is two hours ahead of the hub's
    assert live.hub_now() == pytest.approx(now)
    live.stream.on_event(issued(11, 1, waiting=1, at="2027-01-15T07:59:30+00:00"))
    assert updates[-1].age_s == pytest.approx(30.0)
    naive = hublink.Event(12, "ticket.issued", {**issued(12, 2, 2).data, "at": "2027-01-15T07:59"})
    live.stream.on_event(naive)
    assert updates[-1].age_s is None  # a time without its offset cannot be judged


# -- against a real hub ----------------------------------------------------------------------


class PumpedTasks(InlineTasks):
    """Work runs at once; the stream's callbacks wait for :meth:`until`, as for a UI thread."""

    def __init__(self) -> None:
        super().__init__()
        self.inbox: queue.Queue = queue.Queue()

    def call_soon(self, fn) -> None:
        self.inbox.put(fn)

    def until(self, condition, timeout=10.0, what="") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            with contextlib.suppress(queue.Empty):
                self.inbox.get(timeout=0.05)()


def real_live(hub, tasks, wall=time.time) -> LiveOffice:
    def stream(*args: Any, **kwargs: Any) -> hublink.EventStream:
        return hublink.EventStream(*args, **kwargs, backoff=(0.1, 0.5))

    return LiveOffice(HubClient(hub.url, timeout=3.0), tasks, stream_factory=stream, wall=wall)


def issue(hub, service="A") -> dict:
    status, body = hub.request("POST", "/api/v1/tickets", {"service": service},
                               token=hub.kiosk_token)  # fmt: skip
    assert status == 201, body
    return body


def test_against_a_real_hub_counts_follow_and_the_clock_offset_is_measured(inprocess_hub):
    hub_process = inprocess_hub
    tasks = PumpedTasks()
    live = real_live(hub_process, tasks, wall=lambda: time.time() + 7200)
    live.start()
    try:
        tasks.until(lambda: live.stream_online, what="the stream")
        assert live.office.services["A"].waiting == 0
        assert -7201.5 < live.clock_offset < -7198.5  # this clock is two hours ahead
        assert abs(live.hub_now() - time.time()) < 1.5
        first = issue(hub_process)
        tasks.until(lambda: live.office.services["A"].waiting == 1, what="the issued event")
        issue(hub_process, "B")
        tasks.until(lambda: live.office.services["B"].waiting == 1, what="the second event")
        _status, body = hub_process.request("GET", "/api/v1/state")
        assert live.office.last_event_id == body["last_event_id"]
        assert first["number"].startswith("A")
    finally:
        live.stop()
        live.client.close()


def test_against_a_real_hub_restored_from_an_older_backup(inprocess_hub, tmp_path):
    hub = inprocess_hub
    tasks = PumpedTasks()
    live = real_live(hub, tasks)
    issue(hub)
    hub.stop()
    backup = tmp_path / "backup"
    backup.mkdir()
    for path in hub.db_path.parent.glob(hub.db_path.name + "*"):
        shutil.copy2(path, backup / path.name)  # one ticket waiting in A
    hub.start()
    live.start()
    try:
        tasks.until(lambda: live.stream_online, what="the stream")
        for _ in range(3):
            issue(hub)
        tasks.until(lambda: live.office.services["A"].waiting == 4, what="four waiting")
        seen = live.office.last_event_id
        hub.stop()
        for path in hub.db_path.parent.glob(hub.db_path.name + "*"):
            path.unlink()
        for path in backup.iterdir():
            shutil.copy2(path, hub.db_path.parent / path.name)
        hub.start()
        tasks.until(lambda: live.office.services["A"].waiting == 1, 20, "the restored count")
        assert live.office.last_event_id < seen
        issue(hub)  # a new event, its id one already seen before the restore
        tasks.until(lambda: live.office.services["A"].waiting == 2, what="an event after it")
    finally:
        live.stop()
        live.client.close()


def test_a_reload_that_fails_while_the_stream_is_up_is_tried_again():
    scheduled = []
    client = StubClient(state(10), HubUnreachable("busy"), state(12, waiting=2))
    live = LiveOffice(
        client,
        InlineTasks(),
        stream_factory=StubStream,
        later=lambda delay, fn: scheduled.append((delay, fn)),
        clock_probe=lambda url, timeout, wall: 0.0,
    )
    live.start()
    live.stream.online = True
    live.stream.on_online(True)
    live.reload()  # after a refusal, say: this one fails
    assert live.online is False and [delay for delay, _fn in scheduled] == [1.0]
    scheduled[0][1]()
    assert live.online is True and live.office.services["A"].waiting == 2
    live.stop()
    live.reload()  # a retry still scheduled when the app stopped asks nothing
    assert client.asked == 3
