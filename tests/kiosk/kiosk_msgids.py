"""Every text the kiosk shows, found in its source: for the catalog-completeness test."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import kiosk

CALLS = {"tr", "t", "other", "both", "gettext", "row", "section"}
KV_CALL = re.compile(r'app\.(?:tr|other)\(\s*("(?:[^"\\]|\\.)*")')


def kiosk_msgids() -> set[str]:
    """Literal msgids passed to the translator, plus the texts kept in tables."""
    root = Path(kiosk.__file__).parent
    found: set[str] = set()
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                first = node.args[0]
                options = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                for option in options if name in CALLS else []:
                    if isinstance(option, ast.Constant) and isinstance(option.value, str):
                        found.add(option.value)
    for path in root.rglob("*.kv"):
        for match in KV_CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(ast.literal_eval(match.group(1)))
    from kiosk.screens import dossier, services, ticket  # the tables of texts

    found.update(ticket.ERRORS.values())
    found.update(services.REASON_TEXT.values())
    for title, advice in dossier.PROBLEMS.values():
        found.update((title, advice))
    found.update(("Loading…", "No services now."))  # chosen into a variable, then shown
    found.update(("Offline: cannot reach the hub", "Cannot search now. Please try again."))
    found.discard("…")
    return found
