"""The appliances' optional read-only root: a RAM overlay over the card, so that a power cut can
never leave a half-written file system behind.

Debian's ``overlayroot`` (in the appliance images) does the work in the initramfs when the kernel
command line says ``overlayroot=tmpfs``. The switch is that word in ``cmdline.txt`` on the boot
partition, which a technician can also edit on any laptop, and in
``/etc/default/raspi-extra-cmdline``, from which raspi-firmware writes ``cmdline.txt`` again at a
kernel update; the first boot adds or removes it as ``read_only_root`` in ``motcua.toml`` asks,
and it takes effect at the next start. With
``recurse=0`` only ``/`` is overlaid: the boot partition stays writable.
"""

from __future__ import annotations

from pathlib import Path

OVERLAY = "overlayroot=tmpfs:recurse=0"


def with_overlay(cmdline: str, on: bool) -> str:
    """``cmdline.txt``'s text with the overlay word present (``on``) or absent, the rest kept.

    The file is one line of words; any ``overlayroot=`` word a technician typed counts as theirs
    and is replaced, so there is never more than one.
    """
    words = [w for w in cmdline.split() if not w.startswith("overlayroot=")]
    if on:
        words.append(OVERLAY)
    return " ".join(words) + "\n"


def active(mounts: Path = Path("/proc/mounts")) -> bool:
    """Whether ``/`` is an overlay now (what overlayroot makes it), from the mount table."""
    try:
        lines = mounts.read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    roots = [fields for fields in map(str.split, lines) if len(fields) > 2 and fields[1] == "/"]
    return bool(roots) and roots[-1][2] == "overlay"  # the last mount on / is the one seen
