"""Print jobs on the wire, checked byte by byte with a strict ESC/POS decoder
(tests/escpos_decoder), for the widths printers come in; the simulated printer's preview against
the bytes it sent."""

from __future__ import annotations

import pytest
from escpos.printer import File
from escpos_decoder import DecodeError, decode
from PIL import Image, ImageDraw

from appliance.devices.escpos_job import (
    QR,
    Capabilities,
    Feed,
    Job,
    Raster,
    Text,
    capabilities_for,
    job_bytes,
)
from appliance.devices.printer import (
    EscposPrinter,
    PrinterSettings,
    SimulatedPrinter,
    build_printer,
)
from motcua.config import ConfigError, load

URL = "http://hub.local:8080/t/abcdefghijklmnop"


def sample_job(capabilities: Capabilities) -> Job:
    """A band of Vietnamese-like strokes, a Font A line, a native QR, white between."""
    band = Image.new("1", (capabilities.dots - 40, 30), 1)
    ImageDraw.Draw(band).rectangle((10, 4, 200, 25), fill=0)
    job = Job(capabilities)
    job.add(Raster(band, "band"), Feed(12), Text("A012", scale=4, bold=True, align="center"))
    if capabilities.native_qr:
        job.add(Feed(6), QR(URL, 4))
    job.add(Text("Issued at 08:04", font="b" if capabilities.font_b else "a"), Feed(24))
    return job


@pytest.mark.parametrize(
    ("settings", "dots"),
    [
        ({"profile": "TM-T88V"}, 512),  # 80 mm, 180 dpi head: 512 dots, not 576
        ({"profile": "TM-T20II"}, 576),
        ({"profile": "POS-5890", "paper_mm": 58}, 384),
        ({}, 576),  # the generic profile knows no width: the paper's at 203 dpi
        ({"paper_mm": 58}, 384),
        ({"dots": 512}, 512),  # a clone with no profile of its own
    ],
)
def test_dot_width_comes_from_the_profile_or_the_setting(settings, dots, tmp_path):
    loaded = load(PrinterSettings, env={}, overrides={**settings, "output_dir": str(tmp_path)})
    printer = build_printer(loaded)
    assert printer is not None and printer.dots == dots
    path = printer.print_job(sample_job(printer.capabilities), "A012")
    decoded = decode(path.read_bytes())
    assert decoded.widest() <= dots
    assert max(b.width_bytes * 8 for b in decoded.bands) == dots - 40


def test_a_512_dot_printer_prints_what_failed_before(tmp_path):
    """TM-T88 family: python-escpos refused 576-dot images ("Image width is too large")."""
    target = tmp_path / "tm-t88v.bin"
    caps = capabilities_for("TM-T88V", 512)
    printer = EscposPrinter(lambda: File(devfile=str(target), profile="TM-T88V"), caps)
    image = Image.new("L", (512, 64), 255)
    ImageDraw.Draw(image).ellipse((100, 4, 400, 60), fill=0)
    printer.print_image(image, "wide")
    decoded = decode(target.read_bytes())
    assert [b.width_bytes for b in decoded.bands] == [64] and decoded.cuts == 1


def test_serial_speed_defaults_to_115200_and_settings_refuse_nonsense():
    assert load(PrinterSettings, env={}).serial_baudrate == 115200
    with pytest.raises(ConfigError, match="profile"):
        load(PrinterSettings, env={}, overrides={"profile": "TM-NOPE"})
    with pytest.raises(ConfigError, match="dots"):
        load(PrinterSettings, env={}, overrides={"dots": 500})
    with pytest.raises(ConfigError, match="native"):
        load(PrinterSettings, env={}, overrides={"native": "sometimes"})


def test_the_job_refuses_what_the_printer_cannot_print():
    raster_only = capabilities_for("", 384, raster_only=True)
    job = Job(raster_only)
    with pytest.raises(ValueError, match="no font"):
        job.add(Text("A012"))
    with pytest.raises(ValueError, match="no native QR"):
        job.add(QR(URL, 4))
    with pytest.raises(ValueError, match="1-bit"):
        job.add(Raster(Image.new("L", (100, 10), 255)))
    with pytest.raises(ValueError, match="385 > 384"):
        job.add(Raster(Image.new("1", (385, 10), 1)))
    native = Job(capabilities_for("", 384))
    with pytest.raises(ValueError, match="not plain ASCII"):
        native.add(Text("Số 1"))
    with pytest.raises(ValueError, match="wider than 384"):
        native.add(Text("A0123456", scale=5))


def test_the_decoder_is_strict():
    with pytest.raises(DecodeError, match="unknown byte 0x1c"):
        decode(b"\x1c\x70\x01\x00")  # FS p: not a command a ticket sends
    with pytest.raises(DecodeError, match="cut short"):
        decode(b"\x1dv0\x00\x02\x00\x04\x00\xff")
    with pytest.raises(DecodeError, match="never printed"):
        decode(b"A012")


@pytest.mark.parametrize("profile", ["TM-T20II", "TM-T88V", "POS-5890"])
def test_the_preview_is_the_raster_sent_bit_for_bit(profile, tmp_path):
    caps = capabilities_for(profile, {"TM-T88V": 512, "POS-5890": 384}.get(profile, 576))
    printer = SimulatedPrinter(tmp_path, caps)
    path = printer.print_job(sample_job(caps), "A012")
    assert path.read_bytes() == job_bytes(sample_job(caps))  # python-escpos's own bytes
    decoded = decode(path.read_bytes())
    assert decoded.cuts == (1 if caps.cut else 0)
    with Image.open(path.with_suffix(".png")) as preview:
        assert preview.mode == "1" and preview.width == caps.dots
        pixels = preview.load()
        for band in decoded.bands:
            for y, _row in enumerate(band.rows):
                sent = [band.dot(x, y) for x in range(caps.dots)]
                shown = [pixels[x, band.y + y] == 0 for x in range(caps.dots)]
                assert sent == shown, f"row {band.y + y} differs"
        # The native parts are drawn where the printer puts them: ink there, white around.
        for line in decoded.lines:
            left = (caps.dots - line.dots) // 2 if line.align == 1 else 0
            box = (left, line.y, left + line.dots, line.y + line.height * (24, 17)[line.font])
            assert preview.crop(box).convert("L").getextrema() == (0, 255)
        for symbol in decoded.symbols:
            assert symbol.data == URL and symbol.ec == "M"
            left = (caps.dots - symbol.side) // 2
            corner = preview.crop((left, symbol.y, left + 7 * symbol.module, symbol.y + 1))
            assert corner.convert("L").getextrema() == (0, 0)  # the finder pattern's top edge
