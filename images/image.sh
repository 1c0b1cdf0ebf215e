#!/bin/bash
# The full arm64 image of a role, with no loop mounts: the role's tree (build.sh tree), the arm64
# wheels of its Python dependencies, a Debian Trixie arm64 root made by mmdebstrap (maintainer
# scripts run through qemu-user via binfmt_misc), the venv installed inside it with no network,
# then genimage packs the boot (vfat, mtools) and root (ext4, mke2fs -d) partitions into an .img.
#
#   images/image.sh ROLE [OUT]      (or: make image ROLE=kiosk)
#
# Needs root, and: mmdebstrap genimage mtools dosfstools e2fsprogs qemu-user-static, with the
# qemu-aarch64 binfmt handler registered (systemd-binfmt does it at boot), plus the network to a
# Debian mirror and PyPI at build time only. MOTCUA_MIRROR picks the mirror: the default is
# Debian's, whose raspi-firmware and linux-image-arm64 boot a Pi 4; Raspberry Pi OS's archive
# (http://archive.raspberrypi.com/debian) works the same way where it can be reached.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
project=$(dirname "$here")
role=${1:?usage: images/image.sh ROLE [OUT]}
out=${2:-$project/build/images/$role}
mirror=${MOTCUA_MIRROR:-http://deb.debian.org/debian}
python_version=${MOTCUA_PYTHON_VERSION:-3.13}
steps=6
step=0
started=$SECONDS

progress() {
    step=$((step + 1))
    printf '[image %d/%d] %s (%ds)\n' "$step" "$steps" "$*" "$((SECONDS - started))"
}
die() {
    printf 'image.sh: %s\n' "$*" >&2
    exit 2
}

[[ $(id -u) == 0 ]] || die "needs root (mmdebstrap and genimage make device files and owners)"
for tool in mmdebstrap genimage mcopy mkfs.vfat mke2fs; do
    command -v "$tool" >/dev/null || die "$tool is missing: apt-get install mmdebstrap genimage mtools dosfstools e2fsprogs"
done
if [[ "$(uname -m)" != aarch64 && ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    die "no qemu-aarch64 binfmt handler: apt-get install qemu-user-static, then /usr/lib/systemd/systemd-binfmt"
fi

progress "tree of the $role"
"$here/build.sh" tree "$role" "$out" | sed 's/^/    /'
tree=$out/rootfs
# shellcheck source=/dev/null
source "$tree/opt/motcua/role.env"

progress "arm64 wheels of motcua[$MOTCUA_EXTRA] for Python $python_version"
wheel=$(find "$tree/opt/motcua/wheels" -name 'motcua-*.whl' | head -n 1)
"${PYTHON:-python3}" -m pip download --quiet --dest "$tree/opt/motcua/wheels" \
    --only-binary=:all: --python-version "$python_version" --implementation cp \
    --platform manylinux_2_36_aarch64 --platform manylinux_2_28_aarch64 \
    --platform manylinux2014_aarch64 --platform linux_aarch64 \
    "motcua[$MOTCUA_EXTRA] @ file://$wheel"
printf '    %s wheels, %s\n' "$(find "$tree/opt/motcua/wheels" -name '*.whl' | wc -l)" \
    "$(du -sh "$tree/opt/motcua/wheels" | cut -f1)"

progress "root filesystem: mmdebstrap trixie arm64 from $mirror"
staging=$out/staging
rm -rf "$staging"
packages=$(paste -sd, "$out/packages.txt")
# Debian's own way to boot a Pi: its firmware and kernel; root and boot by label.
base=raspi-firmware,linux-image-arm64,systemd-sysv,udev,kmod,iproute2,netbase,sudo,dbus,netplan.io,systemd-resolved,locales,zstd
# shellcheck disable=SC2016  # the hooks get $1 (the new root) when mmdebstrap runs them
# force-confold: /etc/default/raspi-firmware is written before its package (the essential hook),
# and dpkg must keep it rather than stop at a question nobody is there to answer.
mmdebstrap --arch=arm64 --variant=apt --components="main non-free-firmware" \
    --dpkgopt=force-confold --dpkgopt=force-confdef \
    --include="$base,$packages" \
    --setup-hook='mkdir -p "$1/boot/firmware"' \
    --essential-hook='printf "ROOTPART=LABEL=rootfs\nCONSOLES=tty1\n" > "$1/etc/default/raspi-firmware"' \
    --essential-hook="copy-in '$tree/etc/default/raspi-extra-cmdline' /etc/default" \
    --customize-hook="sync-in '$tree' /" \
    --customize-hook='chroot "$1" systemd-sysusers' \
    --customize-hook='chroot "$1" /usr/local/lib/motcua/install-venv' \
    --customize-hook='chroot "$1" systemctl disable ssh.service 2>/dev/null || true' \
    --customize-hook='printf "LABEL=rootfs / ext4 defaults,noatime 0 1\nLABEL=bootfs /boot/firmware vfat defaults,noatime 0 2\n" > "$1/etc/fstab"' \
    --customize-hook='printf "datasource_list: [NoCloud, None]\n" > "$1/etc/cloud/cloud.cfg.d/99-motcua.cfg"' \
    --customize-hook='rm -rf "$1/opt/motcua/wheels"/*.whl "$1/var/cache/apt/archives"/*.deb' \
    trixie "$staging" "$mirror" 2>&1 | sed 's/^/    /'

progress "boot partition"
boot=$staging/boot/firmware
cp -a "$out/boot/." "$boot/"
# cmdline.txt is raspi-firmware's, written when the kernel was installed: root by label, then
# etc/default/raspi-extra-cmdline (the console never blanks, cloud-init reads this partition).
grep -q "root=LABEL=rootfs .*consoleblank=0 ds=nocloud" "$boot/cmdline.txt" ||
    die "cmdline.txt lacks the image's arguments: $(cat "$boot/cmdline.txt")"
printf '    cmdline.txt: %s\n' "$(cat "$boot/cmdline.txt")"
printf '    %s in the boot partition\n' "$(du -sh "$boot" | cut -f1)"

progress "image: genimage (vfat with mtools, ext4 with mke2fs -d; no loop mount)"
root_mb=$(($(du -sm --exclude=./boot/firmware "$staging" | cut -f1) * 13 / 10 + 256))
cat >"$out/genimage.cfg" <<CFG
image bootfs.vfat {
    vfat { label = "bootfs" }
    mountpoint = "/boot/firmware"
    size = 512M
}
image rootfs.ext4 {
    ext4 { label = "rootfs" use-mke2fs = true }
    size = ${root_mb}M
}
image motcua-$role.img {
    hdimage { partition-table-type = "mbr" align = 4M }
    partition boot { partition-type = 0xC bootable = true image = "bootfs.vfat" }
    partition root { partition-type = 0x83 image = "rootfs.ext4" }
}
CFG
rm -rf "$out/genimage-tmp" "$out/images"
genimage --config "$out/genimage.cfg" --rootpath "$staging" --tmppath "$out/genimage-tmp" \
    --inputpath "$out/images" --outputpath "$out/images" 2>&1 | sed 's/^/    /'

progress "done"
ls -l "$out/images/motcua-$role.img"
printf 'motcua-%s.img: %s in %d s\n' "$role" "$(du -h "$out/images/motcua-$role.img" | cut -f1)" \
    "$((SECONDS - started))"
