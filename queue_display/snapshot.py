"""Render the board to a PNG without a screen: for tests, documentation and a technician.

    python -m queue_display.snapshot --state state.json --size 1080x1920 --out board.png \
        [--call 1023:5] [--offline] [--report]
    python -m queue_display.snapshot --hub http://127.0.0.1:8080 --size 1920x1080 --out board.png

``--state`` draws a saved answer of the hub's state endpoint; ``--hub`` runs the real display app
against a hub until its board has loaded. ``--call NUMBER:COUNTER`` applies a fresh call (the
highlighted look). ``--report`` prints, as JSON, where the main texts landed and how tall they
are drawn, so a test can check the layout holds. The window size must be fixed before Kivy
opens its window, hence a process per size.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

from appliance.translations import translator


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    return int(width), int(height)


def _geometry(widget: Any) -> dict[str, Any]:
    x, y = widget.to_window(widget.x, widget.y)
    return {
        "text": str(widget.text),
        "x": x,
        "y": y,
        "width": widget.width,
        "height": widget.height,
        "font_size": widget.font_size,
        "drawn_height": widget.texture_size[1],
    }


def _box(widget: Any) -> dict[str, Any]:
    x, y = widget.to_window(widget.x, widget.y)
    return {"x": x, "y": y, "width": widget.width, "height": widget.height}


def report(screen: Any) -> dict[str, Any]:
    """Where the board's texts are and how big (for layout tests)."""
    ids = screen.ids
    return {
        "landscape": bool(screen.landscape),
        "highlighted": bool(screen.highlighted),
        "offline_mark": {"shown": ids.offline_mark.opacity == 1, **_geometry(ids.offline_mark)},
        "call_number": _geometry(ids.call_number),
        "call_counter": _geometry(ids.call_counter),
        "counters": [_geometry(w) for w in reversed(ids.counters_grid.children)],
        "waiting": [_geometry(w) for w in reversed(ids.waiting_grid.children)],
        "recent": [_geometry(w) for w in reversed(ids.recent_box.children)],
        "ticker": {"height": ids.ticker.height, "text": ids.ticker.text},
        "waiting_grid": _box(ids.waiting_grid),
        "waiting_pages": int(screen.waiting_pages),
        "offline_overlay": {
            "shown": bool(screen.offline and screen.overlay_texture is not None),
            "text": screen.overlay_text,
            "width": screen.overlay_texture.width if screen.overlay_texture else 0,
        },
    }


def save_rotated(out: Path, rotation: int) -> None:
    """Save what a person in front of the turned TV sees: the framebuffer (the panel's own
    1920×1080) turned back by ``rotation``. Kivy's screenshot assumes an unturned window."""
    from kivy.core.window import Window
    from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
    from PIL import Image

    width, height = Window.system_size
    pixels = glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE)
    panel = Image.frombytes("RGBA", (width, height), pixels)
    panel = panel.transpose(Image.Transpose.FLIP_TOP_BOTTOM)  # GL rows run bottom-up
    out.parent.mkdir(parents=True, exist_ok=True)
    panel.rotate(-rotation, expand=True).convert("RGB").save(out)


def main(argv: list[str] | None = None) -> int:
    """Draw once, save the PNG, optionally print the layout report."""
    parser = argparse.ArgumentParser(prog="python -m queue_display.snapshot")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--state", type=Path, help="a saved state snapshot of a hub (JSON)")
    source.add_argument("--hub", help="a running hub's URL")
    parser.add_argument("--size", type=_size, default=(1920, 1080), help="WIDTHxHEIGHT")
    parser.add_argument("--out", type=Path, required=True, help="the PNG to write")
    parser.add_argument("--call", help="NUMBER:COUNTER, a fresh call to show highlighted")
    parser.add_argument("--offline", action="store_true", help="show the offline mark")
    parser.add_argument("--agency", default="UBND phường Bến Thành – Bộ phận một cửa")
    parser.add_argument("--report", action="store_true", help="print the layout as JSON")
    parser.add_argument("--rotation", type=int, default=0, help="0, 90, 180 or 270 degrees")
    args = parser.parse_args(argv)
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from appliance.ui.boot import configure

    configure(*args.size, fullscreen=False)
    if args.rotation:
        from kivy.config import Config

        Config.set("graphics", "rotation", str(args.rotation))
    from kivy.app import App

    from appliance.live import Office
    from appliance.records import Event, Snapshot, Ticket
    from appliance.ui.harness import AppDriver
    from queue_display.board import Board
    from queue_display.screens.board_screen import BoardScreen, load_kv

    if args.hub:
        import tempfile

        from appliance.hublink import HubClient
        from queue_display.app import DisplayApp
        from queue_display.settings import DisplaySettings

        audio = tempfile.mkdtemp(prefix="motcua-snapshot-")
        settings = DisplaySettings(
            hub_url=args.hub, agency_name=args.agency, speaker="file", audio_dir=Path(audio)
        )
        app: App = DisplayApp(settings, HubClient(args.hub))
        driver = AppDriver(app).start()
        driver.wait_until(lambda: app.controller.loaded, 20, "the board to load")
        board, screen = app.controller.board, app.screen
    else:
        state = json.loads(args.state.read_text(encoding="utf-8"))

        class SnapshotApp(App):
            def build(self) -> BoardScreen:
                load_kv()
                self.office = Office()
                self.office.load(Snapshot.from_wire(state))
                self.board = Board(self.office, highlight_s=3600)
                self.board.load()
                self.screen = BoardScreen(translator("queue_display"), args.agency)
                return self.screen

        app = SnapshotApp()
        driver = AppDriver(app).start()
        board, screen = app.board, app.screen
    if args.call:
        number, _, counter = args.call.partition(":")
        ticket = Ticket(10**9, number, "", "called", int(counter), f"Quầy {counter}")
        at_counter = board.office.counters.get(int(counter))
        if at_counter is not None:
            at_counter = dataclasses.replace(at_counter, state="open", current=ticket)
        event = Event(board.last_event_id + 1, "ticket.called", ticket=ticket, counter=at_counter)
        board.office.apply(event)
        board.apply(event)
    screen.show(board, offline=args.offline)
    driver.pump(4)
    screen.show(board, offline=args.offline)  # rows sized to the laid-out grid
    driver.pump(4)
    if args.rotation:
        save_rotated(args.out, args.rotation)
    else:
        driver.screenshot(args.out)
    if args.report:
        print(json.dumps(report(screen), ensure_ascii=False))
    driver.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
