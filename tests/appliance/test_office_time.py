"""Appliance screens show the office's time, whatever zone the device's clock is set to.

A kiosk whose system zone was left at UTC showed 01:04 while the ticket it printed said 08:04.
Each check runs in a fresh Python with ``TZ=UTC``, as such a device runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_in_utc(code: str) -> str:
    """Run ``code`` in a Python whose local time zone is UTC; its printed output."""
    env = {**os.environ, "TZ": "UTC", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_utc_device_shows_office_time_by_default():
    out = run_in_utc(
        """
        import time
        from appliance import timefmt
        moment = 1796173440.0  # 2026-12-02 01:04 UTC
        print(time.strftime("%H:%M", time.localtime(moment)))  # what the device's zone says
        print(timefmt.now_text("%H:%M", moment))
        print(timefmt.clock_text("2026-12-02T01:04:00+00:00"))
        print(timefmt.clock_text("2026-12-02T08:04:00+07:00"))
        print(timefmt.date_text("2026-12-01T18:30:00+00:00"))
        """
    )
    assert out.splitlines() == [
        "01:04",
        "08:04",
        "08:04 02/12/2026",
        "08:04 02/12/2026",
        "02/12/2026",  # already the 2nd in Việt Nam
    ]


def test_the_clock_label_shows_office_time_on_a_utc_device():
    out = run_in_utc(
        """
        import os, time
        os.environ.update(SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1")
        from appliance.ui.widgets import ClockLabel
        from appliance import timefmt
        label = ClockLabel(fmt="%H:%M")
        print(label.text == timefmt.now_text("%H:%M"))
        print(label.text == time.strftime("%H:%M"))  # the device's own zone
        """
    )
    assert out.splitlines()[-2:] == ["True", "False"]


def test_the_zone_the_hub_names_wins():
    out = run_in_utc(
        """
        from appliance import timefmt
        from appliance.live import Office
        from appliance.records import Snapshot
        office = Office()
        office.load(Snapshot.from_wire({"day": "2026-12-02", "services": [], "counters": [],
                                        "last_event_id": 0,
                                        "office": {"timezone": "Asia/Tokyo"}}))
        print(timefmt.clock_text("2026-12-02T01:04:00+00:00"))
        print(office.settings.priority_elderly_age)
        """
    )
    assert out.splitlines() == ["10:04 02/12/2026", "60"]
