"""API errors: every 4xx/5xx under /api is ``{"error": {"code", "message", "field"}}``.

Appliances translate ``code`` into their own words, so codes are stable identifiers and messages
are for logs and developers.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    """An error answered to the client; raise it anywhere inside a request."""

    def __init__(
        self, status: int, code: str, message: str, field: str | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body of the error answer."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        error.update(self.extra)
        return {"error": error}


def bad_request(message: str, field: str | None = None, code: str = "invalid") -> ApiError:
    """A 400 for malformed input, naming the field."""
    return ApiError(400, code, message, field)


log = logging.getLogger(__name__)


def storage_error(exc: sqlite3.OperationalError | TimeoutError) -> ApiError:
    """A 503 saying why the database could not take a change (nothing of it was saved)."""
    text = str(exc).lower()
    if "full" in text:
        return ApiError(503, "storage_full", "the hub's disk is full: nothing was saved; the"
                        " administrator must free space", retry_after=60)  # fmt: skip
    if "locked" in text or "busy" in text or isinstance(exc, TimeoutError):
        return ApiError(503, "storage_busy", "the hub's database is busy (another program is"
                        " writing it): nothing was saved; try again", retry_after=5)  # fmt: skip
    return ApiError(503, "storage_error", f"the hub's database failed: {exc}; nothing was saved",
                    retry_after=30)  # fmt: skip


# Werkzeug's names for these differ from the codes hub/API.md promises.
_CODES = {413: "too_large", 429: "rate_limited", 401: "unauthorized", 403: "forbidden"}


def init_app(app: Flask) -> None:
    """Answer API errors, and HTTP errors under /api, in the JSON error shape."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        response = jsonify(exc.body())
        response.status_code = exc.status
        if "retry_after" in exc.extra:
            response.headers["Retry-After"] = str(int(exc.extra["retry_after"]))
        return response

    @app.after_request
    def _settle_body(response: Response) -> Response:
        # A request refused before its body was read (401, 404, 429…) leaves that body on the
        # connection. Read it when it is within the size the hub accepts, so the client's
        # keep-alive connection carries on; past that, say the connection closes instead of
        # dropping it silently.
        length = request.content_length
        if length:
            if length <= (app.config.get("MAX_CONTENT_LENGTH") or 0):
                request.get_data(cache=True)
            else:
                response.headers["Connection"] = "close"
        return response

    @app.errorhandler(sqlite3.OperationalError)
    @app.errorhandler(TimeoutError)
    def _storage_error(exc: sqlite3.OperationalError | TimeoutError):
        # The write batch rolled back and the live state reloads from the file: a clear answer,
        # and the request can be sent again once the administrator fixed the cause.
        log.error("storage: %s %s: %s", request.method, request.path, exc)
        return _api_error(storage_error(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not request.path.startswith("/api/"):
            return exc
        code = _CODES.get(exc.code or 0) or (exc.name or "error").lower().replace(" ", "_")
        response = jsonify({"error": {"code": code, "message": exc.description or exc.name}})
        response.status_code = exc.code or 500
        for name, value in exc.get_headers():
            if name.lower() != "content-type":  # e.g. Allow on a 405, as HTTP asks
                response.headers[name] = value
        return response
