"""First start of an appliance: trade the one-time enrolment code for a device token, once."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from appliance.hublink import HubClient, HubError


class EnrolmentError(RuntimeError):
    """The appliance has no token and could not get one; the message says what to do."""


def read_token(token_file: Path) -> str | None:
    """The stored device token, or None when there is none yet."""
    try:
        token = token_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return token or None


def write_token(token_file: Path, token: str) -> None:
    """Store the token readable by this user only, replacing any old one atomically."""
    token_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = token_file.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    os.replace(tmp, token_file)


def ensure_token(client: HubClient, token_file: Path, enroll_code: str, name: str = "") -> str:
    """Return this device's token, enrolling with ``enroll_code`` if none is stored yet."""
    token = read_token(token_file)
    if token:
        return token
    if not enroll_code:
        raise EnrolmentError(
            f"no device token in {token_file}: set enroll_code (from "
            "`motcua devices enroll-code --role ROLE` on the hub) and start again"
        )
    try:
        answer = client.request(
            "POST",
            "/api/v1/devices/enroll",
            {"code": enroll_code, "name": name or socket.gethostname()},
        )
    except HubError as exc:
        raise EnrolmentError(f"enrolment refused by the hub: {exc.message}") from exc
    token = str(answer["token"])
    write_token(token_file, token)
    return token
