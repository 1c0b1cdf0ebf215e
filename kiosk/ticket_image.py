"""The printed ticket as an image: Vietnamese survives no printer code page, so it is drawn.

One function, :func:`render_ticket`, draws a hub Ticket (see hub/API.md) as a black-and-white
Pillow image exactly as wide as the paper's printable dots (384 for 58 mm, 576 for 80 mm): agency,
the number large, service, time, people ahead, estimated wait, a QR to the ticket's live-status
page, and a short footer, Vietnamese first with English beneath. A ticket issued while the hub
could not be reached carries an "offline" band and says to keep it instead of the line's length.
The font is Kivy's bundled Roboto (it has every Vietnamese letter), found without importing Kivy;
DejaVu is the fallback.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any

import qrcode
from PIL import Image, ImageDraw, ImageFont

from appliance.records import Ticket
from appliance.timefmt import clock_text, wait_text
from motcua.i18n import Translator

_FALLBACK_FONTS = Path("/usr/share/fonts/truetype/dejavu")
MARGIN = 12


def _font_dir() -> Path:
    spec = importlib.util.find_spec("kivy")
    if spec and spec.submodule_search_locations:
        fonts = Path(next(iter(spec.submodule_search_locations))) / "data" / "fonts"
        if (fonts / "Roboto-Regular.ttf").is_file():
            return fonts
    return _FALLBACK_FONTS


@functools.lru_cache(maxsize=32)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Roboto (or DejaVu) at ``size`` pixels."""
    base = _font_dir()
    if base == _FALLBACK_FONTS:
        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    else:
        name = "Roboto-Bold.ttf" if bold else "Roboto-Regular.ttf"
    return ImageFont.truetype(str(base / name), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, face: Any, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels (long words are kept whole)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if line and draw.textlength(trial, font=face) > width:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


class _Canvas:
    """A tall white strip drawn top to bottom, cropped to what was drawn."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.image = Image.new("L", (width, 2400), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.y = MARGIN

    def text(
        self, text: str, size: int, bold: bool = False, gap: int = 4, fit: bool = False
    ) -> None:
        face = font(size, bold)
        while fit and size > 20 and self.draw.textlength(text, font=face) > self.width - 2 * MARGIN:
            size = int(size * 0.9)  # a long number shrinks to one line rather than wrapping
            face = font(size, bold)
        for line in _wrap(self.draw, text, face, self.width - 2 * MARGIN):
            left, top, right, bottom = self.draw.textbbox((0, 0), line, font=face)
            x = (self.width - (right - left)) // 2 - left
            self.draw.text((x, self.y - top), line, font=face, fill=0)
            self.y += (bottom - top) + gap
        self.y += gap

    def rule(self) -> None:
        self.y += 6
        self.draw.line((MARGIN, self.y, self.width - MARGIN, self.y), fill=0, width=2)
        self.y += 10

    def banner(self, text: str, size: int) -> None:
        """White text on a black band (the priority mark)."""
        face = font(size, True)
        left, top, right, bottom = self.draw.textbbox((0, 0), text, font=face)
        height = bottom - top + 16
        self.draw.rectangle((MARGIN, self.y, self.width - MARGIN, self.y + height), fill=0)
        x = (self.width - (right - left)) // 2 - left
        self.draw.text((x, self.y + 8 - top), text, font=face, fill=255)
        self.y += height + 10

    def paste_centered(self, picture: Image.Image) -> None:
        self.image.paste(picture, ((self.width - picture.width) // 2, self.y))
        self.y += picture.height + 6

    def finish(self) -> Image.Image:
        return self.image.crop((0, 0, self.width, self.y + MARGIN * 3))


def qr_image(url: str, box: int) -> Image.Image:
    """A QR code of ``url`` in black on white, ``box`` pixels per module, 2-module border."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box, border=2)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("L")


def render_ticket(ticket: Ticket, agency: str, t: Translator, dots: int) -> Image.Image:
    """The ticket image, ``dots`` wide (384 for 58 mm paper, 576 for 80 mm)."""
    scale = dots / 576
    px = lambda size: max(12, round(size * scale))  # noqa: E731 - a local unit, not a function
    canvas = _Canvas(dots)
    canvas.text(agency, px(26), bold=True)
    canvas.rule()
    vi, en = t.both("Your number")
    canvas.text(f"{vi.upper()} / {en}", px(22))
    canvas.text(ticket.number, px(150), bold=True, gap=8, fit=True)
    canvas.text(ticket.service_name_vi or ticket.service, px(28), True)
    if ticket.service_name_en:
        canvas.text(ticket.service_name_en, px(22))
    if ticket.priority:
        canvas.banner("{} / {}".format(*t.both("Priority")), px(26))
    if ticket.offline:
        vi, en = t.both("Offline")
        canvas.banner(f"{vi.upper()} / {en.upper()}", px(26))
    canvas.rule()
    ahead = ticket.ahead or 0
    wait = ticket.estimated_wait_s
    rows = [t.both("Issued at {time}", time=clock_text(ticket.issued_at))]
    if ticket.offline:  # the line is unknown until the hub takes the ticket in
        rows += [
            t.both("Issued while the system is down."),
            t.both("Keep your ticket: your number will be called."),
        ]
    else:
        rows += [
            t.both("People ahead: {count}", count=ahead),
            (
                t("Estimated wait: {wait}", "vi", wait=wait_text(t, wait, "vi")),
                t("Estimated wait: {wait}", "en", wait=wait_text(t, wait, "en")),
            ),
        ]
    for row_vi, row_en in rows:
        canvas.text(row_vi, px(26), gap=2)
        canvas.text(row_en, px(20))
    if ticket.status_url:
        canvas.rule()
        canvas.paste_centered(qr_image(ticket.status_url, max(3, round(6 * scale))))
        canvas.text(t("Scan to follow your turn", "vi"), px(22), gap=2)
        canvas.text(t("Scan to follow your turn", "en"), px(18))
        if ticket.offline:
            canvas.text(t("The QR code works once the system is back.", "vi"), px(22), gap=2)
            canvas.text(t("The QR code works once the system is back.", "en"), px(18))
    canvas.rule()
    canvas.text(t("Please wait until your number is called.", "vi"), px(22), gap=2)
    canvas.text(t("Please wait until your number is called.", "en"), px(18))
    return canvas.finish()
