"""Configure Kivy before its window exists: size, full screen, no console noise, no argv parsing.

Kivy reads its settings when first imported, so every app calls :func:`configure` at the top of
its ``main()`` before importing ``kivy.app``; nothing here runs at import time.
"""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def configure(
    width: int,
    height: int,
    fullscreen: bool = False,
    title: str = "Motcua",
    screenshot_dir: Path | None = None,
) -> None:
    """Set the window size and mode for the app about to start.

    With ``screenshot_dir``, ``kill -USR1 PID`` saves what the screen shows there: a
    technician's look at an appliance across the room, and how process tests see the screen.
    """
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our own argparse owns the command line
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    Config.set("kivy", "exit_on_escape", "0")  # a citizen pressing Esc must not close the app
    Config.set("input", "mouse", "mouse,multitouch_on_demand")  # no red dots on right click
    os.environ.setdefault("KIVY_WINDOW_TITLE", title)
    if screenshot_dir is not None:
        signal.signal(signal.SIGUSR1, lambda *_: _screenshot_soon(screenshot_dir))
    from appliance import watchdog

    watchdog.start()  # under systemd with WatchdogSec=: keep-alives from the main loop


def _screenshot_soon(directory: Path) -> None:
    from kivy.clock import Clock  # the signal arrives between frames: draw one, then save it

    Clock.schedule_once(lambda _dt: _screenshot(directory), 0)


def _screenshot(directory: Path) -> Any:
    from kivy.core.window import Window

    directory.mkdir(parents=True, exist_ok=True)
    path = Window.screenshot(name=str(directory / "screen.png"))  # saved as screen0001.png, …
    log.info("screenshot saved: %s", path)
    return path
