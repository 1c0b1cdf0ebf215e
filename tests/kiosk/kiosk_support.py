"""Helpers for the kiosk's tests: controllers wired to a real hub process, run inline."""

from __future__ import annotations

from appliance.devices.printer import SimulatedPrinter
from appliance.hublink import HubClient
from appliance.i18n import Translator
from appliance.tasks import InlineTasks
from hub.testing import HubProcess
from kiosk.controllers.kiosk import Kiosk

AGENCY = "UBND huyện Chư Păh"


def make_kiosk(
    hub: HubProcess, printer: SimulatedPrinter | None, token: str | None = None
) -> Kiosk:
    """A kiosk controller talking to ``hub`` with the kiosk device token (no threads)."""
    client = HubClient(hub.url, token or hub.kiosk_token, timeout=3.0)
    return Kiosk(client, InlineTasks(), printer, Translator(["kiosk"]), AGENCY, 60.0, "test")
