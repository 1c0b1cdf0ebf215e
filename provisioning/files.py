"""Writing a device's files so that writing them again changes nothing (not even a time stamp)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

Owner = tuple[int, int] | None  # (uid, gid) of the app's user; None: leave as created


def put(path: Path, text: str, mode: int = 0o644, owner: Owner = None) -> bool:
    """Make ``path`` hold ``text`` with ``mode``; True when anything had to change.

    A new content is written beside it and renamed over it, so a power cut leaves the old file
    or the new one, never half of one.
    """
    changed = False
    try:
        same = path.read_text(encoding="utf-8") == text
    except FileNotFoundError:
        same = False
    if not same:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.new")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if owner is not None:
            os.chown(tmp, *owner)
        os.replace(tmp, path)
        changed = True
    if path.stat().st_mode & 0o7777 != mode:
        os.chmod(path, mode)
        changed = True
    if owner is not None and (path.stat().st_uid, path.stat().st_gid) != owner:
        os.chown(path, *owner)
        changed = True
    return changed


def symlink(link: Path, target: Path) -> bool:
    """Make ``link`` point at ``target``; True when it had to change."""
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return False
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target)
    return True


def remove(path: Path) -> bool:
    """Remove ``path`` if it is there; True when it was."""
    if path.is_symlink() or path.exists():
        path.unlink()
        return True
    return False


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (str, Path)):
        # A JSON string is a valid TOML basic string (same escapes), Vietnamese kept as is.
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to TOML")


def toml_text(settings: Mapping[str, Any], header: str = "") -> str:
    """A TOML document for ``settings``: plain keys first, then one table per dict."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    tables = {k: v for k, v in settings.items() if isinstance(v, Mapping)}
    lines += [f"{k} = {_value(v)}" for k, v in settings.items() if k not in tables]
    for name, table in tables.items():
        lines += ["", f"[{name}]"] + [f"{k} = {_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"
