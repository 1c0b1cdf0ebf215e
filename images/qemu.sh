#!/bin/bash
# Try a built image without a Pi: boot it in qemu-system-aarch64 (the "virt" machine, software
# emulation), as a technician would power on a box with a freshly flashed card.
#
#   images/qemu.sh start IMG WORKDIR FILE...        copy IMG, put the FILEs (motcua.toml, and
#                                                   user-data...) on its boot partition, boot it
#   images/qemu.sh screen WORKDIR OUT.png           what its screen shows now
#   images/qemu.sh boot-file WORKDIR [NAME]         a file of its boot partition (motcua.toml)
#   images/qemu.sh stop WORKDIR                     shut it down (the copy stays, to start again)
#   images/qemu.sh restart WORKDIR                  shut it down and power it on again
#
# The copy (WORKDIR/card.img) is 2 GiB larger than the image, as a bigger card is, so the first
# boot's growpart has room. The kernel and initrd are the image's own, read from its boot
# partition (the Pi's firmware would load the same files), with the image's cmdline.txt. The
# screen is a virtio-gpu (KMS/DRM, as on a Pi), read through qemu's monitor; the serial console
# goes to WORKDIR/serial.log. Networking is qemu's user mode: the host is 10.0.2.2 from inside
# (hub_url = "http://10.0.2.2:PORT" reaches a hub on this machine), and the guest's SSH and hub
# ports are this machine's MOTCUA_QEMU_SSH (2222) and MOTCUA_QEMU_HUB (18080). MOTCUA_QEMU_USB
# names a disk image plugged in as a USB stick (the hub's backup stick: mkfs.vfat -n MOTCUA-BAK).
#
# Needs: qemu-system-arm, mtools, fdisk (sfdisk), imagemagick (the screen as PNG), python3.
set -euo pipefail

die() {
    printf 'qemu.sh: %s\n' "$*" >&2
    exit 2
}

# The byte offset of partition N of an image (sfdisk reads the MBR; no loop device needed).
offset() {
    local image=$1 number=$2
    sfdisk --json "$image" | python3 -c '
import json, sys
table = json.load(sys.stdin)["partitiontable"]
part = table["partitions"][int(sys.argv[1]) - 1]
print(part["start"] * table.get("sectorsize", 512))' "$number"
}

# One command to qemu's human monitor on WORKDIR/monitor.sock.
monitor() {
    local work=$1 command=$2
    python3 - "$work/monitor.sock" "$command" <<'PY'
import socket, sys, time
sock = socket.socket(socket.AF_UNIX)
sock.connect(sys.argv[1])
sock.settimeout(30)
def until(marker: bytes) -> bytes:
    seen = b""
    while marker not in seen:
        chunk = sock.recv(65536)
        if not chunk:
            break
        seen += chunk
    return seen
until(b"(qemu) ")
sock.sendall(sys.argv[2].encode() + b"\n")
out = until(b"(qemu) ").decode(errors="replace")
print(out.split("\n", 1)[-1].rsplit("(qemu)", 1)[0].strip())
PY
}

boot() {
    local work=$1
    local card=$work/card.img boot_at
    boot_at=$(offset "$card" 1)
    # The files the Pi's firmware would load: config.txt's kernel= and initramfs lines.
    local config kernel initrd
    config=$(mtype -i "$card@@$boot_at" ::config.txt | tr -d '\r')
    kernel=$(sed -n 's/^kernel=//p' <<<"$config" | tail -n 1)
    initrd=$(sed -n 's/^initramfs \([^ ]*\).*/\1/p' <<<"$config" | tail -n 1)
    [[ -n "$kernel" && -n "$initrd" ]] || die "config.txt names no kernel= or initramfs"
    mcopy -o -i "$card@@$boot_at" "::$kernel" "$work/vmlinuz"
    mcopy -o -i "$card@@$boot_at" "::$initrd" "$work/initrd.img"
    # The kernel's messages also go to the VM's serial port; put first, so that the image's own
    # console=tty1 stays /dev/console (what the first boot writes to shows on the screen).
    local cmdline
    cmdline="console=ttyAMA0 $(mtype -i "$card@@$boot_at" ::cmdline.txt | tr -d '\r\n')"
    # Kivy drawing through llvmpipe under emulation takes tens of seconds a frame (a Pi's GPU,
    # milliseconds): the apps' 30 s watchdog would restart them forever. MOTCUA_QEMU_WATCHDOG=1
    # keeps it on.
    if [[ "${MOTCUA_QEMU_WATCHDOG:-0}" != 1 ]]; then
        cmdline+=" systemd.service_watchdogs=0"
    fi
    printf '%s\n' "$cmdline" >"$work/cmdline"
    rm -f "$work/monitor.sock"
    local stick=()
    if [[ -n "${MOTCUA_QEMU_USB:-}" ]]; then
        stick=(-drive "if=none,id=stick,format=raw,file=$MOTCUA_QEMU_USB" -device "usb-storage,drive=stick")
    fi
    qemu-system-aarch64 -M virt -cpu max -smp 2 -m 2048 \
        -kernel "$work/vmlinuz" -initrd "$work/initrd.img" -append "$cmdline" \
        -drive "file=$card,format=raw,if=virtio" \
        -device virtio-gpu-pci -device qemu-xhci -device usb-kbd -device usb-tablet \
        -netdev "user,id=lan,hostfwd=tcp:127.0.0.1:${MOTCUA_QEMU_SSH:-2222}-:22,hostfwd=tcp:127.0.0.1:${MOTCUA_QEMU_HUB:-18080}-:8080" \
        -device virtio-net-pci,netdev=lan,romfile= \
        "${stick[@]}" -display none -serial "file:$work/serial.log" \
        -monitor "unix:$work/monitor.sock,server,nowait" \
        -daemonize -pidfile "$work/qemu.pid"
    printf 'booting %s (serial console: %s)\n' "$card" "$work/serial.log"
}

# The power button (systemd shuts down cleanly), then the plug if it is still on after 3 minutes.
stop() {
    local work=$1 pid waited=0
    [[ -f "$work/qemu.pid" ]] || return 0
    pid=$(cat "$work/qemu.pid")
    monitor "$work" system_powerdown >/dev/null 2>&1 || true
    while kill -0 "$pid" 2>/dev/null && ((waited < 900)); do
        sleep 0.2
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        printf 'qemu.sh: no clean shutdown in 3 minutes: pulling the plug\n' >&2
        monitor "$work" quit >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    fi
    rm -f "$work/qemu.pid"
}

command=${1:-}
case "$command" in
start)
    usage="usage: images/qemu.sh start IMG WORKDIR motcua.toml [user-data ...]"
    image=${2:?$usage}
    work=${3:?$usage}
    shift 3 || die "$usage"
    (($# > 0)) || die "$usage"
    [[ -f "$image" ]] || die "$image: no such image (make image ROLE=...)"
    for file in "$@"; do
        [[ -f "$file" ]] || die "$file: no such file"
    done
    for tool in qemu-system-aarch64 mcopy sfdisk; do
        command -v "$tool" >/dev/null || die "$tool is missing: apt-get install qemu-system-arm mtools fdisk"
    done
    mkdir -p "$work"
    stop "$work"
    cp --sparse=always "$image" "$work/card.img"
    truncate -s +2G "$work/card.img"
    boot_at=$(offset "$work/card.img" 1)
    for file in "$@"; do
        mcopy -o -i "$work/card.img@@$boot_at" "$file" "::$(basename "$file")"
    done
    : >"$work/serial.log"
    boot "$work"
    ;;
screen)
    work=${2:?usage: images/qemu.sh screen WORKDIR OUT.png}
    out=${3:?usage: images/qemu.sh screen WORKDIR OUT.png}
    monitor "$work" "screendump $work/screen.ppm" >/dev/null
    convert "$work/screen.ppm" "$out"
    printf '%s\n' "$out"
    ;;
boot-file)
    work=${2:?usage: images/qemu.sh boot-file WORKDIR [NAME]}
    mtype -i "$work/card.img@@$(offset "$work/card.img" 1)" "::${3:-motcua.toml}"
    ;;
stop)
    stop "${2:?usage: images/qemu.sh stop WORKDIR}"
    ;;
restart)
    work=${2:?usage: images/qemu.sh restart WORKDIR}
    stop "$work"
    boot "$work"
    ;;
*)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
