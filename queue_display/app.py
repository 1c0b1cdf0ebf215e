"""The Kivy app: builds the board screen, the controller and the announcer from settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.uix.widget import Widget

from appliance.devices.speaker import Speaker
from appliance.hublink import HubClient
from appliance.live import LiveOffice
from appliance.startup import Startup
from appliance.tasks import kivy_tasks
from appliance.translations import translator
from appliance.ui.widgets import load_kv as load_kit_kv
from queue_display.announcer import Announcer
from queue_display.board import Board, Zone
from queue_display.controller import DisplayController
from queue_display.screens.board_screen import BoardScreen, load_kv
from queue_display.settings import DisplaySettings
from queue_display.sound import build_announcer, default_speaker

log = logging.getLogger(__name__)


class DisplayApp(App):
    """The waiting-room display."""

    title = "Motcua – màn hình phòng chờ"

    def __init__(
        self,
        settings: DisplaySettings,
        client: HubClient,
        *,
        speaker_factory: Callable[[DisplaySettings], Speaker] | None = None,
        startup: Startup | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)
        self.startup = startup  # None: the client is ready as given
        self.settings = settings
        self.client = client
        self._speaker_factory = speaker_factory or default_speaker
        self.controller: DisplayController | None = None
        self._beats: list[Any] = []
        self.screen: BoardScreen | None = None
        self.announcer: Announcer | None = None

    def build(self) -> Widget:
        """The start-up screen until the display has its token, then the board."""
        from appliance.ui.startup_screen import StartupGate

        self.gate = StartupGate(
            self,
            self.startup,
            self.build_board,
            title=translator("queue_display").both("Waiting-room display"),
            enrol_command="motcua devices enroll-code --role display",
        )
        return self.gate.root()

    def build_board(self) -> BoardScreen:
        """Screen first (it shows "connecting" at once), then the controller in the background."""
        load_kit_kv()
        load_kv()
        s = self.settings
        texts = translator("queue_display", language=s.language)
        self.screen = BoardScreen(texts, s.agency_name)

        def later(delay: float, fn: Callable[[], None]) -> None:
            Clock.schedule_once(lambda _dt: fn(), delay)  # a failed reload, tried again

        live = LiveOffice(self.client, kivy_tasks(2), later=later)
        board = Board(
            live.office,
            Zone.of(s.counters, s.services),
            recent_size=s.recent_calls,
            highlight_s=s.highlight_s,
            stale_after_s=s.stale_after_s,
        )
        self.announcer = build_announcer(s, self._speaker_factory(s))
        self.announcer.start()
        self.controller = DisplayController(live, board, self.announcer)
        redraw = Clock.create_trigger(lambda _dt: self._redraw(), -1)  # once, in this frame
        live.subscribe(lambda _update: redraw())
        self.screen.show(board, offline=True, connecting=True)
        self.controller.start()
        status = {"speaker": s.speaker, "voice": "clip pack" if s.clip_pack else "espeak-ng"}
        beat = self.controller.heartbeat
        self._beats = [  # cancelled in on_stop: Kivy's clock outlives the app
            Clock.schedule_once(lambda _dt: beat(status), 2),
            Clock.schedule_interval(lambda _dt: beat(status), s.heartbeat_s),
        ]
        return self.screen

    def _redraw(self) -> None:
        if self.screen is not None and self.controller is not None:
            controller = self.controller
            self.screen.clock_offset = controller.live.clock_offset
            self.screen.show(
                controller.board, offline=not controller.online, connecting=not controller.loaded
            )

    def on_stop(self) -> None:
        """Stop following the hub and release the speaker."""
        self.gate.stop()
        for event in self._beats:
            event.cancel()
        if self.controller is not None:
            self.controller.stop()
