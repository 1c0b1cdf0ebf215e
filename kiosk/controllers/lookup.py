"""Dossier lookup: a code typed on the keypad or scanned, asked of the hub, and the answer.

The hub normalizes codes (case, spaces, a scanned lookup URL) and is the judge of what a code
is; the kiosk only refuses what cannot possibly be one, so even that gets an answer offline.
A code typed without its dots or dashes, or with spaces for them, is first read back into shape
(:mod:`kiosk.controllers.codes`); when it can be read more than one way the citizen chooses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from appliance.hublink import HubClient
from appliance.tasks import Tasks
from appliance.timefmt import office_time
from kiosk.controllers.base import Observable, error_code
from kiosk.controllers.codes import understood
from kiosk.controllers.services import Services

MAX_TYPED = 48  # the longest ministry code with room to spare
MIN_CODE = 8  # "H21-0012" is shorter than any real layout; less is a slip of the finger
DELETE, CLEAR = "DEL", "CLEAR"

# What the result screen shows for each outcome.
STAGES = (
    "entry", "checking", "found", "malformed", "unknown", "unavailable", "rate_limited",
    "ambiguous",  # typed without separators that matter: ``choices`` holds the readings
)  # fmt: skip


def press(text: str, key: str, max_length: int = MAX_TYPED) -> str:
    """The typed code after one key of the dossier-code keypad."""
    if key == DELETE:
        return text[:-1]
    if key == CLEAR:
        return ""
    if len(text) >= max_length:
        return text
    return text + key


class Lookup(Observable):
    """``stage`` is one of :data:`STAGES`; ``dossier`` and ``freshness`` hold a found answer."""

    def __init__(
        self,
        client: HubClient,
        tasks: Tasks,
        services: Services,
        today: Callable[[], dt.date] = lambda: office_time().date(),
    ) -> None:
        """``today``: the office's date (a receipt is never dated after it)."""
        super().__init__()
        self._today = today
        self._client = client
        self._tasks = tasks
        self._services = services
        self._seq = 0
        self.reset()

    def reset(self) -> None:
        """Forget the code and the answer."""
        self._seq += 1  # an answer still on its way is for a code nobody waits for
        self.code = ""
        self.choices: list[str] = []
        self.stage = "entry"
        self.dossier: dict[str, Any] | None = None
        self.freshness: dict[str, Any] | None = None
        self.changed()

    def press(self, key: str) -> None:
        """A key of the on-screen keypad."""
        self.code = press(self.code, key)
        if self.stage != "checking":
            self.stage = "entry"
        self.changed()

    def edit(self) -> None:
        """Back to the keypad with the code kept, to correct it."""
        self._seq += 1
        self.stage = "entry"
        self.changed()

    def scan(self, text: str) -> None:
        """A scanner read a code or a lookup URL: look it up at once."""
        self.code = text.strip()[:512]
        self.submit()

    def choose(self, code: str) -> None:
        """The citizen picked one reading of an ambiguous code: look that one up."""
        self.code = code
        self.submit()

    def submit(self) -> None:
        """Look up the current code."""
        code = self.code.strip()
        if len("".join(code.split())) < MIN_CODE:
            self.stage = "malformed"
            self.changed()
            return
        if not any(mark in code for mark in "/?:="):  # a scanned link goes to the hub as it is
            code, self.choices = understood(code, self._today())
            if len(self.choices) > 1:
                self._seq += 1
                self.stage = "ambiguous"
                self.changed()
                return
        self._seq += 1
        seq = self._seq
        self.stage, self.dossier, self.freshness = "checking", None, None
        self.changed()
        path = "/api/v1/dossiers/" + quote(code, safe="")
        self._tasks.run(
            lambda: self._client.get(path),
            lambda answer: self._answered(seq, answer),
            lambda exc: self._failed(seq, exc),
        )

    def _answered(self, seq: int, answer: dict[str, Any]) -> None:
        self._services.saw(None)
        if seq != self._seq:
            return
        self.dossier, self.freshness = answer.get("dossier"), answer.get("freshness") or {}
        self.code = str((self.dossier or {}).get("code") or self.code)  # a scanned URL, tidied
        self.stage = "found"
        self.changed()

    def _failed(self, seq: int, exc: Exception) -> None:
        self._services.saw(exc)
        if seq != self._seq:
            return
        code = error_code(exc)
        body = getattr(exc, "body", None)
        if isinstance(body, dict):  # the hub says which code it understood: keep that to edit
            self.code = str(body.get("error", {}).get("code_normalized") or self.code)
        self.stage = {
            "invalid_code": "malformed",
            "invalid": "malformed",
            "dossier_not_found": "unknown",
            "not_found": "unknown",
            "rate_limited": "rate_limited",
        }.get(code, "unavailable")  # offline, upstream_unavailable, anything unexpected
        self.changed()
