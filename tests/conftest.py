"""Fixtures shared by every test package.

``hub_process``: a real ``motcua hub`` subprocess on a free 127.0.0.1 port with its own database
under ``tmp_path``, seeded with the demo office; see :class:`hub.testing.HubProcess` for what it
offers (``.url``, ``.db_path``, ``.kiosk_token``, ``.display_token``, ``.counter_tokens``,
``.clerks``, ``.admin``, ``.enroll_codes``, ``.clerk_token(n)``, ``.admin_token()``,
``.request(...)``, ``.restart()``, ``.kill()``). Outside pytest fixtures, use
:func:`hub.testing.start_hub`.

``inprocess_hub``: the same hub (app, writer, SQLite file, demo office, HTTP on 127.0.0.1)
served from a thread of the test's process, on a clock the test can move (``.advance(s)``):
see :class:`hub.inprocess.InProcessHub`. For tests of the appliances' controllers, where the
process boundary is not what the test is about; crashes, the ``motcua`` command and the apps
run offscreen keep ``hub_process``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.inprocess import InProcessHub, start_in_process_hub
from hub.testing import HubProcess, start_hub


@pytest.fixture
def hub_process(tmp_path: Path) -> Iterator[HubProcess]:
    """A running hub with the demo office; stopped after the test."""
    hub = start_hub(tmp_path / "hub")
    try:
        yield hub
    finally:
        hub.stop()


@pytest.fixture
def inprocess_hub(tmp_path: Path) -> Iterator[InProcessHub]:
    """A hub with the demo office served from a thread of this process; stopped after."""
    hub = start_in_process_hub(tmp_path / "hub")
    try:
        yield hub
    finally:
        hub.stop()
