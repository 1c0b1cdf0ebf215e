"""The lock screen: the clerk is away; their PIN brings the panel back as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty

from counter_panel.screens.login import CredentialScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class LockScreen(CredentialScreen):
    """Shows who is logged in; PIN to unlock, or log out so another clerk can log in."""

    clerk = StringProperty("")

    def submit(self) -> None:
        """Check the PIN (locally: it works offline too)."""
        self.app.controller.unlock(self.ids.password.text)
        self.ids.password.text = ""

    def sync(self, controller: Any) -> None:
        """Also show whose session this is."""
        super().sync(controller)
        self.clerk = controller.session.display_name if controller.session else ""

    def on_pre_enter(self, *_args: Any) -> None:
        """An empty PIN field."""
        self.ids.password.text = ""

    def on_enter(self, *_args: Any) -> None:
        """A keyboard user types the PIN straight away."""
        self.ids.password.focus = True
