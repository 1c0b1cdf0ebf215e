"""The device heartbeat: this kiosk's printer status, sent to the hub every so often."""

from __future__ import annotations

import logging
from typing import Any

from appliance.devices.printer import PrinterStatus, TicketPrinter
from appliance.hublink import HubClient, new_idempotency_key
from appliance.tasks import Tasks
from kiosk.controllers.services import Services

log = logging.getLogger(__name__)


class Health:
    """Checks the printer and posts ``/api/v1/devices/heartbeat`` with what it found."""

    def __init__(
        self,
        client: HubClient,
        tasks: Tasks,
        services: Services,
        printer: TicketPrinter | None,
        version: str = "",
    ) -> None:
        self._client = client
        self._tasks = tasks
        self._services = services
        self._printer = printer
        self._version = version
        self.last_status: dict[str, Any] | None = None
        self.sent = 0

    def collect(self) -> dict[str, Any]:
        """What the heartbeat says (blocking: asks the printer)."""
        printer: dict[str, Any] = {"kind": "none"}
        if self._printer is not None:
            status: PrinterStatus = self._printer.status()
            printer = {"kind": type(self._printer).__name__, **status.as_dict()}
        return {"app": "kiosk", "version": self._version, "printer": printer}

    def beat(self) -> None:
        """Check the printer and tell the hub, in the background."""

        def work() -> dict[str, Any]:
            status = self.collect()
            self._client.post(
                "/api/v1/devices/heartbeat",
                {"status": status},
                idempotency_key=new_idempotency_key(),
            )
            return status

        def done(status: dict[str, Any]) -> None:
            self.last_status, self.sent = status, self.sent + 1
            self._services.saw(None)

        def failed(exc: Exception) -> None:
            self._services.saw(exc)
            log.info("heartbeat not sent: %s", exc)

        self._tasks.run(work, done, failed)
