"""What the panel says to the clerk (English msgids, translated through locale/vi.po), and the
hub endpoint behind each action."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Action -> the hub endpoint under /api/v1/counters/{n}/ and the event that echoes it.
ENDPOINTS = {
    "call_next": ("call-next", "ticket.called"),
    "call_number": ("call", "ticket.called"),
    "recall": ("recall", "ticket.recalled"),
    "start": ("start", "ticket.started"),
    "finish": ("finish", "ticket.finished"),
    "no_show": ("no-show", "ticket.no_show"),
    "transfer": ("transfer", "ticket.transferred"),
    "pause": ("pause", "counter.updated"),
    "resume": ("resume", "counter.updated"),
}

SUCCESS = {
    "call_next": "Called {number}",
    "call_number": "Called {number}",
    "recall": "Called {number} again",
    "start": "Serving {number}",
    "finish": "Finished {number}",
    "no_show": "{number}: citizen not present",
    "transfer": "{number} transferred to {target}",
    "pause": "Counter paused",
    "resume": "Counter open again",
}

# The hub's error codes (hub/API.md) -> what the clerk reads.
ERRORS = {
    "queue_empty": "Nobody is waiting.",
    "conflict": "Not possible now; the panel now shows the hub's current state.",
    "not_found": "No such ticket or counter today.",
    "forbidden": "This account may not act at this counter.",
    "unauthorized": "Your session has ended: please log in again.",
    "rate_limited": "Too many attempts. Please wait a moment.",
    "invalid": "The hub refused the request as invalid.",
    "offline": "No answer from the hub. Press again to retry: it will not be done twice.",
}

LOGIN_ERRORS = {
    "unauthorized": "Wrong username or password.",
    "forbidden": "This account may not use this counter.",
    "rate_limited": "Too many attempts. Please wait a moment.",
    "invalid": "Enter a username and a password.",
    "offline": "Offline: cannot reach the hub",
}


@dataclass(frozen=True)
class Notice:
    """A line for the clerk: ``msgid`` (English, translated by the screen) and its values."""

    kind: str  # "info" or "error"
    msgid: str
    values: dict[str, Any] = field(default_factory=dict)
