"""The SMS service: one thread that owns the modem, reads what arrives, answers, and sends.

Each turn of its loop: read the modem's memory when a ``+CMTI`` came or the poll is due, answer
what was recorded (the answer is queued in the same transaction that marks the message
answered), send at most one SMS when the send interval has passed, and otherwise listen for the
next ``+CMTI``. Anything the modem does wrong (unplugged, silent, no SIM, no network, noise)
changes :attr:`SmsService.modem.status` and a retry with backoff; it never stops the hub: the
service keeps answering into the queue while the modem is away, and the queue drains when it
is back.
"""

from __future__ import annotations

import collections
import functools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from hub.config import SmsConfig
from hub.sms import messages, pdu
from hub.sms.modem import (
    CommandError,
    Modem,
    ModemError,
    ModemGone,
    ModemNotReady,
    ModemTimeout,
    PromptTimeout,
)
from hub.sms.outbox import Pending, SmsStore, can_reply, normalize_phone

log = logging.getLogger(__name__)

Answerer = Callable[[messages.Request], tuple[str, str]]  # request -> (kind, reply text)
PARTS_TIMEOUT_S = 600.0  # a long message missing a part this long is answered with what came
NETWORK_CHECK_S = 15.0  # registration and signal, two short AT commands


class SmsService:
    """Answers SMS through ``modem``, recording in ``outbox``; :meth:`start` runs the thread."""

    def __init__(
        self,
        settings: SmsConfig,
        outbox: SmsStore,
        answer: Answerer,
        gettext: messages.Gettext,
        modem: Modem | None = None,
        ticket: Callable[[int], dict[str, Any] | None] | None = None,
    ) -> None:
        self.settings = settings
        self.outbox = outbox
        self.answer = answer
        self._ = gettext
        self.ticket = ticket  # ticket id -> its queue view (None: gone), for notices
        self._watches_due = 0.0
        self.modem = modem or Modem(
            settings.ports, settings.baudrate, settings.pin, settings.mode,
            settings.command_timeout_s, settings.send_timeout_s,
        )  # fmt: skip
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = False
        self.latencies_ms: collections.deque[float] = collections.deque(maxlen=200)
        self.last_in_at: float | None = None
        self.last_out_at: float | None = None
        self.uncertain_at_start = 0
        self._next_send = 0.0
        self._inbox_due = 0.0
        self._network_due = 0.0
        self._counts: dict[str, int] = {}
        self._counts_at = -1e9

    # --- thread ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the service's thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, name="motcua-sms", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and let go of the modem."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.modem.close()

    def run(self) -> None:
        """The loop (the thread's body)."""
        self.uncertain_at_start = self.outbox.recover()
        if self.uncertain_at_start:
            log.warning("sms: %d replies were being sent when the hub stopped; not resent",
                        self.uncertain_at_start)  # fmt: skip
        backoff = 1.0
        while not self._stop.is_set():
            try:
                if not self.connected:
                    self._answer_pending()  # answers queue up while the modem is away
                    self._connect()
                    backoff = 1.0
                self.turn()
            except ModemNotReady as exc:
                self._down(exc.state, str(exc))
            except ModemTimeout as exc:
                self._down("unresponsive", str(exc))
                self._try_reset()
            except ModemGone as exc:
                self._down("absent", str(exc))
            except (ModemError, OSError) as exc:
                self._down("error", str(exc))
            except sqlite3.Error as exc:  # a busy or full disk: try again in a moment
                log.error("sms: database: %s", exc)
                self._stop.wait(1.0)
            except Exception:  # a bug here must not end SMS service for the day
                log.exception("sms: unexpected failure")
                self.connected = False
            if not self.connected:
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)  # a re-plugged modem is found within 10 s

    def _connect(self) -> None:
        self.modem.connect()
        self.connected = True
        self._inbox_due = 0.0  # read what arrived while we were away
        self._network_due = time.monotonic() + NETWORK_CHECK_S
        log.info("sms: modem ready on %s (%s mode, signal %s dBm, %s)", self.modem.status.port,
                 self.modem.status.mode, self.modem.status.signal_dbm,
                 self.modem.status.state)  # fmt: skip

    def _down(self, state: str, error: str) -> None:
        if self.connected or self.modem.status.error != error:
            log.warning("sms: modem %s: %s", state, error)
        self.connected = False
        self.modem.status.state = state
        self.modem.status.error = error

    def _try_reset(self) -> None:
        try:
            self.modem.reset()
            self.connected = True
            self._inbox_due = 0.0
            log.info("sms: modem answered again after a reset")
        except ModemNotReady as exc:
            self._down(exc.state, str(exc))
        except (ModemError, OSError) as exc:
            self._down("unresponsive", f"still silent after a reset: {exc}")

    # --- one turn --------------------------------------------------------------------------

    def turn(self) -> None:
        """Read, answer, send, then listen until the next thing to do (at most 0.5 s)."""
        now = time.monotonic()
        if now >= self._inbox_due:
            self.read_inbox()
            self._inbox_due = now + self.settings.poll_s
        self._answer_pending()
        if self.settings.notify_ahead and self.ticket is not None and now >= self._watches_due:
            self.check_watches()
            self._watches_due = now + 1.0
        if now >= self._network_due:
            self.modem.check_network()
            down_s = min(10.0, self.settings.poll_s)  # while it is lost, look again soon
            self._network_due = now + (NETWORK_CHECK_S if self.modem.status.registered else down_s)
        if now >= self._next_send and self.send_one():
            self._next_send = time.monotonic() + self.settings.send_interval_s
        wait = min(0.5, max(0.0, self._next_send - time.monotonic()) or 0.5)
        if self.modem.wait_for_message(wait):
            self._inbox_due = 0.0

    def read_inbox(self) -> int:
        """Record every message in the modem's memory, then delete it there; how many."""
        count = 0
        for item in self.modem.list_messages():
            m = item.message
            release: Callable[[], None] | None = None
            if m is not None:
                phone = normalize_phone(m.sender, self.settings.country_code)
                c = m.concat
                if c is not None and c.total > 1:
                    part = self.outbox.receive_part(phone, c.ref, c.total, c.seq, m.text)
                    release = functools.partial(self.outbox.release_part, part)
                else:
                    key = self.outbox.receive(phone, m.text, m.timestamp.isoformat(), item.index)
                    release = functools.partial(self.outbox.release, key)
                self.last_in_at = time.time()
                count += 1
            # Deleted only after it is committed (a crash before this reads it again, and its
            # record, not yet released, ignores it); an unreadable one is deleted so it cannot
            # fill the SIM.
            self.modem.delete(item.index)
            if release is not None:
                release()
        self.outbox.flush_parts(PARTS_TIMEOUT_S)
        return count

    def _answer_pending(self) -> None:
        for message in self.outbox.pending():
            kind, text = self._reply_for(message)
            if text is None:
                self.outbox.answer(message, kind, None)
                continue
            text, alphabet, parts = self.fit(text)
            self.outbox.answer(message, kind, text, alphabet, parts)
            self.latencies_ms.append(max(0.0, (time.time() - message.created_at) * 1000))

    def _reply_for(self, message: Pending) -> tuple[str, str | None]:
        if not can_reply(message.phone):
            return "no_reply", None
        now = time.time()
        hour = self.outbox.received_since(message, now - 3600)
        day = self.outbox.received_since(message, now - 86400)
        s = self.settings
        if hour > s.per_number_hour or day > s.per_number_day:
            # One notice when the allowance runs out, then silence: replies cost money.
            first_over = hour == s.per_number_hour + 1 or day == s.per_number_day + 1
            return "limit", messages.limit_reply(self._) if first_over else None
        request = messages.parse(message.body)
        try:
            return self.answer(request)
        except Exception:  # a bug or a broken store must not leave the message unanswered
            log.exception("sms: answering message %d failed", message.id)
            if request.kind == "dossier":
                return "error", messages.unavailable_reply(request.value, self._)
            return "error", messages.help_reply(self._)

    def check_watches(self) -> None:
        """Queue a notice for each watched ticket with ``notify_ahead`` or fewer ahead; forget
        the watches of tickets that left the line."""
        assert self.ticket is not None
        for ticket_id, _phone, phone_hash in self.outbox.watches():
            view = self.ticket(ticket_id)
            if view is None or view["state"] != "waiting":
                self.outbox.unwatch(ticket_id)
            elif view["ahead"] is not None and view["ahead"] <= self.settings.notify_ahead:
                if self.outbox.sent_to_since(phone_hash, time.time() - 86400) >= (
                    self.settings.per_number_day
                ):
                    self.outbox.unwatch(ticket_id)  # the number had its day's allowance
                    continue
                text, alphabet, parts = self.fit(messages.ahead_notice(view, self._))
                self.outbox.notify(ticket_id, text, alphabet, parts)

    def fit(self, text: str) -> tuple[str, str, int]:
        """(text, alphabet, parts) as it will be sent: unaccented if so configured or the modem
        has only text mode, and cut to ``max_parts`` SMS."""
        if self.settings.unaccented or self.modem.status.mode == "text":
            text = messages.unaccented(text)
        alphabet = pdu.choose_alphabet(text)
        parts = pdu.split_text(text, alphabet)
        room = pdu.PART_LIMIT[alphabet] * self.settings.max_parts - 3
        while len(parts) > self.settings.max_parts:  # (escapes count twice: may take two cuts)
            text = text[:room].rstrip() + "..."
            parts = pdu.split_text(text, alphabet)
            room -= 8
        return text, alphabet, len(parts)

    def send_one(self) -> bool:
        """Send the next part of the oldest due reply; True if a part went out."""
        if not self.modem.status.registered:
            return False
        reply = self.outbox.next_reply()
        if reply is None:
            return False
        sends: list[Callable[[], int]]
        if self.modem.status.mode == "text":  # no concatenation: separate messages
            sends = [
                lambda b=b: self.modem.send_text(reply.phone, b)
                for b in pdu.split_text(reply.body, pdu.GSM7)
            ]
        else:
            submits = pdu.encode_submit(reply.phone, reply.body, reply.alphabet, ref=reply.ref)
            sends = [lambda s=s: self.modem.send(s) for s in submits]
        index = reply.parts_sent
        self.outbox.sending(reply.id)
        try:
            reference = sends[index]()
        except CommandError as exc:
            self._send_failed(reply.attempts, reply.id, exc)
            return True  # the modem was busy with it: the interval still applies
        except PromptTimeout as exc:  # nothing was handed over: safe to try again
            self.outbox.retry(reply.id, str(exc), self.settings.retry_after_s)
            raise
        except (ModemTimeout, ModemGone) as exc:
            self.outbox.uncertain(reply.id, str(exc))
            raise
        self.outbox.part_sent(reply.id, reference, last=index + 1 >= len(sends))
        self.last_out_at = time.time()
        return True

    def _send_failed(self, attempts: int, reply_id: int, exc: CommandError) -> None:
        if exc.code in (331, 332):  # no network: check it before the next send
            self._network_due = 0.0
        if exc.temporary and attempts + 1 < self.settings.max_attempts:
            delay = self.settings.retry_after_s * 2**attempts
            log.info("sms: reply %d not sent (%s); retry in %.0f s", reply_id, exc, delay)
            self.outbox.retry(reply_id, str(exc), delay)
        else:
            log.warning("sms: reply %d given up: %s", reply_id, exc)
            self.outbox.failed(reply_id, str(exc))

    # --- health ----------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """The modem's state and the queue, for ``/healthz``."""
        st = self.modem.status
        now = time.monotonic()
        if now - self._counts_at > 2.0:  # a full count of the record, at most every 2 s
            self._counts, self._counts_at = self.outbox.counts(), now
        counts = self._counts
        lat = sorted(self.latencies_ms)
        return {
            "state": st.state,
            "ok": st.state == "ready",
            "port": st.port,
            "mode": st.mode,
            "signal_dbm": st.signal_dbm,
            "registered": st.registered,
            "error": st.error,
            "resets": st.resets,
            "noise_lines": st.noise_lines,
            "queued": counts.get("out_queued", 0) + counts.get("out_sending", 0),
            "sent": counts.get("out_sent", 0),
            "failed": counts.get("out_failed", 0),
            "uncertain": counts.get("out_uncertain", 0),
            "received": sum(v for k, v in counts.items() if k.startswith("in_")),
            "answer_ms_p50": round(lat[len(lat) // 2], 1) if lat else None,
            "last_in_at": self.last_in_at,
            "last_out_at": self.last_out_at,
        }
