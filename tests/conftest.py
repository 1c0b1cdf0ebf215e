"""Fixtures shared by every test package.

``hub_process``: a real ``motcua hub`` subprocess on a free 127.0.0.1 port with its own database
under ``tmp_path``, seeded with the demo office; see :class:`hub.testing.HubProcess` for what it
offers (``.url``, ``.db_path``, ``.kiosk_token``, ``.display_token``, ``.counter_tokens``,
``.clerks``, ``.admin``, ``.enroll_codes``, ``.clerk_token(n)``, ``.admin_token()``,
``.request(...)``, ``.restart()``, ``.kill()``). Outside pytest fixtures, use
:func:`hub.testing.start_hub`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.testing import HubProcess, start_hub


@pytest.fixture
def hub_process(tmp_path: Path) -> Iterator[HubProcess]:
    """A running hub with the demo office; stopped after the test."""
    hub = start_hub(tmp_path / "hub")
    try:
        yield hub
    finally:
        hub.stop()
