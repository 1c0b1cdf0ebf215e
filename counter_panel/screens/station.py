"""The second screen while nobody is asked for a rating: the counter and who is being served."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class StationScreen(Screen):
    """A calm card facing the citizen."""

    app = ObjectProperty(None)
    counter_name = StringProperty("")
    serving = StringProperty("")
    offline = BooleanProperty(False)

    def sync(self, station: Any) -> None:
        """Show the counter and the number being served there."""
        self.counter_name = self.app.t("Counter {number}", number=station.counter_number)
        self.serving = station.serving
        self.offline = not station.online
