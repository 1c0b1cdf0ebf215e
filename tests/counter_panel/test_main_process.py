"""``motcua counter`` as a real process: a bad setting stops it; a missing hub or token never does.

Screenshots are taken the way a technician would (``kill -USR1``) and kept in ``tmp_path`` (and
``$MOTCUA_SHOTS`` when set).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PANEL_ENV = {"SDL_VIDEODRIVER": "offscreen", "KIVY_NO_ARGS": "1", "MOTCUA_CONFIG": ""}


def run_counter(args, env, timeout=30):
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", "counter", *args],
        env={**os.environ, **PANEL_ENV, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_bad_setting_stops_with_a_clear_message():
    bad = run_counter(["--hub", "ftp://hub"], {"MOTCUA_COUNTER": "1"})
    assert bad.returncode == 2
    assert "hub_url" in bad.stderr and "ftp://hub" in bad.stderr
    no_counter = run_counter(["--hub", "http://127.0.0.1:9"], {})
    assert no_counter.returncode == 2 and "'counter'" in no_counter.stderr


@pytest.mark.gui
@pytest.mark.slow
def test_a_panel_up_before_the_hub_waits_for_it_then_enrols_by_itself(
    hub_process, appliance_process, tmp_path
):
    hub = hub_process
    hub.stop()  # a power cut: the panel boots first
    token_file = tmp_path / "counter-token"
    args = ["--hub", hub.url, "--token-file", str(token_file)]
    args += ["--enroll-code", hub.enroll_codes["counter"]]
    panel = appliance_process(
        "counter", args, {"MOTCUA_COUNTER": "1", "MOTCUA_KEYPAD_DRIVER": "pty"}
    )
    panel.wait_log(f"start-up screen: Đang chờ máy chủ tại {hub.url} / Waiting for the hub at")
    panel.screenshot("counter-waiting-for-hub.png")
    assert panel.alive() and not token_file.exists()

    hub.start()
    panel.wait_for(token_file.exists, what="the token stored")
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    panel.wait_log("demo keypad: type keys into /dev/pts/")  # the panel itself is running
    panel.wait_log("start-up done: the app goes on")
    panel.screenshot("counter-after-enrolment.png")
    assert panel.alive()


@pytest.mark.gui
@pytest.mark.slow
@pytest.mark.parametrize("screen", ["panel", "rating-screen"])
def test_a_panel_without_a_token_or_code_shows_the_code_entry_and_keeps_running(
    hub_process, appliance_process, tmp_path, screen
):
    token_file = tmp_path / "counter-token"
    args = ["--hub", hub_process.url, "--token-file", str(token_file)]
    if screen == "rating-screen":  # the citizen-facing second screen starts the same way
        args.append("--rating-screen")
    panel = appliance_process("counter", args, {"MOTCUA_COUNTER": "2"})
    panel.wait_log("start-up screen: Nhập mã đăng ký thiết bị / Type the enrolment code")
    panel.screenshot(f"counter-{screen}-code-entry.png")
    assert panel.alive() and not token_file.exists()
