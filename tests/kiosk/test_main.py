"""``motcua kiosk`` as people start it: settings refused by name, enrolment on first start."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from appliance.enrolment import EnrolmentError
from hub.testing import HubProcess, SeededHub
from kiosk.main import main, obtain_token
from kiosk.settings import KioskSettings
from motcua.config import load


def test_a_bad_setting_stops_start_up_naming_it(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MOTCUA_CONFIG", raising=False)
    config = tmp_path / "kiosk.toml"
    config.write_text('hub_url = "http://127.0.0.1:9"\n[printer]\npaper_mm = 70\n')
    assert main(["--config", str(config)]) == 2
    assert "printer.paper_mm" in capsys.readouterr().err
    assert main(["--hub", "ftp://nowhere"]) == 2
    assert "hub_url" in capsys.readouterr().err


def test_enrolment_once_then_the_stored_token(inprocess_hub: SeededHub, tmp_path):
    token_file = tmp_path / "token"
    settings = load(
        KioskSettings,
        env={},
        overrides={
            "hub_url": inprocess_hub.url,
            "token_file": str(token_file),
            "enroll_code": inprocess_hub.enroll_codes["kiosk"],
            "name": "Kiosk sảnh B",
        },
    )
    token = obtain_token(settings)
    assert token_file.read_text().strip() == token
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    assert obtain_token(settings) == token  # the code is not used twice
    token_file.unlink()
    with pytest.raises(EnrolmentError, match="refused"):
        obtain_token(settings, patience_s=1.0)  # a one-time code, already spent


@pytest.mark.gui  # the app's window, offscreen, in a process of its own
@pytest.mark.slow
def test_motcua_kiosk_enrols_and_reports_its_printer(hub_process: HubProcess, tmp_path: Path):
    token_file = tmp_path / "token"
    env = {
        **os.environ,
        "SDL_VIDEODRIVER": "offscreen",
        "KIVY_NO_ARGS": "1",
        "KIVY_NO_CONSOLELOG": "1",
        "MOTCUA_PRINTER_OUTPUT_DIR": str(tmp_path / "printer"),
        "MOTCUA_PRINTER_SIMULATE": "paper_low",
        "MOTCUA_NAME": "Kiosk sảnh C",
    }
    env.pop("MOTCUA_CONFIG", None)
    code = hub_process.enroll_codes["kiosk"]
    argv = [sys.executable, "-m", "motcua.cli", "kiosk", "--hub", hub_process.url,
            "--enroll-code", code, "--token-file", str(token_file)]  # fmt: skip
    log = (tmp_path / "kiosk.log").open("wb")
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        row = None
        while time.monotonic() < deadline and proc.poll() is None:
            with sqlite3.connect(f"file:{hub_process.db_path}?mode=ro", uri=True) as conn:
                row = conn.execute(
                    "SELECT status FROM devices WHERE name = ? AND status IS NOT NULL",
                    ("Kiosk sảnh C",),
                ).fetchone()
            if row:
                break
            time.sleep(0.2)
        assert proc.poll() is None, (tmp_path / "kiosk.log").read_text(errors="replace")[-3000:]
        assert row is not None, "the kiosk never sent its heartbeat"
        status = json.loads(row[0])
        assert status["app"] == "kiosk" and status["printer"]["paper"] == "low"
        assert token_file.exists()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
