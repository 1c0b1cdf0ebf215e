"""The appliances' translations: the texts every app shows (Back, Offline, the start-up screen…)
from this package's catalog, under the app's own, which wins where both have a text."""

from __future__ import annotations

from motcua.i18n import DEFAULT_LANGUAGE, Translator

PACKAGE = "appliance"


def translator(app_package: str | None = None, language: str = DEFAULT_LANGUAGE) -> Translator:
    """A translator for ``app_package`` (e.g. ``"kiosk"``) over the shared appliance texts."""
    packages = [PACKAGE] if app_package is None else [PACKAGE, app_package]
    return Translator(packages, language)
