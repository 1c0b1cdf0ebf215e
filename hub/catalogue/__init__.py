"""The procedure catalogue (thủ tục hành chính): its SQLite store and search flow (``procedures``),
the in-memory ranking (``ranking``), everyday words (``synonyms``, ``synonyms.toml``), text made
fit to read at import (``cleaning``), search keys of Vietnamese text (``text``), the full-text
side in SQLite (``fulltext``), and its public HTTP API (``api``)."""
