"""The kiosk's rules against a real hub, without a window: how long a ticket stays on screen,
the warning before the idle reset, reprinting without paper, codes typed without their
separators, and who has priority as the office's settings say."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from appliance.devices.printer import SimulatedPrinter
from appliance.hublink import HubClient
from appliance.tasks import InlineTasks
from appliance.translations import translator
from hub.inprocess import start_in_process_hub
from kiosk.controllers.codes import readings
from kiosk.controllers.kiosk import Kiosk


class FakeClock:
    """Monotonic seconds the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def clocked_kiosk(hub, tmp_path: Path, clock: FakeClock, condition: str = "ok") -> Kiosk:
    client = HubClient(hub.url, hub.kiosk_token, timeout=3.0)
    printer = SimulatedPrinter(tmp_path / f"printer-{condition}", 576, condition)
    return Kiosk(
        client, InlineTasks(), printer, translator("kiosk"), "UBND", 60.0, "test", clock=clock
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_printed_ticket_leaves_the_screen_after_15_seconds(inprocess_hub, tmp_path, clock):
    kiosk = clocked_kiosk(inprocess_hub, tmp_path, clock)
    try:
        kiosk.go("services")
        kiosk.tickets.issue("A")
        assert kiosk.visible_screen == "ticket" and kiosk.tickets.print_state == "printed"
        assert kiosk.ticket_left == 15
        clock.now += 14.2
        kiosk.tick()
        assert kiosk.visible_screen == "ticket" and kiosk.ticket_left == 1
        clock.now += 0.8
        kiosk.tick()
        # Gone, and with it the QR code that follows that ticket.
        assert kiosk.screen == "home" and kiosk.tickets.ticket is None
        assert kiosk.ticket_left is None
    finally:
        kiosk.close()


def test_an_unprinted_ticket_stays_longer_and_cannot_be_reprinted(inprocess_hub, tmp_path, clock):
    kiosk = clocked_kiosk(inprocess_hub, tmp_path, clock, "paper_out")
    try:
        kiosk.go_home()
        assert kiosk.tickets.can_print is False  # known on the home screen, before a choice
        kiosk.go("services")
        kiosk.tickets.issue("B")
        assert kiosk.tickets.print_state == "failed"
        assert kiosk.tickets.can_reprint is False  # "In lại" would only fail again
        kiosk.tickets.reprint()
        assert kiosk.tickets.reprints_left == 1
        assert kiosk.ticket_left == 30  # time to photograph the number
        clock.now += 30
        kiosk.tick()
        assert kiosk.screen == "home"
    finally:
        kiosk.close()


def test_a_reprint_is_offered_once_when_the_printer_works(inprocess_hub, tmp_path, clock):
    kiosk = clocked_kiosk(inprocess_hub, tmp_path, clock)
    try:
        kiosk.go("services")
        kiosk.tickets.issue("C")
        assert kiosk.tickets.can_reprint is True
        clock.now += 10
        kiosk.tickets.reprint()  # the citizen is still there: the countdown starts again
        assert kiosk.tickets.can_reprint is False and kiosk.ticket_left == 15
    finally:
        kiosk.close()


def test_a_long_page_warns_before_the_idle_reset(inprocess_hub, tmp_path, clock):
    kiosk = clocked_kiosk(inprocess_hub, tmp_path, clock)
    try:
        kiosk.go("procedures")
        clock.now += 39.5
        kiosk.tick()
        assert kiosk.idle_warning == 0
        clock.now += 1.0  # 19.5 s left
        kiosk.tick()
        assert kiosk.idle_warning == 20
        kiosk.idle.touch()  # "touch the screen to keep reading"
        assert kiosk.idle_warning == 0 and kiosk.screen == "procedures"
        clock.now += 59.0
        assert kiosk.idle_warning == 1
        clock.now += 1.0
        kiosk.tick()
        assert kiosk.screen == "home" and kiosk.idle_warning == 0
    finally:
        kiosk.close()


def test_priority_age_and_reasons_come_from_the_office(tmp_path, clock):
    hub = start_in_process_hub(tmp_path / "hub", settings={"priority_elderly_age": 65})
    kiosk = clocked_kiosk(hub, tmp_path, clock)
    try:
        assert kiosk.tickets.elderly_age == 60  # the law's age until the hub has answered
        kiosk.go("services")
        assert kiosk.tickets.elderly_age == 65
        assert kiosk.tickets.priority_reasons == (
            "elderly", "disabled", "pregnant", "small_child", "merit",
        )  # fmt: skip
        with pytest.raises(ValueError, match="unknown priority reason 'vip'"):
            kiosk.tickets.confirm_priority("vip")
    finally:
        kiosk.close()
        hub.stop()


def test_the_hub_refuses_an_elderly_age_out_of_range(tmp_path):
    from hub.config import HubConfig
    from motcua.config import ConfigError, load

    with pytest.raises(ConfigError, match="priority_elderly_age"):
        load(HubConfig, env={}, overrides={"priority_elderly_age": 7})


TODAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize(
    "typed",
    [
        "H21.22-241105-0012",
        "h21.22 241105 0012",
        "H21 22 241105 0012",
        "H2122-241105-0012",
        "H21.22-2411050012",
        "H21222411050012",
        " H21.222411050012 ",
    ],
)
def test_codes_typed_without_separators_read_back_into_shape(typed):
    assert readings(typed, TODAY) == ["H21.22-241105-0012"]


def test_older_layout_and_ambiguous_and_impossible_codes():
    assert readings("0000021H212310120001", TODAY) == ["000.00.21.H21-231012-0001"]
    # A ministry's sequence runs to 8 digits: without dashes this reads two ways.
    assert readings("G0105240101123456", TODAY) == [
        "G01.0524-010112-3456",
        "G01.05-240101-123456",
    ]
    assert readings("G01.05-240101-123456", TODAY) == ["G01.05-240101-123456"]  # typed whole
    assert readings("H21222612310012", TODAY) == []  # dated after today: no receipt says so
    assert readings("123", TODAY) == []


def test_a_code_typed_without_dots_or_dashes_is_found(relay_kiosk, sim):
    sample = next(s for s in sim.samples() if s["what"] != "overdue")
    flat = sample["code"].replace(".", "").replace("-", "")
    lookup = relay_kiosk.lookup
    for key in flat:
        lookup.press(key)
    lookup.submit()
    assert lookup.stage == "found", (lookup.stage, lookup.code)
    assert lookup.code == sample["code"]
    spaced = sample["code"].replace("-", " ")
    lookup.reset()
    lookup.code = spaced
    lookup.submit()
    assert lookup.stage == "found" and lookup.code == sample["code"]


def test_an_ambiguous_code_asks_which_and_looks_up_the_one_chosen(relay_kiosk):
    lookup = relay_kiosk.lookup
    lookup.code = "G0105240101123456"
    lookup.submit()
    assert lookup.stage == "ambiguous" and len(lookup.choices) == 2
    lookup.choose(lookup.choices[1])
    assert lookup.stage in ("unknown", "unavailable")  # asked the hub for that very code
    assert lookup.code == "G01.05-240101-123456"
