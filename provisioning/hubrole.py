"""The hub's own first boot: its database, the first administrator, the nightly backup."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Sequence
from pathlib import Path

from motcua.i18n import N_
from provisioning.texts import Say

ADMIN_CREATED = N_(
    "First administrator '{user}' created, password: {password} — write it down now, it is shown "
    "only this once. Log in at http://<this hub>:{port}/console and change it."
)
ADMIN_EXISTS = N_("The administrator '{user}' exists already: its password is unchanged.")
ADMIN_FAILED = N_("Cannot create the first administrator: {reason}. Trying again in {seconds} s.")
PASSWORD_LENGTH = 14  # of letters and digits: typed once from the screen, then changed


class HubSetupFailed(Exception):
    """The database or the first administrator could not be made; ``say`` tells why."""

    def __init__(self, say: Say) -> None:
        super().__init__(say.msgid)
        self.say = say


def new_password() -> str:
    """A password a person can copy from a screen (no look-alike letters such as l, 1, O, 0)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(PASSWORD_LENGTH))


def create_admin(
    motcua: Sequence[str], config_file: Path, db_file: Path, user: str, port: int, retry_in: float
) -> Say:
    """Create the database and its first administrator with ``motcua users add``.

    Through the command rather than the hub's modules: it migrates the database as the hub
    would, and on a device it runs as the hub's user so every file it makes is that user's.
    """
    password = new_password()
    command = [*motcua, "users", "--config", str(config_file), "--db", str(db_file), "add", user,
               "--role", "admin", "--name", "Quản trị viên", "--password-stdin"]  # fmt: skip
    done = subprocess.run(
        command, input=password + "\n", capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode == 0:
        return Say(ADMIN_CREATED, {"user": user, "password": password, "port": port})
    reason = (done.stderr.strip() or done.stdout.strip()).removeprefix("motcua: ")
    if "exists" in reason:
        return Say(ADMIN_EXISTS, {"user": user})
    raise HubSetupFailed(Say(ADMIN_FAILED, {"reason": reason, "seconds": round(retry_in)}))
