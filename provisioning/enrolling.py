"""Trading the boot file's one-time code for a device token, through the appliances' own
:func:`appliance.enrolment.enrol`, and refusing a token of another role."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from appliance.enrolment import enrol
from appliance.hublink import HubClient, HubError, HubUnreachable
from motcua.i18n import N_
from provisioning.files import Owner
from provisioning.texts import Say

UNREACHABLE = N_(
    "Cannot reach the hub at {url} ({reason}). Check the network cable or Wi-Fi and that the hub "
    "is on. Trying again in {seconds} s."
)
REFUSED = N_(
    "The hub refused the enrolment code {code}: it is unknown, already used or expired. Ask the "
    "administrator for a new one (motcua devices enroll-code --role {role}) and put it in "
    "motcua.toml, or type it on the screen."
)
WRONG_ROLE = N_(
    "The code {code} was made for a {code_role}, but this box is a {role}. Ask for a {role} code; "
    "the administrator should revoke the device it just enrolled (motcua devices list)."
)
WRONG_COUNTER = N_(
    "The code {code} was made for counter {code_counter}, but motcua.toml says this panel is "
    "counter {counter}. Ask for a code for counter {counter} (motcua devices enroll-code --role "
    "counter --counter {counter}), or correct 'counter'; the administrator should revoke the "
    "device it just enrolled."
)
HUB_SAYS = N_("The hub refused the enrolment: {message}. Trying again in {seconds} s.")
CANNOT_STORE = N_("Cannot store the device token in {path}: {reason}")
ENROLLED = N_("Enrolled with the hub as {role} (device {device_id}).")


class EnrolFailed(Exception):
    """Enrolment did not give a usable token; ``say`` is for the technician, ``retry`` whether
    trying the same code again later can help (the hub was away) or not (the code is refused)."""

    def __init__(self, say: Say, retry: bool) -> None:
        super().__init__(say.msgid)
        self.say = say
        self.retry = retry


class _RecordingClient(HubClient):
    """A hub client that keeps the last answer: enrol() returns the token, the role is beside it."""

    last: Any = None

    def request(self, *args: Any, **kwargs: Any) -> Any:
        """As :meth:`HubClient.request`, remembering the answer."""
        self.last = super().request(*args, **kwargs)
        return self.last


def enrol_device(
    hub_url: str, code: str, role: str, name: str, token_file: Path, owner: Owner,
    retry_in: float, timeout: float = 5.0, counter: int | None = None,
) -> Say:  # fmt: skip
    """Enrol with ``code`` and store the token in ``token_file`` (0600, ``owner``'s).

    The token is first stored beside the final file and moved there only once its role (and,
    for a panel, the counter the code was made for) is checked, so a token of the wrong role
    or counter never becomes this device's. Raises :class:`EnrolFailed`.
    """
    staging = token_file.with_name(f".{token_file.name}.enrolling")
    client = _RecordingClient(hub_url, timeout=timeout)
    values = {"url": hub_url, "code": code, "role": role, "seconds": round(retry_in)}
    try:
        enrol(client, staging, code, name)
    except HubUnreachable as exc:
        raise EnrolFailed(Say(UNREACHABLE, {**values, "reason": exc.message}), True) from None
    except HubError as exc:
        if exc.code in ("unauthorized", "invalid"):
            raise EnrolFailed(Say(REFUSED, values), False) from None
        raise EnrolFailed(Say(HUB_SAYS, {**values, "message": exc.message}), True) from None
    except OSError as exc:
        say = Say(CANNOT_STORE, {"path": str(token_file), "reason": exc.strerror or str(exc)})
        raise EnrolFailed(say, True) from None
    finally:
        client.close()
    answer = client.last or {}
    if answer.get("role") != role:
        with contextlib.suppress(OSError):
            staging.unlink()
        say = Say(WRONG_ROLE, {**values, "code_role": str(answer.get("role"))})
        raise EnrolFailed(say, False)
    bound = answer.get("counter")
    if counter is not None and bound is not None and bound != counter:
        # The hub would refuse every action of this panel at its configured counter.
        with contextlib.suppress(OSError):
            staging.unlink()
        say = Say(WRONG_COUNTER, {**values, "counter": counter, "code_counter": bound})
        raise EnrolFailed(say, False)
    if owner is not None:
        os.chown(staging, *owner)
    os.replace(staging, token_file)
    return Say(ENROLLED, {"role": role, "device_id": answer.get("device_id")})
