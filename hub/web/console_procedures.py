"""The procedures this office handles, in the console (admin): its level, its fields and single
procedures picked by code.

The kiosk lists and searches these first (``scope=office`` in the procedure API) and offers the
whole catalogue only when asked ("Tìm trong tất cả thủ tục"); the ranking of a search over the
whole catalogue also prefers them. Every value is checked against the catalogue, so a refusal
names the field and nothing is saved.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response, current_app, redirect, request, url_for
from markupsafe import Markup

from hub.auth.audit import audit
from hub.catalogue.office import write_office
from hub.catalogue.procedures import Catalogue
from hub.queue.writer import Tx
from hub.web import staff
from hub.web.console import bp, done_message, page, run
from hub.web.texts import bi, both

MAX_CODES = 200
_SPLIT = re.compile(r"[\s,;]+")


def _catalogue() -> Catalogue:
    return current_app.extensions["motcua.procedures"]


def _page(status: int = 200, **extra: Any) -> Response:
    catalogue = _catalogue()
    office = catalogue.office()
    known = catalogue.facets()
    covered = catalogue.search("", limit=1, office_only=True)[0]
    context = {
        "level": office.level,
        "fields": sorted(office.fields),
        "codes": "\n".join(sorted(office.codes)),
        "covered": covered,
        "all_fields": known["fields"],
        "all_levels": known["levels"],
        "catalogue_size": catalogue.count(),
    }
    context.update(extra)  # a refused form shows what was typed, not what is stored
    return page("console/procedures.html", status, **context)


def _refused(message: Markup, **typed: Any) -> Response:
    return _page(400, message=message, message_kind="error", **typed)


@bp.get("/procedures")
@staff.staff("admin")
def procedures_page() -> Response:
    """This office's level, fields and single procedures, with how many procedures they make."""
    return _page(**done_message())


@bp.post("/procedures")
@staff.staff("admin")
def save_procedures() -> Response:
    """Save the office's procedures: every level, field and code must be in the catalogue."""
    catalogue = _catalogue()
    known = catalogue.facets()
    level = request.form.get("level", "").strip()
    fields = request.form.getlist("fields")
    raw_codes = request.form.get("codes", "")
    codes = sorted({c for c in _SPLIT.split(raw_codes) if c})
    typed = {"level": level, "fields": fields, "codes": raw_codes.strip()}
    if level and level not in {lv["name"] for lv in known["levels"]}:
        return _refused(bi("{field}: choose a level from the list", field=both("Level")[0]),
                        **typed)  # fmt: skip
    wrong_fields = sorted(set(fields) - {f["name"] for f in known["fields"]})
    if wrong_fields:
        return _refused(bi("{field}: not in the catalogue: {names}", field=both("Fields")[0],
                           names=", ".join(wrong_fields)[:200]), **typed)  # fmt: skip
    unknown = [c for c in codes if catalogue.get(c) is None]
    if unknown or len(codes) > MAX_CODES:
        return _refused(bi("{field}: no procedure with the code {codes}",
                           field=both("Single procedures")[0],
                           codes=", ".join(unknown[:10]) or f"> {MAX_CODES}"), **typed)  # fmt: skip
    if not fields and not codes:
        return _refused(bi("{field}: choose at least one field or one procedure",
                           field=both("Fields")[0]), **typed)  # fmt: skip
    p = staff.current()

    def op(tx: Tx) -> None:
        write_office(tx.conn, level, fields, codes)
        audit(tx, p, "procedures.office", level or "-",
              {"fields": sorted(fields), "codes": codes, "via": "console"})  # fmt: skip
        tx.after_commit.append(catalogue.office_changed)

    run(op)
    return redirect(url_for("console.procedures_page", done="procedures"), 303)
