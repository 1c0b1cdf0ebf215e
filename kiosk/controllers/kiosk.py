"""The whole kiosk's state: its controllers, which screen shows, the language, going home."""

from __future__ import annotations

from typing import Any

from appliance.devices.printer import TicketPrinter
from appliance.hublink import HubClient
from appliance.live import LiveOffice
from appliance.records import Service
from appliance.tasks import Tasks
from kiosk.controllers.base import Observable
from kiosk.controllers.health import Health
from kiosk.controllers.idle import IdleTimer
from kiosk.controllers.lookup import Lookup
from kiosk.controllers.offline import OfflineSync
from kiosk.controllers.procedures import Procedures
from kiosk.controllers.services import TOPICS, Services
from kiosk.controllers.tickets import Tickets
from kiosk.offline import OfflineBook
from kiosk.ticket_layout import ticket_job
from motcua.i18n import Translator

SCREENS = ("home", "services", "ticket", "lookup", "dossier", "procedures", "procedure")


class Kiosk(Observable):
    """Owns one controller per activity and the navigation between the screens.

    ``screen`` names what is shown (one of :data:`SCREENS`); screens follow it. Going home resets
    every controller, so what one citizen typed is gone before the next one comes.
    """

    def __init__(
        self,
        client: HubClient,
        tasks: Tasks,
        printer: TicketPrinter | None,
        translator: Translator,
        agency_name: str,
        idle_timeout_s: float = 60.0,
        version: str = "",
        offline_book: OfflineBook | None = None,
    ) -> None:
        """``offline_book``: this kiosk's offline numbers (None: it issues none offline)."""
        super().__init__()
        self.client = client
        self.t = translator
        self.agency_name = agency_name
        self.printer = printer
        self.live = LiveOffice(client, tasks, topics=TOPICS)
        self.services = Services(self.live)
        # Laid out for this printer: its dot width, its own font and QR where it has them.
        capabilities = (printer or TicketPrinter()).capabilities
        self.tickets = Tickets(
            client,
            tasks,
            self.services,
            printer,
            lambda ticket: ticket_job(ticket, agency_name, translator, capabilities),
            offline_book,
            self.live.hub_now,
        )
        self.offline: OfflineSync | None = None
        if offline_book is not None:
            self.offline = OfflineSync(
                client, tasks, offline_book, self.live.hub_now, self.services.saw
            )
            self.services.fallback = self._offline_services
        self.lookup = Lookup(client, tasks, self.services)
        self.procedures = Procedures(client, tasks, self.services)
        self.health = Health(client, tasks, self.services, printer, version)
        self.idle = IdleTimer(idle_timeout_s)
        self.screen = "home"
        self._reported_failure: int | None = None
        self.tickets.subscribe(self._print_watch)
        self._was_online = self.services.online
        self.services.subscribe(self._online_watch)

    def _online_watch(self) -> None:
        """Back online: what failed for want of the hub is asked again, without a tap."""
        online = self.services.online
        came_back = online is True and self._was_online is False
        self._was_online = online
        if came_back and self.procedures.error == "offline":
            self.procedures.retry()
        if online and self.offline is not None:
            self.offline.sync()  # what was issued offline goes in; today's blocks come

    def _print_watch(self) -> None:
        """A print failure goes to the hub's device status at once, not at the next heartbeat."""
        ticket = self.tickets.ticket
        failed = self.tickets.print_state == "failed" and ticket is not None
        if failed and self._reported_failure != ticket.id:
            self._reported_failure = ticket.id
            self.health.beat()

    def offline_left(self, service: str) -> int:
        """How many tickets of ``service`` this kiosk may still issue without the hub."""
        if self.offline is None:
            return 0
        return self.offline.book.left(service, self.live.hub_now())

    @property
    def issues_offline(self) -> bool:
        """Whether this kiosk can still issue some ticket without the hub."""
        return bool(self._offline_services())

    def _offline_services(self) -> list[Service]:
        if self.offline is None:
            return []
        held = self.offline.book.services(self.live.hub_now())
        return [Service(code, vi, en, state="open") for code, vi, en in held]

    @property
    def visible_screen(self) -> str:
        """The screen to show: the ticket screen takes over once a ticket is asked for."""
        if self.screen == "services" and self.tickets.stage != "choose":
            return "ticket"
        return self.screen

    @property
    def language(self) -> str:
        """The language shown ("vi" or "en")."""
        return self.t.language

    def set_language(self, language: str) -> None:
        """Switch the language of every screen."""
        self.t.set_language(language)
        self.changed()

    def toggle_language(self) -> None:
        """Vietnamese <-> English."""
        self.set_language("en" if self.t.language == "vi" else "vi")

    def text(self, msgid: str, **values: Any) -> str:
        """``msgid`` in the current language."""
        return self.t(msgid, **values)

    def go(self, screen: str) -> None:
        """Show ``screen``, preparing what it needs from the hub."""
        if screen not in SCREENS:
            raise ValueError(f"unknown screen {screen!r}")
        self.screen = screen
        if screen == "services":
            self.tickets.reset()
            self.services.refresh()
            self.tickets.check_printer()
        elif screen == "lookup":
            self.lookup.reset()
        elif screen == "procedures" and not self.procedures.fields:
            self.procedures.load_fields()
        self.changed()

    def edit_code(self) -> None:
        """From a lookup's answer back to the keypad, the code kept for correcting."""
        self.lookup.edit()
        self.screen = "lookup"
        self.changed()

    def open_procedure(self, code: str) -> None:
        """Show one procedure's detail (fetched in the background)."""
        self.procedures.open(code)
        self.screen = "procedure"
        self.changed()

    def close_procedure(self) -> None:
        """From a procedure's detail back to the list it came from."""
        self.procedures.back()
        self.screen = "procedures"
        self.changed()

    def go_home(self) -> None:
        """Home, forgetting everything typed or shown (and Vietnamese again)."""
        self.tickets.reset()
        self.lookup.reset()
        self.procedures.reset()
        self.t.set_language("vi")
        self.screen = "home"
        self.idle.touch()
        self.changed()

    def tick(self) -> None:
        """Called every second or so by the app: the idle rule."""
        left_alone = self.screen != "home" or self.t.language != "vi"
        if left_alone and self.idle.expired():
            self.go_home()
        if self.services.online and self.offline is not None:
            self.offline.sync()  # a new day's blocks, or a round that waited

    def close(self) -> None:
        """Stop following the hub and let go of its connections (when the app stops)."""
        self.live.stop()
        self.client.close()

    def scanned(self, text: str) -> None:
        """A scanner read something: it is a dossier code, whatever screen is showing."""
        self.idle.touch()
        self.screen = "dossier"
        self.lookup.scan(text)
        self.changed()
