"""First-boot and on-device setup of a Motcua appliance or hub.

On the first boot of a freshly flashed card, ``motcua-firstboot.service`` runs
``python -m provisioning``: it reads the one file the technician edited on the boot partition
(``motcua.toml``), checks it, writes the role's settings, enrols with the hub, stores the device
token readable by the app's user only, erases the one-time code from the boot partition, enables
the role's unit and disables itself. Run again, it changes nothing.

Every path is under :class:`~provisioning.paths.Paths`, so tests run it against a folder.
"""
