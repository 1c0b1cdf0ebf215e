"""The ticket: the big number, service, people ahead, estimated wait, printing, its QR code."""

from __future__ import annotations

from appliance.timefmt import wait_text
from appliance.ui import theme
from kiosk.screens.base import KioskScreen, texture_of
from kiosk.ticket_image import qr_image
from motcua.i18n import N_

ERRORS = {
    "offline": N_("The kiosk cannot reach the hub. Please try again in a moment."),
    "service_closed": N_("This service is closed now."),
    "service_full": N_("This service has given all its tickets for today."),
    "rate_limited": N_("Too many attempts. Please wait a moment."),
    "unauthorized": N_("This device is not enrolled or its token was revoked."),
    "forbidden": N_("Not allowed on this device."),
}


class TicketScreen(KioskScreen):
    """Issuing, the issued ticket, or why it could not be issued."""

    watches = ("tickets",)

    _qr_url: str | None = None

    def refresh(self) -> None:
        """Show the ticket controller's stage."""
        tickets = self.kiosk.tickets
        ids = self.ids
        ticket = tickets.ticket
        issued = tickets.stage == "issued" and ticket is not None
        # The hidden one moves off screen: an invisible widget would still catch touches.
        ids.card.pos_hint = {"x": 0 if issued else 5, "y": 0}
        ids.failed_box.pos_hint = {"x": 0 if tickets.stage == "failed" else 5, "y": 0}
        ids.retry.disabled = tickets.stage != "failed" or tickets.error in (
            "service_closed",
            "service_full",
        )
        if tickets.stage == "issuing":
            ids.title.text = self.tr("Getting your number…")
        elif tickets.stage == "failed":
            ids.title.text = self.tr("Your ticket could not be issued")
            message = ERRORS.get(str(tickets.error), N_("Please try again."))
            if str(tickets.error).startswith("service_") and tickets.error not in ERRORS:
                message = ERRORS["service_closed"]
            ids.failed_text.text = self.tr(message)
        if not issued:
            return
        assert ticket is not None
        language = self.kiosk.language
        ids.title.text = self.tr("Your number")
        ids.number.text = ticket.number
        ids.service.text = ticket.service_name(language)
        ids.priority.text = self.tr("Priority") if ticket.priority else ""
        if ticket.offline:  # the line is unknown until the hub takes the ticket in
            ids.priority.text = " · ".join(
                [self.tr("Offline")] + ([self.tr("Priority")] if ticket.priority else [])
            )
            ids.ahead.text = self.tr("Issued while the system is down.")
            ids.wait.text = self.tr("Keep your ticket: your number will be called.")
        else:
            ids.ahead.text = self.tr("People ahead: {count}", count=ticket.ahead or 0)
            ids.wait.text = self.tr(
                "Estimated wait: {wait}", wait=wait_text(self.kiosk.t, ticket.estimated_wait_s)
            )
        url = ticket.status_url
        if url and url != self._qr_url:
            self._qr_url = url
            ids.qr.texture = texture_of(qr_image(url, 8))
        elif not url:  # never the previous citizen's code
            self._qr_url = None
            ids.qr.texture = None
        ids.print_state.text = self._print_text()
        ids.print_state.color = theme.OK if tickets.print_state == "printed" else theme.ACCENT
        if tickets.print_state == "printing":
            ids.print_state.color = theme.MUTED
        # "Print again" only when it could work: not with the paper out or the printer off line.
        ids.reprint.disabled = not tickets.can_reprint
        ids.reprint.opacity = 1 if tickets.can_reprint else 0

    def _print_text(self) -> str:
        tickets = self.kiosk.tickets
        state = tickets.print_state
        if state == "printing":
            return self.tr("Printing your ticket…")
        if state == "printed":
            return self.tr("Take your ticket from the printer below.")
        if state == "none":
            return self.tr("Please remember your number, or scan the QR code with your phone.")
        return self.tr(
            "The printer did not work. Please remember your number or scan the QR code; "
            "staff have been told."
        )
