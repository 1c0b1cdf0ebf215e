"""What the image tests share: where the project is, its roles, the Debian tools they need."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
ROLES = ("hub", "kiosk", "counter", "display")


def tool(name: str, package: str) -> str:
    """The path of a checking tool; a clear failure naming its Debian package when it is absent
    (.ci/run installs them)."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: apt-get install {package}")
    return path
