"""The link to the agency's one-stop back end: adapters (HTTP pull, signed webhook push, file
import), the field mapping that turns the back end's records into clean ones, periodic sync, and
a simulator of a back end for demos and tests.

:func:`build_adapter` picks the adapter the configuration names; nothing connects at import.
"""

from __future__ import annotations

from hub.config import UpstreamConfig
from hub.upstream.base import Adapter


def build_adapter(config: UpstreamConfig) -> Adapter | None:
    """The pull adapter for ``config``, or None when no back end is configured."""
    if config.kind == "none":
        return None
    from hub.upstream.http import HttpAdapter
    from hub.upstream.mapping import Mapping

    mapping = Mapping.load(config.mapping_file) if config.mapping_file else Mapping()
    return HttpAdapter(
        config.base_url, mapping=mapping, auth_header=config.auth_header, timeout_s=config.timeout_s
    )
