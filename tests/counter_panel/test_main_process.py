"""``motcua counter`` as a real process: refusals at start-up, enrolment, and a running panel."""

from __future__ import annotations

import os
import subprocess
import sys
import time

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


def test_a_bad_setting_or_a_missing_token_stops_with_a_clear_message(tmp_path):
    bad = run_counter(["--hub", "ftp://hub"], {"MOTCUA_COUNTER": "1"})
    assert bad.returncode == 2
    assert "hub_url" in bad.stderr and "ftp://hub" in bad.stderr
    no_counter = run_counter(["--hub", "http://127.0.0.1:9"], {})
    assert no_counter.returncode == 2 and "'counter'" in no_counter.stderr
    no_token = run_counter(
        ["--hub", "http://127.0.0.1:9", "--token-file", str(tmp_path / "token")],
        {"MOTCUA_COUNTER": "1"},
    )
    assert no_token.returncode == 2 and "enroll_code" in no_token.stderr


@pytest.mark.gui  # the app's window, offscreen, in a process of its own
@pytest.mark.slow
def test_the_panel_enrols_once_then_runs_and_announces_its_demo_keypad(hub_process, tmp_path):
    token_file = tmp_path / "counter-token"
    env = {**os.environ, **PANEL_ENV, "MOTCUA_COUNTER": "1", "MOTCUA_KEYPAD_DRIVER": "pty"}
    args = ["--hub", hub_process.url, "--token-file", str(token_file)]
    args += ["--enroll-code", hub_process.enroll_codes["counter"]]
    proc = subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "counter", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while not token_file.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert token_file.exists(), "no token stored"
        assert oct(token_file.stat().st_mode & 0o777) == "0o600"
        time.sleep(3)
        assert proc.poll() is None, "the panel did not keep running"
    finally:
        proc.terminate()
        output = proc.communicate(timeout=15)[0].decode("utf-8", "replace")
    assert "demo keypad: type keys into /dev/pts/" in output
