"""The outbox's settings (the ``[outbox]`` table of the hub's configuration)."""

from __future__ import annotations

from dataclasses import dataclass

from motcua.config import ConfigError


@dataclass(frozen=True)
class OutboxConfig:
    """Where and how the hub delivers its outbox; off while ``url`` is empty."""

    url: str = ""  # the back end's endpoint that takes deliveries (POST); empty: no outbox
    site: str = ""  # this office's code as the province knows it, sent with every delivery
    auth_header: str = ""  # e.g. "Authorization: Bearer …", sent as-is
    timeout_s: float = 10.0  # for one whole delivery request
    batch_size: int = 100  # items per request (1: one item, and its key, per request)
    backoff_base_s: float = 1.0  # first wait after a failure; doubles per failure, with jitter
    backoff_cap_s: float = 60.0  # the longest wait between two attempts
    poll_s: float = 2.0  # look for new items this often even when nothing woke the worker
    keep_delivered_days: int = 7  # delivered items are pruned after this; undelivered never

    @property
    def enabled(self) -> bool:
        """Whether an endpoint is configured."""
        return bool(self.url)

    def validate(self, path: str) -> None:
        """Refuse settings the delivery could not run with, naming the key."""
        if self.url and not self.url.startswith(("http://", "https://")):
            raise ConfigError(f"{path}url", "must be an http(s):// URL, or empty for no outbox")
        if self.auth_header:
            name, _, value = self.auth_header.partition(":")
            if not name.strip() or not value.strip():
                raise ConfigError(f"{path}auth_header", "must look like 'Name: value'")
        if len(self.site) > 100:
            raise ConfigError(f"{path}site", "must be at most 100 characters")
        if not 1 <= self.batch_size <= 1000:
            raise ConfigError(f"{path}batch_size", "must be 1 to 1000")
        for name in ("timeout_s", "backoff_base_s", "backoff_cap_s", "poll_s"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{path}{name}", "must be positive")
        if self.backoff_cap_s < self.backoff_base_s:
            raise ConfigError(f"{path}backoff_cap_s", "must be at least backoff_base_s")
        if self.keep_delivered_days < 1:
            raise ConfigError(f"{path}keep_delivered_days", "must be at least 1")
