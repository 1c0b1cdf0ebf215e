"""What every back-end adapter offers, and how it fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class UpstreamError(Exception):
    """The back end could not answer usefully now (down, slow, 5xx, garbage). Retry later."""


class UpstreamTimeout(UpstreamError):
    """The back end did not answer within the time allowed."""


class UpstreamBadData(UpstreamError):
    """The back end answered something that is not what the mapping expects."""


@dataclass
class Changes:
    """One page of changed dossiers (clean records) and where to continue from."""

    dossiers: list[dict[str, Any]]
    cursor: str
    more: bool
    rejected: int = 0  # records the mapping refused (wrong types, bad code, …)


@dataclass
class Catalogue:
    """One page of the procedure catalogue (clean records)."""

    procedures: list[dict[str, Any]]
    cursor: str | None
    more: bool
    rejected: int = 0
    errors: list[str] = field(default_factory=list)


class Adapter(Protocol):
    """A back end the hub can ask. Every method raises :class:`UpstreamError` on failure."""

    def lookup(self, code: str, timeout_s: float | None = None) -> dict[str, Any] | None:
        """The clean dossier record with this (canonical) code, or None if the back end has none."""
        ...

    def changes(self, cursor: str) -> Changes:
        """Dossiers changed since ``cursor`` ("" for everything), one page."""
        ...

    def procedures(self, cursor: str | None = None) -> Catalogue:
        """One page of the procedure catalogue, from ``cursor`` (None for the start)."""
        ...
