"""The counter panel run for real offscreen against a real hub: touches, keys, keypad, screenshots.

Screenshots land in ``tmp_path`` (or ``$MOTCUA_SHOTS`` when set, to look at them afterwards).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from panel_support import clerk_of, counter_view, issue

from counter_panel.settings import CounterSettings

pytestmark = pytest.mark.gui

COUNTER = 2  # serves service A only in the demo office


@pytest.fixture(autouse=True)
def _window_size_restored():
    """The panel runs at 800×480; leave the shared window as the next test found it."""
    from kivy.core.window import Window

    before = Window.size
    yield
    Window.size = before


def shots_dir(tmp_path: Path) -> Path:
    return Path(os.environ["MOTCUA_SHOTS"]) if os.environ.get("MOTCUA_SHOTS") else tmp_path


def start_panel(hub, counter=COUNTER, tasks=None, **settings):
    from kivy.core.window import Window

    from appliance.hublink import HubClient
    from appliance.ui.harness import AppDriver
    from counter_panel.app import CounterPanelApp
    from motcua.config import load

    Window.size = (800, 480)
    config = load(
        CounterSettings, env={}, overrides={"counter": counter, "hub_url": hub.url, **settings}
    )
    client = HubClient(hub.url, hub.counter_tokens[counter], timeout=3.0)
    driver = AppDriver(CounterPanelApp(config, client, tasks=tasks)).start()
    return driver


def key_button(driver, key):
    return driver.find(lambda w: getattr(w, "key", None) == key and w.get_root_window())


def action_button(driver, action):
    return driver.app.screens["panel"].buttons[action]


def type_on_pad(driver, text):
    for char in text:
        driver.tap(key_button(driver, char))


def log_in(driver, hub, counter=COUNTER, shot=None):
    clerk = clerk_of(hub, counter)
    screen = driver.app.screens["login"]
    driver.wait_until(lambda: driver.app.controller.online, what="the hub's state")
    type_on_pad(driver, clerk["username"])
    driver.tap(screen.ids.password)  # the on-screen keys now type the PIN
    type_on_pad(driver, clerk["password"])
    assert screen.ids.username.text == clerk["username"]
    assert screen.ids.password.text == clerk["password"]
    if shot:
        driver.screenshot(shot)
    driver.tap(screen.ids.submit)
    wait_screen(driver, "panel")
    driver.wait_until(
        lambda: driver.app.controller.view.counter_state == "open", what="counter open"
    )


def wait_screen(driver, name, timeout=10.0):
    """Wait for a screen, then let it lay out (a tap must land where the button is drawn)."""
    driver.wait_until(lambda: driver.app.manager.current == name, timeout, f"the {name} screen")
    driver.pump(2)


def wait_waiting(driver, count):
    panel = driver.app.screens["panel"]
    driver.wait_until(
        lambda: [line[2] for line in panel.lines] == [str(count)], what=f"{count} waiting shown"
    )


def test_login_call_double_tap_recall_start_finish_and_rating(hub_process, tmp_path):
    from kivy.tests.common import UnitTestTouch

    shots = shots_dir(tmp_path)
    driver = start_panel(hub_process, rating="panel")  # asked for: the default is off
    try:
        app = driver.app
        driver.screenshot(shots / "panel-login-empty.png")
        log_in(driver, hub_process, shot=shots / "panel-login-typed.png")
        panel = app.screens["panel"]
        assert panel.clerk == "Trần Văn Minh"
        assert not action_button(driver, "call_next").available  # nobody waiting
        first, second, _third = (issue(hub_process, "A") for _ in range(3))
        wait_waiting(driver, 3)
        call = action_button(driver, "call_next")
        assert call.available
        assert "F1/Space" in call.text  # the shortcut is on the button
        # A double tap: two touches before the panel draws another frame.
        x, y = call.to_window(*call.center)
        for _ in range(2):
            touch = UnitTestTouch(x, y)
            touch.touch_down()
            touch.touch_up()
        driver.wait_until(lambda: panel.number == first["number"], what="the first ticket")
        driver.tap(call)  # a third tap once it shows: greyed, refused with a reason, not sent
        assert panel.notice_error
        driver.pump(10)
        assert counter_view(hub_process, COUNTER)["current"]["number"] == first["number"]
        _status, body = hub_process.request("GET", f"/api/v1/tickets/{second['token']}")
        assert body["state"] == "waiting"
        wait_waiting(driver, 2)
        assert panel.state_vi == "Đang mời"
        driver.wait_until(lambda: panel.elapsed != "", what="time since called")
        driver.screenshot(shots / "panel-called.png")
        driver.tap(action_button(driver, "recall"))
        driver.wait_until(lambda: panel.notice_vi == f"Đã gọi lại số {first['number']}")
        assert counter_view(hub_process, COUNTER)["current"]["recalls"] == 1
        driver.tap(action_button(driver, "start"))
        driver.wait_until(lambda: panel.state_vi == "Đang phục vụ", what="serving")
        assert not action_button(driver, "no_show").available
        driver.screenshot(shots / "panel-serving.png")
        driver.tap(action_button(driver, "finish"))
        wait_screen(driver, "rating")
        rating = app.screens["rating"]
        assert rating.number == first["number"]
        driver.screenshot(shots / "panel-rating.png")
        driver.tap(driver.find_text("Rất hài lòng", rating))
        driver.wait_until(lambda: rating.thanks, what="thanks")
        driver.screenshot(shots / "panel-rating-thanks.png")
        wait_screen(driver, "panel", timeout=6)
        assert panel.number == "—"
        _status, view = hub_process.request("GET", f"/api/v1/tickets/{first['token']}")
        assert view["state"] == "done"
    finally:
        driver.stop()


def test_call_a_number_and_transfer_through_dialogs_keys_and_keypad(hub_process, tmp_path):
    from kivy.core.window import Window

    shots = shots_dir(tmp_path)
    driver = start_panel(hub_process, keypad={"driver": "pty"}, rating="panel")
    try:
        app = driver.app
        log_in(driver, hub_process)
        panel = app.screens["panel"]
        tickets = [issue(hub_process, "A") for _ in range(3)]
        wait_waiting(driver, 3)
        # Call a given number with the on-screen keys of the dialog.
        driver.tap(action_button(driver, "call_number"))
        dialog = app.dialog
        assert dialog is not None
        wanted = tickets[2]["number"]  # e.g. A003
        type_on_pad(driver, wanted)
        assert dialog.number == wanted
        driver.screenshot(shots / "panel-call-number.png")
        driver.tap(dialog.ids.ok)
        driver.wait_until(lambda: panel.number == wanted, what="the number called")
        assert app.dialog is None
        # Transfer it to service B from the list.
        driver.tap(action_button(driver, "transfer"))
        dialog = app.dialog
        driver.pump(3)
        driver.screenshot(shots / "panel-transfer.png")
        target = driver.find(lambda w: getattr(w, "target", None) == ("service", "B"))
        driver.tap(target)
        driver.wait_until(lambda: panel.number == "—", what="the ticket gone from the counter")
        _status, moved = hub_process.request("GET", f"/api/v1/tickets/{tickets[2]['token']}")
        assert (moved["state"], moved["service"]) == ("waiting", "B")
        # F1 on the keyboard calls the next one.
        wait_waiting(driver, 2)
        Window.dispatch("on_key_down", 282, 0, None, [])  # F1
        # The event can show the call before the press's own answer is in; until it is, the
        # panel refuses the next press ("the last action is still being sent"), as a clerk sees.
        driver.wait_until(
            lambda: panel.number == tickets[0]["number"] and app.controller.busy is None,
            what="F1 called and answered",
        )
        # The serial keypad: 4 starts, 7 opens the transfer list, 5 finishes.
        app.keypad.press("4")
        driver.wait_until(
            lambda: panel.state_vi == "Đang phục vụ" and app.controller.busy is None,
            what="keypad start, answered",
        )
        app.keypad.press("5")
        wait_screen(driver, "rating")
        driver.tap(app.screens["rating"].ids.skip)
        wait_screen(driver, "panel")
        _status, done = hub_process.request("GET", f"/api/v1/tickets/{tickets[0]['token']}")
        assert done["state"] == "done"
        # The heartbeat tells the hub who is at this panel and that its keypad answers.
        app.heartbeat()

        def status():
            with sqlite3.connect(hub_process.db_path) as db:
                row = db.execute(
                    "SELECT status FROM devices WHERE role = 'counter' AND counter = ?", (COUNTER,)
                ).fetchone()
            return json.loads(row[0]) if row and row[0] else {}

        # The first heartbeat (3 s after start) may have said "connected" before the clerk
        # logged in: wait for the one just sent, which names the clerk.
        driver.wait_until(lambda: status().get("clerk") == "minh", what="the heartbeat")
        assert status()["keypad"] == "connected" and status()["locked"] is False
    finally:
        driver.stop()


def test_offline_banner_refusal_lock_and_recovery(hub_process, tmp_path):
    from kivy.core.window import Window

    shots = shots_dir(tmp_path)
    driver = start_panel(hub_process)
    try:
        app = driver.app
        log_in(driver, hub_process)
        panel = app.screens["panel"]
        first = issue(hub_process, "A", priority=True)
        wait_waiting(driver, 1)
        hub_process.kill()
        driver.wait_until(lambda: panel.offline, what="offline shown")
        assert not any(b.available for a, b in panel.buttons.items() if a != "lock")
        Window.dispatch("on_key_down", 32, 0, " ", [])  # Space: refused, and it says why
        driver.wait_until(lambda: panel.notice_error, what="a refusal")
        assert panel.notice_vi == "Mất kết nối: không liên lạc được máy chủ"
        driver.screenshot(shots / "panel-offline.png")
        hub_process.start()
        driver.wait_until(lambda: not panel.offline, timeout=15, what="back online")
        driver.tap(action_button(driver, "call_next"))
        driver.wait_until(lambda: panel.number == first["number"], what="called after recovery")
        assert panel.priority  # the priority mark is shown
        driver.screenshot(shots / "panel-priority.png")
        # F12 locks; the PIN unlocks.
        Window.dispatch("on_key_down", 293, 0, None, [])
        wait_screen(driver, "lock")
        lock = app.screens["lock"]
        type_on_pad(driver, "1234")
        driver.tap(lock.ids.unlock)
        driver.wait_until(lambda: lock.notice_vi == "Sai mã PIN hoặc mật khẩu.", what="wrong PIN")
        driver.screenshot(shots / "panel-locked.png")
        type_on_pad(driver, clerk_of(hub_process, COUNTER)["password"])
        driver.tap(lock.ids.unlock)
        wait_screen(driver, "panel")
        assert panel.number == first["number"]
        driver.tap(panel.ids.logout)
        wait_screen(driver, "login")
        assert counter_view(hub_process, COUNTER)["state"] == "closed"
        assert app.screens["login"].notice_vi == "Đã đăng xuất."
    finally:
        driver.stop()


def test_second_screen_shows_who_is_served_then_asks_the_citizen(hub_process, tmp_path):
    from kivy.core.window import Window

    from appliance.hublink import HubClient
    from appliance.ui.harness import AppDriver
    from counter_panel.rating_app import RatingScreenApp
    from motcua.config import load

    shots = shots_dir(tmp_path)
    Window.size = (800, 480)
    config = load(
        CounterSettings,
        env={},
        overrides={"counter": COUNTER, "hub_url": hub_process.url, "rating": "second_screen"},
    )
    client = HubClient(hub_process.url, hub_process.counter_tokens[COUNTER], timeout=3.0)
    driver = AppDriver(RatingScreenApp(config, client)).start()
    try:
        app = driver.app
        station = app.controller
        driver.wait_until(lambda: station.online, what="the stream")
        clerk = hub_process.clerk_token(COUNTER)
        ticket = issue(hub_process, "A")
        for action in ("call-next", "start"):
            status, _ = hub_process.request(
                "POST", f"/api/v1/counters/{COUNTER}/{action}", {}, token=clerk
            )
            assert status == 200
        idle = app.screens["idle"]
        driver.wait_until(lambda: idle.serving == ticket["number"], what="serving shown")
        driver.screenshot(shots / "station-idle.png")
        hub_process.request("POST", f"/api/v1/counters/{COUNTER}/finish", {}, token=clerk)
        wait_screen(driver, "rating")
        driver.tap(driver.find_text("Không hài lòng", app.screens["rating"]))
        driver.wait_until(lambda: app.screens["rating"].thanks, what="thanks")
        driver.screenshot(shots / "station-thanks.png")
        wait_screen(driver, "idle", timeout=8)
    finally:
        driver.stop()
    with sqlite3.connect(hub_process.db_path) as db:
        level = db.execute("SELECT level FROM ratings WHERE ticket_id = ?", (ticket["id"],))
        assert level.fetchone() == (4,)


def test_a_slow_answer_greys_the_buttons_until_it_comes(hub_process, tmp_path):
    from kivy.clock import Clock

    from appliance.tasks import Tasks

    class SlowLink(Tasks):
        """Requests wait until the test lets them through, as on a slow link."""

        def __init__(self):
            super().__init__(lambda fn: Clock.schedule_once(lambda _dt: fn(), -1))
            self.hold = False
            self.held = []

        def run(self, work, done, failed):
            if self.hold:
                self.held.append((work, done, failed))
            else:
                super().run(work, done, failed)

        def release(self):
            self.hold = False
            for job in self.held:
                super().run(*job)
            self.held.clear()

    link = SlowLink()
    driver = start_panel(hub_process, tasks=link)
    try:
        app = driver.app
        log_in(driver, hub_process)
        panel = app.screens["panel"]
        first, second = issue(hub_process, "A"), issue(hub_process, "A")
        wait_waiting(driver, 2)
        link.hold = True
        driver.tap(action_button(driver, "call_next"))
        assert app.controller.busy == "call_next"
        # A quick answer would come within a frame or two: the buttons are left as they are...
        assert action_button(driver, "call_next").available
        driver.tap(action_button(driver, "call_next"))  # ...but a second press sends nothing
        # (The panel's heartbeat may be held too on a slow machine: count only the presses.)
        presses = [job for job in link.held if job[0].__qualname__.startswith("ActionSender.send")]
        assert len(presses) == 1
        # This one is slow: after a moment every button shows that the panel is waiting.
        driver.wait_until(
            lambda: not any(b.available for b in panel.buttons.values() if b.action != "lock"),
            what="buttons greyed while waiting",
        )
        assert panel.notice_vi == "Đang gửi… vui lòng chờ."
        driver.screenshot(shots_dir(tmp_path) / "panel-waiting.png")
        link.release()
        driver.wait_until(lambda: panel.number == first["number"], what="the answer")
        assert action_button(driver, "recall").available
        _status, body = hub_process.request("GET", f"/api/v1/tickets/{second['token']}")
        assert body["state"] == "waiting"  # the second press did not call the next citizen
    finally:
        driver.stop()
