"""First boot of the hub: its database, the first administrator (password shown once), the
nightly backup timer, from the shipped example file as a technician copies it."""

from __future__ import annotations

import re
import shutil
import sqlite3

from hub.auth.access import check_password
from hub.config import HubConfig
from motcua import config as config_loader


def test_the_hub_creates_its_database_and_admin_once_and_enables_backups(device):
    hub = device("hub")
    example = hub.path("/boot/firmware/motcua.toml.example")
    shutil.copyfile(example, hub.boot_file)  # step 1 of the README: copy, then edit

    outcome, printed = hub.run_once()

    assert outcome.done, printed
    shown = r"Đã tạo quản trị viên đầu tiên 'admin', mật khẩu: (\S+) — hãy ghi lại"
    match = re.search(shown, printed)
    assert match, printed
    password = match[1]
    assert f"password: {password} — write it down now" in printed  # English beside it
    db_file = hub.path("/var/lib/motcua/hub.sqlite3")
    with sqlite3.connect(db_file) as conn:
        role, stored = conn.execute(
            "SELECT role, password_hash FROM users WHERE username = 'admin'"
        ).fetchone()
    assert role == "admin" and check_password(stored, password)
    assert password not in hub.boot_file.read_text()
    assert password not in hub.path("/var/lib/motcua/admin-created").read_text()
    settings = config_loader.load(HubConfig, path=hub.path("/etc/motcua/hub.toml"), env={})
    assert settings.host == "0.0.0.0" and settings.port == 8080
    assert str(settings.db_path) == "/var/lib/motcua/hub.sqlite3"
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    etc = hub.path("/etc/systemd/system")
    assert (etc / "multi-user.target.wants/motcua-hub.service").is_symlink()
    assert (etc / "timers.target.wants/motcua-backup.timer").is_symlink()
    assert not (etc / "multi-user.target.wants/motcua-firstboot.service").is_symlink()
    assert sorted(hub.systemd.calls) == [
        ("start", "motcua-backup.timer"), ("start", "motcua-hub.service"),
    ]  # fmt: skip
    assert not hub.path("/etc/systemd/timesyncd.conf.d/motcua.conf").exists()  # chrony serves

    before = hub.snapshot()
    outcome, printed = hub.run_once()
    assert outcome.done and not outcome.changed
    assert password not in printed and "mật khẩu" not in printed  # shown once only
    assert hub.snapshot() == before


def test_a_hub_boot_file_that_sets_up_ssh_with_a_key(device):
    hub = device("hub")
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly tech@laptop"
    hub.write_boot(f'role = "hub"\nssh_key = "{key}"\n')

    assert hub.run_once()[0].done
    assert hub.path("/etc/ssh/authorized_keys/tech").read_text() == key + "\n"
    assert hub.path("/etc/systemd/system/multi-user.target.wants/ssh.service").is_symlink()
    assert ("start", "ssh.service") in hub.systemd.calls
