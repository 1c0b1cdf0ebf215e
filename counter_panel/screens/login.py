"""Log in: username and PIN/password, typed on the keyboard or on the on-screen keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from appliance.ui.keypad import apply_key
from counter_panel.screens.layouts import CREDENTIAL_KEYS  # noqa: F401  (kv rules use it)

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class CredentialScreen(Screen):
    """Fields filled from the physical keyboard or the on-screen keys, whichever is used."""

    app = ObjectProperty(None)
    offline = BooleanProperty(False)
    counter_name = StringProperty("")
    notice_vi = StringProperty("")
    notice_en = StringProperty("")
    notice_error = BooleanProperty(True)
    busy = BooleanProperty(False)
    active = StringProperty("password")  # the field the on-screen keys type into

    def on_pad_key(self, key: str) -> None:
        """An on-screen key: edit the active field."""
        self.app.controller.touch()
        field = self.ids[self.active]
        field.text = apply_key(field.text, key, 64)

    def sync(self, controller: Any) -> None:
        """Show connection, counter and the last message."""
        counter = controller.view.counter
        self.counter_name = (counter.name if counter else "") or self.app.t(
            "Counter {number}", number=controller.counter_number
        )
        self.offline = not controller.online
        self.busy = controller.busy is not None
        notice = controller.notice
        if notice is not None:
            self.notice_vi, self.notice_en = self.app.t.both(notice.msgid, **notice.values)
            self.notice_error = notice.kind == "error"
        else:
            self.notice_vi = self.notice_en = ""


class LoginScreen(CredentialScreen):
    """Username and PIN/password; the counter comes from the panel's settings."""

    active = StringProperty("username")

    def submit(self) -> None:
        """Send the login; the password field is cleared whatever the answer."""
        username, password = self.ids.username.text, self.ids.password.text
        if self.app.controller.login(username, password):
            self.ids.password.text = ""

    def on_pre_enter(self, *_args: Any) -> None:
        """A fresh form for the next clerk."""
        self.ids.password.text = ""
        self.active = "username"
