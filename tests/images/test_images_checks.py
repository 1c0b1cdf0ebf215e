"""The Debian tools' own checks: systemd-analyze verify on every unit, shellcheck on every
script, cloud-init on the user-data and network-config examples."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from image_checks_helpers import PROJECT, ROLES, tool

# Made on the device image by install-venv (arm64), so stood in for here; anything else a unit
# runs must be in the tree or come from a Debian package installed on this machine too.
VENV = "/opt/motcua/venv/"
EXEC = re.compile(r"^Exec\w+=[-@:+!]*(/\S+)", re.MULTILINE)


def verify_root(tree: Path, where: Path) -> tuple[Path, list[str]]:
    """A root for ``systemd-analyze verify --root``: the tree, the system's own units (standing
    for Raspberry Pi OS's), and the programs the units run. Returns it and the units to check."""
    root = where / "root"
    shutil.copytree(tree / "rootfs", root, symlinks=True)
    # Copies, not links: verify --root resolves every link inside the root.
    shutil.copytree(
        "/usr/lib/systemd/system", root / "usr/lib/systemd/system", ignore_dangling_symlinks=True
    )
    system = root / "etc/systemd/system"
    units = sorted(p.name for p in system.iterdir() if p.suffix in (".service", ".timer"))
    texts = [p.read_text() for p in system.rglob("*") if p.is_file()]
    for program in {m for text in texts for m in EXEC.findall(text)}:
        target = root / program.lstrip("/")
        if program.startswith(VENV):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("#!/bin/sh\n")
            target.chmod(0o755)
        elif not target.exists():
            host = Path(program)
            assert host.exists(), f"{program}: neither in the tree nor from a Debian package"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(host.resolve(), target)
    return root, [*units, "getty@tty1.service"]


@pytest.mark.parametrize("role", ROLES)
def test_every_unit_passes_systemd_analyze_verify(built_trees, tmp_path, role):
    analyze = tool("systemd-analyze", "systemd")
    root, units = verify_root(built_trees(role)[0], tmp_path)
    assert f"motcua-{role}.service" in units and "motcua-firstboot.service" in units
    done = subprocess.run(
        [analyze, "verify", "--man=no", f"--root={root}", *units],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    ours = [line for line in done.stderr.splitlines() if "motcua" in line or "getty" in line]
    assert ours == [], done.stderr


def test_systemd_analyze_catches_a_unit_that_runs_nothing(built_trees, tmp_path):
    """The check above has teeth: a unit pointing at a missing program fails it."""
    analyze = tool("systemd-analyze", "systemd")
    root, _ = verify_root(built_trees("kiosk")[0], tmp_path)
    unit = root / "etc/systemd/system/motcua-kiosk.service"
    unit.write_text(unit.read_text().replace(f"{VENV}bin/motcua", "/usr/bin/no-such-motcua"))
    done = subprocess.run(
        [analyze, "verify", "--man=no", f"--root={root}", "motcua-kiosk.service"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "/usr/bin/no-such-motcua is not executable" in done.stderr


def scripts() -> list[Path]:
    """Every shell script under images/: by its #! line, or a module's config (sourced)."""
    found = []
    for path in sorted((PROJECT / "images").rglob("*")):
        if not path.is_file():
            continue
        head = path.read_bytes()[:64]
        if head.startswith((b"#!/bin/bash", b"#!/bin/sh", b"#!/usr/bin/env bash")) or (
            path.name == "config" and head.startswith(b"# shellcheck shell=")
        ):
            found.append(path)
    return found


def test_shellcheck_passes_on_every_script():
    shellcheck = tool("shellcheck", "shellcheck")
    found = scripts()
    names = {p.name for p in found}
    assert {"build.sh", "backup-to-usb", "install-venv", "config"} <= names
    done = subprocess.run(
        [shellcheck, "--external-sources", *map(str, found)],
        capture_output=True, text=True, cwd=PROJECT / "images", check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    for path in found:
        if path.name != "config":
            assert os.access(path, os.X_OK), f"{path} is not executable"


def test_cloud_init_accepts_the_user_data_example():
    cloud_init = tool("cloud-init", "cloud-init")
    example = PROJECT / "images/common/filesystem/boot/user-data.example"
    done = subprocess.run(
        [cloud_init, "schema", "--config-file", str(example)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Valid cloud-config" in done.stdout


def test_cloud_init_refuses_a_broken_user_data(tmp_path):
    """The schema check has teeth: a wrong type is reported."""
    cloud_init = tool("cloud-init", "cloud-init")
    broken = tmp_path / "user-data"
    broken.write_text("#cloud-config\nhostname: [not, a, name]\nssh_pwauth: maybe\n")
    done = subprocess.run(
        [cloud_init, "schema", "--config-file", str(broken)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode != 0


def test_cloud_init_turns_the_network_config_example_into_wifi(tmp_path):
    cloud_init = tool("cloud-init", "cloud-init")
    example = PROJECT / "images/common/filesystem/boot/network-config.example"
    done = subprocess.run(
        [cloud_init, "devel", "net-convert", "--network-data", str(example), "--kind", "yaml",
         "--distro", "debian", "--output-kind", "netplan", "--directory", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    netplan = (tmp_path / "etc/netplan/50-cloud-init.yaml").read_text()
    assert "wlan0:" in netplan and "Ten-mang-Wi-Fi:" in netplan
    assert "regulatory-domain: VN" in netplan


def lines(path: Path) -> list[str]:
    """The lines of a text file."""
    return path.read_text().splitlines()


def test_sysusers_and_tmpfiles_make_the_accounts_and_folders(built_trees, tmp_path):
    """systemd-sysusers and systemd-tmpfiles, as at the device's first boot, on a copy of the
    tree (this machine's /etc/passwd and /etc/group stand for the base system's)."""
    sysusers = tool("systemd-sysusers", "systemd")
    tmpfiles = tool("systemd-tmpfiles", "systemd")
    root = tmp_path / "root"
    shutil.copytree(built_trees("kiosk")[0] / "rootfs", root, symlinks=True)
    for name in ("passwd", "group"):
        shutil.copyfile(f"/etc/{name}", root / "etc" / name)
    done = subprocess.run([sysusers, f"--root={root}"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    users = {line.split(":")[0]: line.split(":") for line in lines(root / "etc/passwd")}
    groups = {line.split(":")[0]: line.split(":") for line in lines(root / "etc/group")}
    assert users["motcua"][6] == "/usr/sbin/nologin"
    for group in ("video", "render", "input", "audio", "lp", "dialout"):
        assert "motcua" in groups[group][3].split(","), group
    assert "tech" in groups["sudo"][3] and users["tech"][6] == "/bin/bash"

    done = subprocess.run(
        [tmpfiles, f"--root={root}", "--create", str(root / "usr/lib/tmpfiles.d/motcua.conf")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    state = (root / "var/lib/motcua").stat()
    assert oct(state.st_mode & 0o7777) == "0o750" and state.st_uid == int(users["motcua"][2])
    assert (root / "home/tech").stat().st_uid == int(users["tech"][2])


def _unit_values(text: str, key: str) -> set[str]:
    return {name for line in text.splitlines() if line.startswith(f"{key}=")
            for name in line.split("=", 1)[1].split()}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_no_unit_that_boot_waits_for_is_ordered_after_what_comes_after_boot(built_trees, role):
    """A unit that multi-user.target wants must not come after a unit that comes after
    multi-user.target (cloud-final.service does): systemd breaks such a cycle at boot by
    dropping a job. Seen booting the kiosk image in qemu, where it dropped cloud-final."""
    tree = built_trees(role)[0] / "rootfs"
    tool("cloud-init", "cloud-init")  # cloud-init's own units, as the image has them
    found = []
    for unit in sorted((tree / "etc/systemd/system").glob("motcua-*.service")):
        text = unit.read_text(encoding="utf-8")
        if "multi-user.target" not in _unit_values(text, "WantedBy"):
            continue
        for before in sorted(_unit_values(text, "After")):
            for folder in (tree / "etc/systemd/system", Path("/usr/lib/systemd/system"),
                           Path("/lib/systemd/system")):  # fmt: skip
                other = folder / before
                if other.is_file():
                    if "multi-user.target" in _unit_values(other.read_text(), "After"):
                        found.append(f"{unit.name} After={before}")
                    break
    assert found == []


def test_the_technician_may_use_sudo_without_a_password_they_do_not_have(built_trees):
    visudo = tool("visudo", "sudo")
    rules = built_trees("kiosk")[0] / "rootfs/etc/sudoers.d/motcua-tech"
    assert rules.stat().st_mode & 0o777 == 0o440  # sudo skips a file others can write
    done = subprocess.run([visudo, "-c", "-f", str(rules)], capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tech ALL=(ALL) NOPASSWD:ALL" in rules.read_text()
