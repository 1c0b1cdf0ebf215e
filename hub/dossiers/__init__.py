"""Dossiers (hồ sơ): receipt codes, status words, the hub's cache and the public lookup."""
