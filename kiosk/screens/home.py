"""Home: take a ticket, look up a dossier, procedures."""

from __future__ import annotations

from kiosk.screens.base import KioskScreen


class HomeScreen(KioskScreen):
    """Three big choices; everything is disabled, with a plain word why, while offline."""
