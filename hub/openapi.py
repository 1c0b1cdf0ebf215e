"""The OpenAPI document of the hub's API."""

from __future__ import annotations

from flask import Flask, Response

from hub.api_util import json_response


def init_app(app: Flask) -> None:
    """Serve ``/api/v1/openapi.json``."""

    @app.get("/api/v1/openapi.json")
    def openapi() -> Response:
        return json_response({"openapi": "3.1.0", "info": {"title": "Motcua hub", "version": "1"}})
