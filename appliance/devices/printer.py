"""The ticket printer: python-escpos for every connection, and a simulated printer as the fake.

A ticket is a :class:`~appliance.devices.escpos_job.Job`: Vietnamese lines as 1-bit raster bands
(no printer code page has them), the number, English lines and QR code in the printer's own font
and native QR where its python-escpos profile has them. What a printer can do
(:class:`~appliance.devices.escpos_job.Capabilities`) comes from the ``profile`` setting: its dot
width (``media.width.pixels``, e.g. 512 for the Epson TM-T88 family), unless ``dots`` says
otherwise, and its ``qrCode`` feature; ``native = "raster"`` draws everything. Nothing here writes
ESC/POS bytes by hand: jobs and status queries go through python-escpos.

:class:`EscposPrinter` drives a real USB, serial or network printer. :class:`SimulatedPrinter` is
the fake for demo mode, tests and a technician's check: it writes each job's ESC/POS bytes to a
file through ``escpos.printer.File`` with a PNG preview beside it (:meth:`Job.preview`: the raster
bands exactly as sent, the native parts drawn as the printer draws them), and answers status
queries with the bytes a real printer sends for the condition named in config (``ok``,
``paper_low``, ``paper_out``, ``offline``, ``jam_once``), so the kiosk's paper-out and jam screens
can be tried.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER
from escpos.escpos import Escpos
from escpos.printer import Dummy, File

from appliance.devices.escpos_job import (
    Capabilities,
    Job,
    capabilities_for,
    fit_media,
    profile_dots,
    profile_names,
    raster_job,
)
from motcua.config import ConfigError

log = logging.getLogger(__name__)

KINDS = ("simulated", "usb", "serial", "network", "none")
SIMULATIONS = ("ok", "paper_low", "paper_out", "offline", "jam_once")
NATIVE = ("auto", "raster")
# Printable dots across the paper at 203 dpi, when neither the profile nor ``dots`` says.
PAPER_DOTS = {58: 384, 80: 576}
DOTS_RANGE = (128, 832)
SERIAL_STATUS_WAIT_S = 0.25


class PrinterError(RuntimeError):
    """A job could not be printed; the message says why (e.g. "paper out")."""


@dataclass(frozen=True)
class PrinterSettings:
    """Which printer the kiosk drives (the ``[printer]`` table of its config)."""

    kind: str = "simulated"
    paper_mm: int = 80
    profile: str = ""  # a python-escpos capability profile, e.g. "TM-T88V"; "" for generic
    # Printable dots across the paper; 0: the profile's width, else 384 (58 mm) or 576 (80 mm).
    # An 80 mm printer with a 180 dpi head (TM-T88 and its clones) has 512.
    dots: int = 0
    native: str = "auto"  # "auto": printer fonts and QR where the profile has them; "raster"
    usb_vendor: int = 0
    usb_product: int = 0
    serial_device: str = "/dev/ttyUSB0"
    # What most printers take (set the printer's DIP switches or utility to match): a ticket of
    # ~8 KB is 0.7 s on the wire at 115,200 baud, 4 s at 19,200.
    serial_baudrate: int = 115200
    host: str = ""
    port: int = 9100
    timeout_s: float = 5.0
    output_dir: Path = Path("var/printer")  # simulated: where jobs and previews are written
    simulate: str = "ok"  # simulated: the condition the fake printer reports

    def validate(self, path: str = "") -> None:
        """Refuse values that would only fail at the first ticket."""
        if self.kind not in KINDS:
            raise ConfigError(f"{path}kind", f"must be one of {', '.join(KINDS)}")
        if self.paper_mm not in PAPER_DOTS:
            raise ConfigError(f"{path}paper_mm", "must be 58 or 80")
        if self.profile and self.profile not in profile_names():
            raise ConfigError(
                f"{path}profile",
                f"{self.profile!r} is not a python-escpos profile (e.g. TM-T88V, TM-T20II)",
            )
        if self.dots and not (DOTS_RANGE[0] <= self.dots <= DOTS_RANGE[1] and self.dots % 8 == 0):
            low, high = DOTS_RANGE
            raise ConfigError(f"{path}dots", f"must be 0 or a multiple of 8 from {low} to {high}")
        if self.native not in NATIVE:
            raise ConfigError(f"{path}native", f"must be one of {', '.join(NATIVE)}")
        if self.serial_baudrate <= 0:
            raise ConfigError(f"{path}serial_baudrate", "must be positive")
        if self.simulate not in SIMULATIONS:
            raise ConfigError(f"{path}simulate", f"must be one of {', '.join(SIMULATIONS)}")
        if self.kind == "usb" and not (self.usb_vendor and self.usb_product):
            raise ConfigError(f"{path}usb_vendor", "a USB printer needs usb_vendor and usb_product")
        if self.kind == "network" and not self.host:
            raise ConfigError(f"{path}host", "a network printer needs a host")
        if self.timeout_s <= 0:
            raise ConfigError(f"{path}timeout_s", "must be positive")

    def printable_dots(self) -> int:
        """Dots across the paper: ``dots``, else the profile's width, else the paper's."""
        if self.dots:
            return self.dots
        return profile_dots(self.profile) or PAPER_DOTS[self.paper_mm]

    def capabilities(self) -> Capabilities:
        """What the configured printer can do, for laying a ticket out."""
        return capabilities_for(self.profile, self.printable_dots(), self.native == "raster")


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer says about itself. ``online`` is None when it cannot tell."""

    online: bool | None
    paper: str  # "ok", "low", "out" or "unknown"
    detail: str = ""

    @property
    def can_print(self) -> bool:
        """False only when the printer is known to be off line or out of paper."""
        return self.online is not False and self.paper != "out"

    def as_dict(self) -> dict[str, Any]:
        """The form sent to the hub with the device heartbeat."""
        return {"online": self.online, "paper": self.paper, "detail": self.detail}


_PAPER = {2: "ok", 1: "low", 0: "out"}


def query_status(printer: Escpos) -> PrinterStatus:
    """Ask a python-escpos printer for its state; connections that cannot answer say unknown."""
    try:
        online = printer.is_online()
        paper = _PAPER.get(printer.paper_status(), "unknown")
    except NotImplementedError:
        return PrinterStatus(None, "unknown", "this connection cannot report status")
    except Exception as exc:  # USB, serial and socket errors all mean "cannot reach it"
        return PrinterStatus(False, "unknown", f"printer not reachable: {exc}")
    if not online:
        return PrinterStatus(False, paper, "printer off line (cover open, jam or error)")
    if paper == "out":
        return PrinterStatus(True, paper, "paper out")
    return PrinterStatus(True, paper, "paper low" if paper == "low" else "")


class TicketPrinter:
    """The interface the kiosk prints through."""

    capabilities: Capabilities = Capabilities(PAPER_DOTS[80])

    @property
    def dots(self) -> int:
        """Printable dots across the paper."""
        return self.capabilities.dots

    def status(self) -> PrinterStatus:
        """The printer's state now (blocking: call it off the UI thread)."""
        raise NotImplementedError

    def print_job(self, job: Job, name: str) -> Path | None:
        """Print ``job`` (laid out for :attr:`capabilities`) and cut; PrinterError on failure."""
        raise NotImplementedError

    def print_image(self, image: Any, name: str) -> Path | None:
        """Print a Pillow image (at most ``dots`` wide, thresholded to 1-bit) and cut."""
        return self.print_job(raster_job(image, self.capabilities), name)

    def _check(self, job: Job) -> None:
        if job.capabilities != self.capabilities:
            raise PrinterError(
                f"the job was laid out for {job.capabilities}, this printer is {self.capabilities}"
            )


def _capabilities(given: Capabilities | int) -> Capabilities:
    return given if isinstance(given, Capabilities) else capabilities_for("", given)


class EscposPrinter(TicketPrinter):
    """A real printer; ``connect`` builds a python-escpos connection for each job."""

    def __init__(self, connect: Callable[[], Escpos], capabilities: Capabilities | int) -> None:
        """``capabilities``: what the printer can do (a bare dot width: the generic profile)."""
        self._connect = connect
        self.capabilities = _capabilities(capabilities)
        self._lock = threading.Lock()  # one job or query at a time on the wire

    def status(self) -> PrinterStatus:
        """Query the printer (USB, serial and network connections can answer)."""
        with self._lock:
            try:
                printer = self._connect()
            except Exception as exc:
                return PrinterStatus(False, "unknown", f"printer not reachable: {exc}")
            try:
                return query_status(printer)
            finally:
                printer.close()

    def print_job(self, job: Job, name: str) -> Path | None:
        """Send the job and its cut, then ask the printer whether it is still well."""
        self._check(job)
        with self._lock:
            try:
                printer = fit_media(self._connect(), self.dots)
                job.send(printer)
            except Exception as exc:
                raise PrinterError(f"printing failed: {exc}") from exc
            try:
                after = query_status(printer)
            finally:
                printer.close()
        if not after.can_print:
            raise PrinterError(after.detail or "printer error")
        return None


class _SimulatedDevice(Dummy):
    """A python-escpos Dummy that answers DLE EOT status queries the way a real printer does."""

    # Status bytes per ESC/POS: bit 3 of the printer status is "off line"; the paper sensor
    # byte sets bits 2-3 for near-end and 5-6 for no paper (bits 1 and 4 are always 1).
    ONLINE, OFFLINE = b"\x12", b"\x1a"
    PAPER_OK, PAPER_LOW, PAPER_OUT = b"\x12", b"\x1e", b"\x72"

    def __init__(self, condition: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.condition = condition

    def _read(self) -> bytes:
        asked = self.output[-3:]
        self.clear()
        if asked == RT_STATUS_ONLINE:
            return self.OFFLINE if self.condition in ("offline", "jammed") else self.ONLINE
        if asked == RT_STATUS_PAPER:
            return {"paper_low": self.PAPER_LOW, "paper_out": self.PAPER_OUT}.get(
                self.condition, self.PAPER_OK
            )
        return b""


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:40] or "job"


class SimulatedPrinter(TicketPrinter):
    """The fake printer: ESC/POS bytes to ``<output_dir>/<name>.bin`` plus ``<name>.png``.

    ``condition`` is what it reports: ``ok``, ``paper_low``, ``paper_out``, ``offline``, or
    ``jam_once`` (the next job jams, as if the paper caught: the bytes are written but the printer
    then reports itself off line until that job is reprinted).
    """

    def __init__(
        self, output_dir: Path, capabilities: Capabilities | int, condition: str = "ok"
    ) -> None:
        """``capabilities``: the printer it plays (a bare dot width: the generic profile, which
        has Font A, native QR and a cutter)."""
        if condition not in SIMULATIONS:
            raise ValueError(f"condition must be one of {SIMULATIONS}, not {condition!r}")
        self.output_dir = Path(output_dir)
        self.capabilities = _capabilities(capabilities)
        self.condition = condition
        self._jam_pending = condition == "jam_once"
        self._jammed = False
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self.jobs: list[Path] = []  # files written, oldest first

    def _device(self) -> _SimulatedDevice:
        shown = "jammed" if self._jammed else self.condition
        return _SimulatedDevice("ok" if shown == "jam_once" else shown)

    def status(self) -> PrinterStatus:
        """The simulated condition, read back through python-escpos's own status parsing."""
        with self._lock:
            return query_status(self._device())

    def print_job(self, job: Job, name: str) -> Path | None:
        """Write the job's bytes and its preview; fail as the simulated condition says."""
        self._check(job)
        with self._lock:
            self._jammed = False  # the citizen's "print again" is a fresh job past the jam
            before = query_status(self._device())
            if not before.can_print:
                raise PrinterError(before.detail)
            self.output_dir.mkdir(parents=True, exist_ok=True)
            stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{next(self._seq):04d}-{_safe_name(name)}"
            target = self.output_dir / f"{stem}.bin"
            device = File(devfile=str(target), profile=self.capabilities.profile or None)
            printer = fit_media(device, self.dots)
            try:
                job.send(printer)
            finally:
                printer.close()
            job.preview().save(self.output_dir / f"{stem}.png")
            self.jobs.append(target)
            if self._jam_pending:
                self._jam_pending = False
                self._jammed = True
                raise PrinterError("printer off line (cover open, jam or error)")
            return target


def _network_printer() -> type[Escpos]:
    """python-escpos's Network printer, closing its socket when the connection fails.

    (python-escpos 3.1 drops the unconnected socket without closing it; on a kiosk retrying an
    unplugged printer all day, those would pile up until the garbage collector got to them.)
    """
    import socket

    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import Network

    class ClosingNetwork(Network):
        def open(self, raise_not_found: bool = True) -> None:
            if self._device:
                self.close()
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.settimeout(self.timeout)
                sock.connect((self.host, self.port))
            except OSError as exc:
                sock.close()
                self.device = None
                if raise_not_found:
                    raise DeviceNotFoundError(f"no printer at {self.host}: {exc}") from exc
                return
            self.device = sock

    return ClosingNetwork


def build_printer(settings: PrinterSettings) -> TicketPrinter | None:
    """The printer the settings describe (None for ``kind = "none"``); nothing opens yet."""
    capabilities = settings.capabilities()
    profile = settings.profile or None
    if settings.kind == "none":
        return None
    if settings.kind == "simulated":
        return SimulatedPrinter(settings.output_dir, capabilities, settings.simulate)
    if settings.kind == "usb":
        from escpos.printer import Usb

        def connect() -> Escpos:
            return Usb(
                settings.usb_vendor,
                settings.usb_product,
                timeout=int(settings.timeout_s * 1000),
                profile=profile,
            )
    elif settings.kind == "serial":
        from escpos.printer import Serial

        def connect() -> Escpos:
            return Serial(
                settings.serial_device,
                baudrate=settings.serial_baudrate,
                # python-escpos reads 16 bytes for a one-byte status answer, so each query
                # waits out this read timeout: short, since a printer answers in milliseconds.
                timeout=SERIAL_STATUS_WAIT_S,
                profile=profile,
            )
    else:
        network = _network_printer()

        def connect() -> Escpos:
            return network(
                settings.host, settings.port, timeout=settings.timeout_s, profile=profile
            )

    return EscposPrinter(connect, capabilities)
