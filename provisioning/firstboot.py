"""The first boot, from the boot file to a running app, and again until it has worked.

One pass (:meth:`FirstBoot.run_once`) does every step whose result is not there yet and reports
whether it is done; :meth:`FirstBoot.run` repeats passes until it is. Each step writes only what
differs, so a pass over a provisioned device changes nothing. Errors go to standard output, which
the unit sends to the console and the journal; meanwhile the role's app is already started, so
the screen shows the app's own start-up ("waiting for the hub", then code entry).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pwd
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from appliance.enrolment import read_token
from motcua.i18n import N_
from provisioning import bootconfig, files, hubrole, rootmode
from provisioning.bootconfig import BootConfig, BootConfigError
from provisioning.enrolling import EnrolFailed, enrol_device
from provisioning.files import Owner
from provisioning.paths import BACKUP_TIMER, FIRSTBOOT_UNIT, UNITS, UPDATE_TIMER, Paths
from provisioning.settings import HEADER, app_settings, timesyncd_conf
from provisioning.texts import Say, render

APP_USER = "motcua"  # the image's user that runs the apps (and owns their tokens)
SSH_USER = "tech"  # the image's user a technician logs in as, with a key only

STARTING = N_("Setting up this box as a {role} from {path}.")
BOOT_FILE_WRONG = N_("motcua.toml needs fixing (the box checks it again every {seconds} s):")
NO_CODE = N_(
    "No enrolment code in motcua.toml: type one on the screen (the administrator makes it with "
    "motcua devices enroll-code --role {role})."
)
DONE = N_("This {role} is set up. The enrolment code was erased from the boot partition.")
HUB_DONE = N_("This hub is set up: the console is at port {port}, the nightly backup is on.")
READ_ONLY_ON = N_(
    "Read-only root: on from the next start. The card is then never written; updates from the hub "
    "wait until it is off (remove {word} from cmdline.txt)."
)
READ_ONLY_OFF = N_("Read-only root: off from the next start.")
NO_CMDLINE = N_(
    "cmdline.txt is missing from the boot partition: the root cannot be made read-only."
)
NOTHING = N_("Already set up as a {role}: nothing to change.")


class Systemd(Protocol):
    """Starting units now (enabling them is a symlink, made without systemd)."""

    def start(self, unit: str) -> None:
        """Start ``unit`` without waiting for it."""

    def restart(self, unit: str) -> None:
        """Restart ``unit`` (start it if it is not running) without waiting."""


class Systemctl:
    """The real one: ``systemctl --no-block``."""

    def start(self, unit: str) -> None:
        """``systemctl --no-block start unit``."""
        subprocess.run(["systemctl", "--no-block", "start", unit], check=False)

    def restart(self, unit: str) -> None:
        """``systemctl --no-block restart unit``."""
        subprocess.run(["systemctl", "--no-block", "restart", unit], check=False)


@dataclass
class Outcome:
    """What one pass did: whether provisioning is finished, and when to try again if not."""

    done: bool
    retry_in: float | None = None  # None with done False: wait until the boot file changes
    said: list[Say] = field(default_factory=list)
    changed: bool = False


@dataclass
class FirstBoot:
    """First-boot provisioning of the device whose files are under ``paths``."""

    paths: Paths
    systemd: Systemd
    out: Callable[[str], None] = print
    owner: Owner = None
    motcua: Sequence[str] = (sys.executable, "-m", "motcua.cli")
    retry_s: float = 10.0
    recheck_s: float = 15.0
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone()

    def _say(self, outcome: Outcome, say: Say) -> None:
        outcome.said.append(say)
        self.out(render(say))

    def run_once(self) -> Outcome:
        """One pass over every step; see the module's docstring."""
        outcome = Outcome(done=False)
        boot_file = self.paths.host(self.paths.boot_file)
        try:
            config = bootconfig.read(boot_file, str(self.paths.boot_file))
        except BootConfigError as exc:
            self._say(outcome, Say(BOOT_FILE_WRONG, {"seconds": round(self.recheck_s)}))
            for problem in exc.problems:
                self._say(outcome, problem)
            outcome.retry_in = self.recheck_s
            return outcome
        first = not self.paths.marker.exists()
        if first:
            self.out(render(Say(STARTING, {"role": config.role, "path": self.paths.boot_file})))
        outcome.changed |= self._write_settings(config)
        if config.role == "hub":
            self._hub(config, outcome)
        else:
            self._appliance(config, outcome)
        if outcome.done:
            outcome.changed |= self._finish(config, boot_file)
            if not outcome.changed:
                self._say(outcome, Say(NOTHING, {"role": config.role}))
        return outcome

    def run(self, sleep: Callable[[float], None] = time.sleep) -> int:
        """Pass after pass until provisioned (what the unit runs); 0 once done."""
        while True:
            outcome = self.run_once()
            if outcome.done:
                return 0
            if outcome.retry_in is not None:
                sleep(outcome.retry_in)
            else:
                self._wait_for_change(sleep)

    def _wait_for_change(self, sleep: Callable[[float], None]) -> None:
        """Until the boot file is edited or a token appears (typed on the app's screen)."""
        boot_file = self.paths.host(self.paths.boot_file)

        def state() -> tuple[bytes | None, bool]:
            try:
                text = boot_file.read_bytes()
            except OSError:
                text = None
            tokens = any(self.paths.host(self.paths.token_file(role)).exists() for role in UNITS)
            return text, tokens

        before = state()
        while state() == before:
            sleep(self.recheck_s)

    # -- steps ---------------------------------------------------------------------------

    def _write_settings(self, config: BootConfig) -> bool:
        p = self.paths
        settings = app_settings(config, p)
        changed = files.put(
            p.host(p.settings_file(config.role)),
            files.toml_text(settings, HEADER),
            0o640,
            None if self.owner is None else (0, self.owner[1]),  # the app's group reads it
        )
        ntp = timesyncd_conf(config)
        if ntp is not None:
            changed |= files.put(p.host(Path("/etc/systemd/timesyncd.conf.d/motcua.conf")), ntp)
        if config.ssh_key:
            # sshd reads keys from /etc/ssh/authorized_keys/%u (the image's sshd_config.d).
            keys = p.host(Path("/etc/ssh/authorized_keys") / SSH_USER)
            changed |= files.put(keys, config.ssh_key + "\n", 0o644)
            changed |= self._enable("ssh.service", "multi-user.target", start=True)
        return changed

    def _appliance(self, config: BootConfig, outcome: Outcome) -> None:
        p = self.paths
        unit = UNITS[config.role]
        token_file = p.host(p.token_file(config.role))
        new_token = False
        if read_token(token_file) is None:
            code = config.enroll_code
            if not code:
                self._say(outcome, Say(NO_CODE, {"role": config.role}))
            else:
                try:
                    said = enrol_device(
                        config.hub_url, code, config.role, config.name, token_file, self.owner,
                        self.retry_s, counter=config.counter or None,
                    )  # fmt: skip
                except EnrolFailed as exc:
                    self._say(outcome, exc.say)
                    outcome.retry_in = self.retry_s if exc.retry else None
                else:
                    self._say(outcome, said)
                    new_token = True
        # Started whatever happened: its own start-up screen is what the technician sees.
        enabled = self._enable(unit, "multi-user.target", start=not new_token)
        enabled |= self._enable(UPDATE_TIMER, "timers.target", start=True)
        if new_token:
            self.systemd.restart(unit)  # it may be showing code entry: it now has a token
        outcome.changed |= enabled or new_token
        outcome.done = read_token(token_file) is not None

    def _hub(self, config: BootConfig, outcome: Outcome) -> None:
        p = self.paths
        admin_marker = p.host(p.state_dir / "admin-created")
        if not admin_marker.exists():
            try:
                said = hubrole.create_admin(
                    self.motcua, p.host(p.settings_file("hub")),
                    p.host(p.state_dir / "hub.sqlite3"), config.admin_user, config.port,
                    self.retry_s,
                )  # fmt: skip
            except hubrole.HubSetupFailed as exc:
                self._say(outcome, exc.say)
                outcome.retry_in = self.retry_s
                return
            self._say(outcome, said)  # the password: on the console and in the journal, once
            files.put(admin_marker, f"{config.admin_user}\n")
            outcome.changed = True
        outcome.changed |= self._enable(UNITS["hub"], "multi-user.target", start=True)
        outcome.changed |= self._enable(BACKUP_TIMER, "timers.target", start=True)
        outcome.done = True

    def _finish(self, config: BootConfig, boot_file: Path) -> bool:
        """Erase the code, stop running at boot, leave a note of what was done."""
        changed = False
        text = boot_file.read_text(encoding="utf-8")
        erased = bootconfig.erase_code(text, f"used {self.now():%Y-%m-%d %H:%M}")
        if erased != text:
            changed |= files.put(boot_file, erased, boot_file.stat().st_mode & 0o7777)
        changed |= self._erase_wifi_password()
        if config.role != "hub":
            changed |= self._root_mode(config.read_only_root)
        changed |= files.remove(self.paths.wants_link(FIRSTBOOT_UNIT, "multi-user.target"))
        if not self.paths.marker.exists():
            note = {"role": config.role, "at": self.now().isoformat(timespec="seconds")}
            files.put(self.paths.marker, json.dumps(note) + "\n")
            changed = True
        if changed:
            done = (
                Say(HUB_DONE, {"port": config.port})
                if config.role == "hub"
                else Say(DONE, {"role": config.role})
            )
            self.out(render(done))
        return changed

    def _root_mode(self, read_only: bool) -> bool:
        """Put ``overlayroot`` on the kernel command line, or take it off, as ``motcua.toml``
        asks (:mod:`provisioning.rootmode`); the next start applies it. Both in ``cmdline.txt``
        and in ``/etc/default/raspi-extra-cmdline``, from which raspi-firmware writes
        ``cmdline.txt`` again at every kernel or initramfs update."""
        p = self.paths
        cmdline = p.host(p.boot_file.parent / "cmdline.txt")
        extra = p.host(Path("/etc/default/raspi-extra-cmdline"))
        if not cmdline.is_file():
            if read_only:
                self.out(render(Say(NO_CMDLINE)))
            return False
        changed = False
        for path in (cmdline, extra):
            if not path.is_file():
                continue
            text = path.read_text(encoding="utf-8")
            wanted = rootmode.with_overlay(text, read_only)
            if wanted.split() != text.split():
                changed |= files.put(path, wanted, path.stat().st_mode & 0o7777)
        if changed:
            said = (
                Say(READ_ONLY_ON, {"word": rootmode.OVERLAY}) if read_only else Say(READ_ONLY_OFF)
            )
            self.out(render(said))
        return changed

    def _erase_wifi_password(self) -> bool:
        """The Wi-Fi password leaves the card once cloud-init has put it in the system's own
        network configuration (readable by root only): anyone can read a boot partition."""
        p = self.paths
        network_config = p.host(p.boot_file.parent / "network-config")
        applied = p.host(Path("/etc/netplan/50-cloud-init.yaml"))
        if not (network_config.is_file() and applied.is_file()):
            return False
        text = network_config.read_text(encoding="utf-8")
        erased = bootconfig.erase_wifi_passwords(text)
        if erased == text:
            return False
        return files.put(network_config, erased, network_config.stat().st_mode & 0o7777)

    def _enable(self, unit: str, target: str, *, start: bool) -> bool:
        """``systemctl enable`` as a symlink (works on a folder too); start it if newly enabled."""
        p = self.paths
        source = next(
            (d / unit for d in (p.units_dir, p.lib_units_dir) if p.host(d / unit).exists()),
            p.lib_units_dir / unit,
        )
        changed = files.symlink(p.wants_link(unit, target), source)
        if changed and start:
            self.systemd.start(unit)
        return changed


def main(argv: list[str] | None = None) -> int:
    """``python -m provisioning [--root DIR] [--once]``."""
    parser = argparse.ArgumentParser(prog="python -m provisioning", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("/"), help="the device's root folder")
    parser.add_argument("--once", action="store_true", help="one pass, then exit (1: not done)")
    args = parser.parse_args(argv)
    owner: Owner = None
    motcua: Sequence[str] = (sys.executable, "-m", "motcua.cli")
    if args.root == Path("/"):
        try:
            user = pwd.getpwnam(APP_USER)
        except KeyError:
            pass
        else:
            owner = (user.pw_uid, user.pw_gid)
            motcua = ("runuser", "-u", APP_USER, "--", *motcua)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # journal: at once
    boot = FirstBoot(Paths(root=args.root), Systemctl(), owner=owner, motcua=motcua)
    if args.once:
        return 0 if boot.run_once().done else 1
    return boot.run()
