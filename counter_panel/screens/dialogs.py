"""Dialogs over the call panel: call a given number, and transfer to a service or a counter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import ListProperty, ObjectProperty, StringProperty
from kivy.uix.modalview import ModalView

from appliance.records import Counter, Service
from appliance.ui.keypad import apply_key
from appliance.ui.widgets import BilingualButton

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


def number_pad(prefixes: list[str]) -> list[list[str]]:
    """Digits, with the services' letter prefixes on a first row (ticket numbers like A012)."""
    letters = sorted({p for p in prefixes if p and not p.isdigit()})
    rows = [["7", "8", "9"], ["4", "5", "6"], ["1", "2", "3"], ["CLEAR", "0", "DEL"]]
    return ([letters[:6]] if letters else []) + rows


class CallNumberDialog(ModalView):
    """Type a ticket number (keyboard or keys) and call it."""

    app = ObjectProperty(None)
    number = StringProperty("")
    layout = ListProperty([])

    def key(self, key: str) -> None:
        """An on-screen key."""
        self.app.controller.touch()
        self.number = apply_key(self.number, key, 8)

    def typed(self, text: str) -> None:
        """Physical keyboard characters (Window.on_textinput)."""
        for char in text:
            if char.isalnum():
                self.key(char.upper())

    def submit(self) -> None:
        """Send the call; the dialog closes when the controller accepted it."""
        if self.app.controller.act("call_number", number=self.number):
            self.dismiss(animation=False)


class TransferDialog(ModalView):
    """Pick a service line or another counter for the current ticket."""

    app = ObjectProperty(None)
    ticket_number = StringProperty("")

    def fill(self, services: list[Service], counters: list[Counter]) -> None:
        """One button per target (the ticket's own service is left out)."""
        ticket = self.app.controller.view.current
        own = ticket.service if ticket else None
        box_s, box_c = self.ids.services, self.ids.counters
        box_s.clear_widgets()
        box_c.clear_widgets()
        for service in services:
            if service.code == own:
                continue
            button = BilingualButton(
                text_vi=service.name_vi or service.code, text_en=service.name_en, font_size=15
            )
            button.target = ("service", service.code)
            button.bind(on_release=self._chosen)
            box_s.add_widget(button)
        for counter in counters:
            # A closed counter (no clerk yet) can still take a ticket: it waits there.
            closed = counter.state == "closed"
            vi, en = self.app.t.both("Closed") if closed else ("", "")
            button = BilingualButton(
                text_vi=counter.name or str(counter.number),
                text_en=f"{vi} · {en}" if closed else "",
                font_size=17,
            )
            button.tone = (0.45, 0.48, 0.52, 1) if closed else (0.29, 0.33, 0.39, 1)
            button.target = ("counter", counter.number)
            button.bind(on_release=self._chosen)
            box_c.add_widget(button)

    def _chosen(self, button: Any) -> None:
        kind, value = button.target
        if self.app.controller.act("transfer", **{kind: value}):
            self.dismiss(animation=False)
