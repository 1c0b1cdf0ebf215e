"""An appliance's device token: got once for an enrolment code, kept where only this user reads."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

from appliance.hublink import HubClient


def read_token(token_file: Path) -> str | None:
    """The stored device token, or None when there is none yet."""
    try:
        token = token_file.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):  # storing it says what is wrong there
        return None
    return token or None


def _open_private(path: Path) -> int:
    """A new file at ``path`` that only this user can read (0600 whatever the umask)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def write_token(token_file: Path, token: str) -> None:
    """Store the token readable by this user only, replacing any old one atomically."""
    tmp = token_file.with_suffix(".tmp")
    with os.fdopen(_open_private(tmp), "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    os.replace(tmp, token_file)


def enrol(client: HubClient, token_file: Path, code: str, name: str = "") -> str:
    """Trade the one-time ``code`` for a device token, store it in ``token_file``, return it.

    The file is opened before the code is sent: a code is spent once the hub answers, so a
    place the token cannot be written must fail first (OSError), not after. Raises the hub's
    :class:`~appliance.hublink.HubError` (or ``HubUnreachable``) when it refuses or is away.
    """
    tmp = token_file.with_suffix(".tmp")
    try:
        with os.fdopen(_open_private(tmp), "w", encoding="utf-8") as handle:
            answer = client.request(
                "POST",
                "/api/v1/devices/enroll",
                {"code": code, "name": name or socket.gethostname()},
            )
            token = str(answer["token"])
            handle.write(token + "\n")
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    os.replace(tmp, token_file)
    return token
