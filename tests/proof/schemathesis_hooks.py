"""Hooks that tell schemathesis the one rule a schema cannot say: an ``Idempotency-Key`` names
one request. Reusing a key for another request is refused by design (422), so every generated
request that carries a well-formed key gets a fresh one; malformed keys are left to be refused."""

from __future__ import annotations

import re
import uuid
from typing import Any

import schemathesis

_WELL_FORMED = re.compile(r"^[!-~]{1,100}$")


@schemathesis.hook
def map_headers(ctx: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    """A fresh key for each generated request whose key is well formed."""
    if headers and _WELL_FORMED.match(str(headers.get("Idempotency-Key", ""))):
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return headers
