"""The texts of the front page and the office console, Vietnamese first with English beside.

Templates carry no msgids of their own (Babel reads only this Python): they call ``bi("…")``
with a msgid declared here, and an undeclared one fails the render, so a test that opens a page
catches a text missing from the catalog.
"""

from __future__ import annotations

import functools

from flask import Flask, current_app
from markupsafe import Markup, escape

from motcua.i18n import N_, Translator

TEXTS = frozenset(
    (
        # the front page
        N_("Office services"),
        N_("Your queue ticket"),
        N_("Scan the QR code on your ticket to follow it on your phone."),
        N_("Staff log in"),
        # login
        N_("Office console"),
        N_("Username"),
        N_("Password"),
        N_("Log in"),
        N_("Log out"),
        N_("Wrong username or password"),
        N_("Too many attempts; try again in {s} s"),
        N_("This account may not use the console"),
        N_("This form has expired; please try again"),
        N_("You may not do this"),
        # navigation and dashboard
        N_("Dashboard"),
        N_("Notice and hours"),
        N_("Devices"),
        N_("Today"),
        N_("The day is open"),
        N_("The day is closed"),
        N_("The day has not been opened yet"),
        N_("Open the day"),
        N_("Close the day"),
        N_("Closing cancels the {n} tickets still waiting."),
        N_("The day is now open"),
        N_("Close the day?"),
        N_(
            "The {n} people still waiting will have their tickets cancelled and no more tickets"
            " will be issued today."
        ),
        N_("Keep the day open"),
        N_("The day is closed; {n} waiting tickets were cancelled"),
        N_("Services"),
        N_("Service"),
        N_("Waiting"),
        N_("Issued today"),
        N_("State"),
        N_("Counters"),
        N_("Counter"),
        N_("Clerk"),
        N_("Current ticket"),
        N_("open"),
        N_("paused"),
        N_("closed"),
        N_("full"),
        N_("So far today"),
        N_("Issued"),
        N_("Served"),
        N_("No-show"),
        N_("Mean wait"),
        N_("90% called within"),
        N_("Ratings"),
        N_("{m} min"),
        N_("{n} ratings, mean {mean}/5"),
        N_("Oldest wait"),
        N_("Time at it"),
        N_("Alerts"),
        N_("No alerts"),
        N_("Printer at {device} is out of paper"),
        N_("Printer at {device} is low on paper"),
        N_("Printer at {device} is off line"),
        N_("{device} not seen for {m} min"),
        N_("Updated at {time}"),
        # notice
        N_("Notice on displays and kiosks"),
        N_("Notice (Vietnamese)"),
        N_("Notice (English)"),
        N_("Save"),
        N_("The notice is saved"),
        N_("Opening hours"),
        N_("Opens at"),
        N_("Closes at"),
        N_("The opening hours are saved"),
        N_("{field}: use HH:MM, such as 07:30"),
        N_("{field}: at most {n} characters"),
        N_("{field}: closes before it opens"),
        # devices
        N_("Role"),
        N_("Name"),
        N_("Last seen"),
        N_("Version"),
        N_("Printer"),
        N_("never"),
        N_("revoked"),
        N_("Revoke"),
        N_("Make an enrolment code"),
        N_("Counter number (counter devices only)"),
        N_("Device enrolment code"),
        N_("Type this code on the new device within 24 hours. It is shown only once."),
        N_("Device {id} is revoked"),
        N_("kiosk"),
        N_("display"),
        N_("counter"),
        N_("{field}: not a valid choice"),
        N_("{field}: a whole number from 1 to 999"),
        N_("Only a counter device is bound to a counter"),
        N_("No such device, or it is already revoked"),
        N_("paper ok"),
        N_("paper low"),
        N_("paper out"),
        N_("paper unknown"),
        # accounts and passwords
        N_("Staff accounts"),
        N_("Full name"),
        N_("Active"),
        N_("disabled"),
        N_("Disable"),
        N_("Enable"),
        N_("New account"),
        N_("Create"),
        N_("New password"),
        N_("Reset the password"),
        N_("Change my password"),
        N_("Current password"),
        N_("New password again"),
        N_("clerk"),
        N_("supervisor"),
        N_("admin"),
        N_("The account is created"),
        N_("The password is reset; the account's sessions have ended"),
        N_("The account is enabled"),
        N_("The account is disabled and logged out"),
        N_("Your password is changed; please log in again"),
        N_("{field}: 1 to 60 characters without spaces"),
        N_("{field}: 1 to 80 characters"),
        N_("{field}: at least {n} characters"),
        N_("{field}: this name is taken"),
        N_("{field}: wrong password"),
        N_("{field}: the two do not match"),
        N_("No such account"),
        N_("You cannot disable your own account"),
        # office setup
        N_("Office setup"),
        N_("The office setup is saved"),
        N_("Code"),
        N_("Prefix"),
        N_("Name (Vietnamese)"),
        N_("Name (English)"),
        N_("Daily limit"),
        N_("in use"),
        N_("New service"),
        N_("New counter"),
        N_("Services, in order of preference"),
        N_("{field}: 1 to {n} characters"),
        N_("{field}: service codes separated by commas, such as A, B"),
        N_("{field}: 1 to 10 capital letters or digits"),
        N_("{field}: empty (no limit) or 1 to 9999"),
        # backups
        N_("Backups"),
        N_("Back up now"),
        N_("The backup is written and checked"),
        N_("The backup failed: {reason}"),
        N_("File"),
        N_("Size (MB)"),
        N_("Written at"),
        N_("Download"),
        N_("No backups yet"),
        N_("Only backups that passed their check are kept."),
        N_("Restore"),
        N_("Restore a backup"),
        N_("Cancel"),
        N_("This backup cannot be restored: {reason}"),
        N_("The hub's data goes back to the backup {name}. What was added since is lost:"),
        N_("{n} queue tickets"),
        N_("{n} ratings"),
        N_("{n} audit log lines"),
        N_("{n} devices enrolled (to be enrolled again)"),
        N_("{n} staff accounts"),
        N_(
            "The current database is kept beside it. The hub restarts (a few seconds); kiosks,"
            " panels and displays reconnect by themselves, and everyone logs in again."
        ),
        N_("I understand; restore this backup"),
        N_("The hub is restarting to restore {name}. This page opens the login in a few seconds."),
        N_("The restore of {name} is asked for: it happens when the hub next starts."),
        N_("A restore is waiting for the hub to restart."),
        N_("Restored from {name} at {when} by {who}; the database before it is kept as {kept}."),
        N_("The restore from {name} at {when} failed: {reason}. Nothing was changed."),
        N_("Last backup"),
        N_("The last backup is {h} hours old"),
        N_("The hub's disk is nearly full ({pct}% free)"),
        N_("The back end cannot be reached: {error}"),
        N_("The back end's data is {m} min old"),
        # the outbox
        N_("Outbox"),
        N_("The outbox is off: no back-end endpoint is configured ([outbox] url)."),
        N_("The back end cannot take deliveries now; next try at {time}"),
        N_("The back end takes deliveries"),
        N_("Last error"),
        N_("Endpoint"),
        N_("Items waiting"),
        N_("Oldest waiting since"),
        N_("Delivered since the hub started"),
        N_("Last delivery"),
        N_("Refused by the back end"),
        N_("Refused items"),
        N_(
            "The back end refused these as malformed; they are kept and not sent again until put"
            " back in line."
        ),
        N_("Type"),
        N_("Queued at"),
        N_("Refused at"),
        N_("Why"),
        N_("Nothing refused"),
        N_("Put the refused items back in line"),
        N_("{n} refused items are back in line"),
        # the audit log
        N_("Audit log"),
        N_("Action"),
        N_("Who"),
        N_("Day"),
        N_("Filter"),
        N_("When"),
        N_("Address"),
        N_("Target"),
        N_("Detail"),
        N_("Device"),
        N_("all"),
        N_("Newer"),
        N_("Older"),
        N_("Page {n}"),
        N_("Nothing found"),
        # the procedures this office handles
        N_("Procedures"),
        N_("Procedures this office handles"),
        N_(
            "{n} of the catalogue's {total} procedures: the kiosk lists and searches these"
            " first, and the whole catalogue when the citizen asks."
        ),
        N_("Level"),
        N_("Every level"),
        N_("Fields"),
        N_("Single procedures"),
        N_(
            "Codes from the national portal, such as 1.001612, one per line: procedures this"
            " office handles outside the fields above."
        ),
        N_("{field}: choose a level from the list"),
        N_("{field}: not in the catalogue: {names}"),
        N_("{field}: no procedure with the code {codes}"),
        N_("{field}: choose at least one field or one procedure"),
        N_("The office's procedures are saved"),
        N_("update to {v} on the hub"),
        # priority rules
        N_("Priority"),
        N_("Who has priority at this office"),
        N_("The elderly"),
        N_("People with disabilities"),
        N_("Pregnant women"),
        N_("People with a child under 3"),
        N_("People with merit to the revolution"),
        N_("Priority from the age of"),
        N_("Priority calls in a row"),
        N_(
            "After this many priority calls in a row a counter calls someone who has been"
            " waiting, so no one waits forever."
        ),
        N_("{field}: a whole number from 50 to 100"),
        N_("{field}: a whole number from 1 to 10"),
        # clerks' counters
        N_("Clerks and their counters"),
        N_("A clerk with counters listed logs in only at those; with none, at any counter."),
        N_("{field}: counter numbers separated by commas, such as 1, 2"),
        N_("{field}: there is no counter {numbers}"),
    )
)


def both(msgid: str, **values: object) -> tuple[str, str]:
    """(Vietnamese, English) of a declared text; a KeyError for an undeclared one."""
    if msgid not in TEXTS:
        raise KeyError(f"{msgid!r} is not declared in hub/web/texts.py")
    translator: Translator = current_app.extensions["motcua.translator"]
    return translator.both(msgid, **values)


def bi(msgid: str, **values: object) -> Markup:
    """HTML: the Vietnamese text, then the English in a ``.en`` span."""
    translator = current_app.extensions["motcua.translator"]
    return _bi(translator, msgid, tuple(sorted(values.items())))


@functools.lru_cache(maxsize=4096)
def _bi(translator: Translator, msgid: str, values: tuple[tuple[str, object], ...]) -> Markup:
    # A dashboard shows some 160 texts, mostly the same ones with the same numbers: remembering
    # them takes its render from ~35 to ~20 ms with 60 counters. Keyed by translator (per app).
    if msgid not in TEXTS:
        raise KeyError(f"{msgid!r} is not declared in hub/web/texts.py")
    vi, en = translator.both(msgid, **dict(values))
    return Markup('{}<span class="en" lang="en">{}</span>').format(escape(vi), escape(en))


def plain(msgid: str, **values: object) -> str:
    """Both languages in one line (titles, attribute values)."""
    vi, en = both(msgid, **values)
    return f"{vi} · {en}"


def init_app(app: Flask) -> None:
    """Make ``bi`` and ``plain`` available to every template."""
    app.jinja_env.globals.update(bi=bi, plain=plain)
