"""From the technician's boot file to what each role's app reads (its ``$MOTCUA_CONFIG``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from provisioning.bootconfig import BootConfig, usb_ids
from provisioning.paths import Paths

HEADER = (
    "Written by first-boot provisioning from motcua.toml on the boot partition.\n"
    "Change it here (then restart the unit) or in the boot file before the first start."
)


def app_settings(config: BootConfig, paths: Paths) -> dict[str, Any]:
    """The settings of ``config.role``'s app, as TOML keys; the enrolment code is not among them.

    Provisioning enrols by itself: an app given no code waits for the hub and then offers the
    code-entry screen, so the two never spend one code twice.
    """
    var = paths.state_dir
    if config.role == "hub":
        return _hub(config, var)
    settings: dict[str, Any] = {
        "hub_url": config.hub_url,
        "token_file": paths.token_file(config.role),
        "language": config.language,
        "fullscreen": True,
        "screenshot_dir": var / "screenshots",
    }
    if config.name:
        settings["name"] = config.name
    if config.agency_name and config.role != "counter":
        settings["agency_name"] = config.agency_name
    if config.role == "counter":
        settings["counter"] = config.counter
    elif config.role == "display":
        settings["counters"] = config.zone_counters
        settings["services"] = config.zone_services
        settings["audio_dir"] = var / "display-audio"
    elif config.role == "kiosk":
        settings["printer"] = _printer(config, var)
    return settings


def _printer(config: BootConfig, var: Path) -> dict[str, Any]:
    printer: dict[str, Any] = {"kind": config.printer, "paper_mm": config.paper_mm}
    if config.printer == "usb":
        printer["usb_vendor"], printer["usb_product"] = usb_ids(config.printer_usb)
    elif config.printer == "serial":
        printer["serial_device"] = config.printer_serial
    elif config.printer == "network":
        printer["host"] = config.printer_host
    else:
        printer["output_dir"] = var / "printer"
    return printer


def _hub(config: BootConfig, var: Path) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "host": "0.0.0.0",  # the appliances reach it over the LAN
        "port": config.port,
        "db_path": var / "hub.sqlite3",
        "backup_dir": var / "backups",
        "timezone": "Asia/Ho_Chi_Minh",
    }
    if config.agency_name:
        settings["agency_name"] = config.agency_name
    return settings


def timesyncd_conf(config: BootConfig) -> str | None:
    """An appliance takes its time from the hub (the LAN often has no internet); None on the hub,
    which serves time itself (chrony, from the image)."""
    if config.role == "hub":
        return None
    return (
        "# Written by first-boot provisioning: the hub serves time on the LAN.\n"
        f"[Time]\nNTP={config.hub_host}\n"
    )
