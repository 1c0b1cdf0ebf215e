"""Typed configuration: defaults in code, overlaid by one TOML file, then ``MOTCUA_*`` environment.

Every role (hub, kiosk, counter panel, display) describes its settings as a dataclass whose field
defaults are the embedded defaults. :func:`load` overlays a TOML file and the environment and
checks every value, so a typo stops start-up with a message that names the key instead of failing
later in the middle of a busy morning.

Nested dataclasses are TOML tables; their environment names join the path with ``_``:
``[upstream] base_url`` is ``MOTCUA_UPSTREAM_BASE_URL``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

ENV_PREFIX = "MOTCUA_"


class ConfigError(ValueError):
    """A configuration value is missing, unknown or of the wrong type; ``key`` names it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"configuration key '{key}': {message}")
        self.key = key


def _convert(key: str, kind: Any, value: Any, from_env: bool) -> Any:
    """Convert ``value`` to ``kind``; environment values arrive as strings and are parsed."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        if value is None or (from_env and value == ""):
            return None
        return _convert(key, options[0], value, from_env)
    if origin is list:
        (item,) = typing.get_args(kind)
        if from_env and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise ConfigError(key, f"expected a list, got {value!r}")
        return [_convert(f"{key}[{i}]", item, v, from_env) for i, v in enumerate(value)]
    if kind is bool:
        if isinstance(value, bool):
            return value
        if from_env and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
        raise ConfigError(key, f"expected true or false, got {value!r}")
    if kind is int:
        if isinstance(value, bool):
            raise ConfigError(key, f"expected a whole number, got {value!r}")
        if isinstance(value, int):
            return value
        if from_env and isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise ConfigError(key, f"expected a whole number, got {value!r}")
    if kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if from_env and isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
        raise ConfigError(key, f"expected a number, got {value!r}")
    if kind is str:
        if isinstance(value, str):
            return value
        raise ConfigError(key, f"expected text, got {value!r}")
    if kind is Path:
        if isinstance(value, str) and value:
            return Path(value).expanduser()
        raise ConfigError(key, f"expected a path, got {value!r}")
    raise ConfigError(key, f"unsupported setting type {kind!r}")  # a programming error


def _overlay(cls: type[T], base: T, table: Mapping[str, Any], prefix: str) -> T:
    """Return ``base`` with values from a TOML table; unknown keys are refused."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    changes: dict[str, Any] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if name not in fields:
            raise ConfigError(key, "unknown setting")
        kind = hints[name]
        if dataclasses.is_dataclass(kind):
            if not isinstance(value, dict):
                raise ConfigError(key, "expected a table")
            changes[name] = _overlay(kind, getattr(base, name), value, f"{key}.")
        else:
            changes[name] = _convert(key, kind, value, from_env=False)
    return dataclasses.replace(base, **changes)


def _env_overlay(cls: type[T], base: T, env: Mapping[str, str], prefix: str, path: str) -> T:
    """Return ``base`` with values from ``MOTCUA_*`` variables that name its fields."""
    hints = typing.get_type_hints(cls)
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        kind = hints[f.name]
        env_name = f"{prefix}{f.name.upper()}"
        key = f"{path}{f.name}"
        if dataclasses.is_dataclass(kind):
            changes[f.name] = _env_overlay(
                kind, getattr(base, f.name), env, f"{env_name}_", f"{key}."
            )
        elif env_name in env:
            changes[f.name] = _convert(f"{key} ({env_name})", kind, env[env_name], True)
    return dataclasses.replace(base, **changes)


def _validate(obj: Any, path: str = "") -> None:
    """Run each dataclass's own ``validate()`` (if any), nested ones first."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            _validate(value, f"{path}{f.name}.")
    check = getattr(obj, "validate", None)
    if callable(check):
        check(path)


def load(
    cls: type[T],
    *,
    path: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> T:
    """Build ``cls`` from its defaults, the TOML file at ``path``, ``MOTCUA_*`` env, ``overrides``.

    ``path`` defaults to ``$MOTCUA_CONFIG`` when that is set. Raises :class:`ConfigError` naming
    the offending key for an unknown key, a wrong type, or a value its ``validate()`` refuses.
    """
    env = os.environ if env is None else env
    settings = cls()
    if path is None and env.get(f"{ENV_PREFIX}CONFIG"):
        path = env[f"{ENV_PREFIX}CONFIG"]
    if path is not None:
        file = Path(path)
        try:
            with file.open("rb") as handle:
                table = tomllib.load(handle)
        except FileNotFoundError:
            raise ConfigError("config", f"file not found: {file}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("config", f"{file} is not valid TOML: {exc}") from None
        settings = _overlay(cls, settings, table, "")
    settings = _env_overlay(cls, settings, env, ENV_PREFIX, "")
    if overrides:
        settings = _overlay(cls, settings, overrides, "")
    _validate(settings)
    return settings
