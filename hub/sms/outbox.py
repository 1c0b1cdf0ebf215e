"""The SMS record and reply queue, in the hub's SQLite file (tables from migration 0200_sms).

Durability, step by step:

1. A message read from the modem is committed (``new``) before it is deleted from the modem, so
   a crash in between reads it again, and its ``dedupe`` key makes the second reading a no-op.
2. Answering it commits the reply (``queued``) and marks the message ``answered`` in one
   transaction: a crash leaves either the message to answer again or the reply to send.
3. A reply is marked ``sending`` (committed) before each part goes to the modem and counted
   after the modem confirms it. A reply found ``sending`` at start-up may or may not have left:
   it becomes ``uncertain`` and is not sent again. That is the one window (a few seconds per
   crash) in which a reply can be lost; the alternative, sending it again, could send it twice.

Phone numbers are stored as keyed hashes (HMAC-SHA256 with a key kept in ``settings``: a plain
hash of a 10-digit number is reversed by trying them all). The number itself is kept only while
a message waits for its answer or a reply waits to be sent, then erased.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub.db import Store

KEY_SETTING = "sms_phone_key"
_GROUP = "phone_hash = ? AND ref = ? AND total = ?"
_PART = _GROUP + " AND seq = ?"
PartKey = tuple[str, int, int, int]


@dataclass(frozen=True)
class Pending:
    """A message waiting for its answer."""

    id: int
    phone: str
    phone_hash: str
    body: str
    created_at: float


@dataclass(frozen=True)
class Reply:
    """A reply waiting to go: sent from part ``parts_sent`` on."""

    id: int
    phone: str
    body: str
    alphabet: str
    parts: int
    parts_sent: int
    attempts: int
    ref: int  # the concatenation reference its parts share


def normalize_phone(raw: str, country_code: str = "84") -> str:
    """``0912 345 678``, ``84912345678`` and ``+84912345678`` all become ``+84912345678``;
    an alphanumeric sender (an operator's notice) is returned as it is."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    if not digits or any(ch.isalpha() for ch in raw):
        return raw.strip()
    if raw.strip().startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return f"+{country_code}{digits[1:]}"
    if digits.startswith(country_code) and len(digits) > 9:
        return "+" + digits
    return digits  # a short code: kept as dialled


def can_reply(phone: str) -> bool:
    """Only a number can get an SMS back (not an alphanumeric sender, not a short code)."""
    return phone.startswith("+") and phone[1:].isdigit()


class SmsStore:
    """The SMS tables of ``store``."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        self._key: bytes | None = None

    def _phone_key(self) -> bytes:
        if self._key is None:
            with self.store.write() as conn:
                row = conn.execute("SELECT value FROM settings WHERE key = ?", (KEY_SETTING,))
                found = row.fetchone()
                if found is None:
                    value = secrets.token_hex(32)
                    conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)",
                                 (KEY_SETTING, value))  # fmt: skip
                else:
                    value = found[0]
            self._key = bytes.fromhex(value)
        return self._key

    def hash_phone(self, phone: str) -> str:
        """The stored form of a (normalized) phone number."""
        return hmac.new(self._phone_key(), phone.encode(), hashlib.sha256).hexdigest()[:32]

    # --- incoming --------------------------------------------------------------------------

    def receive(self, phone: str, body: str, stamp: str, index: int) -> str:
        """Record a whole message from ``phone`` sent at ``stamp``, stored at ``index`` in the
        modem, unless it is recorded already (read again after a crash); the key to
        :meth:`release` once the modem has deleted it."""
        phone_hash = self.hash_phone(phone)
        dedupe = self.hash_phone(f"{phone}|{stamp}|{index}|{body}")
        with self.store.write() as conn:
            self._insert_in(conn, phone, phone_hash, body, dedupe)
        return dedupe

    def release(self, dedupe: str) -> None:
        """The modem deleted the message: the same text at the same index is a new one now."""
        with self.store.write() as conn:
            conn.execute("UPDATE sms_messages SET dedupe = NULL WHERE dedupe = ?", (dedupe,))

    def _insert_in(
        self, conn: sqlite3.Connection, phone: str, phone_hash: str, body: str, dedupe: str | None
    ) -> int | None:
        cursor = conn.execute(
            "INSERT OR IGNORE INTO sms_messages (direction, phone_hash, phone, body, kind,"
            " dedupe, state, created_at) VALUES ('in', ?, ?, ?, 'unknown', ?, 'new', ?)",
            (phone_hash, phone, body, dedupe, self.clock()),
        )
        return cursor.lastrowid if cursor.rowcount else None

    def receive_part(self, phone: str, ref: int, total: int, seq: int, body: str) -> PartKey:
        """Record one part of a long message (the message itself once every part is in); the
        key to :meth:`release_part` once the modem has deleted the part."""
        phone_hash = self.hash_phone(phone)
        group = (phone_hash, ref, total)
        with self.store.write() as conn:
            # A part read again after a crash is still here (used or not) and is ignored.
            conn.execute(
                "INSERT OR IGNORE INTO sms_parts (phone_hash, phone, ref, total, seq, body,"
                " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (phone_hash, phone, ref, total, seq, body, self.clock()),
            )
            rows = conn.execute(
                f"SELECT seq, body FROM sms_parts WHERE {_GROUP} AND used = 0 ORDER BY seq", group
            ).fetchall()
            if len(rows) == total:
                self._assemble(conn, phone, group, rows)
        return (phone_hash, ref, total, seq)

    def release_part(self, key: PartKey) -> None:
        """The modem deleted this part: forget it once its message was assembled."""
        with self.store.write() as conn:
            conn.execute(f"DELETE FROM sms_parts WHERE {_PART} AND used = 1", key)
            conn.execute(f"UPDATE sms_parts SET on_sim = 0 WHERE {_PART}", key)

    def _assemble(
        self, conn: sqlite3.Connection, phone: str, group: tuple[str, int, int], rows: list[Any]
    ) -> None:
        self._insert_in(conn, phone, group[0], "".join(r[1] for r in rows), None)
        # Parts still in the modem stay, marked used, until it has deleted them: read again,
        # they must not start the message over.
        conn.execute(f"DELETE FROM sms_parts WHERE {_GROUP} AND on_sim = 0", group)
        conn.execute(f"UPDATE sms_parts SET used = 1 WHERE {_GROUP}", group)

    def flush_parts(self, older_than_s: float) -> None:
        """Long messages with a part missing for ``older_than_s``: take what arrived."""
        cutoff = self.clock() - older_than_s
        with self.store.write() as conn:
            groups = conn.execute(
                "SELECT phone_hash, ref, total, max(phone) FROM sms_parts WHERE used = 0"
                " GROUP BY phone_hash, ref, total HAVING min(received_at) < ?",
                (cutoff,),
            ).fetchall()
            for phone_hash, ref, total, phone in groups:
                group = (phone_hash, ref, total)
                rows = conn.execute(
                    f"SELECT seq, body FROM sms_parts WHERE {_GROUP} AND used = 0 ORDER BY seq",
                    group,
                ).fetchall()
                self._assemble(conn, phone, group, rows)

    def pending(self) -> list[Pending]:
        """Messages not answered yet, oldest first."""
        rows = self.store.conn().execute(
            "SELECT id, phone, phone_hash, body, created_at FROM sms_messages"
            " WHERE direction = 'in' AND state = 'new' ORDER BY id"
        )
        return [Pending(*r) for r in rows]

    def received_since(self, message: Pending, since: float) -> int:
        """How many messages the sender of ``message`` sent from ``since`` up to and including
        it (for the per-number limits; later ones may be recorded already)."""
        row = self.store.conn().execute(
            "SELECT count(*) FROM sms_messages WHERE phone_hash = ? AND direction = 'in'"
            " AND created_at >= ? AND id <= ?",
            (message.phone_hash, since, message.id),
        )
        row = row.fetchone()
        return int(row[0])

    def answer(
        self, message: Pending, kind: str, reply: str | None, alphabet: str = "", parts: int = 1
    ) -> int | None:
        """Mark ``message`` answered and queue ``reply`` (None: no reply: over its limit, or a
        sender that cannot receive one)."""
        now = self.clock()
        with self.store.write() as conn:
            state = "answered" if reply is not None else "limited"
            conn.execute(
                "UPDATE sms_messages SET state = ?, kind = ?, phone = NULL, done_at = ?"
                " WHERE id = ? AND state = 'new'",
                (state, kind, now, message.id),
            )
            if reply is None:
                return None
            cursor = conn.execute(
                "INSERT INTO sms_messages (direction, phone_hash, phone, body, kind, in_id, state,"
                " alphabet, parts, next_try_at, created_at)"
                " VALUES ('out', ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)",
                (message.phone_hash, message.phone, reply, kind, message.id, alphabet, parts,
                 now, now),
            )  # fmt: skip
            return cursor.lastrowid

    # --- outgoing --------------------------------------------------------------------------

    def recover(self) -> int:
        """At start: replies caught mid-send become ``uncertain`` (not sent again)."""
        with self.store.write() as conn:
            return conn.execute(
                "UPDATE sms_messages SET state = 'uncertain', phone = NULL, done_at = ?,"
                " error = 'the hub stopped while sending it' WHERE direction = 'out'"
                " AND state = 'sending'",
                (self.clock(),),
            ).rowcount

    def next_reply(self) -> Reply | None:
        """The oldest reply due now."""
        row = (
            self.store.conn()
            .execute(
                "SELECT id, phone, body, alphabet, parts, parts_sent, attempts FROM sms_messages"
                " WHERE direction = 'out' AND state = 'queued' AND next_try_at <= ?"
                " ORDER BY next_try_at, id LIMIT 1",
                (self.clock(),),
            )
            .fetchone()
        )
        return None if row is None else Reply(*row, ref=row[0] % 256)

    def sending(self, reply_id: int) -> None:
        """The next part is about to go to the modem."""
        with self.store.write() as conn:
            conn.execute(
                "UPDATE sms_messages SET state = 'sending' WHERE id = ?",
                (reply_id,),
            )

    def part_sent(self, reply_id: int, reference: int, last: bool) -> None:
        """The modem accepted a part; after the ``last`` one the reply is sent."""
        with self.store.write() as conn:
            conn.execute(
                "UPDATE sms_messages SET parts_sent = parts_sent + 1,"
                " refs = coalesce(refs || ',', '') || ?, state = ?, phone = CASE WHEN ? THEN"
                " NULL ELSE phone END, done_at = CASE WHEN ? THEN ? ELSE done_at END"
                " WHERE id = ?",
                (str(reference), "sent" if last else "queued", last, last, self.clock(),
                 reply_id),
            )  # fmt: skip

    def retry(self, reply_id: int, error: str, delay_s: float) -> None:
        """Sending failed for now: try again after ``delay_s``."""
        with self.store.write() as conn:
            conn.execute(
                "UPDATE sms_messages SET state = 'queued', error = ?, next_try_at = ?,"
                " attempts = attempts + 1 WHERE id = ?",
                (error, self.clock() + delay_s, reply_id),
            )

    def uncertain(self, reply_id: int, error: str) -> None:
        """The modem took a part and then failed: it may have gone; never send it again."""
        with self.store.write() as conn:
            conn.execute(
                "UPDATE sms_messages SET state = 'uncertain', error = ?, phone = NULL,"
                " done_at = ? WHERE id = ?",
                (error, self.clock(), reply_id),
            )

    def failed(self, reply_id: int, error: str) -> None:
        """The reply will never go (refused, or too many tries)."""
        with self.store.write() as conn:
            conn.execute(
                "UPDATE sms_messages SET state = 'failed', error = ?, phone = NULL, done_at = ?,"
                " attempts = attempts + 1 WHERE id = ?",
                (error, self.clock(), reply_id),
            )

    # --- notices for tickets ---------------------------------------------------------------

    def watch(self, ticket_id: int, phone: str) -> bool:
        """Keep ``phone`` to tell about ``ticket_id``; False if the ticket has a number already."""
        with self.store.write() as conn:
            return bool(
                conn.execute(
                    "INSERT OR IGNORE INTO sms_watches (ticket_id, phone, phone_hash, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (ticket_id, phone, self.hash_phone(phone), self.clock()),
                ).rowcount
            )

    def watches(self) -> list[tuple[int, str, str]]:
        """(ticket id, phone, phone hash) of every ticket someone waits to hear about."""
        rows = self.store.conn().execute("SELECT ticket_id, phone, phone_hash FROM sms_watches")
        return [tuple(r) for r in rows]  # type: ignore[misc]

    def unwatch(self, ticket_id: int) -> None:
        """Forget a watch (its ticket left the line) and the number with it."""
        with self.store.write() as conn:
            conn.execute("DELETE FROM sms_watches WHERE ticket_id = ?", (ticket_id,))

    def sent_to_since(self, phone_hash: str, since: float) -> int:
        """Replies and notices to ``phone_hash`` queued since ``since``."""
        row = self.store.conn().execute(
            "SELECT count(*) FROM sms_messages WHERE phone_hash = ? AND direction = 'out'"
            " AND created_at >= ?",
            (phone_hash, since),
        )
        return int(row.fetchone()[0])

    def notify(self, ticket_id: int, body: str, alphabet: str, parts: int) -> int | None:
        """Queue the notice for a watched ticket and forget the watch, in one transaction."""
        now = self.clock()
        with self.store.write() as conn:
            row = conn.execute(
                "SELECT phone, phone_hash FROM sms_watches WHERE ticket_id = ?", (ticket_id,)
            ).fetchone()
            if row is None:
                return None
            conn.execute("DELETE FROM sms_watches WHERE ticket_id = ?", (ticket_id,))
            cursor = conn.execute(
                "INSERT INTO sms_messages (direction, phone_hash, phone, body, kind, state,"
                " alphabet, parts, next_try_at, created_at)"
                " VALUES ('out', ?, ?, ?, 'notice', 'queued', ?, ?, ?, ?)",
                (row[1], row[0], body, alphabet, parts, now, now),
            )
            return cursor.lastrowid

    def counts(self) -> dict[str, int]:
        """Messages by direction and state (for the health endpoint)."""
        rows = self.store.conn().execute(
            "SELECT direction || '_' || state, count(*) FROM sms_messages GROUP BY 1"
        )
        return {r[0]: r[1] for r in rows}
