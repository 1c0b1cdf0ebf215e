"""Drive a Kivy app frame by frame without a display: for tests, benchmarks and screenshots.

The app runs for real (its window offscreen when ``SDL_VIDEODRIVER=offscreen``); the driver only
replaces ``App.run()``'s endless loop with frames pumped on demand, so a test can tap a widget,
wait for the hub's answer to arrive, and save what a person would see.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from kivy.app import App
from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.widget import Widget


class AppDriver:
    """Starts ``app``, pumps its frames, taps widgets and takes screenshots."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.started = False

    def start(self) -> AppDriver:
        """Build the app and show its first frame."""
        self.app._run_prepare()  # what App.run() does before its loop
        self.started = True
        self.pump(3)
        return self

    def pump(self, frames: int = 1) -> None:
        """Run ``frames`` iterations of Kivy's loop (clock, input, drawing)."""
        for _ in range(frames):
            EventLoop.idle()

    def wait_until(
        self, condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition"
    ) -> None:
        """Pump frames until ``condition()`` holds; AssertionError naming ``what`` on timeout."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            self.pump()
            time.sleep(0.005)

    def tap(self, widget: Widget) -> None:
        """Touch ``widget`` at its centre and lift, as a finger would."""
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump()
        touch.touch_up()
        self.pump(2)

    def find(self, predicate: Callable[[Widget], bool], root: Widget | None = None) -> Widget:
        """The first widget under ``root`` (default: the window) for which ``predicate`` holds."""
        roots = [root] if root is not None else list(Window.children)
        for top in roots:
            for widget in top.walk(restrict=False):
                if predicate(widget):
                    return widget
        raise LookupError("no widget matches")

    def find_text(self, text: str, root: Widget | None = None) -> Widget:
        """The first visible widget whose text or text_vi contains ``text``."""

        def matches(w: Widget) -> bool:
            shown = str(getattr(w, "text_vi", "") or getattr(w, "text", ""))
            return text in shown and getattr(w, "opacity", 1) > 0

        return self.find(matches, root)

    def screenshot(self, path: Path | str) -> Path:
        """Save the whole window as a PNG at ``path`` and return the path."""
        self.pump(2)
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        Window.screenshot(name=str(target.with_suffix(".tmp.png")))
        # Window.screenshot numbers its files (name0001.png); rename to the asked-for path.
        produced = sorted(target.parent.glob(target.with_suffix("").name + ".tmp*.png"))
        produced[-1].replace(target)
        return target

    def stop(self) -> None:
        """Stop the app and let Kivy finish its frame."""
        if self.started:
            self.app.stop()
            self.pump(2)
            self.started = False
