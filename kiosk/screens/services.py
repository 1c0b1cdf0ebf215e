"""Take a ticket: open services with people waiting and the wait, and the priority choice."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.uix.boxlayout import BoxLayout

from appliance.records import Service
from appliance.timefmt import wait_text
from appliance.ui import theme
from kiosk.screens.base import KioskScreen
from motcua.i18n import N_

REASON_TEXT = {
    "elderly": N_("Elderly ({age} or older)"),
    "disabled": N_("Person with a disability"),
    "pregnant": N_("Pregnant woman"),
    "small_child": N_("With a child under 3"),
    "merit": N_("Person with merit to the revolution"),
}


class PriorityConfirm(BoxLayout):
    """Who may take a priority ticket, one button per reason, and a way out."""

    def on_touch_down(self, touch: Any) -> bool:
        """Modal: touches never reach the list beneath."""
        super().on_touch_down(touch)
        return True


class ServicesScreen(KioskScreen):
    """One big button per service; closed or full services are shown as such, not hidden."""

    watches = ("services", "tickets", "offline")

    def on_kv_post(self, base_widget: Any) -> None:
        """Rows are sized to the list's room: size them again when it changes."""
        self.ids.scroll.bind(height=lambda *_a: self._resized())

    def _resized(self) -> None:
        if self.kiosk is not None and self.app() is not None:  # not while the app stops
            self._fill_list(self.kiosk.services.services)

    _confirm: PriorityConfirm | None = None

    def refresh(self) -> None:
        """Rebuild the list and the priority state from the controllers."""
        kiosk = self.kiosk
        tickets = kiosk.tickets
        if tickets.stage in ("issuing", "issued", "failed"):
            return  # the app switches to the ticket screen
        self._fill_list(kiosk.services.services)
        self.ids.priority.text_vi = (
            self.tr("Priority: ON (tap to turn off)")
            if tickets.priority
            else self.tr("I have priority (ưu tiên)")
        )
        self.ids.priority.tone = theme.ACCENT if tickets.priority else theme.MUTED
        status = tickets.printer_status
        warning = ""
        if kiosk.printer is None:
            warning = self.tr("This kiosk has no printer: your number will show on the screen.")
        elif status is not None and not status.can_print:
            warning = self.tr(
                "The printer is not working: your number will show on the screen with its QR code."
            )
        self.ids.printer_warning.text = warning
        self._show_confirm(tickets.confirming_priority)

    def _show_confirm(self, show: bool) -> None:
        """The priority question lies over the list while it is asked (added, not hidden:
        a hidden widget would still catch the touches meant for the list)."""
        if self._confirm is None:
            self._confirm = PriorityConfirm()
        shown = self._confirm.parent is not None
        if show and not shown:
            self.ids.layer.add_widget(self._confirm)
        elif not show and shown:
            self.ids.layer.remove_widget(self._confirm)
        if show:
            self._fill_reasons()

    def _fill_list(self, services: list[Service]) -> None:
        """Update the rows in place: a refresh must not replace a button under a finger."""
        box = self.ids.list
        rows = [w for w in reversed(box.children) if hasattr(w, "service_code")]
        if [r.service_code for r in rows] != [s.code for s in services] or not rows:
            box.clear_widgets()
            rows = []
            if not services:
                online = self.kiosk.services.online is not False
                word = N_("Loading…") if online else N_("No services now.")
                box.add_widget(Factory.Body(text=self.tr(word), halign="center"))
            for service in services:
                row = self.made("KioskTile", tone=theme.PRIMARY, size_hint_y=None)
                row.service_code = service.code
                row.bind(on_release=lambda b: self.kiosk.tickets.issue(b.service_code))
                box.add_widget(row)
                rows.append(row)
        # On a tall screen the rows grow to fill it rather than leave it empty.
        room = self.ids.scroll.height - box.spacing * max(0, len(rows) - 1)
        height = max(self.u(110), room / max(1, len(rows)))
        for row, service in zip(rows, services, strict=True):
            row.height = height
            row.largest = min(self.u(34), height * 0.3)
            self._show_row(row, service)

    def _show_row(self, row: Any, service: Service) -> None:
        name = service.name(self.kiosk.language)
        state = service.state
        offline = self.kiosk.services.online is False
        if offline and state == "open" and self.kiosk.offline_left(service.code):
            # The waiting counts are stale: say only that a ticket can still be had.
            row.text_vi, row.text_en = name, self.tr("Ticket issued offline")
            row.disabled = False
            return
        if state == "open":
            detail = self.tr(
                "{waiting} waiting · about {wait}",
                waiting=service.waiting,
                wait=wait_text(self.kiosk.t, service.estimated_wait_s),
            )
        elif state == "full":
            detail = self.tr("No more tickets today")
        else:
            detail = self.tr("Closed now (opens {time})", time=service.opens_at or "—")
        row.text_vi, row.text_en = name, detail
        row.disabled = state != "open" or self.kiosk.services.online is False

    def _fill_reasons(self) -> None:
        """One button per reason the office's settings list (those this kiosk can word)."""
        tickets = self.kiosk.tickets
        box = self._confirm.ids.reasons
        box.clear_widgets()
        for reason in tickets.priority_reasons:
            if reason not in REASON_TEXT:
                continue  # a reason a newer hub added: not offered until the kiosk can say it
            text = self.tr(REASON_TEXT[reason], age=tickets.elderly_age)
            button = self.made("BigButton", text=text, font_size=self.u(28))
            button.reason = reason
            button.bind(on_release=lambda b: self.kiosk.tickets.confirm_priority(b.reason))
            box.add_widget(button)
