"""Translations for what people read on the appliances: gettext ``.po`` catalogs, Vietnamese first.

Source strings (msgids) are English, as the code is. Each package keeps its catalogs beside its
code as ``<package>/locale/<lang>.po`` (``vi.po`` holds the Vietnamese); a :class:`Translator`
merges the catalogs of the packages it is given. The ``.po`` files are read with Babel at start-up
(and kept in memory), so editing one with any gettext tool (Poedit, Weblate) needs no build step;
``make messages`` extracts the msgids from the code and updates every catalog.

Vietnamese is the default language; ``both()`` gives the Vietnamese text with the English beside
it, for labels that show the two together. Counts go through ``ngettext()`` so that English reads
"1 day ago" and "2 days ago" while Vietnamese, with one plural form, reads "1 ngày trước". Texts
kept in tables and translated later are marked with :func:`N_` so that extraction finds them.
"""

from __future__ import annotations

import functools
import gettext as gnu
import io
import re
import unicodedata
from collections.abc import Iterable
from importlib import resources

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


class CatalogError(ValueError):
    """A .po file could not be read; the message names the file and line."""


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction without translating it: for texts kept in tables."""
    return msgid


# A .po line: a comment, a keyword with its quoted string, or a continued quoted string.
_PO_LINE = re.compile(r'(#.*|(msgctxt|msgid|msgid_plural|msgstr(\[\d+\])?)\s+".*"|".*")?')


def read_catalog(text: str, origin: str = "<po>", language: str = DEFAULT_LANGUAGE) -> Catalog:
    """Parse a .po catalog with Babel, every text in NFC; a bad file names ``origin`` and line."""
    # Babel reads some malformed lines as empty strings; a translator deserves the line number.
    for number, line in enumerate(text.splitlines(), 1):
        if not _PO_LINE.fullmatch(line.strip()):
            raise CatalogError(f"{origin}:{number}: cannot read {line.strip()[:40]!r}")
    try:
        catalog = read_po(io.StringIO(text), locale=language, abort_invalid=True)
    except PoFileError as exc:
        # Babel says "... on <line>"; the file name makes the message actionable.
        raise CatalogError(f"{origin}:{str(exc).rsplit(' ', 1)[-1]}: {exc}") from None
    for message in catalog:
        if message.id:
            message.id = _nfc(message.id)
            message.string = _nfc(message.string)
    return catalog


def parse_po(text: str, origin: str = "<po>") -> dict[str, str]:
    """A .po catalog as {msgid: msgstr} of its translated, non-fuzzy singular entries."""
    return {
        m.id: m.string
        for m in read_catalog(text, origin)
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def _nfc(value: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return tuple(unicodedata.normalize("NFC", v) for v in value)


@functools.cache
def load_catalog(package: str, language: str) -> Catalog | None:
    """The parsed ``<package>/locale/<language>.po``, or None when the package has none."""
    resource = resources.files(package) / "locale" / f"{language}.po"
    if not resource.is_file():
        return None
    text = resource.read_text(encoding="utf-8")
    return read_catalog(text, f"{package}/locale/{language}.po", language)


def _translations(catalog: Catalog) -> Translations:
    """Babel's gettext object for ``catalog`` (compiled in memory: fuzzy entries left out)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


class Translator:
    """Looks up text in the current language, falling back to the English msgid."""

    def __init__(self, packages: Iterable[str], language: str = DEFAULT_LANGUAGE) -> None:
        self._gettext: dict[str, gnu.NullTranslations] = {}
        self._known: dict[str, set[str | tuple[str, ...]]] = {}
        for lang in LANGUAGES:
            merged: gnu.NullTranslations = gnu.NullTranslations()
            known: set[str | tuple[str, ...]] = set()
            # Later packages win: an app's own wording overrides the shared one.
            for package in reversed(list(packages)):
                catalog = load_catalog(package, lang)
                if catalog is None:
                    continue
                merged.add_fallback(_translations(catalog))
                known |= {m.id for m in catalog if m.id and m.string and not m.fuzzy}
            self._gettext[lang], self._known[lang] = merged, known
        self.language = DEFAULT_LANGUAGE
        self.set_language(language)

    def set_language(self, language: str) -> None:
        """Switch language; refuses one it has no catalogs for."""
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
        self.language = language

    def gettext(self, msgid: str, language: str | None = None, **values: object) -> str:
        """The text for ``msgid`` in ``language`` (default: current), with ``{name}`` filled in."""
        text = self._gettext[language or self.language].gettext(msgid)
        return text.format(**values) if values else text

    __call__ = gettext

    def ngettext(
        self, singular: str, plural: str, n: int, language: str | None = None, **values: object
    ) -> str:
        """The form of a counted text that suits ``n``, with ``{n}`` and ``{name}`` filled in."""
        text = self._gettext[language or self.language].ngettext(singular, plural, n)
        return text.format(**{"n": n, **values})

    def both(self, msgid: str, **values: object) -> tuple[str, str]:
        """(Vietnamese, English) for labels that show both languages together."""
        return self.gettext(msgid, "vi", **values), self.gettext(msgid, "en", **values)

    def nboth(self, singular: str, plural: str, n: int, **values: object) -> tuple[str, str]:
        """(Vietnamese, English) of a counted text."""
        return (
            self.ngettext(singular, plural, n, "vi", **values),
            self.ngettext(singular, plural, n, "en", **values),
        )

    def missing(self, msgids: Iterable[str], language: str = "vi") -> list[str]:
        """Which of ``msgids`` have no translation in ``language``."""
        return [m for m in msgids if m not in self._known[language]]
