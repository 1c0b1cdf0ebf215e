"""Drawing a ticket's Vietnamese lines in 1-bit, and laying the ticket out as a print job.

Vietnamese survives no printer code page, so its lines are drawn with Pillow, in 1-bit from the
start: FreeType's monochrome rendering, never grey edges that a later dither breaks up (drawn
grey and dithered, a "1" at 58 mm came out in pieces that an OCR read as "3"). A
:class:`TicketCanvas` is the paper, top to bottom: raster lines are drawn on it and what the
printer draws itself (Font A text, a native QR code) takes its place in the flow;
:meth:`TicketCanvas.job` turns it into the :class:`~appliance.devices.escpos_job.Job` sent, each
raster line cut to its ink (rows and the white to its right) and the white between lines sent as
paper feeds rather than as rows of zeros. The font is Kivy's bundled Roboto (it has every
Vietnamese letter), found without importing Kivy; DejaVu is the fallback.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from appliance.devices.escpos_job import (
    QR,
    Capabilities,
    Feed,
    Job,
    Part,
    Raster,
    Text,
    qr_modules,
    qr_symbol,
)
from kiosk.vietnamese_lines import break_lines

_FALLBACK_FONTS = Path("/usr/share/fonts/truetype/dejavu")
MARGIN = 12
MAX_FEED = 255  # ESC 3 takes at most 255


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


def qr_image(url: str, box: int) -> Image.Image:
    """A QR code of ``url`` in black on white, ``box`` pixels per module, 2-module border
    (for screens; on paper the printer draws its own, see :class:`TicketCanvas`)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box, border=2)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("L")


_MEASURE = ImageDraw.Draw(Image.new("1", (1, 1), 1))


@functools.lru_cache(maxsize=2048)
def text_width(text: str, size: int, bold: bool = False) -> float:
    """Width in dots of ``text`` drawn at ``size`` (cached: line breaking asks again and again)."""
    return _MEASURE.textlength(text, font=font(size, bold))


def ink_rows(image: Image.Image) -> tuple[int, int, int] | None:
    """(top, bottom, right) of the black dots in a 1-bit image, or None when it is blank."""
    box = Image.eval(image.convert("L"), lambda v: 255 - v).getbbox()
    return None if box is None else (box[1], box[3], box[2])


class TicketCanvas:
    """The paper, top to bottom: raster lines and native parts in order, with their heights."""

    def __init__(self, capabilities: Capabilities) -> None:
        self.capabilities = capabilities
        self.width = capabilities.dots
        self.y = MARGIN
        self._items: list[tuple[int, Part]] = []  # (top, part); rasters still uncropped

    def space(self, dots: int) -> None:
        """Leave ``dots`` of white paper."""
        self.y += dots

    def _raster(self, image: Image.Image, text: str) -> None:
        self._items.append((self.y, Raster(image, text)))
        self.y += image.height

    def text(
        self,
        text: str,
        size: int,
        bold: bool = False,
        align: str = "center",
        gap: int = 4,
        shrink: float = 1.0,
    ) -> None:
        """``text`` drawn in 1-bit, broken between Vietnamese words to fit the paper.

        ``shrink`` < 1: a line that just misses fitting is drawn down to that fraction of
        ``size`` to stay on one line (a heading reads better whole, and a band less is ~1 KB).
        """
        room = self.width - 2 * MARGIN
        smallest = round(size * shrink)
        if text_width(text, size, bold) > room >= text_width(text, smallest, bold):
            while text_width(text, size, bold) > room:
                size -= 1
        face = font(size, bold)
        for line in break_lines(text, lambda s: text_width(s, size, bold), room):
            left, top, right, bottom = face.getbbox(line)
            image = Image.new("1", (self.width, bottom - top), 1)
            x = MARGIN - left if align == "left" else (self.width - (right - left)) // 2 - left
            ImageDraw.Draw(image).text((x, -top), line, font=face, fill=0)
            self._raster(image, line)
            self.y += gap
        self.y += gap

    def big(self, text: str, size: int) -> None:
        """One line that shrinks rather than wraps (a ticket number drawn, not printed)."""
        while size > 20 and text_width(text, size, True) > self.width - 2 * MARGIN:
            size = int(size * 0.9)
        face = font(size, True)
        left, top, right, bottom = face.getbbox(text)
        image = Image.new("1", (self.width, bottom - top), 1)
        x = (self.width - (right - left)) // 2 - left
        ImageDraw.Draw(image).text((x, -top), text, font=face, fill=0)
        self._raster(image, text)
        self.y += 8

    def native(
        self, text: str, scale: int = 1, bold: bool = False, align: str = "center", font: str = "a"
    ) -> None:
        """One line in the printer's own font (ASCII, already short enough for the paper)."""
        line = Text(text, scale, bold, align, font)
        self._items.append((self.y, line))
        self.y += line.advance

    def qr(self, url: str, module: int) -> None:
        """A QR code: the printer's own where it has one, else drawn, centred either way."""
        if self.capabilities.native_qr:
            self._items.append((self.y, QR(url, module)))
            self.y += len(qr_modules(url)) * module
            return
        symbol = qr_symbol(url, module)
        image = Image.new("1", (self.width, symbol.height), 1)
        image.paste(symbol, ((self.width - symbol.width) // 2, 0))
        self._raster(image, f"[QR {url}]")

    def rule(self) -> None:
        """A thin line across, between sections."""
        self.y += 6
        image = Image.new("1", (self.width, 2), 1)
        ImageDraw.Draw(image).rectangle((MARGIN, 0, self.width - MARGIN - 1, 1), fill=0)
        self._raster(image, "---")
        self.y += 10

    def banner(self, text: str, size: int) -> None:
        """White text on a black band (the priority and offline marks)."""
        face = font(size, True)
        left, top, right, bottom = face.getbbox(text)
        pad = 8
        image = Image.new("1", (self.width, bottom - top + 2 * pad), 1)
        box_left = max(MARGIN, (self.width - (right - left)) // 2 - 3 * pad)
        draw = ImageDraw.Draw(image)
        draw.rectangle((box_left, 0, self.width - box_left - 1, image.height - 1), fill=0)
        draw.text(((self.width - (right - left)) // 2 - left, pad - top), text, font=face, fill=1)
        self._raster(image, text)
        self.y += 10

    def job(self) -> Job:
        """The print job: raster lines cut to their ink, white between parts sent as feeds."""
        job = Job(self.capabilities)
        at = 0  # where the paper is
        for top, part in self._items:
            if isinstance(part, Raster):
                ink = ink_rows(part.image)
                if ink is None:
                    continue
                first, last, right = ink
                width = min(self.width, -(-right // 8) * 8)  # whole bytes, white right cut off
                part = Raster(part.image.crop((0, first, width, last)), part.text)
                top += first
            _feed(job, top - at)
            job.add(part)
            at = top + _height(part)
        _feed(job, self.y + MARGIN - at)
        return job


def _height(part: Part) -> int:
    if isinstance(part, Raster):
        return part.image.height
    if isinstance(part, Text):
        return part.advance
    if isinstance(part, QR):
        return len(qr_modules(part.data)) * part.module
    return part.dots


def _feed(job: Job, dots: int) -> None:
    while dots > 0:
        job.add(Feed(min(dots, MAX_FEED)))
        dots -= MAX_FEED
