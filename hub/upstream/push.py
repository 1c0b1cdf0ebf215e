"""Push adapter: the back end calls the hub's webhook with changed dossiers.

Each delivery is signed: ``X-Motcua-Signature: sha256=<hex>`` is HMAC-SHA256 with the shared
secret over ``{timestamp}.{delivery id}.`` followed by the raw body, with the timestamp in
``X-Motcua-Timestamp`` (unix seconds) and a unique ``X-Motcua-Delivery`` id. A delivery older
or newer than :data:`TOLERANCE_S` is refused, and so is a delivery id seen before, so a captured
request cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping as HeaderMap
from typing import Any

from hub.digits import is_digits

TOLERANCE_S = 300
MAX_BODY = 2 * 1024 * 1024
MAX_RECORDS = 1000
_DELIVERY = re.compile(r"^[A-Za-z0-9._:\-]{8,100}$")


class SignatureError(ValueError):
    """The delivery is not signed by the back end, or is too old; the message says which."""


def sign(secret: str, timestamp: int, delivery: str, body: bytes) -> str:
    """The ``X-Motcua-Signature`` value for a delivery (what the back end computes)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{delivery}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, delivery: str, body: bytes, now: float | None = None) -> dict:
    """All three headers for a delivery of ``body``."""
    stamp = int(time.time() if now is None else now)
    return {
        "X-Motcua-Timestamp": str(stamp),
        "X-Motcua-Delivery": delivery,
        "X-Motcua-Signature": sign(secret, stamp, delivery, body),
        "Content-Type": "application/json",
    }


def verify(secret: str, headers: HeaderMap[str, Any], body: bytes, now: float) -> str:
    """The delivery id of a correctly signed, current delivery; else :class:`SignatureError`."""
    stamp_text = str(headers.get("X-Motcua-Timestamp") or "")
    delivery = str(headers.get("X-Motcua-Delivery") or "")
    given = str(headers.get("X-Motcua-Signature") or "")
    if not is_digits(stamp_text, 12):
        raise SignatureError("X-Motcua-Timestamp must be unix seconds")
    if not _DELIVERY.match(delivery):
        raise SignatureError("X-Motcua-Delivery must be 8-100 letters, digits or ._:-")
    if not given.startswith("sha256="):
        raise SignatureError("X-Motcua-Signature must be sha256=<hex>")
    expected = sign(secret, int(stamp_text), delivery, body)
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise SignatureError("the signature does not match")
    # Checked after the signature, so an unsigned request learns nothing about our clock.
    if abs(now - int(stamp_text)) > TOLERANCE_S:
        raise SignatureError(f"the delivery is more than {TOLERANCE_S} s away from the hub's clock")
    return delivery
