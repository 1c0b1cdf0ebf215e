"""Request helpers: strict JSON field parsing and running a change through the writer.

Everything a request sends is checked here, in the request thread, before anything is handed to
the writer: a malformed request never reaches the store. :func:`perform` adds idempotency: a
repeat of a state-changing call with the same ``Idempotency-Key`` from the same principal within
24 h gets the first answer back and changes nothing. The key is bound to a digest of the method,
path and body: the same key on a different request is refused (422), never answered with the
first request's result. Answers that carry a secret (a device or session token) are kept without
it, so a repeat of those is refused (409) rather than handing the secret out again.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, g, request

from hub.errors import ApiError, bad_request
from hub.queue.writer import Tx

IDEMPOTENCY_TTL_S = 24 * 3600
_MISSING = object()


def json_body(required: bool = True) -> dict[str, Any]:
    """The request's JSON object; ``{}`` for an empty body when ``required`` is False."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise bad_request("the request needs a JSON object body")
        return {}
    try:
        data = json.loads(raw)
    except RecursionError:
        raise bad_request("the body is not valid JSON: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise bad_request("the body must be a JSON object")
    try:
        # JSON may spell a lone UTF-16 surrogate ("\\ud800"); no text column can store one, and
        # it would fail the whole write batch at commit, so refuse it here.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("the body has invalid text (a lone UTF-16 surrogate)") from None
    return data


def get_str(
    data: dict[str, Any], name: str, *, required: bool = True, max_len: int = 200,
    default: str | None = None,
) -> str | None:  # fmt: skip
    """A text field, NFC-normalized and stripped; 400 naming ``name`` if absent or wrong."""
    value = data.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise bad_request(f"'{name}' is required", name)
        return default
    if not isinstance(value, str):
        raise bad_request(f"'{name}' must be text", name)
    value = unicodedata.normalize("NFC", value).strip()
    if required and not value:
        raise bad_request(f"'{name}' must not be empty", name)
    if len(value) > max_len:
        raise bad_request(f"'{name}' is longer than {max_len} characters", name)
    return value


def get_bool(data: dict[str, Any], name: str, default: bool = False) -> bool:
    """A true/false field."""
    value = data.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise bad_request(f"'{name}' must be true or false", name)
    return value


def get_int(
    data: dict[str, Any], name: str, *, required: bool = True, lo: int | None = None,
    hi: int | None = None,
) -> int | None:  # fmt: skip
    """A whole-number field within [lo, hi]."""
    value = data.get(name)
    if value is None:
        if required:
            raise bad_request(f"'{name}' is required", name)
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON's 3.0 is the number 3
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"'{name}' must be a whole number", name)
    if abs(value) > 2**63 - 1:
        raise bad_request(f"'{name}' is too large", name)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        if hi is None:
            raise bad_request(f"'{name}' must be at least {lo}", name)
        if lo is None:
            raise bad_request(f"'{name}' must be at most {hi}", name)
        raise bad_request(f"'{name}' must be between {lo} and {hi}", name)
    return value


def idempotency_key() -> str | None:
    """The ``Idempotency-Key`` header, checked for a sane length."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= 100 or not key.isprintable():
        raise bad_request("Idempotency-Key must be 1-100 printable characters", "Idempotency-Key")
    return key


def request_digest() -> str:
    """A digest of what this request asks: method, path with query, and body."""
    digest = hashlib.sha256(f"{request.method} {request.full_path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(seen: tuple[int, str, str], fingerprint: str) -> tuple[int, str, bool]:
    status, body, kept = seen
    if kept != fingerprint:
        raise ApiError(
            422, "idempotency_mismatch",
            "this Idempotency-Key was used for a different request; use a new key",
            "Idempotency-Key",
        )  # fmt: skip
    if status == SECRET_KEPT:
        raise ApiError(
            409, "already_done",
            "this request was already carried out and its answer held a secret the hub does not"
            " keep; start again (a new enrolment code, or log in again)",
        )  # fmt: skip
    return status, body, True


# Stored in place of an answer that carried a secret: the request is done, the answer is gone.
SECRET_KEPT = 0


def perform(op: Callable[[Tx], Any], status: int = 200, *, secret: bool = False) -> Response:
    """Run ``op`` in the writer (committed before answering), honouring ``Idempotency-Key``.

    ``secret``: the answer carries a token that must not be stored, even for a replay.
    """
    key = idempotency_key()
    principal = g.get("principal")
    scope = principal.key if principal is not None else f"ip:{request.remote_addr}"
    fingerprint = request_digest() if key is not None else ""

    def job(tx: Tx) -> tuple[int, Any, bool]:
        memo_key = ("idempotency", scope, key)
        if key is not None:
            seen = tx.batch.memo.get(memo_key)  # a repeat within the same batch
            if seen is None:
                seen = tx.read.execute(
                    "SELECT status, body, fingerprint FROM idempotency"
                    " WHERE principal = ? AND key = ? AND created_at > ?",
                    (scope, key, tx.now - IDEMPOTENCY_TTL_S),
                ).fetchone()
            if seen is not None:
                return _replay(tuple(seen), fingerprint)
        result = op(tx)
        if key is None:
            # Encoded by the request thread: the writer's time is everyone's. (Views are
            # fresh dicts of plain values, so later changes to the live state do not leak in.)
            return status, result, False
        body = "" if result is None else json.dumps(result, ensure_ascii=False)
        kept = (SECRET_KEPT, "") if secret else (status, body)
        tx.memo[memo_key] = (*kept, fingerprint)
        tx.defer(
            "INSERT OR REPLACE INTO idempotency"
            " (principal, key, status, body, fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (scope, key, *kept, fingerprint, tx.now),
        )
        return status, body, False

    code, body, replayed = current_app.extensions["motcua.writer"].run(job)
    if not isinstance(body, str):
        body = "" if body is None else json.dumps(body, ensure_ascii=False)
    response = Response(body or None, code, mimetype="application/json" if body else None)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def json_response(data: Any, status: int = 200) -> Response:
    """A JSON answer that keeps Vietnamese readable."""
    return Response(json.dumps(data, ensure_ascii=False), status, mimetype="application/json")
