"""The OpenAPI 3.1 document of the hub's API, served at ``/api/v1/openapi.json``.

Built from a compact table of the queue's endpoints (hub/API.md is the prose form), plus any
paths other parts of the hub registered under ``app.extensions["motcua.openapi_paths"]``.
A test checks that every route of the app appears here with its parameters, and nothing else.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, current_app

from hub.api_util import json_response
from hub.queue.engine import PRIORITY_REASONS
from hub.queue.events import TOPICS

_REASON = {"enum": [*PRIORITY_REASONS, None]}

_TS = {"type": ["string", "null"], "format": "date-time"}
_INT_OR_NULL = {"type": ["integer", "null"]}
_STR_OR_NULL = {"type": ["string", "null"]}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "examples": ["invalid", "queue_empty"]},
                    "message": {"type": "string"},
                    "field": {"type": "string"},
                },
            }
        },
    },
    "Ticket": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "number": {"type": "string", "examples": ["A012"]},
            "service": {"type": "string"}, "service_name_vi": {"type": "string"},
            "service_name_en": {"type": "string"},
            "state": {"enum": ["waiting", "called", "serving", "done", "no_show", "cancelled"]},
            "priority": {"type": "boolean"},
            "priority_reason": {**_REASON, "description": "only in the issuing answer"},
            "counter": _INT_OR_NULL, "counter_name": _STR_OR_NULL, "issued_at": _TS,
            "called_at": _TS, "started_at": _TS, "finished_at": _TS,
            "ahead": _INT_OR_NULL, "estimated_wait_s": _INT_OR_NULL,
            "day": {"type": "string", "format": "date"}, "recalls": {"type": "integer"},
            "token": {"type": "string", "description": "in the issuing answer and GET by token"},
            "status_url": {"type": "string", "format": "uri"},
        },
    },
    "Service": {
        "type": "object",
        "properties": {
            "code": {"type": "string"}, "name_vi": {"type": "string"},
            "name_en": {"type": "string"},
            "prefix": {"type": "string"}, "state": {"enum": ["open", "closed", "full"]},
            "waiting": {"type": "integer"}, "estimated_wait_s": {"type": "integer"},
            "issued_today": {"type": "integer"}, "daily_limit": _INT_OR_NULL,
            "opens_at": _STR_OR_NULL, "closes_at": _STR_OR_NULL,
        },
    },
    "Counter": {
        "type": "object",
        "properties": {
            "number": {"type": "integer"}, "name": {"type": "string"},
            "state": {"enum": ["open", "paused", "closed"]},
            "services": {"type": "array", "items": {"type": "string"}},
            "clerk": _STR_OR_NULL,
            "current": {"oneOf": [{"$ref": "#/components/schemas/Ticket"}, {"type": "null"}]},
        },
    },
    "Alert": {
        "type": "object",
        "description": "An active alert (hub/API.md): in GET /api/v1/state and alert.changed",
        "properties": {
            "code": {"type": "string"}, "level": {"enum": ["danger", "warning"]},
            "device": _STR_OR_NULL, "text_vi": {"type": "string"}, "text_en": {"type": "string"},
        },
    },
    "CounterAnswer": {
        "type": "object",
        "properties": {
            "ticket": {"$ref": "#/components/schemas/Ticket"},
            "counter": {"$ref": "#/components/schemas/Counter"},
        },
    },
}  # fmt: skip

_REF = {name: {"$ref": f"#/components/schemas/{name}"} for name in SCHEMAS}
_ID = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}
# Text the hub strips and refuses when empty: at least one character that is not a space.
_EVENT_ID = {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}  # up to 18 digits
_NOTICE = {"type": ["string", "null"], "maxLength": 500}  # null: no text in that language
_NAME = {"type": "string", "pattern": r"\S", "maxLength": 80}
_OBJ = {"type": "object"}
_CODE = {"type": "string", "pattern": r"\S", "maxLength": 20}  # a service's code
_TIME = {"type": "string", "format": "date-time", "maxLength": 40}  # with its offset

# (method, path, summary, roles or None for public, request schema or None, status, answer)
ENDPOINTS: list[tuple[str, str, str, tuple[str, ...] | None, Any, int, Any]] = [
    ("get", "/api/v1/services", "Services with waiting counts and estimated waits", None, None,
     200, {"type": "object", "properties": {
         "day": {"type": "string"}, "services": {"type": "array", "items": _REF["Service"]}}}),
    ("get", "/api/v1/counters", "Counters with clerk and current ticket", None, None, 200,
     {"type": "object", "properties": {"counters": {"type": "array", "items": _REF["Counter"]}}}),
    ("get", "/api/v1/state", "Snapshot to start from, then follow events after last_event_id",
     None, None, 200, _OBJ),
    ("post", "/api/v1/tickets", "Issue a ticket", ("kiosk", "admin"),
     {"type": "object", "required": ["service"], "properties": {
         "service": _NAME, "priority": {"type": ["boolean", "null"]},
         "priority_reason": _REASON}}, 201, _REF["Ticket"]),
    ("get", "/api/v1/tickets/{token}", "A ticket's own status by its secret token", None, None,
     200, _REF["Ticket"]),
    ("post", "/api/v1/tickets/{ticket_id}/cancel", "Cancel a waiting or called ticket",
     ("clerk", "admin", "kiosk"), None, 200, _REF["Ticket"]),
    ("post", "/api/v1/tickets/{ticket_id}/requeue", "Put a returning no-show back in line",
     ("clerk", "admin"), None, 200, _REF["Ticket"]),
    ("post", "/api/v1/tickets/{ticket_id}/print", "Report whether the ticket printed", ("kiosk",),
     {"type": "object", "required": ["ok"], "properties": {
         "ok": {"type": "boolean"}, "detail": {"type": "string"}}}, 204, None),
    ("post", "/api/v1/tickets/{ticket_id}/rating", "Rate the service (1 best … 5 worst)",
     ("clerk", "counter", "admin"),
     {"type": "object", "required": ["level"], "properties": {
         "level": {"type": "integer", "minimum": 1, "maximum": 5}}}, 201, _OBJ),
    *[("post", f"/api/v1/counters/{{number}}/{action}", summary, ("clerk", "admin"), body, 200,
       _REF["CounterAnswer"])
      for action, summary, body in [
          ("call-next", "Finish the current ticket and call the next (409 queue_empty)", None),
          ("call", "Call a given number", {"type": "object", "required": ["number"],
                                           "properties": {"number": {**_NAME, "maxLength": 20}}}),
          ("recall", "Announce the current ticket again", None),
          ("start", "The called person arrived (called → serving)", None),
          ("finish", "Done with the current ticket", None),
          ("no-show", "The called person did not come", None),
          ("transfer", "Send the current ticket to another service or counter",
           {"type": "object", "properties": {"service": _NAME, "counter": {**_ID, "minimum": 1}},
            # one of the two, never both
            "oneOf": [{"required": ["service"], "not": {"required": ["counter"]}},
                      {"required": ["counter"], "not": {"required": ["service"]}}]}),
      ]],
    *[("post", f"/api/v1/counters/{{number}}/{action}", f"{action.title()} the counter",
       ("clerk", "admin"), None, 200, _OBJ) for action in ("pause", "resume")],
    # Work while the hub is down (hub/queue/offline.py).
    ("post", "/api/v1/kiosk/blocks", "This kiosk's number blocks for today, one per service, "
     "to issue from while it cannot reach the hub (reserved on first asking)", ("kiosk",), None,
     200, _OBJ),
    ("post", "/api/v1/kiosk/offline-tickets", "A ticket the kiosk issued offline from its block, "
     "taken into the queue by its issue time (201; 200 for a repeat, nothing changed; 409 "
     "outside_block, day_over)", ("kiosk",),
     {"type": "object", "required": ["service", "seq", "issued_at"], "properties": {
         "service": _CODE, "seq": {"type": "integer", "minimum": 1, "maximum": 10**9},
         "issued_at": _TIME, "priority": {"type": "boolean"},
         "priority_reason": _REASON,
         "token": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$"}}},
     201, _REF["Ticket"]),
    ("post", "/api/v1/backfill", "A service done on paper while the hub was down, "
     "entered afterwards (marked backfilled)", ("clerk", "admin"),
     {"type": "object", "required": ["service", "number", "issued_at", "finished_at"],
      "properties": {
          "service": _CODE,
          "number": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,20}$", "examples": ["A045"]},
          "issued_at": _TIME, "called_at": {**_TIME, "type": ["string", "null"]},
          "finished_at": _TIME,
          "counter": {**_ID, "minimum": 1}, "state": {"enum": ["done", "no_show"]},
          "priority": {"type": "boolean"}}}, 201, _OBJ),
    ("post", "/api/v1/day/open", "Open today", ("supervisor", "admin"), None, 200, _OBJ),
    ("post", "/api/v1/day/close", "Close today (waiting tickets are cancelled)",
     ("supervisor", "admin"), None, 200, _OBJ),
    ("get", "/api/v1/notice", "The notice", None, None, 200, _OBJ),
    ("put", "/api/v1/notice", "Set the notice", ("supervisor", "admin"),
     {"type": "object", "properties": {"text_vi": _NOTICE, "text_en": _NOTICE}}, 200, _OBJ),
    ("get", "/api/v1/events", "Server-Sent Events; ?topics=ticket,counter; resume with "
     "Last-Event-ID or ?after=ID; ': heartbeat' comments", None, None, 200,
     {"contentMediaType": "text/event-stream", "type": "object", "properties": {
         "id": {"type": "string"}, "event": {"type": "string"},
         "data": {"type": "string", "contentMediaType": "application/json"}}}),
    ("post", "/api/v1/devices/enroll", "Trade a one-time code for a device token", None,
     {"type": "object", "required": ["code", "name"], "properties": {
         "code": {"type": "string", "pattern": r"^[0-9]{4}-?[0-9]{4}$",
                  "examples": ["1234-5678"]},
         "name": _NAME}},
     201, _OBJ),
    ("post", "/api/v1/devices/heartbeat", "A device is alive, with free-form status",
     ("kiosk", "display", "counter"), {"type": "object"}, 204, None),
    ("post", "/api/v1/sessions", "Clerk login at a counter device, or admin login", None,
     {"type": "object", "required": ["username", "password"], "properties": {
         "username": {**_NAME, "maxLength": 60}, "password": {"type": "string", "minLength": 1},
         "counter": {**_ID, "minimum": 1}}}, 201, _OBJ),
    ("get", "/api/v1/sessions/current", "Who this token belongs to",
     ("kiosk", "display", "counter", "clerk", "admin"), None, 200, _OBJ),
    ("delete", "/api/v1/sessions/current", "Log out", ("clerk", "admin"), None, 204, None),
    ("get", "/api/v1/openapi.json", "This document", None, None, 200, _OBJ),
    ("get", "/healthz", "Liveness: the database answers; the newest event id", None, None, 200,
     {"type": "object", "properties": {"ok": {"type": "boolean"},
                                       "last_event_id": {"type": "integer"}}}),
    ("get", "/t/{token}", "The ticket's live status page (what its QR code opens; HTML)", None,
     None, 200, {"type": "string", "contentMediaType": "text/html"}),
    ("get", "/", "The hub's front page: what a citizen can do here, and the staff login (HTML)",
     None, None, 200, {"type": "string", "contentMediaType": "text/html"}),
    ("get", "/thong-ke", "Public statistics: this month's on-time and satisfaction rates (HTML;"
     " rate-limited)", None, None, 200, {"type": "string", "contentMediaType": "text/html"}),
    # The dossier and procedure relay (hub/dossiers, hub/procedures*; see hub/API.md).
    ("get", "/api/v1/dossiers/{dossier_code}", "Dossier lookup by the code on its receipt "
     "(rate-limited; 404 dossier_not_found, 503 upstream_unavailable)", None, None, 200, _OBJ),
    ("get", "/api/v1/procedures", "Procedure search: ?q=&field=&level=&scope=&limit=&offset=",
     None, None, 200, _OBJ),
    ("get", "/api/v1/procedures/fields", "Fields and levels with counts", None, None, 200, _OBJ),
    ("get", "/api/v1/procedures/{code}", "One procedure", None, None, 200, _OBJ),
    # Updates over the LAN (hub/updates.py).
    ("get", "/api/v1/updates", "The newest appliance version in the hub's wheelhouse, its files "
     "(name, size, sha256), and the version the hub last saw the caller's app run",
     ("kiosk", "counter", "display", "admin"), None, 200, _OBJ),
    ("get", "/api/v1/updates/files/{name}", "One wheel of the wheelhouse",
     ("kiosk", "counter", "display", "admin"), None, 200,
     {"type": "string", "contentMediaType": "application/zip"}),
    ("post", "/api/v1/upstream/webhook", "Changed dossiers from the back end (HMAC-SHA256 "
     "signed)", None, {"type": "object"}, 200, _OBJ),
]  # fmt: skip

_ERRORS = {
    "400": "invalid input (the field is named)", "401": "no or unknown token",
    "403": "this role may not do this", "404": "not found", "409": "not allowed in this state",
    "413": "body too large", "422": "Idempotency-Key reused for another request",
    "429": "too many attempts (Retry-After)",
    "503": "the hub or the back end cannot answer now (Retry-After where known)",
}  # fmt: skip

# Answers besides the main one, by operation: (method, path) -> {status: description}.
_ALSO = {("post", "/api/v1/kiosk/offline-tickets"): {"200": "taken in before: the same ticket"}}

# Every {name} in a path, by name.
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "ticket_id": _ID,
    "number": {**_ID, "minimum": 1},
    "token": {"type": "string", "maxLength": 100},
    "code": {"type": "string", "maxLength": 100},  # a procedure's code
    "name": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,199}\.whl$"},
    # The code on a receipt (hub/dossiers/codes.py also takes older layouts, scanned links and
    # lower case; this is the form the document promises).
    "dossier_code": {
        "type": "string",
        "maxLength": 48,
        "pattern": r"^[HG][0-9]{2}(\.[A-Z0-9]{1,8}){0,5}-[0-9]{2}(0[1-9]|1[0-2])"
        r"(0[1-9]|1[0-9]|2[0-8])-[0-9]{4,8}$",
    },
}
_TOPIC = f"({'|'.join(TOPICS)})"
_SCOPE = (
    "scope",
    "query",
    {"type": "string", "enum": ["all", "office"]},
    "office: only this office's procedures (set in the console); all: the default",
)
# Query parameters and headers, by path.
_QUERY: dict[str, list[tuple[str, str, dict[str, Any], str]]] = {
    "/api/v1/events": [
        (
            "topics",
            "query",
            {"type": "string", "pattern": f"^({_TOPIC}(,{_TOPIC})*)?$"},
            "comma-separated: ticket,counter,day,notice,…",
        ),
        ("after", "query", _EVENT_ID, "resume after this event id"),
        ("Last-Event-ID", "header", _EVENT_ID, "resume after this event id (EventSource sends it)"),
    ],
    "/api/v1/procedures": [
        ("q", "query", {"type": "string", "maxLength": 200}, "words, with or without accents"),
        ("field", "query", {"type": "string"}, "a field (lĩnh vực) from /procedures/fields"),
        ("level", "query", {"type": "string"}, "a level (cấp thực hiện)"),
        _SCOPE,
        ("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100}, "default 20"),
        ("offset", "query", {"type": "integer", "minimum": 0, "maximum": 1_000_000}, ""),
    ],
    "/api/v1/procedures/fields": [_SCOPE],
    "/t/{token}": [
        (
            "poll",
            "query",
            {"type": "string"},
            "ms between refreshes, kept within 1-60 s; anything else means the default 5 s",
        ),
    ],
}


_HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}


def _parameters(path: str) -> list[dict[str, Any]]:
    found = [
        {"name": name, "in": "path", "required": True, "schema": PATH_PARAMETERS[name]}
        for name in re.findall(r"{(\w+)}", path)
    ]
    found += [
        {"name": name, "in": where, "required": False, "schema": schema, "description": text}
        for name, where, schema, text in _QUERY.get(path, [])
    ]
    return found


def document(extra_paths: dict[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI document."""
    paths: dict[str, Any] = {}
    error = {"content": {"application/json": {"schema": _REF["Error"]}}}
    for method, path, summary, roles, body, status, answer in ENDPOINTS:
        op: dict[str, Any] = {"summary": summary, "responses": {}}
        if _parameters(path):
            op["parameters"] = _parameters(path)
        if answer is None:
            op["responses"][str(status)] = {"description": "done"}
        else:
            kind = answer.get("contentMediaType", "application/json")
            op["responses"][str(status)] = {"description": "ok",
                                            "content": {kind: {"schema": answer}}}  # fmt: skip
        html = answer is not None and answer.get("contentMediaType") == "text/html"
        for code, text in _ERRORS.items():
            # A page answers its errors as a page too.
            op["responses"][code] = {"description": text, **(_HTML if html else error)}
        if roles:
            op["security"] = [{"bearer": []}]
            op["x-roles"] = list(roles)
        if body is not None:
            op["requestBody"] = {"required": True,
                                 "content": {"application/json": {"schema": body}}}  # fmt: skip
        if roles and method != "get":
            op.setdefault("parameters", []).append(
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "pattern": "^[!-~]{1,100}$"},
                    "description": "a repeat of the same request within 24 h returns the first"
                    " answer; the same key on another request is refused (422)",
                }
            )
        for code, text in _ALSO.get((method, path), {}).items():
            op["responses"][code] = {
                "description": text,
                "content": op["responses"][str(status)]["content"],
            }
        paths.setdefault(path, {})[method] = op
    for path, ops in (extra_paths or {}).items():
        paths.setdefault(path, {}).update(ops)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Motcua hub API", "version": "1",
                 "description": "The contract between the hub and the appliances (hub/API.md)."},
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }  # fmt: skip


def init_app(app: Flask) -> None:
    """Serve ``/api/v1/openapi.json``."""

    @app.get("/api/v1/openapi.json")
    def openapi() -> Response:
        return json_response(document(current_app.extensions.get("motcua.openapi_paths")))
