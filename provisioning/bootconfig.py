"""The one file a technician edits: ``motcua.toml`` on the boot partition, read and checked.

Checked in full before anything is written, so that every mistake is listed at once, each in
Vietnamese and English, naming the key. The file is flat (no tables): a technician edits it in
Notepad on a laptop, and flat ``key = value`` lines are what they can get right.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from motcua.i18n import N_
from provisioning.texts import Say

ROLES = ("hub", "kiosk", "counter", "display")
PRINTERS = ("usb", "serial", "network", "simulated")
_CODE = re.compile(r"^\d{4}-?\d{4}$")
_USB_ID = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$")
_SSH_KEY = re.compile(r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com) \S+")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$")

# key: (type, roles it belongs to; empty = every role)
KEYS: dict[str, tuple[type | tuple[type, ...], tuple[str, ...]]] = {
    "role": (str, ()),
    "name": (str, ()),
    "language": (str, ()),
    "ssh_key": (str, ()),
    "hub_url": (str, ("kiosk", "counter", "display")),
    "enroll_code": (str, ("kiosk", "counter", "display")),
    "counter": (int, ("counter",)),
    "zone_counters": (list, ("display",)),
    "zone_services": (list, ("display",)),
    "printer": (str, ("kiosk",)),
    "printer_usb": (str, ("kiosk",)),
    "printer_serial": (str, ("kiosk",)),
    "printer_host": (str, ("kiosk",)),
    "paper_mm": (int, ("kiosk",)),
    "agency_name": (str, ()),
    "admin_user": (str, ("hub",)),
    "port": (int, ("hub",)),
    # Not the kiosk: its book of offline numbers must survive a power cut (kiosk.offline).
    "read_only_root": (bool, ("counter", "display")),
}

MISSING_FILE = N_(
    "{path} is missing: copy motcua.toml.example to motcua.toml on the boot partition "
    "and fill it in."
)
BAD_TOML = N_("{path} cannot be read: {detail}")
UNKNOWN_KEY = N_("Unknown setting '{key}' in motcua.toml: check its spelling.")
WRONG_TYPE = N_("'{key}' must be {kind}, not {value}.")
BAD_ROLE = N_("'role' must be one of hub, kiosk, counter, display (not '{value}').")
NOT_FOR_ROLE = N_("'{key}' is not a setting of a {role}: remove it.")
BAD_HUB_URL = N_("'hub_url' must look like http://192.168.1.10:8080 (not '{value}').")
NO_HUB_URL = N_("'hub_url' is missing: the hub's address, like http://192.168.1.10:8080.")
BAD_CODE = N_("'enroll_code' must have 8 digits, like 1234-5678 (not '{value}').")
NO_COUNTER = N_("A counter panel needs 'counter': the number of the counter it stands at.")
BAD_PRINTER = N_("'printer' must be one of usb, serial, network, simulated (not '{value}').")
NO_USB_ID = N_("A USB printer needs 'printer_usb', its vendor:product id like \"04b8:0202\".")
NO_PRINTER_HOST = N_("A network printer needs 'printer_host', its IP address.")
BAD_PAPER = N_("'paper_mm' must be 58 or 80.")
BAD_SSH_KEY = N_("'ssh_key' must be one public key line, like \"ssh-ed25519 AAAA… name\".")
BAD_LANGUAGE = N_("'language' must be vi or en.")
BAD_ADMIN = N_("'admin_user' must be letters, digits, '.', '_' or '-' (not '{value}').")
BAD_PORT = N_("'port' must be between 1 and 65535.")
KIOSK_READ_ONLY = N_(
    "A kiosk cannot have a read-only root: the ticket numbers it gives while the hub is away must "
    "survive a power cut. Remove 'read_only_root'."
)
BAD_ZONE = N_("'zone_counters' must be counter numbers like [1, 2, 3].")

KINDS = {
    str: N_("text in quotes"),
    int: N_("a whole number"),
    list: N_("a list in [ ]"),
    bool: N_("true or false"),
}


class BootConfigError(Exception):
    """The boot file cannot be used; ``problems`` says every reason."""

    def __init__(self, problems: list[Say]) -> None:
        super().__init__("; ".join(p.msgid for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class BootConfig:
    """What the technician asked for, checked."""

    role: str
    name: str = ""
    language: str = "vi"
    ssh_key: str = ""
    hub_url: str = ""
    enroll_code: str = ""
    counter: int = 0
    zone_counters: list[int] = field(default_factory=list)
    zone_services: list[str] = field(default_factory=list)
    printer: str = "usb"
    printer_usb: str = ""
    printer_serial: str = "/dev/ttyUSB0"
    printer_host: str = ""
    paper_mm: int = 80
    agency_name: str = ""
    admin_user: str = "admin"
    port: int = 8080
    read_only_root: bool = False

    @property
    def hub_host(self) -> str:
        """The hub's host name or address (the appliances' time server too)."""
        return urlsplit(self.hub_url).hostname or ""


def read(path: Path, shown_as: str) -> BootConfig:
    """Read and check the boot file at ``path`` (``shown_as`` is how messages name it)."""
    try:
        with path.open("rb") as handle:
            table = tomllib.load(handle)
    except FileNotFoundError:
        raise BootConfigError([Say(MISSING_FILE, {"path": shown_as})]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BootConfigError([Say(BAD_TOML, {"path": shown_as, "detail": str(exc)})]) from None
    return check(table)


def check(table: dict[str, Any]) -> BootConfig:
    """The :class:`BootConfig` for a parsed file, or every problem in it."""
    problems: list[Say] = []
    role = table.get("role")
    if role not in ROLES:
        problems.append(Say(BAD_ROLE, {"value": role if role is not None else ""}))
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            problems.append(Say(UNKNOWN_KEY, {"key": key}))
            continue
        kind, roles = KEYS[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            problems.append(Say(WRONG_TYPE, {"key": key, "kind": KINDS[kind], "value": value}))
        elif key == "read_only_root" and role == "kiosk":
            problems.append(Say(KIOSK_READ_ONLY))
        elif roles and role in ROLES and role not in roles:
            problems.append(Say(NOT_FOR_ROLE, {"key": key, "role": role}))
        else:
            values[key] = value.strip() if isinstance(value, str) else value
    if problems:
        raise BootConfigError(problems)
    config = BootConfig(**values)
    problems = _check_values(config)
    if problems:
        raise BootConfigError(problems)
    return config


def _check_values(c: BootConfig) -> list[Say]:
    """The problems a well-typed file can still have."""
    problems: list[Say] = []
    if c.language not in ("vi", "en"):
        problems.append(Say(BAD_LANGUAGE))
    if c.ssh_key and (not _SSH_KEY.match(c.ssh_key) or "\n" in c.ssh_key):
        problems.append(Say(BAD_SSH_KEY))
    if c.role == "hub":
        if not _NAME.match(c.admin_user):
            problems.append(Say(BAD_ADMIN, {"value": c.admin_user}))
        if not 0 < c.port < 65536:
            problems.append(Say(BAD_PORT))
        return problems
    parts = urlsplit(c.hub_url)
    if not c.hub_url:
        problems.append(Say(NO_HUB_URL))
    elif parts.scheme != "http" or not parts.hostname:
        problems.append(Say(BAD_HUB_URL, {"value": c.hub_url}))
    if c.enroll_code and not _CODE.match(c.enroll_code.replace(" ", "")):
        problems.append(Say(BAD_CODE, {"value": c.enroll_code}))
    if c.role == "counter" and c.counter <= 0:
        problems.append(Say(NO_COUNTER))
    if c.role == "display" and not all(
        isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in c.zone_counters
    ):
        problems.append(Say(BAD_ZONE))
    if c.role == "kiosk":
        if c.printer not in PRINTERS:
            problems.append(Say(BAD_PRINTER, {"value": c.printer}))
        elif c.printer == "usb" and not _USB_ID.match(c.printer_usb):
            problems.append(Say(NO_USB_ID))
        elif c.printer == "network" and not c.printer_host:
            problems.append(Say(NO_PRINTER_HOST))
        if c.paper_mm not in (58, 80):
            problems.append(Say(BAD_PAPER))
    return problems


def usb_ids(value: str) -> tuple[int, int]:
    """'04b8:0202' -> (0x04b8, 0x0202)."""
    match = _USB_ID.match(value)
    assert match, value  # checked by check()
    return int(match[1], 16), int(match[2], 16)


# Only a line that still holds a code: an emptied one is left alone, so a rerun changes nothing.
_CODE_LINE = re.compile(r'^(\s*enroll_code\s*=\s*)("[^"]+"|\'[^\']+\')(.*)$', re.MULTILINE)


# A Wi-Fi password in cloud-init's network-config (netplan: `password: "..."`), not yet emptied.
_PASSWORD_LINE = re.compile(r'^(\s*password:\s*)(?!""|\'\')(\S.*?)\s*$', re.MULTILINE)


def erase_wifi_passwords(text: str) -> str:
    """network-config's text with every Wi-Fi password emptied, the rest kept."""
    return _PASSWORD_LINE.sub(lambda m: f'{m[1]}""', text)


def erase_code(text: str, note: str) -> str:
    """The boot file's text with the enrolment code emptied; its comments and layout kept."""
    return _CODE_LINE.sub(lambda m: f'{m[1]}""  # {note}', text)
