"""What the console's dashboard warns about, from the devices' heartbeats.

A kiosk sends ``{"app": "kiosk", "version": …, "printer": {"online": …, "paper": …}}`` every
half minute or so (``devices.status``); a printer out of paper or off line, or a device silent
for longer than :data:`SILENT_AFTER_S`, is an alert. Pure functions: tested without a hub.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SILENT_AFTER_S = 5 * 60  # ten missed kiosk heartbeats: switched off, unplugged or frozen


@dataclass(frozen=True)
class Alert:
    """One thing staff should look at: ``danger`` (act now) or ``warning``; a msgid and values."""

    level: str
    msgid: str
    values: dict[str, Any]


def status_of(device: dict[str, Any]) -> dict[str, Any]:
    """The device's last heartbeat status as a dict (empty when none or unreadable)."""
    raw = device.get("status")
    if not raw:
        return {}
    try:
        found = json.loads(raw)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def printer_of(device: dict[str, Any]) -> dict[str, Any] | None:
    """The printer part of a kiosk's status, if it reported one."""
    printer = status_of(device).get("printer")
    if not isinstance(printer, dict) or printer.get("kind") == "none":
        return None
    return printer


def device_alerts(devices: list[dict[str, Any]], now: float) -> list[Alert]:
    """Alerts for active devices: printers first (a citizen is waiting for paper), then silence."""
    printers: list[Alert] = []
    silent: list[Alert] = []
    for d in devices:
        if d.get("revoked"):
            continue
        name = d["name"]
        printer = printer_of(d)
        if printer is not None:
            if printer.get("paper") == "out":
                printers.append(
                    Alert("danger", "Printer at {device} is out of paper", {"device": name})
                )
            elif printer.get("online") is False:
                printers.append(
                    Alert("danger", "Printer at {device} is off line", {"device": name})
                )
            elif printer.get("paper") == "low":
                printers.append(
                    Alert("warning", "Printer at {device} is low on paper", {"device": name})
                )
        seen = d.get("last_seen_at")
        if seen is not None and now - seen > SILENT_AFTER_S:
            minutes = int((now - seen) // 60)
            silent.append(
                Alert("warning", "{device} not seen for {m} min", {"device": name, "m": minutes})
            )
    return printers + silent


BACKUP_STALE_S = 26 * 3600  # the nightly backup, plus two hours' grace
DISK_LOW = 0.10  # less than a tenth of the disk free


def system_alerts(
    newest_backup: float | None, disk: tuple[int, int] | None, now: float
) -> list[Alert]:
    """The hub's own trouble: the nightly backup not written (once there is one to compare
    with), and the disk nearly full (``disk`` is free and total bytes)."""
    found = []
    if disk is not None and disk[1] > 0 and disk[0] / disk[1] < DISK_LOW:
        found.append(Alert("danger", "The hub's disk is nearly full ({pct}% free)",
                           {"pct": round(100 * disk[0] / disk[1])}))  # fmt: skip
    if newest_backup is not None and now - newest_backup > BACKUP_STALE_S:
        hours = int((now - newest_backup) // 3600)
        found.append(Alert("warning", "The last backup is {h} hours old", {"h": hours}))
    return found


def upstream_alerts(status: dict[str, Any] | None, stale_after_s: float, now: float) -> list[Alert]:
    """The agency's back end: failing now (after a few tries in a row), or its data gone stale.
    ``status`` is the sync worker's (None when no back end is configured); ``now`` wall time."""
    if status is None:
        return []
    if status["failures"] >= 3:
        error = str(status.get("last_error") or "")[:120]
        return [Alert("danger", "The back end cannot be reached: {error}", {"error": error})]
    last = status.get("last_success")
    if last is not None and now - last > stale_after_s:
        minutes = int((now - last) // 60)
        return [Alert("warning", "The back end's data is {m} min old", {"m": minutes})]
    return []
