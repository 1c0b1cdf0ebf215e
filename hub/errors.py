"""API errors: every 4xx/5xx under /api is ``{"error": {"code", "message", "field"}}``.

Appliances translate ``code`` into their own words, so codes are stable identifiers and messages
are for logs and developers.
"""

from __future__ import annotations

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
