"""A print job as the printer takes it: 1-bit raster bands, lines in its own font, a native QR.

Vietnamese does not survive printer code pages, so the lines that carry it are drawn (1-bit, by
the app) and sent as raster bands, cut to their ink. What is plain ASCII (a ticket number, times,
English lines) is sent as text in the printer's Font A or B, and a QR code as the printer's own
``GS ( k`` symbol, where the python-escpos profile says the printer has them: a few hundred bytes
where raster would take tens of kilobytes, which over a 19,200 baud serial line is seconds.

A :class:`Job` is an ordered list of parts. :meth:`Job.send` writes it through python-escpos
methods only (``image``, ``set``, ``text``, ``qr(native=True)``, ``line_spacing``, ``cut``).
:meth:`Job.preview` draws what paper shows: every raster band pasted bit for bit as sent, and the
native parts as the printer draws them (character cells of 12 x 24 dots for Font A, 9 x 17 for B,
multiplied by the character size, in a monospaced face standing in for the printer's; the QR
with the same version, error correction and module size), so a test or a demo sees what a citizen
gets.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import qrcode
from escpos.capabilities import CAPABILITIES, get_profile
from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont

# Character cells in dots, the same on 180 and 203 dpi heads: Font A for what must stand out,
# Font B (smaller) for the English beneath the Vietnamese.
FONTS = {"a": (12, 24), "b": (9, 17)}
FONT_A = FONTS["a"]
LINE_GAP = 6  # white between two lines of text
MAX_SCALE = 8  # GS ! takes character sizes 1-8
# Typography ASCII can stand for; anything else in a line keeps it out of the printer's font.
_ASCII_FOR = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
                            "…": "...", "\u00a0": " ", "·": "-"})  # fmt: skip


@dataclass(frozen=True)
class Capabilities:
    """What a printer can do, as its python-escpos profile (and the kiosk's settings) say.

    ``dots``: printable dots across the paper; ``native_text``: print ASCII lines in Font A;
    ``font_b``: it has the smaller Font B too; ``native_qr``: print QR codes with ``GS ( k``;
    ``cut``: the printer has a cutter.
    """

    dots: int
    native_text: bool = True
    font_b: bool = True
    native_qr: bool = True
    cut: bool = True
    profile: str = ""

    @property
    def columns(self) -> int:
        """Font A characters on one line."""
        return self.columns_of("a")

    def columns_of(self, font: str) -> int:
        """Characters of ``font`` ("a" or "b") on one line."""
        return self.dots // FONTS[font][0]


def profile_names() -> list[str]:
    """The python-escpos profiles a setting may name."""
    return sorted(CAPABILITIES["profiles"])


def profile_dots(profile: str) -> int | None:
    """The profile's printable width in dots, or None when the profile does not know it."""
    data = get_profile(profile or None).profile_data
    pixels = data.get("media", {}).get("width", {}).get("pixels")
    return pixels if isinstance(pixels, int) else None


def capabilities_for(profile: str, dots: int, raster_only: bool = False) -> Capabilities:
    """What a printer with python-escpos ``profile`` ("" for the generic one) can do at ``dots``.

    ``raster_only`` sends everything as raster, for a printer whose fonts or QR are not what its
    profile claims.
    """
    printer_profile = get_profile(profile or None)
    fonts = printer_profile.profile_data.get("fonts", {})
    has_font_a = "0" in fonts and not raster_only
    return Capabilities(
        dots=dots,
        native_text=has_font_a,
        font_b=has_font_a and "1" in fonts,
        native_qr=bool(printer_profile.supports("qrCode")) and not raster_only,
        cut=any(printer_profile.supports(f) for f in ("paperFullCut", "paperPartCut")),
        profile=profile,
    )


def ascii_text(text: str) -> str | None:
    """``text`` as the printer's font can print it (dashes and quotes made ASCII), else None."""
    plain = text.translate(_ASCII_FOR)
    return plain if all(" " <= ch <= "~" for ch in plain) else None


@dataclass(frozen=True)
class Raster:
    """A 1-bit band, at most ``dots`` wide, printed from the left edge; ``text`` says what it
    shows (for tests, logs and the bench: nobody reads it off the bytes)."""

    image: Image.Image
    text: str = ""


@dataclass(frozen=True)
class Text:
    """One line in the printer's ``font`` ("a" or "b") at ``scale`` times its size (1-8), ASCII
    only, with its alignment."""

    text: str
    scale: int = 1
    bold: bool = False
    align: str = "left"
    font: str = "a"

    @property
    def cell(self) -> tuple[int, int]:
        """One character's width and height in dots, at this size."""
        width, height = FONTS[self.font]
        return width * self.scale, height * self.scale

    @property
    def spacing(self) -> int:
        """The line spacing it is printed with (ESC 3)."""
        return FONTS[self.font][1] + LINE_GAP

    @property
    def advance(self) -> int:
        """How far the paper moves for this line: the spacing, or the characters' height."""
        return max(self.cell[1], self.spacing)


@dataclass(frozen=True)
class QR:
    """A native QR code (model 2, error correction M), ``module`` dots per module, centred."""

    data: str
    module: int


@dataclass(frozen=True)
class Feed:
    """White paper, ``dots`` high."""

    dots: int


Part = Raster | Text | QR | Feed


@functools.lru_cache(maxsize=16)
def qr_modules(data: str) -> tuple[tuple[bool, ...], ...]:
    """The QR matrix a printer makes of ``data`` at error correction M (smallest version).

    Cached: laying out, checking and previewing one ticket ask for it several times, and each
    answer costs some 20 ms of mask scoring."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def qr_symbol(data: str, module: int) -> Image.Image:
    """The QR code of ``data`` in 1-bit, ``module`` dots a module, no quiet zone."""
    matrix = qr_modules(data)
    symbol = Image.new("1", (len(matrix), len(matrix)), 1)
    symbol.putdata([0 if dark else 1 for row in matrix for dark in row])
    size = len(matrix) * module
    return symbol.resize((size, size), Image.Resampling.NEAREST)


@dataclass
class Job:
    """A ticket (or any page) for one printer: its parts in order, then a cut."""

    capabilities: Capabilities
    parts: list[Part] = field(default_factory=list)

    def add(self, *parts: Part) -> None:
        """Append parts, refusing what the printer could not print as given."""
        for part in parts:
            self._check(part)
            self.parts.append(part)

    def _check(self, part: Part) -> None:
        dots = self.capabilities.dots
        if isinstance(part, Raster):
            if part.image.mode != "1":
                raise ValueError(f"raster band {part.text!r} must be 1-bit, not {part.image.mode}")
            if part.image.width > dots:
                raise ValueError(f"raster band {part.text!r} is {part.image.width} > {dots} dots")
        elif isinstance(part, Text):
            if not self.capabilities.native_text:
                raise ValueError("this printer has no font to print text in")
            if ascii_text(part.text) != part.text:
                raise ValueError(f"{part.text!r} is not plain ASCII")
            if not 1 <= part.scale <= MAX_SCALE:
                raise ValueError(f"character size must be 1-{MAX_SCALE}, not {part.scale}")
            if part.font not in FONTS or (part.font == "b" and not self.capabilities.font_b):
                raise ValueError(f"this printer has no font {part.font!r}")
            if len(part.text) * part.cell[0] > dots:
                raise ValueError(f"{part.text!r} at size {part.scale} is wider than {dots} dots")
        elif isinstance(part, Feed):
            if not 0 < part.dots <= 255:
                raise ValueError(f"a feed is 1-255 dots, not {part.dots}")
        elif isinstance(part, QR):
            if not self.capabilities.native_qr:
                raise ValueError("this printer has no native QR codes")
            if len(qr_modules(part.data)) * part.module > dots:
                raise ValueError(f"QR code of {part.data!r} is wider than {dots} dots")

    def rasters(self) -> list[Raster]:
        """The raster bands, in order."""
        return [p for p in self.parts if isinstance(p, Raster)]

    def send(self, printer: Any) -> None:
        """Write the job through a python-escpos printer (``Escpos``), cut included."""
        align: str | None = None
        spacing: int | None = None
        style: tuple[int | None, bool | None, str | None] = (None, None, None)
        for part in self.parts:
            if isinstance(part, Raster):
                if align != "left":  # ESC a moves raster bands too on many printers
                    printer.set(align="left")
                    align = "left"
                printer.image(part.image, impl="bitImageRaster")
                continue
            wanted = part.dots if isinstance(part, Feed) else getattr(part, "spacing", 0)
            if spacing != wanted and not isinstance(part, QR):
                printer.line_spacing(wanted)  # the same feeds on 180 and 203 dpi heads
                spacing = wanted
            if isinstance(part, Text):
                # only what changed: every byte is time on a serial line
                if style[0] != part.scale:
                    if part.scale > 1:
                        printer.set(custom_size=True, width=part.scale, height=part.scale)
                    else:
                        printer.set(normal_textsize=True)
                if style[1] != part.bold:
                    printer.set(bold=part.bold)
                if style[2] != part.font:
                    printer.set(font=part.font)
                style = (part.scale, part.bold, part.font)
                if align != part.align:
                    printer.set(align=part.align)
                    align = part.align
                printer.text(part.text + "\n")
            elif isinstance(part, QR):
                printer.set(align="center")
                align = "center"
                printer.qr(part.data, ec=QR_ECLEVEL_M, size=part.module, native=True)
            else:
                printer.ln()
        if spacing is not None:
            printer.line_spacing()
        if self.capabilities.cut:
            printer.cut()

    def preview(self) -> Image.Image:
        """What the paper shows down to the cut, as a 1-bit image ``dots`` wide."""
        dots = self.capabilities.dots
        pieces = [_piece(part, dots) for part in self.parts]
        page = Image.new("1", (dots, sum(p.height for p in pieces)), 1)
        y = 0
        for piece in pieces:
            page.paste(piece, (0, y))
            y += piece.height
        return page


def _piece(part: Part, dots: int) -> Image.Image:
    """One part as it lands on paper, full width."""
    if isinstance(part, Raster):
        band = Image.new("1", (dots, part.image.height), 1)
        band.paste(part.image, (0, 0))
        return band
    if isinstance(part, Text):
        return _text_line(part, dots)
    if isinstance(part, QR):
        symbol = qr_symbol(part.data, part.module)
        band = Image.new("1", (dots, symbol.height), 1)
        band.paste(symbol, ((dots - symbol.width) // 2, 0))
        return band
    return Image.new("1", (dots, part.dots), 1)


@functools.lru_cache(maxsize=2)
def _mono_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A monospaced face to stand in for the printer's Font A in previews."""
    spec = importlib.util.find_spec("kivy")
    candidates = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf")]
    if spec and spec.submodule_search_locations:
        kivy_dir = Path(next(iter(spec.submodule_search_locations)))
        candidates.insert(0, kivy_dir / "data" / "fonts" / "RobotoMono-Regular.ttf")
    for path in candidates:
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default()


def _cell(char: str, font: str, bold: bool) -> Image.Image:
    """One character cell of Font A (12 x 24 dots) or B (9 x 17), drawn 1-bit; bold strikes
    twice, a dot apart, as the printer's emphasized mode does."""
    size = FONTS[font]
    cell = Image.new("1", size, 1)
    draw = ImageDraw.Draw(cell)
    face = _mono_font(20 if font == "a" else 14)
    baseline = 19 if font == "a" else 13
    for dx in (0, 1) if bold else (0,):
        draw.text((size[0] // 2 + dx, baseline), char, font=face, fill=0, anchor="ms")
    return cell


def _text_line(part: Text, dots: int) -> Image.Image:
    """A line of text: cells multiplied by the character size, placed as ESC a says."""
    width, height = part.cell
    line = Image.new("1", (len(part.text) * width, height), 1)
    for i, char in enumerate(part.text):
        if char != " ":
            cell = _cell(char, part.font, part.bold)
            line.paste(cell.resize((width, height), Image.Resampling.NEAREST), (i * width, 0))
    band = Image.new("1", (dots, part.advance), 1)
    x = {"left": 0, "center": (dots - line.width) // 2, "right": dots - line.width}[part.align]
    band.paste(line, (x, 0))
    return band


def fit_media(printer: Any, dots: int) -> Any:
    """Tell the printer's profile how wide the paper is, as the settings have it.

    python-escpos checks an image against the profile's media width (and complains on stdout
    when the generic profile has none); ``dots`` is the profile's own width unless the settings
    know better. The copy keeps the shared profile class untouched.
    """
    data = printer.profile.profile_data
    if data.get("media", {}).get("width", {}).get("pixels") != dots:
        media = {**data.get("media", {}), "width": {"mm": "Unknown", "pixels": dots}}
        printer.profile.profile_data = {**data, "media": media}
    return printer


def job_bytes(job: Job) -> bytes:
    """The ESC/POS bytes python-escpos makes of ``job`` for its printer (no device needed)."""
    printer = fit_media(Dummy(profile=job.capabilities.profile or None), job.capabilities.dots)
    job.send(printer)
    return printer.output


def raster_job(image: Image.Image, capabilities: Capabilities) -> Job:
    """A job printing ``image`` as one raster band (thresholded to 1-bit, never dithered)."""
    job = Job(capabilities)
    job.add(Raster(to_one_bit(image), "image"))
    return job


def to_one_bit(image: Image.Image, threshold: int = 128) -> Image.Image:
    """``image`` in 1-bit: dark pixels black, the rest white, with no dithering."""
    if image.mode == "1":
        return image
    grey = image.convert("L")
    return grey.point(lambda v: 255 if v >= threshold else 0).convert("1", dither=None)
