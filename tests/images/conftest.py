"""Image trees built once per session by images/build.sh (without the wheel, which one slow test
builds), and the Debian tools that check them."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from image_checks_helpers import PROJECT


@pytest.fixture(scope="session")
def built_trees(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], tuple[Path, str]]:
    """``tree(role)``: (the output folder, what build.sh printed), built once per role."""
    built: dict[str, tuple[Path, str]] = {}

    def tree(role: str) -> tuple[Path, str]:
        if role not in built:
            out = tmp_path_factory.mktemp(f"image-{role}")
            done = subprocess.run(
                ["bash", str(PROJECT / "images/build.sh"), "tree", role, str(out)],
                capture_output=True, text=True, env={**os.environ, "MOTCUA_NO_WHEEL": "1"},
                check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr
            built[role] = (out, done.stdout)
        return built[role]

    return tree
