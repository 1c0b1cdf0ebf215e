"""Wiring of SMS lookup into the hub app: the answers come from the same lookup service as the
public API's and from the live queue; the service is built unstarted (the server starts it)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from hub.config import HubConfig
from hub.dossiers.lookup import DossierNotFound, LookupService, UpstreamUnavailable
from hub.sms import messages
from hub.sms.outbox import SmsStore
from hub.sms.service import SmsService
from motcua.i18n import Translator


def make_answerer(app: Flask, gettext: messages.Gettext) -> Any:
    """request -> (kind, reply): dossier lookups, today's tickets, help."""
    lookup: LookupService = app.extensions["motcua.dossiers"]["lookup"]
    language = app.config["MOTCUA"].sms.language

    def answer(request: messages.Request) -> tuple[str, str]:
        if request.kind == "dossier":
            try:
                found = lookup.lookup(request.value)
            except DossierNotFound:
                return "dossier", messages.not_found_reply(request.value, gettext)
            except UpstreamUnavailable:
                return "dossier", messages.unavailable_reply(request.value, gettext)
            return "dossier", messages.dossier_reply(found, gettext, language)
        if request.kind == "ticket":
            return "ticket", messages.ticket_reply(
                request.value, find_ticket(app, request.value), gettext
            )
        if request.kind == "bad_code":
            return "bad_code", messages.bad_code_reply(request.value, gettext)
        return request.kind, messages.help_reply(gettext)

    return answer


def find_ticket(app: Flask, wanted: str) -> dict[str, Any] | None:
    """Today's ticket numbered ``wanted`` (``A12`` finds ``A012``), as the queue API shows it."""
    from hub.queue.api import live

    match = re.fullmatch(r"([A-Z]*)(\d+)", wanted)
    if match is None:
        return None
    letters, digits = match.group(1), int(match.group(2))
    with app.app_context(), live() as state:
        rows = (
            app.extensions["motcua.store"]
            .conn()
            .execute(
                "SELECT * FROM tickets WHERE day = ? AND number LIKE ? ORDER BY id",
                (state.day, f"{letters}%"),
            )
        )
        for row in rows:
            number = re.fullmatch(r"([A-Z]*)(\d+)", row["number"])
            if number and number.group(1) == letters and int(number.group(2)) == digits:
                ticket = state.recently(row["id"]) or dict(row)
                return state.ticket_view(ticket)
    return None


def ticket_view(app: Flask, ticket_id: int) -> dict[str, Any] | None:
    """A ticket of today as the queue API shows it; None when it is not today's."""
    from hub.queue.api import live

    with app.app_context(), live() as state:
        row = (
            app.extensions["motcua.store"]
            .conn()
            .execute("SELECT * FROM tickets WHERE id = ? AND day = ?", (ticket_id, state.day))
            .fetchone()
        )
        if row is None:
            return None
        return state.ticket_view(state.recently(ticket_id) or dict(row))


def init_app(app: Flask) -> None:
    """Build the SMS service when ``[sms] enabled`` (kept in ``motcua.sms``, not started)."""
    settings: HubConfig = app.config["MOTCUA"]
    if not settings.sms.enabled:
        return
    translator = Translator(["hub"], settings.sms.language)

    def gettext(msgid: str, **values: object) -> str:
        return translator.gettext(msgid, **values)

    outbox = SmsStore(app.extensions["motcua.store"])
    app.extensions["motcua.sms"] = SmsService(
        settings.sms, outbox, make_answerer(app, gettext), gettext,
        ticket=lambda ticket_id: ticket_view(app, ticket_id),
    )  # fmt: skip
    if settings.sms.notify_ahead:
        from hub.sms import watch

        watch.init_app(app)


def start_sms(app: Flask) -> SmsService | None:
    """Start the SMS thread (the hub server calls this); None when SMS is off."""
    service: SmsService | None = app.extensions.get("motcua.sms")
    if service is not None:
        service.start()
    return service
