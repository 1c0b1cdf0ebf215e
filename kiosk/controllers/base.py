"""What every kiosk controller shares: listeners told when its state changes."""

from __future__ import annotations

from collections.abc import Callable

from appliance.hublink import HubError, HubUnreachable

Listener = Callable[[], None]


class Observable:
    """Holds listeners and calls them (on the UI thread) after each change of state."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener()`` after every change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def changed(self) -> None:
        """Tell every listener that the state changed."""
        for listener in list(self._listeners):
            listener()


def error_code(exc: Exception) -> str:
    """The API error code of a failed call ("offline" when the hub could not be reached)."""
    if isinstance(exc, HubUnreachable):
        return "offline"
    if isinstance(exc, HubError):
        return exc.code
    return "error"
