"""What the panel allows and what it shows, decided from the hub's views (no hub, no window)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.live import Office
from appliance.records import Event, Snapshot, Ticket
from counter_panel.queue_view import QueueView
from counter_panel.rules import normalize_number, refusal
from counter_panel.settings import CounterSettings
from motcua.config import ConfigError, load

BASE = dict(logged_in=True, locked=False, online=True, busy=False, counter_state="open", waiting=3)


def ticket(state: str, **extra):
    return {"id": 1, "number": "A001", "service": "A", "state": state, **extra}


@pytest.mark.parametrize(
    ("action", "current", "allowed"),
    [
        ("call_next", None, True),
        ("call_next", ticket("called"), False),  # a second tap would finish it unseen
        ("call_next", ticket("serving"), True),  # the hub finishes it and calls the next
        ("recall", None, False),
        ("recall", ticket("called"), True),
        ("recall", ticket("serving"), False),
        ("start", ticket("called"), True),
        ("start", ticket("serving"), False),
        ("finish", ticket("called"), True),
        ("finish", ticket("serving"), True),
        ("finish", None, False),
        ("no_show", ticket("called"), True),
        ("no_show", ticket("serving"), False),
        ("transfer", ticket("serving"), True),
        ("transfer", None, False),
        ("call_number", None, True),
        ("pause", ticket("serving"), True),
        ("lock", None, True),
    ],
)
def test_each_action_is_allowed_only_in_the_states_it_applies_to(action, current, allowed):
    current = Ticket.from_wire(current) if current else None
    assert (refusal(action, current=current, **BASE) is None) is allowed


def test_every_refusal_has_a_reason_and_offline_busy_locked_logged_out_refuse_everything():
    for flag, value, reason in [
        ("logged_in", False, "Log in first."),
        ("locked", True, "The panel is locked."),
        ("busy", True, "Please wait: the last action is still being sent."),
        ("online", False, "Offline: cannot reach the hub"),
    ]:
        for action in ["call_next", "recall", "finish", "pause"]:
            args = {**BASE, flag: value}
            assert refusal(action, current=Ticket.from_wire(ticket("called")), **args) == reason
    assert refusal("call_next", current=None, **{**BASE, "counter_state": "paused"}) == (
        "The counter is paused: resume it first."
    )
    assert refusal("call_next", current=None, **{**BASE, "waiting": 0}) == "Nobody is waiting."
    with pytest.raises(ValueError, match="teleport"):
        refusal("teleport", current=None, **BASE)


def test_ticket_numbers_are_normalized_or_refused():
    assert normalize_number(" a 12 ") == "A12"
    assert normalize_number("1005") == "1005"
    assert normalize_number("A-12") is None
    assert normalize_number("") is None
    assert normalize_number("ABCD1") is None


def service(code, waiting):
    return {"code": code, "name_vi": code, "name_en": code, "waiting": waiting, "state": "open"}


def snapshot(waiting_a=0, waiting_b=0, current=None, state="open"):
    return {
        "services": [service("A", waiting_a), service("B", waiting_b)],
        "counters": [
            {"number": 3, "name": "Quầy 3", "state": state, "services": ["A"], "current": current},
            {"number": 5, "name": "Quầy 5", "state": "open", "services": ["B"], "current": None},
        ],
        "last_event_id": 10,
    }


def issued(ticket_id, service_code, at, counter=None):
    return {
        "ticket": {
            "id": ticket_id,
            "number": f"{service_code}{ticket_id:03d}",
            "service": service_code,
            "state": "waiting",
            "issued_at": at,
            "counter": counter,
        }
    }


def view_of(state, now, counter=3):
    """A counter's view of an office loaded from ``state`` at hub time ``now``."""
    office = Office()
    office.load(Snapshot.from_wire(state))
    view = QueueView(office, counter)
    view.load_snapshot(now)
    return view


def apply(view, data, mine=True):
    """An event as the live view hands it on: the office takes it, then the counter's view."""
    event = Event.from_wire((view.office.last_event_id or 0) + 1, "ticket.updated", data)
    view.office.apply(event)
    view.apply_event(event, mine=mine)


def test_oldest_wait_is_exact_when_every_waiting_ticket_was_seen():
    t0 = 1_800_000_000.0  # 2027-01-15T08:00:00+00:00
    view = view_of(snapshot(), t0)
    assert view.oldest_wait("A", t0) is None
    apply(view, {**issued(1, "A", "2027-01-15T08:00:00+00:00"), "services": [service("A", 1)]})
    apply(view, {**issued(2, "A", "2027-01-15T08:05:00+00:00"), "services": [service("A", 2)]})
    now, first = t0 + 600, t0
    oldest = view.oldest_wait("A", now)
    assert oldest.exact and oldest.seconds == pytest.approx(now - first)
    # The first one is called: the second is now the oldest.
    apply(view, {"ticket": {"id": 1, "number": "A001", "service": "A", "state": "called"},
                 "services": [service("A", 1)]})  # fmt: skip
    assert view.oldest_wait("A", now).seconds == pytest.approx(now - first - 300)


def test_oldest_wait_owns_up_to_tickets_issued_before_the_panel_followed_the_stream():
    view = view_of(snapshot(waiting_a=4), 1000.0)
    oldest = view.oldest_wait("A", 1090.0)
    assert not oldest.exact and oldest.seconds == pytest.approx(90.0)  # "at least 90 s"
    assert view.waiting_total() == 4  # only A is served here; B's line is not ours


def test_waiting_total_counts_a_ticket_sent_to_this_counter_from_another_service():
    view = view_of(snapshot(), 1000.0)
    assert view.waiting_total() == 0
    apply(view, {**issued(7, "B", "2027-01-15T08:00:00+00:00", counter=3),
                 "services": [service("B", 1)]})  # fmt: skip
    assert view.waiting_total() == 1
    apply(view, {**issued(8, "B", "2027-01-15T08:00:00+00:00", counter=5),
                 "services": [service("B", 2)]})  # fmt: skip
    assert view.waiting_total() == 1


def test_events_update_this_counter_unless_told_they_are_older():
    view = view_of(snapshot(current=ticket("called")), 1000.0)
    assert view.current.number == "A001"
    finished = {"number": 3, "state": "open", "services": ["A"], "current": None}
    apply(view, {"counter": finished}, mine=False)
    assert view.current is not None
    apply(view, {"counter": finished})
    assert view.current is None
    services, counters = view.transfer_targets()
    assert [s.code for s in services] == ["A", "B"]
    assert [c.number for c in counters] == [5]  # not itself


def test_settings_need_a_counter_and_refuse_a_key_bound_twice(tmp_path):
    with pytest.raises(ConfigError, match="'counter'"):
        load(CounterSettings, env={})
    settings = load(CounterSettings, env={"MOTCUA_COUNTER": "3"})
    assert settings.shortcuts.mapping()["f1"] == "call_next"
    assert settings.shortcuts.mapping()["spacebar"] == "call_next"
    assert settings.keypad.keys.mapping()["5"] == "finish"
    config = tmp_path / "panel.toml"
    config.write_text('counter = 3\n[shortcuts]\nrecall = "F1"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"shortcuts\.recall.*already bound to call_next"):
        load(CounterSettings, path=config, env={})
    config.write_text('counter = 3\n[keypad]\ndriver = "usb"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"keypad\.driver"):
        load(CounterSettings, path=config, env={})
    config.write_text('counter = 3\nrating = "maybe"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="rating"):
        load(CounterSettings, path=config, env={})


def test_the_example_config_loads_as_written():
    example = Path(__file__).resolve().parents[2] / "counter_panel" / "example.toml"
    settings = load(CounterSettings, path=example, env={})
    assert settings.counter == 3 and settings.fullscreen
    assert settings.keypad.driver == "serial" and settings.keypad.keys.mapping()["*"] == "lock"
    assert settings.shortcuts.keys_for("call_next") == ["f1", "spacebar"]


def test_a_retried_press_keeps_its_key_until_answered_or_too_old():
    from counter_panel.retry_keys import RetryKeys

    now = [0.0]
    keys = RetryKeys(lambda: now[0], window_s=60)
    first = keys.key_for(("recall", "[]"))
    now[0] = 30
    assert keys.key_for(("recall", "[]")) == first  # the retry of an unanswered press
    assert keys.key_for(("call_number", "[('number', 'A1')]")) != first  # another press
    keys.answered(("recall", "[]"))
    second = keys.key_for(("recall", "[]"))
    assert second != first  # answered: pressing again is a new action
    now[0] = 95
    assert keys.key_for(("recall", "[]")) != second  # a minute later: a new intention
    keys.clear()
    assert keys.pending() == {}
