"""How an appliance starts: from power-on to a device token, whatever state the hub is in.

An appliance never gives up for want of a hub or a token. With a token stored it is ready at
once (the app shows for itself when the hub is offline). Without one it waits for the hub,
retrying with backoff, then enrols with the configured code or asks a technician to type one,
stores the token and is ready, all in the same run::

    waiting_for_hub ──hub answers──▶ needs_enrolment ──code──▶ enrolling ──token──▶ ready
          ▲                                ▲                       │
          └──────── hub away ──────────────┼───────────────────────┤
                                           └────── code refused ───┘

Plain Python with no Kivy: the screen (:mod:`appliance.ui.startup_screen`) only shows
:class:`Startup`'s state and forwards the typed code. Work runs through :class:`Tasks` and
retries through ``later``, so tests drive it step by step against a real hub.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from appliance.enrolment import enrol, read_token
from appliance.hublink import HubClient, HubError, HubUnreachable
from appliance.tasks import Tasks
from motcua.i18n import N_

log = logging.getLogger(__name__)

Later = Callable[[float, Callable[[], None]], Any]  # run a function after a delay, on the UI

CODE_DIGITS = 8  # `motcua devices enroll-code` prints 1234-5678 (hub/API.md)

# What the technician reads when the hub refuses a code, by the API's error code.
REFUSALS = {
    "unauthorized": N_("This code is unknown, already used or expired. Ask for a new one."),
    "invalid": N_("An enrolment code has 8 digits, like 1234-5678."),
    "rate_limited": N_("Too many attempts. Wait a minute, then try again."),
}
REFUSED = N_("The hub refused the code: {message}")
CANNOT_STORE = N_("Cannot store the device token in {path}: {reason}")


class Stage(Enum):
    """Where the start-up is."""

    WAITING_FOR_HUB = "waiting_for_hub"
    NEEDS_ENROLMENT = "needs_enrolment"
    ENROLLING = "enrolling"
    READY = "ready"


@dataclass(frozen=True)
class Message:
    """A text to show: a msgid of the appliance catalog and the values it is filled with."""

    msgid: str
    values: dict[str, Any] = field(default_factory=dict)


def format_code(text: str) -> str:
    """The digits typed so far, shown as the hub prints codes: '123456' -> '1234-56'."""
    digits = "".join(ch for ch in text if ch.isdigit())
    half = CODE_DIGITS // 2
    return digits if len(digits) <= half else f"{digits[:half]}-{digits[half:]}"


class Startup:
    """The start-up state machine for one appliance.

    ``client`` is the app's own hub client: once a token is known it is set on the client, so
    the app speaks as this device from its first request. ``tasks`` is for the start-up's own
    work and is shut down once it is ready or stopped. ``backoff`` is the first and the longest
    wait between tries of an absent hub.
    """

    def __init__(
        self,
        client: HubClient,
        token_file: Path,
        *,
        tasks: Tasks,
        later: Later,
        enroll_code: str = "",
        device_name: str = "",
        backoff: tuple[float, float] = (0.5, 10.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.token_file = token_file
        self.device_name = device_name
        self._tasks = tasks
        self._later = later
        self._backoff = backoff
        self._delay = backoff[0]
        self._clock = clock
        self._pending_code = enroll_code.strip()  # sent as soon as the hub answers
        self._listeners: list[Callable[[], None]] = []
        self._stopped = False
        self.stage = Stage.WAITING_FOR_HUB
        self.token: str | None = None
        self.error: Message | None = None
        self.trying = False  # a request to the hub is on its way
        self.next_try_at: float | None = None  # when the hub is asked again (clock time)

    @property
    def hub_url(self) -> str:
        """The hub this appliance waits for."""
        return self.client.base_url

    @property
    def ready(self) -> bool:
        """Whether the appliance has its token and the app can start."""
        return self.stage is Stage.READY

    def listen(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` after every change of state."""
        self._listeners.append(callback)

    def _changed(self) -> None:
        for callback in list(self._listeners):
            callback()

    def start(self) -> None:
        """Read the stored token; without one, go and find the hub."""
        token = read_token(self.token_file)
        if token is not None:
            self._ready(token)
            return
        log.info("no device token in %s: waiting for the hub at %s", self.token_file, self.hub_url)
        self._try_hub()

    def stop(self) -> None:
        """Stop trying (the app is closing); answers still on their way are ignored."""
        self._stopped = True
        self._tasks.shutdown()

    def retry_in(self) -> float | None:
        """Seconds until the hub is asked again, while waiting for it."""
        if self.next_try_at is None:
            return None
        return max(0.0, self.next_try_at - self._clock())

    # -- finding the hub -------------------------------------------------------------------

    def _try_hub(self) -> None:
        if self._stopped:
            return
        self.trying, self.next_try_at = True, None
        self._changed()
        self._tasks.run(lambda: self.client.get("/healthz"), self._hub_answered, self._hub_failed)

    def _hub_answered(self, _answer: Any) -> None:
        if self._stopped:
            return
        self.trying = False
        self._delay = self._backoff[0]
        if self._pending_code:
            self._send(self._pending_code)
        else:
            self._set(Stage.NEEDS_ENROLMENT)

    def _hub_failed(self, error: Exception) -> None:
        if self._stopped:
            return
        if not isinstance(error, HubError):
            log.error("checking the hub failed: %r", error)
        self.trying = False
        self._wait_for_hub()

    def _wait_for_hub(self) -> None:
        delay = self._delay
        self._delay = min(delay * 2, self._backoff[1])
        self.next_try_at = self._clock() + delay
        self._later(delay, self._try_hub)
        self._set(Stage.WAITING_FOR_HUB)

    # -- enrolling -------------------------------------------------------------------------

    def submit_code(self, code: str) -> None:
        """The technician's code from the screen: enrol with it."""
        if self.stage is not Stage.NEEDS_ENROLMENT or self._stopped:
            return  # a second tap while enrolling, or a tap after the app moved on
        self._send(code.strip())

    def _send(self, code: str) -> None:
        token = read_token(self.token_file)
        if token is not None:  # another app of this device (a second screen) enrolled it
            self._ready(token)
            return
        self._pending_code = code
        self.error = None
        self.trying = True
        self._set(Stage.ENROLLING)
        self._tasks.run(
            lambda: enrol(self.client, self.token_file, code, self.device_name),
            self._enrolled,
            self._refused,
        )

    def _enrolled(self, token: str) -> None:
        if self._stopped:
            return
        log.info("enrolled with the hub at %s; token stored in %s", self.hub_url, self.token_file)
        self._ready(token)

    def _refused(self, error: Exception) -> None:
        if self._stopped:
            return
        self.trying = False
        if isinstance(error, HubUnreachable):
            self._delay = self._backoff[0]  # it was there a moment ago
            self._wait_for_hub()  # the code is kept and sent when the hub is back
            return
        self._pending_code = ""  # a refused code is not sent again by itself
        if isinstance(error, HubError):
            msgid = REFUSALS.get(error.code)
            self.error = Message(msgid) if msgid else Message(REFUSED, {"message": error.message})
            log.warning("the hub refused the enrolment code: %s", error)
        elif isinstance(error, OSError):
            reason = error.strerror or str(error)
            self.error = Message(CANNOT_STORE, {"path": str(self.token_file), "reason": reason})
            log.error("cannot store the device token: %s", error)
        else:  # an answer without a token: say so on the screen rather than stop the appliance
            log.error("enrolment failed: %r", error)
            self.error = Message(REFUSED, {"message": repr(error)})
        self._set(Stage.NEEDS_ENROLMENT)

    # -- ready -----------------------------------------------------------------------------

    def _ready(self, token: str) -> None:
        self.token = token
        self.client.token = token
        self.error, self.trying, self.next_try_at = None, False, None
        self._tasks.shutdown()  # nothing more to do: its worker thread goes
        self._set(Stage.READY)

    def _set(self, stage: Stage) -> None:
        self.stage = stage
        self._changed()
