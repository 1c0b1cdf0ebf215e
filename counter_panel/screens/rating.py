"""The citizen's rating after service: five big faces-free buttons, Vietnamese first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class RatingScreen(Screen):
    """Asks the citizen how the service was; the answer goes with the ticket, counter, clerk."""

    app = ObjectProperty(None)
    number = StringProperty("")
    thanks = BooleanProperty(False)
    busy = BooleanProperty(False)
    notice_vi = StringProperty("")
    notice_en = StringProperty("")

    def sync(self, controller: Any) -> None:
        """Show the ticket being rated, or the thanks once rated."""
        ticket = controller.rating_ticket
        self.thanks = ticket is None
        if ticket is not None:
            self.number = ticket.number
        self.busy = controller.busy is not None
        notice = controller.notice
        if notice is not None and notice.kind == "error":
            self.notice_vi, self.notice_en = self.app.t.both(notice.msgid, **notice.values)
        else:
            self.notice_vi = self.notice_en = ""
