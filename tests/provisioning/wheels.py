"""A small installable wheel of "motcua" at any version, for update tests (pip installs it
like the real one: METADATA, WHEEL and a RECORD with every file's hash)."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_wheel(folder: Path, version: str, name: str = "motcua") -> Path:
    """Write ``{name}-{version}-py3-none-any.whl`` into ``folder``; its path."""
    info = f"{name}-{version}.dist-info"
    members = {
        f"{name}/__init__.py": f'__version__ = "{version}"\n',
        "provisioning/__init__.py": "",
        f"{info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            "Provides-Extra: kiosk\nProvides-Extra: counter\nProvides-Extra: display\n"
        ),
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = [f"{path},sha256={_digest(text.encode())},{len(text.encode())}"
              for path, text in members.items()]  # fmt: skip
    record.append(f"{info}/RECORD,,")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for member, text in members.items():
            wheel.writestr(member, text)
        wheel.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path
