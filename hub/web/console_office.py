"""Office setup in the console: services (admin) and counters with their services in order of
preference (admin and supervisor).

The console checks each field first so a refusal names it in Vietnamese; the change itself goes
through :func:`hub.queue.office.load`, the same upsert as ``motcua services load``, whose own
checks stay the last word. Nothing is deleted: a service or counter is retired with "active".
The live queue rereads the office after the change.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import Response, abort, current_app, redirect, request, url_for
from markupsafe import Markup

from hub.auth import accounts
from hub.auth.audit import audit
from hub.digits import parse_digits
from hub.queue import office, priority
from hub.queue.writer import Tx
from hub.web import staff
from hub.web.console import bp, done_message, page, run
from hub.web.texts import bi, both
from motcua.i18n import N_

_CODE = re.compile(r"^[A-Z0-9]{1,10}$")
# What the console calls each priority reason (the kiosk's buttons say the same).
REASON_NAMES = {
    "elderly": N_("The elderly"),
    "disabled": N_("People with disabilities"),
    "pregnant": N_("Pregnant women"),
    "small_child": N_("People with a child under 3"),
    "merit": N_("People with merit to the revolution"),
}


def _field(msgid: str) -> str:
    return both(msgid)[0]


def _office() -> dict[str, Any]:
    with current_app.extensions["motcua.store"].borrow() as conn:
        return office.describe(conn)


def _clerks() -> list[dict[str, Any]]:
    """Active clerks with the counters they may work at."""
    with current_app.extensions["motcua.store"].borrow() as conn:
        rows = conn.execute(
            "SELECT id, username, display_name FROM users WHERE role = 'clerk' AND active = 1"
            " ORDER BY display_name, username"
        ).fetchall()
        return [
            {**dict(r), "counters_text": ", ".join(map(str, accounts.counters_of(conn, r["id"])))}
            for r in rows
        ]


def _rules() -> priority.PriorityRules:
    with current_app.extensions["motcua.store"].borrow() as conn:
        return priority.read(conn, current_app.config["MOTCUA"])


def _page(status: int = 200, **extra: Any) -> Response:
    described = _office()
    for c in described["counters"]:
        c["services_text"] = ", ".join(c["services"])
    return page("console/office.html", status, **described, clerks=_clerks(), rules=_rules(),
                all_reasons=priority.REASONS, reason_names=REASON_NAMES, **extra)  # fmt: skip


def _refused(message: Markup) -> Response:
    return _page(400, message=message, message_kind="error")


def _text(name: str, msgid: str, most: int) -> str | Markup:
    """The field's NFC text, or the message refusing it."""
    value = unicodedata.normalize("NFC", request.form.get(name, "").strip())
    if not 0 < len(value) <= most or not value.isprintable():
        return bi("{field}: 1 to {n} characters", field=_field(msgid), n=most)
    return value


def _apply(data: dict[str, Any], action: str, target: str) -> Response | None:
    """Upsert through the office loader, audited; None when done, else the refusal page."""
    p = staff.current()
    state = current_app.extensions["motcua.state"]

    def op(tx: Tx) -> str | None:
        try:
            office.load(tx.conn, data)
        except office.OfficeError as exc:
            return str(exc)
        audit(tx, p, action, target, {**data, "via": "console"})
        tx.emit("office.updated", {"by": p.by()})  # the apps load the office again
        # the live state reads services and counters when it loads: have it load again
        tx.after_commit.append(lambda: setattr(state, "dirty", True))
        return None

    problem = run(op)
    if problem is not None:
        return _refused(Markup("{}").format(problem))
    return None


@bp.get("/office")
@staff.staff(*staff.CONSOLE_ROLES)
def office_page() -> Response:
    """Services and counters, with their forms."""
    return _page(**done_message())


@bp.post("/office/counters")
@staff.staff(*staff.CONSOLE_ROLES)
def save_counter() -> Response:
    """Create or change a counter: name, services in order of preference, active."""
    raw = request.form.get("number", "").strip()
    number = parse_digits(raw, max_len=3)
    if number is None or number < 1:
        return _refused(bi("{field}: a whole number from 1 to 999", field=_field("Counter")))
    name = _text("name", "Name", 40)
    if isinstance(name, Markup):
        return _refused(name)
    codes = [c.strip().upper() for c in request.form.get("services", "").split(",") if c.strip()]
    known = {s["code"] for s in _office()["services"] if s["active"]}
    wrong = [c for c in codes if c not in known]
    if not codes or wrong or len(set(codes)) != len(codes):
        return _refused(bi("{field}: service codes separated by commas, such as A, B",
                           field=_field("Services")))  # fmt: skip
    counter = {"number": number, "name": name, "services": codes,
               "active": request.form.get("active") == "1"}  # fmt: skip
    refused = _apply({"counters": [counter]}, "counter.update", raw)
    return refused or redirect(url_for("console.office_page", done="office"), 303)


@bp.post("/office/services")
@staff.staff("admin")
def save_service() -> Response:
    """Create or change a service: code, names, prefix, daily limit, active. Hours are on the
    notice page; numbering (start, digits) stays as the office file set it."""
    code = request.form.get("code", "").strip().upper()
    if not _CODE.match(code):
        return _refused(bi("{field}: 1 to 10 capital letters or digits", field=_field("Code")))
    fields: dict[str, Any] = {}
    texts = (("name_vi", "Name (Vietnamese)", 120), ("name_en", "Name (English)", 120),
             ("prefix", "Prefix", 4))  # fmt: skip
    for name, msgid, most in texts:
        value = _text(name, msgid, most)
        if isinstance(value, Markup):
            return _refused(value)
        fields[name] = value
    limit = request.form.get("daily_limit", "").strip()
    daily_limit = parse_digits(limit, max_len=4)
    if limit and (daily_limit is None or daily_limit < 1):
        return _refused(bi("{field}: empty (no limit) or 1 to 9999", field=_field("Daily limit")))
    services = _office()["services"]
    current = next((s for s in services if s["code"] == code), {"position": len(services)})
    service = {
        "code": code,
        **fields,
        **{k: current[k] for k in ("number_start", "digits", "opens_at", "closes_at", "position")
           if current.get(k) is not None},
        "active": request.form.get("active") == "1",
    }  # fmt: skip
    if daily_limit:
        service["daily_limit"] = daily_limit
    refused = _apply({"services": [service]}, "service.update", code)
    return refused or redirect(url_for("console.office_page", done="office"), 303)


@bp.post("/office/clerks/<username>")
@staff.staff(*staff.CONSOLE_ROLES)
def save_clerk_counters(username: str) -> Response:
    """Set the counters a clerk may log in at (empty: any counter)."""
    raw = request.form.get("counters", "")
    parts = [x for x in re.split(r"[\s,;]+", raw) if x]
    numbers = [parse_digits(x, max_len=3) for x in parts]
    if any(n is None or n < 1 for n in numbers):
        return _refused(bi("{field}: counter numbers separated by commas, such as 1, 2",
                           field=_field("Counters")))  # fmt: skip
    if username not in {c["username"] for c in _clerks()}:
        abort(404)
    chosen = sorted({n for n in numbers if n is not None})
    unknown = sorted(set(chosen) - {c["number"] for c in _office()["counters"]})
    if unknown:
        return _refused(bi("{field}: there is no counter {numbers}", field=_field("Counters"),
                           numbers=", ".join(map(str, unknown))))  # fmt: skip
    p = staff.current()

    def op(tx: Tx) -> None:
        accounts.set_counters(tx.conn, username, chosen)
        audit(tx, p, "user.counters", username, {"counters": chosen, "via": "console"})

    run(op)
    return redirect(url_for("console.office_page", done="office") + "#clerks", 303)


@bp.post("/office/priority")
@staff.staff("admin")
def save_priority() -> Response:
    """Who has priority: the reasons accepted, the elderly's age, priority calls in a row."""
    reasons = [r for r in priority.REASONS if request.form.get(f"reason-{r}") == "1"]
    age = parse_digits(request.form.get("elderly_age", "").strip(), max_len=3)
    burst = parse_digits(request.form.get("burst", "").strip(), max_len=2)
    if age is None or not priority.AGE_RANGE[0] <= age <= priority.AGE_RANGE[1]:
        return _refused(bi("{field}: a whole number from 50 to 100",
                           field=_field("Priority from the age of")))  # fmt: skip
    if burst is None or not priority.BURST_RANGE[0] <= burst <= priority.BURST_RANGE[1]:
        return _refused(bi("{field}: a whole number from 1 to 10",
                           field=_field("Priority calls in a row")))  # fmt: skip
    rules = priority.PriorityRules(tuple(reasons), age, burst)
    p = staff.current()
    state = current_app.extensions["motcua.state"]

    def op(tx: Tx) -> None:
        priority.write(tx.conn, rules)
        audit(tx, p, "priority.update", None, {**rules.as_json(), "via": "console"})
        tx.emit("office.updated", {"by": p.by()})  # kiosks load the reasons and age again
        tx.after_commit.append(lambda: setattr(state, "dirty", True))  # and the burst

    run(op)
    return redirect(url_for("console.office_page", done="office") + "#priority", 303)
