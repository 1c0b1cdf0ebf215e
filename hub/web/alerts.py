"""What the console's dashboard warns about, from the devices' heartbeats.

A kiosk sends ``{"app": "kiosk", "version": …, "printer": {"online": …, "paper": …}}`` every
half minute or so (``devices.status``); a printer out of paper or off line, or a device silent
for longer than :data:`SILENT_AFTER_S`, is an alert. Pure functions: tested without a hub.

:class:`AlertWatch` sends the same alerts to the appliances: an ``alert.changed`` event (topic
``alert``) with the list of active alerts whenever that list changes, and the list in
``GET /api/v1/state``, so a counter panel started late sees them too (hub/API.md).
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from motcua.i18n import N_

if TYPE_CHECKING:
    from flask import Flask

    from hub.queue.writer import Tx
    from motcua.i18n import Translator

log = logging.getLogger(__name__)

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


# --- the alert event: the active alerts for appliances (the counter panels show them) ------

ALERT_EVENT = "alert.changed"
WATCH_S = 30.0  # how often the hub looks again without a heartbeat (silence, backups, disk)

# The console's texts carry figures that change every minute ("not seen for 7 min"); the event
# carries a text per alert that stays true while the alert lasts, so it is published when the
# set of alerts changes, not every minute. The back end's error is left out: it is the
# console's to show (a failed lookup's message could name what was looked up).
EVENT_TEXTS = {
    "Printer at {device} is out of paper": ("printer_paper_out", None),
    "Printer at {device} is off line": ("printer_offline", None),
    "Printer at {device} is low on paper": ("printer_paper_low", None),
    "{device} not seen for {m} min": ("device_silent", N_("{device} is not answering")),
    "The hub's disk is nearly full ({pct}% free)": (
        "disk_full", N_("The hub's disk is nearly full")),
    "The last backup is {h} hours old": (
        "backup_failed", N_("The nightly backup was not written")),
    "The back end cannot be reached: {error}": (
        "upstream_unreachable", N_("The back end cannot be reached")),
    "The back end's data is {m} min old": (
        "upstream_stale", N_("The back end's data is out of date")),
}  # fmt: skip


def alert_view(alert: Alert, translator: Translator) -> dict[str, Any]:
    """An alert as the API sends it: a stable ``code``, ``level``, the ``device`` it is about
    (its name, or None) and the text in both languages."""
    code, msgid = EVENT_TEXTS[alert.msgid]
    device = alert.values.get("device")
    vi, en = translator.both(msgid or alert.msgid, device=device)
    return {"code": code, "level": alert.level, "device": device, "text_vi": vi, "text_en": en}


def gather(app: Flask, now: float) -> list[Alert]:
    """Every alert the console would show now (``now`` on the hub's clock)."""
    from hub.auth import accounts
    from hub.web.console_backups import backups

    settings = app.config["MOTCUA"]
    with app.extensions["motcua.store"].borrow() as conn:
        devices = accounts.list_devices(conn)
    newest = next(iter(backups(Path(settings.backup_dir))), None)
    try:
        last_backup = newest.stat().st_mtime if newest is not None else None
    except OSError:
        last_backup = None
    try:
        usage = shutil.disk_usage(Path(settings.db_path).parent)
        disk: tuple[int, int] | None = (usage.free, usage.total)
    except OSError:
        disk = None
    worker = app.extensions.get("motcua.dossiers", {}).get("sync")
    upstream = upstream_alerts(
        worker.status() if worker else None, settings.upstream.stale_after_s, time.time()
    )  # the sync worker keeps wall-clock times, whatever clock the queue runs on
    return system_alerts(last_backup, disk, now) + upstream + device_alerts(devices, now)


class AlertWatch:
    """Publishes ``alert.changed`` with the active alerts whenever their set changes: after
    each heartbeat (a printer ran out of paper), every :data:`WATCH_S` on its own thread, and
    before a state snapshot is taken (so the snapshot and the stream agree)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._published: list[dict[str, Any]] | None = None  # None: not read from the log yet
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def current(self) -> list[dict[str, Any]]:
        """The active alerts now, as the API sends them."""
        now = self.app.extensions["motcua.clock"].now()
        translator = self.app.extensions["motcua.translator"]
        return [alert_view(a, translator) for a in gather(self.app, now)]

    def check(self) -> list[dict[str, Any]]:
        """The active alerts; an ``alert.changed`` event is committed first if they changed."""
        found = self.current()
        with self._lock:
            if self._published is None:
                self._published = self._last_published()
            if _keys(found) != _keys(self._published):

                def op(tx: Tx) -> None:
                    tx.emit(ALERT_EVENT, {"alerts": found})

                try:
                    self.app.extensions["motcua.writer"].run(op)
                except Exception:  # the writer is stopping or failing: try again next time
                    log.exception("could not publish the alerts")
                    return found
                self._published = found
            return list(self._published)

    def _last_published(self) -> list[dict[str, Any]]:
        """What the log last said (a restarted hub does not publish the same set again)."""
        with self.app.extensions["motcua.store"].borrow() as conn:
            row = conn.execute(
                "SELECT payload FROM events WHERE type = ? ORDER BY id DESC LIMIT 1",
                (ALERT_EVENT,),
            ).fetchone()
        if row is None:
            return []
        try:
            alerts = json.loads(row[0]).get("alerts")
        except (ValueError, AttributeError):
            return []
        return alerts if isinstance(alerts, list) else []

    def start(self) -> None:
        """Look again every :data:`WATCH_S` on a thread of its own (the server's worker)."""
        self._thread = threading.Thread(target=self._run, name="alert-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread (it ends within a second or so)."""
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(WATCH_S):
            try:
                self.check()
            except Exception:  # a bad moment (disk, database busy) must not end the watch
                log.exception("alert check failed")


def _keys(alerts: list[dict[str, Any]]) -> set[tuple[Any, Any, Any]]:
    return {(a.get("code"), a.get("level"), a.get("device")) for a in alerts}


def init_app(app: Flask) -> None:
    """Give ``app`` its alert watch (the server starts its thread; tests call ``check``)."""
    app.extensions["motcua.alert_watch"] = AlertWatch(app)
