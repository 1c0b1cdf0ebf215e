"""Console pages that change the office: the notice, opening hours, and devices.

Every form is checked whole before anything is written: a bad value names its field (in
Vietnamese first) and changes nothing. Writes go through the hub's writer with an audit line
under the staff member's session, as the API's do.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from flask import Response, abort, current_app, redirect, request, url_for
from markupsafe import Markup

from hub import updates
from hub.auth import enrolment
from hub.auth.access import DEVICE_ROLES, Principal
from hub.auth.accounts import ENROLL_CODE_TTL_S
from hub.auth.audit import audit
from hub.digits import parse_digits
from hub.queue.writer import Tx
from hub.web import alerts, staff
from hub.web.console import bp, done_message, page, run
from hub.web.texts import bi, both

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
NOTICE_MAX = 500


def _me() -> Principal:
    p = staff.current()
    assert p is not None  # the staff decorator let the request in
    return p


# --- notice and opening hours --------------------------------------------------------------


def _notice_context(**extra: Any) -> dict[str, Any]:
    from hub.queue.api import read_notice

    with current_app.extensions["motcua.store"].borrow() as conn:
        notice = read_notice(conn)
        services = [
            dict(r)
            for r in conn.execute(
                "SELECT code, prefix, name_vi, name_en, opens_at, closes_at FROM services"
                " WHERE active = 1 ORDER BY position, code"
            )
        ]
    return {"notice": notice, "services": services, **extra}


def _field(msgid: str) -> str:
    return both(msgid)[0]  # errors name the field in Vietnamese; the English follows the text


@bp.route("/notice", methods=["GET"])
@staff.staff(*staff.CONSOLE_ROLES)
def notice() -> Response:
    """The notice form and the opening hours of each service."""
    return page("console/notice.html", **_notice_context(**done_message()))


@bp.post("/notice")
@staff.staff(*staff.CONSOLE_ROLES)
def save_notice() -> Response:
    """Set the notice shown on displays and kiosks (the same change as ``PUT /api/v1/notice``)."""
    values = {}
    for name, label in (("text_vi", "Notice (Vietnamese)"), ("text_en", "Notice (English)")):
        text = unicodedata.normalize("NFC", request.form.get(name, "")).strip()
        if len(text) > NOTICE_MAX or not all(c.isprintable() or c in "\r\n" for c in text):
            message = bi("{field}: at most {n} characters", field=_field(label), n=NOTICE_MAX)
            return _refused(message, request.form)
        values[name] = text
    p = _me()

    def op(tx: Tx) -> None:
        notice = {**values, "updated_at": tx.clock.iso(tx.now)}
        tx.conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES ('notice', ?)",
            (json.dumps(notice, ensure_ascii=False),),
        )
        tx.emit("notice.updated", {"notice": notice, "by": p.by()})
        audit(tx, p, "notice.update", None, {"via": "console"})

    run(op)
    return redirect(url_for("console.notice", done="notice"), 303)


def _refused(message: Markup, form: Any) -> Response:
    context = _notice_context(message=message, message_kind="error")
    shown = context["notice"]
    for name in ("text_vi", "text_en"):  # what was typed stays in the form, to be corrected
        shown[name] = form.get(name, shown[name])
    return page("console/notice.html", 400, **context)


@bp.post("/hours")
@staff.staff(*staff.CONSOLE_ROLES)
def save_hours() -> Response:
    """Opening hours per service: HH:MM or empty (no limit); all checked before any is saved."""
    services = _notice_context()["services"]
    hours: list[tuple[str | None, str | None, str]] = []
    for s in services:
        pair = []
        for part, label in (("opens_at", "Opens at"), ("closes_at", "Closes at")):
            value = request.form.get(f"{part}-{s['code']}", "").strip()
            if value and not _HHMM.match(value):
                field = f"{_field(label)} ({s['prefix']})"
                return _refused(bi("{field}: use HH:MM, such as 07:30", field=field), {})
            pair.append(value or None)
        if pair[0] and pair[1] and pair[1] <= pair[0]:
            field = f"{_field('Closes at')} ({s['prefix']})"
            return _refused(bi("{field}: closes before it opens", field=field), {})
        hours.append((pair[0], pair[1], s["code"]))
    p = _me()
    state = current_app.extensions["motcua.state"]

    def op(tx: Tx) -> None:
        changed = []
        for opens, closes, code in hours:
            cur = tx.conn.execute(
                "UPDATE services SET opens_at = ?, closes_at = ? WHERE code = ?"
                " AND (opens_at IS NOT ? OR closes_at IS NOT ?)",
                (opens, closes, code, opens, closes),
            )
            if cur.rowcount:
                changed.append({"service": code, "opens_at": opens, "closes_at": closes})
        if changed:
            audit(tx, p, "service.hours", None, {"changed": changed})
            tx.emit("office.updated", {"by": p.by()})  # the apps load the office again
            # the live state reads services at load: have the writer reload it after this batch
            tx.after_commit.append(lambda: setattr(state, "dirty", True))

    run(op)
    return redirect(url_for("console.notice", done="hours"), 303)


# --- devices -------------------------------------------------------------------------------


def _when(clock: Any, ts: float | None) -> str | None:
    """A heartbeat's time as staff read it: ``02/12 14:05`` in the hub's time zone."""
    return None if ts is None else clock.local(ts).strftime("%d/%m %H:%M")


def _devices_context(**extra: Any) -> dict[str, Any]:
    clock = current_app.extensions["motcua.clock"]
    from hub.auth.accounts import list_devices

    with current_app.extensions["motcua.store"].borrow() as conn:
        devices = list_devices(conn)
    offered = current_app.extensions["motcua.wheelhouse"].manifest()["version"]
    for d in devices:
        d["printer"] = alerts.printer_of(d)
        # What the app said on its last request (hub.updates), else in its last heartbeat.
        heard = updates.seen_version(current_app, d["id"])
        d["version"] = heard[0] if heard else alerts.status_of(d).get("version")
        d["behind"] = bool(offered and d["version"] and d["version"] != offered)
        d["seen"] = _when(clock, d["last_seen_at"])
    return {"devices": devices, "roles": DEVICE_ROLES, "offered": offered, **extra}


def _device_refused(message: Markup) -> Response:
    return page(
        "console/devices.html", 400, **_devices_context(message=message, message_kind="error")
    )


@bp.get("/devices")
@staff.staff("admin")
def devices() -> Response:
    """Every device with its role, last heartbeat, version and printer; enrol and revoke."""
    return page("console/devices.html", **_devices_context())


@bp.post("/devices/code")
@staff.staff("admin")
def enrol_code() -> Response:
    """A one-time enrolment code, shown once on the page this POST returns (never stored)."""
    role = request.form.get("role", "")
    raw_counter = request.form.get("counter", "").strip()
    counter = None
    if role not in DEVICE_ROLES:
        message = bi("{field}: not a valid choice", field=_field("Role"))
        return _device_refused(message)
    if raw_counter:
        counter = parse_digits(raw_counter, max_len=3)
        if counter is None or counter < 1:
            message = bi("{field}: a whole number from 1 to 999", field=_field("Counter"))
            return _device_refused(message)
        if role != "counter":
            message = bi("Only a counter device is bound to a counter")
            return _device_refused(message)
    p = _me()
    key = current_app.extensions["motcua.enroll_key"]

    def op(tx: Tx) -> str:
        while True:
            digits = enrolment.new_digits()
            digest = enrolment.digest(key, digits)
            taken = tx.conn.execute("SELECT 1 FROM enroll_codes WHERE code_hash = ?", (digest,))
            if taken.fetchone() is None:
                break
        tx.conn.execute(
            "INSERT INTO enroll_codes (code_hash, role, counter, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (digest, role, counter, tx.now, tx.now + ENROLL_CODE_TTL_S),
        )
        audit(tx, p, "device.enroll_code", role, {"counter": counter, "via": "console"})
        return enrolment.shown(digits)

    code = run(op)
    return page("console/devices.html", 201,
                **_devices_context(code=code, code_role=role, code_qr=qr_svg(code)))  # fmt: skip


def qr_svg(text: str) -> Markup:
    """``text`` as an inline SVG QR code (for a device with a camera or scanner to read)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # our own digits in a library's markup: nothing from a user goes in
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" class="qr" ', 1))


@bp.post("/devices/<int:device_id>/revoke")
@staff.staff("admin")
def revoke(device_id: int) -> Response:
    """Revoke a device at once, and end the clerk sessions opened on it."""
    p = _me()
    tokens = current_app.extensions["motcua.tokens"]

    def op(tx: Tx) -> bool:
        row = tx.conn.execute(
            "SELECT 1 FROM devices WHERE id = ? AND revoked_at IS NULL", (device_id,)
        ).fetchone()
        if row is None:
            return False
        tx.conn.execute("UPDATE devices SET revoked_at = ? WHERE id = ?", (tx.now, device_id))
        ended = tx.conn.execute(
            "UPDATE sessions SET ended_at = ? WHERE device_id = ? AND ended_at IS NULL",
            (tx.now, device_id),
        ).rowcount
        tx.after_commit.append(tokens.clear)
        audit(tx, p, "device.revoke", str(device_id), {"sessions_ended": ended})
        return True

    if not run(op):
        abort(404, description=Markup("{}").format(bi("No such device, or it is already revoked")))
    message = bi("Device {id} is revoked", id=device_id)
    return page("console/devices.html", **_devices_context(message=message))
