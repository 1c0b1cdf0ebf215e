"""What a queue ticket says, and where each part goes: drawn, or in the printer's own font.

:func:`ticket_job` lays out a hub Ticket (see hub/API.md) for one printer: agency, "your number",
the number large, service, priority and offline marks, time issued, people ahead, estimated wait,
a QR to the ticket's live-status page and a footer, Vietnamese first with English beneath. Every
Vietnamese line is drawn (1-bit raster); the number, the English lines and the QR code go as the
printer's Font A text and native QR where its capabilities allow, and are drawn too where they do
not. Layout sizes follow the paper: 384 dots (58 mm), 512 (80 mm at 180 dpi, the Epson TM-T88
family and many clones) and 576 (80 mm at 203 dpi), or any width in between.
"""

from __future__ import annotations

import textwrap

from appliance.devices.escpos_job import FONT_A, FONTS, MAX_SCALE, Capabilities, Job, ascii_text
from appliance.records import Ticket
from appliance.timefmt import clock_text, wait_text
from kiosk.ticket_image import MARGIN, TicketCanvas
from motcua.i18n import Translator


class _Ticket(TicketCanvas):
    """A canvas that knows the ticket's type sizes at this paper width."""

    def __init__(self, capabilities: Capabilities) -> None:
        super().__init__(capabilities)
        # Dots are the same size on 58 and 80 mm paper (203 dpi), a little larger on 180 dpi
        # heads: type keeps nearly its size, narrower paper takes fewer words a line.
        dots = capabilities.dots
        self.scale = 1.0 if dots >= 576 else 0.9 if dots >= 512 else 0.85

    def px(self, size: int) -> int:
        """A type size given for 576 dots, at this paper's width (never under 16 dots)."""
        return max(16, round(size * self.scale))

    def english(self, text: str, align: str = "center") -> None:
        """English beneath Vietnamese: the printer's Font B (else A) where it has fonts and the
        text is ASCII, else drawn smaller than the Vietnamese."""
        plain = ascii_text(text)
        if not self.capabilities.native_text or plain is None:
            self.text(text, self.px(18), align=align)
            return
        font = "b" if self.capabilities.font_b else "a"
        cell = FONTS[font][0]
        indent = -(-MARGIN // cell) if align == "left" else 0  # under the drawn lines' margin
        room = self.capabilities.columns_of(font) - indent - (0 if align == "left" else 2)
        for line in textwrap.wrap(plain, room) or [""]:
            self.native(" " * indent + line, align=align, font=font)
        self.space(6)

    def rule(self) -> None:
        """A line between sections: Font A dashes where the printer has the font (a few bytes
        where a drawn line is a hundred and more)."""
        if not self.capabilities.native_text:
            super().rule()
            return
        font = "b" if self.capabilities.font_b else "a"
        self.space(2)
        self.native("-" * (self.capabilities.columns_of(font) - 2), font=font)
        self.space(2)

    def number(self, number: str) -> None:
        """The ticket number as large as the paper allows: Font A multiplied, or drawn."""
        plain = ascii_text(number)
        if self.capabilities.native_text and plain is not None:
            room = self.width - 2 * MARGIN
            # 5x (120 dots high) on 80 mm, 4x on 58 mm; a long number steps down to fit.
            scale = min(MAX_SCALE, 5 if self.width >= 512 else 4, room // (FONT_A[0] * len(plain)))
            if scale >= 2:
                self.native(plain, scale=scale, bold=True)
                self.space(8)
                return
        self.space(6)
        self.big(number, self.px(150))


def _module(dots: int) -> int:
    """QR module size in dots: about 0.75 mm, so a phone reads it at arm's length."""
    return 6 if dots >= 512 else 4


def ticket_job(ticket: Ticket, agency: str, t: Translator, capabilities: Capabilities) -> Job:
    """The print job for ``ticket`` on a printer with ``capabilities``."""
    c = _Ticket(capabilities)
    c.text(agency.upper(), c.px(21), bold=True, shrink=0.85)
    c.rule()
    vi, en = t.both("Your number")
    c.text(vi, c.px(20), bold=True, gap=2)
    c.english(en)
    c.number(ticket.number)
    c.text(ticket.service_name_vi or ticket.service, c.px(24), bold=True, gap=3, shrink=0.8)
    if ticket.service_name_en:
        c.english(ticket.service_name_en)
    if ticket.priority:
        c.banner("{} / {}".format(*t.both("Priority")).upper(), c.px(24))
    if ticket.offline:
        vi, en = t.both("Offline")
        c.banner(f"{vi} / {en}".upper(), c.px(24))
    c.rule()
    wait = ticket.estimated_wait_s
    rows = [t.both("Issued at {time}", time=clock_text(ticket.issued_at))]
    if ticket.offline:  # the line is unknown until the hub takes the ticket in
        rows += [
            t.both("Issued while the system is down."),
            t.both("Keep your ticket: your number will be called."),
        ]
    else:
        rows += [
            t.both("People ahead: {count}", count=ticket.ahead or 0),
            (
                t("Estimated wait: {wait}", "vi", wait=wait_text(t, wait, "vi")),
                t("Estimated wait: {wait}", "en", wait=wait_text(t, wait, "en")),
            ),
        ]
    for row_vi, row_en in rows:
        c.text(row_vi, c.px(21), align="left", gap=2)
        c.english(row_en, align="left")
    if ticket.status_url:
        c.rule()
        c.space(4)
        c.qr(ticket.status_url, _module(capabilities.dots))
        c.space(8)
        c.text(t("Scan to follow your turn", "vi"), c.px(19), gap=2)
        c.english(t("Scan to follow your turn", "en"))
        if ticket.offline:
            c.text(t("The QR code works once the system is back.", "vi"), c.px(19), gap=2)
            c.english(t("The QR code works once the system is back.", "en"))
    c.rule()
    c.text(t("Please wait until your number is called.", "vi"), c.px(17), gap=2)
    c.english(t("Please wait until your number is called.", "en"))
    return c.job()
