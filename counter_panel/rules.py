"""Which action a clerk may press, and why not: one place, so buttons, keys and keypad agree."""

from __future__ import annotations

import re
from typing import Any

from appliance.records import Ticket
from motcua.i18n import N_

# A printed ticket number: a letter prefix (possibly none) and digits, e.g. A012 or 1005.
_NUMBER = re.compile(r"^[A-Z]{0,3}[0-9]{1,5}$")

# Actions that need a ticket at the counter, by the states they apply to.
_NEEDS_TICKET = {
    "recall": ("called",),
    "start": ("called",),
    "finish": ("called", "serving"),
    "no_show": ("called",),
    "transfer": ("called", "serving"),
}


def normalize_number(text: str) -> str | None:
    """' a12 ' -> 'A12'; None when it cannot be a ticket number."""
    number = re.sub(r"\s+", "", text).upper()
    return number if _NUMBER.match(number) else None


def refusal(
    action: str,
    *,
    logged_in: bool,
    locked: bool,
    online: bool,
    busy: bool,
    counter_state: str,
    current: Ticket | None,
    waiting: int,
) -> str | None:
    """Why ``action`` cannot be done now (an English msgid), or None when it can."""
    if not logged_in:
        return N_("Log in first.")
    if action == "lock":
        return None  # locking needs neither the hub nor an idle counter
    if locked:
        return N_("The panel is locked.")
    if busy:
        return N_("Please wait: the last action is still being sent.")
    if not online:
        return N_("Offline: cannot reach the hub")
    state = current.state if current else None
    if action in ("call_next", "call_number"):
        if counter_state == "paused":
            return N_("The counter is paused: resume it first.")
        if state == "called":
            # The hub would mark the called ticket done unseen; a second tap would do just that.
            return N_("Start, finish or mark the current ticket not present first.")
        if action == "call_next" and waiting <= 0:
            return N_("Nobody is waiting.")
        return None
    if action in _NEEDS_TICKET:
        if state is None:
            return N_("No ticket at this counter.")
        if state not in _NEEDS_TICKET[action]:
            return (
                N_("Not possible for a ticket being served.")
                if state == "serving"
                else N_("Not possible for this ticket now.")
            )
        return None
    if action == "pause":
        return None  # pausing (or resuming) is always possible for the clerk at the counter
    raise ValueError(f"unknown action {action!r}")


def request(
    action: str, params: dict[str, Any], counter_state: str
) -> tuple[str, dict[str, Any]] | str:
    """The action to send and its body for a press of ``action`` with ``params``; or why it
    cannot be sent (a msgid). The pause button resumes a paused counter."""
    if action == "call_number":
        number = normalize_number(str(params.get("number", "")))
        if number is None:
            return N_("Not a ticket number: type it as printed, e.g. A012.")
        return action, {"number": number}
    if action == "transfer":
        if params.get("service"):
            return action, {"service": str(params["service"])}
        if params.get("counter"):
            return action, {"counter": int(params["counter"])}
        return N_("Choose where to transfer the ticket.")
    if action == "pause" and counter_state == "paused":
        return "resume", {}
    return action, {}
