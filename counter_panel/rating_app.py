"""The second screen's Kivy app: an idle card facing the citizen, the rating after service."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.widget import Widget

from appliance.hublink import HubClient
from appliance.startup import Startup
from appliance.tasks import Tasks
from appliance.translations import translator
from appliance.ui.widgets import load_kv
from counter_panel.rating_station import RatingStation
from counter_panel.settings import CounterSettings

THANKS_S = 3.0


class RatingScreenApp(App):
    """Runs :class:`RatingStation` on a screen facing the citizen."""

    def __init__(
        self,
        settings: CounterSettings,
        client: HubClient,
        *,
        startup: Startup | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.startup = startup  # None: the client already holds the token
        self.title = "Motcua — Đánh giá / Rating"
        self.settings = settings
        self.client = client
        self.t = translator("counter_panel", settings.language)
        self.controller: RatingStation | None = None

    def vi(self, msgid: str, **values: Any) -> str:
        """Vietnamese text for ``msgid``."""
        return self.t(msgid, "vi", **values)

    def en(self, msgid: str, **values: Any) -> str:
        """English text for ``msgid``."""
        return self.t(msgid, "en", **values)

    def build(self) -> Widget:
        """The start-up screen until the station has its token, then the station."""
        from appliance.ui.startup_screen import StartupGate

        counter = self.settings.counter
        self.gate = StartupGate(
            self,
            self.startup,
            self.build_station,
            title=self.t.both("Counter {number}", number=counter),
            enrol_command=f"motcua devices enroll-code --role counter --counter {counter}",
        )
        return self.gate.root()

    def build_station(self) -> ScreenManager:
        """The idle card and the rating screen over one station controller."""
        load_kv()
        from counter_panel.screens.rating import RatingScreen
        from counter_panel.screens.station import StationScreen

        self.tasks = Tasks(lambda fn: Clock.schedule_once(lambda _dt: fn(), -1))
        self.controller = RatingStation(
            self.client,
            self.settings.counter,
            self.tasks,
            timeout_s=self.settings.rating_timeout_s,
        )
        self.controller.subscribe(self.sync)
        self.screens = {
            "idle": StationScreen(name="idle", app=self),
            "rating": RatingScreen(name="rating", app=self),
        }
        manager = ScreenManager(transition=NoTransition())
        for screen in self.screens.values():
            manager.add_widget(screen)
        self.manager = manager
        self._ticker = Clock.schedule_interval(lambda _dt: self._tick(), 1.0)
        self.controller.start()
        self.sync()
        return manager

    def _tick(self) -> None:
        assert self.controller is not None
        self.controller.tick()
        self.sync()

    def sync(self) -> None:
        """Show the question, the thanks, or the idle card."""
        c = self.controller
        assert c is not None
        thanking = c.rated_at is not None and c.clock() - c.rated_at < THANKS_S
        wanted = "rating" if c.rating_ticket is not None or thanking else "idle"
        if self.manager.current != wanted:
            self.manager.current = wanted
        self.screens[wanted].sync(c)

    def on_stop(self) -> None:
        """Stop the stream and the workers."""
        self.gate.stop()
        if not self.gate.built:
            return  # closed while still starting up
        self._ticker.cancel()
        if self.controller is not None:
            self.controller.stop()
        self.tasks.shutdown()
