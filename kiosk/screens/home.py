"""Home: take a ticket, look up a dossier, procedures; the office's notice and opening hours."""

from __future__ import annotations

from appliance.records import Service
from kiosk.screens.base import KioskScreen
from motcua.i18n import Translator


def hours_text(t: Translator, services: list[Service], language: str) -> str:
    """The opening hours of the services that have them: one span when they share it,
    else each service's own; "" when none has hours."""
    spans = [
        (s.name(language), f"{s.opens_at}–{s.closes_at}")
        for s in services
        if s.opens_at and s.closes_at
    ]
    if not spans:
        return ""
    if len({span for _name, span in spans}) == 1:
        return t("Opening hours: {hours}", hours=spans[0][1])
    return t("Opening hours: {hours}", hours=" · ".join(f"{n} {h}" for n, h in spans))


class HomeScreen(KioskScreen):
    """Three big choices; everything is disabled, with a plain word why, while offline.

    Above them, before anyone chooses, whether tickets can be printed now; below, the office's
    notice and its opening hours, as the waiting-room display shows them.
    """

    watches = ("services", "tickets")

    def refresh(self) -> None:
        """The printer note, the notice and the hours, from the controllers."""
        kiosk = self.kiosk
        language = kiosk.language
        note = ""
        if kiosk.printer is None:
            note = self.tr(
                "This kiosk has no printer: your number will show on the screen. You may "
                "photograph it, or scan its QR code to follow your turn on your phone."
            )
        elif not kiosk.tickets.can_print:
            note = self.tr(
                "Tickets cannot be printed right now. You can still take a number: it will show "
                "on the screen. Please photograph it, or scan its QR code to follow your turn "
                "on your phone."
            )
        self.ids.printer_note.text = note
        notice = kiosk.live.office.notice
        first, second = notice.text_vi, notice.text_en
        if language != "vi":
            first, second = second, first
        lines = [f"[b]{escape(first)}[/b]" if first else "", escape(second)]
        self.ids.notice.text = "\n".join(line for line in lines if line)
        self.ids.hours.text = hours_text(kiosk.t, kiosk.services.services, language)


def escape(text: str) -> str:
    """``text`` shown as it is in a markup label (an administrator's "[b]" stays text)."""
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")
