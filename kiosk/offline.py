"""The kiosk's book of offline numbers: today's blocks from the hub and the tickets issued from
them while the hub could not be reached, kept on disk.

The regulation asks the reception to go on by hand when the system fails. Each day the hub
reserves for this kiosk a block of numbers per service (``POST /api/v1/kiosk/blocks``); while the
hub cannot be reached the kiosk issues the next unused one, and uploads each ticket once the hub
answers again (``POST /api/v1/kiosk/offline-tickets``).

The book is one JSON file, replaced atomically and synced to disk before a number is printed: a
power cut or a reboot loses nothing, and a number once taken is never given again, even after the
hub hands the same block back. Plain Python, no Kivy: the controller calls it on the UI thread
(each write is a few hundred bytes).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from appliance import timefmt

log = logging.getLogger(__name__)

VERSION = 1
PENDING, TAKEN_IN, REFUSED = "pending", "taken_in", "refused"
VOID = "void"  # taken but never printed: the disk refused to keep it


class BookError(RuntimeError):
    """The book cannot be read or written (the message names the file)."""


def _empty() -> dict[str, Any]:
    return {"version": VERSION, "day": "", "valid_until": 0.0, "utc_offset_s": 0,
            "status_url_prefix": "", "blocks": {}, "tickets": []}  # fmt: skip


class OfflineBook:
    """Blocks and offline tickets of one kiosk, in the file at ``path``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.data = self._read()

    # --- the file --------------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _empty()
        except OSError as exc:
            raise BookError(f"cannot read the offline book {self.path}: {exc}") from exc
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise BookError(f"the offline book {self.path} is damaged: {exc}") from exc
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise BookError(f"the offline book {self.path} is not version {VERSION}")
        return data

    def _save(self) -> None:
        """Replace the file with the book as it is now, synced (so a reboot keeps it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".new")
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(self.data, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.path)
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)  # the rename itself survives a power cut
        finally:
            os.close(folder)

    # --- blocks ----------------------------------------------------------------------------

    def needs_blocks(self, hub_now: float) -> bool:
        """Whether to ask the hub for blocks: none yet, or the day they were for is over."""
        return not self.data["blocks"] or hub_now >= self.data["valid_until"]

    def set_blocks(self, answer: dict[str, Any]) -> None:
        """Keep the hub's answer to ``kiosk/blocks``; numbers already used stay used."""
        valid_until = timefmt.parse_iso(answer["valid_until"])
        if valid_until is None or valid_until.utcoffset() is None:
            raise BookError("the hub's blocks carry no valid_until time")
        day = str(answer["day"])
        used = {
            (issued["service"], issued["seq"])
            for issued in self.data["tickets"]
            if issued["day"] == day
        }  # what this kiosk issued that day, whatever the blocks say now
        blocks = {}
        for block in answer["blocks"]:
            numbers = [str(n) for n in block["numbers"]]
            first = int(block["first_seq"])
            blocks[str(block["service"])] = {
                "first_seq": first, "numbers": numbers,
                "name_vi": str(block.get("name_vi") or ""),
                "name_en": str(block.get("name_en") or ""),
                "free": [i for i in range(len(numbers)) if (block["service"], first + i)
                         not in used],
            }  # fmt: skip
        self.data.update(
            day=day,
            valid_until=valid_until.timestamp(),
            utc_offset_s=int(valid_until.utcoffset().total_seconds()),  # type: ignore[union-attr]
            status_url_prefix=str(answer.get("status_url_prefix") or ""),
            blocks=blocks,
        )
        self._save()

    def left(self, service: str, hub_now: float) -> int:
        """How many numbers of ``service`` the kiosk may still issue offline now."""
        block = self.data["blocks"].get(service)
        if block is None or hub_now >= self.data["valid_until"]:
            return 0
        return len(block["free"])

    def services(self, hub_now: float) -> list[tuple[str, str, str]]:
        """(code, name_vi, name_en) of the services this kiosk may still issue offline now."""
        return [
            (code, block["name_vi"], block["name_en"])
            for code, block in self.data["blocks"].items()
            if self.left(code, hub_now)
        ]

    # --- tickets ---------------------------------------------------------------------------

    def take(
        self, service: str, hub_now: float, priority: bool = False, reason: str | None = None
    ) -> dict[str, Any] | None:
        """The next free number of ``service``, recorded (on disk) before it is returned; None
        when the kiosk has none left for today."""
        if self.left(service, hub_now) == 0:
            return None
        block = self.data["blocks"][service]
        index = block["free"].pop(0)
        token = secrets.token_urlsafe(16)
        ticket = {
            "day": self.data["day"], "service": service, "seq": block["first_seq"] + index,
            "number": block["numbers"][index], "issued_at": hub_now, "priority": priority,
            "priority_reason": reason, "token": token, "state": PENDING, "error": None,
            "name_vi": block["name_vi"], "name_en": block["name_en"],
            "status_url": self.data["status_url_prefix"] + token
            if self.data["status_url_prefix"] else "",
        }  # fmt: skip
        self.data["tickets"].append(ticket)
        try:
            self._save()
        except OSError as exc:
            # Not printed: the number stays used (it may be on disk) but is never uploaded.
            ticket["state"], ticket["error"] = VOID, f"not kept on disk: {exc}"
            raise BookError(f"cannot write the offline book {self.path}: {exc}") from exc
        return ticket

    def pending(self) -> list[dict[str, Any]]:
        """Tickets not yet taken in by the hub, oldest first."""
        return [ticket for ticket in self.data["tickets"] if ticket["state"] == PENDING]

    def tickets(self) -> list[dict[str, Any]]:
        """Every ticket issued offline that the book holds."""
        return list(self.data["tickets"])

    def mark(self, ticket: dict[str, Any], state: str, error: str | None = None) -> None:
        """The hub took ``ticket`` in (``taken_in``) or refused it (``refused``, why)."""
        ticket["state"], ticket["error"] = state, error
        self._save()

    def upload_body(self, ticket: dict[str, Any]) -> dict[str, Any]:
        """What ``kiosk/offline-tickets`` is sent for ``ticket``."""
        zone = dt.timezone(dt.timedelta(seconds=self.data["utc_offset_s"]))
        issued = dt.datetime.fromtimestamp(ticket["issued_at"], zone)
        return {
            "service": ticket["service"], "seq": ticket["seq"],
            "issued_at": issued.isoformat(timespec="milliseconds"),
            "priority": ticket["priority"], "priority_reason": ticket["priority_reason"],
            "token": ticket["token"],
        }  # fmt: skip

    def issued_at(self, ticket: dict[str, Any]) -> dt.datetime:
        """When ``ticket`` was issued, in the hub's time zone (as printed)."""
        zone = dt.timezone(dt.timedelta(seconds=self.data["utc_offset_s"]))
        return dt.datetime.fromtimestamp(ticket["issued_at"], zone)
