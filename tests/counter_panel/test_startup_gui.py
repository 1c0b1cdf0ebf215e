"""A new panel's first start, run for real offscreen against a real hub: it waits for the hub,
takes the enrolment code typed on its screen, refuses a wrong one in Vietnamese, then goes on
to the clerk's login without a restart.

Screenshots land in ``tmp_path`` (or ``$MOTCUA_SHOTS`` when set, to look at them afterwards).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from counter_panel.settings import CounterSettings

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _window_size_restored():
    """The panel runs at 800×480; leave the shared window as the next test found it."""
    from kivy.core.window import Window

    before = Window.size
    yield
    Window.size = before


def shots_dir(tmp_path: Path) -> Path:
    return Path(os.environ["MOTCUA_SHOTS"]) if os.environ.get("MOTCUA_SHOTS") else tmp_path


def start_new_panel(hub, token_file: Path):
    """The panel as ``motcua counter`` starts it: no token yet, no code in its settings."""
    from kivy.core.window import Window

    from appliance.hublink import HubClient
    from appliance.ui.harness import AppDriver
    from appliance.ui.startup_screen import kivy_startup
    from counter_panel.app import CounterPanelApp
    from motcua.config import load

    Window.size = (800, 480)
    settings = load(
        CounterSettings,
        env={},
        overrides={"counter": 2, "hub_url": hub.url, "token_file": str(token_file)},
    )
    client = HubClient(hub.url, timeout=3.0)
    startup = kivy_startup(client, settings, "Quầy 2")
    return AppDriver(CounterPanelApp(settings, client, startup=startup)).start()


def shown(driver) -> str:
    """Every text on the start-up screen, Vietnamese and English."""
    screen = driver.app.gate.screen
    parts = ("headline", "detail", "status", "error")
    texts = [getattr(screen, f"{p}_{lang}") for p in parts for lang in ("vi", "en")]
    return " | ".join([*texts, screen.command])


def type_code(driver, code: str) -> None:
    screen = driver.app.gate.screen
    for key in ["CLEAR", *code.replace("-", "")]:
        driver.tap(driver.find(lambda w, k=key: getattr(w, "key", None) == k, screen))


def test_a_new_panel_waits_for_the_hub_then_enrols_with_a_code_typed_on_it(hub_process, tmp_path):
    from kivy.core.window import Window

    hub = hub_process
    shots = shots_dir(tmp_path)
    token_file = tmp_path / "var" / "counter-token"
    hub.stop()  # after a power cut the panel is up before the hub
    driver = start_new_panel(hub, token_file)
    try:
        app = driver.app
        screen = app.gate.screen
        driver.wait_until(lambda: "Thử lại sau" in shown(driver), what="the retry countdown")
        assert f"Đang chờ máy chủ tại {hub.url}" in shown(driver)
        assert f"Waiting for the hub at {hub.url}" in shown(driver)
        assert screen.entry.parent is None  # no code to type while the hub is away
        driver.screenshot(shots / "startup-waiting-for-hub.png")

        hub.start()
        driver.wait_until(lambda: screen.entry.parent is not None, 20, "the code entry")
        assert "Nhập mã đăng ký thiết bị" in shown(driver)
        assert "motcua devices enroll-code --role counter --counter 2" in shown(driver)
        enrol = driver.find_text("Đăng ký", screen.entry)
        assert enrol.disabled  # nothing typed yet
        for text in "9x":  # a technician's USB keyboard types digits too, and only digits
            Window.dispatch("on_textinput", text)
        assert screen.code == "9"
        Window.dispatch("on_key_down", 8, 0, None, [])  # backspace
        assert screen.code == ""

        wrong = next(c for c in ("1111-1111", "2222-2222") if c not in hub.enroll_codes.values())
        type_code(driver, wrong)
        assert screen.code == wrong and not enrol.disabled
        driver.tap(enrol)
        driver.wait_until(lambda: screen.error_vi != "", what="the refusal")
        assert screen.error_vi == "Mã này không đúng, đã được dùng hoặc đã hết hạn. Hãy xin mã mới."
        assert screen.error_en.startswith("This code is unknown")
        assert not app.gate.built and screen.entry.parent is not None  # still on the entry
        assert not token_file.exists()
        driver.screenshot(shots / "startup-code-refused.png")

        type_code(driver, hub.enroll_codes["counter"])
        assert screen.error_vi  # the refusal stays until the next answer
        driver.screenshot(shots / "startup-code-typed.png")
        driver.tap(enrol)
        driver.wait_until(lambda: app.gate.built, 10, "the panel after enrolment")
        assert screen.parent is None and app.root is app.manager
        driver.wait_until(lambda: app.manager.current == "login", what="the login screen")
        driver.wait_until(lambda: app.controller.online, what="the panel online")
        assert oct(token_file.stat().st_mode & 0o777) == "0o600"
        assert app.client.token == token_file.read_text().strip()
        driver.screenshot(shots / "startup-then-login.png")
    finally:
        driver.stop()


def test_a_panel_closed_while_it_waits_for_the_hub_stops_cleanly(hub_process, tmp_path):
    hub_process.stop()
    driver = start_new_panel(hub_process, tmp_path / "token")
    startup = driver.app.gate.startup
    driver.wait_until(lambda: startup.next_try_at is not None, what="a retry planned")
    driver.stop()  # on_stop with no panel built yet
    assert not driver.app.gate.built and startup.stage.value == "waiting_for_hub"
    hub_process.start()
    driver.wait_until(lambda: startup.retry_in() == 0, what="the planned retry's time")
    driver.pump(5)  # the retry finds the start-up stopped: no request, no panel
    assert not driver.app.gate.built and startup.stage.value == "waiting_for_hub"
    assert not startup.trying
