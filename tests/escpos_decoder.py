"""A strict ESC/POS decoder for tests, written from the Epson command reference, not from the code
under test: every byte of a job must belong to a command in :data:`COMMANDS` (or be printable
ASCII text, or LF), or decoding fails naming the offset and byte.

It follows the printer's state as a paper-feeding machine would: character size, emphasis,
justification, line spacing, where on the paper each raster band, text line and QR code lands.
No PyPI package decodes ESC/POS (``escpos-tools`` is PHP; ``emupos`` needs Python 3.13), hence
this one; it knows only what a ticket uses and what sits next to it in the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import qrcode

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A
FONTS = {0: (12, 24), 1: (9, 17)}  # Font A and Font B cells, in dots

# Fixed-length commands: (prefix, second byte) -> (name, number of parameter bytes).
COMMANDS: dict[tuple[int, int], tuple[str, int]] = {
    (ESC, ord("@")): ("initialize", 0),
    (ESC, ord("!")): ("print mode", 1),
    (ESC, ord("E")): ("emphasized", 1),
    (ESC, ord("G")): ("double-strike", 1),
    (ESC, ord("M")): ("character font", 1),
    (ESC, ord("a")): ("justification", 1),
    (ESC, ord("t")): ("code table", 1),
    (ESC, ord("2")): ("default line spacing", 0),
    (ESC, ord("3")): ("line spacing", 1),
    (ESC, ord("d")): ("print and feed lines", 1),
    (ESC, ord("J")): ("print and feed dots", 1),
    (ESC, ord("-")): ("underline", 1),
    (ESC, ord("{")): ("upside-down", 1),
    (ESC, ord("V")): ("rotate 90", 1),
    (GS, ord("!")): ("character size", 1),
    (GS, ord("b")): ("smoothing", 1),
    (GS, ord("B")): ("reverse", 1),
    (GS, ord("L")): ("left margin", 2),
    (GS, ord("W")): ("print area width", 2),
    (DLE, 0x04): ("real-time status", 1),
}
# Variable-length ones, decoded below: GS v 0 (raster), GS ( k (2D codes), GS ( L (graphics),
# GS V (cut: one or two parameter bytes).


class DecodeError(ValueError):
    """The bytes are not a job a printer would take."""


@dataclass
class Band:
    """A raster bit image (GS v 0): where it landed and its rows of dots."""

    y: int
    width_bytes: int
    rows: list[bytes]

    def dot(self, x: int, y: int) -> bool:
        """True where the band prints a dot (x, y inside the band)."""
        byte = self.rows[y][x // 8] if x // 8 < self.width_bytes else 0
        return bool(byte >> (7 - x % 8) & 1)


@dataclass
class Line:
    """A line of text printed in a font (LF ended it)."""

    y: int
    text: str
    width: int  # size multipliers
    height: int
    bold: bool
    align: int
    font: int = 0

    @property
    def dots(self) -> int:
        """How wide it prints, in dots."""
        return len(self.text) * FONTS[self.font][0] * self.width


@dataclass
class Symbol:
    """A printed 2D code: QR data, module size, error correction and its side in dots."""

    y: int
    data: str
    module: int
    ec: str
    side: int


@dataclass
class Decoded:
    """What a job does, in order."""

    commands: list[str] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    symbols: list[Symbol] = field(default_factory=list)
    cuts: int = 0
    y: int = 0  # paper fed before the cut

    def widest(self) -> int:
        """The widest thing printed, in dots."""
        sizes = [b.width_bytes * 8 for b in self.bands] + [line.dots for line in self.lines]
        return max(sizes + [s.side for s in self.symbols] + [0])


def _u16(data: bytes, at: int) -> int:
    return data[at] + 256 * data[at + 1]


def decode(data: bytes) -> Decoded:
    """Decode ``data``; DecodeError on any byte outside the command table."""
    out = Decoded()
    size, bold, align, spacing, font = (1, 1), False, 0, 30, 0
    text = ""
    qr: dict[str, object] = {"module": 3, "ec": "L", "data": None}
    at = 0

    def need(n: int) -> None:
        if at + n > len(data):
            raise DecodeError(f"command at {at} is cut short ({len(data) - at} of {n} bytes)")

    while at < len(data):
        byte = data[at]
        if byte == LF:
            height = FONTS[font][1] * size[1] if text else 0
            if text:
                out.lines.append(Line(out.y, text, size[0], size[1], bold, align, font))
            out.y += max(spacing, height)
            text = ""
            at += 1
            continue
        if 0x20 <= byte <= 0x7E:
            text += chr(byte)
            at += 1
            continue
        need(2)
        key = (byte, data[at + 1])
        if key in COMMANDS:
            name, n = COMMANDS[key]
            need(2 + n)
            args = data[at + 2 : at + 2 + n]
            out.commands.append(name)
            if name == "character size":
                size = ((args[0] >> 4) + 1, (args[0] & 7) + 1)
                if args[0] & 0x88:
                    raise DecodeError(f"character size {args[0]:#x} at {at} is out of range")
            elif name == "print mode":
                size = (2 if args[0] & 0x20 else 1, 2 if args[0] & 0x10 else 1)
            elif name == "emphasized":
                bold = bool(args[0] & 1)
            elif name == "character font":
                if args[0] % 48 not in FONTS:
                    raise DecodeError(f"font {args[0]} at {at}")
                font = args[0] % 48
            elif name == "justification":
                if args[0] not in (0, 1, 2, 48, 49, 50):
                    raise DecodeError(f"justification {args[0]} at {at}")
                align = args[0] % 48
            elif name == "line spacing":
                spacing = args[0]
            elif name == "default line spacing":
                spacing = 30
            elif name == "print and feed lines":
                out.y += args[0] * spacing
            at += 2 + n
            continue
        if key == (GS, ord("V")):
            need(3)
            m = data[at + 2]
            if m in (0, 1, 48, 49):
                at += 3
            elif m in (65, 66):
                need(4)
                at += 4
            else:
                raise DecodeError(f"cut mode {m} at {at}")
            out.commands.append("cut")
            out.cuts += 1
            continue
        if key == (GS, ord("v")):
            need(8)
            if data[at + 2] != 0x30 or data[at + 3] not in (0, 1, 2, 3, 48, 49, 50, 51):
                raise DecodeError(f"GS v at {at} is not GS v 0 with a mode 0-3")
            if data[at + 3] % 48:
                raise DecodeError(f"raster at {at} is not at full density")
            width, height = _u16(data, at + 4), _u16(data, at + 6)
            need(8 + width * height)
            body = data[at + 8 : at + 8 + width * height]
            rows = [body[r * width : (r + 1) * width] for r in range(height)]
            out.bands.append(Band(out.y, width, rows))
            out.commands.append("raster")
            out.y += height
            at += 8 + width * height
            continue
        if key == (GS, ord("(")):
            need(5)
            kind, length = data[at + 2], _u16(data, at + 3)
            need(5 + length)
            body = data[at + 5 : at + 5 + length]
            if kind == ord("k"):
                out.y += _two_d(body, qr, out)
            elif kind != ord("L"):
                raise DecodeError(f"GS ( {chr(kind)!r} at {at} is not a command a ticket uses")
            out.commands.append(f"GS ( {chr(kind)} fn {body[1] if len(body) > 1 else '?'}")
            at += 5 + length
            continue
        raise DecodeError(f"unknown byte {byte:#04x} (then {data[at + 1]:#04x}) at offset {at}")
    if text:
        raise DecodeError(f"text {text!r} at the end was never printed (no LF)")
    return out


_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}
_QR_EC = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


def _two_d(body: bytes, qr: dict[str, object], out: Decoded) -> int:
    """One GS ( k function for QR codes (cn 49); the dots fed when it prints a symbol."""
    if len(body) < 2 or body[0] != 49:
        raise DecodeError(f"GS ( k for symbol type {body[:1]!r}: only QR (49) is expected")
    fn = body[1]
    if fn == 65:  # model
        if body[2] not in (49, 50, 51):
            raise DecodeError(f"QR model {body[2]}")
    elif fn == 67:
        if not 1 <= body[2] <= 16:
            raise DecodeError(f"QR module size {body[2]}")
        qr["module"] = body[2]
    elif fn == 69:
        if body[2] not in _EC:
            raise DecodeError(f"QR error correction {body[2]}")
        qr["ec"] = _EC[body[2]]
    elif fn == 80:
        if body[2] != 48:
            raise DecodeError("QR store without m = 48")
        qr["data"] = body[3:].decode("ascii")
    elif fn == 81:
        if qr["data"] is None:
            raise DecodeError("QR print with nothing stored")
        code = qrcode.QRCode(error_correction=_QR_EC[str(qr["ec"])], border=0)
        code.add_data(qr["data"])
        code.make(fit=True)
        side = len(code.get_matrix()) * int(str(qr["module"]))
        out.symbols.append(
            Symbol(out.y, str(qr["data"]), int(str(qr["module"])), str(qr["ec"]), side)
        )
        return side
    else:
        raise DecodeError(f"QR function {fn} is not one a ticket uses")
    return 0
