"""Issue #14 at the panel, without a window: the rating out of the clerk's way, the no-show that
can be undone, and the kiosks' alerts, against a real hub."""

from __future__ import annotations

from panel_support import PumpedTasks, counter_view, issue
from test_controller_hub import COUNTER, logged_in

from counter_panel.settings import CounterSettings
from counter_panel.undo import UNDO_S


def test_the_rating_goes_to_the_second_screen_when_there_is_one_else_it_is_off():
    assert CounterSettings(counter=1).rating_mode == "off"  # the panel faces the clerk
    assert CounterSettings(counter=1, second_screen=True).rating_mode == "second_screen"
    assert CounterSettings(counter=1, rating="panel").rating_mode == "panel"  # asked for


def test_calling_the_next_citizen_puts_the_rating_on_the_panel_away(hub_process):
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks, rating=True)
    try:
        first, second = issue(hub_process, "A"), issue(hub_process, "A")
        tasks.until(lambda: controller.view.waiting_total() == 2, what="two waiting")
        for action in ("call_next", "start", "finish"):
            assert controller.act(action)
        assert controller.rating_ticket.id == first["id"]  # the rating screen would show
        assert controller.act("call_next")  # F1/Space, the keypad or the button: not ignored
        assert controller.rating_ticket is None and controller.rated_at is None
        assert controller.view.current.number == second["number"]
        assert counter_view(hub_process, COUNTER)["current"]["number"] == second["number"]
    finally:
        controller.stop()


def test_a_no_show_can_be_undone_for_a_few_seconds(hub_process):
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks)
    try:
        first, second = issue(hub_process, "A"), issue(hub_process, "A")
        tasks.until(lambda: controller.view.waiting_total() == 2, what="two waiting")
        assert controller.act("call_next")
        assert controller.act("no_show")
        assert controller.no_show.number == first["number"]
        assert 0 < controller.no_show.remaining_s() <= UNDO_S
        assert counter_view(hub_process, COUNTER)["current"]["state"] == "called"  # not yet sent
        assert controller.undo()  # the citizen was there after all
        controller.tick(controller.clock() + 10 * UNDO_S)
        assert counter_view(hub_process, COUNTER)["current"]["state"] == "called"
        assert controller.act("start")  # and is served
        assert controller.act("finish")
        assert controller.act("call_next")
        assert controller.act("no_show")
        controller.tick(controller.clock() + UNDO_S)  # nobody undid it: sent when due
        _status, gone = hub_process.request("GET", f"/api/v1/tickets/{second['token']}")
        assert gone["state"] == "no_show"
        assert not controller.no_show.pending and controller.view.current is None
    finally:
        controller.stop()


def test_calling_next_sends_a_pending_no_show_first(hub_process):
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks)
    try:
        first, second = issue(hub_process, "A"), issue(hub_process, "A")
        tasks.until(lambda: controller.view.waiting_total() == 2, what="two waiting")
        assert controller.act("call_next")
        assert controller.act("no_show")
        assert controller.can("call_next")  # the clerk need not wait out the undo time
        assert controller.act("call_next")
        tasks.until(lambda: controller.busy is None, what="both answered")
        _status, gone = hub_process.request("GET", f"/api/v1/tickets/{first['token']}")
        assert gone["state"] == "no_show"
        assert controller.view.current.number == second["number"]
        assert counter_view(hub_process, COUNTER)["current"]["number"] == second["number"]
    finally:
        controller.stop()


def test_a_kiosk_printer_out_of_paper_reaches_the_panel(hub_process):
    tasks = PumpedTasks()
    controller = logged_in(hub_process, tasks)
    try:
        assert controller.alerts == ()
        printer = {"kind": "FakePrinter", "online": True, "paper": "out", "detail": ""}
        status, _ = hub_process.request(
            "POST", "/api/v1/devices/heartbeat",
            {"status": {"app": "kiosk", "printer": printer}}, token=hub_process.kiosk_token,
        )  # fmt: skip
        assert status == 204
        tasks.until(lambda: controller.alerts != (), what="the alert event")
        (alert,) = controller.alerts
        assert alert.text_vi == "Máy in ở Kiosk sảnh (demo) hết giấy"
        assert alert.level == "danger"
        # A panel started now sees it in the snapshot.
        late = logged_in(hub_process, PumpedTasks(), counter=3)
        assert [a.code for a in late.alerts] == ["printer_paper_out"]
        late.stop()
    finally:
        controller.stop()
