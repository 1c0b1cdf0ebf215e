"""Issue #14 on the panel's screen at 800×480, offscreen against a real hub: the largest target
for "call next", the state in colour, nothing cut, the no-show undo, the kiosks' alerts, and a
rating on the panel that "call next" puts away. Screenshots in ``$MOTCUA_SHOTS`` when set."""

from __future__ import annotations

import copy
import re

import pytest
from PIL import Image
from test_panel_gui import (
    COUNTER,
    _window_size_restored,  # noqa: F401  (autouse: the window size is put back)
    action_button,
    log_in,
    shots_dir,
    start_panel,
    wait_screen,
    wait_waiting,
)

from hub import demo
from hub.testing import start_hub

pytestmark = pytest.mark.gui

LONG_NAME = (
    "A – Đất đai, xây dựng, tài nguyên môi trường: cấp giấy chứng nhận quyền sử dụng đất lần đầu"
    " và đăng ký biến động"
)


@pytest.fixture
def long_names_hub(tmp_path):
    """The demo office with a service whose name takes two lines on the panel."""
    office = copy.deepcopy(demo.OFFICE)
    office["services"][0]["name_vi"] = LONG_NAME
    hub = start_hub(tmp_path / "hub", office=office)
    try:
        yield hub
    finally:
        hub.stop()


def drawn_text(label) -> str:
    """What a label actually draws, line by line joined (shortening would show here)."""
    label.texture_update()
    lines = label._label._cached_lines
    return " ".join(" ".join(w.text for w in line.words).strip() for line in lines).strip()


def whole(label) -> bool:
    """The label draws all of its text, and inside its own box."""
    plain = " ".join(re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", label.text).split())
    drawn = " ".join(drawn_text(label).split())
    return drawn == plain and label.texture_size[1] <= label.height + 1


def pixel(image, widget):
    """The colour just inside ``widget``'s lower left corner, clear of its text (PNG rows run
    top-down)."""
    x, y = widget.to_window(widget.x + 4, widget.y + 3)
    return image.getpixel((int(x), int(image.height - y)))


def screenshot(driver, path):
    driver.screenshot(path)
    with Image.open(path) as image:
        return image.convert("RGB")


def test_call_next_largest_state_in_colour_nothing_cut_undo_and_alerts(long_names_hub, tmp_path):
    hub = long_names_hub
    shots = shots_dir(tmp_path)
    driver = start_panel(hub)
    try:
        app = driver.app
        log_in(driver, hub)
        panel = app.screens["panel"]
        driver.pump(3)
        screenshot(driver, shots / "panel14-idle.png")
        assert panel.state_kind == "idle" and whole(panel.ids.state_band)
        # "Call next" is by far the largest target.
        call = action_button(driver, "call_next")
        others = [b for a, b in panel.buttons.items() if a != "call_next"]
        assert all(call.width * call.height >= 2.5 * b.width * b.height for b in others)
        first, _second = issue_two(hub)
        wait_waiting(driver, 2)
        driver.tap(call)
        driver.wait_until(lambda: panel.number == first["number"], what="called")
        # A kiosk runs out of paper: a red band across the panel says so, in both languages.
        beat(hub, "out")
        band = panel.ids.alerts
        driver.wait_until(lambda: "hết giấy" in panel.alerts_text, what="the alert band")
        driver.pump(3)
        assert "Máy in ở Kiosk sảnh (demo) hết giấy" in band.text and band.height > 20
        image = screenshot(driver, shots / "panel14-called-alert.png")
        r, g, b = pixel(image, band)
        assert r > 150 and g < 60 and b < 60, (r, g, b)
        # The state band: amber while calling.
        r, g, b = pixel(image, panel.ids.state_band)
        assert r > 180 and 70 < g < 140 and b < 60, (r, g, b)
        # The long service name wraps, whole.
        assert panel.service_vi == LONG_NAME and whole(panel.ids.service_vi)
        # Not present: held, with a long notice that wraps, and undone with the same button.
        driver.tap(action_button(driver, "no_show"))
        notice = panel.ids.notice
        driver.wait_until(lambda: app.controller.no_show.pending, what="the no-show held")
        driver.pump(3)
        assert "Hoàn tác" in panel.notice_vi and whole(notice)
        assert action_button(driver, "no_show").text_vi == "Hoàn tác"
        image = screenshot(driver, shots / "panel14-no-show-undo.png")
        driver.tap(action_button(driver, "no_show"))
        assert not app.controller.no_show.pending
        driver.tap(action_button(driver, "start"))
        driver.wait_until(lambda: panel.state_kind == "serving", what="serving")
        beat(hub, "ok")
        driver.wait_until(lambda: panel.alerts_text == "", what="the alert gone")
        driver.pump(3)
        image = screenshot(driver, shots / "panel14-serving.png")
        r, g, b = pixel(image, panel.ids.state_band)
        assert g > 100 and r < 60 and b < 90, (r, g, b)  # green
        assert panel.ids.alerts.height == 0
        _status, body = hub.request("GET", f"/api/v1/tickets/{first['token']}")
        assert body["state"] == "serving"  # the undone no-show never reached the hub
        driver.tap(action_button(driver, "finish"))
        driver.wait_until(lambda: panel.number == "—", what="finished")
        driver.tap(action_button(driver, "pause"))
        driver.wait_until(lambda: panel.state_kind == "paused", what="paused")
        driver.pump(3)
        image = screenshot(driver, shots / "panel14-paused.png")
        r, g, b = pixel(image, panel.ids.state_band)
        assert 30 < r < 90 and 40 < g < 100 and 50 < b < 120, (r, g, b)  # slate
    finally:
        driver.stop()


def test_a_rating_on_the_panel_is_put_away_by_call_next(hub_process, tmp_path):
    from kivy.core.window import Window

    driver = start_panel(hub_process, rating="panel")
    try:
        app = driver.app
        log_in(driver, hub_process)
        panel = app.screens["panel"]
        first, second = issue_two(hub_process)
        wait_waiting(driver, 2)
        for action in ("call_next", "finish"):
            driver.tap(action_button(driver, action))
            driver.wait_until(lambda: app.controller.busy is None, what=action)
        wait_screen(driver, "rating")
        Window.dispatch("on_key_down", 32, 0, " ", [])  # Space calls the next citizen
        wait_screen(driver, "panel")
        driver.wait_until(lambda: panel.number == second["number"], what="the next one called")
        _status, body = hub_process.request("GET", f"/api/v1/tickets/{first['token']}")
        assert body["state"] == "done"
    finally:
        driver.stop()


def test_the_default_panel_asks_no_rating(hub_process, tmp_path):
    driver = start_panel(hub_process)
    try:
        app = driver.app
        log_in(driver, hub_process)
        issue_two(hub_process)
        wait_waiting(driver, 2)
        for action in ("call_next", "finish"):
            driver.tap(action_button(driver, action))
            driver.wait_until(lambda: app.controller.busy is None, what=action)
        driver.pump(5)
        assert app.manager.current == "panel" and app.controller.rating_ticket is None
    finally:
        driver.stop()


def issue_two(hub):
    from panel_support import issue

    return issue(hub, "A"), issue(hub, "A")


def beat(hub, paper):
    printer = {"kind": "FakePrinter", "online": True, "paper": paper, "detail": ""}
    status, _ = hub.request(
        "POST", "/api/v1/devices/heartbeat", {"status": {"app": "kiosk", "printer": printer}},
        token=hub.kiosk_token,
    )  # fmt: skip
    assert status == 204


assert COUNTER == 2  # serves A only: the long-named service is this counter's
