"""The printed ticket: what reaches the printer, decoded by a strict ESC/POS decoder
(tests/escpos_decoder), and what the paper shows (the simulated printer's preview).

Previews are saved in the test's folder, and in $MOTCUA_SHOTS when set, for a person to look at.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from pathlib import Path

import pytest
from escpos_decoder import decode
from PIL import Image

from appliance.devices.escpos_job import capabilities_for, job_bytes
from appliance.devices.printer import SimulatedPrinter
from appliance.records import Ticket
from appliance.translations import translator
from kiosk.ticket_image import text_width
from kiosk.ticket_layout import ticket_job
from kiosk.vietnamese_lines import break_lines

AGENCY = "UBND huyện Chư Păh"
TICKET = Ticket.from_wire(
    {
        "id": 7,
        "number": "B012",
        "service": "B",
        "state": "waiting",
        "service_name_vi": "B – Hộ tịch, chứng thực",
        "service_name_en": "B – Civil status and certification",
        "priority": False,
        "issued_at": "2026-11-29T07:51:02+07:00",
        "ahead": 1,
        "estimated_wait_s": 540,
        "status_url": "http://hub.local:8080/t/abcdefghijklmnop",
    }
)
# (profile, dots): 80 mm at 203 dpi, 80 mm at 180 dpi, 58 mm without native QR, and a printer
# whose fonts and QR are not trusted (everything drawn).
PRINTERS = [("TM-T20II", 576, False), ("TM-T88V", 512, False), ("POS-5890", 384, False),
            ("", 576, True)]  # fmt: skip
SERIAL_BIT_PER_BYTE = 10  # start, 8 data, stop


def keep(preview: Path, tmp_path: Path) -> None:
    shots = os.environ.get("MOTCUA_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        shutil.copy(preview, Path(shots) / preview.name)


@pytest.mark.parametrize(("profile", "dots", "raster_only"), PRINTERS)
def test_the_ticket_parses_fits_and_is_small(profile, dots, raster_only, tmp_path):
    caps = capabilities_for(profile, dots, raster_only)
    started = time.perf_counter()
    job = ticket_job(TICKET, AGENCY, translator("kiosk"), caps)
    printer = SimulatedPrinter(tmp_path, caps)
    path = printer.print_job(
        job, f"{profile or 'generic'}-{dots}{'-raster' if raster_only else ''}"
    )
    rendered = time.perf_counter() - started
    sent = path.read_bytes()
    assert sent == job_bytes(job)
    decoded = decode(sent)  # every command known, or this fails naming the byte
    assert (
        decoded.cuts == (1 if caps.cut else 0) and decoded.commands[-1] == "cut"
    ) or not caps.cut
    assert decoded.widest() <= dots
    assert all(band.width_bytes * 8 <= dots for band in decoded.bands)
    keep(path.with_suffix(".png"), tmp_path)
    lines = [line.text.strip() for line in decoded.lines]
    if raster_only:
        assert lines == [] and decoded.symbols == []  # nothing trusted to the printer's font
        return
    number = next(line for line in decoded.lines if line.text == "B012")
    assert number.width >= 4 and number.height >= 4 and number.bold and number.align == 1
    assert "Issued at 07:51 29/11/2026" in lines and "People ahead: 1" in lines
    if caps.native_qr:
        assert [s.data for s in decoded.symbols] == [TICKET.status_url]
        # ~8 KB: under a second at 115,200 baud, the tap-to-paper budget of 2 s kept with room
        assert len(sent) <= 8192
        assert rendered + len(sent) * SERIAL_BIT_PER_BYTE / 115200 <= 2.0
    else:
        assert decoded.symbols == [] and len(sent) <= 12 * 1024  # the QR is drawn, 4 KB of it


def dots_of(band: Image.Image) -> set[tuple[int, int]]:
    pixels = band.load()
    return {(x, y) for y in range(band.height) for x in range(band.width) if pixels[x, y] == 0}


def components(dots: set[tuple[int, int]]) -> list[set[tuple[int, int]]]:
    """8-connected groups of black dots."""
    left, groups = set(dots), []
    while left:
        stack = [left.pop()]
        group = set(stack)
        while stack:
            x, y = stack.pop()
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    if (x + dx, y + dy) in left:
                        left.remove((x + dx, y + dy))
                        group.add((x + dx, y + dy))
                        stack.append((x + dx, y + dy))
        groups.append(group)
    return groups


@pytest.mark.parametrize("dots", [384, 512, 576])
def test_small_text_is_solid_black_not_dithered_grey(dots):
    """At 58 mm the "1" of "Số người chờ trước: 1" came out in pieces (an OCR read 3)."""
    job = ticket_job(TICKET, AGENCY, translator("kiosk"), capabilities_for("", dots))
    bands = {band.text: band.image for band in job.rasters()}
    ahead = bands["Số người chờ trước: 1"]
    assert ahead.mode == "1"
    groups = sorted(components(dots_of(ahead)), key=lambda g: max(x for x, _ in g))
    one = groups[-1]  # the rightmost glyph: the "1", in one piece
    ys = {y for _, y in one}
    assert max(ys) - min(ys) + 1 >= 0.6 * ahead.height
    stem = max({x for x, _ in one}, key=lambda x: sum(1 for dx, _ in one if dx == x))
    column = sorted(y for x, y in one if x == stem)
    assert column == list(range(column[0], column[0] + len(column)))  # a stem with no gap
    assert len(column) >= 0.8 * (max(ys) - min(ys) + 1)
    for text, band in bands.items():  # dithering leaves lone dots at every grey edge
        lone = [g for g in components(dots_of(band)) if len(g) == 1]
        assert lone == [] or text.startswith("[QR"), f"lone dots in {text!r}"


def greedy(text: str, measure, room: float) -> list[str]:
    """How the ticket broke lines before: as many syllables as fit, then the next line."""
    lines, line = [], ""
    for syllable in text.split():
        joined = f"{line} {syllable}".strip()
        if line and measure(joined) > room:
            lines.append(line)
            line = syllable
        else:
            line = joined
    return [*lines, line]


def test_service_names_break_between_vietnamese_words():
    assert break_lines("Tư pháp hộ tịch và chứng thực", len, 16) == [
        "Tư pháp hộ tịch", "và chứng thực"]  # fmt: skip
    assert break_lines("Sở Tư pháp hộ tịch", len, 16) == ["Sở", "Tư pháp hộ tịch"]
    assert break_lines("Tư pháp hộ tịch", len, 12) == ["Tư pháp", "hộ tịch"]
    assert break_lines("D – Lao động, thương binh và xã hội", len, 22) == [
        "D – Lao động,", "thương binh và xã hội"]  # fmt: skip
    for chars in range(8, 40):  # "hộ tịch" is one word: it never comes apart
        for line in break_lines("Chứng thực, tư pháp hộ tịch và công chứng", len, chars):
            assert not line.endswith(" hộ") and not line.startswith("tịch")


@pytest.mark.parametrize(
    ("name", "lines", "before"),
    [
        (
            "Giải quyết thủ tục hành chính thuộc lĩnh vực Tư pháp hộ tịch",
            ["Giải quyết thủ tục hành chính thuộc", "lĩnh vực Tư pháp hộ tịch"],
            ["Giải quyết thủ tục hành chính thuộc lĩnh", "vực Tư pháp hộ tịch"],
        ),
        (
            "Tiếp nhận và trả kết quả thủ tục hành chính lĩnh vực Tư pháp hộ tịch",
            ["Tiếp nhận và trả kết quả", "thủ tục hành chính lĩnh vực", "Tư pháp hộ tịch"],
            ["Tiếp nhận và trả kết quả thủ tục hành", "chính lĩnh vực Tư pháp hộ tịch"],
        ),
    ],
)
def test_a_long_service_name_breaks_as_vietnamese_reads_on_58_mm(name, lines, before, tmp_path):
    caps = capabilities_for("", 384)
    ticket = dataclasses.replace(TICKET, service_name_vi=name)
    job = ticket_job(ticket, AGENCY, translator("kiosk"), caps)
    assert [b.text for b in job.rasters() if b.text in name] == lines
    # the service line's type at 58 mm (24 x 0.85 = 20 dots): before, words came apart
    assert greedy(name, lambda s: text_width(s, 20, True), 384 - 24) == before
    printer = SimulatedPrinter(tmp_path, caps)
    keep(printer.print_job(job, "long-name-384").with_suffix(".png"), tmp_path)


@pytest.mark.parametrize("dots", [384, 576])
def test_priority_and_offline_marks_and_a_long_number_fit(dots, tmp_path):
    t = translator("kiosk")
    ticket = dataclasses.replace(TICKET, number="1234567", priority=True, offline=True)
    caps = capabilities_for("", dots)
    job = ticket_job(ticket, AGENCY, t, caps)
    texts = [band.text for band in job.rasters()]
    assert "ƯU TIÊN / PRIORITY" in texts and "NGOẠI TUYẾN / OFFLINE" in texts
    decoded = decode(job_bytes(job))
    number = next(line for line in decoded.lines if line.text == "1234567")
    assert number.dots <= dots - 24  # shrunk to the paper, not cut off
    preview = job.preview()
    margin = preview.crop((0, 0, 4, preview.height)).convert("L")
    assert margin.getextrema() == (255, 255)  # the number never reaches the paper's edge
    printer = SimulatedPrinter(tmp_path, caps)
    keep(printer.print_job(job, f"priority-offline-{dots}").with_suffix(".png"), tmp_path)
