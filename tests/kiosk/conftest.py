"""Kiosk fixtures: controllers wired to a real hub, run inline (no threads, no window); the hub
is served from the test's process for controller tests, a subprocess for the apps offscreen."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kiosk_support import kiosk_apps, make_kiosk

from appliance.devices.printer import SimulatedPrinter
from hub.inprocess import InProcessHub, start_in_process_hub
from hub.testing import HubProcess, start_hub
from hub.upstream.testing import SimProcess
from kiosk.controllers.kiosk import Kiosk


@pytest.fixture
def printer(tmp_path: Path) -> SimulatedPrinter:
    """The simulated printer, writing into the test's folder."""
    return SimulatedPrinter(tmp_path / "printer", 576)


@pytest.fixture
def kiosk_with(
    inprocess_hub: InProcessHub, tmp_path: Path
) -> Iterator[Callable[[str], tuple[Kiosk, SimulatedPrinter]]]:
    """``kiosk_with("paper_out")``: a kiosk whose simulated printer is in that condition."""
    made: list[Kiosk] = []

    def make(condition: str = "ok") -> tuple[Kiosk, SimulatedPrinter]:
        printer = SimulatedPrinter(tmp_path / f"printer-{len(made)}", 576, condition)
        made.append(make_kiosk(inprocess_hub, printer))
        return made[-1], printer

    yield make
    for kiosk in made:
        kiosk.close()


@pytest.fixture
def kiosk(kiosk_with: Callable[[str], tuple[Kiosk, SimulatedPrinter]]) -> Kiosk:
    """A kiosk controller on a fresh hub, its printer well."""
    return kiosk_with("ok")[0]


@pytest.fixture(scope="session")
def sim() -> Iterator[SimProcess]:
    """The simulated one-stop back end (``motcua upstream-sim``) as a real process."""
    process = SimProcess(dossiers=300, seed=11)
    try:
        yield process
    finally:
        process.stop()


UPSTREAM = {"kind": "sim", "sync_interval_s": 1.0, "timeout_s": 1.0}


@pytest.fixture(scope="module")
def relay_hub(sim: SimProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessHub]:
    """A hub relaying the simulator (served from this process), its procedure catalogue synced
    before tests use it; for one test file, so that its sync stops ticking after."""
    upstream = {**UPSTREAM, "base_url": sim.url}
    hub = start_in_process_hub(tmp_path_factory.mktemp("relay"), settings={"upstream": upstream})
    try:
        # The first pass of the sync fetches the whole catalogue, page after page.
        sync = hub.app.extensions["motcua.dossiers"]["sync"]
        deadline = time.monotonic() + 60
        while sync.last_success is None:
            assert time.monotonic() < deadline, f"the catalogue never synced: {sync.last_error}"
            time.sleep(0.05)
        yield hub
    finally:
        hub.stop()


@pytest.fixture(scope="session")
def relay_hub_process(
    sim: SimProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HubProcess]:
    """A ``motcua hub`` process relaying the simulator, for the kiosk app run offscreen."""
    upstream = {**UPSTREAM, "base_url": sim.url}
    hub = start_hub(tmp_path_factory.mktemp("relay"), settings={"upstream": upstream})
    try:
        # The catalogue arrives in pages over the first sync rounds: wait until it stops growing.
        deadline, sizes = time.monotonic() + 60, [-1, -2]
        while True:
            fields = hub.request("GET", "/api/v1/procedures/fields")[1].get("fields", [])
            sizes.append(sum(f.get("count", 0) for f in fields))
            if sizes[-1] > 0 and sizes[-1] == sizes[-2] == sizes[-3]:
                break
            assert time.monotonic() < deadline, f"the procedure catalogue never settled: {sizes}"
            time.sleep(1.0)
        yield hub
    finally:
        hub.stop()


@pytest.fixture
def relay_kiosk(relay_hub: InProcessHub, tmp_path: Path) -> Iterator[Kiosk]:
    """A kiosk controller on the relaying hub."""
    made = make_kiosk(relay_hub, SimulatedPrinter(tmp_path / "printer", 576))
    yield made
    made.close()


@pytest.fixture
def run_kiosk(hub_process: HubProcess, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``run_kiosk(simulate="ok", **settings)``: the kiosk app offscreen on a fresh hub."""
    with kiosk_apps(hub_process, tmp_path) as start:
        yield start


@pytest.fixture
def run_relay_kiosk(relay_hub_process: HubProcess, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """The kiosk app offscreen on the hub relaying the simulated back end."""
    with kiosk_apps(relay_hub_process, tmp_path) as start:
        yield start
