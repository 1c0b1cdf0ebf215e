"""The one listener API of the appliance apps' controllers: ``subscribe`` returns an unsubscribe."""

from __future__ import annotations

from collections.abc import Callable

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
