"""Kiosk fixtures: controllers wired to a real hub process, run inline (no threads, no window)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kiosk_support import make_kiosk

from appliance.devices.printer import SimulatedPrinter
from hub.testing import HubProcess
from kiosk.controllers.kiosk import Kiosk


@pytest.fixture
def printer(tmp_path: Path) -> SimulatedPrinter:
    """The simulated printer, writing into the test's folder."""
    return SimulatedPrinter(tmp_path / "printer", 576)


@pytest.fixture
def kiosk_with(
    hub_process: HubProcess, tmp_path: Path
) -> Iterator[Callable[[str], tuple[Kiosk, SimulatedPrinter]]]:
    """``kiosk_with("paper_out")``: a kiosk whose simulated printer is in that condition."""
    made: list[Kiosk] = []

    def make(condition: str = "ok") -> tuple[Kiosk, SimulatedPrinter]:
        printer = SimulatedPrinter(tmp_path / f"printer-{len(made)}", 576, condition)
        made.append(make_kiosk(hub_process, printer))
        return made[-1], printer

    yield make
    for kiosk in made:
        kiosk.close()


@pytest.fixture
def kiosk(kiosk_with: Callable[[str], tuple[Kiosk, SimulatedPrinter]]) -> Kiosk:
    """A kiosk controller on a fresh hub, its printer well."""
    return kiosk_with("ok")[0]
