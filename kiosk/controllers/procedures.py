"""Procedure information: search (diacritics optional), browse by field, one procedure's detail."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from appliance.hublink import HubClient
from appliance.tasks import Tasks
from kiosk.controllers import vnkeys
from kiosk.controllers.base import Observable, error_code
from kiosk.controllers.services import Services

PAGE = 20


class Procedures(Observable):
    """``stage``: ``browse`` (fields), ``results``, ``detail``; ``loading`` while asking the hub.

    ``error`` holds the API code of the last failure (``offline``, ``rate_limited``…) until the
    next success. Answers that arrive after the citizen moved on are dropped. When the hub finds
    nothing that means the query, ``not_found`` is set and ``suggested_fields`` holds the fields
    to browse instead. ``show_raw`` switches the open procedure to its text as the back end sent
    it ("văn bản gốc").

    Lists and searches keep to the procedures this office handles (set in the console); with
    ``everywhere`` they cover the whole catalogue. ``elsewhere`` says that the whole catalogue's
    answer to the shown search holds procedures this office does not handle, so "Tìm trong tất
    cả thủ tục" would show something new.
    """

    def __init__(self, client: HubClient, tasks: Tasks, services: Services) -> None:
        super().__init__()
        self._client = client
        self._tasks = tasks
        self._services = services
        self._seq = 0
        self.fields: list[dict[str, Any]] = []
        self.everywhere = False
        self.reset()

    def reset(self) -> None:
        """Forget the query, the results and the open procedure (fields stay: they are public)."""
        self._seq += 1
        self.query = ""
        self.field: str | None = None
        self.stage = "browse"
        self.results: list[dict[str, Any]] = []
        self.total = 0
        self.results_for = ""  # the query the shown results answer
        self.not_found = False
        self.suggested_fields: list[dict[str, Any]] = []
        self.procedure: dict[str, Any] | None = None
        self.show_raw = False
        self.loading = False
        self.error: str | None = None
        self.typing = False  # the on-screen keyboard is open
        self.elsewhere = False
        self._opening: str | None = None
        if self.everywhere:  # the next citizen starts with this office's procedures again
            self.everywhere = False
            self.load_fields()
        self.changed()

    def start_typing(self) -> None:
        """Open the keyboard (the search box was tapped)."""
        self.typing = True
        self.changed()

    def stop_typing(self) -> None:
        """Close the keyboard, leaving the whole screen to the list."""
        self.typing = False
        self.changed()

    def _ask(self, path: str, done: Any) -> None:
        self._seq += 1
        seq = self._seq
        self.loading, self.error = True, None
        self.changed()

        def answered(answer: dict[str, Any]) -> None:
            self._services.saw(None)
            if seq == self._seq:
                self.loading = False
                done(answer)
                self.changed()

        def failed(exc: Exception) -> None:
            self._services.saw(exc)
            if seq == self._seq:
                self.loading, self.error = False, error_code(exc)
                self.changed()

        self._tasks.run(lambda: self._client.get(path), answered, failed)

    def load_fields(self) -> None:
        """Fetch the fields (lĩnh vực) to browse by."""

        def done(answer: dict[str, Any]) -> None:
            self.fields = list(answer.get("fields", []))

        self._ask("/api/v1/procedures/fields?scope=" + self._scope(), done)

    def _scope(self) -> str:
        return "all" if self.everywhere else "office"

    def search_everywhere(self, everywhere: bool = True) -> None:
        """Search (and browse) the whole catalogue, or this office's procedures again."""
        self.everywhere, self.elsewhere = everywhere, False
        self.load_fields()
        if self.query.strip() or self.field is not None:
            self.search()

    def press(self, key: str) -> None:
        """A key of the Vietnamese on-screen keyboard (the screen debounces :meth:`search`)."""
        self.query = vnkeys.apply_key(self.query, key)
        self.changed()

    def search(self, offset: int = 0) -> None:
        """Search for the current query (within the chosen field, if any)."""
        query = self.query.strip()
        if not query and self.field is None:
            self._seq += 1
            self.stage, self.results, self.total, self.loading = "browse", [], 0, False
            self.changed()
            return
        params: dict[str, Any] = {"limit": PAGE, "offset": offset, "scope": self._scope()}
        if query:
            params["q"] = query
        if self.field is not None:
            params["field"] = self.field

        def done(answer: dict[str, Any]) -> None:
            found = list(answer.get("procedures", []))
            self.results = found if offset == 0 else [*self.results, *found]
            self.total = int(answer.get("total", len(self.results)))
            self.stage, self.results_for = "results", query
            self.not_found = bool(answer.get("not_found"))
            self.suggested_fields = list(answer.get("suggested_fields", []))
            self.elsewhere = bool(answer.get("elsewhere"))

        self._ask("/api/v1/procedures?" + urlencode(params), done)

    def retry(self) -> None:
        """Ask again for what is shown (after the hub came back)."""
        if self._opening is not None:
            self.open(self._opening)
        elif self.query.strip() or self.field is not None:
            self.search()
        else:
            self.load_fields()

    def more(self) -> None:
        """The next page of results."""
        if len(self.results) < self.total and not self.loading:
            self.search(offset=len(self.results))

    def browse(self, field: str | None) -> None:
        """Show the procedures of one field (None: all fields again)."""
        self.field = field
        self.search()

    def browse_suggested(self, field: str) -> None:
        """A field offered after a search found nothing: its procedures, the query cleared."""
        self.query, self.typing = "", False
        self.browse(field)

    def toggle_raw(self) -> None:
        """Between the cleaned text of the open procedure and the text as received."""
        if self.procedure is not None:
            self.show_raw = not self.show_raw
            self.changed()

    def open(self, code: str) -> None:
        """Fetch one procedure's detail."""
        self._opening = code

        def done(answer: dict[str, Any]) -> None:
            self.procedure, self.stage = answer.get("procedure"), "detail"
            self._opening, self.show_raw = None, False

        self._ask("/api/v1/procedures/" + quote(code, safe=""), done)

    def back(self) -> None:
        """From the detail to the results, from the results to the fields."""
        self._seq += 1
        self.loading, self._opening = False, None
        if self.typing and self.stage != "detail":
            self.typing = False
        elif self.stage == "detail" and (self.results or self.field is not None):
            self.stage, self.procedure, self.show_raw = "results", None, False
        else:
            self.stage, self.procedure, self.field, self.results = "browse", None, None, []
        self.changed()
