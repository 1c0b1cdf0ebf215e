"""What the appliance apps share, plus the ``motcua`` command and the config loader."""
