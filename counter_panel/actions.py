"""What the counter's buttons do: refuse what cannot be done now, saying why, and send the rest
through the :class:`~counter_panel.sender.ActionSender`, showing the answer at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from appliance.hublink import HubUnreachable
from appliance.records import Counter, Ticket
from counter_panel import rules
from counter_panel.clerk_session import ClerkSession
from counter_panel.live_queue import LiveQueue
from counter_panel.messages import ENDPOINTS, SUCCESS, Notice
from counter_panel.sender import ActionSender, Say, error_code, refused


def _counter_answer(answer: Any) -> tuple[Counter | None, Ticket | None]:
    """A counter action's answer: ``{"ticket": Ticket, "counter": Counter}`` (pause and resume
    carry only the counter)."""
    answer = answer if isinstance(answer, dict) else {}
    counter, ticket = answer.get("counter"), answer.get("ticket")
    return (
        Counter.from_wire(counter) if counter else None,
        Ticket.from_wire(ticket) if ticket else None,
    )


class CounterActions:
    """What the counter's buttons do (call_next, recall, call_number, start, finish, no_show,
    transfer, pause), for the clerk logged in."""

    def __init__(
        self,
        queue: LiveQueue,
        sender: ActionSender,
        clerk: ClerkSession,
        say: Say,
        changed: Callable[[], None],
        finished: Callable[[Ticket], None],
        refresh: Callable[[], None],
    ) -> None:
        self._queue = queue
        self._sender = sender
        self._clerk = clerk
        self._say = say
        self._changed = changed
        self._finished = finished  # a ticket was finished here: its citizen may rate
        self._refresh = refresh

    def refusal(
        self, action: str, *, ignore_busy: bool = False, leaving: bool = False
    ) -> str | None:
        """Why ``action`` cannot be pressed now (a msgid), or None when it can.

        ``ignore_busy`` leaves out "a press is on its way": the screen need not grey (and
        re-render) every button for the few milliseconds a press usually takes, while
        :meth:`act` still refuses a second press. ``leaving``: judge as if the ticket at the
        counter had gone (a no-show about to be sent goes first).
        """
        view = self._queue.view
        return rules.refusal(
            action,
            logged_in=self._clerk.session is not None,
            locked=self._clerk.locked,
            online=self._queue.online,
            busy=self._sender.busy is not None and not ignore_busy,
            counter_state=view.counter_state,
            current=None if leaving else view.current,
            waiting=view.waiting_total(),
        )

    def act(self, action: str, then: Callable[[], None] | None = None, **params: Any) -> bool:
        """Send ``action`` (``number=`` for call_number, ``service=`` or ``counter=`` for
        transfer) to the hub; ``then`` runs after its answer. False when refused; the notice
        says why."""
        self._clerk.touch()
        if self._sender.busy is not None:
            return False  # a double tap: the first press is still on its way
        reason = self.refusal(action)
        request = rules.request(action, params, self._queue.view.counter_state)
        if reason is not None or isinstance(request, str):
            self._say(Notice("error", reason or str(request)))
            self._changed()
            return False
        action, body = request
        press = (action, repr(sorted(body.items())))
        path, echo = ENDPOINTS[action]
        self._queue.pressed()
        return self._sender.send(
            action,
            f"/api/v1/counters/{self._queue.counter_number}/{path}",
            body,
            press=press,
            token=self._clerk.token(),
            done=lambda answer: self._acted(action, echo, body, *answer, then=then),
            failed=self._act_failed,
            parse=_counter_answer,
        )

    def _acted(
        self,
        action: str,
        echo: str,
        body: dict[str, Any],
        counter: Counter | None,
        ticket: Ticket | None,
        then: Callable[[], None] | None = None,
    ) -> None:
        self._sender.retry_keys.clear()  # answered: whatever was left unanswered is history now
        self._queue.answered(echo, counter, ticket)
        target = ""
        if action == "transfer":
            target = body.get("service") or self._counter_name(body.get("counter"))
        number = ticket.number if ticket else ""
        self._say(Notice("info", SUCCESS[action], {"number": number, "target": target}))
        if action == "finish" and ticket is not None:
            self._finished(ticket)
        self._changed()
        if then is not None:
            then()

    def _counter_name(self, number: Any) -> str:
        counter = self._queue.view.counters.get(number)
        return counter.name if counter and counter.name else str(number)

    def _act_failed(self, exc: Exception) -> None:
        code = error_code(exc)
        if code == "unauthorized":
            self._clerk.end()
        self._say(refused(code))
        if isinstance(exc, HubUnreachable):
            self._queue.live.saw(exc)
        self._changed()
        if code in ("conflict", "not_found", "queue_empty", "offline"):
            self._refresh()  # show what is true now rather than what the panel assumed
