"""The call panel: the current ticket under a coloured state band, "call next" as the largest
button with the other actions beneath, the waiting lines, and bands for alerts and notices."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    ListProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.button import Button
from kivy.uix.screenmanager import Screen

from counter_panel.controller import BUSY_SHOWN_AFTER_S
from counter_panel.format import clock_text, wait_text
from motcua.i18n import N_

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

# The buttons, in reading order: (action, Vietnamese/English msgid).
BUTTONS = [
    ("call_next", N_("Call next")),
    ("recall", N_("Recall")),
    ("call_number", N_("Call a number")),
    ("start", N_("Start serving")),
    ("finish", N_("Finish")),
    ("no_show", N_("Not present")),
    ("transfer", N_("Transfer")),
    ("pause", N_("Pause")),
    ("lock", N_("Lock")),
]

STATE_TEXT = {"called": N_("Calling"), "serving": N_("Serving")}
# The state band's colour: amber while the citizen is called (waiting for them to come), green
# while served, slate while the counter is paused, light grey with no ticket.
BAND_COLOURS = {
    "called": (0.85, 0.42, 0.0, 1),
    "serving": (0.106, 0.498, 0.231, 1),
    "paused": (0.29, 0.33, 0.39, 1),
    "idle": (0.89, 0.9, 0.93, 1),
}


class PanelButton(Button):
    """One action: Vietnamese over English with its keys, greyed when it cannot apply.

    Not Kivy's ``disabled``: that re-renders the label's text on every change, which on a Pi's
    CPU costs more than the rest of a press. A grey veil drawn over the button says the same
    and costs nothing; a press on it still reaches the controller, which refuses it and says why.
    """

    action = StringProperty("")
    text_vi = StringProperty("")
    text_en = StringProperty("")
    tone = ColorProperty((0.04, 0.37, 0.84, 1))
    available = BooleanProperty(True)


class PanelScreen(Screen):
    """Draws the controller's state; presses go back through ``app.trigger``."""

    app = ObjectProperty(None)
    counter_name = StringProperty("")
    clerk = StringProperty("")
    offline = BooleanProperty(False)
    number = StringProperty("")
    state_vi = StringProperty("")
    state_en = StringProperty("")
    service_vi = StringProperty("")
    service_en = StringProperty("")
    priority = BooleanProperty(False)
    elapsed = StringProperty("")
    notice_vi = StringProperty("")
    notice_en = StringProperty("")
    notice_error = BooleanProperty(False)
    notice_kind = StringProperty("")  # "info", "error" or "pending" (a no-show to undo)
    state_kind = StringProperty("idle")  # "called", "serving", "paused" or "idle"
    band_colour = ColorProperty(BAND_COLOURS["idle"])
    alerts_text = StringProperty("")
    alert_danger = BooleanProperty(False)
    lines = ListProperty([])  # one row per service: [code, name_vi, waiting, oldest_vi, oldest_en]

    def build_buttons(self) -> None:
        """Create the action buttons with their shortcut keys shown beneath the English."""
        grid = self.ids.actions
        grid.clear_widgets()
        self.ids.call_next_slot.clear_widgets()
        self.buttons: dict[str, PanelButton] = {}
        for action, msgid in BUTTONS:
            vi, en = self.app.t.both(msgid)
            keys = self.app.shortcut_label(action)
            button = PanelButton(
                action=action, text_vi=vi, text_en=f"{en} · {keys}" if keys else en
            )
            if action == "call_next":
                button.tone = (0.06, 0.5, 0.24, 1)
            elif action in ("no_show", "transfer"):
                button.tone = (0.7, 0.42, 0.0, 1)
            elif action == "lock":
                button.tone = (0.29, 0.33, 0.39, 1)
            button.bind(on_release=lambda b: self.app.trigger(b.action))
            if action == "call_next":
                button.font_size = dp(30)
                self.ids.call_next_slot.add_widget(button)
            else:
                button.font_size = dp(16)
                grid.add_widget(button)
            self.buttons[action] = button

    def on_lines(self, _screen: Any, lines: list[list[str]]) -> None:
        """Rebuild the waiting lines only when what they say changed."""
        box = self.ids.lines
        if len(box.children) != len(lines):
            box.clear_widgets()
            for _ in lines:
                box.add_widget(Factory.ServiceLine())
        for row, (code, name, waiting, oldest) in zip(reversed(box.children), lines, strict=True):
            row.code, row.name, row.waiting, row.oldest = code, name, waiting, oldest

    def sync(self, controller: Any, now: float | None = None) -> None:
        """Show the controller's state (called on every change and every second)."""
        t = self.app.t
        view = controller.view
        counter = view.counter
        self.counter_name = (counter.name if counter else "") or self.app.t(
            "Counter {number}", number=controller.counter_number
        )
        self.clerk = controller.session.display_name if controller.session else ""
        self.offline = not controller.online
        ticket = view.current
        if ticket:
            self.number = ticket.number
            self.state_vi, self.state_en = t.both(
                STATE_TEXT.get(ticket.state, STATE_TEXT["called"])
            )
            self.service_vi = ticket.service_name_vi or ticket.service
            self.service_en = ticket.service_name_en
            self.priority = ticket.priority
        else:
            self.number = "—"
            self.state_vi, self.state_en = t.both("No ticket at the counter")
            self.service_vi = self.service_en = ""
            self.priority = False
        now = time.time() if now is None else now
        self.elapsed = clock_text(controller.elapsed_s(now))
        kind = ticket.state if ticket and ticket.state in BAND_COLOURS else "idle"
        if view.counter_state == "paused":
            self.state_vi, self.state_en = t.both("Counter paused")
            kind = "paused"
        self.state_kind, self.band_colour = kind, BAND_COLOURS[kind]
        self._show_alerts(controller.alerts)
        notice = controller.notice
        slow = controller.busy is not None and (
            controller.clock() - controller.busy_since >= BUSY_SHOWN_AFTER_S
        )
        pending = controller.no_show
        if slow:
            self.notice_vi, self.notice_en = t.both("Sending… please wait.")
            self.notice_kind = "info"
        elif pending.pending:
            seconds = max(1, math.ceil(pending.remaining_s(controller.clock())))
            self.notice_vi, self.notice_en = t.both(
                N_("{number} will be marked not present in {s} s: press Undo to keep it."),
                number=pending.number, s=seconds,
            )  # fmt: skip
            self.notice_kind = "pending"
        elif notice is not None:
            self.notice_vi, self.notice_en = t.both(notice.msgid, **notice.values)
            self.notice_kind = notice.kind
        else:
            self.notice_vi = self.notice_en = ""
            self.notice_kind = ""
        self.notice_error = self.notice_kind == "error"
        self.lines = [
            [
                s.code,
                s.name_vi,
                str(s.waiting),
                wait_text(t, view.oldest_wait(s.code, controller.hub_now(now)), "vi"),
            ]
            for s in view.served_services
        ]
        # The answer usually comes within a frame or two: greying every button meanwhile would
        # only flicker. A press awaited longer than BUSY_SHOWN_AFTER_S (a slow link) greys them.
        quick = controller.busy is not None and (
            controller.clock() - controller.busy_since < BUSY_SHOWN_AFTER_S
        )
        for action, button in getattr(self, "buttons", {}).items():
            button.available = controller.refusal(action, ignore_busy=quick) is None
        buttons = getattr(self, "buttons", {})
        if "pause" in buttons:
            msgid = N_("Resume") if view.counter_state == "paused" else N_("Pause")
            self._label(buttons["pause"], "pause", msgid)
        if "no_show" in buttons:
            # While a no-show waits to be sent, its own button takes it back.
            msgid = N_("Undo") if pending.pending else N_("Not present")
            self._label(buttons["no_show"], "no_show", msgid)
            if pending.pending:
                buttons["no_show"].available = True

    def _label(self, button: PanelButton, action: str, msgid: str) -> None:
        vi, en = self.app.t.both(msgid)
        keys = self.app.shortcut_label(action)
        button.text_vi, button.text_en = vi, (f"{en} · {keys}" if keys else en)

    def _show_alerts(self, alerts: Any) -> None:
        """Every active alert in one band, the most urgent first, in both languages."""
        ordered = sorted(alerts, key=lambda a: a.level != "danger")
        self.alerts_text = "\n".join(
            f"[b]{_escape(a.text_vi)}[/b] · {_escape(a.text_en)}" for a in ordered
        )
        self.alert_danger = any(a.level == "danger" for a in ordered)


def _escape(text: str) -> str:
    """Text from the hub shown in a markup label: its brackets are not markup."""
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")
