"""``motcua display`` as a real process against a real hub: it enrols, and a call made through
the API is spoken."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from display_support import voiced_fraction, wav_file

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_motcua_display_process_announces_a_call(hub_process, tmp_path):
    hub = hub_process
    token_file = tmp_path / "display-token"  # none yet: the display enrols with the code
    audio = tmp_path / "audio"
    env = {
        **os.environ,
        "SDL_VIDEODRIVER": "offscreen",
        "KIVY_NO_CONSOLELOG": "1",
        "MOTCUA_TOKEN_FILE": str(token_file),
        "MOTCUA_ENROLL_CODE": hub.enroll_codes["display"],
        "MOTCUA_NAME": "Màn hình sảnh A",
        "MOTCUA_AUDIO_DIR": str(audio),
        "MOTCUA_SPEECH_RATE_WPM": "220",
    }
    env.pop("MOTCUA_CONFIG", None)
    log = (tmp_path / "display.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "display", "--hub", hub.url, "--speaker", "file"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        status, _ = hub.request("POST", "/api/v1/tickets", {"service": "B"}, token=hub.kiosk_token)
        assert status == 201
        clerk = hub.clerk_token(3)
        # the display's stream must be connected before the call, or the call is in its snapshot
        deadline = time.monotonic() + 30
        calls: list = []
        while time.monotonic() < deadline and not calls:
            assert proc.poll() is None, (tmp_path / "display.log").read_text(errors="replace")
            if "event stream" in (tmp_path / "display.log").read_text(errors="replace"):
                status, body = hub.request("POST", "/api/v1/counters/3/call-next", token=clerk)
                assert status == 200, body
                number = body["ticket"]["number"]
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and not calls:
                    calls = sorted(audio.glob(f"*-call-{number}-3.wav"))
                    time.sleep(0.2)
            time.sleep(0.2)
        assert calls, (tmp_path / "display.log").read_text(errors="replace")[-3000:]
        time.sleep(0.5)  # the file is written whole before the speaker "plays" it
        speech = wav_file(calls[0])
        assert 1.5 < speech.duration < 8.0 and voiced_fraction(speech) > 0.4
        assert sorted(audio.glob("*-chime.wav"))[0].name < calls[0].name  # chime first
        # It enrolled once with the one-time code and keeps its token to itself.
        assert token_file.read_text(encoding="utf-8").strip()
        assert token_file.stat().st_mode & 0o077 == 0
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()


def test_a_display_up_before_the_hub_waits_for_it_then_enrols_and_shows_the_board(
    hub_process, appliance_process, tmp_path
):
    hub = hub_process
    hub.stop()  # a power cut: the display boots before the hub
    token_file = tmp_path / "display-token"
    env = {
        "MOTCUA_TOKEN_FILE": str(token_file),
        "MOTCUA_ENROLL_CODE": hub.enroll_codes["display"],
        "MOTCUA_AUDIO_DIR": str(tmp_path / "audio"),
    }
    display = appliance_process("display", ["--hub", hub.url, "--speaker", "file"], env)
    display.wait_log(f"start-up screen: Đang chờ máy chủ tại {hub.url} / Waiting for the hub at")
    display.screenshot("display-waiting-for-hub.png")
    assert not token_file.exists()

    hub.start()
    display.wait_log("start-up done: the app goes on")
    assert token_file.stat().st_mode & 0o077 == 0
    display.wait_log("event stream")  # the board follows the hub
    display.screenshot("display-after-enrolment.png")
    assert display.alive()


def test_a_display_without_a_token_asks_for_the_code_instead_of_running_unenrolled(
    hub_process, appliance_process, tmp_path
):
    token_file = tmp_path / "display-token"
    display = appliance_process(
        "display",
        ["--hub", hub_process.url, "--speaker", "file"],
        {"MOTCUA_TOKEN_FILE": str(token_file), "MOTCUA_AUDIO_DIR": str(tmp_path / "audio")},
    )
    display.wait_log("start-up screen: Nhập mã đăng ký thiết bị / Type the enrolment code")
    display.screenshot("display-code-entry.png")
    assert display.alive() and not token_file.exists()
