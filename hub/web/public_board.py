"""The waiting-room board for a smart TV's browser: ``/bang`` (``?counters=1,3&services=A,B``).

The same board as the display app (``queue_display``): the newest call large and lit for
``highlight`` seconds, the calls before it, every open counter with the number it serves, the
waiting count per service, the agency, date and clock, the notice scrolling along the bottom;
the same zone rules (``queue_display.board.Zone``) and the same stale-call rule (a call older
than ``stale`` seconds when it arrives, as after a network cut, updates the board but does not
light it). A small script shipped with the hub (``static/public_board.js``, no library) loads
``/api/v1/state`` and follows ``/api/v1/events`` on from its id; the browser's EventSource
resumes with ``Last-Event-ID`` after a cut, and the board reloads the snapshot when it comes
back. It shows no clerk names. Sound is the display appliance's job (a TV browser may refuse
to play it without a touch).
"""

from __future__ import annotations

import re

from flask import Blueprint, Flask, Response, current_app, request

from hub.digits import parse_digits
from hub.web.public_texts import both, page

bp = Blueprint("public_board", __name__)
BOARD_TEXTS = (
    "Now calling", "Counter {number}", "Recently called", "Counter", "Now serving", "Waiting",
    "Paused", "No calls yet", "Offline", "Connecting to the hub…",
)  # fmt: skip
_SERVICE = re.compile(r"^[A-Za-z0-9]{1,10}$")


def _numbers(raw: str) -> list[int]:
    found = (parse_digits(part.strip(), max_len=3) for part in raw.split(",") if part.strip())
    return sorted({n for n in found if n})


def _codes(raw: str) -> list[str]:
    return sorted({p.strip() for p in raw.split(",") if _SERVICE.match(p.strip())})


def _bounded(name: str, default: int, low: int, high: int) -> int:
    value = parse_digits(request.args.get(name, ""), max_len=4)
    return default if value is None else min(max(value, low), high)


@bp.get("/bang")
def board() -> Response:
    """The board page; the zone and timings come from the query (a TV's bookmark)."""
    settings = current_app.config["MOTCUA"]
    config = {
        "zone": {
            "counters": _numbers(request.args.get("counters", "")[:200]),
            "services": _codes(request.args.get("services", "")[:200]),
        },
        "recent": _bounded("recent", 6, 0, 12),
        "highlight_s": _bounded("highlight", 10, 0, 120),
        "stale_s": _bounded("stale", 30, 1, 3600),
        "timezone": settings.timezone,
        "texts": {msgid: both(msgid) for msgid in BOARD_TEXTS},
    }
    return page("public/board.html", config=config)


def init_app(app: Flask) -> None:
    """Register the board page."""
    app.register_blueprint(bp)
