"""Which hub the panel's tests talk to.

The controller tests reach the hub over HTTP and its event stream only, so they get the hub
served from this process (a subprocess takes a second or more to start, per test), except the
tests that kill it: a crash is a process's matter. The apps run offscreen and the
``motcua counter`` command keep a real ``motcua hub`` process.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.inprocess import start_in_process_hub
from hub.testing import SeededHub, start_hub

IN_PROCESS = ("test_controller_hub", "test_rating_station", "test_controller_clerk_flow")


@pytest.fixture
def hub_process(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SeededHub]:
    """A running hub with the demo office, in this process or not (see above); stopped after."""
    module = request.module.__name__.rsplit(".", 1)[-1]
    kills = ".kill()" in inspect.getsource(request.function)
    start = start_in_process_hub if module in IN_PROCESS and not kills else start_hub
    hub = start(tmp_path / "hub")
    try:
        yield hub
    finally:
        hub.stop()
