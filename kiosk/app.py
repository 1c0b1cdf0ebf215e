"""The kiosk's Kivy app: the screens, the clock-driven rules (idle, refresh, heartbeat), input."""

from __future__ import annotations

import logging
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.widget import Widget

from appliance.devices.printer import TicketPrinter, build_printer
from appliance.devices.scanner import SerialScanner, WedgeDecoder
from appliance.hublink import HubClient
from appliance.startup import Startup
from appliance.tasks import Tasks, kivy_tasks
from appliance.translations import translator
from appliance.ui.keypad import Keypad
from appliance.ui.widgets import load_kv as load_kit_kv
from kiosk.controllers.kiosk import Kiosk
from kiosk.offline import BookError, OfflineBook
from kiosk.screens.base import KioskTile, load_kv
from kiosk.screens.dossier import DossierScreen
from kiosk.screens.home import HomeScreen
from kiosk.screens.lookup import LookupScreen
from kiosk.screens.procedure import ProcedureScreen
from kiosk.screens.procedures import ProceduresScreen
from kiosk.screens.services import ServicesScreen
from kiosk.screens.ticket import TicketScreen
from kiosk.settings import KioskSettings

log = logging.getLogger(__name__)

SCREEN_CLASSES = {
    "home": HomeScreen,
    "services": ServicesScreen,
    "ticket": TicketScreen,
    "lookup": LookupScreen,
    "dossier": DossierScreen,
    "procedures": ProceduresScreen,
    "procedure": ProcedureScreen,
}
KV_CLASSES = (Keypad, KioskTile)  # imported so the .kv files can name them
OFFLINE_RETRY_S = 2.0  # while offline the hub is asked this often, so recovery is quick
DESIGN_SHORT_SIDE = 800  # the screens are drawn for 1280×800 and 800×1280; larger ones scale


def screen_scale(width: float, height: float) -> float:
    """How much larger than designed everything is drawn on a ``width``×``height`` window:
    1 up to an 800-pixel short side, then in step with it (1.35 at 1080×1920), so a large
    portrait screen is filled rather than left mostly empty."""
    return max(1.0, min(width, height) / dp(DESIGN_SHORT_SIDE))


class KioskApp(App):
    """Shows the :class:`Kiosk` controller's state and forwards what people do to it."""

    lang = StringProperty("vi")
    offline = BooleanProperty(False)
    offline_tickets = BooleanProperty(False)  # offline, yet tickets can be issued from a block
    agency = StringProperty("")
    scale = NumericProperty(1.0)  # see screen_scale; kv sizes are dp(n) * app.scale
    idle_left = NumericProperty(0)  # seconds before the idle reset, while it is near (else 0)
    ticket_left = NumericProperty(0)  # seconds before the shown ticket leaves the screen

    def __init__(
        self,
        kiosk: Kiosk,
        tasks: Tasks,
        settings: KioskSettings,
        startup: Startup | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.startup = startup  # None: the kiosk's client already holds its token
        self.kiosk = kiosk
        self.tasks = tasks
        self.settings = settings
        self.agency = kiosk.agency_name
        self.title = "Motcua kiosk"
        self._serial: SerialScanner | None = None
        self._detach_wedge: Any = None
        self._events: list[Any] = []
        self._stopped = False

    # Texts for kv: `app.tr("…", app.lang)` re-evaluates when the language changes.
    def tr(self, msgid: str, _language: str | None = None, **values: Any) -> str:
        """``msgid`` in the current language."""
        return self.kiosk.t(msgid, **values)

    def other(self, msgid: str, _language: str | None = None) -> str:
        """``msgid`` in the language not shown (the small line under big buttons)."""
        other = "en" if self.kiosk.language == "vi" else "vi"
        return self.kiosk.t(msgid, other)

    def build(self) -> Widget:
        """The start-up screen until the kiosk has its token, then the kiosk itself."""
        from appliance.ui.startup_screen import StartupGate

        self.gate = StartupGate(
            self,
            self.startup,
            self.build_kiosk,
            title=self.kiosk.t.both("Queue ticket and lookup kiosk"),
            enrol_command="motcua devices enroll-code --role kiosk",
        )
        return self.gate.root()

    def build_kiosk(self) -> ScreenManager:
        """The screens, input listeners and timers."""
        self.scale = screen_scale(*Window.size)  # before the screens are made at that size
        load_kit_kv()
        screens_dir = Path(__file__).parent / "screens"
        load_kv(str(screens_dir / "base.py"))
        for name in SCREEN_CLASSES:
            load_kv(str(screens_dir / f"{name}.py"))
        manager = ScreenManager(transition=NoTransition())
        for cls in SCREEN_CLASSES.values():
            manager.add_widget(cls(kiosk=self.kiosk))
        self.manager = manager
        self.idle_banner = Factory.IdleBanner()
        self.idle_banner.bind(height=lambda banner, _h: setattr(banner, "top", Window.height))
        Window.add_widget(self.idle_banner)  # over every screen, along the top
        kiosk = self.kiosk
        self._dirty: set[str] = set()
        self._render_soon = Clock.create_trigger(lambda _dt: self.render(), 0)
        parts = {
            "kiosk": kiosk,
            "services": kiosk.services,
            "tickets": kiosk.tickets,
            "lookup": kiosk.lookup,
            "procedures": kiosk.procedures,
        }
        if kiosk.offline is not None:
            parts["offline"] = kiosk.offline  # blocks arrived: offline tickets become possible
        for name, part in parts.items():
            part.subscribe(lambda name=name: self._changed(name))
        Window.bind(on_touch_down=self._touched, on_key_down=self._key, size=self._resized)
        self._resized(Window, Window.size)
        self._start_scanner()
        self._events = [
            Clock.schedule_interval(lambda _dt: self._tick(), 1.0),
            Clock.schedule_interval(lambda _dt: kiosk.tickets.check_printer(), 30.0),
            Clock.schedule_interval(lambda _dt: self._keep_fresh(), 1.0),
            Clock.schedule_interval(lambda _dt: kiosk.health.beat(), self.settings.heartbeat_s),
        ]
        self._last_refresh = time.monotonic()
        kiosk.services.start()  # waiting counts follow the hub's events live from here
        kiosk.health.beat()
        kiosk.tickets.check_printer()  # the home screen says at once if tickets cannot print
        self.render()
        return manager

    def _resized(self, _window: Any, size: tuple[int, int]) -> None:
        self.idle_banner.width = size[0]
        self.idle_banner.top = size[1]
        scale = screen_scale(*size)
        if scale != self.scale:
            self.scale = scale
            self._changed("kiosk")  # widgets made in Python are sized when they are made

    def _tick(self) -> None:
        """Every second: the idle rule, and the countdowns it shows."""
        self.kiosk.tick()
        self.idle_left = self.kiosk.idle_warning
        self.ticket_left = self.kiosk.ticket_left or 0

    def _changed(self, part: str) -> None:
        self._dirty.add(part)
        self._render_soon()

    def render(self) -> None:
        """Show the controller's screen and language; refresh the screen if what it shows changed.

        A screen is rebuilt only when a part it watches changed (or it just came up, or the
        language changed): the periodic service refresh must not rebuild a dossier being read
        or a list under a finger.
        """
        if self._stopped:
            return  # a change that came in while the app stopped: nothing to show it on
        kiosk = self.kiosk
        dirty, self._dirty = self._dirty, set()
        self.lang = kiosk.language
        self.offline = kiosk.services.online is False
        self.offline_tickets = self.offline and kiosk.issues_offline
        self.ticket_left = kiosk.ticket_left or 0
        self.idle_left = kiosk.idle_warning
        name = kiosk.visible_screen
        screen = self.manager.get_screen(name)
        if self.manager.current != name:
            self.manager.current = name
            dirty.add("kiosk")
        if "kiosk" in dirty or dirty & set(screen.watches):
            screen.refresh()

    def _keep_fresh(self) -> None:
        """Services refresh every ``refresh_s``; while offline, every few seconds."""
        services = self.kiosk.services
        every = OFFLINE_RETRY_S if services.online is False else self.settings.refresh_s
        if time.monotonic() - self._last_refresh >= every:
            self._last_refresh = time.monotonic()
            services.refresh()

    def _touched(self, _window: Any, _touch: Any) -> bool:
        self.kiosk.idle.touch()
        self.idle_left = 0
        return False  # the touch goes on to the widgets

    def _key(self, _window: Any, *_args: Any) -> bool:
        self.kiosk.idle.touch()
        self.idle_left = 0
        return False

    def _start_scanner(self) -> None:
        scanner = self.settings.scanner
        if scanner.kind == "wedge":
            wedge = WedgeDecoder(self.kiosk.scanned, scanner.max_gap_s)
            self._detach_wedge = wedge.attach(Window)
        elif scanner.kind == "serial":
            self._serial = SerialScanner(
                scanner.serial_device,
                lambda text: self.tasks.call_soon(lambda: self.kiosk.scanned(text)),
                scanner.serial_baudrate,
            )
            self._serial.start()

    def on_stop(self) -> None:
        """Stop timers, listeners and background work."""
        self._stopped = True
        self.gate.stop()
        if not self.gate.built:  # closed while still starting up
            self.tasks.shutdown()
            self.kiosk.close()
            return
        for event in self._events:
            event.cancel()
        Window.unbind(on_touch_down=self._touched, on_key_down=self._key, size=self._resized)
        Window.remove_widget(self.idle_banner)
        if self._detach_wedge is not None:
            self._detach_wedge()
        if self._serial is not None:
            self._serial.stop()
        self.tasks.shutdown()
        self.kiosk.close()


def _version() -> str:
    try:
        return metadata.version("motcua")
    except metadata.PackageNotFoundError:
        return ""


def build_app(
    settings: KioskSettings,
    token: str | None = None,
    *,
    startup: Startup | None = None,
    printer: TicketPrinter | None = None,
    tasks: Tasks | None = None,
) -> KioskApp:
    """The kiosk app for ``settings`` (tests pass their own printer; default: from config).

    Give it either the ``token`` or the ``startup`` that gets one (its client is the kiosk's).
    """
    tasks = tasks or kivy_tasks()
    if startup is not None:
        client = startup.client
    else:
        client = HubClient(settings.hub_url, token, settings.request_timeout_s)
    if printer is None:
        printer = build_printer(settings.printer)
    texts = translator("kiosk", settings.language)
    book = None
    if settings.offline_file:
        try:
            book = OfflineBook(Path(settings.offline_file))
        except BookError as exc:
            # Starting a new book could give a number twice: no offline tickets until it is
            # looked at (the kiosk still issues through the hub).
            log.error("%s; this kiosk will issue no tickets offline", exc)
    kiosk = Kiosk(
        client,
        tasks,
        printer,
        texts,
        settings.agency_name,
        settings.idle_timeout_s,
        _version(),
        book,
    )
    return KioskApp(kiosk, tasks, settings, startup)
