"""Catalog upkeep: find the msgids in the code (Babel, mapped by ``babel.cfg``) and keep each
package's ``locale/vi.po`` in step with them.

``make messages`` (``python -m motcua.catalogs``) adds what the code newly uses, untranslated, and
drops what it no longer uses; translated entries keep their place, so a diff shows only what
changed. tests/motcua/test_catalogs.py fails while any used text lacks its Vietnamese or any
entry is used by nothing.

A text lives in the catalog of the package whose code shows it, except the texts every app shows
(Back, Offline, …): those are in the shared package's catalog, which every Translator merges.
"""

from __future__ import annotations

import io
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import write_po

from motcua.i18n import read_catalog

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "babel.cfg"
SHARED_PACKAGE = "appliance"  # its catalog holds the texts every app shows (Back, Offline, …)
PACKAGES = (SHARED_PACKAGE, "hub", "kiosk", "counter_panel", "queue_display", "provisioning")
# The apps read the shared catalog under their own; the hub and provisioning read only theirs.
READS_SHARED = ("kiosk", "counter_panel", "queue_display")
LANGUAGE = "vi"

# How code asks for a translation. A name with argument numbers takes the msgid (and plural)
# from those arguments.
KEYWORDS: dict[str, Any] = {
    "gettext": None,
    "t": None,
    "tr": None,
    "both": None,
    "vi": None,
    "en": None,
    "other": None,
    "N_": None,
    "_": None,  # hub/sms: replies take the reply language's gettext as ``_``
    "ngettext": (1, 2),
    "nboth": (1, 2),
}

MsgId = str | tuple[str, str]


def extract_kv(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Babel extractor for Kivy rules: each line's Python expression, read as Python."""
    for number, raw in enumerate(fileobj.read().decode("utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            found = list(extract_python(io.BytesIO(line.encode()), keywords, comment_tags, options))
        except (SyntaxError, tokenize.TokenError):
            continue  # a kv structure line (``<Rule>:``) that is no expression
        for _, funcname, messages, comments in found:
            yield number, funcname, messages, comments


def used_msgids() -> dict[str, dict[MsgId, list[str]]]:
    """For each package, every msgid its code asks for, with where (``path:line``) it does."""
    with MAPPING.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    methods = [(pattern, extract_kv if m == "kv" else m) for pattern, m in method_map]
    found: dict[str, dict[MsgId, list[str]]] = {p: {} for p in PACKAGES}
    for path, line, message, _comments, _context in extract_from_dir(
        ROOT,
        methods,  # Babel calls a callable method as it is
        options_map,
        KEYWORDS,
        directory_filter=lambda d: Path(d).relative_to(ROOT).parts[0] in PACKAGES,
    ):
        msgid: MsgId = message if isinstance(message, str) else (message[0], message[1])
        package = Path(path).parts[0]
        found[package].setdefault(msgid, []).append(f"{path}:{line}")
    return found


def catalog_path(package: str) -> Path:
    return ROOT / package / "locale" / f"{LANGUAGE}.po"


def load(package: str) -> Catalog:
    """The package's catalog as it is on disk (empty when it has none yet)."""
    path = catalog_path(package)
    if not path.is_file():
        return Catalog(locale=LANGUAGE)
    return read_catalog(path.read_text(encoding="utf-8"), str(path), LANGUAGE)


def _key(msgid: MsgId) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def expected() -> dict[str, dict[MsgId, list[str]]]:
    """For each package, the msgids its catalog must hold, with where they are used."""
    used = used_msgids()
    shared_ids = {_key(m.id) for m in load(SHARED_PACKAGE) if m.id}
    wanted: dict[str, dict[MsgId, list[str]]] = {p: {} for p in PACKAGES}
    for package, msgids in used.items():
        for msgid, where in msgids.items():
            shared = package in READS_SHARED and _key(msgid) in shared_ids
            home = SHARED_PACKAGE if shared else package
            wanted[home].setdefault(msgid, []).extend(where)
    return wanted


@dataclass
class Report:
    """What is wrong with one package's catalog."""

    untranslated: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.untranslated or self.unused)


def check(package: str, wanted: dict[MsgId, list[str]]) -> Report:
    """Used texts without a Vietnamese translation, and catalog entries nothing uses."""
    catalog = load(package)
    report = Report()
    for msgid, where in wanted.items():
        entry = catalog.get(_key(msgid))
        strings = entry.string if entry is not None else ""
        strings = [strings] if isinstance(strings, str) else list(strings)
        same_shape = entry is not None and isinstance(entry.id, str) == isinstance(msgid, str)
        if not same_shape or entry.fuzzy or not all(strings):
            report.untranslated.append(f"{msgid!r} (used at {where[0]})")
    keys = {_key(m) for m in wanted}
    report.unused = [repr(m.id) for m in catalog if m.id and _key(m.id) not in keys]
    return report


def updated(package: str, wanted: dict[MsgId, list[str]]) -> str:
    """The package's catalog text with the wanted msgids: kept ones in place, new ones last."""
    old = load(package)
    new = Catalog(locale=LANGUAGE)
    keys = {_key(m): m for m in wanted}
    for message in old:
        msgid = keys.pop(_key(message.id), None) if message.id else None
        if msgid is None:
            continue  # the header, or an entry nothing uses any more
        if isinstance(msgid, str) == isinstance(message.id, str):
            new.add(msgid, message.string, flags=message.flags)
        else:  # a text that became counted (or stopped being): translate it again
            new.add(msgid, ("",) * new.num_plurals if not isinstance(msgid, str) else "")
    for msgid in keys.values():
        new.add(msgid, ("",) * new.num_plurals if not isinstance(msgid, str) else "")
    body = io.BytesIO()
    write_po(body, new, width=0, omit_header=True, no_location=True)
    return _header(package, new) + body.getvalue().decode("utf-8").rstrip("\n") + "\n"


def _header(package: str, catalog: Catalog) -> str:
    """The short header these catalogs keep, with its first comment line preserved."""
    path = catalog_path(package)
    first = path.read_text(encoding="utf-8").splitlines()[0] if path.is_file() else ""
    comment = first if first.startswith("#") else f"# Vietnamese texts of {package}."
    return (
        f'{comment}\nmsgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f'"Language: {LANGUAGE}\\n"\n"Plural-Forms: {catalog.plural_forms}\\n"\n\n'
    )


def main() -> int:
    """``make messages``: bring every package's catalog in step with its code."""
    wanted = expected()
    for package in PACKAGES:
        path = catalog_path(package)
        text = updated(package, wanted[package])
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        report = check(package, wanted[package])
        print(f"{path.relative_to(ROOT)}: updated; {len(report.untranslated)} to translate")
        for line in report.untranslated:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
