"""What every kiosk controller shares: listeners told when its state changes, error codes."""

from __future__ import annotations

from appliance.hublink import HubError, HubUnreachable
from appliance.observable import Observable

__all__ = ["Observable", "error_code"]


def error_code(exc: Exception) -> str:
    """The API error code of a failed call ("offline" when the hub could not be reached)."""
    if isinstance(exc, HubUnreachable):
        return "offline"
    if isinstance(exc, HubError):
        return exc.code
    return "error"
