"""The ticket printer: python-escpos bytes in files, status parsed from real status bytes."""

from __future__ import annotations

import os
import threading
import tty

import pytest
from escpos.printer import Dummy, Serial
from escpos_decoder import decode
from PIL import Image, ImageDraw

from appliance.devices.printer import (
    SERIAL_STATUS_WAIT_S,
    EscposPrinter,
    PrinterError,
    PrinterSettings,
    SimulatedPrinter,
    build_printer,
)
from motcua.config import ConfigError, load


def ticket_like(width: int = 576) -> Image.Image:
    image = Image.new("L", (width, 300), 255)
    ImageDraw.Draw(image).rectangle((40, 40, width - 40, 200), fill=0)
    return image


def test_simulated_job_is_exactly_what_python_escpos_produces(tmp_path):
    printer = SimulatedPrinter(tmp_path, 576)
    image = ticket_like()
    path = printer.print_image(image, "A012")
    assert path is not None and path.name.endswith("A012.bin")
    reference = Dummy(profile="TM-T20II")  # a profile that knows 80 mm paper is 576 dots
    reference.set(align="left")  # raster bands start at the left edge, whatever came before
    reference.image(image, impl="bitImageRaster")
    reference.cut()
    assert path.read_bytes() == reference.output
    assert [band.width_bytes for band in decode(path.read_bytes()).bands] == [72]
    with Image.open(path.with_suffix(".png")) as preview:
        assert preview.size == image.size and preview.mode == "1"


@pytest.mark.parametrize(
    ("condition", "online", "paper", "can_print"),
    [
        ("ok", True, "ok", True),
        ("paper_low", True, "low", True),
        ("paper_out", True, "out", False),
        ("offline", False, "ok", False),
    ],
)
def test_simulated_status_goes_through_escpos_status_parsing(
    tmp_path, condition, online, paper, can_print
):
    status = SimulatedPrinter(tmp_path, 384, condition).status()
    assert (status.online, status.paper, status.can_print) == (online, paper, can_print)


def test_paper_out_refuses_the_job_and_writes_nothing(tmp_path):
    printer = SimulatedPrinter(tmp_path, 576, "paper_out")
    with pytest.raises(PrinterError, match="paper out"):
        printer.print_image(ticket_like(), "A001")
    assert list(tmp_path.iterdir()) == []


def test_a_jam_fails_once_then_the_reprint_prints(tmp_path):
    printer = SimulatedPrinter(tmp_path, 576, "jam_once")
    with pytest.raises(PrinterError, match="off line"):
        printer.print_image(ticket_like(), "A001")
    assert printer.status().online is False  # the heartbeat would report the jam
    second = printer.print_image(ticket_like(), "A001")
    assert second is not None and second.exists()
    assert printer.status().can_print
    assert len(printer.jobs) == 2


def test_settings_choose_the_printer_and_refuse_nonsense(tmp_path):
    settings = load(
        PrinterSettings, env={}, overrides={"paper_mm": 58, "output_dir": str(tmp_path)}
    )
    printer = build_printer(settings)
    assert isinstance(printer, SimulatedPrinter) and printer.dots == 384
    assert build_printer(load(PrinterSettings, env={}, overrides={"kind": "none"})) is None
    with pytest.raises(ConfigError, match="paper_mm"):
        load(PrinterSettings, env={}, overrides={"paper_mm": 70})
    with pytest.raises(ConfigError, match="host"):
        load(PrinterSettings, env={}, overrides={"kind": "network"})
    with pytest.raises(ConfigError, match="simulate"):
        load(PrinterSettings, env={"MOTCUA_SIMULATE": "on_fire"})


class PtyPrinter:
    """The far end of a serial line, answering DLE EOT queries as a printer with no paper."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.device = os.ttyname(slave)
        self._slave = slave
        self.received = bytearray()
        self.paper_byte = b"\x72"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            if not chunk:
                return
            self.received += chunk
            if chunk.endswith(b"\x10\x04\x01"):
                os.write(self.master, b"\x12")  # online
            elif chunk.endswith(b"\x10\x04\x04"):
                os.write(self.master, self.paper_byte)

    def close(self) -> None:
        os.close(self.master)
        os.close(self._slave)


def test_real_driver_over_a_serial_line_reads_status_and_sends_the_job():
    far = PtyPrinter()
    try:
        printer = EscposPrinter(
            lambda: Serial(far.device, baudrate=19200, timeout=SERIAL_STATUS_WAIT_S), 576
        )
        status = printer.status()
        assert (status.online, status.paper, status.can_print) == (True, "out", False)
        far.paper_byte = b"\x12"
        assert printer.status().can_print
        printer.print_image(ticket_like(), "A001")
        assert b"\x1dv0" in far.received  # the raster image reached the printer
    finally:
        far.close()


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "usb", "usb_vendor": 0x0416, "usb_product": 0x5011},  # not plugged in here
        {"kind": "network", "host": "127.0.0.1", "port": 9, "timeout_s": 1.0},  # nobody listens
        {"kind": "serial", "serial_device": "/dev/does-not-exist"},
    ],
)
def test_an_absent_real_printer_reads_as_offline_and_refuses_the_job(overrides):
    printer = build_printer(load(PrinterSettings, env={}, overrides=overrides))
    assert isinstance(printer, EscposPrinter)
    status = printer.status()
    assert status.online is False and not status.can_print
    assert "not reachable" in status.detail
    with pytest.raises(PrinterError):
        printer.print_image(ticket_like(), "A001")
