"""``motcua kiosk`` as people start it: settings refused by name; a hub that is not up yet is
waited for on screen, then the kiosk enrols and runs (the start-up itself: tests/appliance)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from hub.testing import HubProcess
from kiosk.main import main


def test_a_bad_setting_stops_start_up_naming_it(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MOTCUA_CONFIG", raising=False)
    config = tmp_path / "kiosk.toml"
    config.write_text('hub_url = "http://127.0.0.1:9"\n[printer]\npaper_mm = 70\n')
    assert main(["--config", str(config)]) == 2
    assert "printer.paper_mm" in capsys.readouterr().err
    assert main(["--hub", "ftp://nowhere"]) == 2
    assert "hub_url" in capsys.readouterr().err


@pytest.mark.gui
@pytest.mark.slow
def test_motcua_kiosk_up_before_the_hub_waits_then_enrols_and_reports_its_printer(
    hub_process: HubProcess, appliance_process, tmp_path: Path
):
    hub = hub_process
    hub.stop()  # a power cut: the kiosk boots before the hub
    token_file = tmp_path / "token"
    env = {
        "MOTCUA_PRINTER_OUTPUT_DIR": str(tmp_path / "printer"),
        "MOTCUA_PRINTER_SIMULATE": "paper_low",
        "MOTCUA_NAME": "Kiosk sảnh C",
        "MOTCUA_OFFLINE_FILE": str(tmp_path / "offline-tickets.json"),
    }
    args = ["--hub", hub.url, "--enroll-code", hub.enroll_codes["kiosk"],
            "--token-file", str(token_file)]  # fmt: skip
    kiosk = appliance_process("kiosk", args, env)
    kiosk.wait_log(f"start-up screen: Đang chờ máy chủ tại {hub.url} / Waiting for the hub at")
    kiosk.screenshot("kiosk-waiting-for-hub.png")
    assert not token_file.exists()

    hub.start()
    row = None

    def heartbeat_arrived() -> bool:
        nonlocal row
        with sqlite3.connect(f"file:{hub.db_path}?mode=ro", uri=True) as conn:
            row = conn.execute(
                "SELECT status FROM devices WHERE name = ? AND status IS NOT NULL",
                ("Kiosk sảnh C",),
            ).fetchone()
        return row is not None

    kiosk.wait_for(heartbeat_arrived, what="the kiosk's heartbeat")
    status = json.loads(row[0])
    assert status["app"] == "kiosk" and status["printer"]["paper"] == "low"
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    kiosk.screenshot("kiosk-after-enrolment.png")
    assert kiosk.alive()
