"""The procedure catalogue (thủ tục hành chính): its SQLite cache and search (``procedures``) and
its public HTTP API (``api``)."""
