"""Pull adapter: the back end's HTTP JSON API, read defensively.

Every request has a deadline for the whole exchange (not just per socket read, so a back end
that drips one byte a second cannot hold a lookup), a cap on the body size, and JSON parsing that
survives hostile input (deep nesting, huge numbers). Anything unexpected becomes an
:class:`UpstreamError`; records that do not fit the mapping are counted and skipped.
"""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import quote, urlsplit

from hub.digits import is_digits
from hub.upstream.base import Catalogue, Changes, UpstreamBadData, UpstreamError, UpstreamTimeout
from hub.upstream.mapping import BadRecord, Mapping

MAX_LOOKUP_BYTES = 256 * 1024
MAX_PAGE_BYTES = 32 * 1024 * 1024
_CHUNK = 64 * 1024


class HttpAdapter:
    """The back end at ``base_url``, spoken to as ``mapping`` describes."""

    def __init__(
        self,
        base_url: str,
        mapping: Mapping | None = None,
        auth_header: str = "",
        timeout_s: float = 2.0,
        page_timeout_s: float = 30.0,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the back end URL must be http(s)://host…, not {base_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        self.mapping = mapping or Mapping()
        self.zone = self.mapping.zone
        self.timeout_s = timeout_s
        self.page_timeout_s = page_timeout_s
        self.headers = {"Accept": "application/json", "User-Agent": "motcua-hub"}
        if auth_header:
            name, _, value = auth_header.partition(":")
            if not name.strip() or not value.strip():
                raise ValueError("auth_header must look like 'Name: value'")
            self.headers[name.strip()] = value.strip()

    def lookup(self, code: str, timeout_s: float | None = None) -> dict[str, Any] | None:
        """The clean record of ``code``, None when the back end answers 404."""
        path = self.mapping.lookup_path.format(code=quote(code, safe=""))
        status, body = self._get(path, timeout_s or self.timeout_s, MAX_LOOKUP_BYTES)
        if status == 404:
            return None
        data = _unwrap(body, self.mapping.data_key)
        if data is None:  # some back ends answer 200 with an empty envelope for "no such"
            return None
        try:
            record = self.mapping.clean_dossier(data, self.zone)
        except BadRecord as exc:
            raise UpstreamBadData(f"lookup of {code}: {exc}") from None
        if record["code"] != code:
            raise UpstreamBadData(f"asked for {code}, the back end answered {record['code']}")
        return record

    def changes(self, cursor: str) -> Changes:
        """One page of dossiers changed since ``cursor``."""
        path = self.mapping.changes_path.format(
            cursor=quote(cursor, safe=""), limit=self.mapping.page_size
        )
        status, body = self._get(path, self.page_timeout_s, MAX_PAGE_BYTES)
        items, next_cursor, more = self._page(status, body)
        clean, rejected = [], 0
        for item in items:
            try:
                clean.append(self.mapping.clean_dossier(item, self.zone))
            except BadRecord:
                rejected += 1
        if not isinstance(next_cursor, str) or len(next_cursor) > 200:
            raise UpstreamBadData(f"{self.mapping.cursor_key} must be text")
        return Changes(clean, next_cursor, bool(more), rejected)

    def procedures(self, cursor: str | None = None) -> Catalogue:
        """One page of the procedure catalogue."""
        path = self.mapping.procedures_path.format(
            cursor=quote(cursor or "", safe=""), limit=self.mapping.page_size
        )
        status, body = self._get(path, self.page_timeout_s, MAX_PAGE_BYTES)
        items, next_cursor, more = self._page(status, body)
        clean, errors = [], []
        for item in items:
            try:
                clean.append(self.mapping.clean_procedure(item))
            except BadRecord as exc:
                errors.append(str(exc))
        if next_cursor is not None and not isinstance(next_cursor, str):
            raise UpstreamBadData(f"{self.mapping.cursor_key} must be text")
        return Catalogue(clean, next_cursor, bool(more), len(errors), errors[:20])

    def _page(self, status: int, body: Any) -> tuple[list[Any], Any, Any]:
        if status != 200 or not isinstance(body, dict):
            raise UpstreamBadData(f"expected a JSON object page, got HTTP {status}")
        items = body.get(self.mapping.data_key)
        if not isinstance(items, list):
            raise UpstreamBadData(f"{self.mapping.data_key} must be a list")
        more = body.get(self.mapping.more_key, False)
        if not isinstance(more, bool):
            raise UpstreamBadData(f"{self.mapping.more_key} must be true or false")
        return items, body.get(self.mapping.cursor_key), more

    def _get(self, path: str, timeout_s: float, max_bytes: int) -> tuple[int, Any]:
        """(status, parsed JSON or None) of GET ``path``; 200 and 404 only, else UpstreamError."""
        deadline = time.monotonic() + timeout_s
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        conn = cls(self.host, self.port, timeout=timeout_s)
        try:
            conn.request("GET", self.prefix + path, headers=self.headers)
            conn.sock.settimeout(max(0.05, deadline - time.monotonic()))
            response = conn.getresponse()
            if response.status == 404:
                return 404, None
            if response.status != 200:
                raise UpstreamError(f"the back end answered HTTP {response.status}")
            length = response.getheader("Content-Length")
            if length and is_digits(length, 30) and int(length) > max_bytes:
                raise UpstreamBadData(f"the answer is too large ({length} bytes)")
            body = _read(response, conn, deadline, max_bytes)
        except TimeoutError as exc:
            raise UpstreamTimeout(f"no answer within {timeout_s:.1f} s") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise UpstreamError(f"cannot reach the back end: {exc}") from exc
        finally:
            conn.close()
        return 200, parse_json(body)


def _read(
    response: http.client.HTTPResponse,
    conn: http.client.HTTPConnection,
    deadline: float,
    max_bytes: int,
) -> bytes:
    chunks, size = [], 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed while reading")
        if conn.sock is not None:
            conn.sock.settimeout(left)
        chunk = response.read1(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise UpstreamBadData(f"the answer is larger than {max_bytes} bytes")
        chunks.append(chunk)


def parse_json(body: bytes) -> Any:
    """Parsed JSON, or :class:`UpstreamBadData` for anything that is not sane JSON."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UpstreamBadData(f"the answer is not valid JSON: {str(exc)[:100]}") from None


def _unwrap(body: Any, key: str) -> Any:
    """The record inside ``{key: record}``, or the body itself when it is not wrapped."""
    if isinstance(body, dict) and key in body:
        return body[key]
    return body
