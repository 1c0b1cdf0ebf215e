"""Configure Kivy before its window exists: size, full screen, no console noise, no argv parsing.

Kivy reads its settings when first imported, so every app calls :func:`configure` at the top of
its ``main()`` before importing ``kivy.app``; nothing here runs at import time.
"""

from __future__ import annotations

import os


def configure(width: int, height: int, fullscreen: bool = False, title: str = "Motcua") -> None:
    """Set the window size and mode for the app about to start."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our own argparse owns the command line
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    Config.set("kivy", "exit_on_escape", "0")  # a citizen pressing Esc must not close the kiosk
    Config.set("input", "mouse", "mouse,multitouch_on_demand")  # no red dots on right click
    os.environ.setdefault("KIVY_WINDOW_TITLE", title)
