"""What each role's file tree holds, as images/build.sh assembles it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from image_checks_helpers import PROJECT, ROLES

UNIT_OF = {role: f"motcua-{role}.service" for role in ROLES}


@pytest.mark.parametrize("role", ROLES)
def test_the_build_shows_progress_and_assembles_the_role(built_trees, role):
    out, printed = built_trees(role)
    steps = re.findall(r"^\[(\d)/6\] ", printed, re.MULTILINE)
    assert steps == ["1", "2", "3", "4", "5", "6"], printed
    assert re.search(rf"^done: {role} tree in \d+ s$", printed, re.MULTILINE)
    rootfs = out / "rootfs"
    system = rootfs / "etc/systemd/system"
    # One unit per app, present but off: first boot enables it once its settings exist (and,
    # on appliances, the hourly look for an update on the hub).
    assert [p.name for p in system.glob("motcua-*.service") if p.name not in (
        "motcua-firstboot.service", "motcua-noblank.service", "motcua-backup.service",
        "motcua-update.service")] == [UNIT_OF[role]]  # fmt: skip
    assert (system / "motcua-update.timer").is_file()
    assert not (system / "timers.target.wants/motcua-update.timer").exists()
    wants = sorted(p.name for p in (system / "multi-user.target.wants").iterdir())
    assert wants == ["motcua-firstboot.service", "motcua-noblank.service"]
    assert os.readlink(system / "multi-user.target.wants/motcua-firstboot.service") == (
        "/etc/systemd/system/motcua-firstboot.service"
    )
    assert (rootfs / "etc/timezone").read_text() == "Asia/Ho_Chi_Minh\n"
    assert os.readlink(rootfs / "etc/localtime") == "/usr/share/zoneinfo/Asia/Ho_Chi_Minh"
    journald = (rootfs / "etc/systemd/journald.conf.d/motcua.conf").read_text()
    assert "Storage=volatile" in journald
    extra = (rootfs / "etc/default/raspi-extra-cmdline").read_text()  # kept by kernel updates
    assert extra == "consoleblank=0 ds=nocloud;s=file:///boot/firmware/\n"
    getty = (system / "getty@.service.d/motcua-no-autologin.conf").read_text()
    assert "--autologin" not in getty
    sshd = (rootfs / "etc/ssh/sshd_config.d/motcua.conf").read_text()
    assert "PasswordAuthentication no" in sshd and "PermitRootLogin no" in sshd
    assert not list(system.glob("*.wants/ssh.service"))  # SSH off until provisioning
    role_env = (rootfs / "opt/motcua/role.env").read_text()
    assert f"MOTCUA_ROLE={role}\n" in role_env and f"MOTCUA_UNIT={UNIT_OF[role]}" in role_env
    # Appliances' venvs see Debian's Kivy (its SDL2 has KMS/DRM; the PyPI wheel's does not).
    appliance = "yes" if role != "hub" else "no"
    assert f"MOTCUA_APPLIANCE={appliance}\n" in role_env
    assert (out / "boot/motcua.toml.example").is_file()
    assert (out / "boot/user-data.example").is_file()
    assert (out / "boot/meta-data").is_file()  # without it cloud-init ignores a user-data
    manifest = (out / "manifest.txt").read_text().splitlines()
    assert "rootfs/etc/systemd/system/" + UNIT_OF[role] in manifest


def test_each_role_gets_its_own_packages_and_devices(built_trees):
    packages = {
        role: set((built_trees(role)[0] / "packages.txt").read_text().split()) for role in ROLES
    }
    for role in ("kiosk", "counter", "display"):
        assert {
            "libsdl2-2.0-0",
            "libgl1-mesa-dri",
            "libgl1",
            "python3-kivy",
            "fonts-noto-core",
            "systemd-timesyncd",
        } <= (packages[role])
    assert "libusb-1.0-0" in packages["kiosk"]
    # growpart, for cloud-init to grow the root to the card; overlayroot for read_only_root
    assert all("cloud-guest-utils" in packages[role] for role in ROLES)
    assert all(
        {"overlayroot", "busybox"} <= packages[role] for role in ("kiosk", "counter", "display")
    )
    assert "overlayroot" not in packages["hub"]
    for role in ("kiosk", "counter", "display"):  # watched from the first frame, not from exec
        unit = built_trees(role)[0] / f"rootfs/etc/systemd/system/motcua-{role}.service"
        assert {"Type=notify", "WatchdogSec=30"} <= set(unit.read_text().splitlines())
    # Vietnamese letters on the text console (the hub's first-boot password, first-boot errors)
    assert all("console-setup" in packages[role] for role in ROLES)
    console = (built_trees("hub")[0] / "rootfs/etc/default/console-setup").read_text()
    assert 'CODESET="Vietnamese"' in console and 'CHARMAP="UTF-8"' in console
    assert {"espeak-ng", "alsa-utils"} <= packages["display"]
    assert "chrony" in packages["hub"] and "systemd-timesyncd" not in packages["hub"]
    assert not any(p.startswith("libsdl2") for p in packages["hub"])  # no screen stack
    kiosk = built_trees("kiosk")[0] / "rootfs"
    rule = (kiosk / "etc/udev/rules.d/60-motcua-printer.rules").read_text()
    assert 'GROUP="lp"' in rule and "*:0701??:*" in rule
    assert "blacklist usblp" in (kiosk / "etc/modprobe.d/motcua-usblp.conf").read_text()
    for role in ("hub", "counter", "display"):
        assert not (built_trees(role)[0] / "rootfs/etc/udev/rules.d").exists()
    hub = built_trees("hub")[0] / "rootfs"
    assert (hub / "etc/systemd/system/motcua-backup.timer").is_file()
    assert "allow" in (hub / "etc/chrony/conf.d/motcua.conf").read_text()


def test_an_unknown_role_is_refused_by_name(tmp_path):
    done = subprocess.run(
        ["bash", str(PROJECT / "images/build.sh"), "tree", "printer", str(tmp_path / "x")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "unknown role 'printer' (one of: hub kiosk counter display)" in done.stderr


@pytest.mark.slow
def test_the_kiosk_tree_carries_the_project_wheel_with_provisioning(tmp_path):
    out = tmp_path / "kiosk"
    done = subprocess.run(
        ["bash", str(PROJECT / "images/build.sh"), "tree", "kiosk", str(out)],
        capture_output=True, text=True, env={**os.environ, "PYTHON": sys.executable}, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = (out / "rootfs/opt/motcua/wheels").glob("motcua-*-py3-none-any.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"provisioning/firstboot.py", "provisioning/locale/vi.po", "appliance/enrolment.py",
            "kiosk/settings.py"} <= names  # fmt: skip
    assert "[5/6] wheel of the project" in done.stdout


def test_no_file_that_ships_holds_an_enrolment_code_or_a_password():
    shipped = [p for p in Path(PROJECT / "images").rglob("*") if p.is_file()]
    for path in shipped:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r'enroll_code\s*=\s*"\d', text), path
        assert "lock_passwd: false" not in text, path
