"""What every part of Motcua shares: the ``motcua`` command, the configuration loader and the
translations. The hub and the appliance apps both import from here; this package imports from
neither."""
