"""First boot of an appliance against a real hub on 127.0.0.1, on a fake root folder."""

from __future__ import annotations

import stat
import subprocess
import sys
import tomllib

from appliance.enrolment import enrol
from appliance.hublink import HubClient
from counter_panel.settings import CounterSettings
from kiosk.settings import KioskSettings
from motcua import config as config_loader
from queue_display.settings import DisplaySettings


def boot_text(role: str, hub_url: str, code: str, extra: str = "") -> str:
    """A boot file as a technician writes it: comments kept, values filled in."""
    return (
        f'# Motcua first boot\nrole = "{role}"\n'
        f'# the hub\nhub_url = "{hub_url}"\n'
        f'enroll_code = "{code}"   # from motcua devices enroll-code\n'
        f'name = "Thiết bị thử"\n{extra}'
    )


KIOSK = 'printer = "simulated"\n'


def token_works(hub, token: str) -> bool:
    """The hub accepts the token as this device's."""
    status, _ = hub.request("POST", "/api/v1/devices/heartbeat", {"status": {}}, token=token)
    return status in (200, 204)


def test_a_kiosk_enrols_stores_its_token_0600_erases_the_code_and_disables_itself(
    hub_process, device
):
    kiosk = device("kiosk")
    code = hub_process.enroll_codes["kiosk"]
    kiosk.write_boot(boot_text("kiosk", hub_process.url, code, KIOSK))
    wants = kiosk.path("/etc/systemd/system/multi-user.target.wants")
    assert (wants / "motcua-firstboot.service").is_symlink()  # as the image ships

    outcome, printed = kiosk.run_once()

    assert outcome.done, printed
    token_file = kiosk.path("/var/lib/motcua/kiosk-token")
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert token_works(hub_process, token_file.read_text().strip())
    assert "Đã đăng ký với máy chủ: ki-ốt" in printed
    assert "(Enrolled with the hub as kiosk" in printed
    # The code is gone from the card; the technician's comments and values stay.
    boot = kiosk.boot_file.read_text()
    assert code not in boot and code.replace("-", "") not in boot
    assert 'enroll_code = ""  # used 2026-12-02 08:00' in boot
    assert "# the hub" in boot and 'name = "Thiết bị thử"' in boot
    assert tomllib.loads(boot)["enroll_code"] == ""
    # The app's unit is enabled and started, first boot no longer runs at boot.
    assert (wants / "motcua-kiosk.service").resolve(strict=False).name == "motcua-kiosk.service"
    assert not (wants / "motcua-firstboot.service").is_symlink()
    # Updates from the hub are looked for hourly (provisioning.updater).
    assert kiosk.path("/etc/systemd/system/timers.target.wants/motcua-update.timer").is_symlink()
    assert kiosk.systemd.calls == [("start", "motcua-update.timer"),
                                   ("restart", "motcua-kiosk.service")]  # fmt: skip
    # The app reads what was written, with its own settings class, as the unit will run it.
    settings = config_loader.load(KioskSettings, path=kiosk.path("/etc/motcua/kiosk.toml"), env={})
    assert settings.hub_url == hub_process.url
    assert str(settings.token_file) == "/var/lib/motcua/kiosk-token"
    assert settings.enroll_code == "" and settings.fullscreen and settings.name == "Thiết bị thử"
    assert settings.printer.kind == "simulated"
    ntp = kiosk.path("/etc/systemd/timesyncd.conf.d/motcua.conf").read_text()
    assert "NTP=127.0.0.1" in ntp


def test_run_twice_changes_nothing(hub_process, device):
    kiosk = device("kiosk")
    kiosk.write_boot(boot_text("kiosk", hub_process.url, hub_process.enroll_codes["kiosk"], KIOSK))
    assert kiosk.run_once()[0].done
    before = kiosk.snapshot()

    outcome, printed = kiosk.run_once()

    assert outcome.done and not outcome.changed
    assert kiosk.snapshot() == before
    assert kiosk.systemd.calls == []
    assert "Máy đã được cài đặt thành ki-ốt: không có gì thay đổi." in printed


def test_hub_unreachable_is_said_the_app_waits_on_screen_and_the_next_try_enrols(
    hub_process, device
):
    panel = device("counter")
    code = hub_process.enroll_codes["counter"]
    panel.write_boot(boot_text("counter", hub_process.url, code, "counter = 2\n"))
    hub_process.kill()

    outcome, printed = panel.run_once()

    assert not outcome.done and outcome.retry_in == 10.0
    assert f"Không kết nối được máy chủ tại {hub_process.url}" in printed
    assert "Thử lại sau 10 giây" in printed and "(Cannot reach the hub" in printed
    # The app is started anyway: its own start-up screen says it is waiting for the hub.
    assert panel.systemd.calls == [("start", "motcua-counter.service"),
                                   ("start", "motcua-update.timer")]  # fmt: skip
    assert not panel.path("/var/lib/motcua/counter-token").exists()
    assert code in panel.boot_file.read_text()  # kept for the next try
    settings = config_loader.load(
        CounterSettings, path=panel.path("/etc/motcua/counter.toml"), env={}
    )
    assert settings.counter == 2 and settings.enroll_code == ""

    hub_process.start()
    outcome, printed = panel.run_once()

    assert outcome.done, printed
    assert panel.systemd.calls == [("restart", "motcua-counter.service")]  # now with its token
    assert code not in panel.boot_file.read_text()


def test_the_unit_loop_retries_until_the_hub_answers(hub_process, device):
    display = device("display")
    code = hub_process.enroll_codes["display"]
    display.write_boot(boot_text("display", hub_process.url, code, "zone_counters = [1, 2]\n"))
    hub_process.kill()
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            hub_process.start()  # the hub comes back while the display waits

    assert display.firstboot().run(sleep=sleep) == 0
    assert waits == [10.0, 10.0]
    assert display.path("/var/lib/motcua/display-token").exists()
    settings = config_loader.load(
        DisplaySettings, path=display.path("/etc/motcua/display.toml"), env={}
    )
    assert settings.counters == [1, 2]


def test_a_used_code_is_refused_and_a_code_typed_on_the_screen_finishes_the_setup(
    hub_process, device
):
    code = hub_process.enroll_codes["kiosk"]
    first = device("kiosk", "first")
    first.write_boot(boot_text("kiosk", hub_process.url, code, KIOSK))
    assert first.run_once()[0].done
    second = device("kiosk", "second")
    second.write_boot(boot_text("kiosk", hub_process.url, code, KIOSK))

    outcome, printed = second.run_once()

    assert not outcome.done and outcome.retry_in is None  # the same code would fail again
    assert f"Máy chủ từ chối mã đăng ký {code}: mã không đúng, đã dùng hoặc đã hết hạn" in printed
    assert "motcua devices enroll-code --role kiosk" in printed
    assert second.systemd.calls == [("start", "motcua-kiosk.service"),  # code entry on screen
                                    ("start", "motcua-update.timer")]  # fmt: skip
    assert not second.path("/var/lib/motcua/kiosk-token").exists()

    # The technician types a new code on the app's screen: the app enrols and stores its token.
    new_code = new_enroll_code(hub_process, "kiosk")
    client = HubClient(hub_process.url)
    try:
        enrol(client, second.path("/var/lib/motcua/kiosk-token"), new_code)
    finally:
        client.close()
    outcome, printed = second.run_once()

    assert outcome.done, printed
    assert code not in second.boot_file.read_text()
    assert not second.path(
        "/etc/systemd/system/multi-user.target.wants/motcua-firstboot.service"
    ).is_symlink()


def new_enroll_code(hub, role: str, hours: float = 24.0) -> str:
    """A code from the hub's own command, as an administrator makes one."""
    done = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "devices", "--db", str(hub.db_path), "enroll-code",
         "--role", role, "--hours", str(hours)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def test_an_expired_code_is_refused(hub_process, device):
    expired = new_enroll_code(hub_process, "display", hours=-1)
    display = device("display")
    display.write_boot(boot_text("display", hub_process.url, expired))

    outcome, printed = display.run_once()

    assert not outcome.done
    assert "đã dùng hoặc đã hết hạn" in printed and "already used or expired" in printed
    assert not display.path("/var/lib/motcua/display-token").exists()


def test_a_code_of_another_role_is_refused_and_its_token_never_kept(hub_process, device):
    kiosk = device("kiosk")
    code = hub_process.enroll_codes["display"]
    kiosk.write_boot(boot_text("kiosk", hub_process.url, code, KIOSK))

    outcome, printed = kiosk.run_once()

    assert not outcome.done and outcome.retry_in is None
    assert (
        f"Mã {code} được tạo cho màn hình phòng chờ, nhưng máy này là ki-ốt. "
        "Hãy xin mã cho ki-ốt" in printed
    )
    assert "(The code" in printed and "was made for a waiting-room display" in printed
    state = kiosk.path("/var/lib/motcua")
    assert sorted(p.name for p in state.iterdir()) == []  # neither the token nor a stray copy
    assert code in kiosk.boot_file.read_text()


def test_no_code_leaves_code_entry_to_the_screen(hub_process, device):
    kiosk = device("kiosk")
    kiosk.write_boot(boot_text("kiosk", hub_process.url, "", KIOSK))

    outcome, printed = kiosk.run_once()

    assert not outcome.done and outcome.retry_in is None
    assert "motcua.toml chưa có mã đăng ký: hãy nhập mã trên màn hình" in printed
    assert kiosk.systemd.calls == [("start", "motcua-kiosk.service"),
                                   ("start", "motcua-update.timer")]  # fmt: skip


def test_a_wrong_boot_file_lists_every_problem_and_writes_nothing(device):
    kiosk = device("kiosk")
    kiosk.write_boot(
        'role = "kiosk"\nhub_url = "192.168.1.10"\nenroll_code = "12345"\nprinter = "usb"\n'
        'paper_mm = "80"\ncolour = "red"\ncounter = 3\n'
    )

    outcome, printed = kiosk.run_once()

    assert not outcome.done and outcome.retry_in == 15.0
    assert "Cần sửa motcua.toml (máy kiểm tra lại sau mỗi 15 giây):" in printed
    assert "Thiết lập 'colour' trong motcua.toml không có" in printed
    assert "'paper_mm' phải là một số nguyên, không phải 80." in printed
    assert "'counter' không phải thiết lập của ki-ốt: hãy xoá dòng này." in printed
    assert not kiosk.path("/etc/motcua/kiosk.toml").exists()
    assert kiosk.systemd.calls == []

    kiosk.write_boot('role = "kiosk"\nhub_url = "192.168.1.10"\nenroll_code = "12345"\n')
    printed = kiosk.run_once()[1]
    assert "'hub_url' phải có dạng http://192.168.1.10:8080 (không phải '192.168.1.10')." in printed
    assert "'enroll_code' phải có 8 chữ số, dạng 1234-5678 (không phải '12345')." in printed
    assert "Máy in USB cần 'printer_usb'" in printed


def test_a_missing_or_unreadable_boot_file_is_named(device):
    panel = device("counter")
    printed = panel.run_once()[1]
    assert "Không có tệp /boot/firmware/motcua.toml: hãy chép motcua.toml.example" in printed

    panel.write_boot('role = "counter"\nhub_url = "http://hub:8080\n')
    printed = panel.run_once()[1]
    assert "Không đọc được /boot/firmware/motcua.toml:" in printed


def test_the_wifi_password_leaves_the_card_once_cloud_init_applied_it(hub_process, device):
    kiosk = device("kiosk")
    kiosk.write_boot(boot_text("kiosk", hub_process.url, hub_process.enroll_codes["kiosk"], KIOSK))
    network_config = kiosk.path("/boot/firmware/network-config")
    network_config.write_text(
        kiosk.path("/boot/firmware/network-config.example").read_text(), encoding="utf-8"
    )
    netplan = kiosk.path("/etc/netplan/50-cloud-init.yaml")  # what cloud-init wrote at boot
    netplan.parent.mkdir(parents=True)
    netplan.write_text("network: {version: 2}\n")

    assert kiosk.run_once()[0].done

    text = network_config.read_text()
    assert "mat-khau-wifi" not in text
    assert 'password: ""' in text and '"Ten-mang-Wi-Fi":' in text
    before = kiosk.snapshot()
    assert kiosk.run_once()[0].done and kiosk.snapshot() == before


def test_after_a_refusal_the_unit_waits_for_a_fixed_boot_file(hub_process, device):
    display = device("display")
    used = hub_process.enroll_codes["display"]
    display.write_boot(boot_text("display", hub_process.url, "0000-0000"))
    fresh = new_enroll_code(hub_process, "display")
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:  # the technician puts a fresh code on the card
            display.write_boot(boot_text("display", hub_process.url, fresh))

    assert display.firstboot().run(sleep=sleep) == 0
    assert sleeps == [15.0, 15.0, 15.0]  # polled the card, never hammered the hub
    printed = "\n".join(display.printed)
    assert "Máy chủ từ chối mã đăng ký 0000-0000" in printed
    assert "Đã đăng ký với máy chủ: màn hình phòng chờ" in printed
    assert fresh not in display.boot_file.read_text() and used != fresh


def test_a_code_for_another_counter_is_refused_and_the_token_not_kept(hub_process, device):
    done = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "devices", "--db", str(hub_process.db_path),
         "enroll-code", "--role", "counter", "--counter", "3"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    code = done.stdout.strip().split()[-1]
    panel = device("counter")
    panel.write_boot(boot_text("counter", hub_process.url, code, "counter = 2\n"))

    outcome, printed = panel.run_once()

    assert not outcome.done and outcome.retry_in is None  # the same code would fail again
    assert f"Mã {code} được tạo cho quầy 3, nhưng motcua.toml ghi máy này là quầy 2" in printed
    assert not panel.path("/var/lib/motcua/counter-token").exists()
    assert not list(panel.path("/var/lib/motcua").glob(".counter-token*"))


def test_read_only_root_goes_on_the_kernel_command_line_and_comes_off_again(hub_process, device):
    counter = device("counter")
    cmdline = counter.path("/boot/firmware/cmdline.txt")
    cmdline.write_text("console=tty1 root=LABEL=rootfs rootwait consoleblank=0\n")
    extra = counter.path("/etc/default/raspi-extra-cmdline")  # as the image ships it
    assert extra.read_text() == "consoleblank=0 ds=nocloud;s=file:///boot/firmware/\n"
    boot = boot_text("counter", hub_process.url, hub_process.enroll_codes["counter"],
                     "counter = 1\nread_only_root = true\n")  # fmt: skip
    counter.write_boot(boot)

    outcome, printed = counter.run_once()

    assert outcome.done, printed
    assert cmdline.read_text() == (
        "console=tty1 root=LABEL=rootfs rootwait consoleblank=0 overlayroot=tmpfs:recurse=0\n"
    )
    assert "Thư mục gốc chỉ đọc: bật từ lần khởi động sau" in printed
    # Kept where raspi-firmware writes cmdline.txt from again at a kernel update.
    assert extra.read_text().split()[-1] == "overlayroot=tmpfs:recurse=0"
    # Applied once: a rerun leaves the line alone.
    assert not counter.run_once()[0].changed
    # Set back to false (first boot run again by hand): the word goes, the rest stays.
    counter.write_boot(counter.boot_file.read_text().replace("= true", "= false"))
    outcome, printed = counter.run_once()
    assert outcome.changed and "Thư mục gốc chỉ đọc: tắt từ lần khởi động sau." in printed
    assert cmdline.read_text() == "console=tty1 root=LABEL=rootfs rootwait consoleblank=0\n"
    assert "overlayroot" not in extra.read_text()
