"""The counter panel's logic, in plain Python, made of parts with one job each.

:class:`PanelController` puts them together and is what the Kivy screens read and press: they
only draw its state and forward presses; tests drive it with ``InlineTasks`` against a real hub.

- :class:`~counter_panel.live_queue.LiveQueue`: the queue, followed live from the shared
  :class:`~appliance.live.LiveOffice` and seen from this counter;
- :class:`~counter_panel.sender.ActionSender`: one press at a time, each with an idempotency key
  reused when a press whose answer was lost is pressed again;
- :class:`~counter_panel.actions.CounterActions`: what the counter's buttons do;
- :class:`~counter_panel.clerk_session.ClerkSession`: who is logged in, the PIN lock;
- :class:`~counter_panel.rating.Rating`: the citizen's rating after service;
- :class:`~counter_panel.undo.PendingNoShow`: a no-show held a few seconds so it can be undone.

The active alerts (a kiosk's printer out of paper, a device silent) come with the live office.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from appliance.hublink import EventStream, HubClient
from appliance.live import LiveOffice
from appliance.observable import Observable
from appliance.records import Alert, Counter, Ticket
from appliance.tasks import Tasks
from counter_panel.actions import CounterActions
from counter_panel.clerk_session import ClerkSession, Session
from counter_panel.live_queue import LiveQueue
from counter_panel.messages import ERRORS, Notice
from counter_panel.rating import Rating
from counter_panel.sender import ActionSender
from counter_panel.undo import PendingNoShow

log = logging.getLogger(__name__)

BUSY_SHOWN_AFTER_S = 0.15  # a press awaited longer than this greys the buttons on screen
TOPICS = ("ticket", "counter", "day", "alert", "office")
# While a no-show waits to be sent, these send it first and then do what was pressed; the
# other actions (start, recall, finish, transfer) mean the citizen is here after all: undo.
SEND_FIRST = ("call_next", "call_number", "pause", "lock")


class PanelController(Observable):
    """State and actions of one counter panel. Call everything on the UI thread."""

    def __init__(
        self,
        client: HubClient,
        counter: int,
        tasks: Tasks,
        *,
        rating: bool = True,
        idle_timeout_s: float = 300.0,
        clock: Callable[[], float] = time.time,
        stream_factory: Callable[..., Any] = EventStream,
        later: Callable[[float, Callable[[], None]], None] | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.tasks = tasks
        self.counter_number = counter
        self.clock = clock
        self.notice: Notice | None = None
        live = LiveOffice(
            client, tasks, topics=TOPICS, stream_factory=stream_factory, later=later, wall=clock
        )  # later: retries a failed reload; None (tests): no retries
        self.queue = LiveQueue(live, counter, clock, self.changed, self._clerk_changed)
        self.view = self.queue.view
        self.sender = ActionSender(client, tasks, clock, self.changed)
        self.clerk = ClerkSession(
            client, tasks, counter, self.sender, clock, idle_timeout_s, self._say, self.changed,
            refresh=self.refresh, ended=self._session_ended,
        )  # fmt: skip
        self.rating = Rating(self.sender, clock, self._say, self.changed, self.clerk.token)
        asked = self.rating.ask if rating else lambda _ticket: None  # "second_screen" asks
        self.actions = CounterActions(
            self.queue, self.sender, self.clerk, self._say, self.changed, asked, self.refresh
        )
        self.no_show = PendingNoShow(
            clock, lambda then: self.actions.act("no_show", then=then), self.changed, later
        )
        # What the screens press, each done by the part whose job it is.
        self.login, self.unlock = self.clerk.login, self.clerk.unlock
        self.touch, self.check_idle = self.clerk.touch, self.clerk.check_idle
        self.rate, self.skip_rating = self.rating.rate, self.rating.skip
        self.hub_now = self.queue.hub_now

    def _say(self, notice: Notice | None) -> None:
        self.notice = notice

    # -- pressing ----------------------------------------------------------------------------

    def act(self, action: str, **params: Any) -> bool:
        """One press of ``action`` (see :meth:`CounterActions.act`). Calling the next citizen
        puts a rating question away; a no-show is held :data:`~counter_panel.undo.UNDO_S`
        seconds before it is sent, and pressing it again (or ``undo``) takes it back."""
        if action == "undo":
            self.clerk.touch()
            return self.no_show.undo()
        if action in ("call_next", "call_number") and self.refusal(action) is None:
            self.rating.put_away()  # the panel faces the clerk: no rating in their way
        if self.no_show.pending:
            if action == "no_show":
                return self.undo()
            if action in SEND_FIRST:
                if self.refusal(action) is not None:
                    return self.actions.act(action, **params)  # refused: says why
                if action == "lock":
                    self.lock()
                    return True
                return self.no_show.send_now(lambda: self.actions.act(action, **params))
            self.no_show.undo()
        if action == "no_show" and self.refusal(action) is None and self.view.current:
            self.clerk.touch()
            self.no_show.hold(self.view.current.number)
            return True
        return self.actions.act(action, **params)

    def lock(self) -> None:
        """Lock the panel behind the PIN; a no-show still waiting is sent first."""
        self.no_show.send_now()
        self.clerk.lock()

    def logout(self) -> None:
        """End the clerk's session; a no-show still waiting is sent first."""
        if not self.no_show.send_now(self.clerk.logout):
            self.clerk.logout()

    def undo(self) -> bool:
        """Take back the no-show still waiting to be sent."""
        return self.act("undo")

    def refusal(self, action: str, *, ignore_busy: bool = False) -> str | None:
        """Why ``action`` cannot be pressed now (a msgid), or None when it can."""
        leaving = self.no_show.pending and action in SEND_FIRST
        return self.actions.refusal(action, ignore_busy=ignore_busy, leaving=leaving)

    def tick(self, now: float | None = None) -> None:
        """Every second: send a no-show whose time to undo is up."""
        self.no_show.tick(now)

    def _session_ended(self) -> None:
        self.rating.ticket = None
        self.sender.retry_keys.clear()

    def _clerk_changed(self, counter: Counter) -> None:
        """Someone else logged in at this counter, or this clerk was logged out elsewhere: the
        hub has ended this session, so the panel says so now, not at the next press."""
        session = self.clerk.session
        if session is not None and counter.clerk != session.display_name:
            self.clerk.end()
            self._say(Notice("error", ERRORS["unauthorized"]))

    # -- following the hub -----------------------------------------------------------------

    def start(self) -> None:
        """Load the hub's state and follow its events."""
        self.queue.live.start()

    def stop(self) -> None:
        """Stop following the hub and close the connections to it."""
        self.queue.live.stop()
        self.client.close()

    def refresh(self) -> None:
        """Load the true state from the hub (after a login, a refusal, a lost answer)."""
        self.queue.live.reload()

    @property
    def alerts(self) -> tuple[Alert, ...]:
        """Kiosk printers and devices in trouble, as the hub's console lists them."""
        return self.queue.live.office.alerts

    def heartbeat(self, status: dict[str, Any]) -> None:
        """Tell the hub this panel is alive and how it is (shown in the hub's device list)."""
        body = {"status": {**status, "clerk": self.session.username if self.session else None,
                           "locked": self.locked, "counter": self.counter_number}}  # fmt: skip

        def failed(exc: Exception) -> None:
            log.info("heartbeat not delivered: %s", exc)  # the stream reports the link

        self.tasks.run(
            lambda: self.client.post("/api/v1/devices/heartbeat", body), lambda _a: None, failed
        )

    # -- what the screens read -------------------------------------------------------------

    def can(self, action: str) -> bool:
        """Whether the button for ``action`` is enabled."""
        return self.refusal(action) is None

    def elapsed_s(self, now: float | None = None) -> float | None:
        """Seconds since the current ticket was called, None when there is none."""
        ticket = self.view.current
        called = ticket.called_at.timestamp() if ticket and ticket.called_at else None
        return None if called is None else max(0.0, self.hub_now(now) - called)

    @property
    def online(self) -> bool:
        """Whether the hub answers and its events arrive."""
        return self.queue.online

    @property
    def busy(self) -> str | None:
        """The press on its way, if any."""
        return self.sender.busy

    @property
    def busy_since(self) -> float:
        """When that press went out."""
        return self.sender.busy_since

    @property
    def session(self) -> Session | None:
        """The clerk logged in here, if any."""
        return self.clerk.session

    @property
    def locked(self) -> bool:
        """Whether the panel is behind the PIN."""
        return self.clerk.locked

    @property
    def rating_ticket(self) -> Ticket | None:
        """The finished ticket whose citizen is asked for a rating."""
        return self.rating.ticket

    @property
    def rated_at(self) -> float | None:
        """When the last rating was stored (for the thanks)."""
        return self.rating.rated_at
