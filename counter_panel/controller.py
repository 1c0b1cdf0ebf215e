"""The counter panel's logic, in plain Python: log in, act on tickets, follow the queue, lock.

:class:`PanelController` holds everything the panel shows and decides what may be pressed. The
Kivy screens only draw its state and forward presses; tests drive it with ``InlineTasks`` against
a real hub. Every action is one request with an idempotency key: a second press while the first
is in flight is refused, and pressing again after a lost answer resends the *same* key, so the
hub does the action once whatever happens to the network.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from appliance.hublink import Event, EventStream, HubClient, HubError
from appliance.tasks import Tasks
from counter_panel import rules
from counter_panel.clerk_session import ClerkSession, Session
from counter_panel.messages import ENDPOINTS, ERRORS, SUCCESS, Notice
from counter_panel.queue_view import QueueView, parse_time
from counter_panel.retry_keys import RetryKeys

log = logging.getLogger(__name__)

ECHO_WAIT_S = 3.0  # how long to hold older events off this counter's view after an answer
BUSY_SHOWN_AFTER_S = 0.15  # a press awaited longer than this greys the buttons on screen
RETRY_WINDOW_S = 60.0  # a press again within this time of an unanswered one is its retry


StreamFactory = Callable[..., Any]


class PanelController(ClerkSession):
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
        stream_factory: StreamFactory | None = None,
        later: Callable[[float, Callable[[], None]], None] | None = None,
    ) -> None:
        self.client = client
        self.counter_number = counter
        self.tasks = tasks
        self.rating_enabled = rating
        self.idle_timeout_s = idle_timeout_s
        self.clock = clock
        self._stream_factory = stream_factory or self._default_stream
        self._later = later  # schedules a retry on the UI thread; None: no retries (tests)
        self.view = QueueView(counter)
        self.session: Session | None = None
        self.online = False
        self.busy: str | None = None  # the action in flight, if any
        self.busy_since = 0.0
        self.locked = False
        self.notice: Notice | None = None
        self.rating_ticket: dict[str, Any] | None = None  # finished ticket awaiting a rating
        self.rated_at: float | None = None  # when the last rating was stored (for the thanks)
        self.last_activity = clock()
        self.listeners: list[Callable[[], None]] = []
        self._stream: Any = None
        self.retry_keys = RetryKeys(clock, RETRY_WINDOW_S)  # presses not answered yet
        self._echo: tuple[str, int | None, float] | None = None
        self._seen: deque[tuple[str, int | None]] = deque(maxlen=16)  # this counter's events
        # (local clock - event time) of recent events: the smallest is the clocks' difference
        # (plus a few ms on the wire), so times from the hub read right on a panel whose own
        # clock is off, as on a site whose link to a time server is down.
        self._skews: deque[float] = deque(maxlen=256)
        self._salt = b""
        self._verifier = b""
        self._unlock_failures = 0
        self._loaded = False
        self._refresh_seq = 0
        self._held: list[Event] | None = None  # events held while a snapshot is on its way

    # -- plumbing --------------------------------------------------------------------------

    def _default_stream(self, on_event: Any, on_online: Any, last_event_id: int | None) -> Any:
        return EventStream(
            self.client.base_url,
            on_event,
            on_online,
            topics=["ticket", "counter", "day"],
            last_event_id=last_event_id,
        )

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    def _say(self, kind: str, msgid: str, **values: Any) -> None:
        self.notice = Notice(kind, msgid, values)

    def start(self) -> None:
        """Follow the hub's event stream and load its state (again after every reconnect)."""
        if self._stream is None:
            self._stream = self._stream_factory(self._on_stream_event, self._on_stream_online, None)
            self._stream.start()
        self.refresh()

    def stop(self) -> None:
        """Stop following the stream and close the connections to the hub."""
        if self._stream is not None:
            self._stream.stop()
            self._stream = None
        self.client.close()

    def refresh(self) -> None:
        """Fetch the true state from the hub (at start, after a reconnect, after a refusal).

        Events that arrive while the snapshot is on its way are held, then applied on top of it
        (those it already holds are skipped by id), so the view never steps back in time. Only
        the latest of overlapping refreshes counts.
        """
        self._refresh_seq += 1
        seq = self._refresh_seq
        self._held = self._held if self._held is not None else []

        def release_held() -> None:
            held, self._held = self._held or [], None
            for event in held:
                self._event(event)

        def loaded(state: dict[str, Any]) -> None:
            if seq != self._refresh_seq:
                return  # a newer refresh is on its way
            self.view.load_snapshot(state, self.hub_now(), continuous=self._loaded)
            self._loaded = True
            self._echo = None
            self.online = True
            release_held()
            self._changed()

        def failed(exc: Exception) -> None:
            if seq != self._refresh_seq:
                return
            log.info("state refresh failed: %s", exc)
            self.online = False
            release_held()
            self._changed()
            if self._later is not None and self._stream is not None and self._stream.online:
                self._later(1.0, self.refresh)  # the stream is up, so the hub should answer soon

        self.tasks.run(lambda: self.client.get("/api/v1/state"), loaded, failed)

    def _on_stream_event(self, event: Event) -> None:
        self.tasks.call_soon(lambda: self._event(event))

    def _on_stream_online(self, online: bool) -> None:
        self.tasks.call_soon(lambda: self._stream_online(online))

    def _stream_online(self, online: bool) -> None:
        if online:
            self.refresh()  # the true state, whatever happened while away
        else:
            self.online = False
            self._changed()

    def _event(self, event: Event) -> None:
        if self._held is not None:
            self._held.append(event)  # a snapshot is on its way: apply this on top of it
            return
        data = event.data
        if self.view.last_event_id is not None and event.id <= self.view.last_event_id:
            # The snapshot already holds its effect; but when a waiting ticket was issued is
            # news to the panel (the snapshot only counts them), so follow the line with it.
            if data.get("ticket"):
                self.view.apply_ticket(data["ticket"])
            return
        at = parse_time(data.get("at"))
        if at is not None:
            self._skews.append(self.clock() - at)
        if event.type in ("day.opened", "day.closed"):
            self.view.new_day(self.hub_now())
        mine = True
        counter = data.get("counter") or {}
        if counter.get("number") == self.counter_number:
            self._seen.append((event.type, (data.get("ticket") or {}).get("id")))
        if self._echo is not None and counter.get("number") == self.counter_number:
            echo_type, echo_ticket, until = self._echo
            ticket_id = (data.get("ticket") or {}).get("id")
            if event.type == echo_type and (echo_ticket is None or echo_ticket == ticket_id):
                self._echo = None  # the event of our own action: everything after is newer
            elif self.clock() < until:
                mine = False  # older than the answer we already show
            else:
                self._echo = None
        self.view.apply_event({**data, "id": event.id}, mine=mine)
        if (
            self.session is not None
            and counter.get("number") == self.counter_number
            and data.get("reason") in ("clerk_in", "clerk_out")
            and counter.get("clerk") != self.session.display_name
        ):
            # Someone else logged in at this counter, or this clerk was logged out elsewhere:
            # the hub has ended this session, so the panel says so now, not at the next press.
            self._end_session()
            self._say("error", ERRORS["unauthorized"])
        self._changed()

    # -- what may be pressed ---------------------------------------------------------------

    def refusal(self, action: str, *, ignore_busy: bool = False) -> str | None:
        """Why ``action`` cannot be pressed now (a msgid), or None when it can.

        ``ignore_busy`` leaves out "a press is on its way": the screen need not grey (and
        re-render) every button for the few milliseconds a press usually takes, while
        :meth:`act` still refuses a second press.
        """
        return rules.refusal(
            action,
            logged_in=self.session is not None,
            locked=self.locked,
            online=self.online,
            busy=self.busy is not None and not ignore_busy,
            counter_state=self.view.counter_state,
            current=self.view.current,
            waiting=self.view.waiting_total(),
        )

    def can(self, action: str) -> bool:
        """Whether the button for ``action`` is enabled."""
        return self.refusal(action) is None

    # -- acting ----------------------------------------------------------------------------

    def act(self, action: str, **params: Any) -> bool:
        """Send ``action`` (call_next, recall, call_number number=, start, finish, no_show,
        transfer service=|counter=, pause) to the hub. False when refused; the notice says why.
        """
        self.touch()
        if self.busy is not None:
            return False  # a double tap: the first press is still on its way
        reason = self.refusal(action)
        if reason is not None:
            self._say("error", reason)
            self._changed()
            return False
        body: dict[str, Any] = {}
        if action == "call_number":
            number = rules.normalize_number(str(params.get("number", "")))
            if number is None:
                self._say("error", "Not a ticket number: type it as printed, e.g. A012.")
                self._changed()
                return False
            body = {"number": number}
        elif action == "transfer":
            if params.get("service"):
                body = {"service": str(params["service"])}
            elif params.get("counter"):
                body = {"counter": int(params["counter"])}
            else:
                self._say("error", "Choose where to transfer the ticket.")
                self._changed()
                return False
        elif action == "pause" and self.view.counter_state == "paused":
            action = "resume"
        retry = (action, repr(sorted(body.items())))
        key = self.retry_keys.key_for(retry)
        path, echo = ENDPOINTS[action]
        url = f"/api/v1/counters/{self.counter_number}/{path}"
        token = self.session.token if self.session else None
        self.busy = action
        self.busy_since = self.clock()
        self._seen.clear()  # from now on, only events this press may have caused
        self._changed()
        self.tasks.run(
            lambda: self.client.request("POST", url, body, idempotency_key=key, token=token),
            lambda answer: self._acted(action, retry, echo, body, answer),
            lambda exc: self._act_failed(action, retry, exc),
        )
        return True

    def _acted(
        self, action: str, retry: tuple[str, str], echo: str, body: dict, answer: dict
    ) -> None:
        self.busy = None
        self.retry_keys.clear()  # answered: whatever was left unanswered is history now
        self.online = True
        ticket = answer.get("ticket") or {}
        if answer.get("counter"):
            self.view.apply_counter(answer["counter"])
        if ticket:
            self.view.apply_ticket(ticket)
        echo_id = ticket.get("id") if ticket else None
        if (echo, echo_id) not in self._seen:
            # Events older than this answer may still be on their way: hold them off until the
            # event of this very action arrives (it says the same as the answer).
            self._echo = (echo, echo_id, self.clock() + ECHO_WAIT_S)
        target = ""
        if action == "transfer":
            target = body.get("service") or self._counter_name(body.get("counter"))
        self._say("info", SUCCESS[action], number=ticket.get("number", ""), target=target)
        if action == "finish" and self.rating_enabled and ticket:
            self.rating_ticket = ticket
        self._changed()

    def _counter_name(self, number: Any) -> str:
        counter = self.view.counters.get(number) or {}
        return str(counter.get("name") or number)

    def _act_failed(self, action: str, retry: tuple[str, str], exc: Exception) -> None:
        self.busy = None
        code = exc.code if isinstance(exc, HubError) else "error"
        if code != "offline":
            self.retry_keys.answered(retry)  # the hub answered: a new press is a new action
        if code == "unauthorized":
            self._end_session()
        self._say("error", ERRORS.get(code, "The hub refused: {code}"), code=code)
        if code == "offline":
            self.online = False
        self._changed()
        if code in ("conflict", "not_found", "queue_empty", "offline"):
            self.refresh()  # show what is true now rather than what the panel assumed

    # -- rating ----------------------------------------------------------------------------

    def rate(self, level: int) -> bool:
        """Store the citizen's rating (1 = Rất hài lòng … 5 = Rất không hài lòng)."""
        ticket = self.rating_ticket
        if ticket is None or self.busy is not None:
            return False
        if level not in range(1, 6):
            raise ValueError(f"rating level must be 1..5, not {level!r}")
        retry = ("rating", str(ticket["id"]))
        key = self.retry_keys.key_for(retry)
        token = self.session.token if self.session else None
        url = f"/api/v1/tickets/{ticket['id']}/rating"
        self.busy = "rating"
        self._changed()

        def done(_answer: Any) -> None:
            self.busy = None
            self.retry_keys.answered(retry)
            self.rating_ticket = None
            self.rated_at = self.clock()
            self._say("info", "Thank you for your rating!")
            self._changed()

        def failed(exc: Exception) -> None:
            self.busy = None
            code = exc.code if isinstance(exc, HubError) else "error"
            if code == "conflict":  # already rated (another screen, an earlier lost answer)
                self.rating_ticket = None
            elif code != "offline":
                self.retry_keys.answered(retry)
            self._say("error", ERRORS.get(code, "The hub refused: {code}"), code=code)
            self._changed()

        self.tasks.run(
            lambda: self.client.request(
                "POST", url, {"level": level}, idempotency_key=key, token=token
            ),
            done,
            failed,
        )
        return True

    def skip_rating(self) -> None:
        """The citizen left without rating: put the panel back."""
        if self.rating_ticket is not None:
            self.retry_keys.answered(("rating", str(self.rating_ticket["id"])))
        self.rating_ticket = None
        self._changed()

    # -- for the screen --------------------------------------------------------------------

    def heartbeat(self, status: dict[str, Any]) -> None:
        """Tell the hub this panel is alive and how it is (shown in the hub's device list)."""
        body = {"status": {**status, "clerk": self.session.username if self.session else None,
                           "locked": self.locked, "counter": self.counter_number}}  # fmt: skip

        def failed(exc: Exception) -> None:
            log.info("heartbeat not delivered: %s", exc)  # the stream reports the link

        self.tasks.run(
            lambda: self.client.post("/api/v1/devices/heartbeat", body), lambda _a: None, failed
        )

    def hub_now(self, now: float | None = None) -> float:
        """The hub's time now (Unix seconds), from this panel's clock and the seen difference."""
        local = self.clock() if now is None else now
        return local - (min(self._skews) if self._skews else 0.0)

    def elapsed_s(self, now: float | None = None) -> float | None:
        """Seconds since the current ticket was called, None when there is none."""
        ticket = self.view.current
        called = parse_time(ticket.get("called_at")) if ticket else None
        if called is None:
            return None
        return max(0.0, self.hub_now(now) - called)
