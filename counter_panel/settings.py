"""The counter panel's settings: which counter it stands at, its shortcuts and its keypad."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from appliance.settings import ApplianceSettings
from motcua.config import ConfigError

# Every action a clerk can trigger from a button, a keyboard shortcut or a keypad key.
ACTIONS = (
    "call_next",
    "recall",
    "call_number",
    "start",
    "finish",
    "no_show",
    "transfer",
    "pause",
    "lock",
)

KEYPAD_DRIVERS = ("none", "serial", "pty")
RATING_MODES = ("auto", "off", "panel", "second_screen")


@dataclass(frozen=True)
class ActionKeys:
    """For each action, the keys that trigger it, comma-separated ("f1,spacebar")."""

    call_next: str = ""
    recall: str = ""
    call_number: str = ""
    start: str = ""
    finish: str = ""
    no_show: str = ""
    transfer: str = ""
    pause: str = ""
    lock: str = ""

    def mapping(self) -> dict[str, str]:
        """{key: action}; a key named twice belongs to the first action that names it."""
        result: dict[str, str] = {}
        for f in fields(self):
            for key in split_keys(getattr(self, f.name)):
                result.setdefault(key, f.name)
        return result

    def keys_for(self, action: str) -> list[str]:
        """The keys bound to ``action``, in the order written."""
        return split_keys(getattr(self, action))

    def validate(self, path: str = "") -> None:
        """Refuse a key bound to two different actions: one press must mean one thing."""
        seen: dict[str, str] = {}
        for f in fields(self):
            for key in split_keys(getattr(self, f.name)):
                if key in seen and seen[key] != f.name:
                    raise ConfigError(
                        f"{path}{f.name}", f"key {key!r} is already bound to {seen[key]}"
                    )
                seen[key] = f.name


def split_keys(value: str) -> list[str]:
    """'F1, Spacebar' -> ['f1', 'spacebar'] (a lone ',' key is written 'comma')."""
    return [k.strip().lower() for k in value.split(",") if k.strip()]


def default_shortcuts() -> ActionKeys:
    """Keyboard shortcuts (Kivy key names): function keys, with Space for the busiest action."""
    return ActionKeys(
        call_next="f1,spacebar",
        recall="f2",
        call_number="f3",
        start="f4",
        finish="f5",
        no_show="f6",
        transfer="f7",
        pause="f8",
        lock="f12",
    )


def default_keypad_keys() -> ActionKeys:
    """What a typical 12-key serial keypad sends: one character per key."""
    return ActionKeys(
        call_next="1",
        recall="2",
        call_number="3",
        start="4",
        finish="5",
        no_show="6",
        transfer="7",
        pause="8",
        lock="*",
    )


@dataclass(frozen=True)
class KeypadSettings:
    """An optional serial keypad: ``none``, a real ``serial`` port, or ``pty`` (demo/test)."""

    driver: str = "none"
    port: str = "/dev/ttyUSB0"
    baudrate: int = 9600
    line_mode: bool = False  # True: each key arrives as a line ("K1\r\n"), else one character
    keys: ActionKeys = field(default_factory=default_keypad_keys)

    def validate(self, path: str = "") -> None:
        """Check the driver name and port settings."""
        if self.driver not in KEYPAD_DRIVERS:
            raise ConfigError(f"{path}driver", f"must be one of {', '.join(KEYPAD_DRIVERS)}")
        if self.driver == "serial" and not self.port:
            raise ConfigError(f"{path}port", "a serial keypad needs a port")
        if self.baudrate <= 0:
            raise ConfigError(f"{path}baudrate", "must be positive")


@dataclass(frozen=True)
class CounterSettings(ApplianceSettings):
    """Settings of one counter panel (the TOML file on its boot partition)."""

    counter: int = 0  # the counter this panel stands at: required
    token_file: Path = Path("var/counter-token")
    width: int = 800
    height: int = 480
    idle_timeout_s: float = 300.0  # lock after this long without a touch or key
    # Ask the citizen for a rating after finish: "off", on the "panel" itself, or on a
    # "second_screen" facing the citizen (``motcua counter --rating-screen``). "auto": the
    # second screen when this counter has one (``second_screen = true``), else off: the panel
    # faces the clerk, so a rating given on it is not the citizen's own.
    rating: str = "auto"
    second_screen: bool = False  # a citizen-facing screen runs ``motcua counter --rating-screen``
    rating_timeout_s: float = 20.0  # the rating screen goes away by itself after this
    shortcuts: ActionKeys = field(default_factory=default_shortcuts)
    keypad: KeypadSettings = field(default_factory=KeypadSettings)

    def validate(self, path: str = "") -> None:
        """Check the common settings, then the panel's own."""
        super().validate(path)
        if self.counter <= 0:
            raise ConfigError(f"{path}counter", "set the number of the counter this panel serves")
        if self.rating not in RATING_MODES:
            raise ConfigError(f"{path}rating", f"must be one of {', '.join(RATING_MODES)}")
        if self.rating_timeout_s <= 0:
            raise ConfigError(f"{path}rating_timeout_s", "must be positive")

    @property
    def rating_mode(self) -> str:
        """Where the citizen is asked: "off", "panel" or "second_screen" ("auto" resolved)."""
        if self.rating != "auto":
            return self.rating
        return "second_screen" if self.second_screen else "off"
