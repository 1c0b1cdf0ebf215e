"""What the hub writes on stdout about requests: every refusal, and state changes when asked."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from hub import core
from tests.hub.conftest import make_office


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "motcua.access"]


@pytest.mark.parametrize("log_changes", [False, True])
def test_refusals_are_logged_and_changes_only_when_asked(
    tmp_path: Path, seeded_db: tuple[Path, dict[str, Any]], caplog: pytest.LogCaptureFixture,
    log_changes: bool,
) -> None:  # fmt: skip
    office = make_office(tmp_path, seeded_db, log_changes=log_changes)
    try:
        with caplog.at_level(logging.INFO, logger="motcua.access"):
            office.issue("A")
            assert office.req("POST", "/tickets", {"service": "nope"}, office.kiosk)[0] == 404
            assert office.req("GET", "/services")[0] == 200
    finally:
        core.shutdown(office.app)
    refused = "POST /api/v1/tickets 404 kiosk:" + str(office.creds["kiosk"]["device_id"])
    issued = "POST /api/v1/tickets 201 kiosk:" + str(office.creds["kiosk"]["device_id"])
    expected = [issued, refused] if log_changes else [refused]
    assert _lines(caplog) == expected  # reads are never logged
