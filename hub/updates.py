"""Updates over the office LAN: the hub serves the appliances' newest wheels, and notes which
version each appliance runs.

Most offices have no internet, so appliances update from the hub. The technician puts a
wheelhouse in ``updates_dir`` (the project's wheel and the wheels of its dependencies for the
Pis, see README "Updates over the LAN"); ``GET /api/v1/updates`` names the newest project
version there and every file with its size and SHA-256, and ``GET /api/v1/updates/files/NAME``
serves one. An appliance's updater (:mod:`provisioning.updater`) installs the files into a new
venv, switches to it and restarts its app, then waits for the hub to see the app come back with
the new version (the apps send ``User-Agent: motcua-app/VERSION``, noted here in memory on every
request that carries a device token) and rolls back if it does not within a minute.
"""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, request, send_file

from hub.api_util import json_response
from hub.auth.access import optional_principal, require
from motcua.versions import version_key

bp = Blueprint("updates", __name__, url_prefix="/api/v1/updates")
DEVICE_ROLES = ("kiosk", "counter", "display")
# The project's own wheel: motcua-0.4.0-py3-none-any.whl (plain release numbers only).
PROJECT_WHEEL = re.compile(r"^motcua-(\d{1,4}(?:\.\d{1,4}){0,3})-py3-none-any\.whl$")
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,199}\.whl$")
APP_AGENT = re.compile(r"^motcua-app/(\d{1,4}(?:\.\d{1,4}){0,3})\b")


class Wheelhouse:
    """The wheels in one folder, with their digests (worked out once per file version)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._digests: dict[tuple[str, int, int], str] = {}
        self._lock = threading.Lock()

    def _digest(self, path: Path) -> tuple[int, str]:
        stat = path.stat()
        key = (path.name, stat.st_size, stat.st_mtime_ns)
        with self._lock:
            known = self._digests.get(key)
        if known is None:
            sha = hashlib.sha256()
            with path.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    sha.update(chunk)
            known = sha.hexdigest()
            with self._lock:
                self._digests[key] = known
        return stat.st_size, known

    def manifest(self) -> dict[str, Any]:
        """The newest project version here and every wheel to install it with."""
        if self.folder is None or not self.folder.is_dir():
            return {"version": None, "files": []}
        wheels = sorted(p for p in self.folder.iterdir() if FILE_NAME.match(p.name) and p.is_file())
        versions = [m.group(1) for p in wheels if (m := PROJECT_WHEEL.match(p.name))]
        if not versions:
            return {"version": None, "files": []}
        newest = max(versions, key=version_key)
        files = []
        for path in wheels:
            found = PROJECT_WHEEL.match(path.name)
            if found and found.group(1) != newest:
                continue  # older releases of the project stay out of the install
            size, sha256 = self._digest(path)
            files.append({"name": path.name, "size": size, "sha256": sha256})
        return {"version": newest, "files": files}

    def path(self, name: str) -> Path | None:
        """The wheel called ``name`` in this folder, or None."""
        if self.folder is None or not FILE_NAME.match(name):
            return None
        path = self.folder / name
        return path if path.is_file() else None


def _note_app_version() -> None:
    """Remember which version a device's app runs, from its User-Agent (in memory: the
    updater asks soon after a restart, and an app sends requests as soon as it starts)."""
    agent = APP_AGENT.match(request.headers.get("User-Agent", ""))
    if agent is None or not request.headers.get("Authorization"):
        return
    principal = optional_principal()
    if principal is not None and principal.role in DEVICE_ROLES:
        clock = current_app.extensions["motcua.clock"]
        seen = current_app.extensions["motcua.app_versions"]
        seen[principal.device_id] = (agent.group(1), clock.now())


def seen_version(app: Flask, device_id: int) -> tuple[str, float] | None:
    """(version, when) of the app last heard from on ``device_id``, or None."""
    return app.extensions["motcua.app_versions"].get(device_id)


@bp.get("")
@require(*DEVICE_ROLES, "admin")
def latest() -> Response:
    """The newest version on offer, its files, and what the hub last saw the caller's app run."""
    body = current_app.extensions["motcua.wheelhouse"].manifest()
    device_id = g.principal.device_id
    seen = seen_version(current_app, device_id) if device_id is not None else None
    clock = current_app.extensions["motcua.clock"]
    body["device"] = None if seen is None else {"version": seen[0], "seen_at": clock.iso(seen[1])}
    return json_response(body)


@bp.get("/files/<name>")
@require(*DEVICE_ROLES, "admin")
def wheel(name: str) -> Response:
    """One wheel of the wheelhouse."""
    path = current_app.extensions["motcua.wheelhouse"].path(name)
    if path is None:
        abort(404)
    return send_file(path.resolve(), mimetype="application/zip", as_attachment=True,
                     download_name=name, max_age=0)  # fmt: skip


def init_app(app: Flask) -> None:
    """Serve the configured wheelhouse and note the apps' versions."""
    app.extensions["motcua.wheelhouse"] = Wheelhouse(app.config["MOTCUA"].updates_dir)
    app.extensions["motcua.app_versions"] = {}
    app.before_request(_note_app_version)
    app.register_blueprint(bp)
