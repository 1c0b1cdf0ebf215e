"""Widgets every appliance uses: bilingual buttons and labels, the offline banner, the clock."""

from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.button import Button
from kivy.uix.label import Label

from appliance.timefmt import now_text

_KV = Path(__file__).with_suffix(".kv")


def load_kv() -> None:
    """Load the kit's rules once (apps call this from ``build()``)."""
    if str(_KV) not in Builder.files:
        Builder.load_file(str(_KV))


class BilingualButton(Button):
    """A big button: Vietnamese on top, English beneath in smaller type."""

    text_vi = StringProperty("")
    text_en = StringProperty("")
    tone = ColorProperty((0.04, 0.37, 0.84, 1))  # background colour when enabled


class BilingualLabel(Label):
    """Vietnamese text with its English beneath."""

    text_vi = StringProperty("")
    text_en = StringProperty("")


class OfflineBanner(Label):
    """A plain red bar that says the hub cannot be reached; hidden while online."""

    offline = BooleanProperty(False)


class ClockLabel(Label):
    """Date and time in the office's zone (not the device's), refreshed every second."""

    fmt = StringProperty("%H:%M  %d/%m/%Y")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._tick()
        self._event = Clock.schedule_interval(lambda _dt: self._tick(), 1.0)

    def on_fmt(self, _label: object, _fmt: str) -> None:
        """A new format shows at once, not at the next second."""
        self._tick()

    def _tick(self) -> None:
        self.text = now_text(self.fmt)
