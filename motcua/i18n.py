"""Translations for what people read on the appliances: gettext ``.po`` catalogs, Vietnamese first.

Source strings (msgids) are English, as the code is. Each package keeps its catalogs beside its
code as ``<package>/locale/<lang>.po`` (``vi.po`` holds the Vietnamese); a :class:`Translator`
merges the catalogs of the packages it is given. The ``.po`` files are read directly, so editing
one with any gettext tool (Poedit, Weblate) needs no build step.

Vietnamese is the default language; ``both()`` gives the Vietnamese text with the English beside
it, for labels that show the two together.
"""

from __future__ import annotations

import ast
import unicodedata
from collections.abc import Iterable
from importlib import resources

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


class CatalogError(ValueError):
    """A .po file could not be read; the message names the file and line."""


def parse_po(text: str, origin: str = "<po>") -> dict[str, str]:
    """Parse a .po catalog into {msgid: msgstr}; untranslated and fuzzy entries are left out."""
    catalog: dict[str, str] = {}
    entry: dict[str, list[str]] = {}
    current: list[str] | None = None
    fuzzy = pending_fuzzy = False

    def flush() -> None:
        key, value = "".join(entry.get("msgid", [])), "".join(entry.get("msgstr", []))
        if key and value and not fuzzy:
            catalog[unicodedata.normalize("NFC", key)] = unicodedata.normalize("NFC", value)

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            pending_fuzzy = pending_fuzzy or (line.startswith("#,") and "fuzzy" in line)
            continue
        keyword, _, rest = line.partition(" ")
        try:
            if keyword == "msgid":
                flush()
                entry, fuzzy, pending_fuzzy = {}, pending_fuzzy, False
                current = entry["msgid"] = [ast.literal_eval(rest.strip())]
            elif keyword == "msgstr" and "msgid" in entry:
                current = entry["msgstr"] = [ast.literal_eval(rest.strip())]
            elif line.startswith('"') and current is not None:
                current.append(ast.literal_eval(line))
            else:
                raise CatalogError(f"{origin}:{number}: cannot read {line[:40]!r}")
        except (SyntaxError, ValueError) as exc:
            if isinstance(exc, CatalogError):
                raise
            raise CatalogError(f"{origin}:{number}: bad string {line[:40]!r}") from None
    flush()
    return catalog


def load_catalog(package: str, language: str) -> dict[str, str]:
    """The catalog ``<package>/locale/<language>.po``, or {} when the package has none."""
    resource = resources.files(package) / "locale" / f"{language}.po"
    if not resource.is_file():
        return {}
    return parse_po(resource.read_text(encoding="utf-8"), f"{package}/locale/{language}.po")


class Translator:
    """Looks up text in the current language, falling back to the English msgid."""

    def __init__(self, packages: Iterable[str], language: str = DEFAULT_LANGUAGE) -> None:
        self._catalogs: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
        for package in ["appliance", *packages]:
            for lang in LANGUAGES:
                self._catalogs[lang].update(load_catalog(package, lang))
        self.language = DEFAULT_LANGUAGE
        self.set_language(language)

    def set_language(self, language: str) -> None:
        """Switch language; refuses one it has no catalogs for."""
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
        self.language = language

    def gettext(self, msgid: str, language: str | None = None, **values: object) -> str:
        """The text for ``msgid`` in ``language`` (default: current), with ``{name}`` filled in."""
        lang = language or self.language
        text = self._catalogs[lang].get(msgid, msgid)
        return text.format(**values) if values else text

    __call__ = gettext

    def both(self, msgid: str, **values: object) -> tuple[str, str]:
        """(Vietnamese, English) for labels that show both languages together."""
        return self.gettext(msgid, "vi", **values), self.gettext(msgid, "en", **values)

    def missing(self, msgids: Iterable[str], language: str = "vi") -> list[str]:
        """Which of ``msgids`` have no translation in ``language`` (for catalog tests)."""
        return [m for m in msgids if m not in self._catalogs[language]]
