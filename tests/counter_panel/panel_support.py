"""Helpers for the counter panel's tests: task runners that stand in for Kivy's main loop, a
controller wired to a real hub, and a TCP relay that can lose the hub's answers on the way back.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from appliance.hublink import EventStream, HubClient
from appliance.tasks import InlineTasks
from counter_panel.controller import PanelController


class PumpedTasks(InlineTasks):
    """Work runs at once (as InlineTasks); stream callbacks wait until the test pumps them,
    the way Kivy's main thread would take them, so the controller is only touched by one thread.
    """

    def __init__(self) -> None:
        super().__init__()
        self.inbox: queue.Queue[Callable[[], None]] = queue.Queue()

    def call_soon(self, fn: Callable[[], None]) -> None:
        self.inbox.put(fn)

    def pump(self) -> None:
        """Run what the stream delivered so far."""
        while True:
            try:
                fn = self.inbox.get_nowait()
            except queue.Empty:
                return
            fn()

    def pump_one(self, timeout: float = 5.0) -> None:
        """Run the next thing the stream delivered, waiting for it if need be."""
        self.inbox.get(timeout=timeout)()

    def until(self, condition: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
        """Pump until ``condition()`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            if condition():
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(0.01)


class HeldTasks(PumpedTasks):
    """Once :meth:`hold` is called, work waits until released: a request still on its way.

    Until then work runs at once, so a test sets its scene (stream connected, clerk logged in)
    the way the others do; holding from the start would also hold the reload the stream asks
    for whenever it connects, and with it every event (it connects late on a loaded machine).
    """

    def __init__(self) -> None:
        super().__init__()
        self.holding = False
        self.held: list[tuple[Callable[[], Any], Callable, Callable]] = []

    def hold(self) -> None:
        """From now on, keep work until :meth:`release`."""
        self.holding = True

    def run(self, work: Callable[[], Any], done: Callable, failed: Callable) -> None:
        if not self.holding:
            InlineTasks.run(self, work, done, failed)
            return
        self.held.append((work, done, failed))

    def release(self) -> int:
        """Run every held job (and any they add); return how many ran."""
        count = 0
        while self.held:
            work, done, failed = self.held.pop(0)
            InlineTasks.run(self, work, done, failed)
            count += 1
        return count


def controller_for(
    hub: Any,
    counter: int,
    tasks: PumpedTasks,
    *,
    base_url: str | None = None,
    clock: Callable[[], float] = time.time,
    rating: bool = True,
) -> PanelController:
    """A controller for ``counter`` with that counter's device token, following the real stream
    (always straight from the hub, even when requests go through a relay at ``base_url``)."""
    client = HubClient(base_url or hub.url, hub.counter_tokens[counter], timeout=3.0)

    def stream(_url: str, on_event: Any, on_online: Any, **kwargs: Any) -> EventStream:
        return EventStream(hub.url, on_event, on_online, **kwargs, backoff=(0.1, 0.5))

    return PanelController(
        client, counter, tasks, rating=rating, clock=clock, stream_factory=stream
    )


def clerk_of(hub: Any, counter: int) -> dict[str, Any]:
    """The demo clerk of ``counter`` (username, password, display_name)."""
    return next(c for c in hub.clerks if c["counter"] == counter)


def issue(hub: Any, service: str, priority: bool = False) -> dict[str, Any]:
    """A ticket issued through the API as the kiosk would."""
    status, body = hub.request(
        "POST",
        "/api/v1/tickets",
        {
            "service": service,
            "priority": priority,
            "priority_reason": "elderly" if priority else None,
        },
        token=hub.kiosk_token,
    )
    assert status == 201, body
    return body


def counter_view(hub: Any, number: int) -> dict[str, Any]:
    """What the hub says about one counter now."""
    status, body = hub.request("GET", "/api/v1/counters")
    assert status == 200
    return next(c for c in body["counters"] if c["number"] == number)


class LossyRelay:
    """A TCP relay to the hub that can swallow the hub's answers (``lose_answers = True``): the
    request arrives and is carried out, but the panel never hears back, as on a flaky link.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.lose_answers = False
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self._server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.target_port))

        def to_hub() -> None:
            try:
                while chunk := client.recv(65536):
                    upstream.sendall(chunk)
            except OSError:
                pass

        threading.Thread(target=to_hub, daemon=True).start()
        try:
            while chunk := upstream.recv(65536):
                if self.lose_answers:
                    break  # the hub has done the work; its answer goes nowhere
                client.sendall(chunk)
        except OSError:
            pass
        for s in (client, upstream):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)  # wakes the other direction's recv as well
            s.close()

    def close(self) -> None:
        """Stop accepting."""
        self._stop.set()
        self._server.close()
        self._thread.join(2)
