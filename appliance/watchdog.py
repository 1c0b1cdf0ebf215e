"""systemd's watchdog for the appliance apps: keep-alives sent from the Kivy main loop.

An app on a Pi can hang without crashing (a driver stuck, a deadlock): the screen freezes and
``Restart=always`` never fires. With ``WatchdogSec=`` in its unit, systemd passes
``NOTIFY_SOCKET`` and ``WATCHDOG_USEC``; once the main loop draws its first frame the app
says ``READY=1``, then sends ``WATCHDOG=1`` at half that interval from the same loop that draws
the screen, so a frozen loop means no keep-alive and
systemd restarts the app. Without those variables (the demo, tests, a laptop) nothing is sent.
The protocol is sd_notify(3): one datagram per message on a Unix socket, whose name starting
with ``@`` is in the abstract namespace.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)


def notify(message: str, env: Mapping[str, str] = os.environ) -> bool:
    """Send ``message`` (``READY=1``, ``WATCHDOG=1``…) to systemd; False when not under it."""
    address = env.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError as exc:
        log.warning("cannot tell systemd %r: %s", message, exc)
        return False
    return True


def interval_s(env: Mapping[str, str] = os.environ, pid: int | None = None) -> float | None:
    """Seconds between keep-alives (half the unit's WatchdogSec), or None without a watchdog
    for this process."""
    usec = env.get("WATCHDOG_USEC", "")
    owner = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) <= 0:
        return None
    if owner and owner != str(pid if pid is not None else os.getpid()):
        return None  # the watchdog is another process's (we were started by it)
    return int(usec) / 2 / 1e6


def start(
    schedule_interval: Callable[[Callable[[Any], None], float], Any] | None = None,
    schedule_once: Callable[[Callable[[Any], None], float], Any] | None = None,
) -> bool:
    """From the main loop's first frame on: tell systemd the app is up (``READY=1``), then keep
    it told; False when the unit has no watchdog.

    The units are ``Type=notify``, so systemd starts watching at ``READY=1``: building the
    screens before the first frame can take long (a cold card, a slow emulator) without the
    app being taken for hung and killed in a loop (seen booting the counter image in qemu);
    ``TimeoutStartSec=`` bounds that instead. Both schedulers default to Kivy's clock.
    """
    every = interval_s()
    if schedule_interval is None or schedule_once is None:
        from kivy.clock import Clock

        schedule_interval = schedule_interval or Clock.schedule_interval
        schedule_once = schedule_once or Clock.schedule_once

    def first_frame(_dt: Any) -> None:
        notify("READY=1")
        if every is not None:
            notify("WATCHDOG=1")
            schedule_interval(lambda _dt: notify("WATCHDOG=1"), every)
            log.info("systemd watchdog: a keep-alive every %.1f s", every)

    schedule_once(first_frame, 0)
    return every is not None
