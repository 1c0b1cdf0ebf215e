"""Hooks that tell schemathesis the one rule a schema cannot say: an ``Idempotency-Key`` names
one request. Reusing a key for another request is refused by design (422), so every request that
carries a well-formed key is sent with a fresh one, in every phase (hence ``before_call``, which
runs just before each request, rather than a generation hook); malformed keys are left alone, to
be refused."""

from __future__ import annotations

import re
import uuid
from typing import Any

import schemathesis

_WELL_FORMED = re.compile(r"^[!-~]{1,100}$")


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """A fresh key for each request whose key is well formed."""
    headers = case.headers
    if headers and _WELL_FORMED.match(str(headers.get("Idempotency-Key", ""))):
        headers["Idempotency-Key"] = str(uuid.uuid4())
