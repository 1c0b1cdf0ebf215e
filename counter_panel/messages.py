"""What the panel says to the clerk (English msgids, translated through locale/vi.po), and the
hub endpoint behind each action."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from motcua.i18n import N_

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
    "call_next": N_("Called {number}"),
    "call_number": N_("Called {number}"),
    "recall": N_("Called {number} again"),
    "start": N_("Serving {number}"),
    "finish": N_("Finished {number}"),
    "no_show": N_("{number}: citizen not present"),
    "transfer": N_("{number} transferred to {target}"),
    "pause": N_("Counter paused"),
    "resume": N_("Counter open again"),
}

# The hub's error codes (hub/API.md) -> what the clerk reads.
ERRORS = {
    "queue_empty": N_("Nobody is waiting."),
    "conflict": N_("Not possible now; the panel now shows the hub's current state."),
    "not_found": N_("No such ticket or counter today."),
    "forbidden": N_("This account may not act at this counter."),
    "unauthorized": N_("Your session has ended: please log in again."),
    "rate_limited": N_("Too many attempts. Please wait a moment."),
    "invalid": N_("The hub refused the request as invalid."),
    "offline": N_("No answer from the hub. Press again to retry: it will not be done twice."),
}

# For an error code neither table has a text for.
REFUSED = N_("The hub refused: {code}")

LOGIN_ERRORS = {
    "unauthorized": N_("Wrong username or password."),
    "forbidden": N_("This account may not use this counter."),
    "rate_limited": N_("Too many attempts. Please wait a moment."),
    "invalid": N_("Enter a username and a password."),
    "offline": N_("Offline: cannot reach the hub"),
}


@dataclass(frozen=True)
class Notice:
    """A line for the clerk: ``msgid`` (English, translated by the screen) and its values."""

    kind: str  # "info" or "error"
    msgid: str
    values: dict[str, Any] = field(default_factory=dict)
