"""The board a waiting room watches: newest call, counters, last calls, waiting counts, notice.

The screen holds no logic: :meth:`BoardScreen.show` copies what the :class:`~queue_display.board.
Board` says into Kivy properties and rows. Sizes are in units of ``u`` (the short side of the
window / 1080), so a 1080p TV reads the same in landscape and portrait, and the body is laid out
side by side in landscape and stacked in portrait.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.stencilview import StencilView

from appliance import timefmt
from motcua.i18n import Translator
from queue_display.board import Board

_KV = Path(__file__).with_suffix(".kv")

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")

# High contrast on a dark ground: a TV across a room, often against a bright window.
WHITE = (1, 1, 1, 1)
YELLOW = (1, 0.84, 0.29, 1)
MUTED = (0.66, 0.74, 0.88, 1)
AMBER = (1, 0.70, 0.0, 1)
PAGE_S = 8.0  # a waiting list longer than its panel turns a page this often


def load_kv() -> None:
    """Load the board's rules once."""
    if str(_KV) not in Builder.files:
        Builder.load_file(str(_KV))


def vi_date(now: dt.datetime) -> str:
    """ "Chủ Nhật, 29/11/2026"."""
    return f"{WEEKDAYS_VI[now.weekday()]}, {now:%d/%m/%Y}"


class FreshLabel(Label):
    """A Label that puts each new text in a new texture.

    Kivy reuses a label's texture when the size allows, and uploading into a texture that frames
    still in flight are drawing with makes the GL driver wait for them: measured here (Mesa's
    software renderer at 1920×1080) 100–300 ms per change, against 2–17 ms with a fresh
    texture. The old one is freed once no frame uses it.
    """

    def texture_update(self, *largs: object) -> None:
        """Drop the old texture, then render as Label does."""
        if self._label is not None:
            self._label.texture = None
        super().texture_update(*largs)


class Ticker(StencilView):
    """The notice, scrolling right to left, forever."""

    text = StringProperty("")
    font_size = NumericProperty(40)
    speed = NumericProperty(120.0)  # pixels a second
    offset = NumericProperty(0.0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._event = Clock.schedule_interval(self._step, 1 / 30)

    def on_text(self, _widget: Ticker, _text: str) -> None:
        """A new notice starts at the left edge, readable at once, then scrolls."""
        self._fresh = True

    def _step(self, dt: float) -> None:
        label = self.ids.get("label")
        if label is None or not self.text:
            return
        if getattr(self, "_fresh", False):  # laid out by now: start at the left edge
            self._fresh = False
            self.offset = self.width
            return
        self.offset += self.speed * dt
        if self.offset > self.width + label.texture_size[0]:
            self.offset = 0.0


class BoardScreen(BoxLayout):
    """The whole board; ``show(board)`` redraws it from the board's state."""

    u = NumericProperty(1.0)  # one unit: short side / 1080
    clock_offset = NumericProperty(0.0)  # seconds the hub's clock is ahead of this one
    landscape = BooleanProperty(True)
    agency = StringProperty("")
    clock_text = StringProperty("")
    date_text = StringProperty("")
    offline = BooleanProperty(False)
    offline_text = StringProperty("")
    # Across the dimmed board while offline: a texture, drawn over everything in canvas.after.
    overlay_text = StringProperty("")
    overlay_texture = ObjectProperty(None, allownone=True)
    waiting_page = NumericProperty(0)
    waiting_pages = NumericProperty(1)
    title_vi = StringProperty("")
    title_en = StringProperty("")
    call_number = StringProperty("")
    call_counter_vi = StringProperty("")
    call_counter_en = StringProperty("")
    flash = BooleanProperty(False)  # the newest call's panel lit
    highlighted = BooleanProperty(False)
    notice = StringProperty("")
    recent_title = StringProperty("")
    counters_title = StringProperty("")
    serving_title = StringProperty("")
    waiting_title = StringProperty("")

    def __init__(self, translator: Translator, agency: str, **kwargs: object) -> None:
        self.t = translator
        super().__init__(**kwargs)
        self.agency = agency
        self.title_vi, self.title_en = self.t.both("Now calling")
        self.recent_title = " / ".join(self.t.both("Recently called"))
        self.counters_title = " / ".join(self.t.both("Counter"))
        self.serving_title = " / ".join(self.t.both("Now serving"))
        self.waiting_title = " / ".join(self.t.both("Waiting"))
        self.offline_text = self.t("Offline", "vi") + " / " + self.t("Offline", "en")
        vi, en = self.t.both("Connection lost")
        note_vi, note_en = self.t.both("These are the last calls received")
        self.overlay_text = f"{vi.upper()}\n{en}\n\n{note_vi}\n{note_en}"
        self._overlay_for: tuple[float, float] = (0.0, 0.0)  # (u, width) it was drawn for
        self._page_at = time.monotonic()
        self._board: Board | None = None
        self._connecting = False
        self._fill_lists = Clock.create_trigger(lambda _dt: self._refill(), 0)
        self._tick()
        Clock.schedule_interval(lambda _dt: self._tick(), 0.5)
        self.bind(size=lambda *_: self._relayout())

    def _tick(self) -> None:
        # The hub's clock (a Pi has no battery-backed clock and may boot with a wrong one), in
        # the office's zone whatever the device's zone is.
        now = timefmt.office_time(time.time() + self.clock_offset)
        self.clock_text = f"{now:%H:%M}"
        self.date_text = vi_date(now)
        board = self._board
        lit = board is not None and board.highlighted()
        self.highlighted = lit
        self.flash = lit and not self.flash
        if self.waiting_pages > 1 and time.monotonic() - self._page_at >= PAGE_S:
            self._page_at = time.monotonic()
            self.waiting_page = (self.waiting_page + 1) % self.waiting_pages
            self._fill_lists()

    def _relayout(self) -> None:
        self.landscape = self.width >= self.height
        self.u = max(0.3, min(self.width, self.height) / 1080)
        if self._board is not None:
            self.show(self._board, self.offline, self._connecting)

    # --- filling it in ----------------------------------------------------------------------

    def show(self, board: Board, offline: bool = False, connecting: bool = False) -> None:
        """Redraw from ``board`` (call on the UI thread after the board changed);
        ``connecting`` until the first snapshot has come from the hub."""
        self._board = board
        self.offline = offline
        self._connecting = connecting
        if offline and self._overlay_for != (self.u, self.width):
            self._draw_overlay()
        latest = board.latest
        if latest is None:
            self.call_number = ""
            self.call_counter_vi, self.call_counter_en = (
                self.t.both("Connecting to the hub…") if connecting else self.t.both("No calls yet")
            )
        else:
            self.call_number = latest.number
            self.call_counter_vi, self.call_counter_en = self.t.both(
                "Counter {number}", number=latest.counter
            )
        lit = board.highlighted()
        if lit and not self.highlighted:
            self.flash = True
        self.highlighted = lit
        self.notice = "      •      ".join(t for t in board.notice if t)
        # The big number is drawn in this frame; the lists follow in the next, so a call
        # reaches the room one frame sooner on a slow GPU.
        self._fill_lists.cancel()
        self._fill_lists()

    def _draw_overlay(self) -> None:
        """The offline message as one texture, in type sized to the window."""
        label = CoreLabel(
            text=self.overlay_text, font_size=64 * self.u, bold=True, halign="center",
            color=(1, 1, 1, 1), text_size=(max(100.0, self.width - 80 * self.u), None),
        )  # fmt: skip
        label.refresh()
        self.overlay_texture = label.texture
        self._overlay_for = (self.u, self.width)

    def _refill(self) -> None:
        board = self._board
        if board is None:
            return
        self._fill_recent(board)
        self._fill_counters(board)
        self._fill_waiting(board)

    def _sync(self, grid: GridLayout, cells: list[dict[str, Any]]) -> None:
        """Make ``grid`` show ``cells`` (Label properties each), reusing the labels that already
        show a cell's text: drawing text is the costly part of a frame, and after a call most
        texts are the same, only moved (the last calls shift by one)."""
        current = list(reversed(grid.children))
        by_text: dict[str, list[FreshLabel]] = {}
        for label in current:
            by_text.setdefault(label.text, []).append(label)
        chosen: list[FreshLabel | None] = [
            (by_text[c["text"]].pop(0) if by_text.get(c["text"]) else None) for c in cells
        ]
        spare = [label for labels in by_text.values() for label in labels]
        for index, cell in enumerate(cells):
            label = chosen[index]
            if label is None:
                label = spare.pop(0) if spare else self._new_label()
                chosen[index] = label
            cell = dict(cell)
            width = cell.pop("width", None)
            label.size_hint_x = None if width else 1
            if width:
                label.width = width
            for name, value in cell.items():
                if getattr(label, name) != value:
                    setattr(label, name, value)
        if chosen != current:
            grid.clear_widgets()
            for label in chosen:
                grid.add_widget(label)

    @staticmethod
    def _new_label() -> FreshLabel:
        label = FreshLabel(valign="middle", shorten=True, shorten_from="right")
        label.bind(size=lambda w, s: setattr(w, "text_size", s))
        return label

    @staticmethod
    def _cell(
        text: str, size: float, color=WHITE, bold=False, halign="left", width=None
    ) -> dict[str, Any]:
        """One cell; ``width`` fixes the column (numbers), otherwise it takes what is left."""
        return {"text": text, "font_size": size, "color": color, "bold": bold,
                "halign": halign, "width": width}  # fmt: skip

    def _fill_recent(self, board: Board) -> None:
        u = self.u
        cells = []
        for call in board.recent[:6]:
            cells.append(self._cell(call.number, 54 * u, YELLOW, True, "right"))
            counter = self.t("Counter {number}", "vi", number=call.counter)
            cells.append(self._cell(counter, 40 * u, WHITE, False, "left"))
        while len(cells) < 12:  # keep the three columns where they are while the list fills
            cells.append(self._cell("", 40 * u))
        self._sync(self.ids.recent_box, cells)

    def _fill_counters(self, board: Board) -> None:
        """One row per counter ("Quầy 3 … A012"); when they do not fit, several columns of
        compact pairs ("3  A012") in type sized to the column."""
        grid: GridLayout = self.ids.counters_grid
        rows = board.open_counters()
        u = self.u
        row_h = 78 * u
        columns = 1
        if grid.height > row_h and len(rows) > grid.height // row_h:
            row_h = 64 * u
            columns = math.ceil(len(rows) / max(1, grid.height // row_h))
        grid.cols = 2 * columns
        grid.row_default_height = row_h
        gap = 24 * u if columns == 1 else 14 * u
        grid.spacing = (gap, 0)
        pair = (grid.width - gap * (2 * columns - 1)) / columns
        size = 54 * u if columns == 1 else min(54 * u, pair / 3.9)
        paused_vi = self.t("Paused", "vi")
        cells = []
        for counter in rows:
            if columns == 1:
                cells.append(self._cell(counter.name or str(counter.number), size))
                value_w: float | None = 4.2 * size  # room for "A1234" or "Tạm dừng"
            else:
                cells.append(
                    self._cell(str(counter.number), size, MUTED, True, "right", 1.3 * size)
                )
                value_w = None
            current = counter.current
            if counter.state == "paused":
                small = 0.8 if columns == 1 else 0.5
                cells.append(self._cell(paused_vi, size * small, AMBER, False, "right", value_w))
            else:
                number = current.number if current else "—"
                cells.append(self._cell(number, size, YELLOW, True, "right", value_w))
        self._sync(grid, cells)

    def _fill_waiting(self, board: Board) -> None:
        """One row per service ("A – Đất đai …   7"); when they do not fit, two columns of
        them, and when two do not either, pages that turn every :data:`PAGE_S` seconds."""
        grid: GridLayout = self.ids.waiting_grid
        u = self.u
        services = board.waiting()
        # One column while every row gets at least 48 units (40-unit type still fits).
        single = grid.height <= 0 or len(services) * 48 * u <= grid.height
        if single:
            row_h = min(58 * u, grid.height / len(services)) if services and grid.height else 58 * u
            columns, per_page = 1, max(1, len(services))
        else:
            row_h = 50 * u
            columns, per_page = 2, 2 * max(1, int(grid.height // row_h))
        self.waiting_pages = max(1, math.ceil(len(services) / per_page))
        page = int(self.waiting_page) % self.waiting_pages
        shown = services[page * per_page : (page + 1) * per_page]
        grid.cols = 2 * columns
        grid.row_default_height = row_h
        grid.spacing = (24 * u if single else 16 * u, 0)
        size = (40 * u if len(services) <= 4 else 32 * u) if single else 30 * u
        cells = []
        for service in shown:
            cells.append(self._cell(service.name_vi or service.code, size))
            count = str(service.waiting)
            cells.append(self._cell(count, size, YELLOW, True, "right", 2.2 * size))
        self._sync(grid, cells)
