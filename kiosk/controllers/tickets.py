"""Taking a ticket: choose a service (priority after a confirmation), issue, print, reprint once.

The hub commits the ticket first; printing comes after, so a printer failure never loses a
number: the ticket and its QR stay on screen and the hub is told (``POST /tickets/{id}/print``).
When the hub cannot be reached, the next number of the kiosk's block for that service is issued
instead (recorded on disk first, see :mod:`kiosk.offline`) and printed marked offline; it reaches
the hub's queue once the hub answers again (:mod:`kiosk.controllers.offline`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from appliance.devices.escpos_job import Job
from appliance.devices.printer import PrinterError, PrinterStatus, TicketPrinter
from appliance.hublink import HubClient, new_idempotency_key
from appliance.records import Ticket
from appliance.tasks import Tasks
from kiosk.controllers.base import Observable, error_code
from kiosk.controllers.services import Services
from kiosk.offline import BookError, OfflineBook

log = logging.getLogger(__name__)

# Who may take a priority ticket (ưu tiên), as the reception's rules list them.
PRIORITY_REASONS = ("elderly", "disabled", "pregnant", "small_child", "merit")

Renderer = Callable[[Ticket], Job]  # laid out for this kiosk's printer


class Tickets(Observable):
    """State of the ticket screens.

    ``stage``: ``choose`` (the list of services), ``issuing``, ``issued`` (a ticket to show), or
    ``failed`` (the hub refused or could not be reached; ``error`` holds the API code).
    ``print_state``: ``idle``, ``printing``, ``printed``, ``failed`` (``print_detail`` says why)
    or ``none`` (this kiosk has no printer).
    """

    def __init__(
        self,
        client: HubClient,
        tasks: Tasks,
        services: Services,
        printer: TicketPrinter | None,
        render: Renderer,
        book: OfflineBook | None = None,
        hub_now: Callable[[], float] | None = None,
    ) -> None:
        """``book``: where offline numbers come from (None: this kiosk issues none);
        ``hub_now``: the hub's time, which offline tickets are stamped with."""
        super().__init__()
        self._client = client
        self._tasks = tasks
        self._services = services
        self._printer = printer
        self._render = render
        self._book = book
        self._hub_now = hub_now or time.time
        self.printer_status: PrinterStatus | None = None
        self.reset()

    def reset(self) -> None:
        """Back to the list, forgetting any priority choice and the last ticket."""
        self.stage = "choose"
        self.priority = False
        self.priority_reason: str | None = None
        self.confirming_priority = False
        self.ticket: Ticket | None = None
        self.service_code: str | None = None
        self.error: str | None = None
        self.print_state = "idle"
        self.print_detail = ""
        self.reprints_left = 1
        self.last_job: Path | None = None
        self._key: str | None = None
        self.changed()

    # Priority: a tap asks, a reason confirms, cancel leaves the ticket ordinary.
    def ask_priority(self) -> None:
        """Show the priority confirmation (or turn priority off if it is on)."""
        if self.priority:
            self.priority, self.priority_reason = False, None
        else:
            self.confirming_priority = True
        self.changed()

    def confirm_priority(self, reason: str) -> None:
        """The citizen confirmed they qualify, naming why."""
        if reason not in PRIORITY_REASONS:
            raise ValueError(f"unknown priority reason {reason!r}")
        self.priority, self.priority_reason = True, reason
        self.confirming_priority = False
        self.changed()

    def cancel_priority(self) -> None:
        """Close the confirmation without priority."""
        self.confirming_priority = False
        self.priority, self.priority_reason = False, None
        self.changed()

    def check_printer(self) -> None:
        """Ask the printer for paper and online status in the background."""
        if self._printer is None:
            return
        printer = self._printer
        self._tasks.run(printer.status, self._printer_checked, lambda exc: None)

    def _printer_checked(self, status: PrinterStatus) -> None:
        self.printer_status = status
        self.changed()

    @property
    def can_print(self) -> bool:
        """False when there is no printer or it is known to be out of paper or off line."""
        status = self.printer_status
        return self._printer is not None and (status is None or status.can_print)

    def issue(self, service_code: str) -> None:
        """Ask the hub for a ticket of ``service_code``; a repeat of the same action is harmless."""
        if self.stage not in ("choose", "failed"):
            return  # a double tap: the first one is being issued, or already was
        service = self._services.find(service_code)
        if service is not None and service.state != "open":
            self.stage, self.error = "failed", f"service_{service.state or None}"
            self.changed()
            return
        if self._key is None or self.service_code != service_code:
            self._key = new_idempotency_key()
        self.service_code = service_code
        self.stage, self.error = "issuing", None
        self.changed()
        body = {
            "service": service_code,
            "priority": self.priority,
            "priority_reason": self.priority_reason,
        }
        key = self._key
        self._tasks.run(
            lambda: Ticket.from_wire(
                self._client.post("/api/v1/tickets", body, idempotency_key=key)
            ),
            self._issued,
            self._issue_failed,
        )

    def retry(self) -> None:
        """Try the same ticket again (same idempotency key: never two numbers for one tap)."""
        if self.stage == "failed" and self.service_code:
            self.stage = "choose"
            self.issue(self.service_code)

    def _issued(self, ticket: Ticket) -> None:
        self._services.saw(None)
        self.ticket, self.stage = ticket, "issued"
        self._key = None
        self.changed()
        self._services.refresh()  # the waiting counts just changed
        self._print()

    def _issue_failed(self, exc: Exception) -> None:
        self._services.saw(exc)
        if error_code(exc) == "offline" and self._issue_offline():
            return
        self.stage, self.error = "failed", error_code(exc)
        log.info("ticket not issued: %s", exc)
        self.changed()

    def _issue_offline(self) -> bool:
        """The hub cannot be reached: issue the next number of this kiosk's block, if any."""
        book, code = self._book, self.service_code
        if book is None or code is None:
            return False
        try:
            entry = book.take(code, self._hub_now(), self.priority, self.priority_reason)
        except (BookError, OSError) as exc:  # a number not kept on disk must not be printed
            log.error("no offline ticket: %s", exc)
            return False
        if entry is None:
            return False
        log.warning("hub unreachable: ticket %s issued offline", entry["number"])
        self.ticket = Ticket(
            id=0, number=entry["number"], service=code, state="waiting",
            service_name_vi=entry["name_vi"], service_name_en=entry["name_en"],
            priority=entry["priority"], priority_reason=entry["priority_reason"],
            issued_at=book.issued_at(entry), day=entry["day"], token=entry["token"],
            status_url=entry["status_url"], offline=True,
        )  # fmt: skip
        self.stage, self._key = "issued", None
        self.changed()
        self._print()
        return True

    def _print(self) -> None:
        if self._printer is None:
            self.print_state, self.print_detail = "none", ""
            self.changed()
            return
        ticket, printer = self.ticket, self._printer
        assert ticket is not None
        self.print_state, self.print_detail = "printing", ""
        self.changed()

        def job() -> Path | None:
            return printer.print_job(self._render(ticket), ticket.number)

        self._tasks.run(job, self._printed, self._print_failed)

    def _printed(self, path: Path | None) -> None:
        self.print_state, self.last_job = "printed", path
        self.printer_status = None  # it printed: whatever was wrong before is over
        self._report(True, "")
        self.changed()

    def _print_failed(self, exc: Exception) -> None:
        detail = str(exc) if isinstance(exc, PrinterError) else f"printing failed: {exc}"
        self.print_state, self.print_detail = "failed", detail
        self._report(False, detail)
        self.check_printer()
        self.changed()

    def reprint(self) -> None:
        """Print the same ticket once more (a jam, a torn ticket); only once per ticket."""
        if self.ticket is None or self.reprints_left <= 0 or self.print_state == "printing":
            return
        self.reprints_left -= 1
        self._print()

    def _report(self, ok: bool, detail: str) -> None:
        """Tell the hub how printing went; the hub keeps print failures for the technician."""
        ticket = self.ticket
        if ticket is None or ticket.offline:  # the hub does not know it yet
            return
        path = f"/api/v1/tickets/{ticket.id}/print"
        body = {"ok": ok, "detail": detail}
        key = new_idempotency_key()
        self._tasks.run(
            lambda: self._client.post(path, body, idempotency_key=key),
            lambda _answer: None,
            lambda exc: log.warning("could not report printing of %s: %s", ticket.number, exc),
        )
