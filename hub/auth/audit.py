"""The audit trail: who did what, when, from which device and address.

Written in the same transaction as the change it records, so the trail and the data never
disagree. Queue events carry ``by`` too; this table also holds what has no event (logins,
failed logins, enrolments, revocations, administration from the CLI).
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

from hub.auth.access import Principal
from hub.queue.writer import Tx

COLUMNS = ("at", "username", "device_id", "role", "address", "action", "target", "detail")


def audit(
    tx: Tx | sqlite3.Connection,
    p: Principal | None,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    *,
    username: str | None = None,
    address: str | None = None,
) -> None:
    """Append one audit line; ``p`` None means the system or the local CLI."""
    now = tx.now if isinstance(tx, Tx) else time.time()
    row = (
        now,
        p.username if p else username,
        p.device_id if p else None,
        p.role if p else ("cli" if address is None else None),
        p.address if p else address,
        action,
        target,
        json.dumps(detail, ensure_ascii=False) if detail else None,
    )
    if isinstance(tx, Tx):
        tx.insert("audit", COLUMNS, row)  # written with the batch, in one statement
    else:
        tx.execute(f"INSERT INTO audit ({', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
