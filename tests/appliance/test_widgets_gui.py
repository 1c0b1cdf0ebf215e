"""The shared UI kit, run for real offscreen: a keypad a citizen taps, bilingual buttons."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_keypad_taps_build_a_code_and_screenshot_shows_it(tmp_path):
    from kivy.app import App
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.label import Label

    from appliance.ui.harness import AppDriver
    from appliance.ui.keypad import Keypad
    from appliance.ui.widgets import BilingualButton, load_kv

    class KitApp(App):
        def build(self):
            load_kv()
            root = BoxLayout(orientation="vertical")
            self.shown = Label(text="", font_size=40, color=(0, 0, 0, 1), size_hint_y=0.2)
            self.pad = Keypad()
            self.pad.bind(text=lambda _pad, text: setattr(self.shown, "text", text))
            self.ok = BilingualButton(text_vi="Tra cứu", text_en="Look up", size_hint_y=0.2)
            root.add_widget(self.shown)
            root.add_widget(self.pad)
            root.add_widget(self.ok)
            return root

    driver = AppDriver(KitApp()).start()
    try:
        app = driver.app
        for key in ["1", "2", "DEL", "3"]:
            button = driver.find(lambda w, k=key: getattr(w, "key", None) == k)
            driver.tap(button)
        assert app.pad.text == "13"
        assert app.shown.text == "13"
        assert "Tra cứu" in app.ok.text and "Look up" in app.ok.text
        shot = driver.screenshot(tmp_path / "keypad.png")
        assert shot.stat().st_size > 2000  # a real frame, not an empty file
    finally:
        driver.stop()
